"""Put back the letters an export replaced by ``?``.

A database column or a file saved in a Western code page cannot hold ộ, ủ, Đ …,
and the export writes ``?`` for each: ``C?ng hòa x? h?i ch? ngh?a Vi?t Nam``
(Windows-1252 and Latin-1 keep à, á, â, ã, è, é … ; a pure ASCII export loses
every marked letter: ``C?ng h?a``). Unlike an encoding slip this loses
information, so each such word becomes the syllables that print that way in the
same code page (``ch?`` → chủ, chữ, chỗ …) and the language model chooses in
context, as in restoration. Words without ``?`` are kept as written.

A decoder's replacement character (U+FFFD) inside a word is read the same way, and
so is a private-use code, which text extraction gives the glyphs of a PDF font that
maps them to no Unicode. A font's code stands for one letter throughout, so once the
document has settled a code (``KEY_MIN_VOTES``), each reading must agree with it.
"""
from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from diacritics.tone import to_style
from lexicon.names import capital_pairs, name_pairs

# a word with letters lost to "?": letters and question marks, at least one of each
# (or a lone "?" between words: ở, ấy's ấ …)
_WORD = re.compile(r"(?<![\w?])(?:[^\W\d_]|\?)+(?![\w])")
MIN_WORDS = 3          # lost-letter words a text needs before any is read that way
MIN_SHARE = 0.05       # … and their share of its words
CACHE_MIN_WORDS = 200  # lost-letter words from which a text is read twice (restorer.CACHE_MIN_WORDS)


class _Span:
    """A word's span with the bits of ``re.Match`` the decoding reads."""

    def __init__(self, text: str, start: int, end: int):
        self._start, self._end, self._text = start, end, text[start:end]

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, _n: int = 0) -> str:
        return self._text


@dataclass(frozen=True)
class LostWord:
    """One word put back: where (0-based line, offset), as written, as decided, how sure (0–1)."""

    line: int
    col: int
    before: str
    after: str
    confidence: float


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]


def _lost_word(starts: list[int], at: int, before: str, after: str, confidence: float) -> LostWord:
    """The change at offset ``at`` of a text whose lines start at ``starts``."""
    line = bisect.bisect_right(starts, at) - 1
    return LostWord(line, at - starts[line], before, after, confidence)


def _lost(ch: str, code_page: str) -> bool:
    try:
        ch.encode(code_page)
        return False
    except UnicodeEncodeError:
        return True


def _skeletons() -> frozenset[str]:
    """The model's syllables with their marks stripped (``viet``: a stripped text's question)."""
    from diacritics.repair import _valid_words
    return _valid_words()[1]


def _syllable_counts() -> dict[str, int]:
    """Corpus count of each of the model's syllables (new tone style)."""
    from diacritics.model import load_model
    from diacritics.repair import _lexicon
    return _lexicon(load_model())[2]


@functools.lru_cache(maxsize=2)
def _index(code_page: str) -> dict[str, tuple[str, ...]]:
    """How each syllable of the model prints in ``code_page`` (lost letters as ``?``) → the syllables."""
    from diacritics.model import load_model
    from diacritics.repair import _valid_words
    from diacritics.tokens import FIRST_WORD_ID
    valid = _valid_words()[0]
    out: dict[str, list[str]] = {}
    for syl in load_model().vocab[FIRST_WORD_ID:]:   # commonest first, as decoding ties go
        if syl not in valid:
            continue
        printed = "".join("?" if _lost(c, code_page) else c for c in syl)
        if "?" in printed:
            out.setdefault(printed, []).append(syl)
    return {k: tuple(v) for k, v in out.items()}


