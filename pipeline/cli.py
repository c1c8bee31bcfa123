"""The ``sohoa`` command: one subcommand per stage, each in its own module.

A command module exposes ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules keep their top-level imports light so that
``sohoa --help`` and ``sohoa restore`` start fast.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from pipeline.errors import ExitCode, SohoaError

# name -> module implementing it
COMMANDS: dict[str, str] = {
    "ocr": "pipeline.ocr_command",
    "restore": "diacritics.cli",
    "tables": "table_extract.cli",
    "run": "pipeline.batch_command",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2; our BAD_ARGS is 1
        self.print_usage(sys.stderr)
        self.exit(ExitCode.BAD_ARGS, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sohoa", description=(
        "Digitise Vietnamese government reports: OCR, diacritic restoration, "
        "OCR repair and appendix-table extraction."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, module_name in COMMANDS.items():
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args))
    except SohoaError as err:
        print(f"sohoa: {err.message}", file=sys.stderr)
        return int(err.exit_code)
    except KeyboardInterrupt:
        print("sohoa: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
