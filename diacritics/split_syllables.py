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
MAX_SPELLINGS = 8         # marked spellings tried for a piece without marks
_VOWEL = re.compile(r"(?i)[aeiouy]")


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
                  before: str = "", after_text: str = "", max_pieces: int = MAX_PIECES) -> list[int]:
    """Piece lengths (in words) of the likeliest reading of a chain, each joined piece a syllable
    in one word's case: a beam search over the syllable model, as the decoder does.
    ``before``: the sentence up to the chain, already joined; ``after_text``: the next line's
    words if the sentence wraps. A piece without marks that spells a syllable (``quyet``) is
    scored as its likeliest marked spelling."""
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
        for size in range(1, min(max_pieces, len(texts) - pos) + 1):
            piece = "".join(texts[pos:pos + size])
            known = _joins(piece, is_word)
            k = lm_class(piece.lower())
            wids = [lm.index.get(k, UNK) if isinstance(k, str) else k] if known or size == 1 else []
            if size > 1:   # … or, without marks, each syllable it spells (chu: chủ, chữ, chú)
                wids += [i for i in _spellings(piece, lm) if i not in wids]
                known = bool(wids)
                if not known:
                    continue
            extra = 0.0 if known else KEPT_FRAGMENT_LP
            ahead = reached[pos + size]
            for wid in wids:
                lp = lm.logprob(states[:, 0], states[:, 1], states[:, 2], np.full(len(live), wid, np.uint64))
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


def _spellings(piece: str, lm) -> list[int]:
    """Model ids of the marked syllables a piece without marks spells (``nghia``: nghĩa, nghìa,
    …), at most ``MAX_SPELLINGS``; none for a piece with marks or without a vowel (``xx``)."""
    if not (piece.isascii() and piece.isalpha() and one_word_case(piece)) or not _VOWEL.search(piece):
        return []
    return [int(i) for i in lm.candidates.get(piece.lower(), ())[:MAX_SPELLINGS]]


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


# --- letter-spaced text ---------------------------------------------------------------------
# A heading set with wide letter spacing (Q U Y Ế T   Đ Ị N H, B Á O   C Á O), or a PDF
# extractor that put a space after every letter: each letter is a word of its own, and the
# repair read them one by one (Q Đâu Đấy E Từ). A run of at least MIN_SPACED one-character
# words is joined back into syllables: at its wider gaps where the gaps differ, else (one
# space everywhere) where the model reads it best, each piece a syllable of at most
# MAX_SYLLABLE letters. It is taken as spaced only if most of its letters join (SPACED_SHARE):
# a table's column of x marks or a list of labels does not.
MIN_SPACED = 4
MAX_SYLLABLE = 7          # nghiêng, nghiệp
SPACED_SHARE = 0.75
_CHAR = re.compile(r"(?<!\S)\S(?!\S)")


def _spaced_runs(line: str) -> list[list[re.Match]]:
    """Runs of one-character words a gap of spaces apart, with at least ``MIN_SPACED`` letters."""
    runs: list[list[re.Match]] = []
    for m in _CHAR.finditer(line):
        if runs and runs[-1][-1].end() < m.start() and not line[runs[-1][-1].end():m.start()].strip():
            runs[-1].append(m)
        else:
            runs.append([m])
    return [r for r in runs if sum(m.group().isalpha() for m in r) >= MIN_SPACED and _set_apart(line, r)]


def _set_apart(line: str, run: list[re.Match]) -> bool:
    """Is the run apart from the words beside it by more than its letters are from each other?
    A chain of words cut at their marks has one-letter pieces too (KI Ệ N S Ử D Ụ NG)."""
    narrow = min(b.start() - a.end() for a, b in zip(run, run[1:]))
    before = line[:run[0].start()]
    after = line[run[-1].end():]
    return (not before.strip() or len(before) - len(before.rstrip()) > narrow) and (
        not after.strip() or len(after) - len(after.lstrip()) > narrow)


def _groups_at_wide_gaps(run: list[re.Match]) -> list[int] | None:
    """Group sizes where the run's gaps are of two widths (its words a wider gap apart)."""
    gaps = [b.start() - a.end() for a, b in zip(run, run[1:])]
    narrow = min(gaps)
    if max(gaps) == narrow:
        return None
    sizes, size = [], 1
    for g in gaps:
        if g > narrow:
            sizes.append(size)
            size = 1
        else:
            size += 1
    return sizes + [size]


def _readable(pieces: list[str], is_word: Callable[[str], bool], lm, grouped: bool) -> bool:
    """Do most of the run's letters join into words (a syllable, marked or not, or a number)?
    Where wider gaps set the words apart, any word of two letters or more counts (PTTH, KT&ĐT)."""
    letters = sum(len(p) for p in pieces if p.isalpha())
    joined = sum(len(p) for p in pieces if len(p) > 1 and (
        grouped or p.isdigit() or _joins(p, is_word) or _spellings(p, lm)))
    return letters > 0 and joined >= SPACED_SHARE * letters


