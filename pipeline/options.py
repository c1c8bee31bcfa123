"""The one options object shared by ``sohoa ocr`` and ``pipeline.api.ocr``."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class OcrOptions:
    """How pages are prepared and recognised. Defaults are what the OCR bench supports."""

    jobs: int = field(default_factory=default_jobs)  # worker processes, one Tesseract each
    lang: str = "vie"
    psm: int | None = None          # None: chosen per page (see pipeline.page.choose_psm)
    target_dpi: int = 300           # low- or very high-resolution pages are resampled to this
    min_dpi: int = 100              # ... when below this (150-DPI scans read better as they are: see BENCHMARKS.md)
    max_dpi: int = 400              # ... or above this
    ocr_x_height: float = 16.0      # Tesseract reads a copy scaled so lowercase letters are this tall (px); 0 = off
    ocr_min_dpi: int = 150          # ... but never below this resolution (pages at 250 DPI or less stay)
    orientation: bool = True        # detect pages turned 90/180/270 degrees (Tesseract OSD)
    deskew: bool = True
    clear_borders: bool = False     # synthetic scans have no dark edges: the bench cannot support it yet
    denoise: str = "auto"           # median filter: "auto" (speckled pages only), "always", "never"
    binarize: bool = False
    correct: bool = True            # final text through the OCR-repair stage (pipeline.correct)
    tables: bool = True             # run the table stage hook (STEM.tables.csv)
    reading_order: bool = True      # un-interleave two-column mastheads and signature blocks
    page_timeout: float = 300.0     # seconds per Tesseract call before the page is given up
    write_pdf: bool = True
    progress: bool = True           # tqdm bar on stderr

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise ValueError("jobs must be at least 1")
        if self.ocr_x_height < 0:
            raise ValueError("ocr_x_height must be 0 (off) or a height in pixels")
        if self.denoise not in ("auto", "always", "never"):
            raise ValueError("denoise must be auto, always or never")
