"""Noisy-channel repair of OCR text: wrong-language exports and Tesseract's own slips.

For every word the learned confusion channel (``diacritics.confusion``)
proposes valid syllables with log P(observed | syllable); the restoration
engine's syllable language model then picks the best sequence through the
same lattice decoder that restores stripped text. Two channels:

* ``"eng"`` — text OCR'd with the wrong language (``Chwong trinh tong thé``);
* ``"vie"`` — our own Vietnamese OCR, whose output is mostly right: a word only
  changes when the model is confident.

What is never changed: numbers, dates, codes the rules below don't recognise,
words that are already valid syllables in a clean context (``vie``), line
breaks, spacing and punctuation. Rules handle what the language model cannot:
``Đ`` read as ``P``/``D`` inside document codes (``QP-BCPCCHC`` →
``QĐ-BCĐCCHC``), Roman numerals read as digits (``X111`` → ``XIII``,
``|.`` → ``I.``), and OCR debris inside words (``c;éc``, ``hé}nh``, ``ﬁ``).

    >>> repair_text("S6: 04 /KH-UBND Binh Dinh, ngay 20 thang 01 nam 2020")
    'Số: 04 /KH-UBND Bình Định, ngày 20 tháng 01 năm 2020'
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from diacritics.acronyms import spelt_out
from diacritics.cache_lm import SETTLED
from diacritics.detect import classify_lines, document_label, line_stats, named_with_digit
from diacritics.confusion import (CandidateIndex, ConfusionModel, base_char, load_model, load_table,
                                  skeleton)
from diacritics.repair_encoding import ETH_AS_D
from diacritics.split_syllables import one_word_case
from diacritics.tokens import BOUND, lm_ids
from diacritics.tone import is_vietnamese_letter, to_style

if TYPE_CHECKING:
    from diacritics.decode import DecodeResult

CHANNELS = ("eng", "vie")
REVIEW_BELOW = 0.7  # changes less certain than this are listed for review

# Pieces of a line: runs of letters/digits plus the look-alike symbols that
# wrong-language OCR puts in place of marked vowels (``S&`` = ``Sở``).
_PIECE_RE = re.compile(r"(?:[^\W_]|[&€¢§@$|¥])+")
_LETTER = re.compile(r"[^\W\d_]")
# Debris inside a word: a stray punctuation mark between two letters.
# An apostrophe inside a word is the horn of ư/ơ printed apart (thu'c, nu’éc, THU'C); after
# a single letter it is an elision (d'Ivoire) and stays.
_INNER_JUNK = re.compile(r"(?<=[^\W\d_])[;}{\]\[_`^~](?=[^\W\d_])|(?<=[^\W\d_]{2})['’?](?=[^\W\d_])")
# An opening bracket between two letters that nothing closes is a c (``ke hOa(ih`` → ``hoạch``):
# written text opens a bracket after a space, or closes it (``tỉnh(huyện)``, ``quan(nếu có)``);
# one before a dot is an address's @ (``thongtinchinhphu(chinhphu.vn``) and stays.
_BRACKET_AS_C = re.compile(r"(?<=[^\W\d_])\((?=[^\W\d_]+(?![\w.@/]))(?![^(\n]*\))")
# A speck opening a line, apart from the text, before a list dash (``~ -Chu tri``, ``q - Sở``), a
# label or a capital (``_ @) Tình hình``, ``‘ ' Phần thứ hai``, ``¢ PHỤ LỤC``): no text opens so.
_LINE_SPECK = re.compile(r"(?:[~_!¢]+|q(?=[ \t]+[-–•])|[‘’'`]+)[ \t]+")
_AFTER_SPECK = re.compile(r"[-–•]|(?:[^\W\d_]{1,2}|@)\)|[A-ZĐ]")
_QUOTES = "‘’'`"
# … and one after a word, where no quotation opens before it on the line, is the horn too
# (``co’ so’ quan`` is cơ sở quản): left there, it cut the sentence for the model in two
_TRAILING_HORN = re.compile(r"(?<=[^\W\d_]{2})[’'](?=[ \t,.;:)]|$)")
_QUOTE_OPEN = re.compile(r"(?:^|[\s(\[])[‘’'\"“]")
# … and a tilde alone before a word is the list dash itself (``~ Tăng thời lượng``)
_TILDE_BULLET = re.compile(r"^(\s*)~(?=[ \t]+[^\W\d_])")


def _drop_line_specks(line: str) -> str:
    indent = len(line) - len(line.lstrip())
    at = indent
    while (m := _LINE_SPECK.match(line, at)) is not None:
        at = m.end()
    if at == indent or not _AFTER_SPECK.match(line, at):
        return line
    # a quote opens a quotation unless none closes on the line (‘ ' Phần thứ hai)
    if any(q in line[indent:at] for q in _QUOTES) and any(q in line[at:] for q in _QUOTES):
        return line
    return line[:indent] + line[at:]


_LONE_MODIFIER = re.compile(r"(^|(?<=\s))[\u02b0-\u02ff`´¨_]*[\u02b0-\u02ff][\u02b0-\u02ff`´¨_]*(?:[ \t]+|$)")
# a speck's accent glued to the edge of a number, list label or dash (ˆ2. → 2., -ˆ → -)
_EDGE_MODIFIER = re.compile(r"(?:^|(?<=\s))[\u02b0-\u02ff]+(?=[\d(])|(?<=[^\w\s])[\u02b0-\u02ff]+(?=\s|$)")
# a year split by a space inside a date or a document number (01/11/201 7, 105/201 7/NĐ-CP)
_SPLIT_YEAR = re.compile(r"(?<=\d[/⁄.-])((?:19|20)\d) (\d)(?=[/⁄,.;:)]|\s|$)")
# A law's number cut after its QH (Quốc hội) and its Q read as O: 91/2015/QH 13, 36/2005/QH I1,
# 91/2015/OH 13. The legislature's number always follows QH unspaced (QH13: corpus, every time).
_LAW_NUMBER = re.compile(r"(?<=\d/[12]\d{3}/)[QO]H ?([1Il]?[\dIl])(?![\w/])")
# A dotted leader of a form (Địa chỉ: ……, hồi …… giờ) that the OCR read as small round letters:
# "ccccecccesecsseeseee", "c cece eeeeeeseeee", "cesecsseeeeseseenes". No Vietnamese syllable is
# five of c/e/o/s/t, or ten of c/e/o/s/t/a/n, so such a word anchors the run, as do three dots;
# the dots and short non-words of those letters (cece, eee, nena, eect) beside it join it.
_LEADER_ANCHOR = re.compile(r"(?<![^\W\d_])(?:[ceost]{5,}|[ceostan]{10,})(?![^\W\d_])|\.{3,}|…+")
_LEADER_PIECE = re.compile(r"[ .…]+|(?<![^\W\d_])[ceostna]{1,4}(?=[ .…]|$)")
_LIGATURES = {"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"}
_ROMAN_LOOKALIKE = str.maketrans({"1": "I", "l": "I", "|": "I", "!": "I", "]": "I", "i": "I"})
_ROMAN_RE = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_CONTEXT = {"thứ", "thu", "khóa", "khoá", "khoa", "phần", "phan", "chương", "chuong", "mục", "muc"}


@dataclass(frozen=True)
class Change:
    """One replaced word: where, what, and how sure the model is (0–1)."""

    line: int          # 1-based line number
    col: int           # 0-based character offset in the original line
    before: str
    after: str
    confidence: float
    reason: str        # "model", "restore", "code", "roman", "number", "label", "artifact", "encoding", "lost letter"

    def tsv(self) -> str:
        return f"{self.line}\t{self.col}\t{self.before}\t{self.after}\t{self.confidence:.2f}\t{self.reason}"


@dataclass
class Repaired:
    text: str
    changes: list[Change] = field(default_factory=list)
    # words of wrong-language OCR left as printed although they read as no word (hozc,
    # sérlurcmg, @40): no change, but a reader checking the text needs them as much
    kept: list[Change] = field(default_factory=list)

    def review(self, below: float = REVIEW_BELOW) -> list[Change]:
        """The changes less sure than ``below``, and the garbles left as they were (reason ``kept``)."""
        unsure = [c for c in self.changes if c.confidence < below]
        return sorted(unsure + self.kept, key=lambda c: (c.line, c.col))


def apply_case(observed: str, word: str, sentence_start: bool = True) -> str:
    """Give ``word`` the capitalisation of ``observed`` (``DPINH`` → ``ĐỊNH``, ``Pang`` → ``Đảng``).

    Case scrambled by the OCR inside a sentence (``VoI``, ``cOng``) is dropped, but a
    first capital unlike its small letter stays (``Hà NGi``: Hà Nội, the G a misread ộ), as
    does one before a second capital and small letters (``Bộ COng Thương``).
    """
    letters = [c for c in observed if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return word.upper()
    if any(c.isupper() for c in letters[1:]) and not sentence_start:
        if letters[0].isupper() and (skeleton(letters[0].lower()) not in _SAME_SHAPE
                                     or letters[1].isupper() and "".join(letters[2:]).islower()):
            # … and two capitals before small letters are a capital word whose marked vowel
            # was read as a capital (Bộ COng Thương, Hà NGi): never a small word in our sets
            return word[:1].upper() + word[1:]
        return word
    if letters and letters[0].isupper() and observed[:1] in (letters[0], "&", "¢") or \
            observed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def clean_artifacts(line: str, typed: bool = False) -> str:
    """Remove OCR debris that is never text: ligatures glued between words, marks inside words.

    ``typed``: a text we did not OCR, which may be typed: only what no one types is removed
    (ligatures, a form's leader read as letters, the eth, lone accents, a split year, ``tháng
    1]``); punctuation inside and after words, list marks and specks stay (``Điều 5a;khoản``).
    """
    def lig(m: re.Match) -> str:
        before, after = line[m.start() - 1:m.start()], line[m.end():m.end() + 1]
        # Vietnamese has no f: a ligature wedged between two words is a misread space.
        if before.isalpha() and after.isalpha() and not before.isascii() | after.isascii():
            return " "
        if before.isalpha() and after.isalpha() and _looks_vietnamese_garble(line):
            return " "
        return _LIGATURES[m.group(0)]

    line = re.sub("|".join(_LIGATURES), lig, line)
    line = dotted_leaders(line)
    # the Icelandic eth looks like Đ and is no Vietnamese letter; Tesseract prints it, even doubled (ĐÐ)
    line = re.sub("[ĐÐ]{2,}", "Đ", line.translate(ETH_AS_D)) if "Ð" in line or "ð" in line else line
    # a speck read as a lone accent (ˆ, `): no text is a bare modifier letter
    line = _LONE_MODIFIER.sub(lambda m: m.group(1), line)
    line = _EDGE_MODIFIER.sub("", line)
    line = _SPLIT_YEAR.sub(r"\1\2", line)
    line = _LAW_NUMBER.sub(lambda m: "QH" + m.group(1).translate(_I_AS_ONE), line)
    if typed:
        return _month_eleven(line)
    # …but a semicolon before a capital ends a clause whose space was lost (quy định;Điều 5):
    # removing it would glue two words.
    line = _INNER_JUNK.sub(lambda m: m.group() if m.group() == ";" and line[m.end()].isupper() else "", line)
    line = _BRACKET_AS_C.sub("c", line)
    line = re.sub(r"(?<=[^\W\d_])‘(?=\s|$)", "", line)   # an opening quote closes no word: a speck
    line = _TRAILING_HORN.sub(lambda m: m.group() if _QUOTE_OPEN.search(line, 0, m.start()) else "", line)
    line = re.sub(r"^(\s*)\|(?=[.)])", r"\1I", line)
    line = re.sub(r"^(\s*[-–])[ \t]*_(?=[ \t])", r"\1", line)   # a list dash with a speck: "-_ Bên B"
    line = re.sub(r"^(\s*)¢(?=\))", r"\1c", line)   # list item c) read as a cent sign
    line = _drop_line_specks(_TILDE_BULLET.sub(r"\1-", line))
    return _month_eleven(line)


_I_AS_ONE = str.maketrans("Il", "11")


def _month_eleven(line: str) -> str:
    return re.sub(r"(?i)(\bth[áa]ng\s+)1[\]|!l]", r"\g<1>11", line)   # tháng 1] → tháng 11


def dotted_leaders(line: str) -> str:
    """Dots again where the OCR read a form's dotted leader as letters (``tốt:....ccccecse`` → dots)."""
    from diacritics.tone import is_syllable

    def leader(piece: str) -> bool:
        # dots, or cece but not co, so; a lone letter between leader runs is one too (eect e eee)
        return not piece.strip(" .…") or not is_syllable(piece) or piece in ("c", "e")

    for m in reversed(list(_LEADER_ANCHOR.finditer(line))):
        start, end = m.start(), m.end()
        while (nxt := _LEADER_PIECE.match(line, end)) is not None and nxt.end() > end and leader(nxt.group()):
            end = nxt.end()
        for a, b in reversed([p.span() for p in _LEADER_PIECE.finditer(line, 0, start)]):
            if b != start or not leader(line[a:b]):
                break
            start = a
        start += len(line[start:end]) - len(line[start:end].lstrip(" "))   # keep the space before it
        end -= len(line[start:end]) - len(line[start:end].rstrip(" "))
        if not any(c.isalpha() for c in line[start:end]):
            continue   # dots already, and an ellipsis stays one (lệ phí,…)
        # as many dots as letters: a form's columns stay where they were
        line = line[:start] + "." * (end - start) + line[end:]
    return line


def _looks_vietnamese_garble(line: str) -> bool:
    return bool(re.search(r"[a-zA-Z][éèếềóòúùíìáà]", line))


def fix_roman(piece: str, prev_word: str, at_line_start: bool, before_dot: bool,
              loose: bool = True) -> str | None:
    """``X111`` → ``XIII``, ``I1.`` → ``II.`` where context says a Roman numeral; else None.

    A token of digits alone is always a number (``1.``, ``11``); it takes a
    Roman letter in the token, or a heading position, or a word such as
    ``thứ``/``khóa`` before it, to read look-alikes as a numeral.
    """
    if piece.isdigit() or not re.fullmatch(r"[IVXLl1|!\]]+", piece) or not re.search(r"[IVX]", piece):
        return None
    # loose (English OCR): an X or V makes a numeral of look-alikes (X111 → XIII), but not in a
    # token of two, which is as often a model or a code (ThinkPad X1, V1)
    if not (at_line_start and before_dot) and prev_word.lower() not in _ROMAN_CONTEXT \
            and not (loose and len(piece) >= 3 and re.search(r"[XV]", piece)):
        return None
    cand = piece.translate(_ROMAN_LOOKALIKE)
    for c in (cand, cand[:-1]):
        if c and _ROMAN_RE.fullmatch(c):
            return c if c != piece else None
    return None


def is_roman(piece: str) -> bool:
    return bool(re.fullmatch(r"[IVXLC]+", piece)) and bool(_ROMAN_RE.fullmatch(piece))


@functools.lru_cache(maxsize=1)
def _small_words() -> frozenset[str]:
    from diacritics.confusion import load_table
    return frozenset(load_table().get("small_words", ()))


@functools.lru_cache(maxsize=1)
def _abbreviations() -> dict[str, int]:
    from diacritics.confusion import load_table
    return load_table().get("abbrev", {})


def fix_code(code: str) -> str | None:
    """``QP-BCPCCHC`` → ``QĐ-BCĐCCHC``: Đ misread as P or D inside a document code.

    Decided by how often each spelling occurs as a code in the corpus: ``D``
    becomes ``Đ`` when the Đ spelling is far more common; ``P`` only when the
    P spelling is all but unseen (``PT`` in ``PT-TH`` is real). Once one part
    of a code shows Đ misread (as P or D), the other parts need less evidence.
    """
    parts = re.split(r"([-/]|& ?)", code)
    fixed = [fix_code_part(p) if i % 2 == 0 else None for i, p in enumerate(parts)]
    if any(f and f.count("Đ") > p.count("Đ") for f, p in zip(fixed, parts)):   # QP-, QD-BCDCCHC
        fixed = [f or (fix_code_part(p, lenient=True) if i % 2 == 0 else None)
                 for i, (f, p) in enumerate(zip(fixed, parts))]
    if not any(fixed):
        return None
    return "".join(f or p for f, p in zip(fixed, parts))


# what a capital in a code may be a misreading of: English OCR prints Đ as P or D, and
# the Q of QH (Quốc hội: Luật số 91/2015/QH13) or QĐ as O
_CODE_MISREAD = {"P": "Đ", "D": "Đ", "O": "Q"}
_CODE_NUMBER = re.compile(r"([A-ZĐ]{2,})(\d+)")


def fix_code_part(part: str, lenient: bool = False) -> str | None:
    if (m := _CODE_NUMBER.fullmatch(part)) and m.group(1).isascii():
        fixed = fix_code_part(m.group(1), lenient)   # OH13: the letters, then the number
        return fixed + m.group(2) if fixed else None
    if not (len(part) >= 2 and part.isupper() and part.isalpha() and part.isascii()):
        return None
    abbrev = _abbreviations()
    # lenient (another part already showed the misreading; a ? put back): Đ only
    pos = [i for i, c in enumerate(part) if c in ("PD" if lenient else _CODE_MISREAD)]
    if not pos or len(pos) > 4:
        return None
    orig = _support(part, abbrev)
    best, best_n = None, 0
    for mask in range(1, 1 << len(pos)):
        chars = list(part)
        for k, i in enumerate(pos):
            if mask >> k & 1:
                chars[i] = _CODE_MISREAD[part[i]]
        v = "".join(chars)
        n = _support(v, abbrev)
        # P and O are real code letters too (PT in PT-TH, OH): taken for Đ and Q only when
        # the corpus all but never writes the code as printed
        changes_p = any(part[i] in "PO" and mask >> k & 1 for k, i in enumerate(pos))
        if lenient:
            ok = n >= 3 and n >= orig
        elif changes_p:
            ok = n >= 50 and n > 100 * orig
        else:
            ok = n >= 5 and n > 5 * orig
        if ok and n > best_n:
            best, best_n = v, n
    return best


# a capital or digit OCR prints for another in an acronym (WNĐ, 1SO), and what it stands for
_CODE_LOOKALIKES = {"W": "V", "1": "I", "l": "I", "0": "O", "5": "S", "8": "B"}
LOOKALIKE_CODE_SUPPORT = 50   # corpus count of the acronym a look-alike is taken for
_LOOKALIKE_CODE = re.compile(r"[A-ZĐ0-9l]*[A-ZĐ][A-ZĐ0-9l]*")


