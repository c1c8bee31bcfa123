"""Join syllables a PDF text extractor cut apart around their marked letters.

Some extractors put a space before or after each letter with a Vietnamese mark,
because the PDF draws the mark as a glyph of its own (docling issue #3170:
``ĐIỀ U KHO ẢN & ĐIỀ U KI Ệ N S Ử D Ụ NG``, ``Áp dụ ng t ừ ngày``). Others leave a
combining mark after a space (``Cô ̣ng``). The letters are all there; only the
word boundaries are wrong, and they are easy to find: each cut is next to a
letter with a mark, and one side of it is usually no syllable (``NG``, ``ĐIỀ``).

A text is taken to be cut this way only when it has ``MIN_CUTS`` such cuts
(both sides, or the join, telling); a clean text has none. Then each run of
words linked by possible cuts is read in the way the language model likes best,
each piece a syllable or a word kept as written.
"""
from __future__ import annotations

import re
from typing import Callable

from diacritics.lost_letters import LostWord

# a combining mark after white space belongs to the letter before the space
_DETACHED_MARK = re.compile(r"[ \t]+(?=[\u0300-\u036f])")
# a word of letters only: "t" in English OCR's "t6 chức" (tổ) is no fragment of a cut word
_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")
_SENTENCE_END = re.compile(r"(?:[.!?:;]|^\s*)$")
MIN_CUTS = 3          # telling cuts a text needs before any join is made
MIN_SHARE = 0.01      # … and their share of its words
BEAM = 16             # readings kept at each word of a chain
CONTEXT_CHARS = 120   # of the text either side of a chain, for the model's context
MAX_PIECES = 4        # words one syllable may have been cut into (D Ị CH, KI Ệ N)
KEPT_FRAGMENT_LP = -8.0   # a word kept as written that is no syllable (NG, Ệ)


def reattach_marks(text: str) -> str:
    """``Cô ̣ng`` → ``Cộng``: drop the white space before a combining mark (NFC comes after)."""
    return _DETACHED_MARK.sub("", text)


def _marked(ch: str) -> bool:
    return not ch.isascii() and ch.isalpha()


def _links(line: str) -> list[tuple[re.Match, re.Match]]:
    """Neighbouring words one space apart with a marked letter at the gap: possible cuts."""
    words = list(_WORD.finditer(line))
    return [(a, b) for a, b in zip(words, words[1:])
            if line[a.end():b.start()] == " " and (_marked(a.group()[-1]) or _marked(b.group()[0]))]


def one_word_case(word: str) -> bool:
    """``ĐIỀU``, ``Chủ``, ``dụng``: a cut never leaves a capital inside a word (``độ C`` stays)."""
    return word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())


def _joins(word: str, is_word: Callable[[str], bool]) -> bool:
    return one_word_case(word) and is_word(word.lower())


def count_cuts(text: str, is_word: Callable[[str], bool]) -> tuple[int, int]:
    """(telling cuts, words): a gap is telling when the joined word is a syllable and one
    side is not (``dụ ng``, ``t ừ``); ``về ở``, two words, tells nothing."""
    cuts = 0
    for line in text.split("\n"):
        for a, b in _links(line):
            if _joins(a.group() + b.group(), is_word) and not (
                    is_word(a.group().lower()) and is_word(b.group().lower())):
                cuts += 1
    return cuts, len(_WORD.findall(text))


def _chains(line: str) -> list[list[re.Match]]:
    """Maximal chains of linked words: each one is read as a whole."""
    chains: list[list[re.Match]] = []
    for a, b in _links(line):
        if chains and chains[-1][-1] is a:
            chains[-1].append(b)
        else:
            chains.append([a, b])
    return chains


