"""Open inputs and hand out their pages one at a time.

A PDF is checked once with pikepdf (corrupt, encrypted, empty) and then
rasterised page by page with poppler (``pdftoppm -f N -l N``, pipeline.poppler),
so a 500-page report never sits in memory. Images are read with Pillow; a
multi-page TIFF is read frame by frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CorruptPdfError, EmptyInputError, EncryptedPdfError, InputFileError, UnreadableImageError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".jp2", ".pnm", ".pgm", ".ppm"}
# Rasterising a scan above its own resolution only invents pixels; below ~100 DPI it loses strokes.
MIN_RENDER_DPI, MAX_RENDER_DPI, DEFAULT_DPI = 100, 600, 300
A4_LONG_INCH = 11.69
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str                    # "pdf" or "image"
    page_dpis: tuple[int, ...]   # native resolution of each page (estimated when not recorded)

    @property
    def pages(self) -> int:
        return len(self.page_dpis)


def open_source(path: str | Path) -> Source:
    """Validate an input and count its pages; raises a typed ``SohoaError`` naming the file."""
    path = Path(path)
    if not path.exists():
        raise InputFileError("no such file", path=path, fix="check the path")
    if path.is_dir():
        raise InputFileError("is a folder, not a file", path=path, fix="pass the files inside it")
    if path.stat().st_size == 0:
        raise EmptyInputError("file is empty (0 bytes)", path=path, fix="re-export or re-scan the document")
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if path.suffix.lower() == ".pdf" or head.startswith(b"%PDF"):
        return _open_pdf(path, head)
    return _open_image(path)


def _open_pdf(path: Path, head: bytes) -> Source:
    import pikepdf

    if b"%PDF" not in head:
        raise CorruptPdfError("not a PDF (no %PDF header)", path=path, fix="re-export the scan as PDF")
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise EncryptedPdfError("PDF is encrypted", path=path,
                                        fix="save an unencrypted copy (e.g. qpdf --decrypt in.pdf out.pdf) and retry")
            n = len(pdf.pages)
            if n == 0:
                raise EmptyInputError("PDF has no pages", path=path, fix="re-export the document")
            dpis = tuple(_page_dpi(page) for page in pdf.pages)
    except pikepdf.PasswordError as exc:
        raise EncryptedPdfError("PDF is password-protected", path=path,
                                fix="save an unencrypted copy (e.g. qpdf --password=… --decrypt) and retry") from exc
    except pikepdf.PdfError as exc:
        raise CorruptPdfError(f"PDF is damaged ({str(exc).splitlines()[0][:80]})", path=path,
                              fix="re-export the scan, or repair it with qpdf in.pdf out.pdf") from exc
    return Source(path, "pdf", dpis)


def _page_dpi(page) -> int:
    """Resolution of the page's largest image, i.e. of the scan behind it."""
    try:
        box = [float(v) for v in page.mediabox]
        width_in = abs(box[2] - box[0]) / 72.0
        best = 0
        images = page.get_images() if hasattr(page, "get_images") else page.images
        for img in images.values():
            best = max(best, int(img.get("/Width", 0)))
        if best and width_in > 0:
            return int(min(MAX_RENDER_DPI, max(MIN_RENDER_DPI, round(best / width_in))))
    except Exception:  # odd page dictionaries: fall back rather than refuse the page
        pass
    return DEFAULT_DPI


def _open_image(path: Path) -> Source:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1)
            dpis = []
            for i in range(frames):
                im.seek(i)
                dpis.append(_image_dpi(im))
            im.seek(0)
            # Truncated files fail here rather than in a worker. A PNG's chunk checksums tell
            # without inflating the pixels (decoding every page twice cost ~5 % of a page's OCR).
            if im.format == "PNG" and frames == 1:
                im.verify()
            else:
                im.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImageError(f"cannot read as an image ({type(exc).__name__})", path=path,
                                   fix="check the file is a PNG, JPEG or TIFF scan and not truncated") from exc
    return Source(path, "image", tuple(dpis))


def _image_dpi(im) -> int:
    dpi = im.info.get("dpi")
    if dpi and dpi[0] and dpi[0] > 1:
        d = float(dpi[0])
        # Many scanners write 72 or 96 by default; trust it only if it gives a plausible page size.
        if 4.0 <= max(im.size) / d <= 20.0:
            return int(round(d))
    # No usable record: assume the long side is an A4 page.
    return int(min(MAX_RENDER_DPI * 2, max(50, round(max(im.size) / A4_LONG_INCH))))


def load_page(source: Source, index: int, *, max_dpi: int | None = None, target_dpi: int = DEFAULT_DPI):
    """Page ``index`` (0-based) as a PIL image plus its resolution in DPI.

    A PDF page scanned above ``max_dpi`` is rendered straight at ``target_dpi``:
    poppler scales down far faster than rendering everything and resampling.
    """
    dpi = source.page_dpis[index]
    if source.kind == "pdf":
        if max_dpi is not None and dpi > max_dpi:
            dpi = target_dpi
        from pipeline.poppler import render_page

        return render_page(source.path, index, dpi), dpi
    from PIL import Image

    try:
        with Image.open(source.path) as im:
            im.seek(index)
            im.load()
            return im.copy(), dpi
    except (OSError, ValueError, EOFError) as exc:
        raise UnreadableImageError(f"frame {index + 1} cannot be decoded", path=source.path,
                                   fix="check the file is not truncated") from exc


def load_gray(source: Source, index: int, *, max_dpi: int | None = None, target_dpi: int = DEFAULT_DPI):
    """Page ``index`` (0-based) as the 8-bit grey array the OCR reads, plus its resolution.

    The same pixels as ``pipeline.preprocess.to_gray(load_page(...)[0])``. A one-page
    8-bit grey PNG (a common scan export, and every OCR bench page) is decoded by
    OpenCV straight into the array: going through Pillow costs two more full-page
    copies, ~20 ms of the ~0.2 CPU-s our own code spends on a page.
    """
    if source.kind == "image" and source.pages == 1:
        gray = _grey_png(source.path)
        if gray is not None:
            return gray, source.page_dpis[index]
    from pipeline.preprocess import to_gray

    image, dpi = load_page(source, index, max_dpi=max_dpi, target_dpi=target_dpi)
    return to_gray(image), dpi


def _grey_png(path: Path):
    """The pixels of an 8-bit greyscale PNG, or None for any other file (Pillow reads those).

    PNG is lossless and such a file has no colour, palette, alpha or bit depth to
    convert, so OpenCV's pixels are Pillow's; anything OpenCV does not return as one
    8-bit channel (or cannot read) takes Pillow's path and its error messages.
    """
    import cv2
    import numpy as np

    try:
        with open(path, "rb") as fh:
            head = fh.read(33)
            # IHDR is the first chunk: bytes 24 and 25 are the bit depth and the colour type (0 = grey).
            if len(head) < 33 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR" \
                    or head[24] != 8 or head[25] != 0:
                return None
            fh.seek(0)
            data = np.fromfile(fh, dtype=np.uint8)
    except OSError:
        return None
    gray = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)  # UNCHANGED: no EXIF turn, as Pillow
    if gray is None or gray.ndim != 2 or gray.dtype != np.uint8:
        return None
    return gray