def fix_lookalike_code(token: str) -> str | None:
    """An acronym with one character printed as its look-alike: ``WNĐ`` → ``VNĐ``, ``1SO`` →
    ``ISO``; or printed twice, as itself and as its look-alike (``I1SO``: ISO). Only a token
    the corpus never writes, of three characters or more, whose one change it writes often
    (and no other change does)."""
    if len(token) < 3 or not _LOOKALIKE_CODE.fullmatch(token):
        return None
    abbrev = _abbreviations()
    if _support(token, abbrev):
        return None
    found = {v for i, ch in enumerate(token) if ch in _CODE_LOOKALIKES
             for v in _lookalike_readings(token, i)
             if _support(v, abbrev) >= LOOKALIKE_CODE_SUPPORT}
    return found.pop() if len(found) == 1 else None


def _lookalike_readings(token: str, i: int) -> list[str]:
    """``token`` with its look-alike at ``i`` read as the letter; or dropped, where that letter
    stands beside it (one glyph read twice)."""
    letter = _CODE_LOOKALIKES[token[i]]
    readings = [token[:i] + letter + token[i + 1:]]
    if letter in token[max(i - 1, 0):i] + token[i + 1:i + 2]:
        readings.append(token[:i] + token[i + 1:])
    return readings


def _support(code: str, abbrev: dict[str, int]) -> int:
    """Corpus count of a code, or of the two known codes it is built from (``BCĐ`` + ``CCHC``)."""
    n = abbrev.get(code, 0)
    if n:
        return n
    for i in range(3, len(code) - 2):
        a, b = abbrev.get(code[:i], 0), abbrev.get(code[i:], 0)
        if a and b:
            n = max(n, min(a, b))
    return n


# --- lines → lattice positions --------------------------------------------------------

_CODE_RE = re.compile(r"(?<![\wĐđ])(?:[A-Za-zĐđ0-9]*[A-ZĐ][A-Za-zĐđ0-9]*(?:[-/][A-Za-zĐđ0-9]+)+"
                      r"|[A-ZĐ0-9]+(?:[-/][A-ZĐ]{2,}[A-Za-zĐđ]*)+"
                      r"|[a-z]-[A-Z][A-Za-z]+)(?![\wĐđ])")   # e-Gov, m-Health


# Capitals joined by & are an acronym (Sở TT&TT, KH&ĐT, LĐ-TB&XH, Bộ phận TN&TKQ), not a
# word whose marked vowel English OCR printed as & (S& for Sở): that & has no capital after it.
# Two or more capitals on each side of the &; and no syllable may read well through the
# whole (CH&NG, in a heading, is CHƯƠNG; TT&TT is no word). OCR may put a space after the &
# (Sở TT& TT): then the capitals before it must read as no word either (TR& EM is TRẺ EM).
_AMPERSAND_CODE_RE = re.compile(r"(?<![\wĐđ&])[A-ZĐ]{1,6}(?:[-/][A-ZĐ]{1,6})*[A-ZĐ](?:& ?[A-ZĐ]{2,6})+"
                                r"(?:[-/&][A-ZĐ]{1,6})*(?![\wĐđ&])")
_AMPERSAND_BEFORE_SPACE = re.compile(r"[A-ZĐ]+&(?= )")
AMPERSAND_WORD_LP = -6.0   # channel score from which a capitals-&-capitals token reads as a word


def _word_pair(token: str) -> bool:
    """``Tinh/Thanh``, ``Cổng/Trang``: two or more words (a capital at most first) joined by ``/`` or ``-``.

    Codes have a second capital or a digit somewhere (``QĐ-TTg``, ``30c/NQ-CP``, ``KH-UBND``).
    """
    parts = re.split(r"[-/]", token)
    # … a word may have a digit for a marked vowel inside it (Dat/Kh6ng: Đạt/Không); a code's
    # digits never stand between small letters
    return all(len(p) >= 2 and (p.isalpha() or _DIGIT_INSIDE_WORD.fullmatch(p) is not None) and p[1:].islower()
               for p in parts)


_DIGIT_INSIDE_WORD = re.compile(r"[^\W\d_][a-zđ]+\d[a-zđ]+")


@dataclass
class Piece:
    start: int
    end: int
    text: str
    kind: str                       # "word" (to decode) or "fixed"
    out: str | None = None          # replacement decided by a rule
    reason: str = ""
    candidates: list[tuple[str, float]] = field(default_factory=list)
    confidence: float = 0.9         # how sure the rule or the model is of ``out``
    ocr_confidence: float | None = None   # Tesseract's own confidence in the word (0–100), if known
    model_best: str | None = None   # the language model's choice for a decoded word


_CELL_BAR = re.compile(r"[^\W_][ \t]+\|[ \t]+[^\W_]")   # a bar between two words


def _table_row(line: str) -> bool:
    """A line OCR read across a table's cells, its rules printed as bars (``thanh tra | Số đơn
    vị``): the cells run together with single spaces, so a capital after a small word is as
    likely a cell's first word as a capital the OCR invented."""
    return bool(_CELL_BAR.search(line))


@functools.lru_cache(maxsize=4096)   # asked for each word of its line: a long line made it quadratic
def _mostly_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _in_caps_run(line: str, start: int, end: int, caps_words: set[int]) -> bool:
    """Next to an upper-case word (``TINH BINH DPINH``): a heading fragment, not an acronym."""
    before = re.search(r"(?:^|\s)(\S+)\s+$", line[:start])
    after = re.match(r"\s+(\S+)", line[end:])
    return bool(before and before.start(1) in caps_words) or bool(after and end + after.start(1) in caps_words)


# Words after which a number is expected: a digit there is a number, not a misread ở.
_NUMBER_WORDS = {"tháng", "thang", "ngày", "ngay", "năm", "nam", "số", "so", "s6", "khoản", "khoan",
                 "điều", "dieu", "diéu", "mục", "muc", "chương", "chuong", "phần", "phan", "lớp", "lop",
                 "quý", "quy", "thứ", "thu", "lần", "lan", "cấp", "cap", "mức", "muc", "độ", "do",
                 "d6", "tuổi", "tuoi", "giờ", "gio", "phút", "phut", "kỳ", "ky", "khóa", "khoa",
                 "điểm", "diem", "diém", "luc", "lục", "bước", "buoc", "nhóm", "nhom", "loại", "loai",
                 "hạng", "hang", "tầng", "tang", "phòng", "phong", "xe", "tổ", "to", "t6"}


def _between_words(line: str, start: int, end: int, numbers: bool = False) -> bool:
    """Is the piece between two words (not after ``số``, ``tháng`` … unless ``numbers``)?"""
    before = re.search(r"([^\W_]*[^\W\d_][^\W_]*)\s+$", line[:start])   # S6 16p: a word, digits and all
    after = re.match(r"\s+[^\W\d_]{2,}(?![\d/.])", line[end:])
    return bool(before and after) and (numbers or before.group(1).lower() not in _NUMBER_WORDS)


# … or before a number (đạt ty 16 60,01%: tỷ lệ, not a second number), a comma, semicolon,
# colon or the line's end (thuéc 14,: thuốc lá)
_WORD_DIGITS_END = re.compile(r"\s+\d[\d.,]*%?(?![^\W\d_])|\s*(?:[,;:]|$)")


def _word_before_number_or_stop(line: str, start: int, end: int) -> bool:
    """Is the piece after a word and before a number or a stop (``_WORD_DIGITS_END``), the
    word no unit or label that numbers follow (``ngày 16 3``, ``Điều 14:``)?"""
    before = re.search(r"([^\W\d_]+)\s+$", line[:start])
    return bool(before) and before.group(1).lower() not in _NUMBER_WORDS \
        and _WORD_DIGITS_END.match(line, end) is not None


# A word English OCR printed with digits for its first letters: l as 1, a marked o or a as
# 6, 0 or 4 (16p = lớp, 16ng = lòng, 146i = lối); 16h, 10m and 12A are not of this shape.
_LOOKALIKE_WORD = re.compile(r"1[046]{1,2}[a-zđ]{1,3}")


def _lone_consonant(line: str, start: int, end: int, channel: str) -> bool:
    """A consonant alone between words in wrong-language OCR: a syllable whose vowel was dropped.

    English OCR drops marked vowels it has no glyph for (``can b, cong chic`` for
    ``cán bộ, công chức``; ``Co s dir liéu`` for ``Cơ sở dữ liệu``). A list label
    (``b)``, ``c.``) is not one; after a bullet, or opening a line that goes on in small
    words, a capital may be (``+ S lugng``, ``S td chirc``); the model may still keep the
    letter (``điểm b khoản 2``).
    """
    if channel != "eng" or line[end:end + 1] in (")", "."):
        return False
    if not line[:start].strip():
        # … unless a capital opens a line that goes on in small words: a table cell's
        # "S td chirc" is Số tổ chức, as no label stands without its ) or .
        return line[start:end] in "BCDGHKLMNPQRSTVX" and re.match(r"\s+[a-z]", line[end:]) is not None
    after_word = re.search(r"[^\W\d_][,;:]?\s+$", line[:start]) or re.fullmatch(r"\s*[-+•*]\s+", line[:start])
    return bool(after_word) and line[start:end].lower() in "bcdghklmnpqrstvx"


def _fix_month(piece: str, before: str) -> str | None:
    """``tháng II``/``tháng 1]`` → ``tháng 11``: months are written in digits, and so are
    articles (``Điều II`` → ``Điều 11``: the legal corpus has ``Điều 11`` 2,889 times, an
    article numbered in Roman numerals 11 times in all, ``Điều II`` 3)."""
    if re.search(r"(?i)\b(th[áa]ng|điều)\s+$", before) and re.fullmatch(r"[1Il|\]\[!]{2}", piece) \
            and piece != "11":
        return "11"
    return None


def _zero_after_equals(piece: str, before: str, after: str) -> bool:
    """``(Có tổ chức = 1; Không tổ chức = O)``: a lone O after ``= `` that closes the clause is
    OCR's 0 (seed 003). A formula's O is glued to its ``=`` (``C=O``)."""
    return piece in ("O", "o") and re.search(r"=\s+$", before) is not None \
        and re.match(r"\s*(?:[);,.]|$)", after) is not None


def _pieces(line: str, lookalikes: bool = False):
    """Piece spans; a number glued to a word (``01nam``, ``2020va``) is two pieces — but with
    ``lookalikes`` (English OCR) not a word printed with digits (``16ng``, ``_LOOKALIKE_WORD``)."""
    for m in _PIECE_RE.finditer(line):
        tok, s = m.group(0), m.start()
        glued = None if lookalikes and _LOOKALIKE_WORD.fullmatch(tok) else \
            re.fullmatch(r"(\d{2,})([^\W\d_]{2,})|([^\W\d_]{2,})(\d{2,})", tok)
        if glued:
            cut = len(glued.group(1) or glued.group(3))
            yield s, s + cut, tok[:cut]
            yield s + cut, m.end(), tok[cut:]
        else:
            yield s, m.end(), tok


def split_line(line: str, valid_skeletons: set[str], channel: str = "eng",
               reads_as_word=lambda token: False) -> list[Piece]:
    """Cut one (debris-cleaned) line into word pieces and fixed pieces, applying the rules.
    ``reads_as_word(token)``: does some syllable explain the token well (CH&NG: chương)?"""
    from diacritics.restorer import web_address_spans
    pieces: list[Piece] = []
    code_spans = web_address_spans(line)   # www.vaac.gov.vn, a@b.vn
    for a, b in code_spans:   # … whose first capital is the OCR's (Www.vaac.gov.vn)
        www = "www" + line[a + 3:b] if line[a:a + 4] == "Www." else None
        pieces.append(Piece(a, b, line[a:b], "fixed", www, "code" if www else ""))
    ampersand = [m for m in _AMPERSAND_CODE_RE.finditer(line) if not reads_as_word(m.group(0).replace(" ", ""))
                 and not any(map(reads_as_word, _AMPERSAND_BEFORE_SPACE.findall(m.group(0))))]
    for m in [*ampersand, *_CODE_RE.finditer(line)]:
        if any(a <= m.start() < b for a, b in code_spans):
            continue
        if _word_pair(m.group(0)):
            continue   # Tinh/Thanh ay (Tỉnh/Thành ủy), Cong/Trang: words joined by a slash, not a code
        fixed = fix_code(m.group(0))
        code_spans.append((m.start(), m.end()))
        pieces.append(Piece(m.start(), m.end(), m.group(0), "fixed", fixed, "code"))
    upper_line = _mostly_upper(line)
    caps_words = {m.start() for m in re.finditer(r"(?<![\w-])[A-Z]{2,}(?![\w-])", line)
                  if skeleton(m.group(0)) in valid_skeletons}
    prev_word = ""
    for s, e, tok in _pieces(line, lookalikes=channel == "eng"):
        if any(a <= s < b for a, b in code_spans):
            continue
        letters = sum(1 for c in tok if c.isalpha() or c in "&¢§€@")
        if "¥" in tok and (tok != "¥" or _between_words(line, s, e, numbers=True)):
            letters += tok.count("¥")   # k¥ (kỹ), Bộ ¥ tế (Y); a yen by a number is a yen
        if len(tok) > 1 and tok[0] == "$":
            letters += 1   # $6 lugng: a capital S with its mark (Số lượng); a lone $ is a dollar
        digits = sum(1 for c in tok if c.isdigit())
        at_start = not line[:s].strip(" \t-–•*")
        before_dot = line[e:e + 1] in (".", ")")
        # Our own OCR reads digits as digits: X1 (a product name) is not XI there.
        roman = fix_roman(tok, prev_word, at_start, before_dot, loose=channel == "eng")
        month = _fix_month(tok, line[:s])
        if month:
            pieces.append(Piece(s, e, tok, "fixed", month, "number"))
        elif _zero_after_equals(tok, line[:s], line[e:]):
            pieces.append(Piece(s, e, tok, "fixed", "0", "number"))
        elif roman:
            pieces.append(Piece(s, e, tok, "fixed", roman, "roman"))
        elif re.search(r"\d[./]$", line[:s]) or re.match(r"[./]\d", line[e:]):
            code = fix_code(tok) if tok.isalpha() else None   # inside a dotted code: 1.1.ND.4.10
            pieces.append(Piece(s, e, tok, "fixed", code, "code" if code else ""))
        elif letters == 0 or (channel != "eng" and not any(c.isalpha() for c in tok)):
            # "nhiéu 6 tinh": English OCR prints ở as 6 (and lỗ as 16) between words
            kind = "digits" if len(tok) <= 2 and (_between_words(line, s, e)
                                                  or _word_before_number_or_stop(line, s, e)) else "fixed"
            pieces.append(Piece(s, e, tok, kind))
        elif is_roman(tok) or (len(tok) == 1 and tok.isalpha() and tok.lower() not in "aeiouyàáảãạ"
                               and (channel != "eng" or is_vietnamese_letter(tok))
                               and not _lone_consonant(line, s, e, channel)):
            # (in wrong-language OCR a lone ö or ü is no list letter but the ở, ư Turkish or
            # German OCR prints; in ours a lone š is a speck)
            pieces.append(Piece(s, e, tok, "fixed"))  # XIII, list letters (b), c)
        elif channel == "eng" and _LOOKALIKE_WORD.fullmatch(tok) and (
                _between_words(line, s, e, numbers=True) or _word_before_number_or_stop(line, s, e)):
            # 16p tập huấn: lớp, l and ớ printed as 1 and 6; bị 16i, treo: lỗi (but Điều 16a,)
            pieces.append(Piece(s, e, tok, "word"))
        elif digits and (code := fix_lookalike_code(tok)):
            pieces.append(Piece(s, e, tok, "fixed", code, "code"))   # 1SO: ISO
        elif digits and (digits >= letters and len(tok) >= 3 or digits >= 3):
            pieces.append(Piece(s, e, tok, "fixed"))
        elif (letters >= 2 and tok.isalpha() and tok.isupper() and _CODE_LETTERS.fullmatch(tok)
              and skeleton(tok) not in valid_skeletons
              and (not (upper_line or _in_caps_run(line, s, e, caps_words))
                   or not re.search(r"[AEIOUY]", skeleton(tok).upper()))):
            code = fix_code(tok) or fix_lookalike_code(tok)
            pieces.append(Piece(s, e, tok, "fixed", code, "code" if code else ""))
        else:
            pieces.append(Piece(s, e, tok, "word"))
        prev_word = tok
    pieces.sort(key=lambda p: p.start)
    return pieces


# Acronyms and codes are written in A–Z and Đ: capitals with another letter (BŞ, BȘ: Romanian
# and Turkish OCR of Bộ; MÂUPONDE) are a garbled word.
_CODE_LETTERS = re.compile(r"[A-ZĐ]+")


SPLIT_HALF_FLOOR = -7.0   # … with each half a likely garble of a syllable
SPLIT_COST = -3.0      # log-prior of a space read as a letter or mark (Théngrké, céivcéch, lĩnh,vực)
SPLIT_WHOLE_BELOW = -8.0   # a token whose best syllable explains it worse than this may be two
SPLIT_GAIN = 4.0       # … cut when the two halves explain it this much better (nats)
NO_SYLLABLE = -40.0


SPLIT_CAPITAL_RATIO = 1000
_SPLIT_CAPITAL = re.compile(r"(?<![^\W\d_])(\d*)([^\W\d_a-zđ]) ([^\W\d_A-ZĐ]+)\b")


def join_split_capital(line: str, rep: "Repairer") -> str:
    """Our own OCR cuts a capital off its word: ``tại N ghị định`` → ``tại Nghị định``,
    ``Điều 16N ghị`` → ``Điều 16 Nghị``.

    Joined only when the rest is no syllable, or one ``SPLIT_CAPITAL_RATIO`` times
    rarer in the corpus than the joined word (``ghị`` 3, ``nghị`` 95,416), so
    ``điểm B khoản``, ``V Hồ sơ`` and list labels stay apart.
    """
    def join(m: re.Match) -> str:
        digits, cap, rest = m.groups()
        whole = to_style((cap + rest).lower())
        if whole not in rep.valid or rep._count.get(whole, 0) < SPLIT_CAPITAL_RATIO * (
                rep._count.get(to_style(rest), 0) + 1):
            return m.group(0)
        return f"{digits} {cap}{rest}" if digits else cap + rest
    return _SPLIT_CAPITAL.sub(join, line)


JOINED_MIN_LOGP = -6.0   # log P(second | first) of two words our OCR printed without their space
JOINED_MIN_COUNT = 1000  # … each a common word (sêri, a loan word's spelling, is no sê + ri)


