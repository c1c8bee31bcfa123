"""Synthetic scans with known ground truth.

Renders accented Vietnamese text onto A4 pages in the layout of an
administrative document (optional two-column header, centred title, justified
paragraphs), then degrades the page the way photocopiers and office scanners
do. The truth is the text exactly as laid out, line by line, in reading order
(left header column, then right header column, then the body).

Used by the OCR bench, the OCR-repair training data builder and the tests:

    pages = render_document(paragraphs, font="LiberationSerif", size_pt=13, dpi=300)
    img = degrade(pages[0].image, PROFILES["harsh"], seed=1)
    write_pdf([img], "scan.pdf", dpi=PROFILES["harsh"].dpi)
"""
from __future__ import annotations

import io
import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Debian's fonts-liberation (v1) lacks Vietnamese glyphs: only liberation2 is searched.
FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/freefont",
             "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/noto")
# Fonts with complete precomposed Vietnamese coverage, as shipped by Debian.
FONT_FILES = {
    "LiberationSerif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "LiberationSans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "FreeSerif": ("FreeSerif.ttf", "FreeSerifBold.ttf"),
    "DejaVuSerif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "DejaVuSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "NotoSerif": ("NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf"),
    "NotoSans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    # from the same packages, but no page the OCR channels were learnt from uses them
    # (lexicon.ocr_pairs.FONTS): the repair bench's held-out fonts
    "FreeSans": ("FreeSans.ttf", "FreeSansBold.ttf"),
    "NotoSansDisplay": ("NotoSansDisplay-Regular.ttf", "NotoSansDisplay-Bold.ttf"),
    "LiberationMono": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    "NotoSerifDisplay": ("NotoSerifDisplay-Regular.ttf", "NotoSerifDisplay-Bold.ttf"),
    "LiberationSerifItalic": ("LiberationSerif-Italic.ttf", "LiberationSerif-BoldItalic.ttf"),
    "NotoSansItalic": ("NotoSans-Italic.ttf", "NotoSans-BoldItalic.ttf"),
}
HELD_OUT_FONTS = ("FreeSans", "NotoSansDisplay", "LiberationMono", "NotoSerifDisplay",
                  "LiberationSerifItalic", "NotoSansItalic")
A4_MM = (210.0, 297.0)


def _find_font(filename: str) -> str:
    for d in FONT_DIRS:
        p = Path(d) / filename
        if p.exists():
            return str(p)
    raise FileNotFoundError(f"font {filename} not found in {FONT_DIRS}; run scripts/setup.sh")


def available_fonts() -> list[str]:
    out = []
    for name, (regular, _bold) in FONT_FILES.items():
        try:
            _find_font(regular)
            out.append(name)
        except FileNotFoundError:
            pass
    return out


def load_font(name: str, px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    regular, boldfile = FONT_FILES[name]
    return ImageFont.truetype(_find_font(boldfile if bold else regular), px)


@dataclass(frozen=True)
class Profile:
    """How a page is degraded. Angles in degrees, sigmas in pixels/grey levels."""

    name: str
    dpi: int = 300
    skew_max: float = 0.0        # uniform in [-skew_max, skew_max], at least skew_max/2 in size
    blur_sigma: float = 0.0
    noise_sigma: float = 0.0     # additive Gaussian noise, grey levels
    speckle: float = 0.0         # fraction of pixels flipped to dark specks
    jpeg_quality: int | None = None
    rotate: int = 0              # 0, 90, 180, 270 (counter-clockwise)
    ink_fade: float = 0.0        # 0..1: how much lighter the ink gets (photocopy toner)
    background: int = 255        # paper grey level


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("clean"),
    Profile("office", skew_max=1.5, blur_sigma=0.6, noise_sigma=8, jpeg_quality=75),
    Profile("office200", dpi=200, skew_max=1.5, blur_sigma=0.5, noise_sigma=8, jpeg_quality=75),
    Profile("lowres150", dpi=150, skew_max=1.0, blur_sigma=0.4, noise_sigma=6, jpeg_quality=80),
    Profile("skew5", skew_max=5.0, blur_sigma=0.4, noise_sigma=5),
    Profile("photocopy", skew_max=2.0, blur_sigma=0.8, noise_sigma=12, speckle=0.0015,
            ink_fade=0.35, background=235, jpeg_quality=70),
    Profile("rotated180", rotate=180, skew_max=1.0, blur_sigma=0.5, noise_sigma=6, jpeg_quality=80),
    Profile("harsh", dpi=150, skew_max=4.0, blur_sigma=0.9, noise_sigma=16, speckle=0.002,
            ink_fade=0.25, background=240, jpeg_quality=45),
)}


@dataclass
class Page:
    image: Image.Image           # greyscale ("L"), undegraded
    truth: str                   # lines joined by "\n", reading order
    dpi: int
    lines: list[str] = field(default_factory=list)
    cells: list[list[str]] | None = None   # table pages: the grid, header row first


