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
