"""``sohoa run INPUT... -o OUTDIR``: a whole archive, resumable, on this PC or a Dask cluster."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HELP = ("process whole folders (OCR, repair, tables) into per-document outputs plus manifest.jsonl, "
        "indicators.csv and indicators.duckdb; reruns skip finished documents")


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


HELP_OVERRIDES = {
    "inputs": "folders (walked for PDF, TIFF, JPEG, PNG, … files) or single files",
    "output": "folder for all outputs (per-document files, manifest.jsonl, indicators.csv/.duckdb)",
    "jobs": "local worker processes, one Tesseract each (default: number of cores); ignored with --scheduler",
    "page_timeout": "give up a page after this many seconds, all steps included (default 300)",
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    from pipeline import ocr_command

    # The same page options as `sohoa ocr`, so a batch run can reproduce any single-document run.
    ocr_command.add_arguments(p)
    for action in p._actions:
        if action.dest in HELP_OVERRIDES:
            action.help = HELP_OVERRIDES[action.dest]
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run page tasks on a Dask cluster, e.g. tcp://10.0.0.5:8786 (workers need sohoa, "
                        "Tesseract and read access to the inputs at the same paths)")
    p.add_argument("--max-page-pixels", type=ocr_command.positive_int, default=150_000_000, metavar="N",
                   help="refuse pages with more pixels than this: decompression-bomb guard (default 150000000)")
    p.add_argument("--max-page-mm", type=_positive_float, default=1300.0, metavar="MM",
                   help="refuse pages whose longest side is longer (default 1300; A0 is 1189)")
    p.add_argument("--retry-failed", action="store_true",
                   help="also redo documents an earlier run recorded as failed or partial")
    p.add_argument("--log-json", nargs="?", const="-", metavar="FILE",
                   help="machine-readable log, one JSON object per line, to FILE (default: standard error)")


def run(args: argparse.Namespace) -> int:
    from pipeline import ocr_command
    from pipeline.batch import run_batch
    from pipeline.batch_tasks import Limits

    log = _JsonLog(args.log_json)
    show_bar = not args.quiet and args.log_json != "-"
    options = ocr_command.options_from_args(args, progress=False)  # our own bar shows progress
    limits = Limits(page_timeout=args.page_timeout, max_page_pixels=args.max_page_pixels,
                    max_page_mm=args.max_page_mm)
    bar = _Bar(show_bar)

    def on_event(kind: str, fields: dict) -> None:
        log.write(kind, fields)
        if kind == "doc_failed" and fields.get("error") and log.path != "-":
            bar.write(f"sohoa: {fields['error']}")

    executor = _executor(args)
    try:
        report = run_batch(args.inputs, args.output, options, limits, executor,
                           retry_failed=args.retry_failed, on_event=on_event, on_page=bar.update,
                           on_total=bar.set_total)
    finally:
        bar.close()
        log.close()
    print(summary(report, args.output), file=sys.stderr)
    return report.exit_code


def _executor(args):
    if args.scheduler:
        from pipeline.executors import DaskExecutor

        return DaskExecutor(args.scheduler)
    from pipeline.executors import LocalExecutor

    return LocalExecutor(args.jobs)


def summary(report, outdir) -> str:
    """The end-of-run table: documents by status, pages, time, failures and the slowest pages."""
    counts = report.by_status()
    rate = report.pages_done / report.seconds if report.seconds else 0.0
    rows = [("documents", str(len(report.docs))),
            ("  ok", str(counts.get("ok", 0))),
            ("  partial (some pages failed)", str(counts.get("partial", 0))),
            ("  failed", str(counts.get("failed", 0))),
            ("  reused from an earlier run", str(report.reused)),
            ("pages OCR'd this run", str(report.pages_done)),
            ("time", f"{report.seconds:.1f} s ({rate:.2f} pages/s)"),
            ("indicator records", str(report.records)),
            ("executor", report.executor),
            ("outputs", f"{outdir}/ (manifest.jsonl, indicators.csv, indicators.duckdb)"),
            ("exit code", str(report.exit_code))]
    width = max(len(k) for k, _ in rows)
    lines = ["", "sohoa run summary", "-" * (width + 30)] + [f"{k:<{width}}  {v}" for k, v in rows]
    bad = [d.record for d in report.docs if d.record and d.record["status"] != "ok"]
    if bad:
        lines += ["", "not ok (exit code, error):"]
        lines += [f"  {r['exit_code']:>3}  {r['error']}" for r in bad[:20]]
        if len(bad) > 20:
            lines.append(f"  … and {len(bad) - 20} more; see manifest.jsonl")
    if report.slowest:
        lines += ["", "slowest pages:"]
        lines += [f"  {s:7.2f} s  {path} page {page}" for s, path, page in report.slowest]
    return "\n".join(lines)


class _Bar:
    def __init__(self, enabled: bool):
        self._bar = None
        if enabled:
            from tqdm import tqdm

            # pages/s and ETA: tqdm's rate and remaining time over the estimated total
            self._bar = tqdm(total=0, unit="page", file=sys.stderr, dynamic_ncols=True, smoothing=0.05,
                             desc="sohoa run")

    def update(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def set_total(self, n: int) -> None:
        if self._bar is not None and n != self._bar.total:
            self._bar.total = n
            self._bar.refresh()

    def write(self, msg: str) -> None:
        if self._bar is not None:
            self._bar.write(msg, file=sys.stderr)
        else:
            print(msg, file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _JsonLog:
    """One JSON object per line: {"ts": unix time, "event": kind, ...fields}; flushed per line."""

    def __init__(self, path: str | None):
        self.path = path
        self._fh = None
        if path == "-":
            self._fh = sys.stderr
        elif path:
            from pipeline.errors import BadArgsError, OutputError
            from pipeline.batch import supported_suffixes

            # `--log-json scans/a.pdf ...` reads the first input as the log's name: appending
            # to it would damage the scan. A log file is never a scan or a folder.
            if Path(path).is_dir() or Path(path).suffix.lower() in supported_suffixes():
                raise BadArgsError(f"--log-json would write its log into '{path}', which looks like an input",
                                   fix="give the log file with --log-json=FILE, or put --log-json after "
                                       "the inputs")
            try:
                self._fh = open(path, "a", encoding="utf-8")
            except OSError as exc:
                raise OutputError(f"cannot open the log ({exc.strerror})", path=path,
                                  fix="choose a writable path for --log-json") from exc

    def write(self, kind: str, fields: dict) -> None:
        if self._fh is not None:
            self._fh.write(json.dumps({"ts": round(time.time(), 3), "event": kind, **fields},
                                      ensure_ascii=False) + "\n")
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None and self._fh is not sys.stderr:
            self._fh.close()
