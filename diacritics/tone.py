"""Vietnamese letters, tones and tone placement: the text-level primitives.

Everything here is table-driven and model-free, so other stages (OCR repair,
tables) can import it without loading the language model.

Tone placement styles (where the mark sits in open ``oa``/``oe``/``uy``):

* ``"new"`` (default): ``hòa``, ``khỏe``, ``thủy`` — mark on the first vowel,
  the spelling most current administrative documents use;
* ``"old"``: ``hoà``, ``khoẻ``, ``thuỷ`` — mark on the second vowel.

Only those three open rhymes differ between the styles; ``hoàn``, ``quý``,
``hoài`` are spelt the same in both.
"""
from __future__ import annotations

import re
import unicodedata

STYLES = ("new", "old")

# Combining marks: the five tones and the three vowel marks.
_TONE_MARKS = "\u0301\u0300\u0309\u0303\u0323"  # sắc huyền hỏi ngã nặng
_TONE_SET = frozenset(_TONE_MARKS)
_VOWELS = "aăâeêioôơuưy"
_BASE_LETTERS = _VOWELS + "đ"


def nfc(text: str) -> str:
    """NFC-normalise (precomposed letters); every stage works on NFC text."""
    return unicodedata.normalize("NFC", text)


def _build_tables():
    split: dict[str, tuple[str, int]] = {}   # toned letter -> (untoned letter, tone 1..5)
    join: dict[tuple[str, int], str] = {}    # inverse
    strip: dict[int, str] = {}               # any Vietnamese letter -> ASCII letter
    for base in _VOWELS:
        for upper in (False, True):
            b = base.upper() if upper else base
            plain = unicodedata.normalize("NFD", b)[0]
            for tone in range(6):
                ch = b if tone == 0 else unicodedata.normalize("NFC", b + _TONE_MARKS[tone - 1])
                assert len(ch) == 1, (b, tone)
                if tone:
                    split[ch] = (b, tone)
                join[(b, tone)] = ch
                if ch != plain:
                    strip[ord(ch)] = plain
    strip[ord("đ")] = "d"
    strip[ord("Đ")] = "D"
    return split, join, strip


_SPLIT, _JOIN, _STRIP = _build_tables()
_VIET_LETTERS = frozenset(_SPLIT) | frozenset(k for k, _ in _JOIN) | {"đ", "Đ"}


def is_vietnamese_letter(ch: str) -> bool:
    """A letter Vietnamese is written in: a–z, đ and the marked vowels, either case (not ö, ş, ł)."""
    return ch in _VIET_LETTERS or (len(ch) == 1 and ch.isascii() and ch.isalpha())


def strip_diacritics(text: str) -> str:
    """Remove tones and vowel marks (``đ``→``d``), keeping case and everything else.

    ``"Kế hoạch số 04/KH-UBND"`` → ``"Ke hoach so 04/KH-UBND"``. Input is
    NFC-normalised first, so decomposed marks are removed too.
    """
    return nfc(text).translate(_STRIP)


def has_diacritics(word: str) -> bool:
    """True if any letter carries a tone, a vowel mark or is ``đ``."""
    return word.translate(_STRIP) != word


def split_tone(syllable: str) -> tuple[str, int]:
    """``"hoà"`` → ``("hoa", 2)``: the syllable without its tone, and the tone.

    Tones: 0 none, 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng. A malformed word with
    several tone marks reports the last one and loses all of them.
    """
    tone = 0
    out = []
    for c in syllable:
        got = _SPLIT.get(c)
        if got is None:
            out.append(c)
        else:
            out.append(got[0])
            tone = got[1]
    return "".join(out), tone


