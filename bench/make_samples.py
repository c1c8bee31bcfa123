"""Build samples/ from the seed documents (run: python -m bench.make_samples).

- ``samples/ke_hoach_cchc.pdf``: a three-page scanned-looking plan (the Hà Nội
  administrative-reform plan, seed 004): a masthead/title page, a body page and
  a "Phụ lục 1" statistics-table page, rendered by bench.scangen and degraded
  like an office scan (slight skew, blur, noise, JPEG). The seed's table cells
  are empty, so the figures in the sample table are made-up small counts
  (deterministic), there only to give the table realistic content.
- ``samples/ke_hoach_cchc.truth.txt``: its ground truth, pages separated by form feeds.
- ``samples/contract_page_1.jpg``: a real colour contract scan, copied from ../shared/scans.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

from bench.scangen import PROFILES, Header, clean_seed_text, degrade, render_document, render_table, write_pdf

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "004_6ba27df1980e2c46.txt"
HEADER = Header(
    left=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI", "Số: 28/KH-UBND"),
    right=("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 11 tháng 02 năm 2020"),
)
TITLE = ("KẾ HOẠCH", "Tổng kết Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011 - 2020")


def _body_paragraphs(text: str) -> list[str]:
    paras = clean_seed_text(text)
    start = next(i for i, p in enumerate(paras) if p.startswith("Thực hiện Quyết định"))
    end = next(i for i, p in enumerate(paras) if p.startswith("Phụ lục 1"))
    return paras[start:end]


def _table(text: str, n_rows: int, seed: int) -> tuple[list[str], list[list[str]]]:
    rows = [r.split("\t") for r in text.splitlines() if r.count("\t") >= 3]
    header = rows[0]
    keep = [0, 1, 2, 6, 7, 8]  # STT, Chỉ tiêu, Đơn vị, Năm 2018-2020: fits a portrait page
    rng = random.Random(seed)
    body = []
    for r in rows[1:]:
        if r == header:
            continue
        r = (r + [""] * len(header))[:len(header)]
        cells = [r[k].strip() for k in keep]
        cells[3:] = [str(rng.randint(1, 40)) for _ in cells[3:]]
        body.append(cells)
        if len(body) == n_rows:
            break
    return [header[k].strip() for k in keep], body


def build(outdir: Path = ROOT / "samples") -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    profile = PROFILES["office"]
    dpi = 200  # a common office-scanner setting; keeps the sample small
    pages = render_document(_body_paragraphs(text), font="LiberationSerif", size_pt=13, dpi=dpi,
                            header=HEADER, title=TITLE, max_pages=2)
    header, rows = _table(text, 14, seed=4)
    table = render_table(header, rows, title=("Phụ lục 1", "THỐNG KÊ CÁC CHỈ TIÊU, NHIỆM VỤ VỀ CẢI CÁCH HÀNH CHÍNH"),
                         col_widths=(0.6, 4.2, 1.8, 1, 1, 1), size_pt=11, dpi=dpi)
    pages.append(table)
    images = [degrade(p.image, profile, seed=40 + i) for i, p in enumerate(pages)]
    pdf = outdir / "ke_hoach_cchc.pdf"
    write_pdf(images, pdf, dpi=dpi)
    truth = outdir / "ke_hoach_cchc.truth.txt"
    truth.write_text("\f".join(p.truth for p in pages) + "\n", encoding="utf-8")
    scan = outdir / "contract_page_1.jpg"
    shutil.copyfile(SHARED / "scans" / "contract_page_1.jpg", scan)
    return [pdf, truth, scan]


if __name__ == "__main__":
    for path in build():
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size / 1e6:.2f} MB")
