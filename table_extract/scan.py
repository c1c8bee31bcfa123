"""Tables in scanned pages: ruled grids first, word-box alignment as a fallback.

Geometry (``grid``) and reading (``ocr``) stay apart, as in img2table: the
grid is found on the deskewed, upscaled page, then every cell is read.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from table_extract.grid import binarize, estimate_skew, find_grids, rotate
from table_extract.model import Row, Table
from table_extract.ocr import read_cells, read_region

WORK_DPI = 300       # low-resolution scans are upscaled to this before anything else
TITLE_SPAN_INCH = 1.6  # how far above a table its appendix label and title are looked for
_APPENDIX = re.compile(r"^\s*(phụ lục|phu luc|phụ luc)\s+([0-9]+[a-z]?|[IVXLC]+)\b[.:]?\s*(?:[-–—:]\s*)?(.*)$", re.I)


def prepare(image: Image.Image | np.ndarray, dpi: int, skew: float | None = None
            ) -> tuple[np.ndarray, int, float, float, np.ndarray | None]:
    """(levelled greyscale page at ≥ WORK_DPI, its dpi, skew corrected in degrees, scale applied,
    its :func:`binarize` when measuring the skew made it and the page needed no levelling, else None).

    ``image``: a PIL image, or the page as a 2-D uint8 grey array. ``skew``: the page's known
    skew (0 for a page already levelled), saving the Hough estimate.
    """
    if isinstance(image, np.ndarray):
        if image.ndim != 2 or image.dtype != np.uint8:
            raise ValueError(f"a page array must be 2-D uint8 grey, not {image.ndim}-D {image.dtype}")
        gray = image
    else:
        gray = np.asarray(image if image.mode == "L" else image.convert("L"))
    scale = 1.0
    if dpi and dpi < WORK_DPI - 40:
        scale = WORK_DPI / dpi
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        dpi = WORK_DPI
    binary = None
    if skew is None:
        binary = binarize(gray)
        skew = estimate_skew(binary)
    levelled = rotate(gray, skew)
    return levelled, dpi or WORK_DPI, skew, scale, binary if levelled is gray else None


def tables_from_image(image: Image.Image | np.ndarray, dpi: int, *, source: str = "", page: int | None = None,
                      lang: str = "vie", borderless: bool = True,
                      lines: list[list[tuple[int, int, int, int, str, float]]] | None = None,
                      skew: float | None = None) -> list[Table]:
    """Every table on one page image (PIL, or a 2-D uint8 grey array); [] (and no error) for a page
    without one.

    ``lines``: the page's OCR words, (x0, y0, x1, y1, text, confidence 0–100) per line, if the
    caller has read the page already; the borderless fallback then uses them instead of reading
    the page again. ``skew``: the page's skew if the caller knows it (0 for a levelled page).
    """
    gray, dpi, angle, scale, binary = prepare(image, dpi, skew)
    if lines is not None and abs(angle) >= 0.05:
        lines = None  # the words were boxed on the unlevelled page
    elif lines is not None and scale != 1.0:
        lines = [[(int(a * scale), int(b * scale), int(c * scale), int(d * scale), t, f) for a, b, c, d, t, f in ln]
                 for ln in lines]
    tables = []
    prev_bottom = 0
    for g in find_grids(gray, dpi, binary):
        rows, cols = g.shape
        texts = read_cells(gray, [c.box for c in g.cells], dpi, lang)
        grid = [[""] * cols for _ in range(rows)]
        conf = [[1.0] * cols for _ in range(rows)]
        ink = [[0] * cols for _ in range(rows)]
        for cell, t in zip(g.cells, texts):
            grid[cell.r0][cell.c0] = t.text
            conf[cell.r0][cell.c0] = t.confidence
            ink[cell.r0][cell.c0] = t.ink_x - cell.box[0] if t.ink_x else 0
        reread_stt(gray, {(c.r0, c.c0): c.box for c in g.cells}, grid, dpi)
        char_w = dpi * 0.06
        table_rows = [Row(grid[r], confidence=conf[r], indent=_indent(ink[r], char_w)) for r in range(rows)]
        top = max(prev_bottom, g.bbox[1] - int(TITLE_SPAN_INCH * dpi))
        appendix, title = _title_above(gray, (g.bbox[0], top, g.bbox[2], g.bbox[1] - 2), dpi, lang)
        tables.append(Table(table_rows, source=source, page=page, appendix=appendix, title=title))
        prev_bottom = g.bbox[3]
    if not tables and borderless:
        from table_extract.borderless import borderless_tables
        for t, bbox in borderless_tables(gray, dpi, source=source, page=page, lang=lang, words=lines):
            top = max(prev_bottom, bbox[1] - int(TITLE_SPAN_INCH * dpi))
            t.appendix, t.title = _title_above(gray, (bbox[0], top, bbox[2], bbox[1] - 2), dpi, lang)
            tables.append(t)
            prev_bottom = bbox[3]
    return tables


STT_CHARS = "0123456789.-+IVX"


def reread_stt(gray: np.ndarray, boxes: dict[tuple[int, int], tuple[int, int, int, int]],
                grid: list[list[str]], dpi: int) -> None:
    """Read the STT column again, digits and dots only: alone in a cell, '1' reads as 'l', '2.1' as '2]'."""
    from table_extract.structure import _STT_HEADER, header_size, stt_kind
    from table_extract.values import clean_cell

    head = next((r for r in range(min(4, len(grid))) if any(_STT_HEADER.match(c.strip()) for c in grid[r])), None)
    if head is None:
        return
    col = next(c for c, t in enumerate(grid[head]) if _STT_HEADER.match(t.strip()))
    first_body = max(head + 1, header_size([[clean_cell(x) for x in r] for r in grid])[0])
    rows = sorted(r for (r, c) in boxes if c == col and r >= first_body and grid[r][c])
    if not rows:
        return
    # digits only, and by the English model, which tells 5 from 3 better on degraded scans
    again = read_cells(gray, [boxes[(r, col)] for r in rows], dpi, "eng", whitelist=STT_CHARS)
    digits_only = {}
    for r, t in zip(rows, again):
        old = grid[r][col].strip()
        new = t.text.strip() if t.text.strip() in ("-", "+") else t.text.strip().rstrip(".")
        digits_only[r] = new
        if stt_kind(new) and (not stt_kind(old.rstrip(".)")) or stt_kind(old.rstrip(".)")) not in ("letter", "bullet")):
            grid[r][col] = new
    romans = any(stt_kind(grid[r][col]) == "roman" and len(grid[r][col]) > 1 for r in rows)
    texts = []
    for r in rows:
        text = grid[r][col].strip()
        if not romans and re.fullmatch(r"[\dIl|i\[\]]+(?:\.[\dIl|i\[\]]+)*", text):
            text = re.sub(r"[Il|i\[\]]", "1", text)  # '1' in some fonts reads as 'l', 'I' or '['
        elif text in ("l", "|", "i", "[", "]"):
            text = "1"
        texts.append((r, text))
    prev = ""
    seen: set[str] = set()
    for k, (r, text) in enumerate(texts):
        nxt = next((t for _c, t in texts[k + 1:] if stt_kind(t) == "num"), "")
        if text == prev and nxt == f"{prev}.2":
            text = f"{prev}.1"  # '3.1' read as '3' between '3' and '3.2'
        elif stt_kind(text) == "letter" and digits_only.get(r) in _successors(prev):
            text = digits_only[r]  # '5' read as 'b', and 5 is what comes next
        text = repair_stt(text, prev, seen)
        grid[r][col] = text
        if stt_kind(text) == "num":
            prev = text
            seen.add(text)


def _successors(prev: str) -> list[str]:
    if not prev:
        return ["1"]
    parts = [int(p) for p in prev.split(".")]
    out = [".".join(map(str, parts + [1]))]
    for j in range(len(parts), 0, -1):
        out.append(".".join(map(str, parts[:j - 1] + [parts[j - 1] + 1])))
    return out


def repair_stt(text: str, prev: str, seen: set[str] = frozenset()) -> str:
    """A numbered STT that does not follow the previous one ('34.1' after '3', '41' after '4') is
    replaced by the expected successor one insertion or deletion away (a lost dot, a doubled
    digit), or one substitution away when the number was already used above (``seen``) or
    its parent number never appeared."""
    from rapidfuzz.distance import Indel, Levenshtein

    from table_extract.structure import stt_kind

    if not re.fullmatch(r"[\d.]+", text or "") or stt_kind(text) == "bullet":
        return text
    succ = _successors(prev)
    if text in succ:
        return text
    # insertions/deletions only: a jump from 2 to 9 is a real gap in the numbering, not a misread;
    # but a number the table has already used ('3.2' again after '5.1') is one misread digit
    best = min(succ, key=lambda s: Indel.distance(s, text))
    if Indel.distance(best, text) <= 1:
        return best
    # a sub-number whose parent was never printed ('3.2.3' among 5.x rows) has a misread prefix
    orphan = "." in text and text.rsplit(".", 1)[0] not in seen
    if text in seen or orphan:
        best = min(succ, key=lambda s: Levenshtein.distance(s, text))
        if Levenshtein.distance(best, text) <= 1:
            return best
    return text


def _indent(ink_offsets: list[int], char_w: float) -> float:
    # the indicator is the widest text column; its offset from the cell edge is the indentation
    return round(ink_offsets[1] / char_w, 1) if len(ink_offsets) > 2 and ink_offsets[1] else 0.0


def _title_above(gray: np.ndarray, box: tuple[int, int, int, int], dpi: int, lang: str) -> tuple[str, str]:
    if box[3] - box[1] < dpi // 6:
        return "", ""
    from table_extract.text import _titleish

    lines = [ln for ln in read_region(gray, box, dpi, lang) if ln.strip()]
    appendix, title, labelled = "", [], False
    for ln in lines:
        m = _APPENDIX.match(ln)
        if m:
            appendix, title, labelled = f"Phụ lục {m.group(2).upper()}", [m.group(3)] if m.group(3) else [], True
        elif not ln.lstrip().lower().startswith(("(kèm theo", "kèm theo")):
            title.append(ln)
    if not labelled:
        # no appendix label: only title-like lines right above the table, not the prose before it
        kept = []
        for ln in reversed(title[-3:]):
            if not _titleish(ln):
                break
            kept.insert(0, ln)
        title = kept
    return appendix, " ".join(t for t in title if t).strip(" _-—")


def page_images(path: str | Path) -> Iterator[tuple[int, Image.Image, int]]:
    """(1-based page number, image, dpi) for each page of a PDF or image file, one at a time."""
    from pipeline.ingest import load_page, open_source

    src = open_source(path)
    for i in range(src.pages):
        image, dpi = load_page(src, i)
        yield i + 1, image, dpi


def link_pages(tables: list[Table]) -> list[Table]:
    """Carry the appendix label forward, and a header onto a page that continues a table without one."""
    from table_extract.structure import analyse

    appendix = ""
    prev = None
    for t in tables:
        if t.appendix:
            appendix = t.appendix
        else:
            t.appendix = appendix
        if prev is not None and analyse(t) is None:
            lay = analyse(prev)
            if lay is not None and not lay.transposed and len(prev.rows[0].cells) == len(t.rows[0].cells):
                t.rows = prev.rows[:lay.header_rows] + t.rows
                t.title = t.title or prev.title
        if prev is not None and prev.page != t.page and len(prev.rows[0].cells) == len(t.rows[0].cells):
            _continue_numbering(prev, t)
        prev = t
    return tables


def _continue_numbering(prev: Table, t: Table) -> None:
    """A table continued on the next page: repair its STTs knowing how the last page ended."""
    from table_extract.structure import analyse, stt_kind

    lp, lt = analyse(prev), analyse(t)
    if lp is None or lt is None or lp.stt_col is None or lt.stt_col != lp.stt_col:
        return
    col = lt.stt_col
    numbered = [r.cells[col].strip() for r in prev.rows[lp.header_rows:] if stt_kind(r.cells[col].strip()) == "num"]
    if not numbered:
        return
    last, seen = numbered[-1], set(numbered)
    for row in t.rows[lt.header_rows:]:
        text = row.cells[col].strip()
        if stt_kind(text) != "num":
            continue
        row.cells[col] = text = repair_stt(text, last, seen)
        last = text
        seen.add(text)


def tables_from_scan(path: str | Path, *, lang: str = "vie", borderless: bool = True) -> list[Table]:
    tables: list[Table] = []
    for number, image, dpi in page_images(path):
        tables += tables_from_image(image, dpi, source=str(path), page=number, lang=lang, borderless=borderless)
    return link_pages(tables)