def split_joined(line: str, rep: "Repairer") -> str:
    """Our own OCR drops a space between two words: ``Đơngiá`` → ``Đơn giá``.

    A word with Vietnamese marks that is no syllable is cut where both halves are
    syllables and the pair is a likely one (``JOINED_MIN_LOGP``); of several such cuts,
    the likeliest pair. Words without marks are left: they are as often foreign.
    """
    def cut(m: re.Match) -> str:
        tok = m.group(0)
        low = to_style(tok.lower(), "new")
        if tok.isascii() or len(tok) < 4 or low in rep.valid:
            return tok
        best, best_lp = None, JOINED_MIN_LOGP
        for i in range(1, len(tok)):
            a, b = to_style(tok[:i].lower(), "new"), to_style(tok[i:].lower(), "new")
            if min(rep._count.get(a, 0), rep._count.get(b, 0)) >= JOINED_MIN_COUNT and rep.bigram(a, b):
                lp = rep.pair_logp(a, b, True)
                if lp > best_lp:
                    best, best_lp = i, lp
        return tok if best is None else f"{tok[:best]} {tok[best:]}"

    return re.sub(r"[^\W\d_]+", cut, line)


# A word of three letters or more, with a vowel, and one digit glued after it (not inside a
# dotted or slashed code: 45.7.1T.16).
_GLUED_DIGIT = re.compile(r"(?<![\w./-])([^\W\d_]*[AEIOUYaeiouy][^\W\d_]*)(\d)(?![\w/-]|[.,]\d)")


def split_glued_digit(line: str) -> str:
    """Wrong-language OCR drops the space before a number: ``PHU LUC5`` → ``PHU LUC 5`` (Phụ
    lục 5), ``Diéu5`` → ``Diéu 5``. A word it printed with a digit has the digit for its vowel
    (``s6``, ``tr6``: số, trở), so the letters before must hold a vowel and be three or more:
    of the corpus's 506 syllables glued to one digit, nearly all are two-letter formulas (CO2
    165 times, NO3, SO2), and the few longer ones a word and a number (sau8, minh2). Names have
    no vowel or mixed case (VTV3, IPv6) and stay."""
    def cut(m: re.Match) -> str:
        word = m.group(1)
        return f"{word} {m.group(2)}" if len(word) >= 3 and one_word_case(word) else m.group(0)
    return _GLUED_DIGIT.sub(cut, line)


# Turkish OCR's İ and ı are the I and i other OCR prints (İy, İyc: lý, lực); Vietnamese has neither,
# and "İ".lower() is two characters, i and a combining dot.
_DOTTED_I = str.maketrans("İı", "Ii")
# Indonesian OCR prints ê as £ where English prints € (ti£t, di£u: tiết, điều); £ by a number is money
_POUND_IN_WORD = re.compile(r"(?<=[^\W\d_])£|£(?=[^\W\d_])")


def common_lookalikes(line: str) -> str:
    """A wrong-language OCR line with the look-alikes only some languages print (İ, ı, £ inside
    a word) as those the learnt channel knows (I, i, €)."""
    return _POUND_IN_WORD.sub("€", line.translate(_DOTTED_I))


# A capital word with an exclamation mark glued on, and more capitals after it on the line
_BANG_AS_I = re.compile(r"(?<![^\W\d_])([A-ZĐ]+)!(?=[ \t]+[A-ZĐ\d])")


def bang_as_i(line: str, valid_skeletons: set[str]) -> str:
    """English OCR reads a capital I, with or without its dot below, as ``!``: ``DIEU TR! CUA``
    (ĐIỀU TRỊ CỦA), ``THO! GIAN`` (THỜI), ``NO! DO! TUONG`` (NƠI ĐỐI TƯỢNG). Only in a
    heading's capitals, with more words after it, and where the letters and an I make a
    syllable; a slogan's ``MUÔN NĂM!`` ends its line."""
    if "!" not in line or not _mostly_upper(line):
        return line
    def as_i(m: re.Match) -> str:
        word = m.group(1) + "I"
        return word if skeleton(word.lower()) in valid_skeletons else m.group(0)
    return _BANG_AS_I.sub(as_i, line)


GLUED_LETTER_GAIN = 4.0      # nats the word explains better without the capital after it
GLUED_LETTER_WORD = -2.0     # … which it must explain well by itself
GLUED_LETTER_MIN_LOGP = -8.0  # log P(letter | word): a word that is often followed by a letter
_GLUED_LETTER = re.compile(r"(?<![^\W\d_])([^\W\d_]*[^\W\d_A-ZĐ])([A-ZĐ])([^\W\d_A-ZĐ]+)?(?![^\W\d_])")


def split_glued_letter(line: str, rep: "Repairer") -> str:
    """Wrong-language OCR drops the space before a one-letter label: ``BénB giao hàng`` →
    ``Bén B`` (Bên B, a party of a contract), ``BénAcé`` → ``Bén A cé``.

    A capital after small letters is as often a misread small letter (``dwocC``, ``VoI``,
    ``ThUoC``: được, với, thuộc), so the cut needs three things: the word explains the
    letters much better without the capital (``GLUED_LETTER_GAIN``), it explains them well
    (``GLUED_LETTER_WORD``), and the corpus often has that word followed by that letter
    (``bên b``; not ``được c``).
    """
    def cut(m: re.Match) -> str:
        left, cap, right = m.groups()
        if len(left) < 2:
            return m.group(0)
        word = rep.candidates(left)
        if not word or word[0][1] < GLUED_LETTER_WORD:
            return m.group(0)
        whole = rep.candidates(left + cap + (right or ""))
        if whole and whole[0][1] > word[0][1] - GLUED_LETTER_GAIN:
            return m.group(0)
        readings = [w for w, lp in word if lp >= word[0][1] - 1.0]
        if max(rep.pair_logp(w, cap.lower(), True) for w in readings) < GLUED_LETTER_MIN_LOGP:
            return m.group(0)
        if right and not rep.candidates(right):
            return m.group(0)
        return f"{left} {cap} {right}" if right else f"{left} {cap}"

    return _GLUED_LETTER.sub(cut, line)


def split_merged(line: str, rep: "Repairer") -> str:
    """Wrong-language OCR reads a space as a letter or mark: ``Théngrké`` → ``Théng ké``.

    A token no syllable explains (none within two edits of its letters) is
    cut in two, dropping the character between the halves when that explains
    it better; each half must be a likely garble by itself. A token one syllable
    explains only badly (``diéntu``: điện with two letters thrown in, -12.6 nats) is
    cut, without dropping anything, where two halves explain it far better and the
    neighbours' word pairs agree (``điện tử``).
    A plain ASCII token is more often a foreign word or name (``Samsung`` is no
    ``Sam ung``): it is cut, into two or three close garbles, only where they read in
    the neighbours' context beats keeping it as an unknown word (``tổ chiedoi với`` →
    ``tổ chức đối với``); not a word the model knows, an acronym, or a capitalised word
    inside a sentence.
    A short token ending in ``y`` (``lyy té``) may be a word with the one-letter word ``y``
    glued on: cut where the neighbours' word pairs agree (``ly y tế``).
    A comma or full stop glued between two letters (``lĩnh,vực``) is a space too; a
    quotation mark there is a space or a horn printed apart, as explains the letters better.
    """
    line = re.sub(r"(?<=[^\W\d_A-ZĐ]{2})[,.](?=[^\W\d_A-ZĐ]{2})", " ", line)   # not VH,TDTT

    def best(tok: str) -> float:
        if to_style(tok.lower()) in rep.valid:
            return 0.0
        got = rep.candidates(tok)
        return got[0][1] if got else NO_SYLLABLE

    def quote(m: re.Match) -> str:
        # sé‘liéu (số liệu) or nu‘dc (nước, the horn printed apart): whichever explains it better
        left, right = m.group(1), m.group(3)
        joined, apart = best(left + right), best(left) + best(right) + SPLIT_COST
        return f"{left} {right}" if apart > joined else left + right

    line = re.sub(r"([^\W\d_]+)([‘“”\"])([^\W\d_]+)", quote, line)

    def fix(m: re.Match) -> str:
        tok = m.group(0)
        if 3 <= len(tok) < 6 and tok[-1] in "yY" and tok.isalpha() and not tok.isupper():
            return glued_y(m)
        if len(tok) < 6 or not tok.isalpha():
            return tok
        if tok.isascii():
            return split_ascii(m)
        whole = best(tok)
        if whole >= SPLIT_WHOLE_BELOW:
            return tok   # some syllable explains it well enough
        options = []
        for i in range(2, len(tok) - 1):
            # a character between the halves is dropped only from a token no syllable explains:
            # else tuwdéng (tướng, its ư printed uw) would be tu + déng
            for drop in (0, 1) if whole == NO_SYLLABLE else (0,):
                left, right = tok[:i], tok[i + drop:]
                if len(right) < 2:
                    continue
                a, b = best(left), best(right)
                if a >= SPLIT_HALF_FLOOR and b >= SPLIT_HALF_FLOOR:
                    options.append((a + b + SPLIT_COST, left, right))
        if not options:
            return tok
        score, left, right = max(options)
        if whole == NO_SYLLABLE:
            return f"{left} {right}"
        # a token some syllable explains, however badly, is cut only when two explain it far
        # better and the neighbours agree: diéntu is điện tu (-3 nats), not điện with two
        # letters thrown in (-12.6). Without the neighbours' check the English OCR sets got 14
        # more word errors (545 → 559) and the French, German, Portuguese and Spanish pages 43
        if score < whole + SPLIT_GAIN:
            return tok
        return f"{left} {right}" if _cut_reads_better(tok, (left, right), *neighbours(m), rep) else tok

    def glued_y(m: re.Match) -> str:
        # the one-letter word y (y tế) glued to the word before (cách lyy té, cơ sé'y té): read
        # as one syllable, its y is lost; cut off where the word pairs either side agree
        tok = m.group(0)
        parts = (tok[:-1], tok[-1])
        if best(parts[0]) < SPLIT_HALF_FLOOR:
            return tok
        return " ".join(parts) if _cut_reads_better(tok, parts, *neighbours(m), rep) else tok

    def neighbours(m: re.Match) -> tuple[list, list]:
        """The likeliest readings of the words either side of the token."""
        before = _NEIGHBOUR_BEFORE.search(line, 0, m.start())
        after = _NEIGHBOUR_AFTER.match(line, m.end())
        return (_neighbour_readings(before.group(1), rep) if before else [],
                _neighbour_readings(after.group(1), rep) if after else [])

    @functools.lru_cache(maxsize=None)
    def pieces_of(tok: str, depth: int) -> tuple[float, tuple[str, ...]]:
        """The best cut of ``tok`` into syllable garbles (at most ``depth`` + 1 of them)."""
        found = (best(tok), (tok,))
        if depth == 0:
            return found
        for i in range(2, len(tok) - 1):
            for drop in (0, 1):
                left, right = tok[:i], tok[i + drop:]
                a = best(left)
                if len(right) < 2 or a < ASCII_SPLIT_FLOOR:
                    continue
                b, rest = pieces_of(right, depth - 1)
                score = a + b + SPLIT_COST + drop * DROP_COST
                if min(best(r) for r in rest) >= ASCII_SPLIT_FLOOR and score > found[0]:
                    found = (score, (left, *rest))
        return found

    def split_ascii(m: re.Match) -> str:
        tok = m.group(0)
        if len(tok) > 3 * rep._longest:
            return tok   # no three syllables make it (and a run of 20,000 letters took 50 s to try)
        if tok.lower() in rep.lm.index or tok.isupper() or \
                (tok[:1].isupper() and _mid_sentence(line, m.start())):
            return tok   # a word the model knows, an acronym, a name (Thompson)
        whole = best(tok)
        if whole >= SPLIT_WHOLE_BELOW:
            return tok
        score, parts = pieces_of(tok, 2)
        if len(parts) < 2:
            return tok
        return " ".join(parts) if _cut_reads_better(tok, parts, *neighbours(m), rep, unknown=True) else tok

    return _PIECE_RE.sub(fix, line)


ASCII_SPLIT_FLOOR = -3.0   # each piece of a plain ASCII token cut apart must be a close garble
DROP_COST = -1.0   # … and a character between two pieces is read as a space only when it must be


_NEIGHBOUR_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")
_NEIGHBOUR_AFTER = re.compile(r"[ \t]+([^\W\d_]+)")
SPLIT_READINGS = 3


def _neighbour_readings(token: str, rep: "Repairer") -> list[tuple[str, float]]:
    low = to_style(token.lower(), "new")
    got = rep.candidates(token)[:SPLIT_READINGS]
    return got if got else ([(low, 0.0)] if low in rep.valid else [])


def _cut_reads_better(tok: str, parts: tuple[str, ...], lefts, rights, rep: "Repairer",
                      unknown: bool = False) -> bool:
    """Do the pieces, read with the neighbours' likeliest readings (``lefts``, ``rights``) by the
    model's word pairs, beat reading ``tok`` as one syllable? A local stand-in for the decoder,
    which sees one token a word. ``unknown``: a plain ASCII token, which may also stay as an
    unknown word (the model's ``<unk>`` at ``KEEP_LP``); then every reading pays for its first
    word even where no neighbour stands before it."""
    from diacritics.tokens import UNK

    def context(first: str, last: str) -> float:
        if lefts:
            lp = max(ch + LM_WEIGHT * rep.pair_logp(w, first, True) for w, ch in lefts)
        else:
            lp = LM_WEIGHT * rep.word_logp(first) if unknown else 0.0
        return lp + max((ch + LM_WEIGHT * rep.pair_logp(w, last, False) for w, ch in rights), default=0.0)
    whole = max((ch + context(w, w) for w, ch in rep.candidates(tok)[:SPLIT_READINGS * 2]), default=NO_SYLLABLE)
    if unknown:
        unk = rep.lm.vocab[UNK]
        whole = max(whole, KEEP_LP + context(unk, unk))
    readings = [rep.candidates(p)[:SPLIT_READINGS * 2] or [(to_style(p.lower(), "new"), 0.0)] for p in parts]
    apart = NO_SYLLABLE
    for combo in itertools.product(*readings):
        words = [w for w, _ch in combo]
        lp = sum(ch for _w, ch in combo) + SPLIT_COST * (len(parts) - 1) + context(words[0], words[-1])
        lp += LM_WEIGHT * sum(rep.pair_logp(a, b, True) for a, b in zip(words, words[1:]))
        apart = max(apart, lp)
    return apart > whole


# --- candidates and decoding ------------------------------------------------------------

BEAM = 14.0          # candidates scoring this far (nats) below the best are dropped
FLOOR = -22.0        # … and any below this: the token is kept as it is (names, foreign words)
MAX_CANDIDATES = 24
CUT_PRIOR = 0.1      # weight of log corpus count when choosing the extra candidates past the cut
EXTRA_COMMON = 6     # … how many
NEAR_TIE = 1.0       # … from how far (nats) below the last candidate kept
EXTRA_LIKELY = 5     # … and how many more of the a-priori likeliest (count × channel) within BEAM
POOL = 4 * MAX_CANDIDATES   # channel-best syllables looked at for a token
VIE_MIN_CONFIDENCE = 0.7   # a valid word in our own OCR changes only above this
# Tesseract's confidence (0–100) from which it is taken at its word: a valid word it read
# this surely stays (the ố/ổ of số/sổ is a slip our OCR makes, but not on a word it is sure of).
OCR_SURE = 90.0
VIE_SURE_MIN_CONFIDENCE = 0.97   # … such a word changes only when the model is this sure
# log P(observed | intended) below which a confusion of two valid words is rare for our OCR
# (``ổ``→``ố`` ≈ -2.4, ``ể``→``ế`` ≈ -2.6, ``đ``→``d`` ≈ -4.2, ``ấ``→``â`` ≈ -6.1)
# … or this sure, on a page that is not clean (CLEAN_PAGE_CONF): on a harsh scan sure words
# slip too (Thương nhận for nhân)
VIE_DEGRADED_SURE_MIN_CONFIDENCE = 0.75
RARE_CONFUSION = -3.0
CLEAN_PAGE_CONF = 90.0   # mean Tesseract word confidence of a clean page (clean renders: 95–96)
# … and of a page whose marks it read as printed: a clean render's (95.1–96.2 on the bench's 10
# clean devset pages and 6 clean seed-report pages). Real office scans of a contract (92.2–94.6) are read without the capitals a harsh
# scan invents, but lose a tone over a hatted vowel on words Tesseract is sure of (yêu câu,
# sản phâm, không thê, Tư do, chỉ phí for cầu, phẩm, thể, Tự, chi): their sure words are not
# taken at their word there. Read so, the five scans have 10 such slips fewer; a clean page
# read so (every bench page, as a test) makes 0.13 new errors per 1,000 chars of the seed reports.
MARKS_READ_CONF = 95.0
SUPPORT_MARGIN = 4.0   # nats a sure valid word's pair with a neighbour may fall short of the model's choice
TEXT_SUPPORT_MARGIN = 2.0   # … any valid word's, when there are no OCR confidences
# Text we did not OCR (sohoa restore, auto: someone else's OCR, or typed): a word that is a
# word counts as read this surely …
TRUSTED_CONFIDENCE = 100.0
# … if the corpus has it this often: a rare "word" is as likely a slip (điễu 13, đoanh 196: the
# devset's own typos). 20, 50, 200, 1,000 and 5,000 tried on vie OCR of degraded and clean devset
# pages and on the clean seed reports: 50 mended 265 → 201 Vietnamese-word errors on the degraded
# pages (207 with the limits below) and changed on the clean text only typos (thẩn quyền, dịch
# vục); 200 and up also real rare words (vừa sưng vừa đỏ → sướng); 20 mended 4 fewer.
TRUSTED_MIN_COUNT = 50
# … and of the changes only the model's word choices and numbers (tháng 1] → 11, 1II → III) are
# made there, and a case change inside a word (nghiỆP): codes, labels and capitals are the author's
TRUSTED_REASONS = ("model", "number", "roman")


def _trusted_change(p: "Piece") -> bool:
    """Is ``p``'s change one made in text we did not OCR (``TRUSTED_REASONS``, or a case no one
    types: nghiỆP, cŨ)?"""
    if p.reason == "case":
        return not one_word_case(p.text)
    return p.reason in TRUSTED_REASONS


# Word spans of one line with Tesseract's confidence: (start, end, confidence 0–100).
Spans = list[tuple[int, int, float]]


