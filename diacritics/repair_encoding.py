"""Undo mojibake: UTF-8 Vietnamese that was read as Windows-1252 or Latin-1 along the way
(or as Windows-1258, a Mac's or a DOS console's code page: ``OTHER_CODE_PAGES``).

``Bá»™ TÃ i chÃ­nh`` → ``Bộ Tài chính``. This garbling is common in archives
that passed through an old database or e-mail system, and no amount of
language modelling recovers it word by word, while re-encoding recovers it
exactly. A line is only replaced when it decodes cleanly as UTF-8, so clean
Vietnamese (whose letters such as ố have no single-byte form) is never touched.

Windows-1252 leaves five bytes undefined (81, 8D, 8F, 90, 9D); a decoder shows
them as U+FFFD and the byte is lost. It is put back as the one that makes the
word a common Vietnamese word (``Vá»�`` → ``Về``, E1 BB 81). Copied text loses bytes
without a trace as well: a decoder told to ignore errors drops the undefined ones, an
editor or web page strips the soft hyphen (í is C3 AD, ``Ã`` and U+00AD) and turns the
no-break space into a space (à is C3 A0: ``hÃ nh``), and one that read it as Latin-1 drops
the controls it shows for bytes 80–9F (ộ is E1 BB 99: ``á»``). A sequence one byte short is
filled in the same way (``_recover``).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from diacritics.tone import _VIET_LETTERS

# Windows-1252 bytes 0x80–0x9F, by the character they show as.
_CP1252_HIGH = {ch: bytes([b]) for b in range(0x80, 0xA0)
                for ch in [bytes([b]).decode("cp1252", errors="ignore")] if ch}
_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
# What a UTF-8 lead byte of Vietnamese (C3, C4, C6, E1…) turns into, followed by a continuation.
_MARKERS = re.compile(r"[ÂÃÄÅÆáâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                      r"\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac"
                      r"\u2122\ufffd]")
_LOST = -1


def changed_lines(before: str, after: str) -> list[int]:
    """The (0-based) indexes of the lines ``after`` changed (a repair that keeps lines one to one)."""
    return [i for i, (a, b) in enumerate(zip(before.split("\n"), after.split("\n"))) if a != b]


def windows_1252_text(data: bytes) -> str:
    """Each byte as Windows-1252 shows it (Latin-1 where that page has no character): the form in
    which a legacy Vietnamese file's encoding is recognised here (``Céng hoµ``, ``Coäng hoøa``)."""
    return data.decode("latin-1").translate(_CP1252_BY_BYTE)


_CP1252_BY_BYTE = {b[0]: ch for ch, b in _CP1252_HIGH.items()}


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


def fix_line(line: str, word_score: Callable[[str], float] | None = None,
             in_mojibake: bool = False, undefined: tuple[int, ...] = _UNDEFINED) -> str | None:
    """The line re-decoded as UTF-8, or None when it is not (recoverable) mojibake: read
    through Windows-1252 or Latin-1 (the commonest), or one of ``OTHER_CODE_PAGES``.

    ``word_score(text_before, word, text_after)`` rates a candidate word in its context
    (higher is better); it decides which undefined byte was lost. ``in_mojibake``: the
    text around the line is mojibake, so a lead byte alone is sign enough (``BÃO CÃO``).
    ``undefined``: the bytes a copy may have dropped without a trace (Windows-1252's five, or
    Latin-1's controls 80–9F).
    """
    whole = _other_code_pages(line, word_score, in_mojibake)
    # a page that reads the whole line once its lost bytes are put back is a rival too
    # (Windows-1258's ``trĂ¬nh`` is no Windows-1252 stretch ``¬nh``; Windows-1250 lost the 98
    # of Ộ, which Windows-1252 has): where Windows-1252 sees mojibake, the likelier wins
    lossy = [] if in_mojibake or whole else _other_code_pages(line, word_score, True)
    ours = _windows_1252(line, word_score, in_mojibake, whole_only=bool(whole or lossy), undefined=undefined)
    got = _best_reading(ours, whole, lossy if ours else [])
    return got[0] if got else None


# The lead bytes of Vietnamese letters, as Windows-1252 shows them (C3 Ã, C4 Ä, C6 Æ), seen
# alone when the byte after them was lost: ``BÃO`` (B C3 81 O), ``QÄ`` (Q C4 90). Portuguese
# writes Ã (SÃO, NÃO), so alone it is only a sign inside text that is mojibake anyway.
_LEADS = re.compile(_MARKERS.pattern + "|[ÃÄÆ]")


def _windows_1252(line: str, word_score, in_mojibake: bool = False, whole_only: bool = False,
                  undefined: tuple[int, ...] = _UNDEFINED) -> list[tuple[str, float]]:
    """The line read back through Windows-1252 / Latin-1: ``[(text, score of guessed bytes)]`` or [].
    ``whole_only``: another code page reads the whole line, so a part of it read back here
    is no rival (Windows-1258 shows Â as ``Ă‚``, whose Ă Windows-1252 lacks)."""
    signs = _LEADS if in_mojibake else _MARKERS
    if not signs.search(line):
        return []
    out, total, at = [], 0.0, 0
    for m in _SHOWABLE.finditer(line):
        got = _stretch_read_back(m.group(), word_score, signs, not in_mojibake, undefined)
        if got and whole_only and (m.start() + got[0], m.start() + got[1]) != (0, len(line)):
            return []
        if got:
            start, end, (text, score) = got
            out.append(line[at:m.start() + start] + text)
            total += score
            at = m.start() + end
    return [("".join(out) + line[at:], total)] if out else []


# What Windows-1252 (or Latin-1) can show. A line may join text in two encodings (a CSV row of
# a clean field and a mojibake one: ``Hà Nội,Cá»™ng hÃ²a``): each stretch of these is read
# back on its own, and a clean field's ộ ends it.
_SHOWABLE = re.compile("[\x00-\xff" + re.escape("".join(_CP1252_HIGH)) + "\ufffd]+")
_MAX_CLEAN_WORDS = 8   # words of clean text a stretch may start or end with (Đánh giá Giai Ä‘oáº¡n)


