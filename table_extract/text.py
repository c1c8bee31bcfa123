"""Tables in text exports: one cell per line, tab-separated, Markdown pipes, HTML.

The one-cell-per-line export (what copying a Word table gives) writes every
cell on its own line after a tab and ends a row with a blank line; a cell
whose text ran over several paragraphs continues on untabbed lines, which is
why a blank line followed by plain text does not end the row.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from pipeline.errors import MalformedTableError, NotUtf8Error
from table_extract.model import Row, Table
from table_extract.values import clean_cell

_APPENDIX = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?\s*(phụ lục|phu luc)\s+([0-9]+[a-z]?|[IVXLC]+)\b[.:]?\s*(?:[-–—:]\s*)?(.*)$",
                       re.I)
_CELL_LINE = re.compile(r"^ ?\t(?!.*\t)")
_TITLE_WORDS = re.compile(r"thống kê|đánh giá|tổng hợp|bảng|biểu|số liệu|kết quả|lĩnh vực|danh mục|chỉ tiêu|"
                          r"phụ lục", re.I)
_HEADING = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s+\S")
_ATTACHED = re.compile(r"^\(?\s*kèm theo", re.I)
# a header cell: a text line just before one starts a table, it does not continue a cell
_HEADER_CELL = re.compile(r"^(?:stt|tt|số tt)\b", re.I)
MAX_EXTRA_CELLS = 3


@dataclass
class _Block:
    """A run of table rows with the line where it starts and ends."""

    rows: list[Row]
    start: int
    end: int


def read_text(path: str | Path) -> str:
    p = Path(path)
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise NotUtf8Error(f"not UTF-8 text (line {line})", path=p,
                           fix="convert it with: iconv -f WINDOWS-1258 -t UTF-8") from exc
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def tables_from_text(text: str, source: str = "") -> list[Table]:
    """Every table in a text export, with its appendix label and title."""
    lines = text.split("\n")
    blocks: list[_Block] = []
    blocks += _html_blocks(lines, source)
    taken = {i for b in blocks for i in range(b.start, b.end + 1)}
    blocks += _markdown_blocks(lines, source, taken)
    taken = {i for b in blocks for i in range(b.start, b.end + 1)}
    cell_lines = sum(1 for i, ln in enumerate(lines) if i not in taken and _CELL_LINE.match(ln))
    tsv_lines = sum(1 for i, ln in enumerate(lines) if i not in taken and ln.count("\t") >= 1
                    and not _CELL_LINE.match(ln))
    if cell_lines > tsv_lines:
        blocks += _cell_per_line_blocks(lines, taken)
    else:
        blocks += _tsv_blocks(lines, taken)
    blocks.sort(key=lambda b: b.start)
    tables = _attach_context(lines, blocks, source)
    from table_extract.flat import flat_tables, has_flat_tables
    from table_extract.structure import analyse
    if has_flat_tables(lines) and not any(analyse(t) for t in tables):  # the cheap test first
        # no table survived as a table: an OCR export that flattened them into lines
        return flat_tables(text, source)
    return tables


def tables_from_file(path: str | Path) -> list[Table]:
    return tables_from_text(read_text(path), source=str(path))


# --- one cell per line ---------------------------------------------------------------------

def _cell_per_line_blocks(lines: list[str], taken: set[int]) -> list[_Block]:
    blocks: list[_Block] = []
    rows: list[Row] = []
    row: list[str] | None = None
    row_line = 0
    start = end = -1
    gap = False  # a blank line since the last cell
    i = 0
    n = len(lines)

    def close_row():
        nonlocal row
        if row is not None:
            rows.append(Row(row, line=row_line))
            row = None

    def close_table():
        nonlocal rows, start
        close_row()
        if rows:
            blocks.append(_Block(rows, start, end))
        rows = []
        start = -1

    while i < n:
        ln = lines[i]
        if i in taken:
            close_table()
            i += 1
            continue
        if _CELL_LINE.match(ln):
            cell = ln.split("\t", 1)[1]
            if row is None or gap:
                close_row()
                row, row_line = [], i + 1
                if start < 0:
                    start = i
            row.append(cell)
            end = i
            gap = False
        elif not ln.strip():
            gap = True
        elif row is not None and _continues_cell(lines, i):
            row[-1] = (row[-1].rstrip() + "\n" + ln.strip()) if row[-1].strip() else ln.strip()
            end = i
            gap = False
        else:
            close_table()
        i += 1
    close_table()
    return blocks


def _continues_cell(lines: list[str], i: int) -> bool:
    """A plain line inside a table continues the last cell if the table goes on right after it."""
    if _APPENDIX.match(lines[i]):
        return False
    texts = 0
    for j in range(i, min(len(lines), i + 8)):
        ln = lines[j]
        if _CELL_LINE.match(ln):
            cell = ln.split("\t", 1)[1].strip()
            # the next table's header: the plain lines were its title
            return not (_HEADER_CELL.match(cell) and texts >= 1 and _titleish(lines[i]))
        if ln.strip():
            texts += 1
            if texts > 3 or _APPENDIX.match(ln):
                return False
    return False


# --- tab-separated --------------------------------------------------------------------------

def _tsv_blocks(lines: list[str], taken: set[int]) -> list[_Block]:
    blocks: list[_Block] = []
    rows: list[Row] = []
    start = -1
    for i, ln in enumerate(lines + [""]):
        if i < len(lines) and i not in taken and "\t" in ln:
            if start < 0:
                start = i
            rows.append(Row(ln.split("\t"), line=i + 1))
        elif rows:
            if len(rows) >= 2 or len(rows[0].cells) >= 3:
                blocks.append(_Block(rows, start, i - 1))
            rows, start = [], -1
    return blocks


# --- Markdown pipe tables -------------------------------------------------------------------

_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _split_pipes(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", s)]


def _markdown_blocks(lines: list[str], source: str, taken: set[int]) -> list[_Block]:
    blocks: list[_Block] = []
    i = 0
    while i < len(lines) - 1:
        if i not in taken and _PIPE_ROW.match(lines[i]) and _PIPE_SEP.match(lines[i + 1]):
            header = _split_pipes(lines[i])
            sep = _split_pipes(lines[i + 1])
            if len(sep) != len(header):
                raise MalformedTableError(
                    f"Markdown table separator has {len(sep)} columns but its header has {len(header)}",
                    path=source, line=i + 2, fix="make the |---| line match the header row")
            rows = [Row(header, line=i + 1)]
            j = i + 2
            while j < len(lines) and _PIPE_ROW.match(lines[j]):
                cells = _split_pipes(lines[j])
                if len(cells) > len(header):
                    raise MalformedTableError(
                        f"Markdown table row has {len(cells)} cells but the header has {len(header)}",
                        path=source, line=j + 1, fix="escape '|' inside cells as '\\|' or fix the row")
                rows.append(Row(cells, line=j + 1))
                j += 1
            blocks.append(_Block(rows, i, j - 1))
            i = j
        else:
            i += 1
    return blocks


# --- HTML tables ----------------------------------------------------------------------------

class _HtmlTables(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.tables: list[tuple[int, int, list[list[tuple[str, int, int]]], list[int]]] = []
        self._stack: list[dict] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        if tag == "table":
            self._stack.append({"start": line, "rows": [], "lines": [], "row": None, "cell": None})
        elif not self._stack:
            return
        t = self._stack[-1]
        if tag == "tr":
            t["row"] = []
            t["rows"].append(t["row"])
            t["lines"].append(line)
        elif tag in ("td", "th"):
            if t["row"] is None:
                t["row"] = []
                t["rows"].append(t["row"])
                t["lines"].append(line)
            a = dict(attrs)
            spans = []
            for key in ("rowspan", "colspan"):
                v = (a.get(key) or "1").strip()
                if not v.isdigit() or int(v) < 1:
                    raise MalformedTableError(f"HTML cell has {key}=\"{v}\"", path=self.source, line=line,
                                              fix=f"{key} must be a whole number ≥ 1")
                spans.append(int(v))
            t["cell"] = [[], spans[0], spans[1]]
            t["row"].append(t["cell"])
        elif tag == "br" and t["cell"] is not None:
            t["cell"][0].append("\n")

    def handle_endtag(self, tag):
        if not self._stack:
            return
        t = self._stack[-1]
        if tag in ("td", "th"):
            t["cell"] = None
        elif tag == "tr":
            t["row"] = None
        elif tag == "table":
            self._stack.pop()
            rows = [[("".join(c[0]), c[1], c[2]) for c in r] for r in t["rows"]]
            self.tables.append((t["start"], self.getpos()[0], rows, t["lines"]))

    def handle_data(self, data):
        if self._stack and self._stack[-1]["cell"] is not None:
            self._stack[-1]["cell"][0].append(data)


def _html_blocks(lines: list[str], source: str) -> list[_Block]:
    text = "\n".join(lines)
    if "<table" not in text.lower():
        return []
    parser = _HtmlTables(source)
    parser.feed(text)
    parser.close()
    if parser._stack:
        raise MalformedTableError("HTML <table> is never closed", path=source, line=parser._stack[-1]["start"],
                                  fix="add the missing </table>")
    blocks = []
    for start, end, rows, row_lines in parser.tables:
        grid = _place_spans(rows)
        blocks.append(_Block([Row(g, line=ln) for g, ln in zip(grid, row_lines)], start - 1, end - 1))
    return blocks


def _place_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """HTML rows with row/colspans → a grid with each merged cell's text at its top-left."""
    grid: dict[tuple[int, int], str] = {}
    occupied: set[tuple[int, int]] = set()
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            grid[(r, c)] = text
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            c += cs
            width = max(width, c)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


