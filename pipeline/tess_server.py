"""A long-lived Tesseract: libtesseract's C API behind a pipe, one page at a time.

Started by ``pipeline.tesseract.Engine`` as ``python -I -S tess_server.py LANG``
(stdlib only, so it starts in a few milliseconds). Running the ``tesseract``
program once per page loads the language model every time (~0.07 CPU-s) and
passes the page and the results through files; this process loads the model
once and recognises every page its worker sends. It is the same library the
``tesseract`` program calls, with the same settings, so the words, boxes and
confidences are identical.

It is a process of its own rather than a library call inside the worker so a
crash or a hang inside Tesseract costs one page, not the worker and every page
queued on it: the client sees the pipe close (or its deadline pass), reports
the page, kills this process and starts another.

Protocol (binary pipe, one request at a time):
  start-up  server -> ``{"ready": true}`` or ``{"ready": false, "error": ...}``, one JSON line
  request   client -> one JSON line ``{"w", "h", "dpi", "psm", "pdf", "vars"}``, then w*h bytes of 8-bit gray
  reply     server -> one JSON line ``{"ok": true, "tsv": N, "txt": M}``, then N + M bytes of UTF-8,
            or ``{"ok": false, "error": ...}``
``pdf`` is an output base path ('' for none): the text-only page PDF goes to ``pdf + ".pdf"``;
``vars`` (optional) are Tesseract variables set for that page only (the program's ``-c``).
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

# What ``tesseract IMG OUT tsv`` writes before the page's rows.
TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\t"
              "conf\ttext\n")
LIBRARY = "libtesseract.so.5"


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Linux: this process is SIGKILLed when its parent dies, even by SIGKILL (elsewhere: nothing).

    A killed worker takes its Tesseract with it instead of leaving it mid-page (off Linux
    the closed pipe ends it after the page); ``pipeline.executors`` uses it for workers too.
    """
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _bind(lib) -> None:
    P, C, I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    text = ctypes.POINTER(ctypes.c_char)
    sigs = {
        "TessBaseAPICreate": ([], P),
        "TessBaseAPIInit3": ([P, C, C], I),
        "TessBaseAPISetVariable": ([P, C, C], I),
        "TessBaseAPIGetStringVariable": ([P, C], C),
        "TessBaseAPISetPageSegMode": ([P, I], None),
        "TessBaseAPISetImage": ([P, C, I, I, I, I], None),
        "TessBaseAPIRecognize": ([P, P], I),
        "TessBaseAPIGetUTF8Text": ([P], text),
        "TessBaseAPIGetDatapath": ([P], C),
        "TessBaseAPIClear": ([P], None),
        "TessBaseAPIEnd": ([P], None),
        "TessBaseAPIDelete": ([P], None),
        "TessDeleteText": ([text], None),
        "TessBaseAPIGetIterator": ([P], P),
        "TessResultIteratorGetPageIterator": ([P], P),
        "TessPageIteratorIsAtBeginningOf": ([P, I], I),
        "TessPageIteratorBoundingBox": ([P, I] + [ctypes.POINTER(I)] * 4, I),
        "TessResultIteratorConfidence": ([P, I], ctypes.c_float),
        "TessResultIteratorGetUTF8Text": ([P, I], text),
        "TessResultIteratorNext": ([P, I], I),
        "TessResultIteratorDelete": ([P], None),
        "TessPDFRendererCreate": ([C, C, I], P),
        "TessResultRendererBeginDocument": ([P, C], I),
        "TessResultRendererAddImage": ([P, P], I),
        "TessResultRendererEndDocument": ([P], I),
        "TessDeleteResultRenderer": ([P], None),
    }
    for name, (args, res) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res


def _take(lib, ptr) -> bytes:
    if not ptr:
        return b""
    try:
        return ctypes.string_at(ptr)
    finally:
        lib.TessDeleteText(ptr)


def _send(out, head: dict, *payload: bytes) -> None:
    out.write(json.dumps(head).encode() + b"\n")
    for p in payload:
        out.write(p)
    out.flush()


def _page(lib, api, req: dict, image: bytes) -> tuple[bytes, bytes]:
    lib.TessBaseAPISetPageSegMode(api, int(req["psm"]))
    # What the program's --dpi sets; the raw image carries no resolution of its own.
    lib.TessBaseAPISetVariable(api, b"user_defined_dpi", str(int(req["dpi"])).encode())
    w, h = int(req["w"]), int(req["h"])
    lib.TessBaseAPISetImage(api, image, w, h, 1, w)
    saved = {}
    try:
        # the program's -c NAME=VALUE, for this page only (string variables: what is read
        # back to restore is their string value); inside the try, so a page that fails on
        # an unknown one leaves the engine as it was
        for name, value in req.get("vars", {}).items():
            saved[name] = lib.TessBaseAPIGetStringVariable(api, name.encode()) or b""
            if not lib.TessBaseAPISetVariable(api, name.encode(), value.encode()):
                raise RuntimeError(f"unknown Tesseract variable {name}")
        if lib.TessBaseAPIRecognize(api, None) != 0:
            raise RuntimeError("recognition failed")
        tsv = _word_rows(lib, api)
        txt = _take(lib, lib.TessBaseAPIGetUTF8Text(api))
        if req.get("pdf"):
            _pdf(lib, api, req["pdf"])
        return tsv, txt
    finally:
        lib.TessBaseAPIClear(api)
        for name, value in saved.items():
            lib.TessBaseAPISetVariable(api, name.encode(), value)


