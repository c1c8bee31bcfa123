"""Suite "tables": indicator records from generated ruled-table scans and from the seeds.

A record is right when its STT, period and value equal the truth's and its
indicator text matches: NFC, case- and space-folded, rapidfuzz ratio ≥ 90
(one OCR slip in a long indicator still counts; a different indicator does
not). Records are paired one-to-one, best indicator match first. img2table
(Tesseract OCR backend, lang vie, single thread) reads the same images; its
cells go through the same record builder, so the comparison is of table
reading, not of value parsing.
"""
from __future__ import annotations

import csv
import os
import re
import unicodedata
from pathlib import Path

TITLE = "Appendix tables → indicator records"
ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work" / "tables"
SEEDS = ROOT.parent / "shared" / "seeds"
MATCH = 90.0


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s or "").casefold().split())


def _same_value(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))
    return _norm(str(a)) == _norm(str(b))


def _same_period(a: str, b: str) -> bool:
    """Equal after folding, or one OCR slip in a long label ('(ĐạatKhông đạt)'); years must agree."""
    from rapidfuzz import fuzz

    a, b = _norm(a), _norm(b)
    if a == b:
        return True
    years = re.compile(r"\d{4}")
    return years.findall(a) == years.findall(b) and len(a) > 20 and fuzz.ratio(a, b) >= MATCH


def score(truth: list, got: list, need_stt: bool = True) -> tuple[int, int, int]:
    """(true positives, predicted, truth) for lists of objects with stt/indicator/period/value."""
    from rapidfuzz import fuzz

    free = list(range(len(truth)))
    tp = 0
    for g in got:
        best, best_sim = None, MATCH
        for k in free:
            t = truth[k]
            if (need_stt and t.stt != g.stt) or not _same_period(t.period, g.period) \
                    or not _same_value(t.value, g.value):
                continue
            sim = fuzz.ratio(_norm(t.indicator), _norm(g.indicator))
            if sim >= best_sim:
                best, best_sim = k, sim
        if best is not None:
            free.remove(best)
            tp += 1
    return tp, len(got), len(truth)


def prf(tp: int, n_got: int, n_truth: int) -> tuple[float, float, float]:
    p = tp / n_got if n_got else 0.0
    r = tp / n_truth if n_truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _cpu() -> float:
    """CPU-seconds of this process and its children (Tesseract): unlike the wall clock,
    not inflated by other jobs on a shared machine."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime + _tesseract_cpu()


def _tesseract_cpu() -> float:
    """Finished children (the tesseract program) and the still-running Tesseract engines."""
    from bench.batch import children_cpu
    from pipeline.tesseract import engines_cpu_seconds

    return children_cpu() + engines_cpu_seconds()


HOOK = "sohoa ocr (OCR stage, then its table hook)"


def hook_records(images: list, stem: str, scratch: Path) -> list:
    """Records as `sohoa ocr` makes them: each page (image, dpi) OCR'd by the OCR stage
    (``pipeline.page.ocr_page``, default options: psm 3, levelled, corrected), then
    ``table_extract.ocr_hook.records_from_pages`` on the page results together."""
    from pipeline.options import OcrOptions
    from pipeline.page import ocr_page
    from table_extract.ocr_hook import records_from_pages

    options = OcrOptions(jobs=1, progress=False)
    results = [ocr_page(image, dpi, options, scratch, number=k + 1, name=f"{stem}-{k + 1}")
               for k, (image, dpi) in enumerate(images)]
    return records_from_pages(stem, results)


def _scratch():
    import tempfile

    WORK.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="hook-", dir=WORK)


_I2T_OCR = None


def img2table_tables(path: Path, source: str, borderless: bool = False):
    """img2table's reading of one image, as our Table model (merged cells at their top-left)."""
    from img2table.document import Image as I2TImage
    from img2table.ocr import TesseractOCR

    from table_extract.model import Row, Table

    global _I2T_OCR
    if _I2T_OCR is None:
        _I2T_OCR = TesseractOCR(n_threads=1, lang="vie")
    ocr = _I2T_OCR
    doc = I2TImage(src=str(path), detect_rotation=True)
    out = []
    for et in doc.extract_tables(ocr=ocr, implicit_rows=False, borderless_tables=borderless, min_confidence=50):
        seen = set()
        rows = []
        for cells in et.content.values():
            row = []
            for c in cells:
                key = (c.bbox.x1, c.bbox.y1, c.bbox.x2, c.bbox.y2)
                row.append("" if key in seen else (c.value or ""))
                seen.add(key)
            rows.append(Row(row))
        out.append(Table(rows, source=source, title=et.title or ""))
    return out


