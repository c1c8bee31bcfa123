"""``sohoa run``: a whole archive through OCR, repair and tables, resumable and observable.

Layout of OUTDIR::

    a/b/STEM.txt, STEM.raw.txt, STEM.json, STEM.pdf, STEM.tables.csv   per document, as `sohoa ocr`
    manifest.jsonl        one line per document (rebuilt at the end of every run)
    indicators.csv        every table record of the collection
    indicators.duckdb     the same records, table ``indicators``
    .sohoa/done/KEY.json  the durable state: one file per finished document
    .sohoa/pages/KEY/     pages of unfinished documents (local pool): a rerun resumes mid-document
    .sohoa/tmp/           scratch and staging, wiped at the start of a run

Crash safety rests on one rule: a document's record in ``.sohoa/done`` is
written (atomically) only after all its outputs are renamed into place, and
the collection files are rebuilt from those records. A run killed at any
moment therefore leaves finished documents with their record, at worst some
documents' outputs already replaced by identical ones without a record
(redone on rerun), and never a half-written file under its final name.
``KEY`` hashes the file's content, the settings that change outputs and the
output name, so a rerun skips exactly what is already done.
"""
from __future__ import annotations

import collections
import dataclasses
import fcntl
import hashlib
import pickle
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.atomic import atomic_path, write_bytes_atomic, write_text_atomic
from pipeline.batch_tasks import (DocOut, DocSpec, Limits, correct_page, finish_task, move_staged, page_task,
                                  pillow_limits, remove_tree)
from pipeline.errors import BadArgsError, ExitCode, InputFileError, OutputError, SohoaError
from pipeline.options import OcrOptions

STATE_DIR = ".sohoa"
MANIFEST = "manifest.jsonl"
INDICATORS_CSV = "indicators.csv"
INDICATORS_DUCKDB = "indicators.duckdb"
# Options that change no output byte: how many workers, the bar, the time limit.
NOT_SETTINGS = {"jobs", "progress", "page_timeout"}
SLOWEST = 5
# The repair is ~5-10 % of a page's CPU: with up to 4 local workers (slots = jobs + 2) this
# process keeps up using well under half a core; with more, each worker repairs its own pages.
PARENT_REPAIR_SLOTS = 6
CODE_PACKAGES = ("pipeline", "diacritics", "table_extract", "lexicon")
PERMANENT_CODES = {int(ExitCode.INPUT_FILE), int(ExitCode.ENCRYPTED_PDF)}  # same bytes, same failure


def supported_suffixes() -> set[str]:
    from pipeline.ingest import IMAGE_SUFFIXES

    return {".pdf"} | IMAGE_SUFFIXES


@dataclass(frozen=True)
class Found:
    path: Path       # as walked from the argument (relative stays relative)
    rel: Path        # output location relative to OUTDIR, without suffix handling


def discover(inputs: Iterable[str | Path], outdir: Path) -> list[Found]:
    """Supported files under the inputs, sorted; a file named explicitly is always taken.

    Outputs mirror each input folder's tree, so ``scans/2021/a.pdf`` given as
    ``scans`` lands in ``OUTDIR/2021/a.*``. Hidden files/folders and OUTDIR itself are skipped.
    """
    suffixes = supported_suffixes()
    out_abs = outdir.resolve()
    found: list[Found] = []
    for arg in inputs:
        root = Path(arg)
        if not root.exists():
            raise InputFileError("no such file or folder", path=root, fix="check the path")
        if root.is_file():
            found.append(Found(root, Path(root.name)))
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and (here / d).resolve() != out_abs)
            for name in sorted(filenames):
                p = here / name
                if not name.startswith(".") and p.suffix.lower() in suffixes:
                    found.append(Found(p, p.relative_to(root)))
    found.sort(key=lambda f: (str(f.rel.parent), f.rel.name, str(f.path)))
    return found