def _best_reading(line: str, chain: list[re.Match], is_word: Callable[[str], bool],
                  before: str = "", after_text: str = "") -> list[int]:
    """Piece lengths (in words) of the likeliest reading of a chain, each joined piece a syllable
    in one word's case: a beam search over the syllable model, as the decoder does.
    ``before``: the sentence up to the chain, already joined; ``after_text``: the next line's
    words if the sentence wraps."""
    import numpy as np

    from diacritics.model import load_model
    from diacritics.tokens import NONE, UNK, lm_class, lm_ids
    lm = load_model()
    texts = [m.group() for m in chain]
    # the model sees three tokens back and one ahead: a short stretch of each side is enough
    # (all of a long line, for each of its chains, made a line of 15,000 cut words take minutes)
    start = tuple(([NONE] * 3 + lm_ids(before[-CONTEXT_CHARS:], lm.index))[-3:])
    after = lm_ids((line[chain[-1].end():] + after_text)[:CONTEXT_CHARS], lm.index)[:1]
    # per position reached: LM state (the last three ids) -> (score, size of the last piece,
    # state before it); the reading is traced back from the end
    reached: list[dict] = [{} for _ in range(len(texts) + 1)]
    reached[0][start] = (0.0, 0, None)
    for pos in range(len(texts)):
        live = sorted(reached[pos].items(), key=lambda kv: -kv[1][0])[:BEAM]
        if not live:
            continue
        states = np.array([s for s, _ in live], dtype=np.uint64)
        for size in range(1, min(MAX_PIECES, len(texts) - pos) + 1):
            piece = "".join(texts[pos:pos + size])
            known = _joins(piece, is_word)
            if size > 1 and not known:
                continue
            k = lm_class(piece.lower())
            wid = lm.index.get(k, UNK) if isinstance(k, str) else k
            lp = lm.logprob(states[:, 0], states[:, 1], states[:, 2], np.full(len(live), wid, np.uint64))
            extra = 0.0 if known else KEPT_FRAGMENT_LP
            ahead = reached[pos + size]
            for (state, (score, _size, _prev)), p in zip(live, lp.tolist()):
                nxt = state[1:] + (wid,)
                total = score + p + extra
                if nxt not in ahead or total > ahead[nxt][0]:
                    ahead[nxt] = (total, size, state)
    best_state, best_score = None, None
    for state, (score, _size, _prev) in reached[-1].items():
        if after:
            score += float(lm.logprob(*(np.array([x], dtype=np.uint64) for x in (*state, after[0])))[0])
        if best_score is None or score > best_score:
            best_state, best_score = state, score
    if best_state is None:
        return [1] * len(texts)
    sizes, pos, state = [], len(texts), best_state
    while pos > 0:
        _score, size, prev = reached[pos][state]
        sizes.append(size)
        pos, state = pos - size, prev
    return sizes[::-1]


def join_cut_syllables(text: str, is_word: Callable[[str], bool]) -> tuple[str, list[LostWord]]:
    """The text with syllables an extractor cut around their marks joined again, and each join
    (a ``LostWord``: where, as written, as joined).

    ``is_word``: whether a lowercase string is a syllable (either tone style).
    A text without ``MIN_CUTS`` telling cuts, or fewer than ``MIN_SHARE`` of its
    words, comes back as it is.
    """
    cuts, words = count_cuts(text, is_word)
    if cuts < MIN_CUTS or cuts < MIN_SHARE * words:
        return text, []
    out_lines, joined = [], []
    lines = text.split("\n")
    for li, line in enumerate(lines):
        buf, pos = [], 0
        # a sentence wrapped across lines: the words on the lines around are context
        before = lines[li - 1] + " " if li and not _SENTENCE_END.search(lines[li - 1]) else ""
        after = " " + lines[li + 1] if li + 1 < len(lines) and not _SENTENCE_END.search(line) else ""
        for run in _chains(line):
            at = 0
            # the context before is the line as joined so far (ti ế p thu ý: tiếp)
            done = before + "".join(buf) + line[pos:run[0].start()]
            for size in _best_reading(line, run, is_word, done, after):
                first, last = run[at], run[at + size - 1]
                at += size
                if size == 1:
                    continue
                piece = "".join(m.group() for m in run[at - size:at])
                buf += [line[pos:first.start()], piece]
                joined.append(LostWord(li, first.start(), line[first.start():last.end()], piece, 0.9))
                pos = last.end()
        buf.append(line[pos:])
        out_lines.append("".join(buf))
    return "\n".join(out_lines), joined
