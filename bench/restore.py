"""Diacritic restoration: syllable accuracy, speed, load time and size, against baselines.

Inputs are stripped copies (``strip_diacritics``) of held-out text: the
devset (never trained on) and the accented seed documents 000, 001, 002, 004.
Each system gets the stripped text and its output is compared with the
original, token by token.

Metric: syllable accuracy over tokens made of letters (``[^\\W\\d_]+``), case-
insensitive, either tone-placement style accepted. Every letter token counts,
including ones with nothing to restore (acronyms, foreign names), because a
system that damages them is wrong there too.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEVSET = SHARED / "devset" / "legal_phapdien_dev.txt"
SEED_IDS = ("000", "001", "002", "004")
TITLE = "Diacritic restoration (`sohoa restore`)"
QUICK_DEV_CHARS = 250_000
DEV_CHARS = 1_000_000           # of ~1.97 MB: keeps the pyvi baseline to a few minutes
LETTERS = re.compile(r"[^\W\d_]+")


def seed_texts() -> dict[str, str]:
    out = {}
    for sid in SEED_IDS:
        path = next((SHARED / "seeds").glob(f"{sid}_*.txt"))
        out[f"seed {sid}"] = path.read_text(encoding="utf-8")
    return out


def dev_text(chars: int) -> str:
    text = DEVSET.read_text(encoding="utf-8")
    if len(text) > chars:
        text = text[:text.rindex("\n", 0, chars) + 1]
    return text


def _norm(tok: str) -> str:
    from diacritics.tone import to_style
    return to_style(tok.lower(), "new")


def compare(reference: str, hypothesis: str, errors: Counter | None = None) -> tuple[int, int]:
    """(correct, total) letter tokens of ``reference``, aligned line by line.

    Lines whose letter tokens do not line up one to one (a system that
    re-spaced or dropped text) are aligned on the letters-only spelling;
    reference tokens left unmatched count as errors.
    """
    from diacritics.tone import strip_diacritics
    ref_lines = reference.split("\n")
    hyp_lines = hypothesis.split("\n")
    if len(ref_lines) != len(hyp_lines):
        ref_lines, hyp_lines = [reference], [hypothesis]
    correct = total = 0
    for r_line, h_line in zip(ref_lines, hyp_lines):
        r = LETTERS.findall(r_line)
        h = LETTERS.findall(h_line)
        total += len(r)
        if len(r) == len(h):
            pairs = zip(r, h)
        else:
            sm = difflib.SequenceMatcher(None, [strip_diacritics(x).lower() for x in r],
                                         [strip_diacritics(x).lower() for x in h], autojunk=False)
            pairs = [(r[b.a + i], h[b.b + i]) for b in sm.get_matching_blocks() for i in range(b.size)]
        for a, b in pairs:
            if _norm(a) == _norm(b):
                correct += 1
            elif errors is not None:
                errors[(a.lower(), b.lower())] += 1
    return correct, total


def most_frequent_form(model):
    """Baseline: every word gets its most frequent spelling in the training corpus, no context."""
    from diacritics.restorer import _apply_case
    best = {k: model.vocab[int(v[0])] for k, v in model.candidates.items()}

    def run(text: str) -> str:
        return LETTERS.sub(lambda m: _apply_case(best.get(m.group().lower(), m.group()), m.group())
                           if m.group().isascii() else m.group(), text)
    return run


def pyvi_system():
    """pyvi's ViUtils.add_accents (a CRF shipped in the pyvi wheel), or None if not installed."""
    try:
        from pyvi import ViUtils
    except Exception as exc:  # the pickled model can break with newer scikit-learn
        print(f"pyvi unavailable: {exc}", file=sys.stderr)
        return None

    def one(line: str) -> str:
        try:
            return ViUtils.add_accents(line) if line.strip() else line
        except KeyError:  # its CRF sometimes emits a label with no character: keep the line as given
            return line

    def run(text: str) -> str:
        return "\n".join(one(line) for line in text.split("\n"))
    return run


