"""Synthetic scanned appendix tables with ground-truth records.

Draws a ruled "Phụ lục" table the way the reports lay them out — STT and
indicator columns spanning two header rows, a merged group label over 2–6
period columns, hierarchical STT (1, 1.1, 1.1.1, "-"), indicator text wrapped
inside its cell, Vietnamese number formats — then degrades it with
``bench.scangen.degrade``. The truth is built from what was drawn, not by
reading the image back, so it is independent of the extractor.

    page = make_table_page(seed=3, profile=PROFILES["office"])
    page.image, page.records   # records: list of TruthRecord
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from bench.scangen import PROFILES, Profile, _wrap, degrade, load_font

# Indicators in the wording of real appendices (seeds 001/004); flags carry their 0/1 definition.
INDICATORS = [
    "Số lượng văn bản chỉ đạo CCHC đã ban hành",
    "Số nhiệm vụ đề ra trong kế hoạch cải cách hành chính năm",
    "Số nhiệm vụ đã hoàn thành đúng hạn",
    "Số lượng bản tin chuyên đề CCHC trên đài truyền thanh",
    "Tổ chức cuộc thi tìm hiểu CCHC (Có tổ chức = 1; Không tổ chức = 0)",
    "Xây dựng chuyên mục CCHC trên Cổng TTĐT (Có xây dựng = 1; Không xây dựng = 0)",
    "Số lượng mô hình, sáng kiến CCHC được triển khai áp dụng",
    "Số lượng phiếu khảo sát sự hài lòng của người dân",
    "Mức độ hài lòng chung của người dân, tổ chức",
    "Tổng số TTHC thuộc thẩm quyền giải quyết của cấp xã",
    "Số TTHC đã thực hiện tiếp nhận và giải quyết hồ sơ không phụ thuộc vào địa giới hành chính",
    "Tỷ lệ hồ sơ TTHC cấp xã giải quyết đúng hẹn (đã tiếp nhận/đã trả đúng hẹn)",
    "Số lượng PAKN đã tiếp nhận trong năm",
    "Tỷ lệ hồ sơ TTHC số hóa hồ sơ, kết quả giải quyết TTHC",
    "Tổng số biên chế được giao trong năm",
    "Tổng số biên chế có mặt tại thời điểm báo cáo",
    "Số hợp đồng lao động làm việc tại các cơ quan, tổ chức hành chính",
    "Tỷ lệ sử dụng văn bản điện tử của UBND cấp xã",
    "Tổng số DVC đủ điều kiện lên trực tuyến toàn trình",
    "Số hồ sơ nộp trực tuyến của các DVCTT một phần",
    "Số TTHC đã được tích hợp, triển khai thanh toán trực tuyến trên Cổng DVC quốc gia",
    "Hình thức khảo sát",
    "Số lớp tập huấn chuyên đề về tuyên truyền CCHC",
    "Số đơn vị sự nghiệp công tự bảo đảm chi thường xuyên",
    "Số VBQPPL đã kiểm tra thuộc thẩm quyền của cấp tỉnh",
    "Số lượng TTHC thực hiện việc tiếp nhận, trả kết quả tại Bộ phận Một cửa cấp xã",
    "Thực hiện cơ chế một cửa, một cửa liên thông",
    "Kết quả giải quyết hồ sơ TTHC",
]
TITLES = [
    "Thống kê các chỉ tiêu tại lĩnh vực cải cách thủ tục hành chính",
    "Thống kê các chỉ tiêu tại lĩnh vực chỉ đạo, điều hành cải cách hành chính",
    "Thống kê các chỉ tiêu tại lĩnh vực cải cách tổ chức bộ máy",
    "Thống kê các chỉ tiêu tại lĩnh vực xây dựng và phát triển Chính quyền điện tử",
]
GROUPS = ["Các cơ quan, đơn vị", "Kết quả thực hiện", "Số liệu thống kê"]
FONTS = ["LiberationSerif", "DejaVuSans", "NotoSerif", "FreeSerif"]


@dataclass
class TruthRecord:
    stt: str
    indicator: str
    period: str
    value: object   # int | float | bool | str


@dataclass
class TablePage:
    image: Image.Image
    dpi: int
    records: list[TruthRecord]
    grid: list[list[str]]                 # what was drawn, merged cells at their top-left
    profile: str = ""
    meta: dict = field(default_factory=dict)


def _vn_int(n: int) -> str:
    s = f"{n:,}".replace(",", ".")
    return s


def _value(rng: random.Random, indicator: str) -> tuple[str, object]:
    if "= 1" in indicator:
        v = rng.choice((0, 1))
        return str(v), bool(v)
    if indicator.startswith("Hình thức"):
        return rng.choice((("Phiếu", "Phiếu"), ("Trực tuyến", "Trực tuyến")))
    if indicator.startswith(("Tỷ lệ", "Mức độ")):
        kind = rng.random()
        if kind < 0.4:
            v = round(rng.uniform(40, 100), 2)
            s = f"{v:.2f}".rstrip("0").rstrip(".")
            return s.replace(".", ",") + "%", float(s) if "." in s else int(s)
        if kind < 0.8:
            v = round(rng.uniform(1, 100), rng.choice((1, 2)))
            s = f"{v}".rstrip("0").rstrip(".")
            return s.replace(".", ","), float(s) if "." in s else int(s)
        return "100%", 100
    if indicator.startswith("Số lượng mô hình"):
        n = rng.randint(0, 3)
        return (f"{n} mô hình", n) if n else ("0", 0)
    kind = rng.random()
    if kind < 0.15:
        n = rng.randint(1, 9)
        return f"0{n}", n
    if kind < 0.35:
        n = rng.randint(1000, 99999)
        return _vn_int(n), n
    n = rng.randint(0, 999)
    return str(n), n


def _periods(rng: random.Random, n: int) -> list[str]:
    start = rng.randint(2015, 2025 - n + 1)
    labels = [f"Năm {start + i}" for i in range(n)]
    if rng.random() < 0.6:
        labels[-1] += " (tính đến 31/3)"
    return labels


def _stts(rng: random.Random, n: int) -> list[str]:
    out, top, sub, subsub = [], 0, 0, 0
    while len(out) < n:
        r = rng.random()
        if not out or r < 0.3:
            top, sub, subsub = top + 1, 0, 0
            out.append(str(top))
        elif r < 0.65 or sub == 0:
            sub, subsub = sub + 1, 0
            out.append(f"{top}.{sub}")
        elif r < 0.85:
            subsub += 1
            out.append(f"{top}.{sub}.{subsub}")
        else:
            out.append("-")
    return out


def make_table_page(seed: int, profile: Profile | None = None, *, n_periods: int | None = None,
                    n_rows: int | None = None, font: str | None = None, ruled: bool = True) -> TablePage:
    rng = random.Random(seed)
    profile = profile or PROFILES["clean"]
    dpi = profile.dpi
    font = font or rng.choice(FONTS)
    n_periods = n_periods or rng.randint(2, 6)
    n_rows = n_rows or rng.randint(7, 12)
    size_pt = 11 if n_periods <= 4 else 10
    px = round(size_pt * dpi / 72)
    body, bold = load_font(font, px), load_font(font, px, bold=True)
    mm = dpi / 25.4
    w_px, h_px = int(210 * mm), int(297 * mm)
    img = Image.new("L", (w_px, h_px), 255)
    draw = ImageDraw.Draw(img)
    left, right, top = 18 * mm, 15 * mm, 22 * mm
    table_w = w_px - left - right
    lh = px * 1.3
    pad = px * 0.45
    line_w = max(1, round(dpi / 150))

    appendix_no = rng.randint(1, 9)
    title = rng.choice(TITLES)
    y = top
    for text, f in ((f"Phụ lục {appendix_no}", bold), (title, bold)):
        for ln in _wrap(text, f, table_w):
            draw.text((left + (table_w - f.getlength(ln)) / 2, y), ln, font=f, fill=0)
            y += lh
    y += lh * 0.6

    periods = _periods(rng, n_periods)
    stt_w = table_w * 0.07
    ind_w = table_w * (0.45 if n_periods <= 3 else 0.38)
    per_w = (table_w - stt_w - ind_w) / n_periods
    xs = [left, left + stt_w, left + stt_w + ind_w] + [left + stt_w + ind_w + per_w * (i + 1) for i in range(n_periods)]
    group = rng.choice(GROUPS)
    two_rows = rng.random() < 0.75

    def cell_lines(text: str, width: float, f) -> list[str]:
        return _wrap(text, f, width - 2 * pad) or [""]

    def draw_cell(text_lines: list[str], x0: float, x1: float, y0: float, y1: float, f, center: bool) -> None:
        total = len(text_lines) * lh
        yy = y0 + (y1 - y0 - total) / 2 + (lh - px) / 3
        for ln in text_lines:
            tx = x0 + (x1 - x0 - f.getlength(ln)) / 2 if center else x0 + pad
            draw.text((tx, yy), ln, font=f, fill=0)
            yy += lh

    grid: list[list[str]] = []
    hlines: list[tuple[float, float, float]] = []   # y, x0, x1
    y_table = y
    # header
    per_lines = [cell_lines(p, per_w, bold) for p in periods]
    h1 = max(len(l) for l in per_lines) * lh + 2 * pad
    if two_rows:
        h0 = lh + 2 * pad
        draw_cell(["STT"], xs[0], xs[1], y, y + h0 + h1, bold, True)
        draw_cell(["Chỉ tiêu"], xs[1], xs[2], y, y + h0 + h1, bold, True)
        draw_cell(cell_lines(group, xs[-1] - xs[2], bold), xs[2], xs[-1], y, y + h0, bold, True)
        hlines.append((y + h0, xs[2], xs[-1]))
        for i, lines in enumerate(per_lines):
            draw_cell(lines, xs[2 + i], xs[3 + i], y + h0, y + h0 + h1, bold, True)
        grid.append(["STT", "Chỉ tiêu", group] + [""] * (n_periods - 1))
        grid.append(["", ""] + periods)
        header_bottom = y + h0 + h1
        vsplit_from = {i: (y + h0 if 2 < i < len(xs) - 1 else y) for i in range(len(xs))}
    else:
        draw_cell(["STT"], xs[0], xs[1], y, y + h1, bold, True)
        draw_cell(["Chỉ tiêu"], xs[1], xs[2], y, y + h1, bold, True)
        for i, lines in enumerate(per_lines):
            draw_cell(lines, xs[2 + i], xs[3 + i], y, y + h1, bold, True)
        grid.append(["STT", "Chỉ tiêu"] + periods)
        header_bottom = y + h1
        vsplit_from = {i: y for i in range(len(xs))}
    hlines.append((header_bottom, xs[0], xs[-1]))
    y = header_bottom

    records: list[TruthRecord] = []
    stts = _stts(rng, n_rows)
    pool = list(INDICATORS)
    rng.shuffle(pool)
    for k, stt in enumerate(stts):
        indicator = pool[k % len(pool)]
        ind_lines = cell_lines(indicator, ind_w, body)
        h = len(ind_lines) * lh + 2 * pad
        if y + h > h_px - 20 * mm:
            break
        row = [stt, indicator]
        draw_cell([stt], xs[0], xs[1], y, y + h, body, True)
        draw_cell(ind_lines, xs[1], xs[2], y, y + h, body, False)
        parent_row = stt.count(".") < 1 and rng.random() < 0.35
        for i, p in enumerate(periods):
            if parent_row or rng.random() < 0.25:
                row.append("")
                continue
            raw, value = _value(rng, indicator)
            row.append(raw)
            draw_cell([raw], xs[2 + i], xs[3 + i], y, y + h, body, True)
            records.append(TruthRecord(stt, indicator, p, value))
        grid.append(row)
        y += h
        hlines.append((y, xs[0], xs[-1]))
    bottom = y
    # rulings (a borderless table keeps only the layout)
    if not ruled:
        hlines, xs_draw = [], []
    else:
        xs_draw = xs
    if ruled:
        draw.line([(xs[0], y_table), (xs[-1], y_table)], fill=0, width=line_w)
    for yy, x0, x1 in hlines:
        draw.line([(x0, yy), (x1, yy)], fill=0, width=line_w)
    for i, x in enumerate(xs_draw):
        draw.line([(x, vsplit_from[i]), (x, bottom)], fill=0, width=line_w)
    image = degrade(img, profile, seed=seed)
    return TablePage(image, dpi, records, grid, profile.name,
                     {"appendix": f"Phụ lục {appendix_no}", "title": title, "font": font, "periods": periods})


def table_profiles() -> list[Profile]:
    """The scan conditions the bench draws from: 150–300 DPI, skew up to 3°, noise, blur, JPEG."""
    return [
        Profile("clean300", dpi=300),
        Profile("office300", dpi=300, skew_max=1.5, blur_sigma=0.6, noise_sigma=8, jpeg_quality=75),
        Profile("skew3", dpi=300, skew_max=3.0, blur_sigma=0.5, noise_sigma=6, jpeg_quality=80),
        Profile("photocopy200", dpi=200, skew_max=2.0, blur_sigma=0.6, noise_sigma=10, speckle=0.001,
                ink_fade=0.3, background=235, jpeg_quality=70),
        Profile("lowres150", dpi=150, skew_max=1.0, blur_sigma=0.4, noise_sigma=6, jpeg_quality=80),
    ]


def render_grid(grid: list[list[str]], header_rows: int, *, dpi: int = 300, font: str = "LiberationSerif",
                size_pt: float = 10.0, title: Sequence[str] = ()) -> list[Image.Image]:
    """Draw any table grid as ruled A4 pages, the header repeated on each page.

    Merged header cells follow the text-export convention (text at the top-left, the
    covered positions empty): an empty header position takes the span of the label to its
    left when the row below has its own label there, else the span of the label above.
    """
    px = round(size_pt * dpi / 72)
    body, bold = load_font(font, px), load_font(font, px, bold=True)
    mm = dpi / 25.4
    w_px, h_px = int(210 * mm), int(297 * mm)
    left, right, top, bottom = 15 * mm, 12 * mm, 18 * mm, 18 * mm
    width = max(len(r) for r in grid)
    rows = [list(r) + [""] * (width - len(r)) for r in grid]
    table_w = w_px - left - right
    fixed = [0.07, 0.40] if width > 3 else [0.1, 0.5]
    rest = (1 - sum(fixed)) / max(1, width - len(fixed))
    fr = (fixed + [rest] * width)[:width]
    xs = [left]
    for f in fr:
        xs.append(xs[-1] + f * table_w)
    lh, pad = px * 1.3, px * 0.4
    line_w = max(1, round(dpi / 150))

    def lines_of(text: str, c0: int, c1: int, f) -> list[str]:
        out = []
        for para in (text or "").split("\n"):
            out += _wrap(para, f, xs[c1 + 1] - xs[c0] - 2 * pad) or [""]
        return out

    # header spans: (r, c) -> (r1, c1) inclusive
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for r in range(header_rows):
        for c in range(width):
            if (r, c) in covered or not rows[r][c]:
                continue
            c1 = c
            while c1 + 1 < width and not rows[r][c1 + 1] and r + 1 < header_rows and rows[r + 1][c1 + 1]:
                c1 += 1
            r1 = r
            while r1 + 1 < header_rows and all(not rows[r1 + 1][k] for k in range(c, c1 + 1)):
                r1 += 1
            spans[(r, c)] = (r1, c1)
            covered |= {(rr, cc) for rr in range(r, r1 + 1) for cc in range(c, c1 + 1)}
    heights = []
    for r, row in enumerate(rows):
        f = bold if r < header_rows else body
        n = max([len(lines_of(t, c, spans.get((r, c), (r, c))[1], f)) for c, t in enumerate(row) if t] or [1])
        heights.append(n * lh + 2 * pad)

    pages: list[Image.Image] = []

    def new_page():
        img = Image.new("L", (w_px, h_px), 255)
        return img, ImageDraw.Draw(img)

    def draw_text(draw, text, c0, c1, y0, y1, f, center):
        ls = lines_of(text, c0, c1, f)
        yy = y0 + (y1 - y0 - len(ls) * lh) / 2 + (lh - px) / 3
        for ln in ls:
            x = xs[c0] + (xs[c1 + 1] - xs[c0] - f.getlength(ln)) / 2 if center else xs[c0] + pad
            draw.text((x, yy), ln, font=f, fill=0)
            yy += lh

    def draw_header(draw, y):
        ys = [y]
        for r in range(header_rows):
            ys.append(ys[-1] + heights[r])
        for (r, c), (r1, c1) in spans.items():
            draw_text(draw, rows[r][c], c, c1, ys[r], ys[r1 + 1], bold, True)
            draw.rectangle([xs[c], ys[r], xs[c1 + 1], ys[r1 + 1]], outline=0, width=line_w)
        for r in range(header_rows):  # header positions nobody covers still get their box
            for c in range(width):
                if (r, c) not in covered:
                    draw.rectangle([xs[c], ys[r], xs[c + 1], ys[r + 1]], outline=0, width=line_w)
        return ys[-1]

    img, draw = new_page()
    y = top
    for t in title:
        for ln in _wrap(t, bold, table_w):
            draw.text((left + (table_w - bold.getlength(ln)) / 2, y), ln, font=bold, fill=0)
            y += lh
    y = draw_header(draw, y + lh * 0.5)
    for r in range(header_rows, len(rows)):
        if y + heights[r] > h_px - bottom:
            pages.append(img)
            img, draw = new_page()
            y = draw_header(draw, top)
        for c, t in enumerate(rows[r]):
            draw.rectangle([xs[c], y, xs[c + 1], y + heights[r]], outline=0, width=line_w)
            if t:
                draw_text(draw, t, c, c, y, y + heights[r], body, c != 1)
        y += heights[r]
    pages.append(img)
    return pages