def _seed_checks() -> list[str]:
    from table_extract.api import catalogue_from_tables, records_from_tables
    from table_extract.text import tables_from_file

    lines = []
    s001 = next(SEEDS.glob("001_*.txt"), None)
    fixture = ROOT / "tests" / "fixtures" / "seed001_records.tsv"
    if s001 and fixture.exists():
        from types import SimpleNamespace

        with open(fixture, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))

        def typed(r):
            v, t = r["value"], r["value_type"]
            if t in ("bool", "flag"):
                return v == "true"
            if t == "text":
                return v
            return float(v) if "." in v else int(v)

        truth = [SimpleNamespace(stt=r["stt"], indicator=r["indicator"], period=r["period"], value=typed(r))
                 for r in rows]
        got = records_from_tables(tables_from_file(s001))
        tp, n_got, n_truth = score(truth, got)
        exact = {(r["appendix"], r["stt"], r["indicator"], r["parent"], r["period"], r["value_raw"], r["unit"],
                  r["value_type"]) for r in rows}
        exact_got = {(g.appendix, g.stt, g.indicator, g.parent, g.period, g.value_raw, g.unit, g.value_type)
                     for g in got}
        p, r, f = prf(tp, n_got, n_truth)
        lines.append(f"| seed 001 (one cell per line, 6 appendices) | {n_truth} hand-checked records | "
                     f"{p:.3f} | {r:.3f} | {f:.3f} | all columns exact: {len(exact & exact_got)}/{len(exact)} |")
    s004 = next(SEEDS.glob("004_*.txt"), None)
    if s004:
        tables = tables_from_file(s004)
        cat = catalogue_from_tables(tables)
        recs = records_from_tables(tables)
        lines.append(f"| seed 004 (tab-separated empty templates) | {len(tables)} tables | — | — | — | "
                     f"catalogue {len(cat)} indicators, spurious values {len(recs)} |")
    s003 = next(SEEDS.glob("003_*.txt"), None)
    if s003:
        tables = tables_from_file(s003)
        lines.append(f"| seed 003 (English-OCR export, tables flattened; best effort after repair) | "
                     f"{len(tables)} appendices read ({', '.join(t.appendix for t in tables)}) | — | — | — | "
                     f"catalogue {len(catalogue_from_tables(tables))} indicators, values "
                     f"{len(records_from_tables(tables))} |")
    return lines


def _result_rows(results: dict[str, list[int]], have_i2t: bool) -> list[str]:
    rows = []
    for name, (tp, n_got, n_truth) in results.items():
        if name.startswith("img2table") and not have_i2t:
            continue
        p, r, f = prf(tp, n_got, n_truth)
        rows.append(f"| {name} | {tp} / {n_got} / {n_truth} | {p:.3f} | {r:.3f} | **{f:.3f}** |")
    return rows


