"""Decide, line by line, whether Vietnamese text is clean, stripped or garbled.

* ``clean``    — marks present and the words are valid syllables: leave it alone;
* ``stripped`` — plain ASCII whose words are valid once marks are added
  (``Uy ban nhan dan tinh``): diacritic restoration;
* ``garbled``  — wrong-language OCR: marks turned into look-alikes or digits
  (``Chwong trinh tong thé``, ``S6``, ``ctia``): OCR repair.

Lines with little evidence (a heading, a number) take the label of the text
around them, so ``KE HOACH`` in an English-OCR'd plan is repaired with the rest.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from diacritics.confusion import skeleton, split_edge_punct
from diacritics.restorer import EMAIL
from diacritics.tone import ONSETS

CLEAN, STRIPPED, GARBLED = "clean", "stripped", "garbled"
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Look-alikes that wrong-language OCR leaves inside words.
_GARBLE_CHARS = re.compile(r"[wW€¢§&@|}{\];_]|[a-zA-Z][0-9]|[0-9][a-zA-Z]")
_ROMAN = re.compile(r"[IVXLC]+")
# English OCR of capitals prints a mark above as ! or a small letter: TRONG THO! GIAN (THỜI),
# ĐIỀU TR! BẰNG (TRỊ), CHi ĐỊNH (CHỈ), TiCH (TÍCH); a stop mid-line and one small letter inside
# a word of capitals are no typing. Without them English OCR of a text in capitals, which
# loses nearly every mark, read as plain stripped text and missed the channel's repairs.
_CAPS_SLIP = re.compile(r"[A-ZĐ]{1,6}!|[A-ZĐ]+[a-z][A-ZĐ]*")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+")
# The first letters of a syllable: an onset and vowels (w: the ư English OCR prints so).
_SYLLABLE_OPENING = re.compile(rf"(?:{ONSETS})?[aeiouyw]{{0,3}}")
# A word English OCR printed with a digit for its vowel (s6, ngw6i, vi6c: số, người, việc) has
# such letters before the digit; a model's or a channel's name (IPv6, VTV3, MP3, Win10) has not.
_BEFORE_DIGIT = re.compile(r"[^\W\d_]+(?=\d)")
_EMAIL = re.compile(EMAIL)
MIN_EVIDENCE = 3  # word tokens a line needs to decide by itself
MARKED_SHARE = 0.4   # a line with marks on this share of its words is marked text
# Function words of the languages a Vietnamese report quotes that spell no Vietnamese syllable
# (the, et, con, che do): two of them, a fifth of a line's words, make it a foreign line.
_FOREIGN = frozenset("des est une pour avec dans sur aux les par sont ces leur nous vous pas mais avant "
                     "and of with for from this is are were which have has been their will would "
                     "der die das und ist nicht eine auf wird "
                     "el los las del por para una como pero il della per sono gli nel".split())
FOREIGN_MIN = 2
FOREIGN_SHARE = 0.2
# a marked line is partly stripped with this many words (and this share) the corpus always marks
PARTLY_STRIPPED_MIN = 2
PARTLY_STRIPPED_SHARE = 0.08
SOME_MARKED_MIN = 2   # marked words that make a line under MARKED_SHARE Vietnamese with marks
PARTLY_STRIPPED_LINES = 5      # … and a text with this many such lines,
PARTLY_STRIPPED_TEXT = 0.2     # this share of its marked lines, lost marks throughout
PARTLY_STRIPPED_WORDS = 10     # … as does one whose marked lines have this many words the corpus
PARTLY_STRIPPED_RATE = 0.008   # always marks, at this rate
# Marked letters an English-language OCR can print; Vietnamese needs many more (ư, ơ, ộ, ả …).
_LATIN1 = set("abcdefghijklmnopqrstuvwxyzàáâãäåçèéêëìíîïñòóôõöùúûüýÿ")


@dataclass
class LineStats:
    words: int = 0
    accented_valid: int = 0    # valid syllables carrying marks
    ascii_plausible: int = 0   # ASCII words that are a valid syllable's skeleton
    accented_invalid: int = 0  # carries marks yet is no syllable (``tién``, ``nwéc``)
    lookalike: int = 0         # digits/symbols inside a word, ``w`` for ``ư``
    ascii_invalid: int = 0     # ASCII words no syllable spells (``dugc``, ``cdng``)
    viet_marked: int = 0       # valid words with a letter English OCR cannot print (ư, ộ, ả …)
    stripped: int = 0          # distinct ASCII words the corpus practically always writes marked (nghia, cach)
    foreign: int = 0           # distinct function words of other languages (des, the … see _FOREIGN)
    near_caps: frozenset = frozenset()   # words in capitals one letter off a syllable (HIBU, DIRU)

    @property
    def garble(self) -> int:
        """Signs of wrong-language OCR proper (English words are not)."""
        return self.accented_invalid + self.lookalike

    @property
    def vietnamese(self) -> bool:
        """Enough words read as Vietnamese (marked or not) for any treatment to apply."""
        return self.ascii_plausible + self.accented_valid + self.lookalike >= 0.4 * self.words

    @property
    def foreign_quote(self) -> bool:
        """Enough function words of other languages: a French or English quotation."""
        return self.foreign >= FOREIGN_MIN and self.foreign >= FOREIGN_SHARE * self.words

    @property
    def marked(self) -> bool:
        """Clean Vietnamese marks ~85-90 % of its words; wrong-language OCR a few per cent."""
        return self.accented_valid >= MARKED_SHARE * self.words

    def lost_marks(self, least: int, share: float = 0.0) -> bool:
        """Did the line lose some marks: ``least`` such words (and ``share`` of its words), and
        fewer foreign ones (a name such as duc de Noailles is meant unmarked; capitals, Suu Kyi,
        are not counted)?"""
        return self.stripped >= least and self.stripped >= share * self.words \
            and not self.garble and self.ascii_invalid < self.stripped

    @property
    def bad(self) -> int:
        return self.garble + self.ascii_invalid

    def label(self) -> str | None:
        if self.words < MIN_EVIDENCE:
            return None
        if self.foreign_quote:
            return CLEAN   # not ours to change
        # Wrong-language OCR marks a few per cent of its words (and those mostly by chance:
        # thé, két). A well-marked line with a slip or two is our own OCR with errors, still
        # "clean" …
        if self.marked:
            # … unless it lost the marks of some of its words (Các co quan, don vị … cải cach)
            return STRIPPED if self.lost_marks(PARTLY_STRIPPED_MIN, PARTLY_STRIPPED_SHARE) else CLEAN
        bad = self.bad
        if not self.vietnamese:
            return CLEAN   # mostly not Vietnamese at all (a Spanish title, a formula): leave it
        if bad >= max(1, 0.12 * self.words):
            return GARBLED
        if self.accented_valid <= 0.1 * self.words and self.ascii_plausible >= 0.6 * self.words:
            return STRIPPED
        if not bad and self.accented_valid >= SOME_MARKED_MIN and self.lost_marks(PARTLY_STRIPPED_MIN):
            return STRIPPED   # some words marked, and some the corpus always marks left bare
        return GARBLED if bad else CLEAN


def opens_syllable(letters: str) -> bool:
    """Can ``letters`` be the first letters of a syllable (``ngw``, ``vi``, ``s``; not ``VTV``)?"""
    return _SYLLABLE_OPENING.fullmatch(skeleton(letters.lower())) is not None


def named_with_digit(token: str) -> bool:
    """``IPv6``, ``VTV3``: letters no syllable opens with, then a digit (see ``_BEFORE_DIGIT``)."""
    before = _BEFORE_DIGIT.match(token)
    return before is not None and not opens_syllable(before.group(0))


def line_stats(line: str, is_valid: Callable[[str], bool], is_skeleton: Callable[[str], bool],
               is_stripped: Callable[[str], bool] = lambda w: False) -> LineStats:
    """Counts of one line's words by kind; ``is_stripped``: an ASCII word the corpus always marks."""
    st = LineStats()
    stripped: set[str] = set()
    foreign: set[str] = set()
    near_caps: set[str] = set()
    tokens = line.split()
    letters = [c for c in line if c.isalpha()]
    # in a line in capitals a word in capitals is no name by its case (DOANH NGHIỆP PHAI DAP UNG;
    # a heading of two words or more: QUYET DINH)
    worded = sum(1 for t in tokens if _HAS_LETTER.search(t))
    in_capitals = (len(letters) >= 10 or worded >= 2) and sum(c.isupper() for c in letters) >= 0.9 * len(letters)
    for i, raw in enumerate(tokens):
        core = split_edge_punct(raw)[1]
        if not core or not _HAS_LETTER.search(core) or "/" in core or _ROMAN.fullmatch(core) \
                or _EMAIL.fullmatch(core) or named_with_digit(core):
            continue  # numbers, document codes (30c/NQ-CP), Roman numerals, addresses, IPv6
        if _CAPS_SLIP.fullmatch(raw) and (raw[-1] != "!" or i + 1 < len(tokens)) \
                and sum(c.isupper() for c in raw) >= 2 - (raw[-1] == "!"):
            st.words += 1
            st.lookalike += 1   # THO! GIAN, ĐIỀU TR! BẰNG, CHi ĐỊNH: English OCR of a capital's mark
            continue
        if core.isupper() and len(core) >= 2 and not is_skeleton(skeleton(core)) and not is_valid(core.lower()):
            if _near_syllable_caps(core, is_skeleton):
                near_caps.add(core)
            continue  # acronyms and codes (UBND, CCHC) say nothing either way
        st.words += 1
        low = core.lower()
        if low in _FOREIGN:
            foreign.add(low)
        if _IDENTIFIER.fullmatch(core.strip("`'\"")):
            st.ascii_invalid += 1   # drop_specks, MAX_WORDS: a name in code, not a garbled word
        elif _GARBLE_CHARS.search(core) and sum(c.isdigit() for c in core) < 2 \
                and not (core.isupper() and len(core) > 2) \
                and (_GARBLE_CHARS.search(core.replace("w", "").replace("W", "")) or _w_for_u(low, is_skeleton)):
            # 2133MHz, LPDDR3 are names; a w counts only where it reads as ư (Chwong: chương,
            # not who, World)
            st.lookalike += 1
        elif low.isascii():
            if is_skeleton(low):
                st.ascii_plausible += 1
                if is_stripped(low) and (core.islower() or (in_capitals and core.isupper())):
                    # … elsewhere a capital may be a name's (San, Suu)
                    stripped.add(low)
            else:
                st.ascii_invalid += 1
        elif is_valid(low):
            st.accented_valid += 1
            if any(c not in _LATIN1 for c in low):
                st.viet_marked += 1
        else:
            st.accented_invalid += 1
    st.stripped = len(stripped)   # one word repeated (ho gà … ho gà) is a word meant that way
    st.foreign = len(foreign)
    st.near_caps = frozenset(near_caps)
    return st


