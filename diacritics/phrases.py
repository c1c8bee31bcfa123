"""A garble left as printed, read from the same phrase elsewhere in the document.

A plan or report repeats its set phrases: ``Chủ trì, phối hợp với các cơ quan có liên quan``
opens a dozen paragraphs of seed 003. Where wrong-language OCR ran two of its words together
and lost a letter (``-Chutr, phdi hop Voi cac co quan``), no syllable explains the token and
the repair leaves it as printed (``Repaired.kept``). The words that follow it, read surely,
are the same as elsewhere in the document; there they follow ``Chủ trì``, whose letters,
without marks and spaces, are the garble's but one (``chutri``/``chutr``).

``recall_phrases`` reads each kept garble so: it looks for the ``CONTEXT_WORDS`` words that
follow it (or precede it) elsewhere in the text, takes the one to ``MAX_WORDS`` words beside
them there whose bare letters come closest to the garble's, and uses them only when they are
close enough (``MIN_SIMILARITY``) and every place that matches agrees.

A heading has no such context, but its siblings are in the document: ``Phần thứ nhất`` and
``Phần thứ hai`` head seed 003's first two parts, and the third is printed ``Phanthitba``.
``recall_headings`` reads a kept garble that is a whole line as the heading the sequence
misses at that place (``Phần thứ ba``), by the same closeness of bare letters.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from diacritics.confusion import skeleton
from diacritics.repair import _mostly_upper, apply_case

CONTEXT_WORDS = 3     # words either side that must read the same at both places
MAX_WORDS = 3         # a garble may stand for this many words run together
# normalised Levenshtein similarity of the bare letters: chutr/chutri is 0.83; two different
# syllables of one context (hoặc/và) are far below
MIN_SIMILARITY = 0.75
# a bullet or punctuation glued to a garble is no part of it (-Chutr,)
EDGE_PUNCTUATION = "-–•*~,.;:()[]\"'‘’“”"
CONFIDENCE = 0.6      # a garble read from the document's own words: listed for review (below 0.7)

_WORD = re.compile(r"[^\W\d_]+")

# The ordinals of word-numbered headings (Phần thứ nhất … thứ mười; ``thứ tư``, not bốn)
ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")
# a heading: one to three words, then its ordinal, alone on the line (a stop or colon may follow)
_HEADING = re.compile(r"[ \t]*((?:[^\W\d_]+[ \t]+){1,3})(" + "|".join(ORDINALS) + r")[ \t]*[.:]?[ \t]*",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Word:
    line: int
    start: int
    text: str


def _bare(text: str) -> str:
    # not confusion.lookup_skeleton: its folding (6 → o, @ → a) is for candidate lookup, and
    # here the garble's letters are compared with words the document spelt out
    return "".join(c for c in skeleton(text) if c.isalpha())


def _similarity(bare: str, text: str) -> float:
    """How close a garble's bare letters are to ``text``'s (normalised Levenshtein, 0–1)."""
    return Levenshtein.normalized_similarity(bare, _bare(text))


def recall_phrases(lines: list[str], garbles: list[tuple[int, str]]) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    """Read each garble ``(line index, token)`` as the document's own phrase where one fits.

    Returns the new lines and the changes as ``(line index, column, before, after)``.
    """
    words = [Word(i, m.start(), m.group(0).lower())
             for i, line in enumerate(lines) for m in _WORD.finditer(line)]
    on_line: dict[int, list[int]] = {}
    for k, w in enumerate(words):
        on_line.setdefault(w.line, []).append(k)
    places: dict[tuple[str, ...], list[int]] = {}
    for m in range(len(words) - CONTEXT_WORDS + 1):
        places.setdefault(tuple(w.text for w in words[m:m + CONTEXT_WORDS]), []).append(m)
    found = []
    for li, token in garbles:
        core = token.strip(EDGE_PUNCTUATION)
        col = lines[li].find(core) if core else -1
        if col < 0 or lines[li].find(core, col + 1) >= 0:
            continue   # not found once in its line: no telling which it is
        inside = [k for k in on_line.get(li, ()) if col <= words[k].start < col + len(core)]
        if inside:
            found.append((li, col, core, inside[0], inside[-1] + 1))
    unsure = {k for *_rest, a, b in found for k in range(a, b)}
    changes = []
    for li, col, core, a, b in found:
        phrase = _recall(words, places, unsure, a, b, _bare(core))
        if phrase:
            changes.append((li, col, core, apply_case(core, phrase)))
    return _applied(lines, changes), changes


def _applied(lines: list[str], changes: list[tuple[int, int, str, str]]) -> list[str]:
    """``lines`` with each change ``(line index, column, before, after)`` made (right to left
    within a line, so the columns of the others hold)."""
    out = list(lines)
    for li, col, before, after in sorted(changes, key=lambda c: (c[0], -c[1])):
        out[li] = out[li][:col] + after + out[li][col + len(before):]
    return out


def _recall(words: list[Word], places: dict, unsure: set[int], a: int, b: int, bare: str) -> str | None:
    """The phrase that stands beside the garble's context elsewhere, if all such places agree."""
    votes: Counter = Counter()
    for side, lo_ctx in (("right", b), ("left", a - CONTEXT_WORDS)):
        if lo_ctx < 0 or lo_ctx + CONTEXT_WORDS > len(words):
            continue
        ctx = tuple(w.text for w in words[lo_ctx:lo_ctx + CONTEXT_WORDS])
        for m in places.get(ctx, ()):
            if m == lo_ctx:
                continue   # the garble's own place
            best = None
            for k in range(1, MAX_WORDS + 1):
                lo, hi = (m - k, m) if side == "right" else (m + CONTEXT_WORDS, m + CONTEXT_WORDS + k)
                if lo < 0 or hi > len(words) or any(j in unsure for j in range(lo, hi)):
                    break
                phrase = " ".join(w.text for w in words[lo:hi])
                sim = _similarity(bare, phrase)
                if sim >= MIN_SIMILARITY and (best is None or sim > best[0]):
                    best = (sim, phrase)
            if best:
                votes[best[1]] += 1
    return next(iter(votes)) if len(votes) == 1 else None