def _sample_pdf(have_i2t: bool) -> list[str]:
    """samples/ke_hoach_cchc.pdf: a table page drawn by bench.scangen's renderer, not ours."""
    from table_extract.scan import page_images, tables_from_image
    from table_extract.structure import table_records
    from table_extract.text import tables_from_file

    pdf, truth_txt = ROOT / "samples" / "ke_hoach_cchc.pdf", ROOT / "samples" / "ke_hoach_cchc.truth.txt"
    if not pdf.exists() or not truth_txt.exists():
        return []
    truth = [r for t in tables_from_file(truth_txt) for r in table_records(t)]
    results = {"sohoa (ours)": [0, 0, 0], HOOK: [0, 0, 0], "img2table 2.0 + Tesseract vie": [0, 0, 0]}
    ours, theirs, images = [], [], []
    for number, image, dpi in page_images(pdf):
        ours += tables_from_image(image, dpi, source=pdf.name, page=number)
        images.append((image, dpi))
        if have_i2t:
            path = WORK / f"sample_page{number}.png"
            image.save(path, dpi=(dpi, dpi))
            theirs += img2table_tables(path, path.name)
    for name, found in (("sohoa (ours)", ours), ("img2table 2.0 + Tesseract vie", theirs)):
        results[name] = list(score(truth, [r for t in found for r in table_records(t)]))
    with _scratch() as scratch:
        results[HOOK] = list(score(truth, hook_records(images, "sample", scratch)))
    return ["", "`samples/ke_hoach_cchc.pdf` (3 scanned pages; the table on page 3 is drawn by "
            "`bench/scangen.render_table`, an independent renderer; truth = `ke_hoach_cchc.truth.txt`):", "",
            "| system | right / found / truth | precision | recall | F1 |", "|---|---|---|---|---|"
            ] + _result_rows(results, have_i2t)


def _seed_scans(quick: bool, have_i2t: bool) -> list[str]:
    """Seed 001's appendices drawn as ruled pages, scanned (office profile) and read back.

    The truth is the text export's records (equal to the hand-checked fixture). Phụ lục 2 is
    left out: its export has a ragged group column with no single faithful drawing.
    """
    from bench.scangen import degrade
    from bench.tablegen import render_grid, table_profiles
    from table_extract.scan import link_pages, tables_from_image
    from table_extract.structure import analyse, table_records
    from table_extract.text import tables_from_file

    s001 = next(SEEDS.glob("001_*.txt"), None)
    if s001 is None:
        return []
    prof = next(p for p in table_profiles() if p.name == "office300")
    tables = [t for t in tables_from_file(s001) if t.appendix and t.appendix != "Phụ lục 2"]
    if quick:
        tables = [t for t in tables if t.appendix == "Phụ lục 4"]
    results = {"sohoa (ours)": [0, 0, 0], HOOK: [0, 0, 0], "img2table 2.0 + Tesseract vie": [0, 0, 0]}
    n_pages = 0
    for t in tables:
        truth = table_records(t)
        pages = render_grid(t.grid(), analyse(t).header_rows, dpi=prof.dpi, title=[t.appendix, t.title])
        ours, theirs, images = [], [], []
        for i, page in enumerate(pages):
            n_pages += 1
            image = degrade(page, prof, seed=500 + i)
            ours += tables_from_image(image, prof.dpi, source="seed001", page=i + 1)
            images.append((image, prof.dpi))
            if have_i2t:
                path = WORK / f"seed001_{t.appendix.replace(' ', '')}_{i + 1}.png"
                image.save(path, dpi=(prof.dpi, prof.dpi))
                try:
                    theirs += img2table_tables(path, path.name)
                except Exception as exc:  # a crash on one page scores as nothing found
                    print(f"img2table failed on {path.name}: {exc}")
        for name, found in (("sohoa (ours)", link_pages(ours)), ("img2table 2.0 + Tesseract vie", theirs)):
            got = [r for x in found for r in table_records(x)]
            results[name] = [a + b for a, b in zip(results[name], score(truth, got))]
        with _scratch() as scratch:
            got = hook_records(images, "seed001", scratch)
        results[HOOK] = [a + b for a, b in zip(results[HOOK], score(truth, got))]
        print(f"seed 001 {t.appendix} as a scan: {len(pages)} pages, ours {results['sohoa (ours)']}, "
              f"through the hook {results[HOOK]}", flush=True)
    out = ["", f"Seed 001's appendices ({', '.join(t.appendix for t in tables)}) drawn as ruled A4 pages "
           f"(`render_grid`), degraded with the office300 profile, {n_pages} pages; truth = the text "
           "export's records:", "", "| system | right / found / truth | precision | recall | F1 |",
           "|---|---|---|---|---|"]
    return out + _result_rows(results, have_i2t)


