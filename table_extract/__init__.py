"""Appendix ("Phụ lục") table detection, cells and indicator records.

    from table_extract.api import extract_tables, records_from_tables, catalogue_from_tables
    tables = extract_tables("report.txt")          # text export, PDF or page image
    records = records_from_tables(tables)           # one Record per filled value cell

Readers find the grid (text exports: :mod:`table_extract.text`; scans:
:mod:`table_extract.scan`); :mod:`table_extract.structure` gives it meaning.
"""
from __future__ import annotations

from table_extract.api import (TEXT_SUFFIXES, catalogue_from_tables, extract_tables,  # noqa: F401
                               records_from_tables)
from table_extract.model import COLUMNS, Indicator, Record, Row, Table  # noqa: F401

__all__ = ["COLUMNS", "Indicator", "Record", "Row", "Table", "TEXT_SUFFIXES", "extract_tables",
           "records_from_tables", "catalogue_from_tables"]