class Repairer:
    """Candidate lists and decoding for one channel; build once, reuse (cached)."""

    def __init__(self, channel: str = "eng"):
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
        from diacritics import model as lm_model
        self.channel = channel
        self.conf: ConfusionModel = load_model(channel)
        self.lm = lm_model.load_model()
        self.valid, self.index, self._count, self.valid_skeletons = _lexicon(self.lm)
        # Bounded: a run over a whole archive meets an endless stream of one-off garbles.
        self._cached = functools.lru_cache(maxsize=CANDIDATE_CACHE)(self._candidates)
        # How far below the best a syllable can score and still change what _candidates
        # returns: the beam, the near-tie edge under the cut, and what the corpus-count
        # bonus of that edge can make up; the index may leave out anything further down.
        self._within = BEAM + NEAR_TIE + CUT_PRIOR * math.log1p(max(self._count.values(), default=0)) + 1.0
        # a token this long is no garble of a syllable: three times the longest spelling with its edits
        self._longest = 3 * (max(map(len, self.index.by_skeleton), default=0) + self.index.max_edits)

    def bigram(self, a: str, b: str) -> bool:
        """Is the word pair ``a b`` stored in the language model (seen often enough in the corpus)?"""
        import numpy as np
        ia, ib = self.lm.index.get(a), self.lm.index.get(b)
        if ia is None or ib is None:
            return False
        hit, _lp = self.lm._find(2, np.array([(ia << 16) | ib], dtype=np.uint64))
        return bool(hit[0])

    def pair_logp(self, other: str, word: str, other_left: bool) -> float:
        """log P(word | other) if ``other`` comes first, else log P(other | word): one side's evidence."""
        import numpy as np
        from diacritics.tokens import NONE
        a, b = (other, word) if other_left else (word, other)
        ia, ib = self.lm.index.get(a), self.lm.index.get(b)
        if ia is None or ib is None:
            return -30.0
        none = np.array([NONE], dtype=np.uint64)
        return float(self.lm.logprob(none, none, np.array([ia], dtype=np.uint64),
                                     np.array([ib], dtype=np.uint64))[0])

    def word_logp(self, word: str) -> float:
        """log P(word) at a sentence's start."""
        import numpy as np
        from diacritics.tokens import NONE
        wid = self.lm.index.get(word)
        if wid is None:
            return -30.0
        none = np.array([NONE], dtype=np.uint64)
        return float(self.lm.logprob(none, none, none, np.array([wid], dtype=np.uint64))[0])

    # printed forms the document's first reading repaired surely (``adapt_channel``): no names
    settled_forms: frozenset[str] = frozenset()

    def adapted(self, conf: ConfusionModel, settled_forms: frozenset[str] = frozenset()) -> "Repairer":
        """The same lexicon and model with another channel (``adapt_channel``); its own candidate cache."""
        import copy
        other = copy.copy(self)
        other.conf = conf
        other.settled_forms = settled_forms
        other._cached = functools.lru_cache(maxsize=CANDIDATE_CACHE)(other._candidates)
        return other

    def candidates(self, token: str) -> list[tuple[str, float]]:
        """(syllable, log P(token | syllable)) for one observed word, best first."""
        low = unicodedata.normalize("NFC", token.lower())
        if self.channel == "eng" and token[:1] == "I" and len(token) > 1 and not token[1].isupper():
            # Ia, Iy, I4: a capital I before small letters is the l OCR in other languages prints
            # (thuốc lá, xử lý); lower-cased, the learnt channel only sees an i (ỉa, úy)
            seen = dict(self._cached(low))
            for word, lp in self._cached("l" + low[1:]):
                seen[word] = max(seen.get(word, NO_SYLLABLE), lp + I_AS_L_LP)
            return sorted(seen.items(), key=lambda kv: -kv[1])
        return self._cached(low)

    def _candidates(self, low: str) -> list[tuple[str, float]]:
        own = to_style(low, "new")   # hoá and hóa are one word: score the house style
        if len(own) > self._longest:
            return []   # no syllable is near a run of dozens of letters (and the lookup is cubic in it)
        cands = self.index.candidates(own, self.conf, k=POOL, within=self._within)
        if own in self.valid and all(c != own for c, _ in cands):
            cands.append((own, self.conf.logp(own, own)))
        # equal channel scores (sô, số, sơ for "sb"): the commoner word first, so a cut keeps it
        cands.sort(key=lambda kv: (-round(kv[1], 6), -self._count.get(kv[0], 0), kv[0]))
        pool, kept = cands, cands[:MAX_CANDIDATES]
        # … and near-equal ones past the cut (dê, đê … để for "d€", 30 within 0.1 nat): a few
        # more of the commonest, ranked with a tenth of a nat per factor e of corpus count.
        # Only the cut uses this; the decoder scores the true channel lp.
        edge = kept[-1][1] - NEAR_TIE if kept else 0.0
        rest = sorted((kv for kv in cands[MAX_CANDIDATES:] if kv[1] >= edge), key=lambda kv: (
            -(kv[1] + CUT_PRIOR * math.log1p(self._count.get(kv[0], 0))), kv[0]))
        cands = kept + rest[:EXTRA_COMMON]
        # … and the likeliest words a priori among the rest (corpus count times channel
        # probability): ``tha`` has 30 rare syllables closer than ``thứ`` (thùa, thóa, …), and
        # the decoder can only choose ``lần thứ`` if ``thứ`` is offered.
        if cands:
            chosen = {c for c, _lp in cands}
            floor = cands[0][1] - BEAM
            likely = sorted((kv for kv in pool if kv[0] not in chosen and kv[1] >= floor),
                            key=lambda kv: (-(kv[1] + math.log1p(self._count.get(kv[0], 0))), kv[0]))
            cands = cands + likely[:EXTRA_LIKELY]
        if cands:
            best = cands[0][1]
            cands = [(c, lp) for c, lp in cands if lp >= max(best - BEAM, FLOOR)]
        if self.channel == "eng" and low in _LONE_SYMBOL_LETTER:
            # a lone ¢ is a c whose marked vowel went (có) as often as the ở it is learnt as;
            # a lone ¥ is the capital Y (Bộ ¥ tế), not the ữ it prints inside a word
            seen = {c for c, _lp in cands}
            cands = sorted(cands + [kv for kv in self._cached(_LONE_SYMBOL_LETTER[low]) if kv[0] not in seen],
                           key=lambda kv: -kv[1])
        return cands


_LONE_SYMBOL_LETTER = {"¢": "c", "¥": "y"}
I_AS_L_LP = -1.0   # log-prior of a capital I before small letters standing for an l
CANDIDATE_CACHE = 20_000   # words per channel: ~5 KB each with the memos behind them, so ≤ ~100 MB


@functools.lru_cache(maxsize=2)
def _lexicon(lm) -> tuple[frozenset[str], CandidateIndex, dict[str, int], frozenset[str]]:
    """What both channels look candidates up in: built once per language model, not per channel."""
    from diacritics.tokens import FIRST_WORD_ID
    from diacritics.tone import is_syllable
    # Only real syllables: the model's vocabulary also holds acronyms and stray letters (sb, tb).
    vocab = [w for w in lm.vocab[FIRST_WORD_ID:] if is_syllable(w)]
    valid = frozenset(vocab)
    index = CandidateIndex(w for ids in lm.candidates.values()
                           for w in (lm.vocab[i] for i in ids) if w in valid)
    count = {w: int(lm.counts[lm.index[w]]) for w in vocab}
    return valid, index, count, frozenset(index.by_skeleton)


@functools.lru_cache(maxsize=2)
def get_repairer(channel: str = "eng") -> Repairer:
    return Repairer(channel)


DIGIT_WORD_FLOOR = -6.0   # a digit between words is read as a letter only if it looks like one
NUMBER = "<num>"          # the language model's class of every number: a digit piece's own reading
KEEP_LP = -12.0       # log-prior that an unknown ASCII word is a real non-Vietnamese word
KEEP_NAME_LP = -6.0   # … when capitalised inside a sentence (Putin, Euro, Giggs)
KEEP_VIE_LP = -3.0    # our own OCR reads Vietnamese well: an ASCII non-word is mostly foreign
KEEP_VIE_MARKED_LP = -16.0
KEEP_LETTER_LP = -3.0   # a lone letter in wrong-language OCR stays unless the model wants a word there
KEEP_CAPITAL_LP = -0.5


_DIGIT_LOOKALIKE = str.maketrans({"O": "0", "o": "0", "Ô": "0", "ô": "0", "Ø": "0", "ø": "0",
                                   "I": "1", "l": "1", "|": "1"})
_LOOKALIKE_CLASS = "[0-9" + re.escape("".join(map(chr, _DIGIT_LOOKALIKE))) + "]"
# a short number with look-alike letters in it (1Ô, l6): read as the number
_LOOKALIKE_NUMBER = re.compile(f"{_LOOKALIKE_CLASS}*\\d{_LOOKALIKE_CLASS}*")


def _digit_word(token: str) -> bool:
    digits = sum(c.isdigit() for c in token)
    return digits > 0 and (digits > 1 or sum(c.isalpha() for c in token) < 3)


# Digits English OCR prints for a vowel or letter (s6 số, B4 Bố, c0 cơ, 1a là): in its
# training pairs 6, 1, 4 and 0 stood for one 10,000 times, 8 and 3 48 times (v8 về, x3 xã),
# 5, 9, 2 and 7 56 times (5 mostly for s); a token with one of those four is a code or a model
# number (i5, A320, K25).
_VOWEL_DIGITS = frozenset("0146")
_CODE_DIGITS = frozenset("2579")
# … but 5 for s before a vowel's digit, alone between words, is số, sổ, sở (Nghị định 56
# 67/2013/NĐ-CP): the number and the words go into the lattice
_SO_DIGITS = re.compile(r"5[0146]")
# A capital followed by digits only (S6, B4, E6, D2): a word printed with a digit, or a code.
_CAPITAL_DIGITS = re.compile(r"[A-ZĐ]\d{1,2}")
# An ordinal or a size/unit after a number (8th, 6MB, 4G): English OCR of a word starts so only
# in a heading of capitals (6NG for ÔNG).
# (1A is English OCR's là: one digit and one capital are left to the model)
_NUMBER_UNIT = re.compile(r"\d+(?:st|nd|rd|th|[A-Z]{2,3})|\d{2,}[A-Z]")


def _code_like(token: str, line: str) -> bool:
    """``D2``, ``i5``, ``A320``, ``6MB``, ``8th``, ``VTV3``: a token English OCR made of no
    Vietnamese word."""
    if any(c in _CODE_DIGITS for c in token):
        return True
    if named_with_digit(token):
        return True   # VTV3, MP3, IPv6 (letters only are read: $6 and ¢6 are Số and có)
    if _CAPITAL_DIGITS.fullmatch(token):
        return any(c not in _VOWEL_DIGITS for c in token[1:])
    return _NUMBER_UNIT.fullmatch(token) is not None and not _mostly_upper(line)


_SENTENCE_OPENERS = ".:;!?-–•)"   # what may stand right before a sentence's first word


def _mid_sentence(line: str, start: int) -> bool:
    """Does the word at ``start`` go on a sentence (text before it on the line, not ending one)?"""
    before = line[:start].rstrip()
    return bool(before) and before[-1] not in _SENTENCE_OPENERS


_GARBLE_SYMBOL = re.compile(r"[&€¢§@$¥]")
_MONEY = re.compile(r"[$€¥]\d[\d.,]*|\d[\d.,]*[$€¥]")