# --- context: appendix label and title ------------------------------------------------------

def _strip_md(line: str) -> str:
    return clean_cell(re.sub(r"^\s*#+\s*", "", re.sub(r"<[^>]+>", " ", line)))


def _titleish(line: str) -> bool:
    s = _strip_md(line)
    if not s or len(s) > 300 or _ATTACHED.match(s):
        return False
    letters = [ch for ch in s if ch.isalpha()]
    upper = letters and sum(ch.isupper() for ch in letters) > 0.8 * len(letters)
    return bool(_TITLE_WORDS.search(s) or _HEADING.match(s) or upper or line.lstrip().startswith("#"))


def _paragraphs(lines: list[str], lo: int, hi: int) -> list[tuple[int, str]]:
    """Blank-line separated paragraphs of lines[lo:hi] as (first line index, text)."""
    out: list[tuple[int, str]] = []
    cur: list[str] = []
    first = lo
    for i in range(lo, hi):
        if lines[i].strip():
            if not cur:
                first = i
            cur.append(_strip_md(lines[i]))
        elif cur:
            out.append((first, " ".join(cur)))
            cur = []
    if cur:
        out.append((first, " ".join(cur)))
    return out


def _attach_context(lines: list[str], blocks: list[_Block], source: str) -> list[Table]:
    tables: list[Table] = []
    appendix, appendix_title = "", ""
    prev_end = -1
    # pages separated by form feeds (sohoa ocr's STEM.txt): each table knows its page
    pages = []
    if any("\f" in ln for ln in lines):
        page = 1
        for ln in lines:
            pages.append(page + len(ln) - len(ln.lstrip("\f")))  # form feeds before the text
            page += ln.count("\f")
    for b in blocks:
        title = ""
        label_at = None
        for i in range(prev_end + 1, b.start):
            m = _APPENDIX.match(_strip_md(lines[i]))
            if m:
                appendix = f"Phụ lục {m.group(2).upper()}"
                label_at = i
                rest = clean_cell(m.group(3).strip("*# "))
                appendix_title = rest
        lo = prev_end + 1 if label_at is None else label_at + 1
        paras = [(i, p) for i, p in _paragraphs(lines, lo, b.start) if not _ATTACHED.match(p)
                 and not p.lower().startswith("của ")]
        if label_at is not None and paras and not appendix_title:
            appendix_title = paras[0][1]
        if paras and (label_at is not None or _titleish(lines[paras[-1][0]])):
            title = paras[-1][1]
        elif label_at is not None:
            title = appendix_title
        table = Table(b.rows, source=source, appendix=appendix, title=title, line=b.start + 1,
                      page=pages[b.start] if pages else None)
        if tables and not paras and label_at is None and _continues(tables[-1], table):
            prev = tables[-1]
            header_len = _same_header_len(prev, table)
            prev.rows.extend(table.rows[header_len:])
        else:
            tables.append(table)
        prev_end = b.end
    for t in tables:
        _check_widths(t)
    return tables