def _ends_question(text: str, m: re.Match, valid, index) -> bool:
    """Is the ``?`` ending this word the sentence's? Only where no small letter follows (a
    sentence does not go on after its question mark) and the word reads better without it:
    it is a word (``không?``), or it prints a word and does not with the ``?`` (``kh?ng?``)."""
    word = m.group(0)
    after = re.match(r"[ \t]+(\S)", text[m.end():])
    if not word.endswith("?") or len(word) < 2 or (after and (after.group(1).islower() or after.group(1) == "?")) \
            or text[m.end():m.end() + 1] in tuple(".,;:)]"):   # Hu?. — no question mark comes before a stop
        return False
    stem = word[:-1].lower()
    return valid(stem) or stem in _skeletons() or ("?" in stem and stem in index and word.lower() not in index)


def lost_letter_words(text: str, valid, index) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` written with ``?`` for letters (``valid``: is a lower-case
    word a syllable; ``index``: what the code page's lost-letter spellings stand for)."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group(0)
        if "?" not in w:
            continue
        end = m.end() - 1 if _ends_question(text, m, valid, index) else m.end()
        if end == m.start() + len(w) - 1 and "?" not in w[:-1]:
            continue   # không? — a question
        if w == "?" and not re.match(r"[ \t]+[\w?]", text[m.end():]):
            continue   # a question mark standing apart, not a lost one-letter word (ở)
        out.append((m.start(), end))
    return out


# Other marks a letter may have been lost to: the replacement character a decoder writes for
# bytes it cannot read (C�ng h�a), and private-use codes a PDF's embedded font gives
# glyphs it has no Unicode for. Inside a word they stand for a letter as ``?`` does.
_PRIVATE_USE = "\ue000-\uf8ff"
_MARK = f"[\ufffd{_PRIVATE_USE}]"
_LOST_MARK_IN_WORD = re.compile(rf"{_MARK}(?=[^\W\d_]|{_MARK})|(?<=[^\W\d_]|{_MARK}){_MARK}")
_PRIVATE_USE_CODE = re.compile(f"[{_PRIVATE_USE}]")


def fix_lost_letters(text: str, valid, style: str = "new") -> tuple[str, list[LostWord]]:
    """``text`` with its ``?``-for-letter words decided in context, and the words changed.

    Nothing changes unless the text has ``MIN_WORDS`` such words and they are
    ``MIN_SHARE`` of its words: one ``?`` in a word is a typo, not an export.
    A replacement character or a private-use code inside a word counts as ``?``.
    """
    marked = _LOST_MARK_IN_WORD.sub("?", text)   # one character for one: offsets stay
    if marked == text:
        return _fix_lost_letters(text, valid, style)
    _fixed, changed = _fix_lost_letters(marked, valid, style)
    key = _private_use_key(text, changed)
    if key:
        # a font's codes stand for the same letter throughout: where the document settled
        # one, every reading of a word must have that letter there
        def agrees(at: int, syllable: str) -> bool:
            return all(key.get(code, letter) == letter
                       for code, letter in zip(text[at:at + len(syllable)], syllable))
        _fixed, changed = _fix_lost_letters(marked, valid, style, agrees)
    # only the words decided change: every other mark stays as it was written
    starts = _line_starts(text)
    out, pos, as_written = [], 0, []
    for w in changed:
        at = starts[w.line] + w.col
        out += [text[pos:at], w.after]
        pos = at + len(w.before)
        as_written.append(LostWord(w.line, w.col, text[at:pos], w.after, w.confidence))
    out.append(text[pos:])
    return unicodedata.normalize("NFC", "".join(out)), as_written


KEY_MIN_VOTES = 3     # times a private-use code must be read before its letter is taken as known
KEY_MIN_SHARE = 0.8   # … and the share of those readings that must agree


def _private_use_key(text: str, changed: list[LostWord]) -> dict[str, str]:
    """Private-use code → the letter the first reading gave it nearly everywhere."""
    starts = _line_starts(text)
    votes: dict[str, Counter] = {}
    for w in changed:
        at = starts[w.line] + w.col
        written = text[at:at + len(w.before)]   # w.before shows the codes as ?
        if len(w.after) != len(written):
            continue
        for code, letter in zip(written, unicodedata.normalize("NFC", w.after.lower())):
            if _PRIVATE_USE_CODE.fullmatch(code):
                votes.setdefault(code, Counter())[letter] += 1
    key = {}
    for code, count in votes.items():
        letter, n = count.most_common(1)[0]
        if n >= KEY_MIN_VOTES and n >= KEY_MIN_SHARE * sum(count.values()):
            key[code] = letter
    return key


def _fix_lost_letters(text: str, valid, style: str, agrees=None) -> tuple[str, list[LostWord]]:
    """``fix_lost_letters`` on ``?`` alone; ``agrees(offset, syllable)``: may the word written
    at ``offset`` be read as ``syllable`` (a font key's letters), if given."""
    if "?" not in text:
        return text, []
    # Latin-1 and Windows-1252 keep the same Vietnamese letters; an export that kept none
    # of them (hòa written h?a) was ASCII
    code_page = "cp1252" if any(not c.isascii() and c.isalpha() for c in text) else "ascii"
    index = _index(code_page)
    from diacritics.restorer import web_address_spans
    web = web_address_spans(text)   # x?y=1 in a link is no word
    found = [_Span(text, a, b) for a, b in lost_letter_words(text, valid, index)
             if not any(s <= a < e for s, e in web)]
    codes = {m.start(): _code(m.group(0)) for m in found}   # Q?-TTg: QĐ (or None)
    found = [m for m in found if m.group(0).lower() in index or codes[m.start()] is not None]
    n_words = len(re.findall(r"[^\W\d_]+", text)) or 1
    if len(found) < MIN_WORDS or len(found) < MIN_SHARE * n_words:
        return text, []
    from diacritics.decode import decode
    lattice: list = []
    slots: list[tuple[int, re.Match]] = []
    pos = 0
    for m in found:
        # a spelling that also prints syllables is a code only inside one (N?-CP, not K?T QU?)
        in_code = text[m.start() - 1:m.start()] in ("-", "/") or text[m.end():m.end() + 1] in ("-", "/")
        code = codes[m.start()] if in_code or m.group(0).lower() not in index else None
        lattice.append(text[pos:m.start()])
        slots.append((len(lattice), m))
        readings = index[m.group(0).lower()] if code is None else ()
        if agrees is not None:
            readings = [c for c in readings if agrees(m.start(), c)] or readings
        lattice.append(code if code is not None else [(c, 0.0) for c in readings])
        pos = m.end()
    lattice.append(text[pos:])
    if not slots:
        return text, []
    result = decode(lattice, lm_weight=1.0)
    if len(slots) >= CACHE_MIN_WORDS:
        # a long text read again with its own usage, as restoration does (``Đạt`` alone in a
        # table cell, where only the rest of the document tells đạt from đất)
        from diacritics.cache_lm import DocumentCache, settled_ids
        from diacritics.model import load_model
        lat, first = result.search
        result = decode(lattice, lm_weight=1.0, model=DocumentCache(load_model(), settled_ids(lat, first.choice)))
    starts = _line_starts(text)
    out, pos, changed = [], 0, []
    lost_ends = {m.end() for _at, m in slots}
    decided = {m.start(): result.best[at] for at, m in slots if not isinstance(lattice[at], str)}
    for at, m in slots:
        word = result.best[at] if isinstance(lattice[at], str) else \
            _cased(to_style(result.best[at], style), m, text, lost_ends, decided)
        out += [text[pos:m.start()], word]
        pos = m.end()
        changed.append(_lost_word(starts, m.start(), m.group(0), word, result.confidence[at]))
    out.append(text[pos:])
    return unicodedata.normalize("NFC", "".join(out)), changed


def _code(written: str) -> str | None:
    """An acronym or code part whose lost letters are Đ (``Q?``, ``H?ND``, ``BC?CCHC``), or None."""
    if not re.fullmatch(r"[A-Z?]*[A-Z][A-Z?]*", written):
        return None
    from diacritics.repair import fix_code_part
    fixed = fix_code_part(written.replace("?", "D"), lenient=True)
    if fixed is None or len(fixed) != len(written) or any(
            (w == "?") != (f == "Đ" and w != "D") for w, f in zip(written, fixed)):
        return None
    return fixed


def _cased(word: str, m: re.Match, text: str, lost_ends: set[int], decided: dict[int, str]) -> str:
    """The decided syllable in the written word's case. A lost first letter is a capital at
    a sentence start, in a heading of capitals, inside a known name (``Bình ??nh``,
    ``?à N?ng``) or before a word the corpus writes it capitalised with (``?y ban``:
    ``lexicon.names``); elsewhere it is small (``Quyết ??nh`` is Quyết định).
    ``lost_ends``: where the lost-letter words end (their ``?`` ends no sentence);
    ``decided``: every lost-letter word's syllable, by where it starts."""
    written = m.group(0)
    letters = [c for c in written if c != "?"]
    if (len(letters) >= 2 and all(c.isupper() for c in letters)) or (not letters and _caps_around(text, m)) \
            or (len(letters) == 1 and letters[0].isupper() and _capitals_next(text, m)):
        return word.upper()   # TỈNH, HOẠCH; K? before HO?CH is KẾ
    if written[0] != "?":
        return word[:1].upper() + word[1:] if written[0].isupper() else word
    before = text[:m.start()]
    prev = re.search(r"([^\W\d_?][\w?]*|\?[\w?]*)[ \t]+$", before)
    nxt = re.match(r"[ \t]+([^\W\d_?][\w?]*)", text[m.end():])
    low = to_style(word, "new")
    next_syl = _syllable(nxt.group(1), decided.get(m.end() + nxt.start(1))) if nxt else None
    after_name = prev is not None and prev.group(1)[0].isupper() \
        and (_syllable(prev.group(1), decided.get(prev.start(1))), low) in name_pairs()
    before_next = nxt is not None and capitalised_pair(low, next_syl, nxt.group(1)[0].isupper())
    if after_name or before_next or _sentence_start(before, lost_ends):
        return word[:1].upper() + word[1:]
    return word


def _decode_words(text: str, chosen: list[tuple[re.Match, list[tuple[str, float]]]]):
    """The words ``chosen`` (match, readings) decided in one lattice with the text between them
    as context: the decoding, and the (lattice index, match) of each."""
    from diacritics.decode import decode
    lattice: list = []
    slots = []
    pos = 0
    for m, readings in chosen:
        lattice.append(text[pos:m.start()])
        slots.append((len(lattice), m))
        lattice.append(readings)
        pos = m.end()
    lattice.append(text[pos:])
    return decode(lattice, lm_weight=1.0), slots


def capitalised_pair(word: str, next_word: str, next_capitalised: bool) -> bool:
    """Does the corpus write ``word`` with a capital before ``next_word`` (``Ủy ban``), or is the
    pair a known name's, the next word capitalised (``Đồng Nai``)? Either case, either tone style."""
    pair = (to_style(word.lower(), "new"), to_style(next_word.lower(), "new"))
    return pair in capital_pairs() or (next_capitalised and pair in name_pairs())


def _capitalised_before(word: str, after: str) -> bool:
    """``capitalised_pair`` with the word that opens ``after``."""
    nxt = re.match(r"[ \t]+([^\W\d_]+)", after)
    return nxt is not None and capitalised_pair(word, nxt.group(1), nxt.group(1)[0].isupper())


def _syllable(written: str, decided: str | None) -> str:
    return to_style(decided or written.lower(), "new")


def _sentence_start(before: str, lost_ends: set[int]) -> bool:
    """Does a word after ``before`` start a sentence (or a line's list item)?"""
    line_at = before.rfind("\n") + 1
    line = before[line_at:]
    if _LINE_LEAD.fullmatch(line):
        return True
    end = line.rstrip(" \t")
    return end[-1] in ".!?:;…|" and not (end[-1] == "?" and line_at + len(end) in lost_ends)


# what may stand before a line's first word: bullets, list labels (a), 1., 2.1.), a cell bar
_LINE_LEAD = re.compile(r"[ \t]*(?:(?:[-–•*+|]|\(?[0-9a-zđ]{1,3}[.)]|[0-9.]+|[IVX]+\.)[ \t]*)*")


def _capitals_next(text: str, m) -> bool:
    """Is the next word a word written in capitals (two letters or more)?"""
    nxt = re.match(r"[ \t]+([\w?]+)", text[m.end():])
    letters = [c for c in nxt.group(1) if c.isalpha()] if nxt else []
    word = nxt.group(1).lower() if nxt else ""
    # a word, not an acronym (S? TTHC is Số TTHC)
    return len(letters) >= 2 and all(c.isupper() for c in letters) and ("?" in word or word in _skeletons())


def _caps_around(text: str, m: re.Match) -> bool:
    """Is the word inside a line of capitals (a heading)?"""
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    letters = [c for c in text[line_start:line_end if line_end >= 0 else None] if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


# --- đ printed as d -------------------------------------------------------------------------
# A font or converter without đ writes d and keeps every other mark: "Dồng chí … dã ký quyết
# dịnh". Vietnamese prose without a single đ is next to impossible (đã, để, được, đến), so a
# text with none, marks elsewhere, and STROKE_MIN words that are far likelier with đ (dã: đã,
# dịnh: no word without it) lost its đ; each d-word whose đ form is a word is then decided by
# the model.
STROKE_MIN = 3           # d-words whose đ form is at least STROKE_RATIO times commoner
STROKE_RATIO = 50
STROKE_MARKED = 50       # words with Vietnamese-only letters a text needs before its lack of đ says anything
_D_WORD = re.compile(r"(?<![\w])[dD][^\W\d_]*")


def fix_lost_stroke(text: str, style: str = "new") -> tuple[str, list[LostWord]]:
    """``text`` with ``đ`` put back where it was printed as ``d``, and the words changed."""
    if "đ" in text or "Đ" in text or not re.search(r"[dD]", text):
        return text, []
    # marks only Vietnamese has (ạ, ư, ở …): English OCR's é and à are no such evidence
    if sum(1 for w in re.findall(r"[^\W\d_]+", text) if any(ord(c) > 0xFF for c in w)) < STROKE_MARKED:
        return text, []
    counts = _syllable_counts()
    found = [m for m in _D_WORD.finditer(text) if to_style("đ" + m.group(0)[1:].lower(), "new") in counts]
    strong = [m for m in found if counts[to_style("đ" + m.group(0)[1:].lower(), "new")]
              >= STROKE_RATIO * max(counts.get(to_style(m.group(0).lower(), "new"), 0), 1)]
    if len(strong) < STROKE_MIN:
        return text, []
    def readings(m: re.Match) -> list[tuple[str, float]]:
        low = to_style(m.group(0).lower(), "new")
        return [("đ" + low[1:], 0.0)] + ([(low, 0.0)] if low in counts else [])
    result, slots = _decode_words(text, [(m, readings(m)) for m in found])
    starts = _line_starts(text)
    out, pos, changed = [], 0, []
    for at, m in slots:
        word = to_style(result.best[at], style)
        written = m.group(0)
        if word[0] != "đ":
            continue
        word = ("Đ" if written[0] == "D" else "đ") + (written[1:] if to_style(written[1:].lower(), "new") ==
                                                       to_style(word[1:], "new") else word[1:])
        if written.isupper() and len(written) > 1:
            word = word.upper()
        out += [text[pos:m.start()], word]
        pos = m.end()
        changed.append(_lost_word(starts, m.start(), written, word, result.confidence[at]))
    out.append(text[pos:])
    return _stroke_codes("".join(out), starts, changed)


_CODE_TOKEN = re.compile(r"(?<![\w/.-])[\w/.-]*[A-Z][\w/.-]*")


def _stroke_codes(text: str, starts: list[int], changed: list[LostWord]) -> tuple[str, list[LostWord]]:
    """… and the codes and acronyms of such a text their Đ (18/QD-UBND, HDND), as the
    administrative lexicon writes them; the line offsets are those of the text as given."""
    from diacritics.repair import fix_code
    out, pos = [], 0
    for m in _CODE_TOKEN.finditer(text):
        code = m.group(0).rstrip(".")
        if "D" not in code:
            continue
        fixed = fix_code(code)
        if not fixed or fixed == code or fixed.replace("Đ", "D") != code:
            continue
        out += [text[pos:m.start()], fixed]
        pos = m.start() + len(code)
        changed.append(_lost_word(starts, m.start(), code, fixed, 1.0))
    out.append(text[pos:])
    return "".join(out), sorted(changed, key=lambda w: (w.line, w.col))



# --- letters dropped without a trace ------------------------------------------------------
# A converter told to skip what the code page cannot hold (``iconv -c``, ``pdftotext -enc
# Latin1``) drops the letter itself: ``Cng hòa xã hi ch ngha Vit Nam``. Each word that
# is no syllable, but is how syllables print with those letters gone, is read as one of
# them in context; a syllable that prints as another (đánh as ánh) is offered too.
DROPPED_MIN_SHARE = 0.15   # share of a text's words that must read so before any is
# a word, not a piece of a code or an address (30c/NQ-CP, .vn, G.222)
_DROPPED_WORD = re.compile(r"(?<![\w.])[^\W\d_]+(?![\w]|\.\w)")


@functools.lru_cache(maxsize=2)
def _dropped_index(code_page: str) -> dict[str, tuple[str, ...]]:
    """How each syllable prints in ``code_page`` with its lost letters left out → the syllables."""
    out: dict[str, list[str]] = {}
    for printed, syllables in _index(code_page).items():
        out.setdefault(printed.replace("?", ""), []).extend(syllables)
    out.pop("", None)
    return {k: tuple(v) for k, v in out.items()}


def fix_dropped_letters(text: str, valid, style: str = "new") -> tuple[str, list[LostWord]]:
    """``text`` with the words that lost letters without a mark decided in context, and the
    words changed; nothing changes unless ``DROPPED_MIN_SHARE`` of its words are no syllable
    but print one that way (clean text has next to none, English some: ``ng``, ``nh``)."""
    code_page = "cp1252" if any(not c.isascii() and c.isalpha() for c in text) else "ascii"
    if any(_lost(c, code_page) for c in text if c.isalpha()):
        return text, []   # a letter the code page lacks is still here: nothing was dropped
    index = _dropped_index(code_page)
    words = list(_DROPPED_WORD.finditer(text))
    # an acronym (KH, ĐT, UBND) is no word with letters gone: it neither counts towards the
    # share nor is read (Thuc hien KH … Sở KH&ĐT made a short stripped line "dropped")
    acronym = [m.group(0).isupper() and len(m.group(0)) > 1 and not valid(m.group(0).lower()) for m in words]
    broken = [m for m, a in zip(words, acronym) if not a and not valid(m.group(0).lower())
              and m.group(0).lower() in index]
    if len(broken) < MIN_WORDS or len(broken) < DROPPED_MIN_SHARE * len(words):
        return text, []
    chosen = [(m, [(c, 0.0) for c in index[low]] + ([(low, 0.0)] if valid(low) else []))
              for m, a in zip(words, acronym) for low in [m.group(0).lower()]
              if low in index and not a]
    result, slots = _decode_words(text, chosen)
    starts = _line_starts(text)
    out, pos, changed = [], 0, []
    for at, m in slots:
        written = m.group(0)
        word = to_style(result.best[at], style)
        if word == to_style(written.lower(), style):
            continue
        if written.isupper() and len(written) > 1:
            word = word.upper()
        elif written[0].isupper() or (_lost(word[0], code_page) and (  # its case went with it
                _sentence_start(text[:m.start()], set()) or _capitalised_before(word, text[m.end():]))):
            word = word[:1].upper() + word[1:]
        out += [text[pos:m.start()], word]
        pos = m.end()
        changed.append(_lost_word(starts, m.start(), written, word, result.confidence[at]))
    out.append(text[pos:])
    return unicodedata.normalize("NFC", "".join(out)), changed