def _near_syllable_caps(core: str, is_skeleton: Callable[[str], bool]) -> bool:
    """A word in capitals, with a vowel, one letter off a syllable's letters: English OCR's
    reading of a marked capital (HIBU for HIỆU, DIRU for ĐIỀU, TUQONG for TƯỢNG)."""
    if not (4 <= len(core) <= 7 and core.isalpha() and core.isascii() and re.search("[AEIOUY]", core)):
        return False
    low = core.lower()
    for i in range(len(low)):
        if is_skeleton(low[:i] + low[i + 1:]) or any(
                c != low[i] and is_skeleton(low[:i] + c + low[i + 1:]) for c in _SKELETON_LETTERS):
            return True
    return False


_SKELETON_LETTERS = "abcdeghiklmnopqrstuvxy"


def _w_for_u(low: str, is_skeleton: Callable[[str], bool]) -> bool:
    """Does the word read as a syllable with its w as u or uo (chwong, nwoc, tw)?"""
    letters = re.sub(r"[^a-zw]", "", low)
    return any(is_skeleton(letters.replace("w", sub)) for sub in ("u", "uo", "o"))


def classify_lines(stats: Sequence[LineStats]) -> list[str]:
    """One label per line (given each line's :func:`line_stats`); lines without enough
    evidence inherit from their neighbours."""
    labels: list[str | None] = [s.label() for s in stats]
    doc = document_label(stats)
    decided = [i for i, lab in enumerate(labels) if lab is not None]
    out = []
    for i, lab in enumerate(labels):
        if lab is None:
            st = stats[i]
            mark_less = st.words and st.ascii_plausible == st.words
            if mark_less and doc != CLEAN:
                lab = doc   # a short mark-less line (KE HOACH) in a stripped or garbled text
            elif mark_less and st.stripped:
                lab = STRIPPED   # … or in a clean one, where a word of it is one always marked (QUYET DINH)
            elif not st.words:
                lab = CLEAN if doc == CLEAN else doc
            else:
                # nearest decided line, else the document's majority
                near = min(decided, key=lambda j: abs(j - i)) if decided else None
                lab = labels[near] if near is not None and abs(near - i) <= 3 else doc
                if doc == GARBLED and st.bad:
                    lab = GARBLED
        out.append(lab)
    # In a wrong-language export, mark-less lines are garbled text that happens
    # to carry no look-alikes: repair them with the same channel.
    if doc == GARBLED:
        out = [GARBLED if lab == STRIPPED or (lab == CLEAN and st.viet_marked < 0.2 * st.words
                                              and not st.foreign_quote)
               else lab for lab, st in zip(out, stats)]
    elif doc == STRIPPED:
        # In a text that lost its marks, a line whose only odd words are no syllable at all
        # (e-Gov, iGate, VNeID) names things; English OCR would have left look-alikes too.
        out = [STRIPPED if lab == GARBLED and not st.garble else lab for lab, st in zip(out, stats)]
    elif doc == CLEAN:
        # In well-marked text a lone "garbled" line is mostly a name list or a
        # formula; it takes strong evidence to treat it as a wrong-language export.
        out = [CLEAN if lab == GARBLED and not _strongly_garbled(st) else lab
               for lab, st in zip(out, stats)]
        # A text whose marked lines lost marks here and there, as a whole (PARTLY_STRIPPED_TEXT
        # of them show it): its other lines with such a word lost them too.
        # Either enough lines show it, or its marked lines have such words too often for clean
        # text (clean text: up to 4 per 1,000 words, in news with foreign names; 2 % of the
        # words stripped at random: 11 per 1,000).
        marked = [i for i, st in enumerate(stats) if st.words >= MIN_EVIDENCE and st.marked]
        partly = [i for i in marked if out[i] == STRIPPED]
        words = sum(stats[i].words for i in marked)
        rare = sum(stats[i].stripped for i in marked)
        if (len(partly) >= PARTLY_STRIPPED_LINES and len(partly) >= PARTLY_STRIPPED_TEXT * len(marked)) or \
                (rare >= PARTLY_STRIPPED_WORDS and rare >= PARTLY_STRIPPED_RATE * words):
            out = [STRIPPED if lab == CLEAN and st.lost_marks(1) and not st.foreign_quote else lab
                   for lab, st in zip(out, stats)]
    return out


