"""Noise Tesseract read as words: specks, smudges and borders on a scanned page.

A photocopy's dust, a stamp's edge or a copier's dark border becomes ``.``,
``:``, ``ˆ``, ``_``, ``ti`` or ``vn`` in the OCR text. None of it is in the
document, and left in, the OCR repair may "fix" it into a real word.
``find_specks`` decides from what the page gives: each word's box against the
page's text size, its confidence, and what its characters can be.

What stays: real punctuation standing alone (``-`` between words is a dash as
wide as a letter, not a dot), list markers (``a)``, ``+``), numbers and codes,
and any word whose box is the size of text. A word is only dropped on evidence
a clean page does not give: a box far smaller than a letter, characters no
document token is made of, or a short non-word Tesseract itself doubted whose
box is too short for text or that stands alone in an empty row.
"""
from __future__ import annotations

import re
import statistics
import unicodedata

# Box sizes are measured against the page's typical word height (ascender to
# descender of the body text): a letter is at least ~0.45 of it.
DOT = 0.22          # a box this small both ways is a dot of dirt, whatever it was read as
FLAT = 0.36         # letters are never this short: a smear read as ``vn``, ``TN:`` …
FLAT_UNSURE = 80.0  # … unless Tesseract was sure of them
SHORT = 0.6         # shorter than nearly every word: with a doubt (< UNSURE) and no syllable, dirt
UNSURE = 40.0
LONE_UNSURE = 60.0  # a short word standing alone in its row, read this unsurely and not a word …
LONE_ANY = 30.0     # … or read this unsurely whatever it is, is dirt
GAP = 2.0           # text heights of empty paper either side that make a word "alone"
MARGIN = 1.5        # text heights from where the neighbouring lines begin: still the text's margin
SURE = 80.0         # a symbol Tesseract read this surely is on the page (a bullet, a mark)
STOPS = (".", ",", ";", ":")
SURE_STOP = 90.0    # a stop read this surely, set off by a word space (< STOP_GAP text heights)
STOP_GAP = 0.8      # after a word and on its baseline (within STOP_BASELINE of the line's
STOP_BASELINE = 0.35  # median word bottom), is the document's punctuation
MIN_WORDS = 8       # fewer words with letters than this: no reliable text size on the page

# Characters no token of an administrative text consists of on its own: modifier
# accents, underscores and bars read from smudges. (``~`` is how Tesseract reads a
# faint ``–``, and quotes may stand alone, so they are not here.)
_JUNK_CHARS = set("ˆ`´¨˜_|¦¬‡†©®°„‚^·¡¿{}[]\\")
_REAL_SYMBOLS = set("+=%/$<>•~§№±×")   # symbols a document does use standing alone
_MARKER = re.compile(r"[(]?([IVXLC]+|[a-zđ]|\d+)[.)]|[+\-–—•]")   # list markers: II. a) 1. + -
_LETTER = re.compile(r"[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]")


def _height(word) -> int:
    return max(1, word.box[3] - word.box[1])


def _width(word) -> int:
    return max(1, word.box[2] - word.box[0])


def text_height(lines: list) -> float | None:
    """The page's typical word height in pixels: the median box of words of two or more letters."""
    hs = [_height(w) for ln in lines for w in ln.words
          if sum(1 for c in w.text if c.isalpha()) >= 2]
    if len(hs) < MIN_WORDS:
        return None
    return float(statistics.median(hs))


def _is_junk_symbols(text: str) -> bool:
    """Only characters that never make a token of running text on their own."""
    return not _ALNUM.search(text) and all(c in _JUNK_CHARS or unicodedata.category(c).startswith("S")
                                           and c not in _REAL_SYMBOLS for c in text)


def speck_reason(word, scale: float, page_words: list, starts: list, line) -> str | None:
    """Why ``word`` is noise on a page whose words are ``scale`` pixels high, or None.

    ``page_words``: every word of the page, to tell whether ``word`` stands alone
    in its row; ``starts``: (x, y) of the first word of the page's lines of text
    (``line_starts(lines)``); ``line``: the ``Line`` holding ``word``, to tell a
    period set off by a space.
    """
    text = unicodedata.normalize("NFC", word.text)
    h, w = _height(word) / scale, _width(word) / scale
    if h <= DOT and w <= DOT and not _set_off_stop(word, line, scale):
        return "dot"
    if _is_junk_symbols(text) and word.confidence < SURE:
        return "symbols"
    if any(c.isdigit() for c in text) or _MARKER.fullmatch(text):
        return None   # numbers, codes and list markers are the document's
    letters = _LETTER.findall(text)
    if letters and h < FLAT and word.confidence < FLAT_UNSURE:
        return "flat"
    if letters and h < SHORT and word.confidence < UNSURE and len(letters) <= 3 and not _is_word(text):
        return "unsure"
    # punctuation alone in an empty row is dirt unless it is as wide as a word
    # (a form's dotted line ``..........`` is the document's)
    if word.confidence < LONE_UNSURE and len(letters) <= 4 \
            and (not letters and w < 1.0 or word.confidence < LONE_ANY or not _is_word(text)) \
            and _alone(word, page_words, scale) and not _at_line_start(word, starts, scale):
        return "alone"
    return None