def _left_garbled(p: Piece, line: str, rep: Repairer) -> bool:
    """A word of wrong-language OCR kept as printed that still reads as no word: marks on no
    syllable (``sérlurcmg``), a symbol for a letter (``@40``), or small letters the model
    never saw (``hozc``, ``Phanthitba``), or so capitalised at a sentence's start (``Chutr``).
    Codes, acronyms and words capitalised inside a sentence (names: ``Keangnam``) are the
    text's own. Listed with confidence 0: the text there is no word the model knows."""
    token = p.text
    letters = [c for c in token if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return False   # an acronym (TN&TKQ, TB&XH)
    if _GARBLE_SYMBOL.search(token) and any(c.isalnum() for c in token):
        # … but a sum of money stays ($100, 100€, ¥500)
        return not _code_like(token, line) and not _MONEY.fullmatch(token)
    if not letters or to_style(token.lower(), "new") in rep.valid:
        return False
    if not token.isalpha() or token[1:] != token[1:].lower():
        return False
    if not token.isascii():
        return True
    if token.lower() in rep.lm.index or len(token) < 3:
        return False
    if token[:1].isupper():
        # a capital inside a sentence is a name's; at its start a name's or a garble's (Chutr):
        # taken for a garble alone on its line or among Vietnamese words, not in English ones
        if _mid_sentence(line, p.start):
            return False
        others = [w for w in re.findall(r"[^\W\d_]+", line) if w != token]
        return sum(to_style(w.lower(), "new") in rep.valid for w in others) * 2 >= len(others)
    return True


def _same_initial(token: str, cands: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Candidates for a lone capital or a capital with digits (``A``, ``E6``) that start with
    the letter printed. English OCR keeps a capital's letter; only the word's marks and small
    letters go, so ``tháp A`` is no ``tháp Là`` and ``Khu E6`` no ``Khu Cổ``; ``S6`` is ``Số``."""
    first = {skeleton(token[:1]), *_CAPITAL_ALSO.get(token[:1], "")}
    return [(c, lp) for c, lp in cands if skeleton(c[:1]) in first]


_CAPITAL_ALSO = {"P": "d", "I": "l"}   # P is English OCR's Đ; I is as often an l (I4: lá)


def _keep_logp(token: str, line: str, start: int, rep: Repairer) -> float | None:
    """Channel score for leaving an unknown word as it is, or None if it cannot be a word."""
    low = token.lower()
    if len(token) == 1 and token.isalpha() and low in rep.lm.index:
        # a letter the decoder was offered words for (see _lone_consonant); a capital
        # alone is as often a label (nhóm B, cột R) as a word's remains (S Tai chinh)
        return KEEP_CAPITAL_LP if token.isupper() else KEEP_LETTER_LP
    if not token.isalpha() or len(token) < 2 or low in rep.valid:
        return None
    if rep.channel == "vie":
        # our OCR's non-words are mostly foreign (Côte, Giggs); marks make a slip likelier
        return KEEP_VIE_LP if token.isascii() else KEEP_VIE_MARKED_LP
    if not token.isascii():
        return None
    if (token[0].isupper() and token[1:].islower() and _mid_sentence(line, start)
            and low not in rep.settled_forms):
        return KEEP_NAME_LP
    return KEEP_LP


# A word right before ": <number>" is the label "Số" (Số: 04/KH-UBND, Kế hoạch số: 04): the model
# cannot see it, as ":" ends its sentence. In the legal and news corpus, of the words there
# spelt s + o, 213 are "số" and 36 "sơ" (hồ sơ: 3), none "sẽ", "sở" or "sổ".
_NUMBER_LABEL = re.compile(r":[ \t]?\d")
_BEFORE_NUMBER = {"số": 213, "sơ": 36}


def _prefer_number_label(cands: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A word that may be ``số``, before ``: <number>``: each reading priced by how often the
    corpus has it there (add-one), relative to ``số``."""
    if all(c != "số" for c, _lp in cands):
        return cands
    top = _BEFORE_NUMBER["số"] + 1
    return [(c, lp + math.log((_BEFORE_NUMBER.get(c, 0) + 1) / top)) for c, lp in cands]


SMALL_WORD_CAPITAL_LP = -2.5   # a capital mid-sentence on a word the corpus never capitalises there
CAPITALISABLE_COUNT = 2000     # corpus count from which a word not in that list is known to take capitals


def _capital_mid_sentence(token: str, line: str, start: int) -> bool:
    """``caia Tinh ty``: a capitalised word right after a small-letter word (not in a table row,
    where it opens a cell: ``thuộc Ghi chú``)."""
    if len(token) < 2 or not token[:1].isupper() or not token[1:].islower() or _table_row(line):
        return False
    before = re.search(r"([^\W\d_]+)[ \t]+$", line[:start])
    return bool(before) and before.group(1)[:1].islower()


def _prefer_capitalisable(cands: list[tuple[str, float]], rep: "Repairer") -> list[tuple[str, float]]:
    """Candidates for a word capitalised mid-sentence, the never-capitalised ones set back.

    English OCR does invent capitals (``phối hợp Voi các``), but a capital after
    a small word is more often the document's own: ``của Tinh ty`` is ``của Tỉnh
    ủy``, which the model alone reads as the far commoner ``của trình tự``. So a
    syllable the corpus practically never capitalises after a small word
    (``lexicon.build_confusion.small_words``: trình, tính, với) costs
    ``SMALL_WORD_CAPITAL_LP``; when every candidate is such a word nothing changes
    between them, and a clear context still wins (``phối hợp với các``).
    Only a common word (``CAPITALISABLE_COUNT``) is taken to be one that takes capitals;
    a rarer one (``ghỉ``, 229 in the corpus, beside ``Ghi chú``) is set back too, and
    with no common capitalisable candidate at all the list stays as it was.
    """
    small = _small_words()
    free = {c for c, _lp in cands if c not in small and rep._count.get(c, 0) >= CAPITALISABLE_COUNT}
    if not free:
        return cands
    return [(c, lp if c in free else lp + SMALL_WORD_CAPITAL_LP) for c, lp in cands]


# language model against the wrong-language channel: 0.7, 0.85, 1.0 and 1.2 tried on the
# devset, held-out training pages and seed 003 (the channel is the surer once adapted)
LM_WEIGHT = 0.85
VIE_LM_WEIGHT = 1.0    # … against our own OCR's channel
# Hypotheses kept per sentence. Restoration's 10 is too few here: a right reading whose
# channel cost is high (B4 → Bố, 11.5 nats) fell out of the beam before the next word
# (trí) could vouch for it. 10, 14, 20, 30 and 40 tried on the seed reports, devset
# documents and seed 003: 20 fixed 5 words and 2 judged lines, more changed nothing; the
# decoder's margin still prunes hopeless hypotheses, so the cost in time is within noise.
REPAIR_BEAM = 20


def repair_lines(lines: list[str], channel: str = "eng", style: str = "new",
                 only: set[int] | None = None,
                 ocr_confidence: list[Spans | None] | None = None,
                 trusted: bool = False) -> Repaired:
    """Repair each line (structure kept: one output line per input line).

    ``only``: indexes of the lines to repair; the others pass through as they are.
    ``ocr_confidence``: for each line, Tesseract's word spans and confidences
    (or None); with the ``vie`` channel a valid word read with confidence
    ``OCR_SURE`` or more is kept.
    ``trusted``: text we did not OCR (auto mode's clean lines): a common word
    counts as read surely, a non-word is mended only into a common word, and
    only word choices and numbers change (``TRUSTED_REASONS``).

    The whole text is decoded as one lattice, so the language model sees each
    word with its neighbours (sentences end at line breaks and full stops,
    as the model was trained). Wrong-language text is decoded twice: the
    second time with the channel adapted to the document (see ``adapt_channel``).
    Both it and our own OCR's text (where the first reading was unsure of a word) are
    read the second time with the words the first settled (``cache_lm``) and the company
    each word keeps there (``context_model``).
    """
    rep = get_repairer(channel)
    if channel == "vie" and _page_confidence(ocr_confidence) < MARKS_READ_CONF:
        rep = _scan_channel(rep)
    res, decoded, read_right = _repair_pass(lines, rep, style, only, ocr_confidence, trusted=trusted)
    second = None   # the channel of a second reading, if there is one
    if channel == "eng":
        # the whole text again, not only the lines the first pass was unsure of: a line
        # decoded without its neighbours loses their context (held-out pages: +34 errors).
        second = adapt_channel(rep, res.changes, read_right)
    elif channel == "vie" and not trusted and decoded is not None and _has_unsure(decoded):
        # our own OCR's channel never adapts, but its second reading may weigh the company each
        # word keeps (diacritics.context_model): on the real contract scans `tại Điêu 1 Hợp đồng`,
        # `Bên A yêu câu.`, `đồng chăn` and `xà Hợp đồng` are put right (Điều, cầu, chẵn, và);
        # 20 degraded devset pages 94 → 90 Vietnamese-word errors. Not for text we did not OCR
        # (auto mode's clean lines): its typos are the author's (seed 000's `Ngày từ đầu`).
        # With it, what the page settled elsewhere (the document cache, as for English OCR):
        # a contract scan's `Giấy ủy quyên số` is `quyền`, as `theo ủy quyền:` above it, not
        # the corpus's likelier `quyển số`; degraded pages 90 → 85 errors, new errors 0.06 →
        # 0.03 per 1,000 (cache weight 0.1: 90; 0.3: 86)
        second = rep
    if second is not None:
        # Only the first pass's sure words go into the document cache (all of them made
        # 491 word errors on the English OCR of the seed reports, not 453): it is less sure
        # than the restorer's.
        from diacritics.cache_lm import DocumentCache
        lat, found = decoded.search
        cache = DocumentCache.of_search(rep.lm, lat, found.choice, found.posterior)
        res, _, _ = _repair_pass(lines, second, style, only, ocr_confidence, model=cache, first=decoded)
    return res


# A page edge or a crop may cut the first letters off a line: seed 003's appendix headings
# read "ang 01 nam 2020" (tháng), "ong ké va so sanh" (Thống kê), "iém vu tai" (Nhiệm vụ). A
# line that opens with a small vowel may be so cut: the syllables an onset before it spells
# are offered too, at CUT_ONSET_LP, and the model decides in context (ông kê or thống kê).
_ONSETS = ("b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh",
           "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")
# Seed 003's five cut lines read right from -3 to -5 (from -6 one is lost: áng 01 năm), and
# at -3 no output of the held-out English OCR pages changes (133 of their 2,607 lines open so).
# A word the token spells only at a long stretch takes its cut reading if that is better
# (seed 003's "wc hién": thực at -17 as wc, -6.7 as th+wc; "a linh vuc": tại)
CUT_ONSET_LP = -4.0
_VOWELS = "aeiouy"


def _cut_at_line_start(token: str, cands: list[tuple[str, float]]) -> bool:
    """Could ``token``, opening a line, be a syllable whose onset the line's cut edge took? It
    is small letters and opens with a vowel, or is read as a syllable that does (dng: áng)."""
    return token.isalpha() and token[:1].islower() and (
        skeleton(token[:1]) in _VOWELS or bool(cands) and skeleton(cands[0][0][:1]) in _VOWELS)


def _with_cut_onsets(token: str, cands: list[tuple[str, float]], rep: "Repairer") -> list[tuple[str, float]]:
    """``cands`` and the syllables each onset before ``token`` would make, at ``CUT_ONSET_LP``."""
    seen = dict(cands)
    for onset in _ONSETS:
        for word, lp in rep.candidates(onset + token)[:6]:
            seen[word] = max(seen.get(word, -math.inf), lp + CUT_ONSET_LP)
    return sorted(seen.items(), key=lambda kv: -kv[1])


def _has_unsure(decoded: "DecodeResult") -> bool:
    """Whether the decoding chose any word less surely than the document cache's ``SETTLED``.

    A page whose every word was read that surely is not read again (context model and cache):
    an alternative at 0.1 or less would need more than the context scores' usual few nats to
    pass ``VIE_MIN_CONFIDENCE``. On the 35 vie bench pages this skips a quarter to a half of the
    second readings' cost (2.2 CPU-s without them, 4.2 with all, 3.1–3.7 so, over two runs);
    results unchanged there and on the real scans (skipping below 0.7: 3.2, but it could drop a
    flip that 0.9 keeps).
    """
    _lat, found = decoded.search
    return bool(len(found.posterior)) and float(found.posterior[found.choice].min()) < SETTLED


_CELL_LEAD = " \t\"“”'|,-–•*"   # what may stand before a wrapped line's first word
WRAP_GAP = 2                       # blank lines a wrapped sentence may jump (a page or cell break)


# Tesseract, in English and in Vietnamese, reads a round bullet as "e" ("e Màu sắc: Đen"), and
# on real scans as "se", "s" or "©" too ("se Display Type", "s  Hard Drive": a contract's list)
_BULLET_E = re.compile(r"^(\s*)(?:e|se|s|©)(?=[ \t]+_?[^\W\d_])")
MIN_BULLETS = 2   # lines opening so before they are taken for a list (e alone is no word)


def _bullet_lines(lines: list[str], only: set[int] | None) -> set[int]:
    """The lines of ``only`` that open with a bullet, if the whole text has ``MIN_BULLETS`` such
    (a list's items may be routed apart: an English one and a Vietnamese one)."""
    found = {i for i, line in enumerate(lines) if _opens_with_bullet(line)}
    return {i for i in found if only is None or i in only} if len(found) >= MIN_BULLETS else set()


def _opens_with_bullet(line: str) -> bool:
    """Does the line open with a bullet Tesseract read as a letter, then a capitalised item?"""
    m = _BULLET_E.match(line)
    return m is not None and line[m.end():].lstrip(" \t_")[:1].isupper()


_ITEM_LABEL = re.compile(r"[a-zđ][).][ \t]")   # "a) Mặt tích cực": a list item opens its own sentence


def _wrapped_lines(lines: list[str], only: set[int] | None) -> set[int]:
    """Lines whose break is no sentence end: the next text line starts with a small letter
    (not a list label's: ``a) Mặt tích cực`` after a heading is a new item), or a full line
    runs straight on into a name (``_wrapped_before_capital``). A table row read across its
    cells (``_table_row``) runs on into nothing: the next line goes on with its first
    column (``… thuộc Ghi ch`` / ``thành phố : huyện``), not its last.

    The model then reads both lines as one sentence (``cán bộ, công`` / ``" | chức``), across
    up to ``WRAP_GAP`` blank lines and past a table cell's bar or quote marks; the blank
    lines between count as the same space.
    """
    joins: set[int] = set()
    for li, line in enumerate(lines):
        if not line.strip() or (only is not None and li not in only) or _table_row(line):
            continue
        for nj in range(li + 1, min(len(lines), li + 2 + WRAP_GAP)):
            if only is not None and nj not in only and lines[nj].strip():
                break
            nxt = lines[nj].lstrip(_CELL_LEAD)
            if nxt:
                if nxt[0].isalpha() and nxt[0].islower() and not _ITEM_LABEL.match(nxt) \
                        or nj == li + 1 and (_wrapped_before_capital(line, nxt) or _wrapped_before_acronym(line, nxt)):
                    joins.update(range(li, nj))
                break
    return joins


_SMALL_WORD_END = re.compile(r"(?<![^\W\d_])[^\W\d_A-ZĐ]+$")   # a line ending in a small-letter word
WRAP_CAPITAL_MIN_LEN = 45   # characters of a line that wraps a sentence onto a capitalised word


def _wrapped_before_capital(line: str, nxt: str) -> bool:
    """A paragraph's full line wrapped before a name (``văn bản đồng ý của Bô`` / ``Công
    Thương``): it ends in a small-letter word with no stop, and the next line goes on in a
    capitalised word followed by a small one or another capitalised word; the name's vowel
    may be a digit English OCR printed for it (``nhận qua`` / ``H6 thong``: Hệ thống). A short
    line (a heading, a table cell) is a unit of its own."""
    body = line.rstrip()
    if len(body) < WRAP_CAPITAL_MIN_LEN or not _SMALL_WORD_END.search(body):
        return False
    return re.match(r"[^\W\d_a-zđ][^\W_A-ZĐ]+[ \t]+[^\W\d_]", nxt) is not None


# … but not STT or TT (số thứ tự), the header of a table's number column: a new table
_ACRONYM_START = re.compile(r"(?!S?TT(?:[ \t]|$))[A-ZĐ]{2,}(?:[ \t]|$)")


def _wrapped_before_acronym(line: str, nxt: str) -> bool:
    """A line with no stop whose next line opens with an acronym (``trên Cổng`` / ``TTĐT``,
    ``dữ liệu`` / ``SO hóa``: số hóa): a cell or sentence going on."""
    body = line.rstrip()
    return bool(body) and body[-1].isalpha() and not _mostly_upper(body) and \
        _ACRONYM_START.match(nxt) is not None


def _list_label(line: str, pieces: list[Piece], prev_label: str) -> str:
    """List labels run a b c d đ e …, and OCR without đ prints a second ``d)``: it is ``đ)``.
    Returns the line's label (or the one before, for a line without)."""
    from diacritics.restorer import LABEL_RE
    m = LABEL_RE.match(line)
    if m is None:
        return prev_label
    label = m.group(1)
    if label in "dD" and prev_label == "d":
        for p in pieces:
            if p.start == m.start(1) and p.kind == "fixed":
                p.out, p.reason, p.confidence = ("đ" if label == "d" else "Đ"), "label", 0.9
                label = "đ"
    return label.lower()


def _outside_web_addresses(line: str, clean) -> str:
    """``clean`` applied to the text between web addresses: their dots are no misread spaces."""
    from diacritics.restorer import web_address_spans
    out, pos = [], 0
    for a, b in web_address_spans(line):
        out += [clean(line[pos:a]), line[a:b]]
        pos = b
    return "".join(out) + clean(line[pos:])


def _repair_pass(lines: list[str], rep: "Repairer", style: str, only: set[int] | None,
                 ocr_confidence: list[Spans | None] | None, model=None, trusted: bool = False,
                 first=None) -> tuple[Repaired, DecodeResult | None, list[str]]:
    """One decoding of the text (with ``model`` instead of the repairer's, if given), the
    decoder's result (None when there was nothing to decode), and the sure words with marks
    that came as they were read (for ``adapt_channel``)."""
    from diacritics.decode import decode
    channel = rep.channel
    page_conf = _page_confidence(ocr_confidence)
    clean_page, marks_read = page_conf >= CLEAN_PAGE_CONF, page_conf >= MARKS_READ_CONF
    lattice: list = []
    slots: list[tuple[int, int, int]] = []       # (line, piece, lattice index)
    open_slots: dict[int, str] = {}               # lattice index → token, for context candidates
    cleaned_lines, line_pieces = [], []
    joins = _wrapped_lines(lines, only)
    bullets = _bullet_lines(lines, only)
    always_marked = _stripped_words() if trusted else frozenset()
    clean = functools.partial(clean_artifacts, typed=trusted)
    prev_label = ""
    for li, line in enumerate(lines):
        if only is not None and li not in only:
            cleaned_lines.append(line)
            line_pieces.append([])
            continue
        cleaned = _outside_web_addresses(line, clean)
        if li in bullets and not trusted:
            cleaned = _BULLET_E.sub(r"\1•", cleaned, count=1)
        if channel == "eng":
            cleaned = common_lookalikes(cleaned)
            cleaned = _outside_web_addresses(cleaned, lambda text: split_merged(
                split_glued_letter(split_glued_digit(bang_as_i(text, rep.valid_skeletons)), rep), rep))
        else:
            cleaned = _outside_web_addresses(cleaned, lambda text: split_joined(join_split_capital(text, rep), rep))
        pieces = split_line(cleaned, rep.valid_skeletons, channel, lambda token: any(
            lp >= AMPERSAND_WORD_LP for _w, lp in rep.candidates(token)[:1]))
        prev_label = _list_label(cleaned, pieces, prev_label)
        spans = ocr_confidence[li] if ocr_confidence and li < len(ocr_confidence) else None
        if spans and cleaned == line:   # debris removed: offsets moved, and the line is suspect anyway
            _attach_confidence(pieces, spans)
        elif spans and cleaned.replace(" ", "") == line.replace(" ", "") and len(cleaned) > len(line):
            _attach_confidence(pieces, _spans_with_spaces(spans, line, cleaned))   # Đơngiá: only cut
        if trusted:
            # a common word counts as typed, unless it is one the corpus practically always
            # writes with marks: Tesseract with -l eng+vie drops marks here and there (dau for
            # đầu; its page texts in auto mode 114 → 106 word errors of 2,187, -l vie+eng 105 → 96)
            for p in pieces:
                low = p.text.lower()
                if rep._count.get(to_style(low, "new"), 0) >= TRUSTED_MIN_COUNT and low not in always_marked:
                    p.ocr_confidence = TRUSTED_CONFIDENCE
        pos = 0
        for k, p in enumerate(pieces):
            if p.kind == "digits" and channel == "eng":
                # "thuéc 14 vé": a number or a word (lá), decided with the words around it in
                # the one lattice; the number is the model's <num>, at no channel cost
                looks = [(c, lp) for c, lp in rep.candidates(p.text) if lp > DIGIT_WORD_FLOOR and c in rep.lm.index]
                if not looks:
                    continue
                p.candidates = [(NUMBER, 0.0)] + looks
            elif p.kind != "word":
                continue
            elif channel == "vie" and re.search(r"[&€¢§@$|¥]", p.text):
                p.kind = "fixed"   # a symbol in our own OCR is a symbol (§un#Legal watermark)
                continue
            if channel == "vie" and _digit_word(p.text):
                p.kind = "fixed"   # 5G, 8nm: our own OCR reads digits as digits
                if _LOOKALIKE_NUMBER.fullmatch(p.text) and len(p.text) <= 4:
                    p.out, p.reason = p.text.translate(_DIGIT_LOOKALIKE), "number"   # 1Ô → 10, l6 → 16
                continue
            if channel == "eng" and _code_like(p.text, cleaned) and not _SO_DIGITS.fullmatch(p.text):
                p.kind = "fixed"   # D2, i5, 6MB: a code or a size, not a word with a digit for its vowel
                continue
            cands = p.candidates or rep.candidates(p.text)
            eng = channel == "eng"
            if eng and not cleaned[:p.start].strip() and _cut_at_line_start(p.text, cands):
                cands = _with_cut_onsets(p.text, cands, rep)
            horn_mark = False   # the ? after the word is its horn: no sentence end for the model
            if eng and (horn := _horn_apart(p.text, cleaned, p.end)) is not None \
                    and (as_horn := _horn_candidates(p.text, horn, rep)):
                horn_mark = _no_question_after(cleaned, p.end + 1)
                cands = as_horn if horn_mark else _merged(cands, as_horn)
            capital_digits = eng and _CAPITAL_DIGITS.fullmatch(p.text) is not None
            lookalike = eng and _LOOKALIKE_WORD.fullmatch(p.text) is not None
            number_label = _NUMBER_LABEL.match(cleaned, p.end) is not None
            capital_mid = eng and _capital_mid_sentence(p.text, cleaned, p.start)
            # a word whose list no rule below reshapes may take what its neighbours propose:
            # a proposal would slip past the rule (Khu E6 became Khu Có)
            open_list = p.kind == "word" and len(p.text) > 1 and not (
                capital_digits or lookalike or number_label or capital_mid)
            if eng and len(p.text) == 1 and p.text.isupper():
                cands = _same_initial(p.text, cands)
            elif capital_digits:
                cands = _same_initial(p.text, cands)
                cands = cands + [(p.text.lower(), KEEP_LP)] if cands else []   # or a code: Khu E6
            if lookalike:
                cands = cands + [(p.text, KEEP_LP)] if cands else []
            if number_label:
                cands = _prefer_number_label(cands)
            if capital_mid:
                cands = _prefer_capitalisable(cands, rep)
            keep = _keep_logp(p.text, cleaned, p.start, rep)
            if trusted and keep is not None:
                shape = skeleton(p.text.lower())
                if p.text.isascii() and shape not in rep.valid_skeletons:
                    p.kind = "fixed"   # no syllable, marked or not: a foreign word or a code (e-Gov)
                    continue
                # a text we did not OCR: a word it has that is no word is mended only into a common
                # one (Luậi → Luật), and only where it has a vowel (ng, tp: a cut-off word or an
                # abbreviation); a rare one is a guess, and the word is likelier a name (Sĩa)
                has_vowel = any(v in shape for v in "aeiouy")
                cands = [(c, lp) for c, lp in cands if has_vowel and rep._count.get(c, 0) >= TRUSTED_MIN_COUNT]
                if p.text[:1].isupper() and _mid_sentence(cleaned, p.start):
                    keep = max(keep, KEEP_NAME_LP)
            if keep is not None:
                cands = cands + [(p.text.lower(), keep)]
            if not cands or (len(cands) == 1 and keep is not None):
                p.kind = "fixed"
                continue
            p.candidates = cands
            gap = cleaned[pos:p.start]
            if pos == 0 and li - 1 in joins and not gap.strip(_CELL_LEAD):
                gap = " "   # a wrapped cell's bar or quote ("cán bộ, công" / '" | chức') is no sentence end
            if gap:
                lattice.append(spelt_out(gap, rep.lm.index))
            if open_list:
                open_slots[len(lattice)] = p.text
            slots.append((li, k, len(lattice)))
            lattice.append(cands)
            pos = p.end + 1 if horn_mark else p.end
        lattice.append(spelt_out(cleaned[pos:], rep.lm.index) + (" " if li in joins else "\n"))
        cleaned_lines.append(cleaned)
        line_pieces.append(pieces)
    if channel == "eng" and open_slots:
        from diacritics.context_candidates import add_context_candidates
        add_context_candidates(lattice, open_slots, rep, BEAM, FLOOR)
    if first is not None:
        from diacritics.context_model import context_bonus
        for at, bonus in context_bonus(first, lattice, rep.lm).items():
            lattice[at] = [(w, lp + b) for (w, lp), b in zip(lattice[at], bonus)]
    weight = VIE_LM_WEIGHT if channel == "vie" else LM_WEIGHT
    result = decode(lattice, lm_weight=weight, beam=REPAIR_BEAM, model=model or rep.lm) if slots else None
    if result is not None:
        printed = [(at, line_pieces[li][k].text) for li, k, at in slots]
        sure = _sure_readings(lattice, printed, result, rep.lm)
        _agree_lone_words(lattice, printed, result, rep.lm, sure)
        rows: dict[int, list[tuple[int, str]]] = {}
        for (li, _k, _at), word in zip(slots, printed):
            rows.setdefault(li, []).append(word)
        _agree_row_words(rows.values(), result, sure)
    for li, k, at in slots:
        line_pieces[li][k].model_best = result.best[at]
    read_right: list[str] = []   # sure words with marks the OCR printed as they are
    vetoed: list[tuple[int, int, str, str, float]] = []   # our OCR's valid words kept against the model

    def apply(li: int, k: int, syl: str, conf: float) -> None:
        p = line_pieces[li][k]
        starts = not _mid_sentence(cleaned_lines[li], p.start)
        # a capital the OCR invented with a wrong letter (Tượu for rượu) is not a name
        # $ and § opening a word are a capital S with its mark ($6, §6: Số)
        shape = "S" + p.text[1:] if p.text[:1] in "$§" else "Y" if p.text == "¥" else p.text
        shape = shape if starts or skeleton(p.text[:1]) == skeleton(syl[:1]) \
            or (channel == "eng" and p.text[:1] not in "Il1|") else p.text.lower()
        if channel == "eng" and p.text[:1] == "p" and syl[:1] == "đ":
            shape = "P" + p.text[1:]   # English OCR reads only a capital Đ as p (163 of 163 in training)
        if channel == "eng" and len(p.text) == 2 and p.text.isupper() and not _mostly_upper(cleaned_lines[li]) \
                and skeleton(p.text[:1]) == skeleton(syl[:1]):
            shape = p.text.capitalize()   # "BO" is how English OCR prints Bộ: the mark looks like a cap
        if _mostly_upper(cleaned_lines[li]) and len(p.text) > 1 and p.text[:2].isupper():
            shape = p.text.upper()   # CAl in a heading: the l is a misread I
        p.out, p.reason, p.confidence = apply_case(shape, to_style(syl, style), starts), "model", conf
        if channel == "eng" and (_printed_apart(cleaned_lines[li], p.end, syl) or (
                _horn_apart(p.text, cleaned_lines[li], p.end) is not None and _ends_in_horned_u(syl))):
            p.end += 1   # the mark is in the word now: drop its copy (co’ quan → cơ quan)

    for li, k, at in slots:
        p = line_pieces[li][k]
        syl, conf = result.best[at], result.confidence[at]
        own = to_style(p.text.lower(), "new")
        if syl == own or syl == p.text.lower() or syl == NUMBER:
            if syl == own and conf >= ADAPT_MIN_CONFIDENCE and not own.isascii():
                read_right.append(own)
            continue  # the word as it came (maybe another tone placement): keep its spelling
        if channel == "vie" and own in rep.valid and _keep_valid(rep, own, syl, conf, p.ocr_confidence, marks_read,
                                                                   line_pieces[li], k, cleaned_lines[li]):
            vetoed.append((li, k, own, syl, conf))
            continue
        apply(li, k, syl, conf)
    if vetoed:
        # A slip the page's OCR made where the model could correct it is no rare slip on this
        # page: its font or scan does it (a mark lost: quyên, điêu, thê for quyền, điều, thể)
        slips = _page_slips(p for pieces in line_pieces for p in pieces)
        for li, k, own, syl, conf in vetoed:
            p = line_pieces[li][k]
            if _slip(own, syl) in slips and not _keep_valid(
                    rep, own, syl, conf, p.ocr_confidence, marks_read, line_pieces[li], k, cleaned_lines[li], slips):
                apply(li, k, syl, conf)

    last_words: list[Piece | None] = [None] * len(lines)   # each line's last word, once settled
    for li, (cleaned, pieces) in enumerate(zip(cleaned_lines, line_pieces)):
        # a wrapped sentence's words on the lines around count as neighbours (đơn vị Su / nghiệp)
        pj = li - 1
        while pj >= 0 and not lines[pj].strip():
            pj -= 1
        # … but not across a break onto a capital: that word's case is the line's own (Công Thương)
        onto_capital = pj >= 0 and _wrapped_before_capital(lines[pj], lines[li].lstrip(_CELL_LEAD))
        # … and so does a table cell's line run on without a stop (chi thường / Xuyên): it
        # was read as a sentence end, as the next line opens with a capital, yet only a
        # word common after the last one loses its capital there
        runs_on = pj == li - 1 and _SMALL_WORD_END.search(lines[pj].rstrip()) is not None
        before = last_words[pj] if pj >= 0 and (pj in joins or runs_on) and not onto_capital else None
        compound_only = before is not None and pj not in joins
        after = None
        if li in joins and not _wrapped_before_capital(lines[li], lines[li + 1].lstrip(_CELL_LEAD)):
            nj = li + 1
            while nj < len(lines) and not lines[nj].strip():
                nj += 1
            after = next(iter(_case_words(line_pieces[nj])), None) if nj < len(lines) else None
        words = _settle_case(cleaned, pieces, rep, invented_capitals=channel == "eng" or not clean_page,
                             before=before, after=after, before_compound_only=compound_only)
        last_words[li] = words[-1] if words else None

    out_lines: list[str] = []
    changes: list[Change] = []
    kept: list[Change] = []
    for ln_no, (line, cleaned, pieces) in enumerate(zip(lines, cleaned_lines, line_pieces), 1):
        buf, pos = [], 0
        for p in pieces:
            if p.out is None or p.out == p.text or (trusted and not _trusted_change(p)):
                if channel == "eng" and _left_garbled(p, cleaned, rep):
                    kept.append(Change(ln_no, p.start, p.text, p.text, 0.0, "kept"))
                continue
            buf.append(cleaned[pos:p.start])
            buf.append(p.out)
            changes.append(Change(ln_no, p.start, p.text, p.out,
                                  p.confidence, p.reason))
            pos = p.end
        buf.append(cleaned[pos:])
        new_line = "".join(buf)
        if cleaned != line and (only is None or ln_no - 1 in only):
            changes.append(Change(ln_no, 0, line.strip(), cleaned.strip(), 0.9, "artifact"))
        out_lines.append(new_line)
    return Repaired("\n".join(out_lines), changes, kept), result, read_right


LONE_VOTE_MIN = 3      # sure readings of the same printed word elsewhere that a lone one follows
LONE_VOTE_SHARE = 0.75  # … when this share of them agree


def _sentence_edge(item, model, last: bool) -> bool:
    """Does this fixed lattice item end (``last``) or open a sentence around a word?"""
    if not isinstance(item, str):
        return False
    ids = lm_ids(item, model.index)
    return bool(ids) and ids[-1 if last else 0] == BOUND


def _alone(lattice: list, at: int, model) -> bool:
    """Is the word at ``at`` a sentence by itself (a table cell)?"""
    return (at == 0 or _sentence_edge(lattice[at - 1], model, True)) and \
        (at + 1 == len(lattice) or _sentence_edge(lattice[at + 1], model, False))


def _sure_readings(lattice: list, printed: list[tuple[int, str]], result, model) -> dict[str, Counter]:
    """How the decoder read each printed word (lower-cased) where it was sure, inside sentences."""
    sure: dict[str, Counter] = {}
    for at, text in printed:
        if result.confidence[at] >= SETTLED and not _alone(lattice, at, model):
            sure.setdefault(text.lower(), Counter())[result.best[at]] += 1
    return sure


def _agree_lone_words(lattice: list, printed: list[tuple[int, str]], result, model,
                      sure: dict[str, Counter]) -> None:
    """A word that is a sentence by itself (a table cell: ``Dat`` alone on its line) has
    nothing around it to choose its reading by: the corpus's sentence-start odds decide
    (``Đất`` over ``Đạt``). The document knows better: where it printed the same word
    inside sentences, the readings it was sure of there (``sure``) are what this word is here."""
    for at, text in printed:
        if result.confidence[at] >= SETTLED or not _alone(lattice, at, model):
            continue
        votes = sure.get(text.lower())
        if not votes:
            continue
        (word, n), total = votes.most_common(1)[0], sum(votes.values())
        if n >= LONE_VOTE_MIN and n >= LONE_VOTE_SHARE * total and word != result.best[at] \
                and any(c == word for c, _lp in lattice[at]):
            result.best[at] = word


# A line of at least this many words, each printed twice on average and no more than
# HEADING_ROW_MAX_WORDS different ones, is a row of column headings, not a sentence. Without
# that cap a paragraph exported as one long line passed (a hundred words, most of them
# repeated), and its cửa and của were made one word: 119 → 168 word errors on the seed
# reports exported through a best-fit code page.
HEADING_ROW_MIN_WORDS = 6
HEADING_ROW_MAX_WORDS = 4


def _agree_row_words(rows, result, sure: dict[str, Counter]) -> None:
    """A row of column headings (``tinh huyén tinh tinh huyén``: cấp tỉnh and cấp huyện
    read down the columns) is no sentence, yet the model reads it as one, and the same
    printed word may come out two ways in it (tỉnh, tĩnh). One printed word in such a row
    is one word: of the readings the row gave it, it takes the one the document was sure
    of most often elsewhere (``sure``)."""
    for row in rows:
        distinct = len({t.lower() for _at, t in row})
        if len(row) < HEADING_ROW_MIN_WORDS or distinct > HEADING_ROW_MAX_WORDS or 2 * distinct > len(row):
            continue
        places: dict[str, list[int]] = {}
        for at, text in row:
            places.setdefault(text.lower(), []).append(at)
        for key, ats in places.items():
            readings = Counter(result.best[at] for at in ats)
            if len(readings) < 2:
                continue
            votes = sure.get(key, Counter())
            word = max(readings, key=lambda w: (votes[w], readings[w]))
            if votes[word]:
                for at in ats:
                    result.best[at] = word


ADAPT_MIN_CONFIDENCE = 0.95   # a first-pass change this sure is taken as the document's evidence
ADAPT_MIN_CHANGES = 40         # … and only a text with this many such changes adapts the channel
ADAPT_WEIGHT = 20.0            # one document letter counts as this many training letters (12, 20, 30 tried)
ADAPT_FAMILY = 0.5             # share of a slip rate passed to the other vowels of the same base letter
# letters a garble needs before a sure mend of it elsewhere says it is no name (adapt_channel)
SETTLED_GARBLE_MIN_LEN = 4
# one sure repair of a token with a symbol or digit counts as this many training tokens of the
# whole-token table: 20, 60, 100, 200, 500 tried on the seed reports + devset documents (527 word
# errors without: 525, 526, 524, 525, 526) and seed 003's judged spots (36: 36, 35, 33, 33, 33)
ADAPT_SYMBOL_TOKEN_WEIGHT = 100.0


def count_pair(intended: str, observed: str, chars: dict, tokens: dict, weight: float = 1) -> None:
    """Add one aligned (intended, observed) word pair to channel counts, as the tables hold them.

    ``chars``: ``{"total": {c: n}, "sub": {c: {o: n}}, "ins": {o: n}}`` (``o`` = ``""`` is
    a dropped letter); ``tokens``: ``{intended: {observed: n}}``. Both lower-case.
    """
    from rapidfuzz.distance import Levenshtein
    tokens[intended][observed] += weight
    edits = Levenshtein.editops(intended, observed)
    ops = {op.src_pos: op for op in edits if op.tag != "insert"}
    for pos, ch in enumerate(intended):
        chars["total"][ch] += weight
        op = ops.get(pos)
        read = ch if op is None else observed[op.dest_pos] if op.tag == "replace" else ""
        chars["sub"][ch][read] += weight
    for op in edits:
        if op.tag == "insert":
            chars["ins"][observed[op.dest_pos]] += weight


# A real scan (a page read less cleanly than a clean render, MARKS_READ_CONF) loses the tone over
# a hatted vowel (yêu câu, thâm quyền, nêu có for cầu, thẩm, nếu): our renders taught that slip at
# about e^-4.7. On such a page it is read as this share of each toned hatted vowel's readings
# (e^-1.6). On the five contract scans 0.08, 0.2, 0.35 and 0.5 mended 1, 3, 4 and 4 more words;
# on every bench page read so (clean ones too, as a test) 0.2 and 0.35 changed the same: degraded
# pages 91 → 92 Vietnamese-word errors, seed renders none, the clean devset only its own typos.
SCAN_TONE_LOSS = 0.2


def _letter_tables(rep: "Repairer") -> tuple[dict, dict, dict]:
    """``rep``'s learned channel tables, and copies of its letter counts to change: (tables,
    char_total, sub)."""
    base = load_table()["channels"][rep.channel]
    return base, dict(base.get("char_total", {})), {c: dict(outs) for c, outs in base.get("sub", {}).items()}


@functools.lru_cache(maxsize=2)
def _scan_channel(rep: "Repairer") -> "Repairer":
    """``rep`` with a toned hatted vowel read without its tone at ``SCAN_TONE_LOSS``."""
    from diacritics.tone import place_tone
    base, total, sub = _letter_tables(rep)
    for hatted in "âêôăơư":
        for tone in range(1, 6):
            c = place_tone(hatted, tone)
            n, seen = total.get(c, 0), sub.get(c, {}).get(hatted, 0)
            if n and seen < SCAN_TONE_LOSS * n:
                sub.setdefault(c, {})[hatted] = SCAN_TONE_LOSS * n
                total[c] = n + SCAN_TONE_LOSS * n - seen
    return rep.adapted(ConfusionModel({**base, "char_total": total, "sub": sub},
                                      tone_family_lp=rep.conf.tone_family_lp))


def adapt_channel(rep: "Repairer", changes: list[Change], read_right: list[str] = ()) -> "Repairer | None":
    """The channel re-estimated with the document's own sure repairs, or None if too few.

    One archive was OCR'd with one font, scanner and engine, so it garbles the
    same letter the same way throughout, often in a way the training renders
    never showed (an ``ố`` printed as ``b``: ``sb``, ``dbi``, ``Tbi``). The
    first pass repairs the many easy words (``sb`` → ``số`` in ``Sb lượng``);
    counted as training pairs, with weight ``ADAPT_WEIGHT``, they make the
    same slip likely where the context alone is not enough (``theo dbi`` →
    ``theo dõi``). Unsure changes are left out, so a wrong guess of the first
    pass is rarely learned. ``read_right``: the first pass's sure words whose marks
    the OCR printed as they are.
    """
    from collections import defaultdict
    settled = [(to_style(c.after.lower(), "new"), c.before.lower()) for c in changes
               if c.reason == "model" and c.confidence >= ADAPT_MIN_CONFIDENCE and " " not in c.after]
    sure = [(w, o) for w, o in settled if o.isalpha()]
    if len(sure) < ADAPT_MIN_CHANGES:
        return None
    doc = {"total": defaultdict(float), "sub": defaultdict(lambda: defaultdict(float)), "ins": defaultdict(float)}
    for intended, observed in sure:
        count_pair(intended, observed, doc, defaultdict(lambda: defaultdict(float)), ADAPT_WEIGHT)
    # Only the document's slips are added (a letter read right adds nothing): its evidence
    # can make a slip likelier but hardly dilutes the ones training saw (¢ for c).
    base, total, sub = _letter_tables(rep)
    # … but a marked letter the document prints as it is, in words the model is sure of, is
    # likelier read right than English-OCR training says: OCR in French keeps â, ê, ô (Nhân
    # viên came out as Nhận viện; 6 rendered devset pages: WER 3.7 → 2.8 %, weights 20, 60,
    # 200 tried: 2.8, 2.9, 3.0 %; English and German OCR unchanged)
    for word in read_right:
        for c in word:
            if not c.isascii() and c.isalpha():
                sub.setdefault(c, {})[c] = sub.get(c, {}).get(c, 0) + ADAPT_WEIGHT
                total[c] = total.get(c, 0) + ADAPT_WEIGHT
    for c, outs in doc["sub"].items():
        for o, n in outs.items():
            if o != c:
                sub.setdefault(c, {})[o] = sub.get(c, {}).get(o, 0) + n
                total[c] = total.get(c, 0) + n
    # … and the vowels of the same base letter share their slips (ố printed as b: so may ổ,
    # ộ, õ), at a share of the rate the document shows for that family, scaled to each
    # letter's own count.
    fam_n: dict = defaultdict(float)
    fam_slip: dict = defaultdict(lambda: defaultdict(float))
    for c, n in doc["total"].items():
        if base_char(c) in "aeiouy":
            fam_n[base_char(c)] += n
            for o, k in doc["sub"][c].items():
                if o != c:
                    fam_slip[base_char(c)][o] += k
    for c in list(total):
        f = base_char(c)
        if c == f or f not in fam_n:
            continue
        for o, k in fam_slip[f].items():
            if o != c and base_char(o) != f:
                extra = ADAPT_FAMILY * k / fam_n[f] * total[c]
                sub.setdefault(c, {})[o] = sub.get(c, {}).get(o, 0) + extra
                total[c] += extra
    ins = dict(base.get("ins", {}))
    for o, n in doc["ins"].items():
        ins[o] = ins.get(o, 0) + n
    # … and a token printed with a symbol or digit (V&, B¢, S0) that the document settled surely is
    # a whole-token pair too: the letter tables price a symbol at one floor for every vowel
    # (V& is Về, Vụ, Và alike), so seed 003's five sure V& → Về left its other five to the model.
    # Tokens of letters only are left out: taught so, a short contract turned Bên bán into
    # Biên bản and Đơn giá into Đòn gió.
    # (only the entries that change are copied: the table has thousands)
    tok, tok_total = dict(base.get("tok", {})), dict(base.get("tok_total", {}))
    for w, o in settled:
        if not o.isalpha() and _PIECE_RE.fullmatch(o):
            tok[w] = {**tok.get(w, {}), o: tok.get(w, {}).get(o, 0) + ADAPT_SYMBOL_TOKEN_WEIGHT}
            tok_total[w] = tok_total.get(w, 0) + ADAPT_SYMBOL_TOKEN_WEIGHT
    # … and a capital inside a sentence is no name where the document's same printed word was
    # a garble mended elsewhere as surely as the cache takes a word (a contract's "Toan Chire
    # vu:" after "Chire vu :" → Chức vụ at 0.94). Not a short one: Oo, jo, Bol are a table's
    # zeros or a word's remains as often, mended in one place and noise in another.
    garbles = frozenset(c.before.lower() for c in changes if c.reason == "model" and c.confidence >= SETTLED
                        and c.before.isalpha() and len(c.before) >= SETTLED_GARBLE_MIN_LEN)
    return rep.adapted(ConfusionModel({"char_total": total, "sub": sub, "ins": ins,
                                       "tok": tok, "tok_total": tok_total},
                                      tone_family_lp=rep.conf.tone_family_lp),
                       settled_forms=garbles)


def _page_confidence(ocr_confidence: list[Spans | None] | None) -> float:
    """Tesseract's mean word confidence on the page, to compare with ``CLEAN_PAGE_CONF`` and
    ``MARKS_READ_CONF``. Without confidences, 100: the page is taken as clean, the stricter
    treatment."""
    confs = [c for spans in ocr_confidence or () if spans for _a, _b, c in spans]
    return sum(confs) / len(confs) if confs else 100.0


_HORN, _HOOK_ABOVE = "\u031b", "\u0309"
# what English OCR prints after a syllable for the mark it cannot read: co’ (cơ), tu? (tử).
# clean_artifacts already drops an apostrophe after a word (_TRAILING_HORN) unless a quotation
# opens before it on the line; this reads the ones it keeps, and the ? it never touches.
_APART_MARK = {"’": _HORN, "'": _HORN, "?": _HOOK_ABOVE}


def _printed_apart(line: str, end: int, syllable: str) -> bool:
    """Is the character after a word (ending at ``end``) that word's mark, printed apart?

    Only when the chosen syllable has that mark and the character ends the word:
    a question mark after ``không`` stays a question mark.
    """
    mark = _APART_MARK.get(line[end:end + 1])
    if mark is None or mark not in unicodedata.normalize("NFD", syllable):
        return False
    after = line[end + 1:end + 2]
    return not after or after.isspace() or after in ",.;:)"


# English OCR prints a word's final ư as t, i, it or u, and its horn apart as a question mark
# after the word: st? dung, xi? ly (sử dụng, xử lý), thi? 2 và thi? 6 (thứ), tri? văn bản (trừ),
# tit? nguồn (từ). Where a question mark cannot end a question (a small word, a digit or a comma
# follows), the word is read only so; elsewhere (căn ct? Kế hoạch) it may be, and the model chooses.
# A word that ends a real question keeps its mark: chưa? and không? end in no such letter, and
# a ? stays unless the word was read with the mark it stands for.
_HORN_LETTERS = re.compile(r"(?:it|t|i|u)$")


def _horn_apart(text: str, line: str, end: int) -> str | None:
    """The letters before a final ư English OCR printed as t, i, it or u with its horn
    apart as a ``?`` (``thi?`` → ``th``), or None."""
    if line[end:end + 1] != "?" or line[end + 1:end + 2].isalnum():
        return None
    m = _HORN_LETTERS.search(text)
    return text[:m.start()] if m is not None and m.start() > 0 and text.isalpha() else None


def _no_question_after(line: str, at: int) -> bool:
    """Does what follows a question mark that ends just before ``at`` rule out a question's
    end? A comma, colon or bracket right after it, or a small letter or a digit."""
    if line[at:at + 1] in (",", ";", ":", ")"):
        return True
    nxt = line[at:].lstrip(" \t")[:1]
    return nxt.isdigit() or nxt.islower()


def _ends_in_horned_u(syllable: str) -> bool:
    return unicodedata.normalize("NFD", syllable[-1:])[:2] == "u" + _HORN


def _horn_candidates(text: str, before: str, rep: "Repairer") -> list[tuple[str, float]]:
    """The readings of ``text`` that end in ư: its own (the channel knows st for sử) and
    those of ``before`` + u whose u has the horn (thi: thứ), each at its better score."""
    return [(c, lp) for c, lp in _merged(rep.candidates(text), rep.candidates(before + "u"))
            if _ends_in_horned_u(c)]


def _merged(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Both candidate lists in one, each word at its better score, best first."""
    best: dict[str, float] = {}
    for w, lp in itertools.chain(a, b):
        best[w] = max(lp, best.get(w, -math.inf))
    return sorted(best.items(), key=lambda x: -x[1])


# sure corrections of one slip that make it the page's own: on the real contract scans this
# put back Điêu 5 (three quyên corrected on its page); the bench's vie pages and the 56 tuning
# pages came out exactly as before
PAGE_SLIP_MIN = 2
PAGE_SLIP_CONFIDENCE = 0.9


def _slip(own: str, syl: str) -> tuple[str, str] | None:
    """The one letter ``syl`` has that our OCR read differently in ``own`` (ề, ê), or None."""
    if len(own) != len(syl):
        return None
    diff = [(s, o) for s, o in zip(syl, own) if s != o]
    return diff[0] if len(diff) == 1 else None


def _page_slips(pieces) -> frozenset[tuple[str, str]]:
    """The one-letter slips corrected surely at least ``PAGE_SLIP_MIN`` times."""
    seen = Counter(_slip(to_style(p.text.lower(), "new"), to_style(p.out.lower(), "new")) for p in pieces
                   if p.reason == "model" and p.out and p.confidence >= PAGE_SLIP_CONFIDENCE)
    return frozenset(s for s, n in seen.items() if s is not None and n >= PAGE_SLIP_MIN)


def _keep_valid(rep: Repairer, own: str, syl: str, conf: float, ocr: float | None, marks_read: bool,
                pieces: list[Piece], k: int, line: str, slips: frozenset = frozenset()) -> bool:
    """Should a valid word of our own OCR stay, although the model prefers ``syl``?

    Our OCR rarely turns one real word into another on a clean page, and the
    language model's dislike of a word is weak evidence that the page does not
    say it (typos, names, unusual wording are all real text). So a valid word stays

    * unless the model is confident (``VIE_MIN_CONFIDENCE``, or
      ``VIE_SURE_MIN_CONFIDENCE`` for a word Tesseract was sure of, ``OCR_SURE``, on a
      page whose marks it read as printed, ``VIE_DEGRADED_SURE_MIN_CONFIDENCE`` on another);
    * and, on such a page (``marks_read``: Tesseract's mean word confidence ≥
      ``MARKS_READ_CONF``; a real scan's is 92–95 and a harsh one's 70–85, and there sure
      words slip too), a word Tesseract
      was sure of stays when the confusion is not one the channel sees often
      (``RARE_CONFUSION``: ``khâu``/``khẩu`` is, per character, rarer than
      ``số``/``sổ`` by a factor of 50; ``slips``: the page's own, seen corrected
      elsewhere on it, are not rare there), or when the words around it support it:
      with each neighbour the model can see it makes a pair nearly as likely as
      the model's choice does (``theo mẫu số quy định``: ``mẫu số`` and ``số quy``
      are as common as ``mẫu sổ``, ``sổ quy``; only the wider context prefers ``sổ``).

    A word Tesseract doubted is left to the model: on degraded pages such slips
    (``tố chức``, ``bảo hiếm``) are common. Text without confidences keeps a valid
    word only when its pairs are within ``TEXT_SUPPORT_MARGIN`` of the model's
    (``mẫu số quy`` stays; ``thẩm quyên``, 23 times less likely than ``thẩm quyền``, goes).
    """
    sure = ocr is not None and ocr >= OCR_SURE
    if (ocr is None or sure) and _in_personal_name(pieces, k, line):
        return True
    if conf < (VIE_SURE_MIN_CONFIDENCE if sure and marks_read else VIE_DEGRADED_SURE_MIN_CONFIDENCE if sure
               else VIE_MIN_CONFIDENCE):
        return True
    if ocr is None:   # no confidences (sohoa restore --mode ocr): the context alone, held closer
        return _supported_in_context(rep, own, syl, pieces, k, line, TEXT_SUPPORT_MARGIN)
    sure = sure and marks_read
    if sure and rep.conf.logp(own, syl) < RARE_CONFUSION and _slip(own, syl) not in slips:
        return True
    return sure and _supported_in_context(rep, own, syl, pieces, k, line, SUPPORT_MARGIN)


# Words a personal name follows (Ông Nguyễn Quang Toàn, đồng chí Lê Văn A) …
NAME_TITLES = frozenset({"ông", "bà", "chí"})   # chí: only after đồng
NAME_MAX_SYLLABLES = 4   # … and how many capitalised syllables after one are the name


def _in_personal_name(pieces: list[Piece], k: int, line: str) -> bool:
    """Is piece ``k`` a syllable of a personal name, a run of capitals after ``Ông``, ``Bà``
    or ``đồng chí`` on its line?

    A name's syllables are its bearer's, not the corpus's: the model may prefer another valid
    one (``Quang Toản``, a Tây Sơn king, 56 times in the corpus against ``Quang Toàn`` once),
    but that is no evidence that the page says it, so a name read as valid stays.
    """
    if k >= len(pieces) or not pieces[k].text[:1].isupper():
        return False
    j = k
    while j > 0 and k - j < NAME_MAX_SYLLABLES:
        prev = pieces[j - 1]
        if line[prev.end:pieces[j].start].strip() or not prev.text.isalpha():
            return False
        word = prev.text.lower()
        if word in NAME_TITLES and (word != "chí" or (
                j > 1 and pieces[j - 2].text.lower() == "đồng" and not line[pieces[j - 2].end:prev.start].strip())):
            return True
        if not prev.text[:1].isupper():
            return False
        j -= 1
    return False


def _supported_in_context(rep: Repairer, own: str, syl: str, pieces: list[Piece], k: int,
                          line: str, margin: float) -> bool:
    """Is ``own`` (piece ``k``) about as likely as ``syl`` next to each adjacent word?

    Per side, the word pair with ``own`` must be stored in the model and at most
    ``margin`` nats less likely than with ``syl`` (with ``SUPPORT_MARGIN``, ``số sách``
    stays although ``sổ sách`` is 37 times likelier; 55 times is overwhelming).
    The neighbour counts as read or as the model would repair it (``mâu số``:
    ``mẫu số``). A neighbour across punctuation, or a number, is no evidence
    either way; a word with no neighbour at all is not supported.
    """
    sides = 0
    for j, left in ((k - 1, True), (k + 1, False)):
        if not 0 <= j < len(pieces):
            continue
        q = pieces[j]
        gap = line[q.end:pieces[k].start] if left else line[pieces[k].end:q.start]
        if gap.strip() or not q.text.isalpha():
            continue
        readings = {to_style(w.lower(), "new") for w in (q.text, q.out, q.model_best) if w}
        if not any(rep.bigram(*((o, own) if left else (own, o)))
                   and rep.pair_logp(o, own, left) >= rep.pair_logp(o, syl, left) - margin
                   for o in readings):
            return False
        sides += 1
    return sides > 0


def _spans_with_spaces(spans: Spans, line: str, spaced: str) -> Spans:
    """``spans`` of ``line`` moved onto ``spaced``, the same line with spaces put in."""
    at, j = [], 0
    for ch in line:
        while spaced[j] != ch:
            j += 1
        at.append(j)
        j += 1
    at.append(len(spaced))
    return [(at[a], at[b - 1] + 1 if b > a else at[a], c) for a, b, c in spans]


def _attach_confidence(pieces: list[Piece], spans: Spans) -> None:
    """Each piece gets the lowest confidence of the OCR words it overlaps."""
    starts = [a for a, _b, _c in spans]
    for p in pieces:
        k = max(0, bisect.bisect_right(starts, p.start) - 1)
        got = []
        while k < len(spans) and spans[k][0] < p.end:
            if spans[k][1] > p.start:
                got.append(spans[k][2])
            k += 1
        if got:
            p.ocr_confidence = min(got)


def repair(text: str, channel: str = "eng", style: str = "new") -> Repaired:
    """Repair OCR text with the given channel; see the module docstring."""
    text = unicodedata.normalize("NFC", text)
    return repair_lines(text.split("\n"), channel, style)


def repair_text(text: str, channel: str = "eng", style: str = "new") -> str:
    return repair(text, channel, style).text


COMPOUND_LOGP = math.log(0.05)   # a word this likely after the one before is not a name there

# Letters whose capital has the same shape as the small letter (marks aside): OCR
# confuses their case (cơ SỞ, ở → Ở), unlike that of a, b, d, h, n …
_SAME_SHAPE = set("cosuvwxz")


def _case_words(pieces: list[Piece]) -> list[Piece]:
    """The pieces of a line that are words for ``_settle_case``."""
    return [p for p in pieces if p.kind == "word" or p.out or (len(p.text) == 1 and p.text.isalpha())]


def _settle_case(line: str, pieces: list[Piece], rep: Repairer, invented_capitals: bool = False,
                 before: Piece | None = None, after: Piece | None = None,
                 before_compound_only: bool = False) -> list[Piece]:
    """Case the OCR got wrong on a word it otherwise read right.

    * a capital inside a small-letter word (``nghiỆp``, ``vỆ``) is a small letter;
    * a word all in capitals between two small-letter words, made only of
      letters whose capital looks like the small letter (``cơ SỞ sẽ``, ``Ở``), is
      small — unless the line is a heading;
    * a capitalised word whose capital looks like its small letter, after a
      small-letter word it often follows in the corpus (``thường Xuyên``: P(xuyên |
      thường) ≥ e^COMPOUND_LOGP) and not before another capitalised word, is
      small (whatever its capital, in our own OCR of a page it did not read cleanly:
      ``cơ Quan``); so is such a word the corpus practically never
      capitalises after a small word, followed by a small word (``phối hợp Với các``;
      ``lexicon.build_confusion.small_words``), where the OCR invents capitals
      (``invented_capitals``: wrong-language OCR, and our own on a page it did not read
      cleanly, ``dự kiến Sản xuất``); on a clean page our own OCR's capitals are the
      document's (``Bộ phận Tiếp nhận và Trả kết quả``). Otherwise a
      capitalised word (``Sở``, ``tỉnh Vĩnh Long``) is left: it may be a name, or, in a
      table row (``_table_row``), a cell's first word, or the heading a row repeats after
      opening with it (``Sự nghiệp GD-PT Sự nghiệp y tế Sự nghiệp khác``).

    ``before``/``after``: the last word of the line before and the first of the line
    after, when the sentence wraps across them (their neighbours at the line's edges).
    ``before_compound_only``: ``before`` ends a table cell's line that may run on (no
    stop, yet the next line opens with a capital): the line's first word loses its
    capital only as a common compound's second half (``thường`` / ``Xuyên``), not a
    row's first word (``Số lượng``).
    Returns the line's words.
    """
    words = _case_words(pieces)
    if _mostly_upper(line):
        return _caps_between_caps(words, rep)
    cells = _table_row(line)
    # a capitalised word the line opens with, printed so again further on, is a heading the row
    # repeats (Sự nghiệp GD-PT Sự nghiệp y tế Sự nghiệp VH,TDTT), not a capital the OCR invented
    opener = (words[0].out or words[0].text) if words else ""
    opener = opener if opener[:1].isupper() and opener[1:].islower() else ""
    edge_before = None if before is None else Piece(0, 0, before.out or before.text, "word")
    edge_after = None if after is None else Piece(len(line), len(line), after.out or after.text, "word")
    for k, p in enumerate(words):
        text = p.out if p.out is not None else p.text
        low = text.lower()
        if not text.isalpha() or to_style(low, "new") not in rep.valid or text == low:
            continue
        if text[0].islower():
            new = low
        else:
            prev = words[k - 1] if k else edge_before
            nxt = words[k + 1] if k + 1 < len(words) else edge_after
            compound_only = k == 0 and before_compound_only
            neighbours_small = all(w is not None and (w.out or w.text)[:1].islower() for w in (prev, nxt))
            after_small = prev is not None and (prev.out or prev.text)[:1].islower() \
                and (prev.out or prev.text).isalpha() and not line[prev.end:p.start].strip()
            if (text.isupper() and neighbours_small and after_small and set(skeleton(low)) <= _SAME_SHAPE
                    and not compound_only):
                new = low
            elif cells or (k > 0 and text == opener):
                continue   # a cell's first word (cấp Số phòng | Số đơn vị) or the row's repeated
                # heading (y tế Sự nghiệp), not a compound's half
            elif (text[1:].islower() and after_small
                  and (skeleton(low[:1]) in _SAME_SHAPE or invented_capitals and rep.channel == "vie")
                  and not (nxt is not None and (nxt.out or nxt.text)[:1].isupper())
                  and rep.pair_logp(to_style((prev.out or prev.text).lower(), "new"),
                                    to_style(low, "new"), True) >= COMPOUND_LOGP):
                new = low   # thường Xuyên: the second half of a common compound, not a name
            elif (invented_capitals and not compound_only and text[1:].islower() and after_small
                  and skeleton(low[:1]) in _SAME_SHAPE and to_style(low, "new") in _small_words()
                  and nxt is not None and not line[p.end:nxt.start].strip()
                  and (nxt.out or nxt.text)[:1].isalpha() and (nxt.out or nxt.text)[:1].islower()):
                # phối hợp Với các: a word the corpus never capitalises mid-sentence, inside a
                # sentence that goes on in small letters (not a heading cell: đơn vị Sự / nghiệp)
                new = low
            else:
                continue
        p.out = new
        if p.reason == "":
            p.reason, p.confidence = "case", 0.9
    return words


def _caps_between_caps(words: list[Piece], rep: Repairer) -> list[Piece]:
    """A line in capitals: a word the OCR printed with small letters between capitals is in
    capitals too. English OCR prints a capital's mark as a small letter (``CHi ĐỊNH`` for
    CHỈ, ``TiCH`` for TÍCH, ``CO sé ĐIỀU`` for SỞ); left so, the word came out ``CHỉ``, ``sở``."""
    for k, p in enumerate(words):
        text = p.out if p.out is not None else p.text
        if len(text) < 2 or not text.isalpha() or text.isupper() or to_style(text.lower(), "new") not in rep.valid:
            continue   # a list label (a) C) QUẢN LÝ) keeps its case
        if 0 < k < len(words) - 1 and all(sum(c.isalpha() for c in w) >= 2 and w.isupper()
                                          for w in (words[k - 1].out or words[k - 1].text,
                                                    words[k + 1].out or words[k + 1].text)):
            p.out = text.upper()
            if p.reason == "":
                p.reason, p.confidence = "case", 0.9
    return words


# --- modes: what `sohoa restore --mode` and the OCR post-correction call ------------------

MODES = ("auto", "stripped", "garbled", "ocr")


def _valid_words() -> tuple[frozenset[str], frozenset[str]]:
    """The language model's syllables, and their diacritic-free skeletons (no channel needed)."""
    from diacritics import model as lm_model
    valid, _index, _count, skeletons = _lexicon(lm_model.load_model())
    return valid, skeletons


# An unmarked word is "stripped" evidence when the corpus writes its letters this way at most
# this share of the time (nghia: 0 of the nghĩa/nghía …; cach, hanh, ke) and they are common
# enough to judge by (a few hundred uses or more).
STRIPPED_SHARE = 0.02
STRIPPED_MIN_COUNT = 500


@functools.lru_cache(maxsize=1)
def _stripped_words() -> frozenset[str]:
    """Unmarked spellings whose words the corpus practically always writes with marks."""
    from diacritics import model as lm_model
    from diacritics.tone import strip_diacritics
    _valid, _index, count, _skeletons = _lexicon(lm_model.load_model())
    total: dict[str, int] = {}
    for w, n in count.items():
        total[strip_diacritics(w)] = total.get(strip_diacritics(w), 0) + n
    return frozenset(k for k, n in total.items()
                     if k.isascii() and n >= STRIPPED_MIN_COUNT and count.get(k, 0) <= STRIPPED_SHARE * n)


def _line_stats(lines: list[str], partly_stripped: bool = True) -> list:
    """``diacritics.detect.line_stats`` of each line, against the model's syllables.

    ``partly_stripped``: a marked line that lost some of its marks counts as stripped
    (not for our own OCR, whose ``vie`` channel reads a missing mark as the slip it is)."""
    valid, skeletons = _valid_words()
    stripped = _stripped_words().__contains__ if partly_stripped else (lambda w: False)
    return [line_stats(ln, lambda w: to_style(w, "new") in valid, skeletons.__contains__, stripped)
            for ln in lines]


def line_labels(lines: list[str], stats: list | None = None) -> list[str]:
    """clean / stripped / garbled for each line (see ``diacritics.detect``); ``stats``: the
    lines' :func:`_line_stats` when the caller has them already."""
    return classify_lines(_line_stats(lines) if stats is None else stats)


_INVISIBLE_IN_WORD = re.compile(r"(?<=[^\W\d_])[\u00ad\u200b-\u200d\u2060\ufeff]+(?=[^\W\d_])")


# A long text is repaired in blocks of about this many characters, cut between paragraphs:
# the repair holds every word's candidates of a block at once (a 39 KB report peaks at
# 0.56 GB, 784 KB at 6 GB), so a whole archive export would not fit in memory. The largest
# seed report is 58 KB: a report is still repaired whole, its document cache and phrases
# drawn from all of it.
DOCUMENT_BLOCK_CHARS = 100_000


def document_blocks(lines: list[str], limit: int) -> list[tuple[int, int]]:
    """``(first, end)`` line ranges of about ``limit`` characters, each ending at a blank line
    where one lies in the second half of the block (else at a line end); a single longer
    line is a block by itself."""
    blocks, first = [], 0
    while first < len(lines):
        size, end, blank = 0, first, None
        while end < len(lines) and (end == first or size + len(lines[end]) + 1 <= limit):
            size += len(lines[end]) + 1
            end += 1
            if not lines[end - 1].strip() and size > limit // 2:
                blank = end
        if end < len(lines) and blank is not None:
            end = blank
        blocks.append((first, end))
        first = end
    return blocks


def repair_document(text: str, mode: str = "auto", style: str = "new",
                    ocr_confidence: list[Spans | None] | None = None,
                    progress: Callable[[int], None] | None = None) -> Repaired:
    """Route each line to the right treatment and return the text with every change.

    * ``auto``     — detect per line: stripped lines get their marks restored,
      garbled lines are repaired with the wrong-language channel, and clean
      Vietnamese lines have only their non-words mended with the ``vie`` channel
      (``Luậi`` → ``Luật``; every common word is taken as typed);
    * ``stripped`` — every line is restored (the restoration engine alone);
    * ``garbled``  — every line is repaired as wrong-language OCR;
    * ``ocr``      — our own Tesseract ``vie`` output: like ``auto``, but clean
      lines are also checked with the ``vie`` channel (``Luậi`` → ``Luật``).

    ``ocr_confidence`` (``ocr`` mode): per line of ``text``, Tesseract's word spans
    ``(start, end, confidence)``; a valid word Tesseract was sure of is kept.

    The one change to the number of lines: an e-mail's quoted-printable soft line breaks and a
    header's folds are joined first (``escapes.unfold``); line numbers count the joined text.

    A text longer than ``DOCUMENT_BLOCK_CHARS`` is repaired block by block
    (``document_blocks``); ``progress``, if given, is called with the characters done after
    each block.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    from diacritics.escapes import fix_escapes, unfold
    # (a block or a long line's pieces may cut a run of escapes: these come first, on the whole)
    unfolded = unfold(text) if ocr_confidence is None else text   # (Tesseract's spans are per line)
    if progress is not None and len(unfolded) < len(text):
        progress(len(text) - len(unfolded))
    text, escaped = fix_escapes(unfolded)
    lines, origin = [], []   # the lines repaired, and where each starts in the text: (line, column)
    for i, line in enumerate(text.split("\n")):
        at = 0
        for piece in _line_pieces(line, LONG_LINE_CHARS):
            lines.append(piece)
            origin.append((i, at))
            at += len(piece)
    blocks = document_blocks(lines, DOCUMENT_BLOCK_CHARS) if len(text) > DOCUMENT_BLOCK_CHARS else [(0, len(lines))]
    out: list[str] = []
    changes: list[Change] = []
    kept: list[Change] = []
    cut_lines = any(at for _i, at in origin)   # Tesseract's spans are per line of the text

    def placed(c: Change, first: int) -> Change:
        i, at = origin[c.line - 1 + first]
        return dataclasses.replace(c, line=i + 1, col=c.col + at)

    for first, end in blocks:
        spans = None
        if ocr_confidence is not None and not cut_lines:
            spans = ocr_confidence[first:end]
        res = _repair_block("\n".join(lines[first:end]), mode, style, spans)
        out += res.text.split("\n")
        changes += [placed(c, first) for c in res.changes]
        kept += [placed(c, first) for c in res.kept]
        if progress is not None:
            # … each line of the text counted with its line break, at its first piece
            progress(sum(len(ln) for ln in lines[first:end]) + sum(1 for _i, at in origin[first:end] if not at))
    joined: list[str] = []
    for piece, (_i, at) in zip(out, origin):
        if at:
            joined[-1] += piece
        else:
            joined.append(piece)
    if escaped:   # each line as its escapes read (unless a block also re-encoded it)
        recoded = {c.line for c in changes if c.reason == "encoding"}
        unescaped = text.split("\n")
        changes = sorted(changes + [Change(i + 1, 0, "(re-encoded)", unescaped[i].strip(), 1.0, "encoding")
                                    for i in escaped if i + 1 not in recoded], key=lambda c: (c.line, c.col))
    return Repaired("\n".join(joined), changes, kept)


# A line longer than this (a text exported without line breaks) is repaired as several,
# cut after a sentence's full stop (else after a space): the repair's rules look along the
# line before each word, so the first 20,000 characters of seed 003 on one line took 14 s
# (67 s before _mostly_upper was cached) where its own lines took 8.2 s; in pieces, 10.5 s.
LONG_LINE_CHARS = 2_000


def _line_pieces(line: str, limit: int) -> list[str]:
    """``line`` cut into pieces of at most ``limit`` characters, each ending after a full stop
    and its space where one lies in the piece's second half, else after a space."""
    pieces, at = [], 0
    while len(line) - at > limit:
        window = line[at:at + limit]
        cut = window.rfind(". ") + 2
        if cut <= limit // 2:
            cut = window.rfind(" ") + 1 or limit
        pieces.append(line[at:at + cut])
        at += cut
    pieces.append(line[at:])
    return pieces


def _repair_block(text: str, mode: str, style: str, ocr_confidence: list[Spans | None] | None) -> Repaired:
    """:func:`repair_document` on one block of text."""
    from diacritics.repair_encoding import changed_lines, fix_eth, fix_legacy, fix_mojibake
    from diacritics.split_syllables import (join_cut_syllables, join_spaced_letters, reattach_marks,
                                            split_glued_words)
    as_given = unicodedata.normalize("NFC", text)
    original = as_given.split("\n")   # what Tesseract's spans point into
    text = unicodedata.normalize("NFC", reattach_marks(text))
    marks_back = changed_lines(as_given, text)
    text, mojibake = fix_mojibake(text, _word_logprob)
    valid = _valid_words()[0]

    def is_word(w: str) -> bool:
        return to_style(w, "new") in valid

    text, legacy = fix_legacy(text, is_word)
    text, eth = fix_eth(text, is_word)
    # an invisible character inside a word (a soft hyphen, a zero-width space from a PDF or a
    # web page: Vi\u200bệt) splits it for every reader but the eye; only now, as mojibake
    # has soft hyphens of its own (í read as Windows-1252 is Ã and U+00AD)
    seen = _INVISIBLE_IN_WORD.sub("", text)
    invisible = changed_lines(text, seen)
    text = seen
    recoded = sorted(set(mojibake) | set(legacy) | set(eth))
    lost: list = []
    joined: list = []
    if mode != "ocr":   # an export that wrote ? for the letters its code page lacks (C?ng h?a)
        from diacritics.lost_letters import fix_dropped_letters, fix_lost_letters, fix_lost_stroke
        text, spaced = join_spaced_letters(text, is_word)   # … or set letter-spaced (B Á O   C Á O)
        text, glued = split_glued_words(text, is_word)      # … or lost its spaces (Ủybannhân)
        text, joined = join_cut_syllables(text, is_word)   # … or cut words at their marks (dụ ng)
        joined = spaced + glued + joined
        text, lost = fix_lost_letters(text, is_word, style)
        if not lost:   # … or dropped them without a mark (Cng hòa)
            text, lost = fix_dropped_letters(text, is_word, style)
        text, stroke = fix_lost_stroke(text, style)
        lost += stroke
    text = unicodedata.normalize("NFC", text)
    lines = text.split("\n")
    if mode == "stripped":
        labels = ["stripped"] * len(lines)
    elif mode == "garbled":
        labels = ["garbled"] * len(lines)
    else:
        stats = _line_stats(lines, partly_stripped=mode != "ocr")   # once: labels and page kind
        labels = line_labels(lines, stats)
    route = {"stripped": "restore", "garbled": "eng", "clean": "vie"}
    if mode == "ocr" and document_label(stats) != "garbled":
        route["garbled"] = "vie"   # a noisy line of our own OCR, not a wrong-language page
    targets = [route[lab] for lab in labels]
    if mode == "auto":
        # A clean line of a text we did not OCR is checked only where it is Vietnamese with its
        # marks (a quotation in English is not ours), and then every word that is a word stays
        # unless the model is all but sure (see repair_lines, trusted): Luậi, điễu are mended.
        targets = [t if lab != "clean" or st.marked else None for t, lab, st in zip(targets, labels, stats)]
    changes: list[Change] = []
    if mode == "auto":
        named, changes = _restore_names(lines, [i for i, t in enumerate(targets) if t == "vie"], style)
        lines = [named.get(i, ln) for i, ln in enumerate(lines)]
    out = list(lines)
    kept: list[Change] = []
    for target in ("restore", "eng", "vie"):
        idx = [i for i, t in enumerate(targets) if t == target and lines[i].strip()]
        if not idx:
            continue
        if target == "restore":
            fixed, part_changes = _restore_lines([lines[i] for i in idx], style)
            part_changes = [Change(idx[c.line - 1] + 1, c.col, c.before, c.after, c.confidence,
                                   c.reason) for c in part_changes]
        else:
            spans = None
            if ocr_confidence is not None and target == "vie":
                # a re-encoded line's offsets no longer match Tesseract's words
                spans = [sp if i < len(original) and original[i] == ln else None
                         for i, (ln, sp) in enumerate(zip(lines, ocr_confidence))]
            res = repair_lines(lines, target, style, only=set(idx), ocr_confidence=spans,
                               trusted=target == "vie" and mode != "ocr")
            out_lines = res.text.split("\n")   # once: splitting per line made long documents quadratic
            fixed, part_changes = [out_lines[i] for i in idx], res.changes
            kept += res.kept
        for k, i in enumerate(idx):
            out[i] = fixed[k]
        changes += part_changes
    # a garble no syllable explains, read from the same phrase elsewhere (-Chutr, phối hợp), or
    # as the heading its sequence misses there (Phanthitba after Phần thứ hai)
    from diacritics.phrases import CONFIDENCE, EDGE_PUNCTUATION, recall_codes, recall_headings, recall_phrases
    for recall, reason in ((recall_phrases, "phrase"), (recall_headings, "heading")):
        if not kept:
            break
        out, recalled = recall(out, [(c.line - 1, c.before) for c in kept])
        changes += [Change(i + 1, col, before, after, CONFIDENCE, reason) for i, col, before, after in recalled]
        read_so = {(i + 1, before) for i, _col, before, _after in recalled}
        kept = [c for c in kept if (c.line, c.before.strip(EDGE_PUNCTUATION)) not in read_so]
    # capitals kept as a code that the document's own phrase reads as a word (SG Nội vụ: Sở)
    garbled = {i for i, t in enumerate(targets) if t == "eng"}
    if garbled:
        rep = get_repairer("eng")
        out, recalled = recall_codes(out, garbled, lambda token: dict(rep.candidates(token)))
        changes += [Change(i + 1, col, before, after, CONFIDENCE, "phrase") for i, col, before, after in recalled]
    # OCR's heading numbers, read against the outline (9.1.1 for 5.1.1 between 4. and 6.)
    read = {i for i, t in enumerate(targets) if t == "eng" or (t == "vie" and mode == "ocr")}
    if read:
        from diacritics import numbering
        out, renumbered = numbering.fix_outline_numbers(out, editable=read)
        changes += [Change(i + 1, col, before, after, numbering.CONFIDENCE, "numbering")
                    for i, col, before, after in renumbered]
    changes += [Change(i + 1, 0, "(re-encoded)", lines[i].strip(), 1.0, "encoding") for i in recoded]
    changes += [Change(w.line + 1, w.col, w.before, w.after, w.confidence, reason)
                for reason, words in (("lost letter", lost), ("cut syllable", joined)) for w in words]
    changes += [Change(i + 1, 0, original[i].strip(), out[i].strip(), 1.0, "cut syllable") for i in marks_back]
    changes += [Change(i + 1, 0, original[i].strip(), out[i].strip(), 1.0, "artifact")
                for i in invisible if i not in marks_back and i not in recoded]
    changes.sort(key=lambda c: (c.line, c.col))
    return Repaired("\n".join(out), changes, kept)


def _word_logprob(before: str, word: str, after: str = "") -> float:
    """log P(word, next token | the three tokens before) under the restoration engine's model."""
    import numpy as np
    from diacritics.tokens import NONE, lm_ids
    from diacritics import model as lm_model
    lm = lm_model.load_model()
    wid = lm.index.get(to_style(word.lower(), "new"))
    if wid is None:
        return -25.0   # not a word the model knows (the <unk> class is far likelier than any one word)
    seq = ([NONE] * 3 + lm_ids(before, lm.index))[-3:] + [wid] + lm_ids(after, lm.index)[:1]
    grams = np.array([seq[i - 3:i + 1] for i in range(3, len(seq))], dtype=np.uint64)
    return float(lm.logprob(grams[:, 0], grams[:, 1], grams[:, 2], grams[:, 3]).sum())


# A name or place typed without its marks inside a line that has them (Kính gửi: BÀ TRAN THI
# BINH; ông Tran Quoc Tuan; Ủy ban nhân dân Tinh Binh Dinh): capitalised unmarked words in a
# row, each spelling some syllable, at least one of them a word that needs its marks.
_CAPITALISED_ASCII = re.compile(r"(?<![^\W_])[A-Z][A-Za-z]*(?![^\W_])")


def _unmarked_names(line: str) -> list[tuple[int, int]]:
    """Spans of the runs of two or more capitalised unmarked words in ``line`` that read as
    Vietnamese stripped of its marks (one of them is no word unmarked, or one the corpus
    practically always marks). The trusted reading of a clean line would mend such a run
    word by word, as far as it trusts each (TRẦN THI BINH); restored as one, it reads whole."""
    valid, skeletons = _valid_words()
    always_marked = _stripped_words()
    chains: list[list[re.Match]] = []   # capitalised words one space apart
    for m in _CAPITALISED_ASCII.finditer(line):
        if chains and line[chains[-1][-1].end():m.start()] == " ":
            chains[-1].append(m)
        else:
            chains.append([m])
    spans = []
    for chain in chains:
        shapes = [skeleton(m.group(0).lower()) in skeletons for m in chain]
        if any(not ok and not _acronym_like(m.group(0)) for m, ok in zip(chain, shapes)):
            continue   # Aung San Suu Kyi, Ho Chi Minh City: a foreign name, or one written so
        # an acronym in the chain is no part of the name beside it (UBND TINH BINH DINH)
        for ok, run in itertools.groupby(zip(chain, shapes), key=lambda ms: ms[1]):
            words = [m for m, _ok in run]
            low = [m.group(0).lower() for m in words]
            if ok and len(words) >= 2 and any(w not in valid or w in always_marked for w in low):
                spans.append((words[0].start(), words[-1].end()))
    return spans


def _acronym_like(word: str) -> bool:
    return word.isupper() and len(word) <= 6


def _restore_names(lines: list[str], idx: list[int], style: str) -> tuple[dict[int, str], list[Change]]:
    """Restore the unmarked names (``_unmarked_names``) of the lines ``idx``, each in its line's
    context; every other word stays as it is. Returns the changed lines by index and the changes."""
    found = {i: spans for i in idx if (spans := _unmarked_names(lines[i]))}
    if not found:
        return {}, []
    order = sorted(found)

    def as_names(i: int) -> str:   # TRAN THI BINH would pass for acronyms: Tran Thi Binh
        line = lines[i]
        for a, b in found[i]:
            line = line[:a] + " ".join(w.capitalize() for w in line[a:b].split(" ")) + line[b:]
        return line

    _restored, found_changes = _restore_lines([as_names(i) for i in order], style)
    out, changes = {}, []
    for c in sorted(found_changes, key=lambda c: (c.line, -c.col)):   # right to left: columns hold
        i = order[c.line - 1]
        if not any(a <= c.col < b for a, b in found[i]):
            continue   # a word outside the names: the line's own, typed as it is
        line = out.get(i, lines[i])
        source = line[c.col:c.col + len(c.before)]
        text = c.after.upper() if source.isupper() else c.after
        out[i] = line[:c.col] + text + line[c.col + len(source):]
        changes.append(Change(i + 1, c.col, source, text, c.confidence, "restore"))
    return out, changes


def _restore_lines(lines: list[str], style: str) -> tuple[list[str], list[Change]]:
    """The restoration engine on stripped lines, with its changes in our format."""
    from diacritics.restorer import restore_detailed
    text = "\n".join(lines)
    # every line here was judged stripped, mostly marked ones too (Các co quan, đơn vị …)
    res = restore_detailed(text, style=style, marked_lines=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)
    changes = []
    for w in res.words:
        if w.text != w.source:
            li = bisect.bisect_right(starts, w.start) - 1   # the line holding the word
            changes.append(Change(li + 1, w.start - starts[li], w.source, w.text, w.confidence, "restore"))
    return res.text.split("\n"), changes


def correct_ocr_text(raw: str, ocr_confidence: list[Spans | None] | None = None) -> str:
    """Post-correction of one page of our own OCR output (``ocr`` mode); lines kept one to one.

    ``ocr_confidence``: Tesseract's word spans and confidences per line (see ``repair_document``).
    """
    return repair_document(raw, mode="ocr", ocr_confidence=ocr_confidence).text