RIL_BLOCK, RIL_PARA, RIL_TEXTLINE, RIL_WORD = 0, 1, 2, 3


def _word_rows(lib, api) -> bytes:
    """The program's TSV, word rows only (level 5), numbered and formatted as it does.

    The TSV renderer walks the page symbol by symbol and adds a box row for
    every block, paragraph and line: half the cost of this walk (~0.07 against
    ~0.035 CPU-s a page), for rows nothing downstream reads.
    """
    it = lib.TessBaseAPIGetIterator(api)
    if not it:
        return TSV_HEADER.encode()
    page = lib.TessResultIteratorGetPageIterator(it)
    left, top, right, bottom = (ctypes.c_int() for _ in range(4))
    block = para = line = word = 0
    rows = [TSV_HEADER]
    try:
        while True:
            text = lib.TessResultIteratorGetUTF8Text(it, RIL_WORD)  # NULL where the program skips
            if text:
                if lib.TessPageIteratorIsAtBeginningOf(page, RIL_BLOCK):
                    block, para, line, word = block + 1, 0, 0, 0
                if lib.TessPageIteratorIsAtBeginningOf(page, RIL_PARA):
                    para, line, word = para + 1, 0, 0
                if lib.TessPageIteratorIsAtBeginningOf(page, RIL_TEXTLINE):
                    line, word = line + 1, 0
                word += 1
                lib.TessPageIteratorBoundingBox(page, RIL_WORD, left, top, right, bottom)
                conf = lib.TessResultIteratorConfidence(it, RIL_WORD)
                # f"{conf:f}" is C++'s std::to_string(float), as the program prints it.
                rows.append(f"5\t1\t{block}\t{para}\t{line}\t{word}\t{left.value}\t{top.value}\t"
                            f"{right.value - left.value}\t{bottom.value - top.value}\t{conf:f}\t"
                            f"{_take(lib, text).decode('utf-8')}\n")
            if not lib.TessResultIteratorNext(it, RIL_WORD):
                break
    finally:
        lib.TessResultIteratorDelete(it)
    return "".join(rows).encode("utf-8")


def _pdf(lib, api, outbase: str) -> None:
    """The text-only page PDF the program writes for ``-c textonly_pdf=1 … pdf``."""
    renderer = lib.TessPDFRendererCreate(outbase.encode(), lib.TessBaseAPIGetDatapath(api), 1)
    if not renderer:
        raise RuntimeError("cannot start the PDF renderer")
    try:
        ok = (lib.TessResultRendererBeginDocument(renderer, b"") and lib.TessResultRendererAddImage(renderer, api)
              and lib.TessResultRendererEndDocument(renderer))
    finally:
        lib.TessDeleteResultRenderer(renderer)
    if not ok:
        raise RuntimeError(f"cannot write {outbase}.pdf")


def serve(lang: str) -> int:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    die_with_parent()
    try:
        lib = ctypes.CDLL(LIBRARY)
        _bind(lib)
    except (OSError, AttributeError) as exc:
        _send(out, {"ready": False, "error": f"cannot load {LIBRARY} ({exc})"})
        return 1
    api = lib.TessBaseAPICreate()
    if lib.TessBaseAPIInit3(api, None, lang.encode()) != 0:
        _send(out, {"ready": False, "error": f"cannot load the Tesseract language '{lang}'"})
        return 1
    # Tesseract's progress chatter ("Detected 182 diacritics") has no reader here.
    lib.TessBaseAPISetVariable(api, b"debug_file", os.devnull.encode())
    _send(out, {"ready": True})
    while True:
        line = inp.readline()
        if not line:  # the worker closed the pipe (or died): done
            break
        req = json.loads(line)
        size = int(req["w"]) * int(req["h"])
        image = inp.read(size)
        if len(image) != size:
            break
        try:
            tsv, txt = _page(lib, api, req, image)
        except RuntimeError as exc:
            _send(out, {"ok": False, "error": str(exc)})
            continue
        _send(out, {"ok": True, "tsv": len(tsv), "txt": len(txt)}, tsv, txt)
    lib.TessBaseAPIEnd(api)
    lib.TessBaseAPIDelete(api)
    return 0


if __name__ == "__main__":
    os.environ["OMP_THREAD_LIMIT"] = "1"  # before the library (and its OpenMP) loads
    sys.exit(serve(sys.argv[1]))