def _set_off_stop(word, line, scale: float) -> bool:
    """A ``.``/``,``/``;``/``:`` Tesseract read surely, a word space after a word and
    on the line's baseline: punctuation set off by a space (``cung cấp .``), not dirt."""
    if word.text not in STOPS or word.confidence < SURE_STOP:
        return False
    before = [w for w in line.words if w.box[2] <= word.box[0] and w is not word]
    bottoms = [w.box[3] for w in line.words if sum(c.isalpha() for c in w.text) >= 2]
    if not before or not bottoms:
        return False
    gap = word.box[0] - max(w.box[2] for w in before)
    return gap < STOP_GAP * scale and abs(word.box[3] - statistics.median(bottoms)) < STOP_BASELINE * scale


def _alone(word, page_words: list, scale: float) -> bool:
    """No other word within ``GAP`` text heights either side of ``word`` in its row.

    A row of dirt becomes "words" spaced far wider than words of text are (a word
    space is ~0.3 text heights); a row is judged on the page, not Tesseract's line,
    since reading order may already have cut a line at a wide gap.
    """
    x0, y0, x1, y1 = word.box
    for o in page_words:
        if o is word:
            continue
        overlap = min(y1, o.box[3]) - max(y0, o.box[1])
        if overlap <= 0.5 * min(y1 - y0, o.box[3] - o.box[1]):
            continue
        gap = max(o.box[0] - x1, x0 - o.box[2])
        if gap < GAP * scale:
            return False
    return True


def line_starts(lines: list) -> list[tuple[int, int]]:
    """Where the page's lines of running text begin: (x0, vertical centre) of their first word."""
    out = []
    for ln in lines:
        if len(ln.words) >= 4:
            first = min(ln.words, key=lambda w: w.box[0])
            out.append((first.box[0], (first.box[1] + first.box[3]) // 2))
    return out


def _at_line_start(word, starts: list | None, scale: float) -> bool:
    """Does ``word`` begin where the text lines nearest it begin (a paragraph's last word
    wrapped onto a row of its own)? The nearest lines, since a skewed page's margin slants."""
    if not starts:
        return False
    cy = (word.box[1] + word.box[3]) / 2
    near = sorted(starts, key=lambda s: abs(s[1] - cy))[:2]
    return any(abs(word.box[0] - x) <= MARGIN * scale for x, _y in near)


def _is_word(text: str) -> bool:
    from diacritics.tone import is_syllable
    core = "".join(_LETTER.findall(text))
    return is_syllable(core)


def find_specks(lines: list) -> list[list[bool]]:
    """Per line, per word of ``lines`` (``pipeline.layout.Line``): True for a speck."""
    scale = text_height(lines)
    if scale is None:
        return [[False] * len(ln.words) for ln in lines]
    page_words = [w for ln in lines for w in ln.words]
    starts = line_starts(lines)
    return [[speck_reason(w, scale, page_words, starts, ln) is not None for w in ln.words] for ln in lines]


def drop_specks(raw: str, lines: list, marks: list | None = None) -> tuple[str, list[list]] | None:
    """``raw`` (``page_text(lines)``) without the specks, and each text line's kept words.

    The line count is kept: a line that was all specks becomes empty. None when
    ``raw`` is not the text of ``lines`` (nothing is dropped then). ``marks``:
    ``find_specks(lines)``, if the caller has it already.
    """
    marks = find_specks(lines) if marks is None else marks
    out_lines: list[str] = []
    kept: list[list] = []
    it = iter(zip(lines, marks))
    for text_line in raw.split("\n"):
        if not text_line:
            out_lines.append("")
            kept.append([])
            continue
        ln, mark = next(it, (None, None))
        if ln is None or unicodedata.normalize("NFC", ln.text) != text_line:
            return None
        words = [w for w, m in zip(ln.words, mark) if not m]
        out_lines.append(" ".join(unicodedata.normalize("NFC", w.text) for w in words))
        kept.append(words)
    if next(it, None) is not None:
        return None
    return "\n".join(out_lines), kept