@dataclass(frozen=True)
class Header:
    """The two-column masthead of an administrative document."""

    left: Sequence[str]
    right: Sequence[str]


def clean_seed_text(text: str) -> list[str]:
    """Paragraphs of a seed export with Markdown/HTML markup stripped (for rendering)."""
    import re

    text = unicodedata.normalize("NFC", text)
    paras: list[str] = []
    for raw in text.split("\n"):
        line = re.sub(r"<[^>]+>", " ", raw)
        line = re.sub(r"^\s*#+\s*", "", line)
        line = line.replace("**", "").replace("__", "").replace("\t", " ")
        if "|" in line and line.count("|") >= 2:  # markdown table rows: not body text
            continue
        line = re.sub(r"\s+", " ", line).strip()
        if line:
            paras.append(line)
    return paras


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    words = text.split()
    lines: list[str] = []
    cur: list[str] = []
    for w in words:
        trial = " ".join(cur + [w])
        if cur and font.getlength(trial) > width:
            lines.append(" ".join(cur))
            cur = [w]
        else:
            cur.append(w)
    if cur:
        lines.append(" ".join(cur))
    return lines


def _draw_justified(draw: ImageDraw.ImageDraw, line: str, x: float, y: float, width: float,
                    font: ImageFont.FreeTypeFont, fill: int) -> None:
    words = line.split(" ")
    if len(words) < 2:
        draw.text((x, y), line, font=font, fill=fill)
        return
    natural = sum(font.getlength(w) for w in words)
    gap = (width - natural) / (len(words) - 1)
    space = font.getlength(" ")
    if gap > 3 * space:  # very short last-ish line: don't stretch absurdly
        gap = space
    cx = x
    for w in words:
        draw.text((cx, y), w, font=font, fill=fill)
        cx += font.getlength(w) + gap


def render_document(paragraphs: Iterable[str], *, font: str = "LiberationSerif",
                    size_pt: float = 13.0, dpi: int = 300, header: Header | None = None,
                    title: Sequence[str] = (), margins_mm: tuple[float, float, float, float] = (20, 20, 30, 20),
                    line_spacing: float = 1.35, max_pages: int | None = None) -> list[Page]:
    """Lay out text on A4 pages. ``margins_mm`` is (top, bottom, left, right)."""
    mm = dpi / 25.4
    w_px, h_px = int(A4_MM[0] * mm), int(A4_MM[1] * mm)
    top, bottom, left, right = (m * mm for m in margins_mm)
    px = max(8, round(size_pt * dpi / 72))
    body = load_font(font, px)
    bold = load_font(font, px, bold=True)
    lh = px * line_spacing
    text_w = w_px - left - right

    pages: list[Page] = []
    img = Image.new("L", (w_px, h_px), 255)
    draw = ImageDraw.Draw(img)
    y = top
    lines: list[str] = []

    def new_page() -> None:
        nonlocal img, draw, y, lines
        pages.append(Page(img, "\n".join(lines), dpi, lines))
        img = Image.new("L", (w_px, h_px), 255)
        draw = ImageDraw.Draw(img)
        y = top
        lines = []

    if header is not None:
        # Vietnamese mastheads: issuing body on the left (~40 %), national motto on the right.
        left_w = text_w * 0.40
        right_w = text_w - left_w
        for col, x0, col_w in ((header.left, left, left_w), (header.right, left + left_w, right_w)):
            yy = y
            for s in col:
                f = bold
                lw = f.getlength(s)
                draw.text((x0 + (col_w - lw) / 2, yy), s, font=f, fill=0)
                yy += lh
                lines.append(s)
        y += lh * (max(len(header.left), len(header.right)) + 1)

    for s in title:
        for ln in _wrap(s, bold, text_w):
            draw.text((left + (text_w - bold.getlength(ln)) / 2, y), ln, font=bold, fill=0)
            lines.append(ln)
            y += lh
    if title:
        y += lh * 0.5

    for para in paragraphs:
        wrapped = _wrap(para, body, text_w - 0.5 * px)
        for i, ln in enumerate(wrapped):
            if y + lh > h_px - bottom:
                new_page()
                if max_pages is not None and len(pages) >= max_pages:
                    return pages
            indent = 0.5 * px if i == 0 else 0.0
            if i < len(wrapped) - 1:
                _draw_justified(draw, ln, left + indent, y, text_w - indent, body, 0)
            else:
                draw.text((left + indent, y), ln, font=body, fill=0)
            lines.append(ln)
            y += lh
        y += lh * 0.25
    if lines:
        new_page()
    return pages[:max_pages] if max_pages else pages


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, title: Sequence[str] = (),
                 col_widths: Sequence[float] | None = None, font: str = "LiberationSerif",
                 size_pt: float = 11.0, dpi: int = 300,
                 margins_mm: tuple[float, float, float, float] = (20, 20, 20, 15)) -> Page:
    """One A4 page with a ruled table (a "Phụ lục" statistics appendix).

    ``col_widths`` are relative widths. Cell text wraps inside its column; rows
    that do not fit are dropped. The truth has the title lines, then one line
    per table row with the cells (wrapped text re-joined) separated by tabs;
    ``Page.cells`` holds the grid that was drawn.
    """
    mm = dpi / 25.4
    w_px, h_px = int(A4_MM[0] * mm), int(A4_MM[1] * mm)
    top, bottom, left, right = (m * mm for m in margins_mm)
    px = max(8, round(size_pt * dpi / 72))
    body, bold = load_font(font, px), load_font(font, px, bold=True)
    lh = px * 1.3
    pad = px * 0.4
    text_w = w_px - left - right
    ncol = len(header)
    rel = list(col_widths) if col_widths else [1.0] * ncol
    widths = [text_w * r / sum(rel) for r in rel]
    img = Image.new("L", (w_px, h_px), 255)
    draw = ImageDraw.Draw(img)
    lines: list[str] = []
    y = top
    for s in title:
        for ln in _wrap(s, bold, text_w):
            draw.text((left + (text_w - bold.getlength(ln)) / 2, y), ln, font=bold, fill=0)
            lines.append(ln)
            y += lh
    y += lh * 0.5
    grid: list[list[str]] = []
    line_w = max(1, round(dpi / 150))
    for r, row in enumerate([list(header)] + [list(rw) for rw in rows]):
        f = bold if r == 0 else body
        cells = [_wrap(str(c), f, wd - 2 * pad) if str(c).strip() else [] for c, wd in zip(row, widths)]
        height = max(1, max(len(c) for c in cells)) * lh + 2 * pad
        if y + height > h_px - bottom:
            break
        x = left
        for c, wd in zip(cells, widths):
            for k, ln in enumerate(c):
                tx = x + pad if r and wd > 6 * px else x + (wd - f.getlength(ln)) / 2
                draw.text((tx, y + pad + k * lh), ln, font=f, fill=0)
            draw.rectangle((x, y, x + wd, y + height), outline=0, width=line_w)
            x += wd
        grid.append([" ".join(c) for c in cells])
        lines.append("\t".join(" ".join(c) for c in cells if c))
        y += height
    return Page(img, "\n".join(lines), dpi, lines, cells=grid)


