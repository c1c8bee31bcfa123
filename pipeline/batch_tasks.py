"""The two units of work of ``sohoa run``, as plain picklable functions.

``page_task`` loads and OCRs one page; ``finish_task`` turns one document's
page results into its outputs (text, JSON, searchable PDF, tables) in a
staging folder and reads the table records back. Both run wherever the
executor puts them: a local worker process or a Dask worker on another
machine. On a remote worker nothing may be left behind as a path, so with
``scratch=None`` a page result carries its image and one-page PDF as bytes
and a finished document comes back as file contents.
"""
from __future__ import annotations

import contextlib
import csv
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ExitCode, ExternalProgramError, InputFileError, SohoaError, StageError
from pipeline.options import OcrOptions


@dataclass(frozen=True)
class Limits:
    """Safety limits applied to every page, whatever the executor."""

    page_timeout: float = 300.0          # wall-clock seconds for one page, all steps
    max_page_pixels: int = 150_000_000   # decoded pixels of one page (decompression-bomb guard)
    max_page_mm: float = 1300.0          # longest physical side of a page (A0 is 1189 mm)


@dataclass(frozen=True)
class DocSpec:
    """What a worker needs to know about a document: no open files, no big data."""

    path: str
    kind: str                      # "pdf" or "image"
    page_dpis: tuple[int, ...]
    stem: str                      # output file stem inside its output folder
    label: str                     # the path as shown in messages and the manifest

    @property
    def pages_count(self) -> int:
        return len(self.page_dpis)


@dataclass
class PageOut:
    """A page result that can cross machines: ``PageResult`` plus its files' bytes."""

    result: object                 # pipeline.page.PageResult (image/pdf None when portable)
    image_bytes: bytes | None = None
    pdf_bytes: bytes | None = None


@dataclass
class DocOut:
    """A finished document: staged output files (or their bytes) and its table records."""

    stem: str
    files: dict[str, str] = field(default_factory=dict)      # output name -> staged path
    blobs: dict[str, bytes] = field(default_factory=dict)    # output name -> bytes (remote workers)
    records: list[list] = field(default_factory=list)        # table rows in table_extract.COLUMNS order
    pages: list[dict] = field(default_factory=list)          # per page: number, seconds, confidence, words, error
    seconds: float = 0.0
    error: str | None = None                                 # the document could not be written
    stage_error: str | None = None                           # written, but a later stage (tables) failed
    exit_code: int = 0
    timings: dict = field(default_factory=dict)              # the ones kept out of STEM.json


_setup_done = False


def pillow_limits(limits: Limits) -> None:
    """The decompression-bomb guard, for every process that opens images (`sohoa run`'s own too)."""
    import warnings

    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.max_page_pixels
    # Pillow only warns between 1x and 2x the limit; a page that big is refused outright.
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def worker_setup(limits: Limits) -> None:
    """Per-process settings every worker needs; cheap and idempotent (Dask has no initializer here)."""
    global _setup_done
    pillow_limits(limits)
    if _setup_done:
        return
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import cv2

    cv2.setNumThreads(1)  # one worker per core already; OpenCV threads would oversubscribe
    _setup_done = True


class _PageTimeout(BaseException):
    """Raised by the alarm inside a page; BaseException so page code cannot swallow it."""


@contextlib.contextmanager
def _deadline(seconds: float):
    # SIGALRM only works in a process's main thread (local workers); Dask runs tasks
    # in threads, where Tesseract's own per-call timeout is the limit.
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(_signum, _frame):
        raise _PageTimeout

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_page_size(spec: DocSpec, index: int, width_px: int, height_px: int, dpi: int, limits: Limits) -> None:
    """Refuse a page whose pixel count or physical size is beyond the limits, before decoding it."""
    where = f"{spec.label} page {index + 1}"
    if width_px * height_px > limits.max_page_pixels:
        raise InputFileError(f"page is {width_px}x{height_px} pixels, over the limit of "
                             f"{limits.max_page_pixels:,} (possible decompression bomb)", path=where,
                             fix="raise --max-page-pixels if the page is genuine")
    longest_mm = max(width_px, height_px) / max(dpi, 1) * 25.4
    if longest_mm > limits.max_page_mm:
        raise InputFileError(f"page is {longest_mm:.0f} mm long, over the limit of {limits.max_page_mm:g} mm",
                             path=where, fix="raise --max-page-mm if the page is genuine")


