"""Write records as CSV, XLSX, Parquet or into a DuckDB store, chosen by extension.

CSV and XLSX keep each value in its natural form (``true``/``false`` for
pass/fail and flags, text for text). Parquet and DuckDB give ``value`` one
type, DOUBLE: flags and pass/fail become 1/0 and text values are NULL there —
``value_raw`` and ``value_type`` always say what the cell held.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from pipeline.atomic import atomic_path
from pipeline.errors import BadArgsError, OutputError
from table_extract.model import COLUMNS, Indicator, Record, Table

FORMATS = (".csv", ".xlsx", ".parquet", ".duckdb")
CATALOGUE_COLUMNS = ("source", "page", "appendix", "table_title", "stt", "indicator", "parent", "periods")


def _csv_value(v) -> object:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    return v


def _numeric(v) -> float | None:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    return None


def write_csv(records: Sequence[Record], dest: str | Path) -> None:
    # BOM: Excel, which most analysts open CSVs with, needs it to read Vietnamese as UTF-8
    with atomic_path(dest) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in records:
            w.writerow([_csv_value(x) for x in r.as_row()])


def write_catalogue_csv(items: Sequence[Indicator], dest: str | Path) -> None:
    with atomic_path(dest) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CATALOGUE_COLUMNS)
        for it in items:
            w.writerow([it.source, it.page or "", it.appendix, it.table_title, it.stt, it.indicator,
                        it.parent, "; ".join(it.periods)])


def _sheet_name(i: int, table: Table, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", f"T{i} {table.appendix}".strip())[:31].strip()
    name, k = base, 2
    while name.lower() in used:
        name = f"{base[:28]}~{k}"
        k += 1
    used.add(name.lower())
    return name


def write_xlsx(records: Sequence[Record], tables: Sequence[Table], dest: str | Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "records"
    ws.append(list(COLUMNS))
    for r in records:
        ws.append(["" if x is None else x for x in r.as_row()])
    ws.freeze_panes = "A2"
    used = {"records"}
    for i, t in enumerate(tables, 1):
        sh = wb.create_sheet(_sheet_name(i, t, used))
        sh.append([f"{t.source}" + (f" p.{t.page}" if t.page else ""), t.appendix, t.title])
        for row in t.rows:
            sh.append([_xlsx_text(c) for c in row.cells])
    with atomic_path(dest) as tmp:
        wb.save(tmp)


def _xlsx_text(s: str) -> str:
    # openpyxl refuses control characters; a cell's line breaks stay
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", s)


def _arrow_table(records: Sequence[Record]):
    import pyarrow as pa

    cols = {c: [getattr(r, c) for r in records] for c in COLUMNS}
    cols["value"] = [_numeric(v) for v in cols["value"]]
    schema = pa.schema([
        ("source", pa.string()), ("page", pa.int32()), ("appendix", pa.string()),
        ("table_title", pa.string()), ("stt", pa.string()), ("indicator", pa.string()),
        ("parent", pa.string()), ("period", pa.string()), ("year", pa.int32()), ("as_of", pa.string()),
        ("value_raw", pa.string()), ("value", pa.float64()), ("unit", pa.string()),
        ("value_type", pa.string()), ("confidence", pa.float64())])
    return pa.table(cols, schema=schema)


def write_parquet(records: Sequence[Record], dest: str | Path) -> None:
    import pyarrow.parquet as pq

    with atomic_path(dest) as tmp:
        pq.write_table(_arrow_table(records), tmp)


DUCKDB_TABLE = "indicators"


def write_duckdb(records: Sequence[Record], dest: str | Path, sources: Sequence[str] = ()) -> None:
    """Add records to the ``indicators`` table, replacing earlier rows from the same sources.

    The file is a collection's store: running again on a document updates its
    rows instead of duplicating them; other documents' rows stay.
    """
    import duckdb

    arrow = _arrow_table(records)  # noqa: F841 — read by name in the SQL below
    try:
        con = duckdb.connect(str(dest))
    except duckdb.Error as exc:
        raise OutputError(f"cannot open as a DuckDB database ({exc})", path=dest,
                          fix="choose a new .duckdb file or a DuckDB database written by sohoa") from exc
    try:
        con.execute("BEGIN")
        con.execute(f"CREATE TABLE IF NOT EXISTS {DUCKDB_TABLE} AS SELECT * FROM arrow LIMIT 0")
        done = sorted(set(sources) | {r.source for r in records})
        if done:
            con.execute(f"DELETE FROM {DUCKDB_TABLE} WHERE source IN (SELECT unnest(?))", [done])
        con.execute(f"INSERT INTO {DUCKDB_TABLE} SELECT * FROM arrow")
        con.execute("COMMIT")
    finally:
        con.close()


def write_records(records: Sequence[Record], tables: Sequence[Table], dest: str | Path,
                  sources: Sequence[str] = ()) -> None:
    ext = Path(dest).suffix.lower()
    if ext == ".csv":
        write_csv(records, dest)
    elif ext == ".xlsx":
        write_xlsx(records, tables, dest)
    elif ext == ".parquet":
        write_parquet(records, dest)
    elif ext == ".duckdb":
        write_duckdb(records, dest, sources)
    else:
        raise BadArgsError(f"unknown output type '{ext or Path(dest).name}'", path=dest,
                           fix=f"name the output with one of {', '.join(FORMATS)}")