def _same_header_len(prev: Table, nxt: Table) -> int:
    n = 0
    for a, b in zip(prev.rows, nxt.rows):
        if [clean_cell(c) for c in a.cells] != [clean_cell(c) for c in b.cells]:
            break
        n += 1
    return n


def _continues(prev: Table, nxt: Table) -> bool:
    """A table split by a page break: the next part repeats the header or starts straight with rows."""
    if _same_header_len(prev, nxt) >= 1:
        return True
    first = [clean_cell(c) for c in nxt.rows[0].cells]
    from table_extract.structure import _is_header_row
    return not _is_header_row(first) and abs(len(first) - prev.width) <= 1


def _check_widths(table: Table) -> None:
    from table_extract.structure import header_size
    grid = [[clean_cell(c) for c in r.cells] for r in table.rows]
    h, _ = header_size(grid)
    if h == 0:
        return
    width = max(len(r) for r in grid[:h])
    while width and all(len(r) < width or not r[width - 1] for r in grid[:h]):
        width -= 1
    for row, cells in zip(table.rows[h:], grid[h:]):
        last = max((k for k, c in enumerate(cells) if c), default=-1)
        if width and last + 1 > width + MAX_EXTRA_CELLS:
            raise MalformedTableError(
                f"table row has {last + 1} filled cells but the table header has {width} columns",
                path=table.source, line=row.line,
                fix="check for a stray tab or a cell split in two on that line")
