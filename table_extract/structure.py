"""What a grid of cells means: header rows, column roles, row hierarchy → records.

Every reader (text exports, ruled scans, word boxes, img2table in the bench)
hands a :class:`~table_extract.model.Table` to :func:`table_records`, so a
table scores the same however its cells were found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from table_extract.model import Indicator, Record, Row, Table
from table_extract.values import clean_cell, parse_value

_STT = re.compile(r"^(?:(?P<roman>[IVXLC]+)|(?P<num>\d{1,3}(?:\.\d{1,3})*)|(?P<letter>[a-zđ]))[.)]?$")
_BULLET = re.compile(r"^[-+•*–—○●▪]$")
# "II. Lĩnh vực cải cách thể chế" / "1. Tổng số …" written in one cell
_STT_PREFIX = re.compile(r"^(?P<stt>[IVXLC]+|\d{1,3}(?:\.\d{1,3})*)[.)]\s+(?P<rest>\S.*)$")
_YEAR = r"(?:19|20)\d{2}"
_PERIOD_START = re.compile(
    r"^(?:năm|giai đoạn|quý|tháng|\d+\s*tháng|6 tháng|9 tháng|tính đến|đến|lũy kế|luỹ kế|kỳ|"
    r"kế hoạch|thực hiện|ước|dự kiến|so với|cùng kỳ|niên độ|" + _YEAR + r")", re.I)
_AS_OF = re.compile(r"(?:tính\s+)?đến(?:\s+ngày)?\s+(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{2,4}))?", re.I)
_HEADER_WORD = re.compile(
    r"^(?:stt|tt|số tt|số thứ tự)$|chỉ tiêu|nội dung|nhiệm vụ|tiêu chí|mục tiêu|đơn vị|\bnăm\b|"
    r"giai đoạn|kết quả|đánh giá|ghi chú|số liệu|các cơ quan|thời gian|\bquý\b|\btháng\b|kỳ báo cáo", re.I)
_STT_HEADER = re.compile(r"^(?:stt|tt|số tt|số thứ tự)\.?$", re.I)
_INDICATOR_HEADER = re.compile(r"chỉ tiêu|nội dung|nhiệm vụ|tiêu chí|mục tiêu|hạng mục|tên", re.I)
_UNIT_HEADER = re.compile(r"^(?:đơn vị tính|đvt|đơn vị)\.?$", re.I)
_ATTR_HEADER = re.compile(r"^(?:đơn vị (?!tính)|ghi chú|cơ quan|nguồn|căn cứ|người|phụ trách)", re.I)
_MEASURE_HEADER = re.compile(r"kết quả|đánh giá|số liệu|giá trị|tỷ lệ|số lượng|thực hiện|kế hoạch|"
                             r"mức độ|đạt|tổng số|chỉ số", re.I)


@dataclass
class Period:
    label: str
    year: int | None
    as_of: str


def stt_kind(stt: str) -> str:
    """'roman', 'num', 'letter', 'bullet' or '' for a cleaned STT cell."""
    if not stt:
        return ""
    if _BULLET.match(stt):
        return "bullet"
    m = _STT.match(stt)
    if not m:
        return ""
    if m.group("roman") and (len(stt.rstrip(".)")) > 1 or stt.rstrip(".)") in "IVX"):
        return "roman"
    return "num" if m.group("num") else "letter" if m.group("letter") else "roman"


def normalise_stt(stt: str) -> str:
    s = clean_cell(stt)
    return s if _BULLET.match(s) else s.rstrip(".)").strip()


def parse_period(label: str) -> Period | None:
    """A column (or row) label that names a time: 'Năm 2025 (tính đến 31/3)' → year 2025, as of 2025-03-31."""
    s = clean_cell(label)
    years = [int(y) for y in re.findall(r"(?<!\d)(" + _YEAR + r")(?!\d)", s)]
    if not years or len(s) > 70 or not _PERIOD_START.match(s.lstrip("(")):
        return None
    as_of = ""
    m = _AS_OF.search(s)
    if m:
        day, month, yr = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(yr) if yr else years[-1]
        if year < 100:
            year += 2000
        if 1 <= day <= 31 and 1 <= month <= 12:
            as_of = f"{year:04d}-{month:02d}-{day:02d}"
            years.append(year)
    return Period(s, years[-1] if as_of else (years[0] if len(set(years)) == 1 else years[-1]), as_of)


def _is_header_row(cells: list[str]) -> bool:
    # header cells are short labels; a long sentence mentioning "kết quả" is an indicator
    if any(len(c) > 150 for c in cells):
        return False
    return any(c and len(c) <= 60 and (_HEADER_WORD.search(c) or parse_period(c)) for c in cells)


def _column_numbers_row(cells: list[str]) -> bool:
    """The '(1) (2) (3)' / '1 2 3' row many forms print under the header."""
    filled = [(i, c.strip("()")) for i, c in enumerate(cells) if c]
    return len(filled) >= 3 and all(c.isdigit() for _i, c in filled) and \
        [int(c) for _i, c in filled] == list(range(int(filled[0][1]), int(filled[0][1]) + len(filled)))


def header_size(grid: list[list[str]]) -> tuple[int, bool]:
    """(number of header rows, transposed?) — transposed tables have periods down the first column."""
    n = len(grid)
    for i in range(1, min(n, 7)):
        first = grid[i][0] if grid[i] else ""
        if any(parse_period(c) for c in grid[i][1:] if c):
            continue  # a row of period labels is header whatever its first cell says
        if first and parse_period(first) and not any(parse_period(c) for c in grid[i][1:] if c):
            return i, True
        if first and (stt_kind(first) or _STT_PREFIX.match(first)) and not _HEADER_WORD.search(first):
            return _trim_header(grid, i), False
    return _trim_header(grid, min(n, 6)), False


def _trim_header(grid: list[list[str]], upto: int) -> int:
    h = 0
    for i in range(upto):
        if _is_header_row(grid[i]):
            h = i + 1
        elif i > h:
            break
    return h


@dataclass
class Layout:
    header_rows: int
    transposed: bool
    width: int
    stt_col: int | None
    indicator_col: int
    value_cols: list[int]
    unit_col: int | None
    labels: list[list[str]]                   # per column: header label path, top to bottom
    periods: dict[int, Period] = field(default_factory=dict)


def column_labels(header: list[list[str]], width: int) -> list[list[str]]:
    """Per column, the header labels from top to bottom, spreading merged cells over their span."""
    rows = [r + [""] * (width - len(r)) for r in header]
    paths: list[list[str]] = []
    for c in range(width):
        path: list[str] = []
        for r, row in enumerate(rows):
            t = row[c]
            if not t and any(rows[k][c] for k in range(r + 1, len(rows))):
                # under a horizontally merged cell: its label sits further left in this row
                t = next((row[k] for k in range(c - 1, -1, -1) if row[k]), "")
            if t and (not path or path[-1] != t):
                path.append(t)
        paths.append(path)
    return paths


def _period_of(path: list[str]) -> Period | None:
    for i, label in enumerate(path):
        p = parse_period(label)
        if p:
            if i < len(path) - 1:
                return Period(" — ".join(path[i:]), p.year, p.as_of)
            return p
    return None


def analyse(table: Table) -> Layout | None:
    """The layout of an indicator table, or None if the grid is not one (letterheads, signatures)."""
    grid = [[clean_cell(c) for c in r.cells] for r in table.rows]
    if len(grid) < 2:
        return None
    h, transposed = header_size(grid)
    header = grid[:h]
    body = grid[h:]
    width = max([len(r) for r in header] + [0])
    while width > 1 and all(len(r) < width or not r[width - 1] for r in header) and \
            all(len(r) < width or not r[width - 1] for r in body):
        width -= 1
    if width < 2 or not body:
        return None
    labels = column_labels(header, width)
    leaf = [p[-1] if p else "" for p in labels]
    if transposed:
        cols = [c for c in range(1, width) if leaf[c]]
        return Layout(h, True, width, None, 0, cols, None, labels) if cols else None

    stt_col = next((c for c in range(width) if _STT_HEADER.match(leaf[c])), None)
    if stt_col is None:
        firsts = [r[0] for r in body if r and r[0]]
        if firsts and sum(bool(stt_kind(f)) for f in firsts) >= max(2, 0.5 * len(firsts)):
            stt_col = 0
    start = 0 if stt_col is None else stt_col + 1
    ind_col = next((c for c in range(start, width) if _INDICATOR_HEADER.search(leaf[c])
                    and not parse_period(leaf[c])), None)
    if ind_col is None:
        ind_col = start
    periods: dict[int, Period] = {}
    value_cols: list[int] = []
    unit_col = None
    for c in range(ind_col + 1, width):
        p = _period_of(labels[c])
        if p:
            periods[c] = p
            value_cols.append(c)
        elif _UNIT_HEADER.match(leaf[c]):
            unit_col = c
        elif _ATTR_HEADER.match(leaf[c]):
            continue
        elif leaf[c] and (_MEASURE_HEADER.search(leaf[c]) or _mostly_values(body, c)):
            periods[c] = Period(" — ".join(labels[c]), None, "")
            value_cols.append(c)
    if not value_cols:
        return None
    if not periods or not any(p.year for p in periods.values()):
        # no time columns: only a table with a recognisable STT/indicator header counts
        if stt_col is None and not _INDICATOR_HEADER.search(leaf[ind_col]):
            return None
    return Layout(h, False, width, stt_col, ind_col, value_cols, unit_col, labels, periods)


def _mostly_values(body: list[list[str]], c: int) -> bool:
    cells = [r[c] for r in body if len(r) > c and r[c]]
    if not cells:
        return False
    typed = [parse_value(x) for x in cells]
    return sum(v is not None and v.value_type != "text" for v in typed) >= 0.6 * len(cells)


def _align(cells: list[str], layout: Layout) -> tuple[list[str], list[str]]:
    """(label cells, cells in header-column positions) for one body row.

    Rows wider than the header carry extra label columns (a merged 'Chia theo …'
    group beside the indicator), so their values are aligned from the right; rows
    that are short by the attribute columns hold just the values.
    """
    w, ind = layout.width, layout.indicator_col
    cells = list(cells)
    if len(cells) > w:
        extra = len(cells) - w
        tail_empty = not any(cells[w:])
        after = cells[ind + 1] if len(cells) > ind + 1 else ""
        label_like = bool(after) and parse_value(after) is not None and \
            parse_value(after).value_type == "text" and len(after.split()) >= 3
        if tail_empty and not label_like:
            cells = cells[:w]
        else:
            labels = cells[:ind + 1 + extra]
            rest = cells[ind + 1 + extra:]
            return labels, [""] * (ind + 1) + rest
    vals = layout.value_cols
    if len(cells) < w and vals and len(cells) - (ind + 1) == len(vals) and \
            vals != list(range(ind + 1, ind + 1 + len(vals))):
        # the export dropped a vertically merged cell ("Đơn vị thống kê" spanning the
        # sub-items) instead of leaving it empty: the remaining cells are the values
        placed = [""] * w
        placed[:ind + 1] = cells[:ind + 1]
        for c, v in zip(vals, cells[ind + 1:]):
            placed[c] = v
        return cells[:ind + 1], placed
    cells += [""] * (w - len(cells))
    return cells[:ind + 1], cells


@dataclass
class _Node:
    stt: str
    kind: str
    indicator: str
    parent: str


def _parent_for(stt: str, kind: str, history: list[_Node]) -> str:
    if kind == "num":
        parts = stt.split(".")
        for depth in range(len(parts) - 1, 0, -1):
            want = ".".join(parts[:depth])
            for node in reversed(history):
                if node.kind == "num" and node.stt == want:
                    return node.indicator
        if len(parts) == 1:
            return next((n.indicator for n in reversed(history) if n.kind == "roman"), "")
        return ""
    if kind == "roman":
        return ""
    if kind == "letter":
        return next((n.indicator for n in reversed(history) if n.kind in ("num", "roman")), "")
    if kind == "bullet":
        want = ("num", "letter", "roman") if stt != "+" else ("bullet", "num", "letter", "roman")
        return next((n.indicator for n in reversed(history) if n.kind in want and
                     not (stt == "+" and n.kind == "bullet" and n.stt == "+")), "")
    return ""


def _rows(table: Table, layout: Layout):
    """Yield (row, stt, indicator, parent, value cells) for every indicator row."""
    history: list[_Node] = []
    group = ""
    prev: _Node | None = None
    prev_row: Row | None = None
    header = [[clean_cell(c) for c in r.cells] for r in table.rows[:layout.header_rows]]
    for row in table.rows[layout.header_rows:]:
        raw = [clean_cell(c) for c in row.cells]
        if not any(raw) or _column_numbers_row(raw) or raw in header:
            continue
        labels, cells = _align(raw, layout)
        stt = ""
        texts = list(enumerate(labels))
        if layout.stt_col is not None and layout.stt_col < len(labels):
            cand = labels[layout.stt_col]
            if stt_kind(normalise_stt(cand)):
                stt = normalise_stt(cand)
                texts = [(i, t) for i, t in texts if i != layout.stt_col]
            else:
                m = _STT_PREFIX.match(cand)
                if m and not any(t for i, t in texts if i != layout.stt_col):
                    stt = m.group("stt")
                    texts = [(layout.stt_col, m.group("rest"))]
        filled = [(i, t) for i, t in texts if t]
        kind = stt_kind(stt)
        if filled:
            indicator = filled[-1][1]
            groups = filled[:-1]
        else:
            indicator, groups = "", []
        if not indicator and not stt:
            if prev is not None and any(cells[c] for c in layout.value_cols):
                yield row, prev.stt, prev.indicator, prev.parent, cells  # values on a wrapped line
            continue
        if groups:
            group = groups[-1][1]
            history.append(_Node("", "group", group,
                                 next((n.indicator for n in reversed(history) if n.kind in ("num", "roman")), "")))
            yield row, "", group, history[-1].parent, None
        elif stt:
            group = ""
        if kind:
            parent = _parent_for(stt, kind, history)
        elif group:
            parent = group
        elif prev is not None and prev_row is not None and \
                _indent_of(row, layout) > _indent_of(prev_row, layout) + 1:
            parent = prev.indicator
        else:
            parent = prev.parent if prev is not None else ""
        node = _Node(stt, kind, indicator, parent)
        history.append(node)
        prev, prev_row = node, row
        yield row, stt, indicator, parent, cells


def _indent_of(row: Row, layout: Layout) -> float:
    """Indentation of the indicator: measured on the scan, or leading spaces in a text export."""
    if row.indent:
        return row.indent
    cell = row.cells[layout.indicator_col] if layout.indicator_col < len(row.cells) else ""
    return float(len(cell) - len(cell.lstrip(" \u00a0")))


def table_records(table: Table) -> list[Record]:
    """One record per filled value cell of an indicator table; [] for any other table."""
    layout = analyse(table)
    if layout is None:
        return []
    if layout.transposed:
        return _transposed_records(table, layout)
    out: list[Record] = []
    for row, stt, indicator, parent, cells in _rows(table, layout):
        if cells is None:
            continue
        unit_default = cells[layout.unit_col] if layout.unit_col is not None else ""
        for c in layout.value_cols:
            raw = cells[c]
            v = parse_value(raw, indicator)
            if v is None:
                continue
            p = layout.periods[c]
            unit = v.unit or (unit_default if v.value_type == "number" else "")
            out.append(Record(table.source, table.page, table.appendix, table.title, stt, indicator,
                              parent, p.label, p.year, p.as_of, raw, v.value, unit, v.value_type,
                              _confidence(row, c, len(row.cells), layout.width)))
    return out


def _confidence(row: Row, c: int, n_cells: int, width: int) -> float:
    if not row.confidence:
        return 1.0
    k = c + max(0, n_cells - width)
    return round(row.confidence[k] if k < len(row.confidence) else min(row.confidence), 3)


def _transposed_records(table: Table, layout: Layout) -> list[Record]:
    out: list[Record] = []
    for row in table.rows[layout.header_rows:]:
        cells = [clean_cell(c) for c in row.cells]
        p = parse_period(cells[0]) if cells and cells[0] else None
        if p is None:
            continue
        for c in layout.value_cols:
            if c >= len(cells):
                continue
            path = layout.labels[c]
            v = parse_value(cells[c], path[-1])
            if v is None:
                continue
            out.append(Record(table.source, table.page, table.appendix, table.title, "", path[-1],
                              " — ".join(path[1:-1] if len(path) > 2 else path[:-1] if len(path) == 2 else []),
                              p.label, p.year, p.as_of, cells[c], v.value, v.unit, v.value_type,
                              _confidence(row, c, len(cells), layout.width)))
    return out


def catalogue(table: Table) -> list[Indicator]:
    """The indicators a table asks for (rows, or columns of a transposed table), values or not."""
    layout = analyse(table)
    if layout is None:
        return []
    periods = [layout.periods[c].label for c in layout.value_cols] if not layout.transposed else []
    if layout.transposed:
        row_periods = [clean_cell(r.cells[0]) for r in table.rows[layout.header_rows:]
                       if r.cells and parse_period(clean_cell(r.cells[0]))]
        return [Indicator(table.source, table.page, table.appendix, table.title, "",
                          layout.labels[c][-1], " — ".join(layout.labels[c][:-1]), row_periods)
                for c in layout.value_cols]
    return [Indicator(table.source, table.page, table.appendix, table.title, stt, ind, parent, periods)
            for _row, stt, ind, parent, _cells in _rows(table, layout)]