def degrade(image: Image.Image, profile: Profile, seed: int = 0) -> Image.Image:
    """Apply ``profile`` to a clean greyscale page; deterministic for a given seed.

    The page must already be rendered at ``profile.dpi``.
    """
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    a = np.asarray(image.convert("L"), dtype=np.float32)

    if profile.ink_fade:
        a = 255 - (255 - a) * (1 - profile.ink_fade)
    if profile.background < 255:
        a = a * (profile.background / 255.0)
    if profile.blur_sigma:
        a = cv2.GaussianBlur(a, (0, 0), profile.blur_sigma)
    if profile.skew_max:
        angle = rng.uniform(profile.skew_max / 2, profile.skew_max) * rng.choice((-1, 1))
        h, w = a.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                           borderValue=float(profile.background))
    if profile.noise_sigma:
        a = a + nrng.normal(0, profile.noise_sigma, a.shape).astype(np.float32)
    if profile.speckle:
        mask = nrng.random(a.shape) < profile.speckle
        a[mask] = nrng.uniform(0, 90, int(mask.sum()))
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    if profile.rotate:
        out = out.rotate(profile.rotate, expand=True)
    if profile.jpeg_quality:
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=profile.jpeg_quality)
        buf.seek(0)
        out = Image.open(buf).convert("L")
    return out


def write_pdf(images: Sequence[Image.Image], path: str | Path, dpi: int) -> None:
    """A scanned-looking PDF: one JPEG image per page at ``dpi``, no text layer."""
    if not images:
        raise ValueError("no pages")
    first, rest = images[0].convert("L"), [im.convert("L") for im in images[1:]]
    first.save(str(path), "PDF", resolution=float(dpi), save_all=True, append_images=rest)


def render_scan(paragraphs: Iterable[str], profile: Profile, *, font: str = "LiberationSerif",
                size_pt: float = 13.0, seed: int = 0, header: Header | None = None,
                title: Sequence[str] = (), max_pages: int | None = None) -> list[tuple[Image.Image, str]]:
    """Render and degrade in one call: [(scan image, truth text)] per page."""
    pages = render_document(paragraphs, font=font, size_pt=size_pt, dpi=profile.dpi, header=header,
                            title=title, max_pages=max_pages)
    return [(degrade(p.image, profile, seed=seed * 1000 + i), p.truth) for i, p in enumerate(pages)]


MASTHEAD = Header(
    left=("ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH"),
    right=("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
)