def _stretch_read_back(run: str, word_score, signs: re.Pattern, need_letter: bool,
                       undefined: tuple[int, ...] = _UNDEFINED) -> tuple[int, int, tuple[str, float]] | None:
    """The widest part of ``run``, whole words, that reads back as UTF-8 (clean text's á or à
    beside the mojibake does not): ``(start, end, (text, score))`` or None. ``need_letter``:
    only a reading that makes a marked letter, or more mojibake to read, counts (Romanian
    OCR prints đề as ``â€``, which reads back as a lone ”)."""
    found = list(signs.finditer(run))
    if not found:
        return None
    starts = [0] + [m.end() for m in re.finditer(r"\s+", run[:found[0].start()])]
    ends = [len(run)] + [found[-1].end() + m.start()
                         for m in reversed(list(re.finditer(r"\s+", run[found[-1].end():])))]
    for start in starts[:_MAX_CLEAN_WORDS + 1]:
        for end in ends[:_MAX_CLEAN_WORDS + 1]:
            got = _read_back(run[start:end], word_score, signs, undefined=undefined)
            if got and (not need_letter or _MARKED.intersection(got[0]) - set(run[start:end])
                        or signs.search(got[0])):   # … or one to read again (garbled twice)
                return start, end, got
    return None


def _read_back(text: str, word_score, signs: re.Pattern, again: bool = True,
               undefined: tuple[int, ...] = _UNDEFINED) -> tuple[str, float] | None:
    """``text`` read back once, if that leaves fewer signs of mojibake, or if reading it once more
    does (text garbled twice that lost a byte: ``phÃƒÂ`` reads as ``phÃ`` and U+00AD, as many
    signs, and that as ``phí``)."""
    values = _to_bytes(text)
    if values is None:
        return None
    if undefined == _LATIN_1_CONTROLS:
        values = _lost_punctuation(values)
    got = _recover(values, undefined, word_score, _short_sequences(values))
    if got is None:
        return None
    if len(signs.findall(got[0])) < len(signs.findall(text)):
        return got
    twice = _read_back(got[0], word_score, signs, False, undefined) if again else None
    return got if twice and len(signs.findall(twice[0])) < len(signs.findall(text)) else None


# The bytes a copy loses without a trace: a page's undefined ones (dropped by a decoder that
# ignores errors), its soft hyphen and its no-break space (made plain, or trimmed at a line's end).
_SPACE, _NO_BREAK_SPACE, _SOFT_HYPHEN = 0x20, 0xA0, 0xAD


def _short_sequences(values: list[int]) -> list[int]:
    """Where a UTF-8 sequence stops one continuation byte short: the index the byte is missing
    at. A space there may be the no-break space itself, made plain."""
    short = []
    i = 0
    while i < len(values):
        lead = values[i]
        need = 1 if 0xC2 <= lead <= 0xDF else 2 if 0xE0 <= lead <= 0xEF else 3 if 0xF0 <= lead <= 0xF4 else 0
        j = i + 1
        while j < len(values) and j - i - 1 < need and (values[j] == _LOST or 0x80 <= values[j] <= 0xBF):
            j += 1
        if need and j - i - 1 == need - 1:
            short.append(j)
        i = max(j, i + 1)
    return short


def _best_reading(*readings: list[tuple[str, float]]) -> tuple[str, float] | None:
    """Of the code pages' readings of one line, the likeliest: pages share most signs, so
    several may decode (Windows-1258 and Windows-1252 differ in only 18 of their bytes): the
    one with more Vietnamese letters wins, then the likelier guess of the bytes lost."""
    found = [got for one in readings for got in one]
    return max(found, key=lambda got: (sum(c in _MARKED for c in got[0]), got[1]), default=None)


def _recover(values: list[int], undefined: tuple[int, ...], word_score, short: list[int] = (),
             invisible: tuple[int, ...] = (_SOFT_HYPHEN,),
             no_break: int | None = _NO_BREAK_SPACE) -> tuple[str, float] | None:
    """``values`` decoded as UTF-8, each ``_LOST`` byte put back as the ``undefined`` one that
    makes the likeliest text, each ``short`` sequence completed by the byte lost without a
    trace that does (undefined, ``invisible`` or the ``no_break`` space: it must make a
    Vietnamese letter), and the summed score of those choices; None if they do not decode or
    a short sequence makes no letter."""
    unseen = undefined + invisible   # what a copy drops; a no-break space may turn plain too
    dropped = unseen + ((no_break,) if no_break is not None else ())
    lost = [i for i, v in enumerate(values) if v == _LOST]
    if lost and not undefined:
        return None
    # one cell per byte, and an empty one where a byte is missing; then the cells to choose,
    # each with its choices and whether it must make a letter
    cells: list[tuple[int, ...]] = [(v,) for v in values]
    choices = {i: ([(b,) for b in undefined], False) for i in lost}
    for at in reversed(short):
        if at < len(values) and values[at] == _SPACE and no_break is not None:
            choices[at] = ([(no_break,)] + [(b, _SPACE) for b in unseen], True)
        else:
            cells.insert(at, ())
            choices = {(i + 1 if i >= at else i): c for i, c in choices.items()}
            choices[at] = ([(b,) for b in dropped], True)
    for i, (options, _) in choices.items():
        cells[i] = options[0]
    scores: dict[int, float] = {}
    # twice: the first time each choice sees the ones after it still unmade (tề for tử); a lone
    # choice sees all the others made at once. Among Latin-1's 32 lost controls, two choices in
    # one word are made together before the second time: one at a time, neither letter of đị
    # (C4 _, E1 BB _) makes a word while the other is wrong, and ăề would stay. (Windows-1252
    # loses five bytes, which make few letters: one at a time finds them, at a tenth the cost.)
    order = sorted(choices)
    latin_1 = undefined == _LATIN_1_CONTROLS
    for n, i in enumerate(order * (2 if len(choices) > 1 else 1)):
        if n == len(order) and latin_1:
            for a, b in _pairs_in_a_word(cells, choices):
                if not _choose_pair(cells, choices, a, b, word_score):
                    return None
        # … and, the first time, without the words after, whose choices are still unmade:
        # BÁO is no likelier than BÀO before a CÀO that one of 32 bytes made
        blind = latin_1 and n < len(order)
        best, best_score = None, float("-inf")
        for option in choices[i][0]:
            cells[i] = option
            score = _cells_score(cells, choices, (i,), word_score, blind)
            if score is not None and score > best_score:
                best, best_score = option, score
        if best is None:
            return None
        cells[i] = best
        scores[i] = best_score
    text = _decode([b for c in cells for b in c])
    return None if text is None else (text, sum(scores.values()))