def _borderless(quick: bool, have_i2t: bool) -> list[str]:
    """The same generator without rulings: our word-alignment fallback vs img2table's borderless mode."""
    from bench.tablegen import make_table_page, table_profiles
    from table_extract.scan import tables_from_image
    from table_extract.structure import table_records

    names = ("clean300",) if quick else ("clean300", "office300", "lowres150")
    results = {"sohoa (ours)": [0, 0, 0], HOOK: [0, 0, 0], "img2table 2.0 + Tesseract vie": [0, 0, 0]}
    for k, prof in enumerate(p for p in table_profiles() if p.name in names):
        page = make_table_page(2000 + k, prof, ruled=False)
        found = tables_from_image(page.image, page.dpi, source="borderless", page=1)
        got = [r for t in found for r in table_records(t)]
        results["sohoa (ours)"] = [a + b for a, b in zip(results["sohoa (ours)"], score(page.records, got))]
        with _scratch() as scratch:
            got = hook_records([(page.image, page.dpi)], "borderless", scratch)
        results[HOOK] = [a + b for a, b in zip(results[HOOK], score(page.records, got))]
        if have_i2t:
            path = WORK / f"borderless_{2000 + k}_{prof.name}.png"
            page.image.save(path, dpi=(page.dpi, page.dpi))
            try:
                theirs = img2table_tables(path, path.name, borderless=True)
            except Exception as exc:  # a crash on one page scores as nothing found
                print(f"img2table failed on {path.name}: {exc}")
                theirs = []
            got2 = [r for t in theirs for r in table_records(t)]
            name = "img2table 2.0 + Tesseract vie"
            results[name] = [a + b for a, b in zip(results[name], score(page.records, got2))]
        print(f"borderless {prof.name}: ours {results['sohoa (ours)']}, through the hook {results[HOOK]}",
              flush=True)
    out = ["", f"Borderless tables (the generator without rulings; {', '.join(names)}; "
           "img2table with `borderless_tables=True`):", "",
           "| system | right / found / truth | precision | recall | F1 |", "|---|---|---|---|---|"]
    return out + _result_rows(results, have_i2t)