def output_stems(found: list[Found]) -> list[Path]:
    """OUTDIR-relative stems: ``dir/name`` without suffix; the full name when two files share a stem."""
    stems = [f.rel.parent / f.rel.stem for f in found]
    counts: dict[Path, int] = {}
    for s in stems:
        counts[s] = counts.get(s, 0) + 1
    out, seen = [], set()
    for f, s in zip(found, stems):
        s = f.rel if counts[s] > 1 else s
        base, k = s, 2
        while s in seen:  # the same relative path under two input folders
            s = base.with_name(f"{base.name}~{k}")
            k += 1
        seen.add(s)
        out.append(s)
    return out


def code_fingerprint() -> str:
    """Hash of the code and data that shape outputs: a changed model or rule redoes documents."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in CODE_PACKAGES:
        for p in sorted((root / package).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".md"):
                h.update(p.relative_to(root).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def settings_hash(options: OcrOptions) -> str:
    fields = {k: v for k, v in dataclasses.asdict(options).items() if k not in NOT_SETTINGS}
    blob = json.dumps({"code": code_fingerprint(), "options": fields}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Doc:
    found: Found
    stem: Path                       # OUTDIR-relative
    index: int                       # position in the sorted archive
    sha256: str = ""
    key: str = ""
    spec: DocSpec | None = None
    record: dict | None = None       # set once finished (or reused)
    started: float = 0.0
    hash_seconds: float = 0.0
    page_futures: list = field(default_factory=list)   # Dask: results stay on the cluster
    results: dict = field(default_factory=dict)         # local: page number -> PageOut
    todo: list = field(default_factory=list)            # page indices not yet submitted
    waiting: int = 0                                    # pages submitted, not yet back


class Store:
    """The durable state in ``OUTDIR/.sohoa`` and the collection outputs rebuilt from it."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.state = outdir / STATE_DIR
        self.done_dir = self.state / "done"
        self.tmp = self.state / "tmp"
        try:
            self.done_dir.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.state / "lock", "w")
        except OSError as exc:
            raise OutputError(f"cannot create the output folder ({exc.strerror})", path=outdir,
                              fix="choose a writable folder with -o") from exc
        try:
            # Held for the whole run and dropped by the kernel however the process ends (SIGKILL too).
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock.close()
            raise BadArgsError("another `sohoa run` is writing to this folder", path=outdir,
                               fix="wait for it to finish, or choose another -o") from exc
        remove_tree(self.tmp)  # a killed run's scratch: nothing in it is needed
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._sweep_parts()

    def close(self) -> None:
        self._lock.close()

    def _sweep_parts(self) -> None:
        # atomic_path's temp files (".NAME.XXXX.part") a SIGKILL left behind: never a final name.
        for dirpath, dirnames, filenames in os.walk(self.outdir):
            dirnames[:] = [d for d in dirnames if d != "tmp"]
            for name in filenames:
                if name.startswith(".") and name.endswith(".part"):
                    (Path(dirpath) / name).unlink(missing_ok=True)

    def page_dir(self, key: str) -> Path:
        return self.state / "pages" / key

    def save_page(self, key: str, page) -> None:
        """Checkpoint one page (its image and PDF are already complete beside it)."""
        write_bytes_atomic(self.page_dir(key) / f"p{page.result.number:05d}.pkl",
                           pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL))

    def load_pages(self, key: str) -> dict:
        """Pages an interrupted run finished: only those whose files are all still there."""
        found = {}
        for f in sorted(self.page_dir(key).glob("p*.pkl")):
            try:
                page = pickle.loads(f.read_bytes())
            except Exception:  # our own file; unreadable only if the disk lost it: redo the page
                continue
            r = page.result
            if all(x is None or Path(x).exists() for x in (r.image, r.pdf)):
                found[r.number] = page
        return found

    def record_path(self, key: str) -> Path:
        return self.done_dir / f"{key}.json"

    def load(self, key: str) -> dict | None:
        try:
            return json.loads(self.record_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # absent, or (impossible via atomic writes) unreadable: redo
            return None

    def save(self, record: dict) -> None:
        write_text_atomic(self.record_path(record["key"]), json.dumps(record, ensure_ascii=False) + "\n")

    def outputs_present(self, record: dict) -> bool:
        folder = self.outdir / Path(record["output"]).parent
        return all((folder / name).exists() for name in record.get("outputs", []))

    def write_manifest(self, docs: list[Doc]) -> None:
        """One line per document, in archive order, read back from the records on disk (streaming)."""
        with atomic_path(self.outdir / MANIFEST) as tmp, open(tmp, "w", encoding="utf-8") as fh:
            for d in docs:
                rec = self.load(d.key) if d.record is not None else None
                if rec is not None:
                    fh.write(json.dumps(manifest_entry(rec), ensure_ascii=False) + "\n")

    def iter_records(self, docs: list[Doc]) -> Iterator[list]:
        """Every table row of the collection, document by document, read back from disk."""
        for d in docs:
            if d.record is not None and d.record.get("records"):
                yield from (self.load(d.key) or {}).get("records", [])

    def write_indicators(self, docs: list[Doc], batch: int = 20000) -> int:
        """Rebuild indicators.csv and indicators.duckdb, streaming (memory bounded by ``batch`` rows)."""
        from table_extract.model import COLUMNS, Record
        from table_extract.output import write_csv, write_duckdb

        count = 0

        def records(counting: bool = False) -> Iterator[Record]:
            nonlocal count
            for row in self.iter_records(docs):
                count += counting
                yield Record(**dict(zip(COLUMNS, row)))

        write_csv(records(counting=True), self.outdir / INDICATORS_CSV)

        dest = self.outdir / INDICATORS_DUCKDB
        tmp = self.tmp / f"{INDICATORS_DUCKDB}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        chunk: list[Record] = []
        try:
            write_duckdb([], tmp)  # the table exists even when no document has tables
            for r in records():
                chunk.append(r)
                if len(chunk) >= batch:
                    write_duckdb(chunk, tmp)
                    chunk = []
            if chunk:
                write_duckdb(chunk, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
        except OSError as exc:
            raise OutputError(f"cannot write the database ({exc.strerror})", path=dest,
                              fix="check the output folder is writable and has free space") from exc
        finally:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
        return count


@dataclass
class BatchReport:
    docs: list[Doc]
    seconds: float
    pages_done: int            # pages OCR'd in this run
    reused: int                # documents skipped because an earlier run finished them
    exit_code: int
    records: int
    executor: str
    slowest: list[tuple[float, str, int]]

    def by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.docs:
            s = d.record["status"] if d.record else "not done"
            counts[s] = counts.get(s, 0) + 1
        return counts


Event = Callable[[str, dict], None]


def run_batch(inputs: Iterable[str | Path], outdir: str | Path, options: OcrOptions, limits: Limits, executor,
              *, retry_failed: bool = False, on_event: Event | None = None, on_page: Callable[[], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> BatchReport:
    """Process every supported file under ``inputs`` into ``outdir`` with ``executor``.

    ``on_event(kind, fields)`` gets the run's events (document skipped,
    started, finished, failed; page failed); ``on_page()`` is called as each page
    comes back and ``on_total(n)`` whenever the estimate of pages to do changes.
    """
    from pipeline.tesseract import check_languages

    started = time.perf_counter()
    emit = on_event or (lambda kind, fields: None)
    check_languages(options.lang)
    pillow_limits(limits)  # the bomb guard applies to the images this process opens too
    outdir = Path(outdir)
    found = discover(inputs, outdir)
    if any(f.path.suffix.lower() == ".pdf" for f in found):
        from pipeline.poppler import check_installed

        check_installed()
    store = Store(outdir)
    settings = settings_hash(options)
    docs = [Doc(f, s, i) for i, (f, s) in enumerate(zip(found, output_stems(found)))]
    emit("run_start", {"documents": len(docs), "outdir": str(outdir), "executor": executor.description,
                       "settings": settings})

    pending = collections.deque(docs)  # not yet opened, in order
    active: list[Doc] = []            # opened, pages still to submit or to come back
    finishing: dict = {}              # finish future -> Doc
    page_of: dict = {}                # page future -> (Doc, page index)
    pages_done = reused = 0
    slowest: list[tuple[float, str, int]] = []   # (seconds, path, page), the SLOWEST slowest of this run
    est = _Estimate(len(docs))
    # A small local pool: workers OCR, this process corrects (see batch_tasks.correct_page).
    # A Dask cluster's workers correct their pages themselves: page data stays on the cluster.
    correct_here = executor.shared_fs and options.correct and executor.slots() <= PARENT_REPAIR_SLOTS
    page_options = dataclasses.replace(options, correct=False) if correct_here else options

    def finalise(doc: Doc, record: dict) -> None:
        store.save(record)
        doc.record = light(record)  # the table rows and page details stay on disk, not in memory
        emit("doc_done" if record["status"] == "ok" else "doc_failed", manifest_entry(record, pages=False))

    def unreadable(doc: Doc, err: SohoaError, **timings) -> None:
        finalise(doc, _record(doc, settings, "failed", 0, err.message, int(err.exit_code), timings=timings))
        est.skip()
        if on_total:
            on_total(est.total())

    def open_next() -> Doc | None:
        nonlocal reused
        while pending:
            doc = pending.popleft()
            t0 = time.perf_counter()
            try:
                doc.sha256 = file_hash(doc.found.path)
            except OSError as exc:
                doc.key = _key("", settings, doc.stem)
                unreadable(doc, InputFileError(f"cannot read ({exc.strerror})", path=doc.found.path,
                                               fix="check the file's permissions"))
                continue
            doc.hash_seconds = time.perf_counter() - t0
            doc.key = _key(doc.sha256, settings, doc.stem)
            old = store.load(doc.key)
            if old is not None and store.outputs_present(old) and \
                    (old["status"] == "ok" or (not retry_failed and old.get("exit_code") in PERMANENT_CODES)
                     or (not retry_failed and old["status"] == "partial")):
                doc.record = light(old)
                reused += 1
                est.skip()
                if on_total:
                    on_total(est.total())
                emit("doc_skipped", {"path": str(doc.found.path), "output": str(doc.stem), "status": old["status"]})
                continue
            doc.started = time.perf_counter()
            try:
                from pipeline.ingest import open_source

                src = open_source(doc.found.path)
            except SohoaError as err:
                unreadable(doc, err, hash_s=round(doc.hash_seconds, 3))
                continue
            except Exception as exc:  # Pillow's bomb guard while counting frames, or a decoder bug
                if "Decompression" in type(exc).__name__:
                    err = InputFileError(f"image is too large to decode safely ({exc})", path=doc.found.path,
                                         fix="raise --max-page-pixels if the scan is genuine")
                else:
                    err = InputFileError(f"cannot be opened ({type(exc).__name__}: {str(exc)[:80]})",
                                         path=doc.found.path, fix="check the file")
                unreadable(doc, err, hash_s=round(doc.hash_seconds, 3))
                continue
            doc.spec = DocSpec(str(src.path), src.kind, src.page_dpis, doc.stem.name, str(doc.found.path))
            if executor.shared_fs:
                doc.results = {n: p for n, p in store.load_pages(doc.key).items() if n <= src.pages}
            doc.todo = [i for i in range(src.pages) if i + 1 not in doc.results]
            est.opened(len(doc.todo))
            if on_total:
                on_total(est.total())
            emit("doc_start", {"path": str(doc.found.path), "output": str(doc.stem), "pages": src.pages,
                               "resumed_pages": len(doc.results)})
            return doc
        return None

    def submit_finish(doc: Doc) -> None:
        # Local: the results, by page; Dask: the futures, so page data moves worker to worker.
        pages = [doc.results[n] for n in sorted(doc.results)] if executor.shared_fs else list(doc.page_futures)
        staging = None if not executor.shared_fs else str(store.tmp / "stage" / doc.key)
        fut = executor.submit(finish_task, doc.spec, pages, options, limits, staging, priority=10)
        finishing[fut] = doc
        doc.page_futures, doc.results = [], {}

    def collect_finish(fut, doc: Doc) -> None:
        try:
            out: DocOut = fut.result()
        except Exception as exc:  # a crashed worker or a bug in a stage: lose this document, not the run
            out = DocOut(doc.spec.stem, error=f"{doc.found.path}: could not be finished "
                                               f"({type(exc).__name__}: {str(exc)[:120]})",
                         exit_code=int(ExitCode.OTHER))
        executor.release(fut)
        dest = outdir / doc.stem.parent
        outputs: list[str] = []
        if out.error is None:
            if out.files:
                outputs = [p.name for p in move_staged(out.files, dest)]
            for name in sorted(out.blobs):
                from pipeline.atomic import write_bytes_atomic

                write_bytes_atomic(dest / name, out.blobs[name])
                outputs.append(name)
            # A table file from an earlier run of a changed document must not outlive it.
            stale = dest / f"{doc.spec.stem}.tables.csv"
            if stale.name not in outputs and stale.exists():
                stale.unlink()
        remove_tree(store.tmp / "stage" / doc.key)
        remove_tree(store.page_dir(doc.key))
        for row in out.records:  # in the collection a document is named by its place in OUTDIR
            row[0] = doc.stem.as_posix()
        failed = [p for p in out.pages if p["error"]]
        if out.error is not None:
            status, error, code = "failed", out.error, out.exit_code
        elif out.stage_error is not None:
            status, error, code = "partial", out.stage_error, out.exit_code
        elif failed:
            status, error, code = "partial", failed[0]["error"], failed[0]["exit_code"]
        else:
            status, error, code = "ok", None, 0
        seconds = time.perf_counter() - doc.started
        words = sum(p["words"] for p in out.pages)
        conf = sum((p["confidence"] or 0) * p["words"] for p in out.pages) / words if words else None
        for p in failed:
            emit("page_failed", {"path": str(doc.found.path), "page": p["page"], "error": p["error"]})
        for p in out.pages:
            slowest.append((p["seconds"], str(doc.found.path), p["page"]))
        slowest.sort(reverse=True)
        del slowest[SLOWEST:]
        finalise(doc, _record(doc, settings, status, len(out.pages), error, code, outputs=sorted(outputs),
                              mean_confidence=round(conf, 2) if conf is not None else None,
                              timings={"hash_s": round(doc.hash_seconds, 3),
                                       "pages_s": round(sum(p["seconds"] for p in out.pages), 3),
                                       "finish_s": round(out.seconds, 3), "wall_s": round(seconds, 3),
                                       **out.timings},
                              page_stats=out.pages, records=out.records))

    try:
        slots = executor.slots()
        while True:
            # Keep the workers fed: pages of the oldest open documents first, opening more as needed.
            while len(page_of) < slots:
                doc = next((d for d in active if d.todo), None)
                if doc is None:
                    doc = open_next()
                    if doc is None:
                        break
                    if doc.todo:
                        active.append(doc)
                    else:  # every page was checkpointed by an interrupted run
                        submit_finish(doc)
                    continue
                i = doc.todo.pop(0)
                doc.waiting += 1
                fut = executor.submit(page_task, doc.spec, i, page_options, limits,
                                      str(store.page_dir(doc.key)) if executor.shared_fs else None,
                                      priority=-doc.index)
                doc.page_futures.append(fut)
                page_of[fut] = (doc, i)
            waiting = list(page_of) + list(finishing)
            if not waiting:
                break
            for fut in executor.wait_any(waiting):
                if fut in finishing:
                    collect_finish(fut, finishing.pop(fut))
                    continue
                doc, i = page_of.pop(fut)
                doc.waiting -= 1
                pages_done += 1
                if executor.shared_fs:
                    page = _local_result(fut, doc, i)
                    if correct_here:
                        page = correct_page(page, doc.spec, limits)
                    doc.results[page.result.number] = page
                    store.save_page(doc.key, page)
                if on_page:
                    on_page()
                if not doc.todo and not doc.waiting:
                    active.remove(doc)
                    submit_finish(doc)
    except BaseException:
        executor.close(cancel=True)
        raise
    executor.close()

    store.write_manifest(docs)
    records = store.write_indicators(docs)
    remove_tree(store.tmp)
    remove_tree(store.state / "pages")  # every document is finished: no page is waiting for a rerun
    store.close()
    code = next((d.record["exit_code"] for d in docs if d.record and d.record["status"] != "ok"), 0)
    report = BatchReport(docs, time.perf_counter() - started, pages_done, reused, int(code), records,
                         executor.description, slowest)
    emit("run_end", {"documents": len(docs), **report.by_status(), "reused": reused, "pages": pages_done,
                     "records": records, "seconds": round(report.seconds, 3), "exit_code": report.exit_code})
    return report


def _local_result(fut, doc: Doc, index: int):
    """A local page future's result; a worker that crashed costs this page, a dead pool ends the run."""
    from concurrent.futures.process import BrokenProcessPool

    from pipeline.batch_tasks import PageOut
    from pipeline.errors import ExternalProgramError
    from pipeline.page import PageResult

    try:
        return fut.result()
    except BrokenProcessPool as exc:
        raise ExternalProgramError("a worker process died (out of memory, or killed)", path=doc.found.path,
                                   fix="rerun the same command to resume; lower --jobs if memory is short") from exc
    except Exception as exc:
        return PageOut(PageResult(number=index + 1, error=f"{doc.found.path}: worker failed "
                                                      f"({type(exc).__name__}: {str(exc)[:120]})",
                                  exit_code=int(ExitCode.OTHER)))


class _Estimate:
    """Pages still to do: known for opened documents, the running mean for the rest."""

    def __init__(self, docs: int):
        self.unopened = docs
        self.known = 0
        self.opened_docs = 0

    def opened(self, pages: int) -> None:
        self.unopened -= 1
        self.opened_docs += 1
        self.known += pages

    def skip(self) -> None:
        self.unopened -= 1

    def total(self) -> int:
        mean = self.known / self.opened_docs if self.opened_docs else 1
        return self.known + round(self.unopened * mean)


def light(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("records", "page_stats")} | \
        {"records": len(record.get("records", []))}


def manifest_entry(record: dict, pages: bool = True) -> dict:
    """The manifest line of a document record: everything but its table rows (counted instead)."""
    out = {k: v for k, v in record.items() if k not in ("records", "key", "page_stats")}
    out["records"] = len(record["records"]) if isinstance(record.get("records"), list) else record.get("records", 0)
    if pages:
        out["page_stats"] = record.get("page_stats", [])
    return out


def _key(sha256: str, settings: str, stem: Path) -> str:
    return hashlib.sha256(f"{sha256}\0{settings}\0{stem.as_posix()}".encode()).hexdigest()[:32]


def _record(doc: Doc, settings: str, status: str, pages: int, error: str | None, exit_code: int, *,
            outputs: list[str] | None = None, mean_confidence: float | None = None, timings: dict | None = None,
            page_stats: list | None = None, records: list | None = None) -> dict:
    return {"path": str(doc.found.path), "output": doc.stem.as_posix(), "sha256": doc.sha256,
            "settings": settings, "key": doc.key, "pages": pages, "status": status, "error": error,
            "exit_code": exit_code, "seconds": (timings or {}).get("wall_s", 0.0),
            "timings": timings or {}, "mean_confidence": mean_confidence,
            "records": records or [], "outputs": outputs or [], "page_stats": page_stats or []}
