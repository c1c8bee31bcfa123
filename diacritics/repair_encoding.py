"""Undo mojibake: UTF-8 Vietnamese that was read as Windows-1252 or Latin-1 along the way.

``Bá»™ TÃ i chÃ­nh`` → ``Bộ Tài chính``. This garbling is common in archives
that passed through an old database or e-mail system, and no amount of
language modelling recovers it word by word, while re-encoding recovers it
exactly. A line is only replaced when it decodes cleanly as UTF-8, so clean
Vietnamese (whose letters such as ố have no single-byte form) is never touched.

Windows-1252 leaves five bytes undefined (81, 8D, 8F, 90, 9D); a decoder shows
them as U+FFFD and the byte is lost. It is put back as the one that makes the
word a common Vietnamese word (``Vá»�`` → ``Về``, E1 BB 81).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Windows-1252 bytes 0x80–0x9F, by the character they show as.
_CP1252_HIGH = {ch: bytes([b]) for b in range(0x80, 0xA0)
                for ch in [bytes([b]).decode("cp1252", errors="ignore")] if ch}
_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
# What a UTF-8 lead byte of Vietnamese (C3, C4, C6, E1…) turns into, followed by a continuation.
_MARKERS = re.compile(r"[ÂÃÄÅÆáâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                      r"\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac"
                      r"\u2122\ufffd]")
_LOST = -1


def looks_mojibake(line: str) -> bool:
    return bool(_MARKERS.search(line))


def _to_bytes(text: str) -> list[int] | None:
    """Byte values, with ``_LOST`` where an undefined byte was replaced by U+FFFD."""
    out: list[int] = []
    for ch in text:
        o = ord(ch)
        if o < 0x100:
            out.append(o)
        elif ch in _CP1252_HIGH:
            out.append(_CP1252_HIGH[ch][0])
        elif ch == "\ufffd":
            out.append(_LOST)
        else:
            return None
    return out


def _decode(values: list[int]) -> str | None:
    try:
        return bytes(values).decode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return None


def fix_line(line: str, word_score: Callable[[str], float] | None = None) -> str | None:
    """The line re-decoded as UTF-8, or None when it is not (recoverable) mojibake.

    ``word_score(text_before, word, text_after)`` rates a candidate word in its context
    (higher is better); it decides which undefined byte was lost.
    """
    if not looks_mojibake(line):
        return None
    values = _to_bytes(line)
    if values is None:
        return None
    lost = [i for i, v in enumerate(values) if v == _LOST]
    for i in lost:
        values[i] = _UNDEFINED[0]
    for i in lost:
        best, best_score = None, float("-inf")
        for b in _UNDEFINED:
            values[i] = b
            text = _decode(values)
            if text is None:
                continue
            score = _score_at(values, i, text, word_score)
            if score > best_score:
                best, best_score = b, score
        if best is None:
            return None
        values[i] = best
    fixed = _decode(values)
    if fixed is None or len(_MARKERS.findall(fixed)) >= len(_MARKERS.findall(line)):
        return None
    return fixed


def _score_at(values: list[int], i: int, text: str, word_score) -> float:
    """How good the character decoded at byte ``i`` is, and the word around it."""
    pos = len(bytes(values[:i]).decode("utf-8", errors="ignore"))
    pos = min(pos, len(text) - 1)
    ch = text[pos]
    from diacritics.tone import has_diacritics
    score = 0.0
    if unicodedata.category(ch)[0] in "CZ":
        score -= 10   # a control or format character is never what was meant
    if ch.isalpha() and not has_diacritics(ch):
        score -= 5    # Ð, č: not Vietnamese
    if ch == "”":
        score += 1    # the closing quote, far commoner than the hyphen U+2010
    if word_score is not None and ch.isalpha():
        m = re.search(r"[^\W\d_]*$", text[:pos])
        n = re.match(r"[^\W\d_]*", text[pos + 1:])
        score += word_score(text[:m.start()], m.group(0) + ch + n.group(0),
                            text[pos + 1 + n.end():])
    return score


def fix_mojibake(text: str, word_score: Callable[[str], float] | None = None) -> tuple[str, list[int]]:
    """Text with mojibake lines repaired, and the (0-based) indexes of the lines that changed."""
    lines = text.split("\n")
    changed = []
    for i, line in enumerate(lines):
        fixed = fix_line(line, word_score)
        if fixed is not None:
            lines[i] = fixed
            changed.append(i)
    return "\n".join(lines), changed


# --- legacy 8-bit Vietnamese encodings -----------------------------------------------
# Text typed in the pre-Unicode fonts (.VnTime = TCVN3/ABC, VNI-Times = VNI) and
# exported without its font comes out as Latin-1 look-alikes:
#   TCVN3: "Céng hoµ x· héi chñ nghÜa ViÖt Nam"
#   VNI:   "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"
# Both are undone by table; a line is converted only when the result reads as
# Vietnamese (most words valid syllables) and the original did not.

_TCVN3 = dict(zip(
    "¨©ª«¬\xad®¡¢£¤¥¦§µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖ×ØÜÝÞßáâãäåæçèéêëìíîïñòóôõö÷øùúûüýþ",
    "ăâêôơưđĂÂÊÔƠƯĐàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"))
_TCVN3_TRANS = str.maketrans(_TCVN3)

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT, _CIRC, _BREVE = ("\u0301", "\u0300", "\u0309", "\u0303",
                                                      "\u0323", "\u0302", "\u0306")
# VNI writes a base letter followed by mark characters.
_VNI_TONE = dict(zip("ùøûõïÙØÛÕÏ", [_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT] * 2))
_VNI_CIRC = dict(zip("âáàåãäÂÁÀÅÃÄ", ["", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT] * 2))   # after a, e, o
_VNI_BREVE = dict(zip("êéèúüëÊÉÈÚÜË", ["", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT] * 2))  # after a
_VNI_SINGLE = dict(zip("ôÔöÖñÑæÆóÓòÒîÎ", "ơƠưƯđĐỉỈĩĨịỊỵỴ"))
_TCVN3_SIGNATURE = re.compile("[\\w][¨©ª«¬\xad®¡¢£¤¥¦§µ¶·¸¹»¼½¾×]|[¨©ª«¬\xad®¡¢£¤¥¦§µ¶·¸¹»¼½¾×][\\w]")
_VNI_SIGNATURE = re.compile(r"[aeoAEO][âáàåãäÂÁÀÅÃÄ]|[aA][êéèëÊÉÈË]|[aeiouyöôAEIOUYÖÔ][ùøûõïÙØÛÕÏ]|ñ|Ñ")
# Letters only real Unicode Vietnamese has: their presence rules both encodings out.
_REAL_VIET = re.compile("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹơưăđƠƯĂĐ]", re.I)


def tcvn3_to_unicode(text: str) -> str:
    """Decode TCVN3. Its capitals with tones were typed in an upper-case font using the
    lower-case codes, so a word whose plain letters are capitals is made upper-case."""
    coded = [w for w in text.split() if any(c in _TCVN3 for c in w)]
    letters = [c for w in coded for c in w if c.isascii() and c.isalpha()]
    caps_line = len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)

    def word(m: re.Match) -> str:
        w = m.group(0)
        out = w.translate(_TCVN3_TRANS)
        if out == w:
            return w
        plain = [c for c in w if c.isascii() and c.isalpha()]
        if plain and all(c.isupper() for c in plain) and (len(plain) >= 2 or caps_line):
            return out.upper()
        if not plain and caps_line:
            return out.upper()
        return out
    return re.sub(r"[^\s\d.,;:!?()\[\]\-/\"'*]+", word, text)


def vni_to_unicode(text: str) -> str:
    out: list[str] = []
    for ch in text:
        prev = out[-1] if out else ""
        base = unicodedata.normalize("NFD", prev)[:1]
        marked = _CIRC in prev or _BREVE in prev
        if base in "aeoAEO" and ch in _VNI_CIRC and not marked and base:
            out[-1] = prev + _CIRC + _VNI_CIRC[ch]
        elif base in "aA" and ch in _VNI_BREVE and not marked and base:
            out[-1] = prev + _BREVE + _VNI_BREVE[ch]
        elif ch in _VNI_TONE and base and base in "aeiouyAEIOUYơưƠƯ" + "ơư":
            out[-1] = prev + _VNI_TONE[ch]
        else:
            out.append(_VNI_SINGLE.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(out))


def fix_legacy_line(line: str, is_word: Callable[[str], bool],
                    known: Callable[[str], str] | None = None) -> str | None:
    """The line decoded from TCVN3 or VNI, or None if it is neither (``is_word``: a valid syllable).

    ``known``: the encoding the rest of the document is in; then a short line
    needs only to read no worse once decoded (``Sè:`` is a syllable in either).
    """
    if not line.strip() or _REAL_VIET.search(line) or line.isascii():
        return None
    before = _valid_share(line, is_word)
    best, best_share = None, max(before + 0.3, 0.6)
    for convert in (tcvn3_to_unicode, vni_to_unicode):
        # Evidence first: TCVN3 uses symbols no Latin text has mid-word (¸ « ® µ ¹), VNI
        # vowel + mark pairs (aø, eä); é, à alone are as likely English OCR of Vietnamese.
        if known is not convert:
            if convert is tcvn3_to_unicode and not _TCVN3_SIGNATURE.search(line):
                continue
            if convert is vni_to_unicode and len(_VNI_SIGNATURE.findall(line)) < 2:
                continue
        out = convert(line)
        share = _valid_share(out, is_word)
        need = before if convert is known else best_share
        if out != line and share >= need and (best is None or share > best_share):
            best, best_share = out, share
    return best


def fix_legacy(text: str, is_word: Callable[[str], bool]) -> tuple[str, list[int]]:
    """Text with TCVN3/VNI lines decoded, and the (0-based) indexes of the lines that changed.

    Lines that decode convincingly fix the document's encoding; the doubtful
    ones (short, or whose garbled form happens to spell syllables) follow it.
    """
    lines = text.split("\n")
    decoded: dict[int, str] = {}
    votes = {tcvn3_to_unicode: 0, vni_to_unicode: 0}
    for i, line in enumerate(lines):
        fixed = fix_legacy_line(line, is_word)
        if fixed is not None:
            decoded[i] = fixed
            votes[tcvn3_to_unicode if fixed == tcvn3_to_unicode(line) else vni_to_unicode] += 1
    known = max(votes, key=votes.get)
    if votes[known] >= 2:
        for i, line in enumerate(lines):
            if i not in decoded:
                fixed = fix_legacy_line(line, is_word, known)
                if fixed is not None:
                    decoded[i] = fixed
    for i, fixed in decoded.items():
        lines[i] = fixed
    return "\n".join(lines), sorted(decoded)


def _valid_share(text: str, is_word: Callable[[str], bool]) -> float:
    """Share of the words (whitespace-separated, edge punctuation off) that are syllables."""
    words = [w.strip(".,;:!?()[]\"'*-/") for w in text.split()]
    words = [w for w in words if any(c.isalpha() for c in w) and not (w.isupper() and w.isascii())]
    return sum(1 for w in words if w.isalpha() and is_word(w.lower())) / len(words) if words else 0.0