def _cells_score(cells: list[tuple[int, ...]], choices: dict, chosen: tuple[int, ...], word_score,
                 blind: bool = False) -> float | None:
    """The summed ``_score_at`` of the ``chosen`` cells as they are set, or None where the bytes
    do not decode or a cell that must make a letter does not. ``blind``: score each without the
    words after it."""
    flat = [b for c in cells for b in c]
    text = _decode(flat)
    if text is None:
        return None
    score = 0.0
    for k in chosen:
        at = sum(len(c) for c in cells[:k])
        if choices[k][1] and not _fills(text, *_char_at(flat, at, text)):
            return None
        if blind:   # (a cut inside a letter, at the A0 of à, keeps the whole text)
            cut = _to_word_end(flat, at)
            score += _score_at(cut, at, _decode(cut) or text, word_score)
        else:
            score += _score_at(flat, at, text, word_score)
    return score


def _to_word_end(flat: list[int], at: int) -> list[int]:
    """The bytes up to the end of the word byte ``at`` is in."""
    end = next((k for k in range(at + 1, len(flat)) if flat[k] in _WORD_END), len(flat))
    return flat[:end]


_WORD_END = frozenset(b" \t\n,.;:()\xa0")


def _pairs_in_a_word(cells: list[tuple[int, ...]], choices: dict) -> list[tuple[int, int]]:
    """Consecutive cells to choose with no space or stop between them, each with options (a space
    that may be a no-break one is a word's end either way)."""
    order = [i for i in sorted(choices) if len(choices[i][0]) > 1
             and not any(_SPACE in option for option in choices[i][0])]
    return [(i, j) for i, j in zip(order, order[1:])
            if not any(b in _WORD_END for c in cells[i + 1:j] for b in c)]


def _choose_pair(cells: list[tuple[int, ...]], choices: dict, i: int, j: int, word_score) -> bool:
    """Cells ``i`` and ``j`` set to the likeliest pair of their options; False if no pair decodes."""
    best, best_score = None, float("-inf")
    for a in _letter_options(cells, choices, i):
        for b in _letter_options(cells, choices, j):
            cells[i], cells[j] = a, b
            score = _cells_score(cells, choices, (i, j), word_score)
            if score is not None and score > best_score:
                best, best_score = (a, b), score
    if best is None:
        return False
    cells[i], cells[j] = best
    return True


def _letter_options(cells: list[tuple[int, ...]], choices: dict, i: int) -> list[tuple[int, ...]]:
    """The options of cell ``i`` that complete the UTF-8 sequence they stand in to one character
    (a Vietnamese letter where the cell must make one), judged on that sequence alone."""
    options, must_be_letter = choices[i]
    before = [v for c in cells[max(0, i - 3):i] for v in c]
    lead = max((k for k, v in enumerate(before) if v >= 0xC0), default=None)
    if lead is None:
        return options
    kept = []
    for option in options:
        seq = before[lead:] + list(option)
        need = 2 if seq[0] < 0xE0 else 3 if seq[0] < 0xF0 else 4
        after = [v for c in cells[i + 1:i + 4] for v in c][:max(0, need - len(seq))]
        ch = _decode(seq + after)
        if ch is not None and len(ch) == 1 and (not must_be_letter or ch in _MARKED or ch in "\xa0\xad"):
            kept.append(option)
    return kept or options


def _fills(text: str, pos: int, ch: str) -> bool:
    """Whether a byte put back may make ``ch`` at ``pos``: a Vietnamese letter, a curly quote
    (” is E2 80 9D), the text's own no-break space or soft hyphen (C2 A0, C2 AD), or in text
    garbled twice a sign whose word reads back once more with a marked letter (Š: C5 A0,
    ``ÃƒÅ`` and U+00A0 → ``ÃŠ`` → Ê)."""
    if ch in _MARKED or ch in "\xa0\xad" or unicodedata.category(ch) in ("Pi", "Pf"):
        return True
    again = _second_reading(text, pos) if ch in _CP1252_HIGH else None
    return again is not None and any(c in _MARKED for c in again)


def _char_at(values: list[int], i: int, text: str) -> tuple[int, str]:
    """The position in ``text`` of the character byte ``i`` belongs to, and that character."""
    pos = min(len(bytes(values[:i]).decode("utf-8", errors="ignore")), len(text) - 1)
    return pos, text[pos]


def _second_reading(text: str, pos: int) -> str | None:
    """The word around ``pos`` read back once more (text garbled twice), edge signs trimmed; None
    where it is no mojibake."""
    start = len(re.search(r"[^ \t\n]*$", text[:pos]).group(0))
    end = re.match(r"[^ \t\n]*", text[pos + 1:]).end()
    word = text[pos - start:pos + 1 + end]
    values = _to_bytes(word)
    inner = _decode(values) if values is not None and _LOST not in values else None
    if inner is None or inner == word:
        return None
    return re.sub(r"^[^\w]+|[^\w]+$", "", inner) or None


_NO_WORD = -25.0   # a word the model does not know (the restoration model's floor)


def _second_reading_score(text: str, pos: int, word_score) -> float:
    """In text garbled twice a sign put back (a no-break space, a soft hyphen, Š) is half of a
    letter the next reading makes (``Ã`` and U+00AD: í; ``Ã`` and U+00A0: à): the score of the
    word that reading gives, or ``_NO_WORD`` where the word around ``pos`` is no mojibake."""
    again = _second_reading(text, pos)
    return word_score("", again, "") if again else _NO_WORD


# the model reads three words before a word and one after: a line's other hundred need no reading
_CONTEXT_CHARS = 60


_SENTENCE_START = re.compile(r"(?:^|[.!?:;)*\-–•]|^\s*[\dIVX]+\.)\s*$")


