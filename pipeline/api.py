"""Python API of the OCR stage: ``ocr(inputs, outdir, options)``.

Work is split by page across all documents and run by ``options.jobs``
worker processes (one single-threaded Tesseract each). A document's outputs
are written as soon as its last page is back, so a long run leaves finished
documents behind as it goes. A bad input or page is reported on one line and
skipped; the run carries on and the report's exit code is non-zero.
"""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import write_document
from pipeline.errors import ExitCode, OutputError, SohoaError
from pipeline.ingest import Source, load_gray, open_source
from pipeline.options import OcrOptions
from pipeline.page import PageResult, correct_result, failed_page, ocr_page
from pipeline.tesseract import check_languages


@dataclass
class DocumentReport:
    source: Path
    stem: str
    pages: int = 0
    outputs: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class OcrReport:
    documents: list[DocumentReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)     # one line per bad input or page
    exit_code: int = int(ExitCode.OK)                   # of the first error, 0 if none
    pages: int = 0
    seconds: float = 0.0

    def fail(self, err: SohoaError | str, code: int | None = None) -> str:
        msg = err.message if isinstance(err, SohoaError) else err
        self.errors.append(msg)
        if self.exit_code == ExitCode.OK:
            self.exit_code = int(err.exit_code if isinstance(err, SohoaError) else (code or ExitCode.OTHER))
        return msg


def process_page(source: Source, index: int, options: OcrOptions, workdir: Path, name: str) -> PageResult:
    """Load and OCR page ``index`` of ``source``; never raises for a bad page."""
    started = time.perf_counter()
    try:
        gray, dpi = load_gray(source, index, max_dpi=options.max_dpi, target_dpi=options.target_dpi)
    except SohoaError as err:
        return failed_page(index + 1, err, started)
    return ocr_page(gray, dpi, options, workdir, number=index + 1, name=name,
                    label=f"{source.path} page {index + 1}")


def _pool_context():
    """Spawned workers, not forked ones.

    A child forked from a parent that has used OpenCV/OpenMP inherits their
    thread-pool locks and can hang forever. (A forkserver would save each
    worker's imports, but its workers are not our children, so their CPU time
    escapes accounting such as ``time`` and the bench's.)
    """
    return multiprocessing.get_context("spawn")


def _init_worker() -> None:
    import cv2

    cv2.setNumThreads(1)  # one worker per core already; OpenCV threads would oversubscribe


def stems_for(paths: Iterable[Path]) -> list[str]:
    """Output names: the file stem, or the full file name when two inputs share a stem."""
    paths = list(paths)
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.stem] = counts.get(p.stem, 0) + 1
    return [p.stem if counts[p.stem] == 1 else p.name for p in paths]


def ocr(inputs: Iterable[str | Path], outdir: str | Path, options: OcrOptions | None = None, *,
        on_error: Callable[[str], None] | None = None) -> OcrReport:
    """OCR every input into ``outdir``; see ``pipeline.document`` for the outputs.

    ``on_error`` receives each one-line error message as it happens (the CLI
    prints them); a missing Tesseract or language pack raises before any work.
    """
    options = options or OcrOptions()
    started = time.perf_counter()
    check_languages(options.lang)
    outdir = Path(outdir)
    report = OcrReport()

    def say(msg: str) -> None:
        if on_error is not None:
            on_error(msg)
        else:
            from tqdm import tqdm
            tqdm.write(f"sohoa: {msg}", file=sys.stderr)  # keeps the progress bar intact

    paths = [Path(p) for p in inputs]
    sources: list[tuple[Source, DocumentReport]] = []
    for path, stem in zip(paths, stems_for(paths)):
        doc = DocumentReport(path, stem)
        report.documents.append(doc)
        try:
            sources.append((open_source(path), doc))
        except SohoaError as err:
            doc.errors.append(report.fail(err))
            say(err.message)
    if any(src.kind == "pdf" for src, _doc in sources):
        from pipeline.poppler import check_installed

        check_installed()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder ({exc.strerror})", path=outdir,
                          fix="choose a writable folder with -o") from exc

    total = sum(src.pages for src, _doc in sources)
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as scratch:
        workdir = Path(scratch)
        jobs = [(d, i) for d, (src, _doc) in enumerate(sources) for i in range(src.pages)]
        done: dict[int, list[PageResult]] = {d: [] for d in range(len(sources))}
        bar = _progress(total, options)

        def collect(d: int, result: PageResult) -> None:
            src, doc = sources[d]
            done[d].append(result)
            report.pages += 1
            bar.update(1)
            if result.error:
                doc.errors.append(report.fail(result.error, result.exit_code))
                say(result.error)
            if len(done[d]) == src.pages:
                _finish(doc, src, done.pop(d), outdir, options, report, say)

        if options.jobs == 1 or len(jobs) <= 1:
            _init_worker()
            for d, i in jobs:
                src, doc = sources[d]
                collect(d, process_page(src, i, options, workdir, f"d{d}"))
        else:
            # The workers OCR, this process corrects: the repair's language model and its
            # per-word candidate cache then serve the whole run instead of one per worker,
            # and this process is mostly idle waiting for pages anyway.
            worker_options = dataclasses.replace(options, correct=False)
            with cf.ProcessPoolExecutor(max_workers=min(options.jobs, len(jobs)), initializer=_init_worker,
                                        mp_context=_pool_context()) as pool:
                futures = {pool.submit(process_page, sources[d][0], i, worker_options, workdir, f"d{d}"): (d, i)
                           for d, i in jobs}
                try:
                    for fut in cf.as_completed(futures):
                        d, i = futures[fut]
                        try:
                            result = fut.result()
                        except Exception as exc:  # a crashed worker: lose the page, not the run
                            result = PageResult(number=i + 1, error=f"{sources[d][0].path} page {i + 1}: "
                                                f"worker crashed ({type(exc).__name__}: {exc})",
                                                exit_code=int(ExitCode.OTHER))
                        if options.correct and result.error is None:
                            correct_result(result, f"{sources[d][0].path} page {i + 1}")
                        collect(d, result)
                except BaseException:
                    # Ctrl-C: drop the queued pages instead of finishing the whole run first.
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        bar.close()
    report.seconds = time.perf_counter() - started
    return report


def _finish(doc: DocumentReport, src: Source, pages: list[PageResult], outdir: Path,
            options: OcrOptions, report: OcrReport, say: Callable[[str], None]) -> None:
    doc.pages = len(pages)
    try:
        doc.outputs = write_document(doc.stem, src.path, pages, outdir, options)
    except SohoaError as err:
        doc.errors.append(report.fail(err))
        say(err.message)
    finally:
        for p in pages:  # scratch images and PDFs of a finished document are no longer needed
            for f in (p.image, p.pdf):
                if f is not None:
                    f.unlink(missing_ok=True)


def _progress(total: int, options: OcrOptions):
    from tqdm import tqdm

    return tqdm(total=total, unit="page", file=sys.stderr, disable=not options.progress,
                dynamic_ncols=True, smoothing=0.1, desc="ocr")
