"""The searchable PDF's invisible text layer, written from our own corrected words.

Tesseract's page PDF carries its raw words; the correction stage runs after it
(pipeline.page.correct_result), so an archivist searching the PDF for "quyền"
would miss every place Tesseract read "quyên". When a document's outputs are
written we therefore swap Tesseract's text content stream for one laid out from
our word boxes and final text, drawn the way Tesseract's renderer draws it: one
``BT … ET`` per line, render mode 3 (invisible), a font size from the line's
height and a horizontal scaling (``Tz``) that stretches each run over its box.

The font is the one Tesseract already put on the page (``/f-0-0``, its
GlyphLessFont): a Type0 font with Identity-H encoding whose ToUnicode maps
every 2-byte code to the same code point, every CID drawn by the one blank
glyph 500/1000 em wide (``/DW 500``). So a run is simply its UTF-16BE bytes and
is ``units * fontsize / 2`` points wide before scaling. A page whose PDF does not
look exactly like that keeps Tesseract's layer; a page without one (a failed
page) gets no text.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

FONT = "/f-0-0"
GLYPH_WIDTH = 0.5  # of the font size: the font's /DW 500 (per 1000 units of text space)
MIN_GAP_PX = 1     # the space between touching or overlapping word boxes

# The stream pipeline.page._page_files prepends to draw the page image.
_IMAGE_STREAM = re.compile(rb"q ([0-9.]+) 0 0 ([0-9.]+) 0 0 cm /SohoaPage Do Q\s*")
# Tesseract sizes the page from the copy it read (pipeline.page._for_tesseract), which can
# differ from the image's size by rounding: a fraction of a point.
MEDIABOX_SLACK_PT = 1.0
# Tesseract's textonly_pdf stream: an empty image placement, then BT … ET blocks.
_TESSERACT_STREAM = re.compile(rb"q [0-9.]+ 0 0 [0-9.]+ 0 0 cm Q\s*(BT\b.*\bET\s*)?", re.S)


def runs(line) -> list[tuple[str, tuple[int, int, int, int]]]:
    """The text runs of a ``pipeline.layout.Line``: (NFC text, box in page-image pixels).

    Word by word when the correction kept the line's token count (each word's
    ``final``); the line's ``final`` over the whole line box when it did not;
    Tesseract's words when the line has no final text at all.
    """
    words = [w for w in line.words if w.text]
    if not words:
        return []
    if all(w.final is not None for w in words):
        out = [(w.final, w.box) for w in words]
    elif line.final is not None:
        out = [(line.final.strip(), line.box)]
    else:
        out = [(w.text, w.box) for w in words]
    return [(unicodedata.normalize("NFC", t), b) for t, b in out if t.strip()]


def content_stream(lines: Sequence, height_px: int, dpi: int) -> bytes:
    """Content stream drawing ``lines`` (in reading order) as invisible text.

    Boxes are in pixels of an image ``height_px`` tall shown at ``dpi`` from
    the page's origin (how _page_files draws it): x * 72/dpi, y flipped.
    """
    k = 72.0 / dpi
    page_h = height_px * k
    out: list[str] = []
    for line in lines:
        items = runs(line)
        if not items:
            continue
        x0, y0, x1, y1 = line.box
        size = max(1, y1 - y0) * k
        # Glyphs span baseline .. baseline + size (ascent 1000, descent ~0): the line box.
        base = page_h - y1 * k
        out += ["BT", "3 Tr", f"{FONT} {_num(size)} Tf"]
        prev_x = None
        for i, (text, box) in enumerate(items):
            units = len(text.encode("utf-16-be")) // 2
            x = round(box[0] * k, 3)
            width = max(1, box[2] - box[0]) * k
            out.append(f"1 0 0 1 {_num(x)} {_num(base)} Tm" if prev_x is None else f"{_num(x - prev_x)} 0 Td")
            out.append(f"{_num(_scale(width, units, size))} Tz <{_hex(text)}> Tj")
            if i < len(items) - 1:
                # A space glyph filling the gap to the next word: extractors break the words
                # there (a space overlapping the next word, as a word-wide scale would make
                # it, gets dropped and glues close-set words: "sựsố").
                gap = max(MIN_GAP_PX, items[i + 1][1][0] - box[2]) * k
                out.append(f"{_num(_scale(gap, 1, size))} Tz <0020> Tj")
            prev_x = x
        out.append("ET")
    return ("\n".join(out) + "\n").encode("ascii") if out else b""


def replace_text_layer(pdf, page, lines: Sequence, height_px: int, dpi: int) -> str | None:
    """Swap Tesseract's text stream on ``page`` (a pikepdf Page of ``pdf``) for ours.

    Returns None when done (or when the page has no text layer to swap, e.g. an
    image-only page), else why the page was left as it was.
    """
    import pikepdf

    font = page.obj.get("/Resources", {}).get("/Font", {}).get(FONT)
    if font is None:
        return None if FONT.encode() not in _contents_bytes(page) else "its text uses a font that is not on the page"
    why = _font_mismatch(font)
    if why:
        return why
    if not dpi or not height_px:
        return "the page has no resolution or size"
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    kinds = []
    for s in streams:
        if not isinstance(s, pikepdf.Stream):
            return "a content stream is not a stream"
        data = s.read_bytes()
        kinds.append("image" if _IMAGE_STREAM.fullmatch(data)
                     else "text" if _TESSERACT_STREAM.fullmatch(data) and b" Do" not in data else "other")
    if kinds != ["image", "text"]:
        return f"its content streams are {'/'.join(kinds)}, not the page image and Tesseract's text"
    image_w, image_h = (float(v) for v in _IMAGE_STREAM.fullmatch(streams[0].read_bytes()).groups())
    if abs(image_h - height_px * 72.0 / dpi) > MEDIABOX_SLACK_PT:
        return "the page image's height does not match the page's size and resolution"
    box = [float(v) for v in page.mediabox]
    if abs(box[2] - box[0] - image_w) > MEDIABOX_SLACK_PT or abs(box[3] - box[1] - image_h) > MEDIABOX_SLACK_PT:
        return "the page is not the size of its image"
    ours = content_stream(lines, height_px, dpi)
    page.obj["/Contents"] = pikepdf.Array([streams[0], pikepdf.Stream(pdf, ours)])
    # The page is exactly its image, so page coordinates are pixels * 72/dpi from the top
    # too (how extractors and viewers measure), and a re-read of the PDF finds its dpi.
    page.obj["/MediaBox"] = pikepdf.Array([0, 0, image_w, image_h])
    return None


def _font_mismatch(font) -> str | None:
    """Why ``font`` is not the GlyphLessFont this module's widths and codes assume, or None."""
    try:
        cid = font.DescendantFonts[0]
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            return "the text font is not a Type0 Identity-H font"
        if int(cid.get("/DW", 1000)) != 500 or "/W" in cid:
            return "the text font's glyph widths are not a uniform 500"
        cmap = font.ToUnicode.read_bytes()
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return "the text font is not Tesseract's GlyphLessFont"
    if b"<0000> <FFFF> <0000>" not in cmap:
        return "the text font's ToUnicode map is not the identity"
    return None


def _contents_bytes(page) -> bytes:
    import pikepdf

    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return b"".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))


def _scale(width: float, units: int, size: float) -> float:
    """Horizontal scaling (percent) that makes ``units`` glyphs of ``size`` span ``width``."""
    return 100.0 * width / (units * GLYPH_WIDTH * size)


def _hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _num(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
