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

CLEAN, STRIPPED, GARBLED = "clean", "stripped", "garbled"
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Look-alikes that wrong-language OCR leaves inside words.
_GARBLE_CHARS = re.compile(r"[wW€¢§&@|}{\];_]|[a-zA-Z][0-9]|[0-9][a-zA-Z]")
MIN_EVIDENCE = 3  # word tokens a line needs to decide by itself


@dataclass
class LineStats:
    words: int = 0
    accented_valid: int = 0    # valid syllables carrying marks
    ascii_plausible: int = 0   # ASCII words that are a valid syllable's skeleton
    accented_invalid: int = 0  # carries marks yet is no syllable (``tién``, ``nwéc``)
    lookalike: int = 0         # digits/symbols inside a word, ``w`` for ``ư``

    def label(self) -> str | None:
        if self.words < MIN_EVIDENCE:
            return None
        bad = self.accented_invalid + self.lookalike
        if bad >= max(1, 0.12 * self.words):
            return GARBLED
        ascii_share = self.ascii_plausible / self.words
        if self.accented_valid <= 0.1 * self.words and ascii_share >= 0.6:
            return STRIPPED
        return CLEAN


def line_stats(line: str, is_valid: Callable[[str], bool], is_skeleton: Callable[[str], bool]) -> LineStats:
    st = LineStats()
    for raw in line.split():
        core = split_edge_punct(raw)[1]
        if not core or not _HAS_LETTER.search(core) or "/" in core:
            continue  # numbers and document codes (30c/NQ-CP)
        if core.isupper() and len(core) >= 2 and not is_skeleton(skeleton(core)) and not is_valid(core.lower()):
            continue  # acronyms and codes (UBND, CCHC) say nothing either way
        st.words += 1
        low = core.lower()
        if _GARBLE_CHARS.search(core):
            st.lookalike += 1
        elif low.isascii():
            if is_skeleton(low):
                st.ascii_plausible += 1
        elif is_valid(low):
            st.accented_valid += 1
        else:
            st.accented_invalid += 1
    return st


def classify_lines(lines: Sequence[str], is_valid: Callable[[str], bool],
                   is_skeleton: Callable[[str], bool]) -> list[str]:
    """One label per line; lines without enough evidence inherit from their neighbours."""
    stats = [line_stats(ln, is_valid, is_skeleton) for ln in lines]
    labels: list[str | None] = [s.label() for s in stats]
    doc = document_label(stats)
    decided = [i for i, lab in enumerate(labels) if lab is not None]
    out = []
    for i, lab in enumerate(labels):
        if lab is None:
            if not stats[i].words:
                lab = CLEAN if doc == CLEAN else doc
            else:
                # nearest decided line, else the document's majority
                near = min(decided, key=lambda j: abs(j - i)) if decided else None
                lab = labels[near] if near is not None and abs(near - i) <= 3 else doc
                if lab == CLEAN and (stats[i].accented_invalid or stats[i].lookalike):
                    lab = GARBLED
        out.append(lab)
    # In a wrong-language export, mark-less lines are garbled text that happens
    # to carry no look-alikes: repair them with the same channel.
    if doc == GARBLED:
        out = [GARBLED if lab == STRIPPED else lab for lab in out]
    return out


def document_label(stats: Sequence[LineStats]) -> str:
    words = sum(s.words for s in stats) or 1
    bad = sum(s.accented_invalid + s.lookalike for s in stats)
    if bad >= 0.06 * words:
        return GARBLED
    if sum(s.accented_valid for s in stats) <= 0.1 * words and \
            sum(s.ascii_plausible for s in stats) >= 0.5 * words:
        return STRIPPED
    return CLEAN
