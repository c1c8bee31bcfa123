"""Assemble a document's outputs from its page results.

For an input ``STEM`` this writes, each atomically:

- ``STEM.txt``      final text, pages separated by a form feed;
- ``STEM.raw.txt``  Tesseract's own text, pages separated by a form feed;
- ``STEM.json``     pages -> lines -> words with text, final text, box, confidence;
- ``STEM.pdf``      the processed page images with an invisible text layer holding the
                    final (corrected) words at Tesseract's word boxes (pipeline.textlayer).

Then it calls the tables hook (``tables_hook``) with the same page results.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from pipeline import textlayer
from pipeline.atomic import atomic_path, write_text_atomic
from pipeline.errors import StageError
from pipeline.options import OcrOptions
from pipeline.page import PageResult

# The table stage plugs in here: a module exposing
#     write_tables(stem: str, pages: Sequence[PageResult], outdir: Path) -> list[Path]
# which gets every page's processed image (PageResult.image, still on disk at
# call time) and its words/lines with boxes, and writes e.g. STEM.tables.csv.
TABLES_HOOK_MODULE = "table_extract.ocr_hook"


def write_document(stem: str, source: Path, pages: Sequence[PageResult], outdir: Path,
                   options: OcrOptions, timings_to: dict | None = None) -> list[Path]:
    """Write the four outputs (three if ``options.write_pdf`` is off) plus whatever the
    tables hook writes; return their paths.

    With ``timings_to`` the run-dependent timings go into that dict instead of
    STEM.json, so the same input always gives the same bytes (``sohoa run``).
    A failure inside the tables hook is reported as ``StageError`` after
    the OCR outputs are safely written.
    """
    outdir = Path(outdir)
    pages = sorted(pages, key=lambda p: p.number)
    txt, raw, js, pdf = (outdir / f"{stem}{ext}" for ext in (".txt", ".raw.txt", ".json", ".pdf"))
    write_text_atomic(txt, "\f".join(p.final_text for p in pages) + "\n")
    write_text_atomic(raw, "\f".join(p.raw_text for p in pages) + "\n")
    written = [txt, raw]
    if options.write_pdf:
        write_pdf(pages, pdf)
        written.append(pdf)
    started = time.perf_counter()
    tables_error = None
    if options.tables:
        try:
            written += tables_hook(stem, pages, outdir)
        except Exception as exc:  # the table stage's fault must not cost the OCR outputs
            tables_error = f"{source}: the table stage failed ({type(exc).__name__}: {exc}) — report this bug"
    times = {"tables_seconds": round(time.perf_counter() - started, 3)}
    if timings_to is not None:
        timings_to.update(times)
    doc = {"source": str(source), "stem": stem, "page_count": len(pages),
           "coordinates": "pixels of the processed page image (see each page's width/height/dpi)",
           **(times if timings_to is None else {}),
           "pages": [p.to_json(timings=timings_to is None) for p in pages]}
    write_text_atomic(js, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    written.insert(2, js)
    if tables_error:
        raise StageError(tables_error)
    return written


def write_pdf(pages: Sequence[PageResult], dest: Path) -> None:
    """Merge the one-page PDFs, each with its final text as the invisible layer.

    A failed page becomes an image-only (or blank) page. A page whose PDF is not
    laid out as pipeline.page._page_files makes it keeps Tesseract's raw words,
    and the page's ``steps`` say so. The same pages give the same bytes (no dates;
    the /ID is derived from the content), so reruns of ``sohoa run`` match.
    """
    import pikepdf

    with contextlib.ExitStack() as stack:
        out = stack.enter_context(pikepdf.new())
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sohoa-pdf-")))
        for p in pages:
            src_path = p.pdf if p.pdf is not None and p.pdf.exists() else _image_only_page(p, scratch)
            src = stack.enter_context(pikepdf.open(src_path))
            kept = textlayer.replace_text_layer(src, src.pages[0], p.lines, p.height, p.dpi)
            if kept:
                p.steps.append(f"PDF text layer: Tesseract's raw words kept ({kept})")
            out.pages.extend(src.pages)
        with atomic_path(dest) as tmp:
            out.save(tmp, deterministic_id=True)  # sources must stay open until the merged file is saved


def _image_only_page(page: PageResult, scratch: Path) -> Path:
    """Stand-in for a page Tesseract could not read: its image if we have one, else a blank A4."""
    if page.image is not None and page.image.exists():
        im, dpi = Image.open(page.image), page.dpi or 300
    else:
        im, dpi = Image.new("L", (2480, 3508), 255), 300
    path = scratch / f"page-{page.number}.pdf"
    im.save(path, "PDF", resolution=float(dpi))
    return path


def tables_hook(stem: str, pages: Sequence[PageResult], outdir: Path) -> list[Path]:
    """Hand the OCR'd pages to the table stage when it provides ``TABLES_HOOK_MODULE``."""
    if importlib.util.find_spec(TABLES_HOOK_MODULE.split(".")[0]) is None or \
            importlib.util.find_spec(TABLES_HOOK_MODULE) is None:
        return []
    module = importlib.import_module(TABLES_HOOK_MODULE)
    return list(module.write_tables(stem, pages, outdir) or [])
