"""The table stage of ``sohoa ocr``: STEM.tables.csv beside the other outputs.

``pipeline.document`` calls :func:`write_tables` with the OCR'd pages. Ruled
tables are read from each processed page image; the page's own OCR words
serve the borderless fallback, so a page of prose is not read twice.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image


def records_from_pages(stem: str, pages: Sequence) -> list:
    """Records of every table on the pages (``pipeline.page.PageResult``-like objects)."""
    from table_extract.scan import link_pages, tables_from_image
    from table_extract.structure import table_records

    tables = []
    for p in sorted(pages, key=lambda p: p.number):
        if getattr(p, "error", None) or p.image is None or not Path(p.image).exists():
            continue
        lines = [[(*w.box, w.final if w.final is not None else w.text, w.confidence) for w in ln.words]
                 for ln in p.lines]
        with Image.open(p.image) as im:
            # The OCR stage levelled the page already: measuring its skew again (a Hough transform
            # over the whole page) cost more than the rest of the table stage on a page of prose.
            skew = 0.0 if getattr(p, "levelled", False) else None
            tables += tables_from_image(im, p.dpi or 300, source=stem, page=p.number, lines=lines, skew=skew)
    return [r for t in link_pages(tables) for r in table_records(t)]


def write_tables(stem: str, pages: Sequence, outdir: Path) -> list[Path]:
    """Write ``STEM.tables.csv`` when the document has indicator tables; return what was written."""
    from table_extract.output import write_csv

    records = records_from_pages(stem, pages)
    if not records:
        return []
    dest = Path(outdir) / f"{stem}.tables.csv"
    write_csv(records, dest)
    return [dest]