def _glue(pieces: list[str]) -> list[str]:
    """Pieces read at one-space gaps as words: digits run into a number, a closing mark joins
    the word before it and an opening one the word after (``( T í n h`` → ``(Tính``)."""
    words: list[str] = []
    for p in pieces:
        if words and (p.isdigit() and words[-1][-1:].isdigit() or p in ",.;:!?)%" or words[-1] in "([\"“"):
            words[-1] += p
        else:
            words.append(p)
    return words


def join_spaced_letters(text: str, is_word: Callable[[str], bool]) -> tuple[str, list[LostWord]]:
    """The text with letter-spaced runs (``B Á O   C Á O``) joined into words (``BÁO CÁO``), and
    each run joined (a ``LostWord``: where, as written, as joined). A joined run's words stand
    one space apart; punctuation spaced like a letter stays with the word it follows (``s a u :``)."""
    from diacritics.model import load_model
    lm = load_model()
    out_lines, joined = [], []
    for li, line in enumerate(text.split("\n")):
        edits = []
        for run in _spaced_runs(line):
            sizes = _groups_at_wide_gaps(run)
            grouped = sizes is not None
            if not grouped:
                sizes = _best_reading(line, run, is_word, line[:run[0].start()], max_pieces=MAX_SYLLABLE)
            pieces, at = [], 0
            for size in sizes:
                pieces.append("".join(m.group() for m in run[at:at + size]))
                at += size
            if not _readable(pieces, is_word, lm, grouped):
                continue
            edits.append((run[0].start(), run[-1].end(), " ".join(pieces if grouped else _glue(pieces))))
        out_lines.append(_splice(line, edits))
        joined += [LostWord(li, a, line[a:b], after, 0.9) for a, b, after in edits]
    return "\n".join(out_lines), joined


def _splice(line: str, edits: list[tuple[int, int, str]]) -> str:
    """``line`` with each span ``(start, end)`` of ``edits`` (in order, apart) replaced."""
    out, pos = [], 0
    for a, b, new in edits:
        out += [line[pos:a], new]
        pos = b
    return "".join(out) + line[pos:]


# --- text without spaces --------------------------------------------------------------------
# An extractor that lost the spaces of a PDF whose words are placed one by one gives
# "Ủybannhândântỉnhbanhành": every syllable is there, none apart. A line whose letters run
# GLUED_LETTERS or more to a space (Vietnamese averages under four) is read so: each run of
# letters that is no syllable is cut where the model reads it best, each piece a syllable; a run
# that does not cut wholly into syllables (a name, an English word) stays as it is.
GLUED_LETTERS = 12
_LETTERS = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_REPEATED = re.compile(r"(.)\1\1")   # no syllables run one letter three times
# where a glued line's letters change from small to capital, a word ends (phốHàNội)
_CASE_BREAK = re.compile(r"(?<=[^\W\d_A-ZĐ]{2})(?=[A-ZĐ][^\W\d_])")


def _glued(line: str) -> bool:
    letters = sum(c.isalpha() for c in line)
    return letters >= GLUED_LETTERS * (line.count(" ") + 1)


def _units(run: re.Match) -> list[tuple[int, int]]:
    """Spans of a glued run cut at its case breaks: each is read on its own."""
    cuts = [run.start()] + [run.start() + m.start() for m in _CASE_BREAK.finditer(run.group())] + [run.end()]
    return list(zip(cuts, cuts[1:]))


def _cut_unit(line: str, a: int, b: int, is_word: Callable[[str], bool], lm) -> list[str]:
    """``line[a:b]`` cut into syllables where the model reads it best; whole if it does not cut
    wholly into syllables (a name, an acronym, an English word), or if it is one already."""
    if b - a < 2 or _joins(line[a:b], is_word) or _REPEATED.search(line, a, b):
        return [line[a:b]]   # … or eeeeeeee: a dotted leader OCR read as letters
    letters = list(_LETTER.finditer(line, a, b))
    pieces, at = [], a
    for size in _best_reading(line, letters, is_word, line[:a], max_pieces=MAX_SYLLABLE):
        pieces.append(line[at:at + size])
        at += size
    if any(not (_joins(p, is_word) or _spellings(p, lm)) for p in pieces):
        return [line[a:b]]
    return pieces


def split_glued_words(text: str, is_word: Callable[[str], bool]) -> tuple[str, list[LostWord]]:
    """The text with the letter runs of its spaceless lines (``_glued``) cut into syllables, and
    each run cut (a ``LostWord``: where, as written, as cut)."""
    from diacritics.model import load_model
    lm = load_model()
    out_lines, cut = [], []
    for li, line in enumerate(text.split("\n")):
        edits = []
        for run in _LETTERS.finditer(line) if _glued(line) else ():
            words = [w for a, b in _units(run) for w in _cut_unit(line, a, b, is_word, lm)]
            if len(words) > 1:
                edits.append((run.start(), run.end(), " ".join(words)))
                cut.append(LostWord(li, run.start(), run.group(), edits[-1][2], 0.9))
        # … and apart from a number glued to it (đoạn2011-2020trên)
        edits = [(a, b, (" " if line[a - 1:a].isdigit() else "") + new + (" " if line[b:b + 1].isdigit() else ""))
                 for a, b, new in edits]
        out_lines.append(_splice(line, edits))
    return "\n".join(out_lines), cut