def _score_at(values: list[int], i: int, text: str, word_score) -> float:
    """How good the character decoded at byte ``i`` is, and the word around it."""
    pos, ch = _char_at(values, i, text)
    from diacritics.tone import has_diacritics
    score = 0.0
    if unicodedata.category(ch)[0] in "CZ":
        score -= 10   # a control or format character is never what was meant
    if ch.isalpha() and not has_diacritics(ch):
        score -= 5    # Ð, č: not Vietnamese
    if ch == "”":
        score += 1    # the closing quote, far commoner than the hyphen U+2010
    if not ch.isalnum() and word_score is not None:
        score += _second_reading_score(text, pos, word_score)
    prev, nxt = text[pos - 1:pos], text[pos + 1:pos + 2]
    if ch.isupper() and not prev.isalpha() and nxt.islower() and \
            re.search(r"[^\W\d_A-ZĐ][,;:]?\s+$", text[:pos]):
        score -= 2    # a capital word after a small one: ích, not Ích, in lợi ích
    if ch.isalpha() and prev.isalpha() and (ch.isupper() and (prev.islower() or nxt.islower()) or
                                            ch.islower() and prev.isupper() and nxt.isupper()):
        score -= 3    # the case of the word around it (bỏ, not bỎ; TỊCH, not TềCH; Kính, not KÍnh)
    if ch in "đĐ" and prev.isalpha():
        score -= 2 if ch == "đ" else 0   # no syllable has đ inside: a code's (NĐ-CP)
    elif ch.isalpha() and ch != ch.swapcase() and not (ch.islower() and nxt.isupper()) and \
            not (ch.isupper() and not prev.isalpha() and _SENTENCE_START.search(text[:pos])):
        # where nothing in the word tells (Về or VỀ, ở or Ở: Latin-1's lost controls hold both
        # cases), the case of the letters around it (a heading in capitals, or running text)
        near = [c for c in text[max(0, pos - 24):pos + 24] if c.isalpha() and c != ch]
        if near and (sum(c.isupper() for c in near) * 2 > len(near)) != ch.isupper():
            score -= 0.5
    if word_score is not None and ch.isalpha():
        m = re.search(r"[^\W\d_]*$", text[:pos])
        n = re.match(r"[^\W\d_]*", text[pos + 1:])
        before = text[max(0, m.start() - _CONTEXT_CHARS):m.start()]
        if m.start() > _CONTEXT_CHARS:
            before = before.split(" ", 1)[-1]
        score += word_score(before, m.group(0) + ch + n.group(0),
                            text[pos + 1 + n.end():][:_CONTEXT_CHARS])
    return score


# UTF-8 read in other single-byte code pages: Vietnamese Windows' own (Windows-1258:
# ``Cá»™ng hĂ²a``), a Mac's (``C·ªông h√≤a``), a DOS console's (``Cß╗Öng h├▓a``) and the
# Central European and Cyrillic Windows ones. Their bytes 80–FF are nearly all letters or
# signs, so the test is the strict one: the whole line must re-encode and decode as
# UTF-8, come out shorter (two or three bytes per marked letter), with a marked letter
# and no control character. Bytes the page leaves undefined are recovered as for
# Windows-1252 (Windows-1258 lacks 90, the second byte of Đ).
OTHER_CODE_PAGES = ("cp1258", "mac_roman", "cp437", "cp850", "cp1250", "cp1251")
_MARKED = frozenset(c for c in _VIET_LETTERS if not c.isascii())   # 134 marked letters, both cases


@functools.lru_cache(maxsize=None)
def _code_page(name: str) -> tuple[dict[str, int], tuple[int, ...]]:
    """(character → byte, the bytes it leaves undefined) of a single-byte code page."""
    table: dict[str, int] = {}
    undefined = []
    for b in range(256):
        try:
            table.setdefault(bytes([b]).decode(name), b)
        except UnicodeDecodeError:
            undefined.append(b)
    return table, tuple(undefined)


def _other_code_pages(line: str, word_score, in_mojibake: bool = False) -> list[tuple[str, float]]:
    """The line read back through each of ``OTHER_CODE_PAGES`` that decodes it; ``in_mojibake``
    (the text is shown to be mojibake): with the bytes a copy lost without a trace put back,
    which alone would read clean text as mojibake (ĂN, A and N in Windows-1258, as ÁN)."""
    if line.isascii():
        return []
    found = []
    for name in OTHER_CODE_PAGES:
        table, undefined = _code_page(name)
        if any(ch not in table and ch != "\ufffd" for ch in line):
            continue   # a character this page has not: clean Vietnamese stops at its first ộ
        values = [_LOST if ch == "\ufffd" else table[ch] for ch in line]
        short = _short_sequences(values) if in_mojibake else []
        got = _recover(values, undefined, word_score, short,
                       (table["\xad"],) if "\xad" in table else (), table.get("\xa0"))
        # shorter: some bytes made one letter (counting the bytes put back)
        if got is not None and len(got[0]) < len(line) + len(short) and \
                any(c.isalpha() and not c.isascii() for c in got[0]) and \
                not any(unicodedata.category(c) == "Cc" and not c.isspace() for c in got[0]):
            found.append(got)
    return found


def fix_mojibake(text: str, word_score: Callable[[str], float] | None = None) -> tuple[str, list[int]]:
    """Text with mojibake lines repaired, and the (0-based) indexes of the lines that changed."""
    lines = text.split("\n")
    undefined = _LATIN_1_CONTROLS if _copied_from_latin_1(text) else _UNDEFINED
    changed = {i for i in range(len(lines)) if _fix_rounds(lines, i, word_score, False, undefined)}
    if changed:
        changed |= {i for i in range(len(lines)) if i not in changed and
                    _fix_rounds(lines, i, word_score, True, undefined)}
    return "\n".join(lines), sorted(changed)


# UTF-8 read as Latin-1 shows bytes 80–9F as control characters, which a copy drops: ộ (E1 BB
# 99) is left ``á»``, and neither Windows-1252's signs (™ for that 99) nor U+FFFD are seen.
_LATIN_1_CONTROLS = tuple(range(0x80, 0xA0))


def _lost_punctuation(values: list[int]) -> list[int]:
    """A lone E2 put back as the dash or quote its neighbours suggest: Latin-1 shows both bytes
    after it in – — ‘ ’ “ ” (E2 80 93…9D) as controls, and a copy lost the two, which no
    model of words can choose between (a space on one side only: a quote; else an en dash)."""
    out: list[int] = []
    for k, v in enumerate(values):
        out.append(v)
        if v == 0xE2 and not (k + 1 < len(values) and 0x80 <= values[k + 1] <= 0xBF):
            space_before = k == 0 or values[k - 1] in (0x20, 0x09)
            space_after = k + 1 == len(values) or values[k + 1] in (0x20, 0x09)
            out += [0x80, 0x93 if space_before == space_after else 0x9C if space_before else 0x9D]
    return out