def _pdf_page_pixels(path: str, index: int, dpi: int) -> tuple[int, int]:
    import pikepdf

    with pikepdf.open(path) as pdf:
        box = [float(v) for v in pdf.pages[index].mediabox]
    return round(abs(box[2] - box[0]) / 72 * dpi), round(abs(box[3] - box[1]) / 72 * dpi)


def page_task(spec: DocSpec, index: int, options: OcrOptions, limits: Limits, scratch: str | None) -> PageOut:
    """OCR page ``index`` of ``spec``; never raises for a bad page (the error is on the result).

    ``scratch`` is a folder the caller can read (local workers): the page image
    and PDF stay there. ``None`` (remote workers): they come back as bytes.
    """
    from pipeline.api import process_page
    from pipeline.ingest import Source
    from pipeline.page import PageResult, failed_page

    worker_setup(limits)
    started = time.perf_counter()
    number = index + 1
    source = Source(Path(spec.path), spec.kind, spec.page_dpis)
    with contextlib.ExitStack() as stack:
        if scratch is None:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="sohoa-page-"))
        else:  # a folder per page, so its Tesseract leftovers can be removed without touching others
            workdir = os.path.join(scratch, f"{_safe(spec.stem)}-{os.getpid()}-{number}")
            os.makedirs(workdir, exist_ok=True)
        try:
            with _deadline(limits.page_timeout):
                if spec.kind == "pdf":
                    check_page_size(spec, index, *_pdf_page_pixels(spec.path, index, spec.page_dpis[index]),
                                    spec.page_dpis[index], limits)
                result = process_page(source, index, options, Path(workdir),
                                      name=f"{_safe(spec.stem)}-{os.getpid()}")
                if result.error is None and spec.kind == "image":
                    # Pillow's bomb guard caught absurd pixel counts; this catches absurd paper sizes.
                    check_page_size(spec, index, result.width, result.height, result.dpi or 300, limits)
        except _PageTimeout:
            result = failed_page(number, _timed_out(spec, number, limits), started)
        except SohoaError as err:
            result = failed_page(number, err, started)
        except Exception as exc:  # PIL's DecompressionBomb* and other decoder failures: lose the page only
            what = "page is too large to decode safely" if "Decompression" in type(exc).__name__ \
                else f"page cannot be processed ({type(exc).__name__}: {str(exc)[:80]})"
            result = PageResult(number=number, error=f"{spec.label} page {number}: {what}",
                                exit_code=int(ExitCode.INPUT_FILE))
        result.seconds = time.perf_counter() - started
        keep = {result.image, result.pdf}
        for f in Path(workdir).iterdir():  # Tesseract's .tsv/.txt and any partial files of a failed page
            if f not in keep:
                f.unlink(missing_ok=True)
        if scratch is not None:
            # The caller checkpoints this page once it is back; its files must survive a power cut by then.
            for f in keep - {None}:
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
            return PageOut(result)
        out = PageOut(result, *(_take(p) for p in (result.image, result.pdf)))
        result.image = result.pdf = None
        return out


def _timed_out(spec: DocSpec, number: int, limits: Limits) -> ExternalProgramError:
    return ExternalProgramError(f"page timed out after {limits.page_timeout:g} s", path=f"{spec.label} page {number}",
                                fix="raise --page-timeout or check the page")


def correct_page(page: PageOut, spec: DocSpec, limits: Limits) -> PageOut:
    """The correction stage of a page ``page_task`` OCR'd with ``correct=False``, in this process.

    The local pool's pages are corrected in `sohoa run`'s own process, as `sohoa ocr`
    does: one language model and one per-word candidate cache serve the whole run
    instead of one per worker (the batch bench archive's repair: 4.8 CPU-s instead of
    6.6 with two workers, which never load the model). The page's time limit still covers it.
    """
    from pipeline.page import correct_result, failed_page

    result = page.result
    if result.error is not None:  # a failed page has no OCR text to correct (as in ocr_page)
        return page
    started = time.perf_counter()
    try:
        with _deadline(max(limits.page_timeout - result.seconds, 1e-3)):
            correct_result(result, f"{Path(spec.path)} page {result.number}")  # process_page's label
    except _PageTimeout:
        for f in (result.image, result.pdf):
            if f is not None:
                Path(f).unlink(missing_ok=True)
        # its time counts from the page's start, OCR included
        return PageOut(failed_page(result.number, _timed_out(spec, result.number, limits), started - result.seconds))
    return page


def _take(path: Path | None) -> bytes | None:
    if path is None or not Path(path).exists():
        return None
    data = Path(path).read_bytes()
    Path(path).unlink()
    return data


