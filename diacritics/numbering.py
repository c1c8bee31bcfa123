"""Heading numbers an OCR misread, put back by the outline they belong to.

A report numbers its headings ``4.``, ``5.``, ``5.1.``, ``5.1.1``, …, ``6``. OCR in the wrong
language reads a font's 5 as 9 or 3 (``9.1.1.``, ``9.2.``, ``3.3.`` for 5.1.1, 5.2, 5.3), and
nothing in the label itself tells: only the outline does. Within each level, the labels that
share a parent form runs of one number; the run between a 4 and a 6 is a 5, if what was printed
looks like a 5.

``fix_outline_numbers`` chooses, for each run, the number that makes the outline go on most
naturally (one more than the run before, the same where only deeper labels split it, back to
1 for a new list), paying a price for each run it reads as a look-alike digit; a run keeps
its number unless the outline around it is clearly better so. A true skip (``7.3`` then
``9.1``, where 8 had no sub-items) costs less than reading the 9s of its run as 8s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

# A label opening a line: 5.1.1 / 5.1. / 5. (a bare 5 could be a table's value, and is left out)
_LABEL = re.compile(r"^[ \t]*(\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)(?=[ \t]|$)")

# Digits OCR takes for one another (English OCR of Vietnamese fonts: 5 as 9 in seed 001's
# outline, 5 as 3); both ways
LOOKALIKE_DIGITS = {"5": "369", "9": "58", "3": "58", "8": "369", "6": "58", "1": "7", "7": "1"}

# A font misreads the same digit the same way, so a run is read as a look-alike as a whole:
# a price per run, and a little more per label in it
READ_RUN, READ_LABEL = 2.0, 0.1
RESTART = 0.5     # back to 1: a new list
START = 1.5       # a list that opens on another number than 1
SKIP = 1.0        # one number left out: a section without sub-items, a line the OCR lost
JUMP = 2.0        # more left out
BACK = 2.5        # back to an earlier number (a list whose first items were no headings)
DUPLICATE = 4.0   # the same heading twice
CONFIDENCE = 0.8  # of a label read so, as the repair lists it (above review's 0.7: the outline is evidence)


@dataclass
class Label:
    line: int            # index into the lines
    start: int           # where the number starts on its line
    parts: list[int]     # 5.1.1 → [5, 1, 1]
    text: str            # as printed, without a trailing dot


def find_labels(lines: list[str]) -> list[Label]:
    """The outline labels opening lines, in order."""
    found = []
    for i, line in enumerate(lines):
        m = _LABEL.match(line)
        if m:
            text = m.group(1).rstrip(".")
            found.append(Label(i, m.start(1), [int(x) for x in text.split(".")], text))
    return found


def _step(before: int, after: int, children: bool) -> float:
    """The price of a run numbered ``after`` following one numbered ``before``; ``children``:
    the later run has only deeper labels (5.3.1 after 5.2.3 goes on in section 5)."""
    if after == before + 1:
        return 0.0
    if after == before:
        return 0.0 if children else DUPLICATE
    if after == 1:
        return RESTART
    if after > before:
        return SKIP if after == before + 2 else JUMP
    return BACK


def _lookalikes(n: int) -> set[int]:
    s = str(n)
    out = set()
    for k, ch in enumerate(s):
        for alt in LOOKALIKE_DIGITS.get(ch, ""):
            v = s[:k] + alt + s[k + 1:]
            if not v.startswith("0"):
                out.add(int(v))
    return out


def _choose(runs: list[tuple[int, int, bool]]) -> list[int]:
    """Viterbi over runs ``(printed number, labels in it, only deeper labels)``: the number
    each run stands for."""
    options = [[n] + sorted(_lookalikes(n)) for n, _, _ in runs]

    def read(r: int, v: int) -> float:
        printed, size, _ = runs[r]
        return 0.0 if v == printed else READ_RUN + READ_LABEL * size

    cost = [(0.0 if v == 1 else START) + read(0, v) for v in options[0]]
    back: list[list[int]] = []
    for r in range(1, len(runs)):
        children = runs[r][2]
        new_cost, ptr = [], []
        for v in options[r]:
            steps = [cost[j] + _step(u, v, children) for j, u in enumerate(options[r - 1])]
            best = min(range(len(steps)), key=steps.__getitem__)
            new_cost.append(steps[best] + read(r, v))
            ptr.append(best)
        cost = new_cost
        back.append(ptr)
    k = min(range(len(cost)), key=cost.__getitem__)
    chosen = [options[-1][k]]
    for r in range(len(runs) - 1, 0, -1):
        k = back[r - 1][k]
        chosen.append(options[r - 1][k])
    return chosen[::-1]


def _fix_level(labels: list[Label], level: int) -> None:
    """Re-read component ``level`` of labels that have one, group by group of the same parent."""
    deep = [lab for lab in labels if len(lab.parts) > level]
    for _parent, group in groupby(deep, key=lambda lab: lab.parts[:level]):
        runs = [list(run) for _n, run in groupby(group, key=lambda lab: lab.parts[level])]
        if len(runs) < 2:
            continue
        printed = [(run[0].parts[level], len(run), all(len(lab.parts) > level + 1 for lab in run)) for run in runs]
        for run, value in zip(runs, _choose(printed)):
            for lab in run:
                lab.parts[level] = value


def fix_outline_numbers(lines: list[str], editable: set[int] | None = None
                        ) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    """``lines`` with misread outline numbers put right, and each change as (line index,
    column, before, after).
    Only lines in ``editable`` change (all, if None); every label counts as evidence."""
    labels = find_labels(lines)
    if len(labels) < 3:
        return lines, []
    depth = max(len(lab.parts) for lab in labels)
    for level in range(depth):
        _fix_level(labels, level)
    out, changes = list(lines), []
    for lab in labels:
        new = ".".join(str(x) for x in lab.parts)
        if new == lab.text or (editable is not None and lab.line not in editable):
            continue
        line = out[lab.line]
        out[lab.line] = line[:lab.start] + new + line[lab.start + len(lab.text):]
        changes.append((lab.line, lab.start, lab.text, new))
    return out, changes