# Capitals English OCR printed for a word (SG for Sở: the G a misread ở) are kept as a code,
# since nothing in the token tells them from a real one (TN, XH, PT). The document can: seed
# report 004 has "Sở Nội vụ" 11 times and "SG Nội vụ" 5.
CODE_MIN_VOTES = 3    # times the one word must stand before the same two words elsewhere
CODE_FLOOR = -6.0     # channel log-probability from which the capitals may be that word (SG → sở: -5.1)
_SHORT_CAPITALS = re.compile(r"[A-Z]{2,3}")   # matched whole against a word
_ROMAN = re.compile(r"[IVXLC]+")


def recall_codes(lines: list[str], editable: set[int], explains) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    """Read two or three capitals kept as a code (``SG``) in the lines ``editable`` as the word
    the document puts before the same two words elsewhere (``Sở`` before ``Nội vụ``), where
    that word stands there at least ``CODE_MIN_VOTES`` times and is the only one there that
    ``explains(token)`` (a dict of word → channel log-probability) reaches ``CODE_FLOOR`` for.
    Returns the new lines and the changes as ``(line index, column, before, after)``."""
    words = [Word(i, m.start(), m.group(0).lower())
             for i, line in enumerate(lines) for m in _WORD.finditer(line)]
    before: dict[tuple[str, str], Counter] = {}
    for k in range(1, len(words) - 1):
        before.setdefault((words[k].text, words[k + 1].text), Counter())[words[k - 1].text] += 1
    changes = []
    for k, w in enumerate(words[:-2]):
        if w.line not in editable:
            continue
        token = lines[w.line][w.start:w.start + len(w.text)]
        if not _SHORT_CAPITALS.fullmatch(token) or _ROMAN.fullmatch(token):
            continue
        votes = before.get((words[k + 1].text, words[k + 2].text))
        if not votes or max(votes.values()) < CODE_MIN_VOTES:
            continue   # most capitals: no channel lookup
        reached = {c for c, lp in explains(token).items() if lp >= CODE_FLOOR}
        fits = [(word, n) for word, n in votes.items() if word in reached]
        if len(fits) == 1 and fits[0][1] >= CODE_MIN_VOTES:
            word = fits[0][0]
            changes.append((w.line, w.start, token,
                            word.upper() if _mostly_upper(lines[w.line]) else word[:1].upper() + word[1:]))
    return _applied(lines, changes), changes


def recall_headings(lines: list[str], garbles: list[tuple[int, str]]) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    """Read each garble ``(line index, token)`` that is its line's only text as the
    word-numbered heading missing from its sequence at that place, where one fits.

    A sequence is the document's headings with the same words before their ordinal
    (``Phần thứ``); the one missing at a garble's line is the ordinal after the heading before
    it, if the heading after it (if any) comes later still. The garble's bare letters must be
    within ``MIN_SIMILARITY`` of it. Returns the new lines and the changes as ``(line index,
    column, before, after)``.
    """
    headings: dict[str, list[tuple[int, int, re.Match]]] = {}   # prefix → (line, ordinal, match)
    for i, line in enumerate(lines):
        m = _HEADING.fullmatch(line)
        if m:
            prefix = " ".join(m.group(1).lower().split())
            headings.setdefault(prefix, []).append((i, ORDINALS.index(m.group(2).lower()), m))
    changes = []
    for li, token in garbles:
        core = token.strip(EDGE_PUNCTUATION)
        if not core or lines[li].strip(" \t" + EDGE_PUNCTUATION) != core:
            continue
        fits = {_missing_heading(seq, li) for seq in headings.values()} - {None}
        best = [h for h in fits if _similarity(_bare(core), h) >= MIN_SIMILARITY]
        if len(best) == 1:
            changes.append((li, lines[li].find(core), core, best[0]))
    return _applied(lines, changes), changes


def _missing_heading(seq: list[tuple[int, int, re.Match]], li: int) -> str | None:
    """The heading of ``seq`` that belongs on line ``li``, spelt as the one before it, or None."""
    before = [(i, n, m) for i, n, m in seq if i < li]
    if not before:
        return None
    _i, n, m = before[-1]
    later = [k for i, k, _m in seq if i > li]
    if n + 1 >= len(ORDINALS) or n + 1 in {k for _i, k, _m in seq} or (later and min(later) <= n + 1):
        return None
    return " ".join(m.group(1).split()) + " " + apply_case(m.group(2), ORDINALS[n + 1])
