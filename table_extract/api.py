"""The public entry points: any input → tables → records or the indicator catalogue.

Kept out of ``__init__`` so that ``table_extract.api`` works however the
package was installed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from table_extract.model import Indicator, Record, Table

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".tsv", ".text"}


def extract_tables(path: str | Path, *, lang: str = "vie", borderless: bool = True) -> list[Table]:
    """Every table in a text export, PDF or page image (scans are OCR'd with Tesseract ``lang``)."""
    p = Path(path)
    if p.suffix.lower() in TEXT_SUFFIXES:
        from table_extract.text import tables_from_file
        return tables_from_file(p)
    from table_extract.scan import tables_from_scan
    return tables_from_scan(p, lang=lang, borderless=borderless)


def records_from_tables(tables: Iterable[Table]) -> list[Record]:
    from table_extract.structure import table_records
    return [r for t in tables for r in table_records(t)]


def catalogue_from_tables(tables: Sequence[Table]) -> list[Indicator]:
    from table_extract.structure import catalogue
    return [it for t in tables for it in catalogue(t)]
