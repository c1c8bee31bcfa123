"""Thin wrapper around poppler's ``pdftoppm``: one PDF page in, one greyscale image out.

One ``pdftoppm -gray`` process per page, its PGM read from the pipe. (pdf2image
runs ``pdfinfo`` and ``pdftoppm -v`` before every page and renders in colour,
which the OCR then throws away: three processes and three times the pixels,
~35 % more CPU per rendered page than this.)
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from pipeline.errors import CorruptPdfError, ExternalProgramError, MissingDependencyError

INSTALL_FIX = "install it with: sudo apt-get install poppler-utils"


def check_installed() -> None:
    """Fail once, up front, when there are PDFs to render and no poppler to render them."""
    if shutil.which("pdftoppm") is None:
        raise MissingDependencyError("poppler (pdftoppm) is not installed", fix=INSTALL_FIX)


def render_page(path: Path, index: int, dpi: int, *, timeout: float = 300.0) -> Image.Image:
    """Page ``index`` (0-based) of the PDF at ``path``, rendered in grey at ``dpi``."""
    number = str(index + 1)
    args = ["pdftoppm", "-gray", "-r", str(dpi), "-f", number, "-l", number, os.fspath(path)]
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise MissingDependencyError("poppler (pdftoppm) is not installed", fix=INSTALL_FIX) from exc
    except subprocess.TimeoutExpired as exc:
        raise ExternalProgramError(f"rendering page {number} took over {timeout:g} s", path=path,
                                   fix="raise --page-timeout or re-export the scan") from exc
    if proc.returncode != 0 or not proc.stdout:
        raise CorruptPdfError(f"page {number} cannot be rendered", path=path, fix="re-export the scan")
    try:
        image = Image.open(io.BytesIO(proc.stdout))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ExternalProgramError(f"poppler rendered an unreadable image for page {number}", path=path,
                                   fix="re-export the scan") from exc
    return image
