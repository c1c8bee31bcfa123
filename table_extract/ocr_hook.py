"""The table stage of ``sohoa ocr``: STEM.tables.csv beside the other outputs.

``pipeline.document`` calls :func:`write_tables` with the OCR'd pages. Ruled
tables are read from each processed page image; the page's own OCR words
serve the borderless fallback, so a page of prose is not read twice.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image


def records_from_pages(stem: str, pages: Sequence) -> list:
    """Records of every table on the pages (``pipeline.page.PageResult``-like objects)."""
    from table_extract.scan import link_pages
    from table_extract.structure import table_records

    tables = []
    # One OpenCV thread while the stage runs: under `sohoa ocr -j N` it runs in the parent process
    # while the N workers keep every core busy, and OpenCV's thread pool then only adds CPU time
    # (the morphology took twice the CPU-seconds with it). Results are the same either way.
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        for p in sorted(pages, key=lambda p: p.number):
            tables += _page_tables(stem, p)
    finally:
        cv2.setNumThreads(threads)
    return [r for t in link_pages(tables) for r in table_records(t)]


def _page_tables(stem: str, p) -> list:
    from table_extract.scan import tables_from_image

    if getattr(p, "error", None) or p.image is None or not Path(p.image).exists():
        return []
    lines = [[(*w.box, w.final if w.final is not None else w.text, w.confidence) for w in ln.words]
             for ln in p.lines]
    # The OCR stage levelled the page already: measuring its skew again (a Hough transform
    # over the whole page) cost more than the rest of the table stage on a page of prose.
    skew = 0.0 if getattr(p, "levelled", False) else None
    return tables_from_image(page_gray(p.image), p.dpi or 300, source=stem, page=p.number, lines=lines,
                             skew=skew)


def page_gray(path: Path) -> np.ndarray:
    """The page image as a grey array. The OCR stage writes a grey JPEG: OpenCV decodes it to
    the same pixels as PIL (the same libjpeg-turbo decoder; tests/test_tables_scan.py checks),
    without PIL's two copies on the way to an array — a third of the stage on a page of prose."""
    with Image.open(path) as im:
        if im.mode == "L" and im.format == "JPEG":
            # as stored: PIL ignores an EXIF orientation tag, so OpenCV must too
            gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION)
            if gray is not None:
                return gray
        return np.asarray(im if im.mode == "L" else im.convert("L"))


def write_tables(stem: str, pages: Sequence, outdir: Path) -> list[Path]:
    """Write ``STEM.tables.csv`` when the document has indicator tables; return what was written."""
    from table_extract.output import write_csv

    records = records_from_pages(stem, pages)
    if not records:
        return []
    dest = Path(outdir) / f"{stem}.tables.csv"
    write_csv(records, dest)
    return [dest]
