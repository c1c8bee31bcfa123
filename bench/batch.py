"""Suite "batch": `sohoa run` on a generated archive — throughput against raw Tesseract and a kill test.

The archive (``make_archive``) is real rendered Vietnamese text: paragraphs of
the seed reports laid out by ``bench.scangen`` at 300 DPI, cut to short pages
of a few lines (as many scanned annexes and letters are), saved as multi-page
PDFs, multi-page TIFFs, PNGs and JPEGs, some documents ending with a ruled
"Phụ lục" table page (``bench.tablegen``), plus three bad files: a corrupt
PDF, an encrypted PDF and an empty file.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TITLE = "Batch runs (`sohoa run`)"
ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work" / "batch"
SEEDS = ROOT.parent / "shared" / "seeds"
DPI = 300
PAGE_MM = 70          # page height: a masthead or a few paragraphs, not a full A4 sheet
BAD_FILES = ("corrupt.pdf", "encrypted.pdf", "empty.pdf")


def _paragraphs() -> list[str]:
    from bench.scangen import clean_seed_text

    paras: list[str] = []
    for p in sorted(SEEDS.glob("00[0124]_*.txt")):  # 003 is the garbled OCR export
        paras += [x for x in clean_seed_text(p.read_text(encoding="utf-8")) if 60 <= len(x) <= 400]
    return paras


def _short_pages(paras: list[str], n: int, rng: random.Random, profile: str) -> list:
    """``n`` pages of real rendered text, each ``PAGE_MM`` high, lightly degraded."""
    from bench.scangen import MASTHEAD, PROFILES, degrade, render_document

    out = []
    while len(out) < n:
        start = rng.randrange(len(paras))
        chunk = paras[start:start + 3] or paras[:3]
        header = MASTHEAD if not out else None
        # Bottom margin leaves PAGE_MM of the A4 sheet for text; the rest is cropped away.
        pages = render_document(chunk, dpi=DPI, header=header, margins_mm=(12, 297 - PAGE_MM + 8, 25, 18),
                                max_pages=n - len(out))
        for i, pg in enumerate(pages):
            img = pg.image.crop((0, 0, pg.image.width, round(PAGE_MM / 25.4 * DPI)))
            out.append(degrade(img, PROFILES[profile], seed=rng.randrange(10**6)))
    return out[:n]


KINDS = ("pdf", "pdf", "tiff", "pdf", "png", "jpg")


def make_archive(dest: Path, *, docs: int = 24, pages: tuple[int, int] = (6, 12), tables: int = 3,
                 seed: int = 6, bad: bool = True, kinds: tuple[str, ...] = KINDS) -> dict:
    """Write the archive into ``dest`` (sub-folders by year); return a description of it."""
    from PIL import Image

    from bench.scangen import write_pdf
    from bench.tablegen import make_table_page

    rng = random.Random(seed)
    paras = _paragraphs()
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    files = []
    for d in range(docs):
        kind = kinds[d % len(kinds)]
        n = 1 if kind in ("png", "jpg") else rng.randint(*pages)
        imgs = _short_pages(paras, n, rng, "clean" if d % 3 else "office")
        if kind in ("pdf", "tiff") and d < tables * 2 and d % 2 == 0:
            imgs.append(make_table_page(seed * 100 + d).image)  # an appendix at the end
        folder = dest / f"{2019 + d % 3}"
        folder.mkdir(exist_ok=True)
        path = folder / f"bao-cao-{d:03d}.{kind}"
        if kind == "pdf":
            write_pdf(imgs, path, DPI)
        elif kind == "tiff":
            imgs[0].save(path, save_all=True, append_images=imgs[1:], dpi=(DPI, DPI), compression="tiff_lzw")
        elif kind == "png":
            imgs[0].save(path, dpi=(DPI, DPI))
        else:
            imgs[0].convert("RGB").save(path, quality=90, dpi=(DPI, DPI))
        total += len(imgs)
        files.append(path)
    if bad:
        bad_dir = dest / "loi"
        bad_dir.mkdir(exist_ok=True)
        good = next(f for f in files if f.suffix == ".pdf")
        data = good.read_bytes()
        (bad_dir / "corrupt.pdf").write_bytes(data[: len(data) // 3])  # a transfer cut short
        import pikepdf

        with pikepdf.open(good) as pdf:
            pdf.save(bad_dir / "encrypted.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))
        (bad_dir / "empty.pdf").write_bytes(b"")
    del Image
    return {"documents": docs, "pages": total, "files": [str(f) for f in files]}


def sohoa_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "run", *args]


def freeze_code(dest: Path) -> Path:
    """A copy of the packages to run `sohoa run` from (as cwd): code edited while a comparison
    runs must not change its outputs half-way, and would (rightly) void every finished document."""
    from pipeline.batch import CODE_PACKAGES

    shutil.rmtree(dest, ignore_errors=True)
    for package in CODE_PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def run_sohoa(code: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(sohoa_cmd(*args), cwd=code, capture_output=True, text=True, env=_env(code),
                          timeout=timeout)


def output_digest(outdir: Path) -> dict[str, str]:
    """sha256 of every text, JSON and table output plus the collection CSV (not the PDFs or timings)."""
    out = {}
    for p in sorted(outdir.rglob("*")):
        if p.is_file() and STATE_DIRNAME not in p.parts and (
                p.name.endswith((".txt", ".json", ".tables.csv")) or p.name == "indicators.csv"):
            out[p.relative_to(outdir).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


STATE_DIRNAME = ".sohoa"


def manifest(outdir: Path) -> list[dict]:
    return [json.loads(ln) for ln in (outdir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def duckdb_rows(outdir: Path) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(outdir / "indicators.duckdb"), read_only=True)
    try:
        return con.execute("SELECT * FROM indicators").fetchall()
    finally:
        con.close()


def kill_run(code: Path, archive: Path, outdir: Path, jobs: int, kills: int, rng: random.Random,
             window: tuple[float, float]) -> list[float]:
    """Start `sohoa run` ``kills`` times, SIGKILL each at a random moment; return when each was killed."""
    moments = []
    for _ in range(kills):
        proc = subprocess.Popen(sohoa_cmd(str(archive), "-o", str(outdir), "-j", str(jobs), "-q"),
                                cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=_env(code))
        at = rng.uniform(*window)
        try:
            proc.wait(timeout=at)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        moments.append(round(at, 1))
    return moments


def _env(code: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    env["PYTHONPATH"] = str(code) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def raw_tesseract(archive: Path, jobs: int) -> tuple[float, int]:
    """Plain ``tesseract -l vie`` on every page, ``jobs`` processes; PDFs are rasterised with pdftoppm first."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.batch import discover
    from pipeline.ingest import open_source
    from pipeline.errors import SohoaError

    tmp = Path(tempfile.mkdtemp(prefix="raw-", dir=WORK))
    jobs_list = []
    for f in discover([archive], tmp):
        try:
            src = open_source(f.path)
        except SohoaError:
            continue
        for i in range(src.pages):
            jobs_list.append((f.path, src.kind, i, src.page_dpis[i]))

    def one(job) -> None:
        path, kind, i, dpi = job
        base = tmp / f"{path.stem}-{path.suffix[1:]}-{i}"
        if kind == "pdf":
            subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(i + 1), "-l", str(i + 1),
                            "-singlefile", str(path), str(base)], check=True, env=_env())
            image = f"{base}.pgm"
        elif path.suffix.lower() in (".tif", ".tiff"):
            image = f"{path}"  # Tesseract reads every frame of a TIFF; only frame 0 is run per job
        else:
            image = str(path)
        if kind != "pdf" and path.suffix.lower() in (".tif", ".tiff"):
            from PIL import Image

            with Image.open(path) as im:
                im.seek(i)
                im.save(f"{base}.png", dpi=(dpi, dpi), compress_level=1)
            image = f"{base}.png"
        subprocess.run(["tesseract", image, str(base), "-l", "vie"], check=True, env=_env(),
                       capture_output=True)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, jobs_list))
    took = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    return took, len(jobs_list)


