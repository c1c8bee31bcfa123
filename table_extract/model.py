"""The table model shared by every reader (text exports, ruled scans, word boxes).

Readers only recover geometry and cell text: a :class:`Table` is a grid of
cell strings, row by row, with where each row came from. Meaning (which rows
are headers, which columns are periods, which row is whose parent) is worked
out once, in :mod:`table_extract.structure`, whatever the reader.

A merged cell's text sits in its top-left grid position and the positions it
covers are empty, which is also how text exports write them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

COLUMNS = ("source", "page", "appendix", "table_title", "stt", "indicator", "parent", "period",
           "year", "as_of", "value_raw", "value", "unit", "value_type", "confidence")


@dataclass
class Row:
    cells: list[str]
    line: int | None = None                 # 1-based line in a text export
    confidence: list[float] | None = None   # per cell, 0..1, for OCR'd rows
    indent: float = 0.0                     # left offset of the indicator text, in character widths


@dataclass
class Table:
    rows: list[Row]
    source: str = ""
    page: int | None = None
    appendix: str = ""
    title: str = ""
    line: int | None = None                 # where the table starts in a text export

    @property
    def width(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)

    def grid(self) -> list[list[str]]:
        return [list(r.cells) for r in self.rows]


@dataclass
class _Placed:
    """Where an indicator row sits: document, page, appendix, table and its place in the hierarchy."""

    source: str
    page: int | None
    appendix: str
    table_title: str
    stt: str
    indicator: str
    parent: str


@dataclass
class Record(_Placed):
    period: str
    year: int | None
    as_of: str
    value_raw: str
    value: float | int | bool | str
    unit: str
    value_type: str
    confidence: float

    def as_row(self) -> list:
        return [getattr(self, c) for c in COLUMNS]


@dataclass
class Indicator(_Placed):
    """One row of a table's indicator catalogue, whether or not it holds values."""

    periods: list[str] = field(default_factory=list)