def _load_probe() -> dict:
    """Load time and peak memory of the model in fresh processes (no other state).

    Twice, with a new cache folder: the first load on a machine inflates the
    shipped zip and writes the mapped copy (``diacritics.model_cache``), later
    ones only map it.
    """
    import tempfile
    code = ("import time,resource,json;t=time.perf_counter();c=time.process_time();"
            "from diacritics.model import load_model;m=load_model();"
            "from diacritics import restore;restore('Ke hoach tong ket');"
            "print(json.dumps({'load':time.perf_counter()-t,'cpu':time.process_time()-c,"
            "'rss_mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))")
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SOHOA_CACHE_DIR": cache}
        for name in ("first", "later"):
            res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                 check=True, env=env)
            out[name] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def run(quick: bool = False) -> str:
    from diacritics.model import load_model
    from diacritics.restorer import Restorer
    from diacritics.tone import strip_diacritics

    model = load_model()
    probe = _load_probe()
    sets = {"devset" + (" (first 250 kB)" if quick else f" (first {DEV_CHARS // 1000} kB)"):
            dev_text(QUICK_DEV_CHARS if quick else DEV_CHARS)}
    sets.update(seed_texts())
    restorer = Restorer(model)
    systems = {"sohoa restore": lambda t: restorer.restore(t).text,
               "most frequent form": most_frequent_form(model)}
    pyvi = pyvi_system()
    if pyvi is not None:
        systems["pyvi ViUtils.add_accents"] = pyvi

    results: dict[str, dict[str, tuple[int, int]]] = {s: {} for s in systems}
    speed: dict[str, list[float]] = {s: [0.0, 0.0, 0] for s in systems}   # wall s, CPU s, syllables
    load_before = os.getloadavg()[0]
    errors: Counter = Counter()
    for set_name, ref in sets.items():
        stripped = strip_diacritics(ref)
        n_syl = len(LETTERS.findall(ref))
        for sys_name, fn in systems.items():
            t0, c0 = time.perf_counter(), time.process_time()
            hyp = fn(stripped)
            took = time.perf_counter() - t0
            speed[sys_name][0] += took
            speed[sys_name][1] += time.process_time() - c0
            speed[sys_name][2] += n_syl
            results[sys_name][set_name] = compare(ref, hyp, errors if sys_name == "sohoa restore" else None)
            c, n = results[sys_name][set_name]
            print(f"  {sys_name:28s} {set_name:26s} {100 * c / n:6.2f}%  {n_syl / took:9.0f} syl/s",
                  file=sys.stderr, flush=True)

    names = list(sets)
    load_after = os.getloadavg()[0]
    lines = ["Syllable accuracy on stripped copies of held-out text (letter tokens, case-insensitive, "
             "either tone style accepted). Speed: syllables per second, one process on one core, the "
             "whole text in one call; per CPU-second and per wall-clock second (the machine is shared: "
             f"load average {load_before:.1f} → {load_after:.1f} during the run, on {os.cpu_count()} cores).",
             "",
             "| system | " + " | ".join(names) + " | all | syllables/s (CPU) | syllables/s (wall) |",
             "|---|" + "---|" * (len(names) + 3)]
    for sys_name in systems:
        cells = []
        tc = tn = 0
        for set_name in names:
            c, n = results[sys_name][set_name]
            tc += c
            tn += n
            cells.append(f"{100 * c / n:.2f}%")
        wall, cpu, n_syl = speed[sys_name]
        lines.append(f"| {sys_name} | " + " | ".join(cells)
                     + f" | **{100 * tc / tn:.2f}%** | {n_syl / cpu:,.0f} | {n_syl / wall:,.0f} |")
    n_tokens = {s: results['sohoa restore'][s][1] for s in names}
    lines += ["", "Letter tokens per set: " + ", ".join(f"{s} {n:,}" for s, n in n_tokens.items()) + ".", ""]
    size = model.size_bytes / 1e6
    lines += ["| model | value |", "|---|---|",
              f"| file | `{model.path.relative_to(ROOT)}` |",
              f"| size | {size:.1f} MB |",
              f"| load time (fresh process, incl. first restore) | {probe['later']['load']:.2f} s "
              f"({probe['later']['cpu']:.2f} CPU-s), memory-mapped from the user's cache |",
              f"| peak memory of that process | {probe['later']['rss_mb']:.0f} MB |",
              f"| first load on a machine (inflates the zip, writes the cache) | {probe['first']['load']:.2f} s "
              f"({probe['first']['cpu']:.2f} CPU-s), peak memory {probe['first']['rss_mb']:.0f} MB |",
              f"| vocabulary | {len(model.vocab):,} ids, {len(model.candidates):,} letters-only spellings |",
              f"| n-grams | " + ", ".join(f"{len(model.keys[k]):,} {k}-grams" for k in (2, 3, 4)) + " |",
              f"| trained on | {model.meta.get('tokens', 0):,} tokens |", ""]
    lines += ["20 most frequent errors of `sohoa restore` (reference → output, all sets):", "",
              "| reference | output | count |", "|---|---|---|"]
    for (a, b), n in errors.most_common(20):
        lines.append(f"| {a} | {b} | {n} |")
    return "\n".join(lines) + "\n"
