"""One page: image in, words/lines/text (and a one-page searchable PDF) out.

``ocr_page`` is the unit of work the pool runs and the building block for
batch runners: it needs nothing but a PIL image (or the 8-bit grey array
pipeline.ingest.load_gray gives), its resolution, the options and a scratch
folder, and it never raises for a bad page; the failure is recorded on the
returned ``PageResult`` instead.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline import preprocess
from pipeline.correct import correct_page_text
from pipeline.errors import ExitCode, ExternalProgramError, SohoaError
from pipeline.layout import Line, apply_final, page_text, parse_tsv, reading_order
from pipeline.specks import find_specks
from pipeline.options import OcrOptions
from pipeline.tesseract import Recognition, detect_orientation, encode_pgm, recognise_gray

# Below this mean word confidence a page may be sideways or upside down, so we
# ask Tesseract's orientation detector; upright pages skip that ~1 s check.
ORIENTATION_CHECK_CONF = 75.0
ORIENTATION_MIN_CONF = 1.5   # OSD confidence needed before we turn a page
# preprocess.upright_ratio: upright text pages measure 0.9-3, upside-down ones under 0.4.
UPSIDE_DOWN_RATIO = 0.5
SPECKLE_PER_MP = 100.0       # clean scans measure ~0, photocopies and faxes 1000+
JPEG_QUALITY = 75            # page images in STEM.pdf


@dataclass
class PageResult:
    number: int                     # 1-based within its document
    width: int = 0                  # of the processed page image, pixels
    height: int = 0
    dpi: int = 0
    lines: list[Line] = field(default_factory=list)   # reading order
    raw_text: str = ""              # Tesseract's own text for the page
    text: str = ""                  # the lines in reading order, before correction
    final_text: str = ""            # after pipeline.correct.correct_page_text
    rotation: int = 0               # degrees clockwise the page was turned to be upright
    skew: float = 0.0               # degrees counter-clockwise applied to level the lines
    levelled: bool = False          # the skew was measured and the image levelled (so later stages needn't)
    psm: int = 3
    steps: list[str] = field(default_factory=list)
    seconds: float = 0.0            # the whole page, correction included
    correct_seconds: float = 0.0    # of which the correction stage
    image: Path | None = None       # the processed page image (what the PDF shows)
    pdf: Path | None = None         # one-page PDF with the invisible text layer
    error: str | None = None        # one-line message when the page failed
    exit_code: int = 0

    @property
    def mean_confidence(self) -> float:
        words = [w.confidence for ln in self.lines for w in ln.words]
        return sum(words) / len(words) if words else 0.0

    def to_json(self, timings: bool = True) -> dict:
        """The page for STEM.json; ``timings=False`` leaves out the (run-dependent) seconds."""
        times = {"seconds": round(self.seconds, 3), "correct_seconds": round(self.correct_seconds, 3)}
        return {"number": self.number, "width": self.width, "height": self.height, "dpi": self.dpi,
                "rotation": self.rotation, "skew": self.skew, "psm": self.psm, "steps": self.steps,
                **(times if timings else {}), "error": self.error,
                "raw_text": self.raw_text, "text": self.text, "final_text": self.final_text,
                "lines": [ln.to_json() for ln in self.lines]}


def failed_page(number: int, err: SohoaError, started: float) -> PageResult:
    return PageResult(number=number, error=err.message, exit_code=int(err.exit_code),
                      seconds=time.perf_counter() - started)


def choose_psm(options: OcrOptions) -> int:
    """Tesseract page-segmentation mode for a page.

    Full automatic segmentation (3) finds the masthead, title, body and table
    cells as separate blocks; our reading-order pass then fixes the column
    order, which it does better than any single fixed-layout mode.
    """
    return options.psm if options.psm is not None else 3


def ocr_page(image: Image.Image | np.ndarray, dpi: int, options: OcrOptions, workdir: Path, *,
             number: int = 1, name: str = "page", label: str | None = None) -> PageResult:
    """Preprocess, recognise and order one page.

    ``name`` prefixes the scratch files in ``workdir``; ``label`` names the page
    in error messages (e.g. "scan.pdf page 3").
    """
    started = time.perf_counter()
    label = label or f"{name} page {number}"
    try:
        gray = preprocess.to_gray(image)
        steps: list[str] = []
        # At the scan's own resolution, where a speck is still one pixel.
        if options.denoise == "always" or (
                options.denoise == "auto" and preprocess.speckle_density(gray) > SPECKLE_PER_MP):
            gray = preprocess.denoise(gray)
            steps.append("denoise")
        gray, new_dpi = preprocess.resample(gray, dpi, target=options.target_dpi,
                                            low=options.min_dpi, high=options.max_dpi)
        if new_dpi != dpi:
            steps.append(f"resample {dpi}->{new_dpi} dpi")
        base = Path(workdir) / f"{name}-p{number:05d}"
        psm = choose_psm(options)

        rotation = 0
        skew, sideways = preprocess.analyse_lines(gray, sideways=options.orientation)
        if sideways:
            # Text runs up/down the page: ask OSD which quarter turn before recognising.
            osd = detect_orientation(encode_pgm(gray), dpi=new_dpi, timeout=options.page_timeout, page=label)
            steps.append(f"sideways: orientation check says rotate {osd.rotate} (confidence {osd.confidence:.1f})")
            if osd.rotate in (90, 270) and osd.confidence >= ORIENTATION_MIN_CONF:
                rotation = osd.rotate
        prepared, skew, more = _prepare(gray, rotation, options, None if rotation else skew)
        if options.orientation and rotation == 0:
            ratio = preprocess.upright_ratio(prepared)
            if ratio < UPSIDE_DOWN_RATIO:
                # Clearly upside down: turn now rather than recognise gibberish first.
                prepared, rotation = preprocess.rotate_quarter(prepared, 180), 180
                steps.append(f"upside down (ink above/below lines {ratio:.2f})")
        ocr_dpi = new_dpi
        if options.ocr_x_height:
            xh = preprocess.x_height(prepared)
            ocr_dpi = preprocess.recognition_dpi(new_dpi, xh, target=options.ocr_x_height,
                                                 floor=options.ocr_min_dpi)
            if ocr_dpi != new_dpi:
                steps.append(f"recognised at {ocr_dpi} dpi (x-height {xh:.0f} px)")
        back = new_dpi / ocr_dpi  # Tesseract's pixels -> the page image's
        small = _for_tesseract(prepared, new_dpi, ocr_dpi)
        rec = _recognise(small, ocr_dpi, base, psm, options, label)
        lines = parse_tsv(rec.tsv, back)
        if options.orientation and _mean_conf(lines) < ORIENTATION_CHECK_CONF:
            osd = detect_orientation(encode_pgm(small), dpi=ocr_dpi, timeout=options.page_timeout, page=label)
            steps.append(f"orientation check: rotate {osd.rotate} (confidence {osd.confidence:.1f})")
            if osd.rotate and osd.confidence >= ORIENTATION_MIN_CONF:
                turn = (rotation + osd.rotate) % 360
                turned, t_skew, t_more = _prepare(gray, turn, options)
                alt_base = base.with_name(base.name + "-r")
                alt = _recognise(_for_tesseract(turned, new_dpi, ocr_dpi), ocr_dpi, alt_base, psm, options, label)
                alt_lines = parse_tsv(alt.tsv, back)
                if _score(alt_lines) > _score(lines):
                    prepared, skew, more, rec, lines, rotation, base = (
                        turned, t_skew, t_more, alt, alt_lines, turn, alt_base)
        del small
        steps += more
        image_path, pdf_path = _page_files(prepared, new_dpi, base, rec.pdf, lines if options.write_pdf else None)
        if rotation:
            steps.insert(0, f"rotate {rotation}")

        height, width = prepared.shape
        ordered = reading_order(lines, width) if options.reading_order else lines
        text = page_text(ordered)
        result = PageResult(number=number, width=width, height=height, dpi=new_dpi, lines=ordered,
                            raw_text=rec.text.rstrip("\f").rstrip(), text=text, final_text=text,
                            rotation=rotation, skew=skew, levelled=options.deskew, psm=psm, steps=steps,
                            image=image_path, pdf=pdf_path)
        if options.correct:
            correct_result(result, label)
        else:
            apply_final(ordered, text, text)
        result.seconds += time.perf_counter() - started
        return result
    except SohoaError as err:
        return failed_page(number, err, started)


def correct_result(result: PageResult, label: str) -> None:
    """Run the correction stage on an OCR'd page: its final text (page and lines) and timing.

    Separate from ``ocr_page`` so a pool can correct in its parent process: the repair's
    language model and its per-word candidate cache then serve every page of the run
    instead of being built again in each worker.
    """
    started = time.perf_counter()
    specks = None
    try:
        # found once: the correction drops them, and apply_final maps the words around them
        specks = find_specks(result.lines) if result.lines else None
        final = correct_page_text(result.text, result.lines, specks)
    except Exception as exc:  # a fault in the plugged-in stage must not lose the OCR
        final = result.text
        result.error = result.error or (
            f"{label}: the correction stage failed ({type(exc).__name__}: {exc}); "
            "the final text is the OCR text — report this bug")
        result.exit_code = result.exit_code or int(ExitCode.OTHER)
    result.final_text = final
    for ln in result.lines:  # a page OCR'd with the correction off has its OCR text here
        ln.final = None
        for w in ln.words:
            w.final = None
    if not apply_final(result.lines, result.text, final, specks):
        result.steps.append("correction changed the line count: line-level final text not mapped")
    result.correct_seconds = time.perf_counter() - started
    result.seconds += result.correct_seconds


def _prepare(gray, quarter: int, options: OcrOptions, skew: float | None = None):
    """Turn, clean and level a page; ``skew`` may be passed when already measured."""
    steps: list[str] = []
    img = preprocess.rotate_quarter(gray, quarter) if quarter else gray
    if options.clear_borders:
        img = preprocess.clear_borders(img)
    applied = 0.0
    if options.deskew:
        if skew is None or options.clear_borders:
            skew = preprocess.estimate_skew(img)
        if abs(skew) >= 0.2:
            img = preprocess.rotate(img, skew)
            steps.append(f"deskew {skew:+.1f}")
            applied = skew
    if options.binarize:
        img = preprocess.binarize(img)
        steps.append("binarize")
    return img, applied, steps


def _for_tesseract(img, dpi: int, ocr_dpi: int):
    """The copy Tesseract reads: ``img`` resized from ``dpi`` to ``ocr_dpi``.

    The page image (PDF, tables) keeps the full resolution; only recognition
    works on the smaller copy, where it is as accurate and faster (BENCHMARKS.md).
    """
    if ocr_dpi == dpi:
        return img
    scale = ocr_dpi / dpi
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _recognise(img, dpi: int, base: Path, psm: int, options: OcrOptions, label: str) -> Recognition:
    # Tesseract's PDF renderer is asked only until this process has a page skeleton (_TextPdfTemplate).
    return recognise_gray(np.ascontiguousarray(img), base, lang=options.lang, psm=psm, dpi=dpi,
                          timeout=options.page_timeout, pdf=options.write_pdf and _TEMPLATE.data is None,
                          page=label)


class _TextPdfTemplate:
    """A text-only page PDF from Tesseract's renderer, kept to make every later page's from.

    What a searchable page needs from Tesseract is its font (the GlyphLessFont,
    the same on every page); the text itself is replaced by our corrected words
    (pipeline.textlayer) when the document is written. Rendering Tesseract's
    own layer costs ~0.05 CPU-s a page, so only the first page of each process
    pays it; the rest copy that skeleton with their own size and Tesseract's
    words drawn by pipeline.textlayer (~2 ms), and the written PDFs are
    byte-identical to rendering every page.
    """

    def __init__(self):
        self.data: bytes | None = None

    def page_pdf(self, text_pdf: Path | None, lines: list[Line], width_px: int, height_px: int, dpi: int):
        """The page's text-only PDF opened with pikepdf, or None when there is neither PDF nor template.

        From the template, the text is Tesseract's words laid out by pipeline.textlayer,
        as the renderer would have drawn them.
        """
        import io

        import pikepdf

        from pipeline.textlayer import content_stream

        if text_pdf is not None:
            data = text_pdf.read_bytes()
            if self.data is None:
                self.data = data
            return pikepdf.open(io.BytesIO(data))
        if self.data is None:
            return None
        pdf = pikepdf.open(io.BytesIO(self.data))
        page = pdf.pages[0]
        width_pt, height_pt = width_px * 72.0 / dpi, height_px * 72.0 / dpi
        # Tesseract's stream: its empty image placement, then the text.
        placement = f"q {width_pt:g} 0 0 {height_pt:g} 0 0 cm Q\n".encode()
        page.obj["/Contents"] = pdf.make_stream(placement + content_stream(lines, height_px, dpi))
        page.obj["/MediaBox"] = pikepdf.Array([0, 0, width_pt, height_pt])
        return pdf


_TEMPLATE = _TextPdfTemplate()


def _page_files(img, dpi: int, base: Path, text_pdf: Path | None, lines: list[Line] | None
                ) -> tuple[Path, Path | None]:
    """The page image (JPEG) and, given the page's words, its searchable page (``_TextPdfTemplate``).

    Tesseract's own PDF would embed the lossless page image (5 MB and more
    for a noisy scan); the JPEG, embedded as is under the invisible text, is a
    tenth of that.
    """
    jpg = base.with_name(base.name + ".jpg")   # appended: a document named report.v2 keeps its pages apart
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ExternalProgramError("could not encode the page image", path=jpg)
    jpg.write_bytes(buf.tobytes())
    import pikepdf

    h, w = img.shape[:2]
    width_pt, height_pt = w * 72.0 / dpi, h * 72.0 / dpi
    pdf = _TEMPLATE.page_pdf(text_pdf, lines, w, h, dpi) if lines is not None else None
    if pdf is None:
        return jpg, None
    out = base.with_name(base.name + ".page.pdf")
    with pdf:
        page = pdf.pages[0]
        image = pikepdf.Stream(pdf, buf.tobytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                               Width=w, Height=h, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                               Filter=pikepdf.Name.DCTDecode)
        # The image goes under Tesseract's (invisible) text: draw it first.
        draw = pdf.make_stream(f"q {width_pt:.4f} 0 0 {height_pt:.4f} 0 0 cm /SohoaPage Do Q\n".encode())
        resources = page.obj.get("/Resources") or pikepdf.Dictionary()
        xobjects = resources.get("/XObject") or pikepdf.Dictionary()
        xobjects["/SohoaPage"] = image
        resources["/XObject"] = xobjects
        page.obj["/Resources"] = resources
        page.contents_add(draw, prepend=True)
        pdf.save(out)
    if text_pdf is not None:
        text_pdf.unlink(missing_ok=True)
    return jpg, out


def _mean_conf(lines: list[Line]) -> float:
    confs = [w.confidence for ln in lines for w in ln.words if w.confidence >= 0]
    return sum(confs) / len(confs) if confs else 0.0


def _score(lines: list[Line]) -> float:
    """Confident characters recognised: upright text wins over upside-down gibberish."""
    return sum(w.confidence * len(w.text) for ln in lines for w in ln.words if w.confidence > 0)