def _safe(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:60]


def finish_task(spec: DocSpec, pages: list[PageOut], options: OcrOptions, limits: Limits,
                staging: str | None) -> DocOut:
    """Write the document's outputs into ``staging`` (or return them as bytes when ``None``)."""
    from pipeline.document import write_document

    worker_setup(limits)
    started = time.perf_counter()
    out = DocOut(spec.stem)
    with contextlib.ExitStack() as stack:
        if staging is None:
            stage = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sohoa-doc-")))
        else:
            stage = Path(staging)
            stage.mkdir(parents=True, exist_ok=True)
        results = []
        for i, po in enumerate(sorted(pages, key=lambda p: p.result.number)):
            r = po.result
            out.pages.append(_page_stats(r))
            if po.image_bytes is not None:
                r.image = stage / f".page-{i}.jpg"
                r.image.write_bytes(po.image_bytes)
            if po.pdf_bytes is not None:
                r.pdf = stage / f".page-{i}.pdf"
                r.pdf.write_bytes(po.pdf_bytes)
            results.append(r)
        try:
            if all(r.error for r in results):
                # Nothing was read: an empty text and a blank PDF would only pass for a real result.
                raise _PagesFailed(results[0].error, results[0].exit_code or int(ExitCode.OTHER))
            # Timings go to the manifest: the same input must give byte-identical JSON.
            written = write_document(spec.stem, Path(spec.path), results, stage, options, timings_to=out.timings)
        except _PagesFailed as err:
            out.error, out.exit_code = err.message, err.code
            written = []
        except StageError as err:  # a plugged-in stage failed after the OCR outputs were written
            out.stage_error, out.exit_code = err.message, int(err.exit_code)
            written = sorted(p for p in stage.iterdir() if p.name.startswith(f"{spec.stem}."))
        except SohoaError as err:
            out.error, out.exit_code = err.message, int(err.exit_code)
            written = []
        finally:
            for r in results:  # page scratch files are no longer needed once the document is written
                for f in (r.image, r.pdf):
                    if f is not None:
                        Path(f).unlink(missing_ok=True)
        for path in written:
            if path.name.endswith(".tables.csv"):
                out.records = read_records_csv(path)
            if staging is None:
                out.blobs[path.name] = path.read_bytes()
            else:
                out.files[path.name] = str(path)
    out.seconds = time.perf_counter() - started
    return out


class _PagesFailed(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message, self.code = message, code


def _page_stats(r) -> dict:
    confs = [w.confidence for ln in r.lines for w in ln.words if w.confidence >= 0]
    return {"page": r.number, "seconds": round(r.seconds, 3),
            "correct_seconds": round(getattr(r, "correct_seconds", 0.0), 3), "words": len(confs),
            "confidence": round(sum(confs) / len(confs), 2) if confs else None,
            "error": r.error, "exit_code": r.exit_code}


def read_records_csv(path: str | Path) -> list[list]:
    """Rows of a ``STEM.tables.csv`` with their types back (int page/year, typed value, float confidence).

    ``table_extract.output.write_csv`` writes each value in its natural form;
    ``value_type`` says which one it was, so the rows round-trip exactly.
    """
    from table_extract.model import COLUMNS

    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise InputFileError("unexpected table-records header", path=path,
                             fix="the table stage changed its CSV columns; update pipeline.batch_tasks")
    out = []
    for row in rows[1:]:
        rec = dict(zip(COLUMNS, row))
        rec["page"] = int(rec["page"]) if rec["page"] else None
        rec["year"] = int(rec["year"]) if rec["year"] else None
        rec["confidence"] = float(rec["confidence"]) if rec["confidence"] else 0.0
        rec["value"] = _typed_value(rec["value"], rec["value_type"])
        out.append([rec[c] for c in COLUMNS])
    return out


def _typed_value(text: str, value_type: str):
    if value_type == "text":
        return text
    if text in ("true", "false"):
        return text == "true"
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def move_staged(files: dict[str, str], dest_dir: Path) -> list[Path]:
    """Rename staged outputs into place, one atomic rename each (same filesystem)."""
    from pipeline.errors import OutputError

    moved = []
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            os.replace(files[name], dest_dir / name)
            moved.append(dest_dir / name)
    except OSError as exc:
        raise OutputError(f"cannot write here ({exc.strerror})", path=dest_dir,
                          fix="check the output folder is writable and has free space") from exc
    return moved


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
