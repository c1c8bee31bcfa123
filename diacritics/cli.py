"""``sohoa restore``: put diacritics back on stripped Vietnamese text."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

HELP = "restore Vietnamese diacritics in text files (or stdin) that lost their tone marks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="UTF-8 text files; none or '-' reads standard input")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="output file (one input) or folder (several inputs; each keeps its "
                             "name); default or '-': standard output")
    parser.add_argument("--style", choices=("new", "old"), default="new",
                        help="tone placement of restored words: new = hòa, khỏe, thủy (default); "
                             "old = hoà, khoẻ, thuỷ")
    parser.add_argument("--mode", choices=("auto", "stripped", "garbled", "ocr"), default="auto",
                        help="auto = decide per line whether text is clean, stripped or garbled "
                             "(default; in clean lines only what is no word is mended: Luậi → "
                             "Luật); stripped = restore marks only; garbled = repair "
                             "wrong-language OCR (Chwong → Chương); ocr = post-correct our own "
                             "Tesseract output")
    parser.add_argument("--encoding", default="utf-8", metavar="NAME",
                        help="how the files are encoded: utf-8 (default; UTF-16 with a byte-order "
                             "mark is read too), legacy (8-bit Vietnamese of the pre-Unicode "
                             "fonts and code pages: TCVN3/.VnTime, VNI, Windows-1258, VISCII; read "
                             "byte for byte and decoded by the repair), or a Python codec name "
                             "(cp1258, cp1252, cp437 …)")
    parser.add_argument("--review", metavar="FILE.tsv",
                        help="also write the changes the model was unsure of (file, line, column, "
                             "before, after, confidence, reason), and the garbled words it left "
                             "as they were (reason 'kept'), to this TSV file")


def text_transform(args: argparse.Namespace) -> Callable[[str], str]:
    """The function applied to each input text; built once, so the model loads once.

    Its ``last_changes`` holds the low-confidence changes of the latest call
    (what ``--review`` lists).
    """
    from diacritics.repair import DOCUMENT_BLOCK_CHARS, repair_document
    style, mode = args.style, getattr(args, "mode", "auto")

    def transform(text: str) -> str:
        from tqdm import tqdm
        # a text repaired in blocks takes minutes: show how far it is (on a terminal only)
        with tqdm(total=len(text), unit="char", unit_scale=True, file=sys.stderr, desc="sohoa restore",
                  disable=True if len(text) <= DOCUMENT_BLOCK_CHARS else None) as bar:
            res = repair_document(text, mode=mode, style=style, progress=bar.update)
        transform.last_changes = res.review()
        return res.text

    transform.last_changes = []
    return transform


LEGACY = "legacy"


def read_text(path: str, encoding: str = "utf-8") -> str:
    """Read a UTF-8 file, or UTF-16 with its byte-order mark ('-' = stdin), raising the typed
    error a user can act on; or, with ``encoding``, a file in that codec, or (``legacy``) an
    8-bit file whose bytes the repair decodes (TCVN3, VNI, Windows-1258, VISCII)."""
    from pipeline.errors import InputFileError, NotUtf8Error
    name = "<stdin>" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise InputFileError("no such file", path=name, fix="check the path") from exc
    except IsADirectoryError as exc:
        raise InputFileError("is a folder, not a text file", path=name,
                             fix="pass the text files inside it") from exc
    except OSError as exc:
        raise InputFileError(f"cannot read ({exc.strerror})", path=name,
                             fix="check the file exists and is readable") from exc
    import codecs
    if encoding == LEGACY:
        from diacritics.repair_encoding import windows_1252_text
        return windows_1252_text(data)
    if codecs.lookup(encoding).name != "utf-8":
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise NotUtf8Error(f"not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                               path=name, fix="check the encoding, or try --encoding legacy") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Windows' "Unicode" text (Notepad, Word, Excel exports): the mark says so unambiguously
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise NotUtf8Error("starts with a UTF-16 byte-order mark but is not UTF-16 text",
                               path=name, fix="check the file is not truncated or mixed") from exc
    try:
        return data.decode("utf-8-sig")   # a UTF-8 byte-order mark is no part of the text
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                           path=name, fix="a pre-Unicode Vietnamese file (TCVN3/.VnTime, VNI, "
                           "Windows-1258, VISCII) reads with --encoding legacy; otherwise convert it to "
                           "UTF-8 first, e.g. `iconv -f WINDOWS-1258 -t UTF-8 FILE`") from exc


def run(args: argparse.Namespace) -> int:
    from pipeline.atomic import write_text_atomic
    from pipeline.errors import BadArgsError, ExitCode, SohoaError

    files = args.files or ["-"]
    if args.output == "-":
        args.output = None   # the Unix convention: '-o -' is standard output, not a file named '-'
    if files.count("-") > 1:
        raise BadArgsError("standard input ('-') can be read only once")
    out_dir = None
    if args.output and len(files) > 1:
        out_dir = Path(args.output)
        if out_dir.exists() and not out_dir.is_dir():
            raise BadArgsError(f"{out_dir} is a file, but several inputs need an output folder",
                               fix="pass a folder to -o, or one input file")
    if args.encoding != LEGACY:
        import codecs
        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise BadArgsError(f"unknown encoding {args.encoding!r}",
                               fix="use utf-8, legacy or a Python codec name such as cp1258") from None
    transform = text_transform(args)
    status = ExitCode.OK
    review = ["file\tline\tcol\tbefore\tafter\tconfidence\treason"]
    for path in files:
        try:
            result = transform(read_text(path, args.encoding))
        except SohoaError as err:
            print(f"sohoa: {err.message}", file=sys.stderr)
            status = max(status, err.exit_code)
            continue
        review += [f"{path}\t{c.tsv()}" for c in getattr(transform, "last_changes", [])]
        if out_dir is not None:
            name = "stdin.txt" if path == "-" else Path(path).name
            write_text_atomic(out_dir / name, result)
        elif args.output:
            write_text_atomic(args.output, result)
        else:
            sys.stdout.buffer.write(result.encode("utf-8"))
            sys.stdout.flush()
    if getattr(args, "review", None):
        write_text_atomic(args.review, "\n".join(review) + "\n")
    return int(status)