def _copied_from_latin_1(text: str) -> bool:
    """Mojibake with no character Windows-1252 shows for bytes 80–9F, no control for them and no
    U+FFFD: read as Latin-1, and its controls lost (Windows-1252 mojibake of Vietnamese shows
    ‘ for đ, ‡ for ệ, “ for ồ in any paragraph)."""
    return len(_MARKERS.findall(text)) >= 2 and not any(
        ch in _CP1252_HIGH or "\x80" <= ch <= "\x9f" or ch == "\ufffd" for ch in text)


def _fix_rounds(lines: list[str], i: int, word_score, in_mojibake: bool,
                undefined: tuple[int, ...] = _UNDEFINED) -> bool:
    """Re-decode ``lines[i]`` in place as often as it was garbled (text that went through two
    such systems is garbled twice: CÃ¡Â»â„¢ng → Cá»™ng → Cộng); whether it changed."""
    line = lines[i]
    for _ in range(MAX_MOJIBAKE_ROUNDS):
        fixed = fix_line(lines[i], word_score, in_mojibake, undefined)
        if fixed is None:
            break
        lines[i] = fixed
    return lines[i] != line


MAX_MOJIBAKE_ROUNDS = 3


# Đ typed or converted as the look-alike Latin-1 eth (Ð U+00D0, ð U+00F0): ``Ðiều 5``
# reads right but no search for Điều finds it. Put back where that makes a syllable.
ETH_AS_D = str.maketrans("Ðð", "Đđ")
_ETH_WORD = re.compile(r"[^\W\d_]*[Ðð][^\W\d_]*")
_ETH_CODE = re.compile(r"(?<![^\W\d_])(?:[A-Z0-9]*Ð[A-ZÐ0-9]*|ð(?=[).]))(?![^\W\d_])")


def fix_eth(text: str, is_word: Callable[[str], bool]) -> tuple[str, list[int]]:
    """Text with each eth that stands for Đ made Đ, and the (0-based) indexes of the lines changed.
    Icelandic and Faroese words (``maður``, ``Ðóra``) make no syllable so, and stay."""
    if "Ð" not in text and "ð" not in text:
        return text, []

    def word(m: re.Match) -> str:
        w = m.group(0)
        fixed = w.translate(ETH_AS_D)
        return fixed if is_word(fixed.lower()) and not is_word(w.lower()) else w

    fixed = _ETH_WORD.sub(word, text)
    if fixed != text:
        # a text that writes its Đ so writes its codes and list labels so too (HÐND, NÐ-CP, ð))
        fixed = _ETH_CODE.sub(lambda m: m.group(0).translate(ETH_AS_D), fixed)
    return fixed, changed_lines(text, fixed)


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
# the codes that are no letter in Latin-1 (¸ for á, § for Đ): a line whose marked letters are all
# such codes has only ASCII letters (ª and µ are letters: a line with them is tried anyway)
_TCVN3_SYMBOL = re.compile("[" + re.escape("".join(c for c in _TCVN3 if not c.isalpha())) + "]")

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
    lower-case codes, so a word whose plain letters are capitals is made upper-case
    (``ñY BAN`` → ``ỦY BAN``), and a word led by such a code takes a capital where the
    text would have one (``cña ñy ban`` → ``của Ủy ban``: see ``_capital_lost``)."""
    coded = [w for w in text.split() if any(c in _TCVN3 for c in w)]
    letters = [c for w in coded for c in w if c.isascii() and c.isalpha()]
    caps_line = len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    words = list(re.finditer(r"[^\s\d.,;:!?()\[\]\-/\"'*]+", text))

    def word(k: int, m: re.Match) -> str:
        w = m.group(0)
        out = w.translate(_TCVN3_TRANS)
        if out == w:
            return w
        plain = [c for c in w if c.isascii() and c.isalpha()]
        if plain and all(c.isupper() for c in plain) and (
                len(plain) >= 2 or caps_line or not w[0].isupper()):
            return out.upper()
        if not plain and caps_line:
            return out.upper()
        if w[0] in _TCVN3 and out[0].upper() not in _TCVN3_CAPITALS and \
                _capital_lost(text[:m.start()], out, words[k + 1].group(0) if k + 1 < len(words) else ""):
            return out[0].upper() + out[1:]
        return out

    out, pos = [], 0
    for k, m in enumerate(words):
        out += [text[pos:m.start()], word(k, m)]
        pos = m.end()
    return "".join(out) + text[pos:]


_TCVN3_CAPITALS = frozenset("ĂÂÊÔƠƯĐ")   # the only capitals TCVN3 has a code for
# what may stand before a sentence's first word on its line: bullets and list labels (a), 1., 2.1.)
_ITEM_LEAD = re.compile(r"[ \t]*(?:[-–•*+|]|\(?[0-9a-zđ]{1,3}[.)]|[0-9.]+|[IVX]+\.)(?:[ \t]*(?:[-–•*+|]|[0-9.]+))*[ \t]+")


def _capital_lost(before: str, word: str, next_word: str) -> bool:
    """Would the text capitalise ``word`` here (its capital has no TCVN3 code)? After a
    sentence's end or a list label on the line, or where the corpus writes the pair with a
    capital (``Ủy ban``, ``Ứng Hòa``: ``lexicon.names``). A bare line start says nothing:
    a wrapped sentence goes on there as often."""
    from diacritics.lost_letters import capitalised_pair
    line = before[before.rfind("\n") + 1:]
    end = line.rstrip(" \t")
    if end and end[-1] in ".!?:;" or _ITEM_LEAD.fullmatch(line):
        return True
    return capitalised_pair(word, next_word.translate(_TCVN3_TRANS), next_word[:1].isupper())


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


# Windows-1258, the Windows code page for Vietnamese, keeps the tone apart from its letter
# (a combining byte after it); read as Windows-1252 or Latin-1 the tones show as Ì ì Þ Ò ò:
#   "Côòng hoÌa xaÞ hôòi chuÒ nghiÞa Viêòt Nam"
_CP1258_SIGNATURE = re.compile("[A-Za-zÂÊÔâêôÃãÕõÝý][ÌìÞÒò]")


def cp1258_to_unicode(text: str) -> str:
    """Decode Windows-1258 text that was read as Windows-1252 (or Latin-1)."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1252"))
        except UnicodeEncodeError:
            try:
                out.append(ch.encode("latin-1"))
            except UnicodeEncodeError:
                return text   # a character neither code page has: this was never Windows-1258
    try:
        return unicodedata.normalize("NFC", b"".join(out).decode("cp1258"))
    except UnicodeDecodeError:
        return text


