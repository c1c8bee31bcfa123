"""``sohoa tables``: appendix tables → one record per indicator × period."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "extract appendix tables from text exports or scans into tidy indicator records"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="text exports (.txt .md .html .tsv), PDFs or page images")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="OUT.csv, OUT.xlsx (records sheet + one sheet per table), OUT.parquet, or "
                             "OUT.duckdb (table 'indicators', updated per source); default: CSV on stdout")
    parser.add_argument("--catalogue", action="store_true",
                        help="write the indicator catalogue (every indicator row, filled or not) instead "
                             "of records; CSV only")
    parser.add_argument("-l", "--lang", default="vie", help="Tesseract language for scans (default: vie)")
    parser.add_argument("--no-borderless", action="store_true",
                        help="scans: only ruled tables, skip the word-alignment fallback")


def run(args: argparse.Namespace) -> int:
    from pipeline.errors import BadArgsError, ExitCode, InputFileError, SohoaError
    from table_extract.api import catalogue_from_tables, extract_tables, records_from_tables
    from table_extract.output import FORMATS, write_catalogue_csv, write_records

    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in FORMATS:
        raise BadArgsError(f"unknown output type '{out.suffix or out.name}'", path=out,
                           fix=f"name the output with one of {', '.join(FORMATS)}")
    if args.catalogue and out is not None and out.suffix.lower() != ".csv":
        raise BadArgsError("--catalogue writes CSV only", path=out, fix="name the output .csv")
    tables, failed = [], ExitCode.OK
    done_sources = []
    for name in args.inputs:
        try:
            found = extract_tables(name, lang=args.lang, borderless=not args.no_borderless)
        except InputFileError as err:
            print(f"sohoa: {err.message}", file=sys.stderr)
            failed = max(failed, err.exit_code)
            continue
        except SohoaError:
            raise
        tables += found
        done_sources.append(str(name))
    if not done_sources:
        return int(failed)  # nothing was read: leave OUT as it was
    if args.catalogue:
        items = catalogue_from_tables(tables)
        if out is None:
            _catalogue_stdout(items)
        else:
            write_catalogue_csv(items, out)
        print(f"sohoa: {len(items)} indicators in {len(tables)} tables from {len(done_sources)} inputs"
              + (f" → {out}" if out else ""), file=sys.stderr)
        return int(failed)
    records = records_from_tables(tables)
    if out is None:
        _records_stdout(records)
    else:
        write_records(records, tables, out, sources=done_sources)
    print(f"sohoa: {len(records)} records from {len(tables)} tables in {len(done_sources)} inputs"
          + (f" → {out}" if out else ""), file=sys.stderr)
    return int(failed)


def _records_stdout(records) -> None:
    import csv

    from table_extract.model import COLUMNS
    from table_extract.output import _csv_value

    w = csv.writer(sys.stdout)
    w.writerow(COLUMNS)
    for r in records:
        w.writerow([_csv_value(x) for x in r.as_row()])


def _catalogue_stdout(items) -> None:
    import csv

    from table_extract.output import CATALOGUE_COLUMNS

    w = csv.writer(sys.stdout)
    w.writerow(CATALOGUE_COLUMNS)
    for it in items:
        w.writerow([it.source, it.page or "", it.appendix, it.table_title, it.stt, it.indicator, it.parent,
                    "; ".join(it.periods)])
