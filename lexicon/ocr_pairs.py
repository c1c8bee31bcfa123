"""Aligned (truth, OCR output) page pairs for learning the OCR confusion model.

Renders accented Vietnamese from ``../shared/corpus`` (never the devset, which
is kept for measuring) with the synthetic-scan generator, in several fonts,
sizes and degradation profiles, and runs Tesseract on each page twice:

* ``-l eng`` reproduces the wrong-language exports (seed 003: ``Chwong``,
  ``nwéc``, ``s6``, ``ctia``, ``Pang``);
* ``-l vie`` gives Tesseract's own Vietnamese errors (``bổ ung``, ``Luậi``).

Pages are cached one JSON file each under ``bench/work/ocr_pairs/`` so the
(slow) generation can be interrupted and resumed::

    nice -n 10 python -m lexicon.ocr_pairs --pages 200
    python -m lexicon.build_confusion
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
DEFAULT_OUT = ROOT / "bench" / "work" / "ocr_pairs"
OCR_CACHE = ROOT / "bench" / "work" / "ocr_cache"

# Seed 003 came from an ordinary office scan, so most wrong-language pages are
# clean or lightly degraded; `vie` pages cover the harsher profiles too.
PROFILE_WEIGHTS = {"clean": 3, "office": 3, "lowres150": 2, "photocopy": 2, "harsh": 1, "skew5": 1}
FONTS = ("LiberationSerif", "LiberationSerif", "LiberationSans", "FreeSerif", "DejaVuSerif",
         "DejaVuSans", "NotoSerif", "NotoSans")
# Office documents run from 10.5 pt tables to 15 pt headings; English OCR garbles
# the marks differently at each (a small `ứ` loses its horn, a large one reads `ir`).
SIZES = (10.5, 11.5, 12, 13, 13, 14, 15)


def corpus_paragraphs(max_lines_per_file: int = 60000, seed: int = 0) -> list[str]:
    """A deterministic sample of body-text paragraphs from the training corpora."""
    rng = random.Random(seed)
    out: list[str] = []
    for name in ("legal_phapdien.txt.gz", "legal_vlc.txt.gz", "news_dantri.txt.gz", "viwiki.txt.gz"):
        path = CORPUS / name
        if not path.exists():
            continue
        keep: list[str] = []
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            for i, line in enumerate(fh):
                if i >= max_lines_per_file:
                    break
                line = unicodedata.normalize("NFC", line.strip())
                if line.startswith("#") or not 30 <= len(line) <= 600 or "|" in line:
                    continue
                keep.append(line)
        rng.shuffle(keep)
        # Legal text dominates: it is what the project digitises.
        share = 4000 if name.startswith("legal") else 1200
        out.extend(keep[:share])
    rng.shuffle(out)
    return out


def tesseract(image, lang: str, dpi: int, psm: int = 3, timeout: int = 180, renderer: str | None = None) -> str:
    """Tesseract on a PIL image; cached on disk by image content and options.

    ``renderer`` (e.g. ``"tsv"``): that output instead of the plain text.
    """
    buf = io.BytesIO()
    image.save(buf, "PNG")
    data = buf.getvalue()
    key = hashlib.sha1(data + f"|{lang}|{dpi}|{psm}".encode() + (f"|{renderer}".encode() if renderer else b"")
                       ).hexdigest()
    cached = OCR_CACHE / key[:2] / f"{key}.txt"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    exe = shutil.which("tesseract")
    if exe is None:
        raise RuntimeError("tesseract not found; run scripts/setup.sh")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.run([exe, "stdin", "stdout", "-l", lang, "--dpi", str(dpi), "--psm", str(psm),
                           *([renderer] if renderer else [])],
                          input=data, capture_output=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract failed: {proc.stderr.decode(errors='replace')[:300]}")
    text = unicodedata.normalize("NFC", proc.stdout.decode("utf-8", errors="replace"))
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, cached)
    return text


def make_page(paragraphs: list[str], rng: random.Random, profile_name: str | None = None,
              font: str | None = None, masthead: bool | None = None,
              sizes: tuple[float, ...] = (11.5, 12, 13, 13, 14)):
    """Render one degraded page: (image, truth, meta). Adds headings (and masthead) at random.

    ``masthead=False`` leaves out the two-column masthead, whose reading order
    Tesseract may not share with the truth (useful when scoring word order).
    ``sizes``: font sizes drawn from; the default keeps the bench's pages as they were.
    """
    from bench import scangen

    names = list(PROFILE_WEIGHTS)
    profile_name = profile_name or rng.choices(names, weights=[PROFILE_WEIGHTS[n] for n in names])[0]
    profile = scangen.PROFILES[profile_name]
    font = font or rng.choice([f for f in FONTS if f in scangen.available_fonts()])
    size = rng.choice(sizes)
    with_masthead = rng.random() < 0.25
    header = scangen.MASTHEAD if (with_masthead if masthead is None else masthead) else None
    title = ()
    paras = list(paragraphs)
    if rng.random() < 0.5 and paras:
        t = paras.pop(0)
        title = (" ".join(t.split()[:rng.randint(3, 12)]).upper(),)
    # Roman-numbered upper-case headings, as in administrative plans.
    for i in range(len(paras)):
        if rng.random() < 0.12:
            words = paras[i].split()[:rng.randint(2, 8)]
            num = rng.choice(("I.", "II.", "III.", "IV.", "V.", "1.", "2.", "3.", "a)", "b)"))
            paras[i] = num + " " + " ".join(words).upper()
    pages = scangen.render_document(paras, font=font, size_pt=size, dpi=profile.dpi, header=header,
                                    title=title, max_pages=1)
    page = pages[0]
    img = scangen.degrade(page.image, profile, seed=rng.randrange(1 << 30))
    return img, page.truth, {"profile": profile_name, "font": font, "size": size, "dpi": profile.dpi}


def generate(n_pages: int, out_dir: Path, seed: int = 0, langs=("eng", "vie"), start: int = 0) -> None:
    paras = corpus_paragraphs(seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    per_page = 14
    for i in range(start, start + n_pages):
        dest = out_dir / f"page_{i:05d}.json"
        if dest.exists():
            continue
        rng = random.Random(f"{seed}:{i}")
        chunk = [paras[(i * per_page + k) % len(paras)] for k in range(per_page)]
        img, truth, meta = make_page(chunk, rng, sizes=SIZES)
        rec = {"truth": truth, **meta}
        for lang in langs:
            rec[lang] = tesseract(img, lang, meta["dpi"])
        tmp = dest.with_suffix(".part")
        tmp.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, dest)
        print(f"{dest.name} {meta['profile']} {meta['font']}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lexicon.ocr_pairs", description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--start", type=int, default=0, help="first page index (to split work)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--langs", default="eng,vie",
                    help="Tesseract languages to run on each page (eng alone halves the time "
                         "when only the wrong-language channel needs more data)")
    args = ap.parse_args(argv)
    generate(args.pages, args.out, seed=args.seed, start=args.start, langs=tuple(args.langs.split(",")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
