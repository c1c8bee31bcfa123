"""Thin wrapper around the ``tesseract`` executable.

One recognition pass per page produces every renderer we need at once (TSV
word boxes, Tesseract's own text, a one-page PDF with an invisible text
layer), so the page is never recognised twice for the outputs. Tesseract is
always run single-threaded: parallelism comes from our page workers, and
OpenMP threads inside each worker only fight over the same cores.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ExternalProgramError, MissingDependencyError

INSTALL_FIX = "install it with: sudo apt-get install tesseract-ocr tesseract-ocr-{lang}"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


@functools.lru_cache(maxsize=None)
def _list_langs(tessdata: str | None) -> frozenset[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        raise MissingDependencyError("tesseract is not installed", fix=INSTALL_FIX.format(lang="vie"))
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, env=_env(), timeout=60)
    # The first line is a header ("List of available languages in ..."); the rest are names.
    return frozenset(ln.strip() for ln in out.stdout.splitlines()[1:] if ln.strip())


def check_languages(lang: str) -> None:
    """Fail once, up front, if a language pack in ``lang`` (e.g. ``vie+eng``) is missing."""
    have = _list_langs(os.environ.get("TESSDATA_PREFIX"))
    for code in lang.split("+"):
        if code not in have:
            raise MissingDependencyError(
                f"Tesseract language pack '{code}' is missing (found: {', '.join(sorted(have)) or 'none'})",
                fix=f"install it with: sudo apt-get install tesseract-ocr-{code}")


@dataclass
class Recognition:
    tsv: str          # Tesseract's TSV: one row per block/paragraph/line/word
    text: str         # Tesseract's own plain text
    pdf: Path | None  # one-page PDF holding only the invisible text layer


def _run(args: list[str], *, timeout: float, what: str, page: str,
         stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(args, input=stdin, capture_output=True, env=_env(), timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ExternalProgramError(f"{what} timed out after {timeout:g} s", path=page,
                                   fix="raise --page-timeout or check the page image") from exc
    except FileNotFoundError as exc:
        raise MissingDependencyError("tesseract is not installed", fix=INSTALL_FIX.format(lang="vie")) from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ExternalProgramError(f"{what} failed (exit {proc.returncode}: {tail[0]})", path=page,
                                   fix="check the page image; other pages were still processed")
    return proc


def _source(image: Path | bytes) -> tuple[str, bytes | None]:
    """Tesseract's image argument: a file, or ``stdin`` fed with an encoded image (PGM/PNG)."""
    return ("stdin", image) if isinstance(image, bytes) else (str(image), None)


def recognise(image: Path | bytes, outbase: Path, *, lang: str, psm: int, dpi: int, timeout: float,
              pdf: bool = True, page: str = "") -> Recognition:
    """OCR one page image; ``outbase`` is where Tesseract writes ``.tsv``/``.txt``/``.pdf``."""
    # textonly_pdf: we lay the text over our own compressed page image (pipeline.page).
    renderers = ["-c", "textonly_pdf=1", "tsv", "txt", "pdf"] if pdf else ["tsv", "txt"]
    arg, stdin = _source(image)
    _run(["tesseract", arg, str(outbase), "-l", lang, "--psm", str(psm), "--dpi", str(dpi),
          *renderers], timeout=timeout, what="tesseract", page=page or arg, stdin=stdin)
    base = Path(outbase)
    tsv = base.with_suffix(".tsv").read_text(encoding="utf-8")
    text = base.with_suffix(".txt").read_text(encoding="utf-8")
    return Recognition(tsv=tsv, text=text, pdf=base.with_suffix(".pdf") if pdf else None)


@dataclass(frozen=True)
class Orientation:
    rotate: int         # degrees clockwise to turn the page upright (0, 90, 180, 270)
    confidence: float   # Tesseract's OSD confidence; below ~2 it is a guess


def detect_orientation(image: Path | bytes, *, dpi: int, timeout: float, page: str = "") -> Orientation:
    """Tesseract OSD (``--psm 0``). Pages with too little text report rotate 0, confidence 0."""
    arg, stdin = _source(image)
    try:
        proc = _run(["tesseract", arg, "-", "--psm", "0", "--dpi", str(dpi)], stdin=stdin,
                    timeout=timeout, what="tesseract orientation detection", page=page or arg)
    except ExternalProgramError as exc:
        if "timed out" in exc.what:
            raise
        return Orientation(0, 0.0)  # "Too few characters": nothing to turn
    rotate, conf = 0, 0.0
    for ln in proc.stdout.decode("utf-8", "replace").splitlines():
        key, _, val = ln.partition(":")
        if key.strip() == "Rotate":
            rotate = int(val.strip())
        elif key.strip() == "Orientation confidence":
            conf = float(val.strip())
    return Orientation(rotate % 360, conf)
