"""The shared plumbing: atomic writes, error messages and exit codes, the CLI shell."""
from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.atomic import atomic_path, write_text_atomic
from pipeline.cli import main
from pipeline.errors import CorruptPdfError, ExitCode, MalformedTableError


def test_atomic_write_replaces_only_on_success(tmp_path):
    dest = tmp_path / "out.txt"
    write_text_atomic(dest, "cũ")
    with pytest.raises(RuntimeError):
        with atomic_path(dest) as tmp:
            tmp.write_text("half-writ", encoding="utf-8")
            raise RuntimeError("crash mid-write")
    assert dest.read_text(encoding="utf-8") == "cũ"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temp left behind
    write_text_atomic(dest, "mới")
    assert dest.read_text(encoding="utf-8") == "mới"


def test_atomic_output_gets_umask_permissions(tmp_path):
    import os
    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_error_message_names_file_and_fix():
    err = CorruptPdfError("not a PDF (no %PDF header)", path="a/b.pdf", fix="re-export the scan")
    assert err.message == "a/b.pdf: not a PDF (no %PDF header) — re-export the scan"
    assert err.exit_code == ExitCode.INPUT_FILE
    line = MalformedTableError("row has 3 cells, header has 5", path="x.txt", line=12)
    assert line.message.startswith("x.txt:12: row has 3 cells")


def test_bad_arguments_exit_1(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == ExitCode.BAD_ARGS


def test_console_script_help_runs():
    out = subprocess.run([sys.executable, "-m", "pipeline.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "sohoa" in out.stdout
