"""``sohoa ocr INPUT... -o OUTDIR``: scanned PDFs and images to text, JSON and searchable PDFs."""
from __future__ import annotations

import argparse
import sys

HELP = "OCR scanned PDFs and images (PNG/JPEG/TIFF) into STEM.txt, STEM.raw.txt, STEM.json and STEM.pdf"


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    from pipeline.options import default_jobs

    p.add_argument("inputs", nargs="+", metavar="INPUT", help="PDF or image files (multi-page TIFF too)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the outputs")
    p.add_argument("-j", "--jobs", type=positive_int, default=default_jobs(),
                   help="worker processes, one Tesseract each (default: number of cores, %(default)s here)")
    p.add_argument("-l", "--lang", default="vie", help="Tesseract language(s), e.g. vie or vie+eng (default vie)")
    p.add_argument("--psm", type=int, choices=range(0, 14), metavar="N",
                   help="force a Tesseract page-segmentation mode (default: chosen per page)")
    p.add_argument("--no-orientation", action="store_true", help="don't detect pages turned 90/180/270°")
    p.add_argument("--no-deskew", action="store_true", help="don't straighten skewed pages")
    p.add_argument("--no-reading-order", action="store_true",
                   help="keep Tesseract's line order (two-column mastheads may interleave)")
    p.add_argument("--clear-borders", action="store_true", help="whiten dark scanner edges before OCR")
    p.add_argument("--denoise", choices=("auto", "always", "never"), default="auto",
                   help="median-filter specks before OCR: auto = only on speckled pages (default)")
    p.add_argument("--x-height", type=_non_negative, default=16.0, metavar="PX",
                   help="Tesseract reads a copy of each page scaled down until lowercase letters are PX "
                        "pixels tall (faster, as accurate; pages scanned above 250 DPI only, never below "
                        "150 DPI); 0 = the page's own resolution (default 16)")
    p.add_argument("--binarize", action="store_true", help="adaptive black/white threshold before OCR")
    p.add_argument("--no-correct", action="store_true",
                   help="final text = Tesseract's text in reading order (skip the OCR-repair stage; faster)")
    p.add_argument("--no-tables", action="store_true", help="skip the table stage (STEM.tables.csv)")
    p.add_argument("--no-pdf", action="store_true", help="skip the searchable PDF")
    p.add_argument("--page-timeout", type=float, default=300.0, metavar="SECONDS",
                   help="give up a page when Tesseract takes longer (default 300)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def options_from_args(args: argparse.Namespace, *, progress: bool):
    """The OcrOptions for the flags ``add_arguments`` defines (``sohoa run`` shares them)."""
    from pipeline.options import OcrOptions

    return OcrOptions(
        jobs=args.jobs, lang=args.lang, psm=args.psm, orientation=not args.no_orientation,
        clear_borders=args.clear_borders, deskew=not args.no_deskew, denoise=args.denoise,
        binarize=args.binarize, ocr_x_height=args.x_height, reading_order=not args.no_reading_order,
        correct=not args.no_correct, tables=not args.no_tables, write_pdf=not args.no_pdf, page_timeout=args.page_timeout,
        progress=progress)


def run(args: argparse.Namespace) -> int:
    from pipeline.api import ocr

    options = options_from_args(args, progress=not args.quiet)
    report = ocr(args.inputs, args.output, options)
    ok = sum(1 for d in report.documents if d.outputs and not d.errors)
    rate = report.pages / report.seconds * 60 if report.seconds else 0.0
    print(f"sohoa ocr: {ok}/{len(report.documents)} inputs done, {report.pages} pages in "
          f"{report.seconds:.1f} s ({rate:.1f} pages/min) -> {args.output}"
          + (f"; {len(report.errors)} error(s), see above" if report.errors else ""), file=sys.stderr)
    return report.exit_code