def _no_table_pages(quick: bool) -> list[str]:
    """Spurious records through `sohoa ocr`: the OCR bench's pages (`bench.ocr.make_pages`: running
    text, mastheads, rotated and skewed scans) and the seeds rendered as office scans hold no
    table, so every record the hook finds on them is wrong."""
    from PIL import Image

    from bench.ocr import make_pages
    from bench.scangen import MASTHEAD, PROFILES, clean_seed_text, degrade, render_document
    from pipeline.options import OcrOptions
    from pipeline.page import ocr_page
    from table_extract.ocr_hook import records_from_pages

    options = OcrOptions(jobs=1, progress=False)
    found: dict[str, list[int]] = {}  # set → [pages, pages with records, records]
    hook_cpu = 0.0
    with _scratch() as scratch:
        scratch = Path(scratch)
        made = make_pages(1 if quick else 6, scratch)
        images = [("OCR bench pages", pg["path"], pg["path"].stem) for pg in made]  # opened one at a time
        prof = PROFILES["office"]
        for seed in sorted(SEEDS.glob("*.txt")):
            paras = clean_seed_text(seed.read_text(encoding="utf-8"))
            for i, page in enumerate(render_document(paras, header=MASTHEAD, dpi=prof.dpi,
                                                     max_pages=1 if quick else 4)):
                images.append(("seeds as office scans", degrade(page.image, prof, seed=i), f"{seed.stem[:3]}-{i}"))
        for kind, image, name in images:
            if isinstance(image, Path):
                with Image.open(image) as opened:
                    image = opened.copy()
            dpi = int(round(image.info.get("dpi", (prof.dpi, prof.dpi))[0]))
            result = ocr_page(image, dpi, options, scratch, name=name)
            t0 = _cpu()
            n = len(records_from_pages(name, [result]))
            hook_cpu += _cpu() - t0
            row = found.setdefault(kind, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + 1, row[1] + (n > 0), row[2] + n
    out = ["", "Pages without a table through `sohoa ocr` (OCR stage, then the table hook): every record "
           "is spurious. The OCR bench's pages (`bench/ocr.py`: running text under mastheads, "
           f"{len(PROFILES)} scan profiles incl. rotated and 5° skew) and the seeds' first "
           f"{1 if quick else 4} pages each, rendered under a masthead and degraded as office scans:", "", "| pages | count | pages with records | spurious records |", "|---|---|---|---|"]
    out += [f"| {kind} | {a} | {b} | {c} |" for kind, (a, b, c) in found.items()]
    pages = sum(v[0] for v in found.values())
    out += ["", f"The table hook's CPU on these pages: {1000 * hook_cpu / max(1, pages):.0f} ms per page (mean)."]
    return out


def _hook_cost(quick: bool) -> list[str]:
    """CPU the table stage adds to `sohoa ocr` per page: pages OCR'd once by the OCR stage, then
    its hook (``table_extract.ocr_hook``) timed on each, best of three."""
    import tempfile

    from bench.scangen import MASTHEAD, PROFILES, clean_seed_text, degrade, render_document
    from bench.tablegen import make_table_page, table_profiles
    from pipeline.options import OcrOptions
    from pipeline.page import ocr_page
    from table_extract.ocr_hook import records_from_pages

    s002 = next(SEEDS.glob("002_*.txt"), None)
    if s002 is None:
        return []
    paras = clean_seed_text(s002.read_text(encoding="utf-8"))
    kinds: dict[str, list] = {"prose (no table)": [], "ruled table": [], "borderless table": []}  # (image, dpi)
    for k, name in enumerate(("office",) if quick else ("office", "photocopy", "lowres150")):
        prof = PROFILES[name]
        page = render_document(paras[12 * k:], header=MASTHEAD, dpi=prof.dpi, max_pages=1)[0]
        kinds["prose (no table)"].append((degrade(page.image, prof, seed=k), prof.dpi))
    tprof = {p.name: p for p in table_profiles()}
    for k, name in enumerate(("office300",) if quick else ("office300", "photocopy200")):
        kinds["ruled table"].append((make_table_page(3000 + k, tprof[name]).image, tprof[name].dpi))
    kinds["borderless table"].append((make_table_page(3100, tprof["clean300"], ruled=False).image, 300))
    options = OcrOptions(jobs=1, progress=False)

    out = ["", "The table stage inside `sohoa ocr` (`table_extract/ocr_hook.py` on the OCR stage's page "
           "results: page JPEG and words), CPU per page including the Tesseract runs that read table "
           "cells, best of 3:", "", "| page | pages | CPU ms/page | of which Tesseract | records found |",
           "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-hook-") as scratch:
        for kind, pages in kinds.items():
            cpu = tess = 0.0
            found = 0
            for k, (image, dpi) in enumerate(pages):
                result = ocr_page(image, dpi, options, Path(scratch), name=f"{kind.split()[0]}{k}")
                best = None
                for _ in range(3):
                    t0, c0 = _cpu(), _tesseract_cpu()
                    records = records_from_pages("bench", [result])
                    spent = (_cpu() - t0, _tesseract_cpu() - c0)
                    best = spent if best is None or spent[0] < best[0] else best
                cpu, tess, found = cpu + best[0], tess + best[1], found + len(records)
            out.append(f"| {kind} | {len(pages)} | {1000 * cpu / len(pages):.0f} | "
                       f"{1000 * tess / len(pages):.0f} | {found} |")
    return out


def run(quick: bool = False) -> str:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from bench.tablegen import make_table_page, table_profiles
    from table_extract.scan import tables_from_image
    from table_extract.structure import table_records

    WORK.mkdir(parents=True, exist_ok=True)
    profiles = table_profiles()
    per_profile = 1 if quick else 4
    systems = {"sohoa (ours)": {}, HOOK: {}, "img2table 2.0 + Tesseract vie": {}}
    seconds = {k: 0.0 for k in systems}
    pages = 0
    try:
        import img2table  # noqa: F401
        have_i2t = True
    except ImportError:
        have_i2t = False
        del systems["img2table 2.0 + Tesseract vie"]
    for pi, prof in enumerate(profiles):
        for k in range(per_profile):
            seed = 1000 + pi * 100 + k
            page = make_table_page(seed, prof)
            pages += 1
            path = WORK / f"table_{seed}_{prof.name}.png"
            page.image.save(path, dpi=(page.dpi, page.dpi))
            t0 = _cpu()
            ours = tables_from_image(page.image, page.dpi, source=path.name, page=1)
            got = [r for t in ours for r in table_records(t)]
            seconds["sohoa (ours)"] += _cpu() - t0
            systems["sohoa (ours)"].setdefault(prof.name, []).append(
                score(page.records, got) + score(page.records, got, need_stt=False)[:1])
            t0 = _cpu()
            with _scratch() as scratch:
                got = hook_records([(page.image, page.dpi)], path.stem, scratch)
            seconds[HOOK] += _cpu() - t0
            systems[HOOK].setdefault(prof.name, []).append(
                score(page.records, got) + score(page.records, got, need_stt=False)[:1])
            if have_i2t:
                t0 = _cpu()
                try:
                    theirs = img2table_tables(path, path.name)
                except Exception as exc:  # a crash on one page scores as nothing found
                    print(f"img2table failed on {path.name}: {exc}")
                    theirs = []
                got2 = [r for t in theirs for r in table_records(t)]
                seconds["img2table 2.0 + Tesseract vie"] += _cpu() - t0
                systems["img2table 2.0 + Tesseract vie"].setdefault(prof.name, []).append(
                    score(page.records, got2) + score(page.records, got2, need_stt=False)[:1])
            print(f"{path.name}: truth {len(page.records)}, ours {systems['sohoa (ours)'][prof.name][-1][0]} right, "
                  f"through the hook {systems[HOOK][prof.name][-1][0]}"
                  + (f", img2table {systems['img2table 2.0 + Tesseract vie'][prof.name][-1][0]} right"
                     if have_i2t else ""), flush=True)

    out = ["Generated ruled appendix tables (`bench/tablegen.py`: 2–6 period columns, merged group header, "
           "wrapped indicators, hierarchical STT, Vietnamese number formats), "
           f"{pages} pages, {per_profile} per scan profile. Record = STT + period + value exact, indicator "
           "text rapidfuzz ratio ≥ 90 after NFC/case/space folding. "
           f"*{HOOK}*: the same page through `sohoa ocr`'s path (`pipeline.page.ocr_page` with default "
           "options, then `table_extract.ocr_hook.records_from_pages` on its result); its CPU includes "
           "the page's OCR.", "",
           "| system | records right / found / truth | precision | recall | F1 | F1 if STT is not required | "
           "CPU s/page (with Tesseract) |",
           "|---|---|---|---|---|---|---|"]
    for name, by_prof in systems.items():
        tp = sum(x[0] for v in by_prof.values() for x in v)
        n_got = sum(x[1] for v in by_prof.values() for x in v)
        n_truth = sum(x[2] for v in by_prof.values() for x in v)
        p, r, f = prf(tp, n_got, n_truth)
        f_loose = prf(sum(x[3] for v in by_prof.values() for x in v), n_got, n_truth)[2]
        out.append(f"| {name} | {tp} / {n_got} / {n_truth} | {p:.3f} | {r:.3f} | **{f:.3f}** | {f_loose:.3f} | "
                   f"{seconds[name] / max(1, pages):.1f} |")
    out += ["", "F1 by scan profile:", "",
            "| profile | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for prof in profiles:
        cells = []
        for name in systems:
            v = systems[name].get(prof.name, [])
            cells.append(f"{prf(sum(x[0] for x in v), sum(x[1] for x in v), sum(x[2] for x in v))[2]:.3f}")
        desc = f"{prof.dpi} DPI, skew ≤ {prof.skew_max:g}°, noise σ {prof.noise_sigma:g}"
        out.append(f"| {prof.name} ({desc}) | " + " | ".join(cells) + " |")
    out += _sample_pdf(have_i2t)
    out += _seed_scans(quick, have_i2t)
    out += _borderless(quick, have_i2t)
    out += _hook_cost(quick)
    out += _no_table_pages(quick)
    out += ["", "Text exports (the seeds):", "",
            "| input | truth | precision | recall | F1 | notes |", "|---|---|---|---|---|---|"]
    out += _seed_checks()
    return "\n".join(out)