def _vowel_span(base: str) -> tuple[int, int]:
    """Index range of the vowel nucleus of a toneless lowercase syllable."""
    start = 0
    if base.startswith("qu") and len(base) > 2 and base[2] in _VOWELS:
        start = 2
    elif base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS:
        start = 2
    while start < len(base) and base[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(base) and base[end] in _VOWELS:
        end += 1
    return start, end


def tone_index(base: str, style: str = "new") -> int:
    """Index of the letter that carries the tone in a toneless syllable ``base``.

    Returns -1 when ``base`` has no vowel. Case-insensitive.
    """
    low = base.lower()
    start, end = _vowel_span(low)
    if start == end:
        # "gi"/"gì" and "qu" alone: the i/u is the nucleus.
        if low in ("gi", "qu"):
            return 1
        return -1
    nucleus = low[start:end]
    marked = [i for i, c in enumerate(nucleus) if c in "ăâêôơư"]
    if marked:
        return start + marked[-1]
    if len(nucleus) == 1:
        return start
    if end < len(low) or len(nucleus) == 3:
        # closed syllable (hoàn, tuyến) or a three-vowel nucleus (hoài, khuya)
        return start + (len(nucleus) - 1 if end < len(low) else 1)
    if nucleus in ("oa", "oe", "uy"):
        return start + (0 if style == "new" else 1)
    return start


def place_tone(base: str, tone: int, style: str = "new") -> str:
    """Put ``tone`` (0–5) on the right letter of the toneless syllable ``base``."""
    if tone == 0:
        return base
    i = tone_index(base, style)
    if i < 0:
        return base
    return base[:i] + _JOIN.get((base[i], tone), base[i]) + base[i + 1:]


# --- tone-placement style -------------------------------------------------------
_TONED = {t: "".join(sorted(ch for ch, (b, tt) in _SPLIT.items() if b.lower() == t))
          for t in "aeoyu"}
# new → old: tone on the first vowel of an open oa/oe/uy (not the u of "qu").
_TO_OLD = re.compile(
    rf"(?<![\w])([^\W\d_]*?)(?:([{_TONED['o']}])([aAeE])|(?<![qQ])([{_TONED['u']}])([yY]))(?!\w)")
_TO_NEW = re.compile(
    rf"(?<![\w])([^\W\d_]*?)(?:([oO])([{_TONED['a']}{_TONED['e']}])|(?<![qQ])([uU])([{_TONED['y']}]))(?!\w)")


def _move(first: str, second: str, to_first: bool) -> str:
    if to_first:
        b2, tone = _SPLIT[second]
        return _JOIN[(first, tone)] + b2
    b1, tone = _SPLIT[first]
    return b1 + _JOIN[(second, tone)]


def _only_consonants(prefix: str) -> bool:
    return not any(c.lower() in _VOWELS or c in _SPLIT for c in prefix)


def to_style(text: str, style: str = "new") -> str:
    """Rewrite tone placement of open ``oa``/``oe``/``uy`` to ``style``.

    ``to_style("Hoà bình, khoẻ, thuỷ lợi", "new")`` → ``"Hòa bình, khỏe, thủy lợi"``.
    Nothing else changes (case, spacing, other words).
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, not {style!r}")
    text = nfc(text)
    pattern, to_first = (_TO_NEW, True) if style == "new" else (_TO_OLD, False)

    def fix(m: re.Match) -> str:
        prefix = m.group(1)
        if not _only_consonants(prefix):
            return m.group(0)
        a, b = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        return prefix + _move(a, b, to_first)

    return pattern.sub(fix, text)


# --- syllable validity ------------------------------------------------------------
ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"   # a syllable's first consonants
# The rhymes of standard orthography (from the hunspell vi_VN syllable list,
# minus loanwords), without tone.
_RHYMES = (
    "a ac ach ai am an ang anh ao ap at au ay e ec em en eng eo ep et i ia ich im in inh ip "
    "it iu iêc iêm iên iêng iêp iêt iêu o oa oac oach oai oam oan oang oanh oao oap oat oay "
    "oc oe oen oeo oet oi om on ong ooc oong op ot oăc oăm oăn oăng oăt u ua uc ui um un ung "
    "up ut uy uya uych uyn uynh uyt uyu uyên uyêt uân uâng uât uây uê uêch uênh uôc uôi uôm "
    "uôn uông uôt uơ y yêm yên yêng yêt yêu âc âm ân âng âp ât âu ây ê êc êch êm ên êng ênh "
    "êp êt êu ô ôc ôi ôm ôn ông ôp ôt ăc ăm ăn ăng ăp ăt ơ ơi ơm ơn ơp ơt ư ưa ưc ưi ưm ưn "
    "ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu"
).split()
_SYLLABLE_RE = re.compile(rf"(?:{ONSETS})?(?:{'|'.join(sorted(_RHYMES, key=len, reverse=True))})")
_STOP_CODA = ("c", "ch", "p", "t")


def is_syllable(word: str) -> bool:
    """True if ``word`` is a well-formed Vietnamese syllable (any case, NFC).

    Checks onset + rhyme against standard orthography, at most one tone mark,
    the tone on the letter the spelling rules allow (either style), and that
    stop-final rhymes (-c, -ch, -p, -t) carry sắc or nặng (``lục``, never ``luc``).
    """
    low = word.lower()
    if not low:
        return False
    tones = sum(1 for c in low if c in _SPLIT)
    if tones > 1:
        return False
    base, tone = split_tone(low)
    if not _SYLLABLE_RE.fullmatch(base):
        return False
    if base.endswith(_STOP_CODA) and tone not in (1, 5):
        return False
    if tone:
        i = next(i for i, c in enumerate(low) if c in _SPLIT)
        if i not in (tone_index(base, "new"), tone_index(base, "old")):
            return False
    return True
