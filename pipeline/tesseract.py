"""Thin wrapper around Tesseract: a long-lived engine process, or the ``tesseract`` program.

One recognition pass per page produces every output we need at once (TSV
word boxes, Tesseract's own text, a one-page PDF with an invisible text
layer), so the page is never recognised twice for the outputs. Tesseract is
always run single-threaded: parallelism comes from our page workers, and
OpenMP threads inside each worker only fight over the same cores.

``recognise_gray`` sends pages to an ``Engine`` (``pipeline.tess_server``: the
same libtesseract the program uses, with the model loaded once per worker
instead of once per page) and falls back to the program when the library
cannot be loaded.
"""
from __future__ import annotations

import functools
import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from multiprocessing import util as mp_util
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
    tsv: str          # Tesseract's TSV: its word rows (level 5); the program also writes layout rows
    text: str         # Tesseract's own plain text
    pdf: Path | None  # one-page PDF holding only the invisible text layer


def _run(args: list[str], *, timeout: float, what: str, page: str,
         stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(args, input=stdin, capture_output=True, env=_env(), timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise _timed_out(what, timeout, page) from exc
    except FileNotFoundError as exc:
        raise MissingDependencyError("tesseract is not installed", fix=INSTALL_FIX.format(lang="vie")) from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise _page_failed(f"{what} failed (exit {proc.returncode}: {tail[0]})", page)
    return proc


def _source(image: Path | bytes) -> tuple[str, bytes | None]:
    """Tesseract's image argument: a file, or ``stdin`` fed with an encoded image (PGM/PNG)."""
    return ("stdin", image) if isinstance(image, bytes) else (str(image), None)


def encode_pgm(image) -> bytes:
    """An 8-bit grey page as PGM bytes, for the program: no compression to spend time on."""
    import cv2

    ok, buf = cv2.imencode(".pgm", image)
    if not ok:
        raise ExternalProgramError("could not encode the page image for Tesseract")
    return buf.tobytes()


def recognise_gray(image, outbase: Path, *, lang: str, psm: int, dpi: int, timeout: float,
                   pdf: bool = True, page: str = "") -> Recognition:
    """OCR one 8-bit grayscale page (a C-contiguous numpy array) with this thread's engine.

    The program is the fallback when the engine cannot start (no shared library);
    a page the engine fails on (crash, hang) is reported like the program's failures.
    """
    engine = _engine(lang)
    if engine is None:
        src = Path(outbase).with_name(Path(outbase).name + ".in.pgm")
        # A scratch file, not stdin: the program reads stdin slowly (~0.15 CPU-s a page).
        try:
            src.write_bytes(encode_pgm(image))
        except OSError as exc:
            raise ExternalProgramError(f"cannot write the page image for Tesseract ({exc.strerror})", path=src,
                                       fix="free space in the temporary folder (TMPDIR)") from exc
        try:
            return recognise(src, outbase, lang=lang, psm=psm, dpi=dpi, timeout=timeout, pdf=pdf, page=page)
        finally:
            src.unlink(missing_ok=True)
    tsv, text = engine.recognise(image, dpi=dpi, psm=psm, timeout=timeout, pdf_base=str(outbase) if pdf else "",
                                 page=page)
    return Recognition(tsv=tsv, text=text, pdf=_output(outbase, "pdf") if pdf else None)


def _output(outbase: Path, ext: str) -> Path:
    """The file Tesseract writes for ``outbase``: the extension is appended, never swapped in
    (``report.v2-p1`` → ``report.v2-p1.pdf``, where ``with_suffix`` would say ``report.pdf``)."""
    return Path(f"{outbase}.{ext}")


def recognise_words(image, *, lang: str, psm: int, dpi: int, timeout: float,
                    variables: dict[str, str] | None = None, page: str = "") -> str | None:
    """TSV word rows of a C-contiguous 8-bit gray image from this thread's engine.

    None when no engine can start here: the caller runs the program instead.
    """
    engine = _engine(lang)
    if engine is None:
        return None
    return engine.recognise(image, dpi=dpi, psm=psm, timeout=timeout, variables=variables, page=page)[0]


class Engine:
    """One ``pipeline.tess_server`` process: a loaded model waiting for pages.

    Not thread-safe: each thread gets its own (``_engine``). A page that
    crashes or outlives its timeout kills the process; the next page starts a
    fresh one.
    """

    START_TIMEOUT = 60.0
    SERVER = Path(__file__).with_name("tess_server.py")

    def __init__(self, lang: str):
        self.lang = lang
        self._proc: subprocess.Popen | None = None
        self._buf = bytearray()

    def _start(self) -> None:
        # -I -S: the server needs only the standard library, so it starts in milliseconds.
        self._proc = subprocess.Popen([sys.executable, "-I", "-S", str(self.SERVER), self.lang],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      env=_env())
        self._buf.clear()
        try:
            head = self._read_head(time.monotonic() + self.START_TIMEOUT, "tesseract engine", self.START_TIMEOUT)
        except ExternalProgramError as exc:
            self.close(kill=True)
            raise EngineUnavailable(exc.what) from exc
        if not head.get("ready"):
            self.close()
            raise EngineUnavailable(head.get("error", "the Tesseract engine did not start"))

    def recognise(self, image, *, dpi: int, psm: int, timeout: float, pdf_base: str = "",
                  variables: dict[str, str] | None = None, page: str = "") -> tuple[str, str]:
        """(TSV word rows, text) of a C-contiguous 8-bit gray image; ``variables`` as the program's ``-c``."""
        if self._proc is not None and self._proc.poll() is not None:
            self.close()  # died between pages (e.g. the out-of-memory killer): start another
        if self._proc is None:
            try:
                self._start()
            except EngineUnavailable as exc:  # a restart after a crash failed: this page is lost
                raise ExternalProgramError(f"the Tesseract engine could not start again ({exc})", path=page,
                                           fix="check memory and the Tesseract install; rerun to retry") from exc
        h, w = image.shape[:2]
        req = json.dumps({"w": w, "h": h, "dpi": dpi, "psm": psm, "pdf": pdf_base,
                          "vars": variables or {}}).encode() + b"\n"
        deadline = time.monotonic() + timeout
        try:
            self._proc.stdin.write(req)
            self._proc.stdin.write(memoryview(image).cast("B"))
            self._proc.stdin.flush()
            head = self._read_head(deadline, page, timeout)
            if not head.get("ok"):
                raise _page_failed(f"tesseract failed ({head.get('error', 'no message')})", page)
            body = self._read(head["tsv"] + head["txt"], deadline, page, timeout)
        except BrokenPipeError as exc:  # it died before taking the page
            self.close(kill=True)
            raise _page_failed("tesseract crashed", page) from exc
        except BaseException:
            # Whatever interrupted the page (its timeout, a crash, Ctrl-C) leaves the
            # server mid-page: it cannot serve the next one.
            self.close(kill=True)
            raise
        return body[:head["tsv"]].decode("utf-8"), body[head["tsv"]:].decode("utf-8")

    def _read_head(self, deadline: float, page: str, timeout: float) -> dict:
        while b"\n" not in self._buf:
            self._fill(deadline, page, timeout)
        line, _, rest = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(rest)
        return json.loads(line)

    def _read(self, n: int, deadline: float, page: str, timeout: float) -> bytes:
        while len(self._buf) < n:
            self._fill(deadline, page, timeout)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def _fill(self, deadline: float, page: str, timeout: float) -> None:
        fd = self._proc.stdout.fileno()
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise _timed_out("tesseract", timeout, page)
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise _page_failed(f"tesseract crashed (exit {self._proc.wait()})", page)
        self._buf += chunk

    def close(self, kill: bool = False) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if kill:
            proc.kill()
        else:
            proc.stdin.close()  # the server's cue to finish
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for f in (proc.stdin, proc.stdout):
            if f is not None and not f.closed:
                f.close()


def engines_cpu_seconds() -> float:
    """CPU seconds spent so far by this process's running engines (Linux; 0 elsewhere).

    For measurements taken inside one process: an engine is a child that has not
    exited yet, so ``getrusage(RUSAGE_CHILDREN)`` does not count it until it does.
    """
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for engine in list(_running):
        proc = engine._proc
        if proc is None:
            continue
        try:
            stat = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(stat[11]) + int(stat[12])) / ticks  # utime, stime (fields 14, 15)
    return total


def _page_failed(what: str, page: str) -> ExternalProgramError:
    return ExternalProgramError(what, path=page, fix="check the page image; other pages were still processed")


def _timed_out(what: str, timeout: float, page: str) -> ExternalProgramError:
    return ExternalProgramError(f"{what} timed out after {timeout:g} s", path=page,
                                fix="raise --page-timeout or check the page image")


class EngineUnavailable(RuntimeError):
    """libtesseract cannot be loaded here: use the program."""


_engines = threading.local()   # lang -> Engine, per thread (Dask runs pages in threads)
_running: "weakref.WeakSet[Engine]" = weakref.WeakSet()  # every engine of this process, all threads
_unavailable: set[str] = set()  # languages whose engine failed to start in this process


def _engine(lang: str) -> Engine | None:
    """This thread's engine for ``lang``, started on first use; None when it cannot start."""
    if lang in _unavailable or os.environ.get("SOHOA_TESSERACT") == "program":
        return None
    engines = getattr(_engines, "by_lang", None)
    if engines is None:
        engines = _engines.by_lang = {}
    engine = engines.get(lang)
    if engine is None:
        engine = Engine(lang)
        try:
            engine._start()
        except EngineUnavailable:
            _unavailable.add(lang)
            return None
        engines[lang] = engine
        _running.add(engine)
        # multiprocessing runs these at exit in pool workers too (atexit does not): the
        # server is waited for, so its CPU time counts in the worker's (and the run's).
        mp_util.Finalize(engine, engine.close, exitpriority=10)
    return engine


def recognise(image: Path | bytes, outbase: Path, *, lang: str, psm: int, dpi: int, timeout: float,
              pdf: bool = True, page: str = "") -> Recognition:
    """OCR one page image; ``outbase`` is where Tesseract writes ``.tsv``/``.txt``/``.pdf``."""
    # textonly_pdf: we lay the text over our own compressed page image (pipeline.page).
    renderers = ["-c", "textonly_pdf=1", "tsv", "txt", "pdf"] if pdf else ["tsv", "txt"]
    arg, stdin = _source(image)
    _run(["tesseract", arg, str(outbase), "-l", lang, "--psm", str(psm), "--dpi", str(dpi),
          *renderers], timeout=timeout, what="tesseract", page=page or arg, stdin=stdin)
    tsv = _output(outbase, "tsv").read_text(encoding="utf-8")
    text = _output(outbase, "txt").read_text(encoding="utf-8")
    return Recognition(tsv=tsv, text=text, pdf=_output(outbase, "pdf") if pdf else None)


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
