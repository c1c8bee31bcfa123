"""Tables without rulings, found from how the words line up.

The page is read once (Tesseract, ``--psm 6``). A table is a run of text
lines that split into three or more chunks at wide gaps; its columns are the
vertical white "rivers" no word crosses in that run. A line with nothing in
the STT column continues the row above (a wrapped indicator or header cell).
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

import numpy as np
from PIL import Image

from table_extract.model import Row, Table
from table_extract.ocr import _clean_ink, _tesseract_words, read_cells

MIN_ROWS = 3
_STT_START = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]+\.?|[-+•])$")


@dataclass
class _Word:
    x0: int
    y0: int
    x1: int
    y1: int
    text: str
    conf: float


@dataclass
class _Line:
    words: list[_Word]

    @property
    def y0(self) -> int:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> int:
        return max(w.y1 for w in self.words)

    def chunks(self, gap: float) -> list[list[_Word]]:
        out: list[list[_Word]] = []
        for w in sorted(self.words, key=lambda w: w.x0):
            if out and w.x0 - out[-1][-1].x1 <= gap:
                out[-1].append(w)
            else:
                out.append([w])
        return out


def page_lines(gray: np.ndarray, dpi: int, lang: str) -> list[_Line]:
    mask = _clean_ink(gray, dpi)
    if mask is None:
        return []
    data = _tesseract_words(Image.fromarray(255 - mask), lang, dpi)
    lines: dict[tuple[int, int, int], list[_Word]] = {}
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        if not text or float(data["conf"][i]) < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(_Word(data["left"][i], data["top"][i], data["left"][i] + data["width"][i],
                                               data["top"][i] + data["height"][i],
                                               unicodedata.normalize("NFC", text), float(data["conf"][i])))
    return sorted((_Line(ws) for ws in lines.values()), key=lambda l: l.y0)


def visual_rows(lines: list[_Line]) -> list[_Line]:
    """OCR lines regrouped into the rows a reader sees, top to bottom.

    Tesseract's page segmentation (psm 3, as ``sohoa ocr`` reads) puts each column of a
    borderless table in its own block, so a table row arrives as one "line" per cell. A line
    joins the row it overlaps most when that overlap is at least a quarter of the shorter
    height, as ``--psm 6`` would have read them: the STT and values of a row whose indicator
    wraps sit half-way between the indicator's two lines, overlapping the first by about a
    third. Two lines of a paragraph do not overlap at all.
    """
    rows: list[list[_Line]] = []
    spans: list[list[int]] = []
    for line in sorted(lines, key=lambda l: (l.y0 + l.y1) / 2):
        y0, y1 = line.y0, line.y1
        best, best_k = 0.25, None
        # taken in order of their middles, a line can only overlap the last few rows
        for k in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            a, b = spans[k]
            share = (min(b, y1) - max(a, y0)) / max(1, min(b - a, y1 - y0))
            if share >= best:
                best, best_k = share, k
        if best_k is None:
            rows.append([line])
            spans.append([y0, y1])
        else:
            rows[best_k].append(line)
            spans[best_k] = [min(spans[best_k][0], y0), max(spans[best_k][1], y1)]
    merged = [_Line([w for l in ls for w in l.words]) for ls in rows]
    return sorted(merged, key=lambda l: l.y0)


def _columns(lines: list[_Line], min_gap: float) -> list[tuple[int, int]]:
    """Column x-ranges: the spans between white rivers that (almost) no word of these lines crosses.

    'Almost': a misread speck ('—', ';') between two columns on one line must
    not weld the STT column to the indicator column.
    """
    x0 = min(w.x0 for l in lines for w in l.words)
    x1 = max(w.x1 for l in lines for w in l.words)
    count = np.zeros(x1 - x0 + 1, int)
    for l in lines:
        covered = np.zeros_like(count, bool)
        for w in l.words:
            covered[w.x0 - x0:w.x1 - x0 + 1] = True
        count += covered
    allowed = max(2, int(0.2 * len(lines))) if len(lines) >= 5 else 1
    cover = count > allowed
    cols, start, gap_run = [], None, 0
    for i, c in enumerate(cover):
        if c:
            if start is None:
                start = i
            elif gap_run >= min_gap:
                cols.append((x0 + start, x0 + i - gap_run - 1))
                start = i
            gap_run = 0
        else:
            gap_run += 1
    if start is not None:
        cols.append((x0 + start, x1 - gap_run))
    return cols


def borderless_tables(gray: np.ndarray, dpi: int, *, source: str = "", page: int | None = None,
                      lang: str = "vie", words: list[list[tuple]] | None = None
                      ) -> list[tuple[Table, tuple[int, int, int, int]]]:
    """Tables found from word alignment, each with its bounding box on the page.

    ``words``: the page's OCR lines as (x0, y0, x1, y1, text, confidence) tuples, when already
    read. They only tell whether the page may hold a table: a page of prose costs no
    further reading. Read with ``sohoa ocr``'s page segmentation, they lose too much of a
    table to lay out its columns (the lone STT numbers go missing, two wrapped indicator
    lines come back as one), so a page that may hold one is read again as one block.
    """
    if words is not None:
        if not any(_may_be_table(run, text_h) for run, text_h in
                   _runs(visual_rows([_Line([_Word(*w) for w in ln]) for ln in words if ln]))):
            return []
    lines = page_lines(gray, dpi, lang)
    tables = []
    for run, text_h in _runs(lines):
        t = _table_from_run(gray, dpi, lang, run, text_h, source, page)
        if t is not None:
            tables.append((t, (min(w.x0 for l in run for w in l.words), run[0].y0,
                               max(w.x1 for l in run for w in l.words), run[-1].y1)))
    return tables


def _runs(lines: list[_Line]) -> list[tuple[list[_Line], float]]:
    """(lines, text height) of each run of lines that may be a table: MIN_ROWS or more row lines
    close together, with the header lines above them."""
    if len(lines) < MIN_ROWS:
        return []
    text_h = statistics.median(l.y1 - l.y0 for l in lines)
    gap = 0.9 * text_h
    multi = [_is_row_line(l, gap) for l in lines]
    runs = []
    i = 0
    while i < len(lines):
        if not multi[i]:
            i += 1
            continue
        j = i
        run = [lines[i]]
        while j + 1 < len(lines):
            # wrapped indicator lines sit between the multi-column lines of a table
            k = next((k for k in range(j + 1, min(len(lines), j + 7)) if multi[k]), None)
            if k is None or any(lines[m + 1].y0 - lines[m].y1 > 2 * text_h for m in range(j, k)):
                break
            run += lines[j + 1:k + 1]
            j = k
        while j + 1 < len(lines) and not multi[j + 1] and lines[j + 1].y0 - lines[j].y1 < 0.6 * text_h:
            j += 1
            run.append(lines[j])
        if sum(multi[i:j + 1]) >= MIN_ROWS:
            runs.append((_with_header(lines[:i], run, text_h, gap), text_h))
        i = j + 1
    return runs


def _may_be_table(run: list[_Line], text_h: float) -> bool:
    """What :func:`_table_from_run` asks before reading any cell: value columns to find."""
    return len(_value_columns(run, text_h)) >= 3


def _value_columns(run: list[_Line], text_h: float) -> list[tuple[int, int]]:
    """The columns of the run's lines with 3+ chunks; [] when there are none (only STT +
    indicator lines, a numbered list)."""
    wide = [l for l in run if len(l.chunks(0.9 * text_h)) >= 3]
    return _columns(wide, 0.5 * text_h) if wide else []


def _is_row_line(line: _Line, gap: float) -> bool:
    """Three or more chunks, or an STT and an indicator (a parent row without values)."""
    chunks = line.chunks(gap)
    return len(chunks) >= 3 or (len(chunks) == 2 and len(chunks[0]) == 1 and bool(_STT_START.match(chunks[0][0].text)))


def _with_header(before: list[_Line], run: list[_Line], text_h: float, gap: float) -> list[_Line]:
    """Header lines above the first multi-column line: merged group labels are a single short chunk."""
    width = max(w.x1 for l in run for w in l.words) - min(w.x0 for l in run for w in l.words)
    top = list(run)
    for line in reversed(before[-8:]):  # header cells wrap over several lines
        if top[0].y0 - line.y1 > 2 * text_h:
            break
        chunks = line.chunks(gap)
        if len(chunks) < 2 and chunks[0][-1].x1 - chunks[0][0].x0 > 0.35 * width:
            break  # a title line, not part of the table
        top.insert(0, line)
    return top


def _spanning(line: _Line, cols: list[tuple[int, int]], gap: float) -> list[tuple[int, list[_Word]]] | None:
    """(first column, chunk) for a line whose chunks cross a column boundary (a merged header cell)."""
    bounds = [(a[1] + b[0]) / 2 for a, b in zip(cols, cols[1:])]
    placed, crosses = [], False
    for chunk in line.chunks(gap):
        x0, x1 = chunk[0].x0, chunk[-1].x1
        crosses |= any(x0 + gap / 2 < b < x1 - gap / 2 for b in bounds)
        placed.append((sum(b <= x0 for b in bounds), chunk))
    return placed if crosses else None


def _table_from_run(gray: np.ndarray, dpi: int, lang: str, run: list[_Line], text_h: float, source: str,
                    page: int | None) -> Table | None:
    gap = 0.9 * text_h
    cols = _value_columns(run, text_h)
    if len(cols) < 3:
        return None
    # merged cells are looked for in the header only: a misread speck in a body row is not a span
    body = next((k for k, l in enumerate(run) if _STT_START.match(l.chunks(gap)[0][0].text)
                 and l.chunks(gap)[0][0].x0 <= cols[0][1]), len(run))
    spans = [_spanning(l, cols, gap) if k < body else None for k, l in enumerate(run)]
    # rows: lines closer than this belong to one (wrapped) cell, wider gaps separate rows;
    # a line crossing a column river is a merged header row of its own
    groups: list[list[int]] = [[0]]
    for k in range(1, len(run)):
        if run[k].y0 - run[k - 1].y1 > 0.6 * text_h or spans[k] or spans[k - 1]:
            groups.append([k])
        else:
            groups[-1].append(k)
    if len(groups) < MIN_ROWS:
        return None
    left = min(w.x0 for l in run for w in l.words)
    right = max(w.x1 for l in run for w in l.words)
    xb = [left - int(text_h)] + [(a[1] + b[0]) // 2 for a, b in zip(cols, cols[1:])] + [right + int(text_h)]
    yb = [run[groups[0][0]].y0 - int(text_h * 0.5)]
    yb += [(max(run[i].y1 for i in a) + min(run[i].y0 for i in b)) // 2 for a, b in zip(groups, groups[1:])]
    yb.append(max(run[i].y1 for i in groups[-1]) + int(text_h * 0.5))
    h, w = gray.shape
    pad = int(0.3 * text_h)
    boxes, where = [], []
    for r, g in enumerate(groups):
        if len(g) == 1 and spans[g[0]]:
            for c, chunk in spans[g[0]]:
                boxes.append((max(0, chunk[0].x0 - pad), max(0, yb[r]), min(w, chunk[-1].x1 + pad), min(h, yb[r + 1])))
                where.append((r, c))
        else:
            for c in range(len(cols)):
                boxes.append((max(0, xb[c]), max(0, yb[r]), min(w, xb[c + 1]), min(h, yb[r + 1])))
                where.append((r, c))
    texts = read_cells(gray, boxes, dpi, lang)
    grid = [[""] * len(cols) for _ in groups]
    conf = [[1.0] * len(cols) for _ in groups]
    for (r, c), t in zip(where, texts):
        grid[r][c] = f"{grid[r][c]} {t.text}".strip()
        conf[r][c] = t.confidence
    from table_extract.scan import reread_stt
    reread_stt(gray, dict(zip(where, boxes)), grid, dpi)
    return Table([Row(g, confidence=c) for g, c in zip(grid, conf)], source=source, page=page)
