"""Run benchmark suites, print their tables and update BENCHMARKS.md.

    python -m bench                 # every suite
    python -m bench restore tables  # only these; other sections of BENCHMARKS.md are kept
    python -m bench --quick ocr     # smaller inputs, for a smoke run

A suite is a module ``bench/<name>.py`` with ``TITLE`` and
``run(quick: bool) -> str``; ``run`` prints its own progress and returns the
Markdown section (tables plus a few lines of context).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import platform
import re
import sys
import time
from pathlib import Path

SUITES = ("ocr", "restore", "repair", "tables", "batch")
OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
HEADER = """# Benchmarks

Produced by `make bench` (`python -m bench`). Each section is rewritten when its
suite runs; baselines run in the same process on the same inputs, so ratios are
comparable even though absolute speeds depend on the machine.
"""


def _marker(name: str) -> tuple[str, str]:
    return f"<!-- suite:{name} -->", f"<!-- /suite:{name} -->"


def update_section(doc: str, name: str, body: str) -> str:
    start, end = _marker(name)
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(doc):
        return pattern.sub(lambda _m: block, doc)
    return doc.rstrip() + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("suites", nargs="*", help=f"any of {', '.join(SUITES)} (default: all present)")
    ap.add_argument("--quick", action="store_true", help="small inputs, for a smoke run")
    ap.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = ap.parse_args(argv)

    names = args.suites or [s for s in SUITES if importlib.util.find_spec(f"bench.{s}")]
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        t0 = time.perf_counter()
        body = module.run(quick=args.quick)
        took = time.perf_counter() - t0
        stamp = (f"\n_Run {time.strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, "
                 f"Python {platform.python_version()}, {took:.0f} s"
                 f"{', quick mode' if args.quick else ''}._\n")
        section = f"## {module.TITLE}\n\n{body.strip()}\n{stamp}"
        print(section)
        if not args.no_write:
            # Re-read just before writing: another suite may have run meanwhile.
            doc = OUT.read_text(encoding="utf-8") if OUT.exists() else HEADER
            doc = update_section(doc, name, section)
            OUT.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