def _run_clean(archive: Path, outdir: Path, jobs: int, extra: tuple[str, ...] = ()) -> tuple[float, int, str]:
    shutil.rmtree(outdir, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run(sohoa_cmd(str(archive), "-o", str(outdir), "-j", str(jobs), "-q", *extra),
                          cwd=ROOT, capture_output=True, text=True, env=_env())
    return time.perf_counter() - t0, proc.returncode, proc.stderr


def run(quick: bool = False) -> str:
    jobs = 2
    WORK.mkdir(parents=True, exist_ok=True)
    archive = WORK / ("archive-quick" if quick else "archive")
    spec = dict(docs=8, pages=(2, 4), tables=1) if quick else dict(docs=24, pages=(6, 12), tables=3)
    shutil.rmtree(archive, ignore_errors=True)
    desc = make_archive(archive, **spec)
    print(f"batch: archive {desc['documents']} documents, {desc['pages']} pages + 3 bad files", flush=True)

    raw_s, raw_pages = raw_tesseract(archive, jobs)
    print(f"batch: raw tesseract {raw_pages} pages in {raw_s:.1f} s", flush=True)
    clean = WORK / "out-clean"
    run_s, code, err = _run_clean(archive, clean, jobs)
    print(f"batch: sohoa run {run_s:.1f} s, exit {code}", flush=True)
    man = manifest(clean)
    ok_pages = sum(m["pages"] for m in man if m["status"] == "ok")
    digest = output_digest(clean)

    killed = WORK / "out-killed"
    shutil.rmtree(killed, ignore_errors=True)
    rng = random.Random(2026)
    moments = kill_run(archive, killed, jobs, 5, rng, (2.0, max(4.0, run_s * 0.35)))
    t0 = time.perf_counter()
    proc = subprocess.run(sohoa_cmd(str(archive), "-o", str(killed), "-j", str(jobs), "-q"), cwd=ROOT,
                          capture_output=True, text=True, env=_env())
    rerun_s = time.perf_counter() - t0
    kman = manifest(killed)
    kdigest = output_digest(killed)
    same = kdigest == digest
    db_same = duckdb_rows(killed) == duckdb_rows(clean)
    missing_pages = ok_pages - sum(m["pages"] for m in kman if m["status"] == "ok")
    bad_reported = sorted(Path(m["path"]).name for m in kman if m["status"] == "failed")
    summary_names = sorted(n for n in BAD_FILES if n in proc.stderr)
    leftovers = [p.name for p in killed.rglob("*.part")]

    ratio = (raw_pages / raw_s) and (desc["pages"] / run_s) / (raw_pages / raw_s)
    lines = [
        f"Archive: {desc['documents']} documents, {desc['pages']} pages (300 DPI pages {PAGE_MM} mm high of "
        f"rendered seed-report text, PDF/TIFF/PNG/JPEG in 3 year folders, {spec['tables']} ruled appendix "
        f"tables) plus a corrupt PDF, an encrypted PDF and an empty file. {jobs} processes each side, "
        f"same machine, same run.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| raw `tesseract -l vie` (PDF pages via `pdftoppm`), {raw_pages} pages | {raw_s:.1f} s, "
        f"{raw_pages / raw_s:.3f} pages/s |",
        f"| `sohoa run` clean, all outputs (txt, raw, JSON, PDF, tables, manifest, CSV, DuckDB) | {run_s:.1f} s, "
        f"{desc['pages'] / run_s:.3f} pages/s |",
        f"| throughput vs raw Tesseract (target ≥ 0.85) | **{ratio:.2f}×** |",
        f"| clean run exit code (bad files present) | {code} |",
        f"| kill test: SIGKILL after (s) | {', '.join(map(str, moments))} |",
        f"| kill test: rerun time, exit code | {rerun_s:.1f} s, {proc.returncode} |",
        f"| kill test: text/JSON/tables/indicators.csv identical to clean run | "
        f"{'yes' if same else 'NO'} ({len(kdigest)} files) |",
        f"| kill test: indicators.duckdb rows identical | {'yes' if db_same else 'NO'} "
        f"({len(duckdb_rows(killed))} rows) |",
        f"| kill test: pages missing | {missing_pages} |",
        f"| kill test: bad files failed in manifest / named in summary | {', '.join(bad_reported) or 'none'} / "
        f"{', '.join(summary_names) or 'none'} |",
        f"| kill test: leftover temporary files | {len(leftovers)} |",
    ]
    return "\n".join(lines) + "\n"