def _strongly_garbled(st: LineStats) -> bool:
    # … and no word with a letter English OCR cannot print: "José Iván Gutiérrez, tay đua xe
    # đạp" is a clean line with foreign names, not a wrong-language export
    return st.words >= 5 and st.garble >= 0.25 * st.words and not st.viet_marked


# A text that lost the marks of many words (unmarked words the corpus always marks) and kept
# broken ones (kiêm, tât) went through a Western code page's best-fit mapping (Việt → Viet,
# hòa kept): wrong-language repair reads both kinds. Shares of the words, lost and broken:
# clean text has under 0.2 % and 1.1 % (Wikipedia's foreign names), a text with 20 % of its
# words stripped 11.5 % and 0.1 %; best-fit exports 30–35 % and 1.8–4 % (Windows-1250 keeps
# more marks whole than Windows-1252).
LOST_WITH_GARBLE = ((0.05, 0.02), (0.20, 0.01))


# Garbled words that make a mark-less text wrong-language OCR. Four devset pages in capitals,
# OCR'd with -l eng: 76 word errors of 882 read as stripped text, 50 read so. 30 stripped devset
# documents: none crosses it (an e-mail address or a 4G is a look-alike too). The channel reads
# stripped text a little worse than the restorer: 19 against 14 errors on 958 stripped words.
STRIPPED_GARBLE_MIN = 2
STRIPPED_GARBLE_SHARE = 0.005
# … or this many different words in capitals one letter off a syllable (DIBU, DIRU, HIBU), at
# the same share: a page in capitals can show nothing else (50 → 42 errors on the four pages).
# Acronyms and foreign words with a vowel count too: the seed reports typed in capitals and
# stripped have up to three (001: PAKN, TOKEN, VUOI in 6,524 words; 002: KIOT, SCAN), which
# the share keeps out; a short text needs three different ones.
NEAR_CAPS_MIN = 3


def document_label(stats: Sequence[LineStats]) -> str:
    words = sum(s.words for s in stats) or 1
    garble = sum(s.garble for s in stats)
    viet = sum(s.ascii_plausible + s.accented_valid + s.lookalike for s in stats)
    if garble >= 0.05 * words and viet >= 0.4 * words and sum(s.accented_valid for s in stats) < 0.5 * words:
        return GARBLED
    stripped = sum(s.stripped for s in stats)
    if viet >= 0.4 * words and any(stripped >= lost * words and garble >= broken * words
                                   for lost, broken in LOST_WITH_GARBLE):
        return GARBLED
    if sum(s.accented_valid for s in stats) <= 0.1 * words and \
            sum(s.ascii_plausible for s in stats) >= 0.5 * words:
        # … unless some words show English OCR's garbles: OCR of text in capitals loses
        # nearly every mark and looks stripped (TRONG THO! GIAN, CO sé), and the channel
        # reads both kinds
        near = len(frozenset().union(*(s.near_caps for s in stats)))
        share = STRIPPED_GARBLE_SHARE * words
        return GARBLED if garble >= max(STRIPPED_GARBLE_MIN, share) or near >= max(NEAR_CAPS_MIN, share) \
            else STRIPPED
    return CLEAN