# VISCII (RFC 1456, the 8-bit code of Vietnamese Unix mail and the early web): every marked
# letter a byte of its own, 0x80-0xFF and six control bytes. The 128 upper bytes in order (as
# glibc's iconv decodes them; tests/test_repair.py checks the table against it):
_VISCII_HIGH = ("ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯÀÁÂÃẢĂẳẵ"
                "ÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚỹỵÝỡưàáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ")
_VISCII = {**{0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"},
           **{0x80 + i: ch for i, ch in enumerate(_VISCII_HIGH)}}
# Read as Windows-1252, a marked letter shows as a symbol or a letter no Vietnamese word has
# (Cộng hòa → Cµng hòa, Việt → Vi®t, nước → nß¾c): such a character against an ASCII letter.
_VISCII_SHOWN = "€†‡‰˜™¡¢£¤¥¦§¨©«¬®¯°±²³´¶·¸¹»¼½¾¿×÷ƒˆŠŒŽšœžŸªµºßþæç"
_VISCII_SIGNATURE = re.compile(f"[A-Za-z][{_VISCII_SHOWN}]|[{_VISCII_SHOWN}][A-Za-z]")


# German or French OCR of Vietnamese shows ß, ©, ¢ and ® among letters as well, and decoded as
# VISCII a line of it may read as Vietnamese words (sản phảm thuỏc lả): with one such mark
# and 0.6 of the words, the bench's German pages went from 106 word errors to 174
VISCII_MIN_SHARE = 0.8


def viscii_to_unicode(text: str) -> str:
    """Decode VISCII text that was read as Windows-1252 (or Latin-1)."""
    values = _to_bytes(text)
    if values is None or _LOST in values:
        return text   # a character neither code page has: this was never VISCII
    return "".join(_VISCII.get(v, chr(v)) for v in values)


def fix_legacy_line(line: str, is_word: Callable[[str], bool],
                    known: Callable[[str], str] | None = None, viqr_strict: bool = False) -> str | None:
    """The line decoded from TCVN3, VNI, Windows-1258, VISCII, VIQR or Telex, or None if it is none of
    them (``is_word``: a valid syllable).

    ``known``: the encoding the rest of the document is in; then a short line
    needs only to read no worse once decoded (``Sè:`` is a syllable in either).
    ``viqr_strict``: the text escapes its punctuation as RFC 1456 asks.
    """
    found = _decode_line(line, is_word, known, viqr_strict)
    return found[0] if found else None


def _decode_line(line: str, is_word: Callable[[str], bool], known, viqr_strict: bool):
    """(decoded line, the decoder that did it), or None."""
    if not line.strip() or _REAL_VIET.search(line):
        return None
    # Lines of ASCII letters can only be typed marks (VIQR, Telex; a dash or a quote
    # may be typographic); the others only 8-bit fonts.
    # Evidence first: TCVN3 uses symbols no Latin text has mid-word (¸ « ® µ ¹), VNI
    # vowel + mark pairs (aø, eä); é, à alone are as likely English OCR of Vietnamese.
    # VIQR and Telex need two words spelled their way (Vie^.t, hoaf).
    # TCVN3 codes some marked letters as symbols (§¹t: Đạt, th¸ng: tháng): a line whose
    # letters are all ASCII may still be in it.
    ascii = _ascii_letters(line)
    typed = (viqr_to_unicode, telex_to_unicode, vni_typed_to_unicode) if ascii else ()
    fonts = (tcvn3_to_unicode, vni_to_unicode, cp1258_to_unicode, viscii_to_unicode)
    # … and, in a VISCII document, a symbol between capitals is a letter (II. N“I DUNG: NỘI)
    fonts = fonts if not ascii or _TCVN3_SYMBOL.search(line) or _VISCII_SIGNATURE.search(line) \
        else (viscii_to_unicode,) if known is viscii_to_unicode else ()
    converters = [convert for convert in typed + fonts
                  if convert is known or len(_SIGNATURES[convert].findall(line)) >= (
                      1 if convert is tcvn3_to_unicode else 2)]
    if not converters:
        return None
    before = _valid_share(line, is_word)
    best, best_share = None, max(before + 0.3, 0.6)
    for convert in converters:
        out = _apply(convert, line, is_word, viqr_strict)
        share = _valid_share(out, is_word)
        need = before if convert is known else best_share
        if convert is viscii_to_unicode:
            # VISCII shows one-letter words (ơ, ừ, ệ) as lone symbols (½ × ®): the longer
            # words must read as well, or Größe ½ × 3 ® would be Vietnamese
            long_before = _valid_share(line, is_word, 2)
            if _valid_share(out, is_word, 2) < (long_before if convert is known else
                                                max(long_before + 0.3, VISCII_MIN_SHARE)):
                continue
        if out != line and share >= need and (best is None or share > best_share):
            best, best_share = (out, convert), share
    return best


def _apply(convert, line: str, is_word: Callable[[str], bool], viqr_strict: bool) -> str:
    if convert is viqr_to_unicode:
        return viqr_to_unicode(line, is_word, viqr_strict)
    return convert(line, is_word) if convert in (telex_to_unicode, vni_typed_to_unicode) else convert(line)


def fix_legacy(text: str, is_word: Callable[[str], bool]) -> tuple[str, list[int]]:
    """Text with lines in a legacy encoding decoded, and the (0-based) indexes of the lines that changed.

    Lines that decode convincingly fix the document's encoding; the doubtful
    ones (short, or whose garbled form happens to spell syllables) follow it.
    """
    lines = text.split("\n")
    decoded: dict[int, str] = {}
    votes = {convert: 0 for convert in _SIGNATURES}
    strict = _VIQR_ESCAPE.search(text) is not None
    by: dict[int, Callable] = {}
    for i, line in enumerate(lines):
        found = _decode_line(line, is_word, None, strict)
        if found is not None:
            decoded[i], by[i] = found
            votes[found[1]] += 1
    known = max(votes, key=votes.get)
    if votes[known] >= 2:
        for i, line in enumerate(lines):
            if i not in decoded:
                fixed = fix_legacy_line(line, is_word, known, viqr_strict=strict)
                if fixed is not None:
                    decoded[i] = fixed
            elif by[i] is not known:
                # a line another encoding read as well (TCVN3 makes Nồm, a word, of VISCII's
                # Nåm; Phiêu of Phiªu) is in the document's
                fixed = _apply(known, line, is_word, strict)
                if _valid_share(fixed, is_word) >= _valid_share(decoded[i], is_word):
                    decoded[i] = fixed
    for i, fixed in decoded.items():
        lines[i] = fixed
    return "\n".join(lines), sorted(decoded)


def _ascii_letters(line: str) -> bool:
    return all(c.isascii() for c in line if c.isalpha())


def _valid_share(text: str, is_word: Callable[[str], bool], min_letters: int = 1) -> float:
    """Share of the words (whitespace-separated, edge punctuation off; ``min_letters`` long or
    more) that are syllables."""
    words = [w.strip(".,;:!?()[]\"'*-/") for w in text.split()]
    words = [w for w in words if sum(c.isalpha() for c in w) >= min_letters
             and not (w.isupper() and w.isascii())]
    return sum(1 for w in words if w.isalpha() and is_word(w.lower())) / len(words) if words else 0.0


# --- Vietnamese typed in ASCII: VIQR and Telex -------------------------------------------
# Without a Vietnamese keyboard driver the marks come out as the keys that type them:
#   VIQR (RFC 1456, old e-mail and Usenet): "Co^ng ho`a xa~ ho^.i chu? nghi~a Vie^.t Nam"
#   Telex, typed with the input method off:  "Coongj hoaf xax hooij chur nghiax Vieetj Nam"
# Each is undone word by word; a line is converted only when the result reads as Vietnamese
# and the line did not (the same test as the 8-bit encodings).

# RFC 1456 and the conventions around it: the horn typed + or *, the acute ' or /
_VIQR_SHAPE = {"(": _BREVE, "^": _CIRC, "+": "\u031b", "*": "\u031b"}   # a( â e^ ô o+ u* (horn: U+031B)
_VIQR_ESCAPE = re.compile(r"(?i)[aeiouy][(^+]?\\[.?]")   # kho\? — RFC 1456's literal punctuation
_VIQR_TONE = {"'": _ACUTE, "/": _ACUTE, "`": _GRAVE, "?": _HOOK, "~": _TILDE, ".": _DOT}
# (not ? or . alone: an export that wrote ? for each letter it could not hold, h?nh, is no VIQR)
_VIQR_SIGNATURE = re.compile(r"(?i)[aeiouy](?:[(^+*][`'/?~.]?|[`'~][a-z])")
# a word, its marks inside it; a slash only after a vowel or its shape (ca/c: các; Ti?nh/Tha`nh)
_VIQR_WORD = re.compile(r"[A-Za-z]+(?:(?:[(^+*`'?~.]|(?<=[AEIOUYaeiouy(^+*])/)[A-Za-z]*)*")


def viqr_to_unicode(line: str, is_word: Callable[[str], bool] | None = None, strict: bool = False) -> str:
    """Decode VIQR: a vowel's shape (``(``, ``^``, ``+`` or ``*``) then its tone (``' ` ? ~ .``,
    ``/`` for ``'``) follow it; ``dd`` is đ; a backslash keeps the next character literal. A
    slash that makes no word is one between words (``thu/chi``).

    A ``?`` or ``.`` after a word's last letter is a tone when the sentence goes on in small
    letters (``chu? nghi~a``); before a capital or the line's end it is the sentence's own,
    unless only the tone makes a word of it (``ddi.`` is đi and a full stop), and never
    before another stop or comma (``bo^., co^ng``: bộ). ``is_word`` (a valid syllable,
    lower-case) decides; by default any well-formed syllable. ``strict``: the text
    escapes its punctuation as RFC 1456 asks (``\\.``), so every mark is a mark.
    """
    from diacritics.tone import is_syllable
    is_word = is_word or is_syllable
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n:
            out.append(line[i + 1])
            i += 2
            continue
        m = _VIQR_WORD.match(line, i)
        if m is None:
            out.append(ch)
            i += 1
            continue
        word, end = m.group(0), m.end() - i
        if "/" in word and not is_word(_viqr_word(word.rstrip("?.*")).lower()):
            end = word.index("/")   # the word ends at the slash
            word = word[:end]
        rest = line[i + end:]
        goes_on = re.match(r"[ \t]+[a-zđ]", rest) is not None or rest[:1] in tuple(",.;:)!?")
        tail = ""
        if not strict and word[-1] in "?." and not goes_on and is_word(_viqr_word(word[:-1]).lower()):
            word, tail = word[:-1], word[-1]
        decoded = _viqr_word(word)
        while not strict and word[:-1] and word[-1] in _VIQR_TONE and not is_word(decoded.lower()):
            word, tail = word[:-1], word[-1] + tail   # a closing quote, not a tone
            decoded = _viqr_word(word)
        out.append(decoded + tail)
        i += end
    return unicodedata.normalize("NFC", "".join(out))


def _viqr_word(word: str) -> str:
    out = ""
    k = 0
    while k < len(word):
        c = word[k]
        if c in "dD" and word[k + 1:k + 2] in ("d", "D"):
            out += "đ" if c == "d" else "Đ"
            k += 2
            continue
        if c in _VIQR_SHAPE and out and out[-1].lower() in "aeou":
            out += _VIQR_SHAPE[c]
        elif c in _VIQR_TONE and out and unicodedata.normalize("NFD", out)[-1:].lower() in "aeiouy\u0306\u0302\u031b":
            out += _VIQR_TONE[c]
        else:
            out += c
        k += 1
    return unicodedata.normalize("NFC", out)


_TELEX_TONE = {"s": 1, "f": 2, "r": 3, "x": 4, "j": 5}
_TELEX_SHAPE = (("uwow", "ươ"), ("uow", "ươ"), ("uwo", "ươ"), ("aa", "â"), ("aw", "ă"), ("ee", "ê"), ("oo", "ô"),
                ("ow", "ơ"), ("uw", "ư"), ("w", "ư"))
# a word as typed (small letters, or one capital first), three letters or more, with a
# Telex pair or a tone key last: hooij, Vieetj, hoaf (not OCR debris such as oO, OO);
# or in capitals, four letters or more (DDOOCJ, LAAPJ)
_TELEX_SIGNATURE = re.compile(r"\b(?=[A-Za-z]{3,}\b)[A-Z]?[a-z]*(?:aa|aw|ee|oo|ow|uw|dd|[aeiouy][a-z]*[sfrxj])[a-z]*\b"
                              r"|\b(?=[A-Z]{4,}\b)[A-Z]*(?:AA|AW|EE|OO|OW|UW|DD|[AEIOUY][A-Z]*[SFRXJ])[A-Z]*\b")


def telex_to_unicode(line: str, is_word: Callable[[str], bool] | None = None) -> str:
    """Decode Telex: ``aa aw ee oo ow uw w dd`` are â ă ê ô ơ ư ư đ, and a last ``s f r x j``
    is the tone. A word is decoded only when that makes it a syllable (``is_word``, lower-case;
    by default any well-formed one)."""
    from diacritics.tone import is_syllable
    is_word = is_word or is_syllable
    return re.sub(r"[A-Za-z]+", lambda m: _telex_word(m.group(0), is_word) or m.group(0), line)


def _typed_acronym(word: str, key: str) -> str | None:
    """An acronym typed with ``key`` for Đ (Telex QDD, VNI QD9 → QĐ), if the lexicon knows it."""
    from diacritics.repair import fix_code_part
    code = word.replace(key, "Đ")
    return code if fix_code_part(word.replace(key, "D"), lenient=True) == code else None


def _typed_case(word: str, out: str) -> str:
    """The decoded syllable in the case the word was typed in (caps lock, a first capital)."""
    if word.isupper() and len(word) > 1:
        return out.upper()
    return out[:1].upper() + out[1:] if word[:1].isupper() else out


def _telex_word(word: str, is_word: Callable[[str], bool]) -> str | None:
    if "DD" in word and word.isupper():   # an acronym typed so: QDD, HDDND are QĐ, HĐND
        code = _typed_acronym(word, "DD")
        if code:
            return code
    low = word.lower()
    tone, low = _telex_tone(low)
    if tone is None:
        return None
    if low.startswith("dd"):
        low = "đ" + low[2:]
    out = next((w for w in _telex_shapes(low, tone) if is_word(w)), None)
    if out is None or out == word.lower():
        return None
    return _typed_case(word, out)


def _telex_tone(low: str) -> tuple[int | None, str]:
    """(tone, the keys without it). Unikey takes the tone key anywhere after the first vowel
    (``vieejt``, ``thuwjc``, ``baso``: báo; or last, ``vieetj``), and no final consonant is
    one of ``s f r x j``, so one there is the tone; two are no word typed so (None)."""
    first = next((i for i, c in enumerate(low) if c in "aeiouyw"), None)
    if first is None:
        return None, low
    keys = [i for i in range(first + 1, len(low)) if low[i] in _TELEX_TONE]
    if not keys:
        return 0, low
    if len(keys) > 1:
        return None, low
    i = keys[0]
    return _TELEX_TONE[low[i]], low[:i] + low[i + 1:]


def _telex_shapes(low: str, tone: int):
    """The syllables the keys may spell, likeliest first: each ``w`` on the letter it follows,
    then one typed later (``chuaw``, ``luuw``, ``nguoiw``, ``truongw``: ưa, ưu, ươ) moved back
    onto each vowel it may shape, the nearest first."""
    from diacritics.tone import place_tone
    yield place_tone(_telex_letters(low), tone)
    w = low.rfind("w")
    if w > 0:
        rest = low[:w] + low[w + 1:]
        for j in range(w - 1, 0, -1):
            if rest[j - 1] in "aou":
                yield place_tone(_telex_letters(rest[:j] + "w" + rest[j:]), tone)


def _telex_letters(low: str) -> str:
    for keys, letter in _TELEX_SHAPE:
        low = low.replace(keys, letter)
    return low


# VNI typing with the input method off: the mark keys are digits after the letter they
# go on or at the end of the word (Co65ng ho2a, Vie65t or Viet65, d9a5t, nu7o71c):
# 1–5 the tones, 6 a circumflex, 7 a horn, 8 a breve, 9 the stroke of đ
_VNI_TYPED_WORD = re.compile(r"\b[A-Za-z]+[1-9][A-Za-z1-9]*\b")
_VNI_TYPED_SIGNATURE = re.compile(r"\b[A-Za-z]*[aeiouyAEIOUY][A-Za-z]*[1-9][A-Za-z1-9]*\b")
_VNI_SHAPES = {"6": ({"a": "â", "e": "ê", "o": "ô"}), "7": {"o": "ơ", "u": "ư"}, "8": {"a": "ă"}, "9": {"d": "đ"}}


def vni_typed_to_unicode(line: str, is_word: Callable[[str], bool] | None = None) -> str:
    """Decode VNI keys typed as digits (``Co65ng ho2a`` → ``Cộng hòa``). A word is decoded only
    when that makes it a syllable (``is_word``, lower-case; by default any well-formed one)."""
    from diacritics.tone import is_syllable
    is_word = is_word or is_syllable
    return _VNI_TYPED_WORD.sub(lambda m: _vni_typed_word(m.group(0), is_word) or m.group(0), line)


def _vni_typed_word(word: str, is_word: Callable[[str], bool]) -> str | None:
    from diacritics.tone import place_tone
    if "D9" in word and word.replace("D9", "").isalpha() and word.replace("D9", "").isupper():
        return _typed_acronym(word, "D9")   # QD9, HD9ND, BCD9CCHC are QĐ, HĐND, BCĐCCHC
    letters: list[str] = []
    tone = 0
    for ch in word.lower():
        if not ch.isdigit():
            letters.append(ch)
        elif ch in "12345":
            if tone:
                return None   # two tones: not a word typed so
            tone = int(ch)
        else:
            shape = _VNI_SHAPES[ch]
            at = next((i for i in range(len(letters) - 1, -1, -1) if letters[i] in shape), None)
            if at is None:
                return None
            if ch == "7" and letters[at] == "o" and at > 0 and letters[at - 1] == "u":
                letters[at - 1] = "ư"   # uo7: ươ
            letters[at] = shape[letters[at]]
    out = place_tone("".join(letters), tone)
    if out == word.lower() or not (is_word(out) or out == "đ"):   # đ alone: the list label đ)
        return None
    return _typed_case(word, out)


_SIGNATURES = {tcvn3_to_unicode: _TCVN3_SIGNATURE, vni_to_unicode: _VNI_SIGNATURE,
               cp1258_to_unicode: _CP1258_SIGNATURE, viscii_to_unicode: _VISCII_SIGNATURE,
               viqr_to_unicode: _VIQR_SIGNATURE, telex_to_unicode: _TELEX_SIGNATURE,
               vni_typed_to_unicode: _VNI_TYPED_SIGNATURE}
