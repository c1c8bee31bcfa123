"""Build the shipped restoration model from ../shared/corpus and ../shared/lexicons.

    make lexicon            # = .venv/bin/python -m lexicon.build
    python -m lexicon.build --max-mb 40 --out /tmp/small.npz   # a quick, smaller model

Never reads ../shared/devset (that is held out for measuring). Steps:

1. Stream the corpora (gzip) without their headings set in capitals, NFC +
   lowercase, tokenise with ``diacritics.tokens`` (the alphabet the decoder
   queries with), map every distinct token type once to its id. Word lists
   and place names from ../shared/lexicons are appended as short sentences so
   rare names and words get n-grams too.
2. Count 1..4-grams with numpy: ids are packed 16 bits each into one uint64
   key, so counting is ``np.unique`` on a key array (no Python per n-gram).
3. Interpolated modified Kneser–Ney (Chen & Goodman) with continuation counts
   for lower orders, converted to backoff form; then count-pruned with the
   backoff weights renormalised so each context still sums to one.
4. The administrative lexicon: acronyms seen in the corpus whose
   letters-only spelling hides a ``Đ`` (``ND``→``NĐ``, ``HDND``→``HĐND``).
5. Save one compressed ``.npz`` (see ``diacritics.model`` for the layout).
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from diacritics.tokens import (BOUND, FIRST_WORD_ID, LM_TOKEN_RE, MAX_VOCAB, NONE, SPECIAL_NAMES,
                               lm_class)
from diacritics.tone import has_diacritics, is_syllable, strip_diacritics
from pipeline.errors import InputFileError

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "model.npz"
ORDER = 4

# (file, share of the file to read). Legal text is what we restore; news and
# Wikipedia widen the vocabulary (names, general words).
CORPORA = [
    ("legal_phapdien.txt.gz", 1.0),
    ("legal_vlc.txt.gz", 1.0),
    ("news_dantri.txt.gz", 1.0),
    ("viwiki.txt.gz", 1.0),
]
# Word lists appended as one entry per line; weight = times repeated.
LEXICONS = [
    ("underthesea_admin_unit_names.txt", 3),
    ("Viet39K.txt", 1),
    ("pyvi_words.txt", 1),
    ("tudientv.txt", 1),
    ("hongocduc.txt", 1),
]
MIN_WORD_COUNT = 2           # rarer syllable spellings are mostly typos: <unk>
MIN_OTHER_COUNT = 300        # acronyms and other non-syllables get an id from this count on
ADMIN_ACRONYMS = Path(__file__).resolve().parent / "admin_acronyms.txt"
PRUNE = {1: 1, 2: 1, 3: 1, 4: 2}  # keep n-grams seen at least this often
CHUNK_BYTES = 8_000_000
STRIPPED_MIN_WORDS = 6       # a line this long with under 30% marked words is
STRIPPED_MAX_SHARE = 0.3     # taken as typed without diacritics and skipped
CAPITAL_MIN_WORDS = 2        # a line of this many words, this share of them
CAPITAL_SHARE = 0.8          # in capitals, is a heading (see is_capital_line)

_ACRONYM_RE = re.compile(r"\w*[A-ZĐ]{2}\w*")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")


def log(msg: str) -> None:
    print(f"[lexicon {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _chunks(path: Path, max_bytes: float):
    """Yield NFC text chunks of a gzip corpus, skipping '# source' / '# title' lines."""
    done = 0
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        while done < max_bytes:
            lines = fh.readlines(CHUNK_BYTES)
            if not lines:
                break
            done += sum(len(x) for x in lines)
            yield unicodedata.normalize("NFC", "".join(x for x in lines if not x.startswith("# ")
                                                        and not is_capital_line(x)))


def is_capital_line(line: str) -> bool:
    """A heading set in capitals (``IV. KIÊN NGHỊ, ĐÈ XUẤT``), which the training text leaves out.

    Much of the corpora was OCR'd, and OCR drops the marks above capitals
    (``ĐÈ`` for ``ĐỀ``, ``KIÊN`` for ``KIẾN``, ``THÀU``, ``HỌI``): the 0.45 % of
    the tokens set in capitals taught the model those spellings as headings,
    and it then chose them when repairing headings. A line of codes
    (``Số: 49/2026/NĐ-CP``) has a word in lower case and stays.
    """
    words = [w for w in _LETTER_RUN_RE.findall(line) if len(w) >= 2]
    capitals = sum(w.isupper() for w in words)
    return len(words) >= CAPITAL_MIN_WORDS and capitals >= CAPITAL_SHARE * len(words)


def _lexicon_text(name: str, weight: int) -> str:
    path = SHARED / "lexicons" / name
    entries = [unicodedata.normalize("NFC", x.strip()) for x in path.read_text(encoding="utf-8").splitlines()]
    entries = [x for x in entries if x and not x.startswith("Bản mẫu")]
    return "\n".join(entries * weight) + "\n"


def read_corpus(max_mb: float | None, corpora=CORPORA):
    """Token-type ids of the whole training text, the type table, and acronym counts."""
    types: defaultdict[str, int] = defaultdict()
    types.default_factory = types.__len__
    parts: list[np.ndarray] = []
    acronyms: Counter[str] = Counter()

    def add(text: str) -> None:
        for m in _ACRONYM_RE.findall(text):
            acronyms[m] += 1
        toks = LM_TOKEN_RE.findall(text.lower())
        parts.append(np.fromiter(map(types.__getitem__, toks), dtype=np.int32, count=len(toks)))
        parts.append(np.array([types["\n"]], dtype=np.int32))

    for name, share in corpora:
        path = SHARED / "corpus" / name
        limit = path.stat().st_size * 20 * share  # generous: compressed → text
        if max_mb is not None:
            limit = min(limit, max_mb * 1e6 * share)
        before = sum(len(p) for p in parts)
        for text in _chunks(path, limit):
            add(text)
        log(f"{name}: {sum(len(p) for p in parts) - before:,} tokens")
    for name, weight in LEXICONS:
        add(_lexicon_text(name, weight))
    ids = np.concatenate(parts)
    log(f"{len(ids):,} tokens, {len(types):,} distinct")
    return ids, list(types), acronyms


def drop_stripped_lines(type_ids: np.ndarray, type_names: list[str]) -> np.ndarray:
    """Remove lines typed without marks (ASCII-only copies, file names, slugs).

    Ordinary Vietnamese has marks on most syllables; a long line with almost
    none would teach the model that unaccented spellings are normal text.
    """
    is_nl = np.array([t == "\n" for t in type_names])
    is_word = np.array([t[0].isalpha() for t in type_names])
    is_marked = np.array([has_diacritics(t) for t in type_names])
    line = np.cumsum(is_nl[type_ids])
    words = np.bincount(line, weights=is_word[type_ids])
    marked = np.bincount(line, weights=is_marked[type_ids])
    bad = (words >= STRIPPED_MIN_WORDS) & (marked < STRIPPED_MAX_SHARE * words)
    keep = ~bad[line] | is_nl[type_ids]
    log(f"dropped {int(bad.sum()):,} unmarked lines ({int((~keep).sum()):,} tokens)")
    return type_ids[keep]


def make_vocab(type_ids: np.ndarray, type_names: list[str]):
    """Final ids: specials, then words by frequency.

    Words are syllables (normalised spelling) seen ``MIN_WORD_COUNT`` times,
    single letters (list labels: "điểm đ"), and frequent other words —
    acronyms such as "ubnd", "tthc" — so they are context, not ``<unk>``.
    Unmarked misspellings of real syllables ("duoc") are left out.
    """
    type_counts = np.bincount(type_ids, minlength=len(type_names))
    cls = [lm_class(t) for t in type_names]
    counts: Counter[str] = Counter()
    for c, n in zip(cls, type_counts.tolist()):
        if isinstance(c, str):
            counts[c] += n
    syllable_keys = {strip_diacritics(w) for w in counts if is_syllable(w)}

    def keep(w: str, n: int) -> bool:
        if len(w) == 1 or is_syllable(w):
            return n >= MIN_WORD_COUNT
        plain = w.replace("đ", "d")      # acronyms may hold đ (hđnd), nothing else
        return n >= MIN_OTHER_COUNT and plain.isascii() and plain not in syllable_keys
    words = [w for w, n in counts.most_common() if keep(w, n)]
    words = words[: MAX_VOCAB - FIRST_WORD_ID]
    vocab = {w: i + FIRST_WORD_ID for i, w in enumerate(words)}
    table = np.array([vocab.get(c, 1) if isinstance(c, str) else c for c in cls], dtype=np.uint64)
    return SPECIAL_NAMES + words, table


def pack(ids: np.ndarray, k: int) -> np.ndarray:
    """Keys of all k-grams that have no boundary strictly inside them."""
    n = len(ids) - k + 1
    key = np.zeros(n, dtype=np.uint64)
    ok = np.ones(n, dtype=bool)
    for j in range(k):
        col = ids[j:j + n]
        key = (key << np.uint64(16)) | col
        if 0 < j < k - 1:
            ok &= col != BOUND
    return key[ok]


def discounts(a: np.ndarray) -> np.ndarray:
    """Modified Kneser–Ney D1, D2, D3+ from counts-of-counts (Chen & Goodman)."""
    n = [max(int(np.count_nonzero(a == i)), 1) for i in (1, 2, 3, 4)]
    y = n[0] / (n[0] + 2 * n[1])
    d = np.array([0.0, 1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]])
    return np.clip(d, 0.0, None)


def _dvec(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    return d[np.minimum(a, 3)]


def _groups(ctx: np.ndarray):
    """Runs of equal contexts in a sorted key array: start of each run, run number of each key."""
    change = np.r_[True, ctx[1:] != ctx[:-1]]
    return np.flatnonzero(change), np.cumsum(change) - 1


def lookup(keys: np.ndarray, q: np.ndarray):
    idx = np.searchsorted(keys, q)
    idx = np.minimum(idx, len(keys) - 1)
    return idx, keys[idx] == q


def estimate(ids: np.ndarray, vocab_size: int):
    """Interpolated modified KN, pruned, in backoff form: per order (keys, log p, log bo)."""
    raw, keys = {}, {}
    for k in range(1, ORDER + 1):
        keys[k], raw[k] = np.unique(pack(ids, k), return_counts=True)
        log(f"{k}-grams: {len(keys[k]):,}")
    # KN counts: highest order raw; lower orders = number of distinct left
    # extensions, except n-grams that start a sentence (nothing to their left).
    adj = {ORDER: raw[ORDER]}
    for k in range(1, ORDER):
        suffix = keys[k + 1] & np.uint64((1 << (16 * k)) - 1)
        s_keys, s_cnt = np.unique(suffix, return_counts=True)
        idx, found = lookup(s_keys, keys[k])
        a = np.where(found, s_cnt[idx], 0)
        first = keys[k] >> np.uint64(16 * (k - 1))
        a = np.where((first == BOUND) | (a == 0), raw[k], a)
        adj[k] = a.astype(np.int64)

    prob = {}
    # unigrams, interpolated with uniform
    a1 = adj[1]
    d = discounts(a1)
    total = a1.sum()
    gamma0 = _dvec(a1, d).sum() / total
    p1 = np.full(vocab_size, gamma0 / vocab_size)
    p1[keys[1].astype(np.int64)] += (a1 - _dvec(a1, d)) / total
    prob[1] = p1
    for k in range(2, ORDER + 1):
        a = adj[k]
        d = discounts(a)
        ctx = keys[k] >> np.uint64(16)
        starts, gid = _groups(ctx)
        tot = np.add.reduceat(a, starts).astype(np.float64)
        dv = _dvec(a, d)
        gam = np.add.reduceat(dv, starts) / tot
        lower = _lower_prob(keys, prob, k, keys[k])
        prob[k] = (a - dv) / tot[gid] + gam[gid] * lower
        log(f"order {k}: D={np.round(d[1:], 3).tolist()}")

    # prune, then renormalise backoff weights against the pruned lower orders
    model = {1: (None, np.log(prob[1]), np.zeros(vocab_size))}
    for k in range(2, ORDER + 1):
        keep = raw[k] >= PRUNE[k]
        model[k] = (keys[k][keep], np.log(prob[k][keep]), None)
        log(f"order {k}: keep {keep.sum():,} of {len(keep):,}")
    for k in range(2, ORDER + 1):
        kk, lp, _ = model[k]
        ctx = kk >> np.uint64(16)
        starts, gid = _groups(ctx)
        hi = np.add.reduceat(np.exp(lp), starts)
        lo_lp = score_packed(model, k - 1, kk & np.uint64((1 << (16 * (k - 1))) - 1))
        lo = np.add.reduceat(np.exp(lo_lp), starts)
        bo = np.log(np.clip(1 - hi, 1e-12, None)) - np.log(np.clip(1 - lo, 1e-12, None))
        ctxs = ctx[starts]
        if k == 2:
            model[1][2][ctxs.astype(np.int64)] = bo
        else:
            pk, plp, _ = model[k - 1]
            idx, found = lookup(pk, ctxs)
            assert found.all(), "a kept n-gram's context was pruned"
            pbo = np.zeros(len(pk))
            pbo[idx] = bo
            model[k - 1] = (pk, plp, pbo)
    return model


def _lower_prob(keys, prob, k, kk):
    suffix = kk & np.uint64((1 << (16 * (k - 1))) - 1)
    if k == 2:
        return prob[1][suffix.astype(np.int64)]
    idx, found = lookup(keys[k - 1], suffix)
    assert found.all()
    return prob[k - 1][idx]


def score_packed(model, k: int, kk: np.ndarray) -> np.ndarray:
    """log p of packed k-grams under the (pruned) backoff model of orders ≤ k."""
    if k == 1:
        return model[1][1][kk.astype(np.int64)]
    keys_k, lp, _ = model[k]
    idx, found = lookup(keys_k, kk)
    out = np.empty(len(kk))
    out[found] = lp[idx[found]]
    miss = ~found
    if miss.any():
        q = kk[miss]
        ctx = q >> np.uint64(16)
        if k == 2:
            bo = model[1][2][ctx.astype(np.int64)]
        else:
            ck, _, cbo = model[k - 1]
            cidx, cf = lookup(ck, ctx)
            bo = np.where(cf, cbo[cidx] if cbo is not None else 0.0, 0.0)
        out[miss] = bo + score_packed(model, k - 1, q & np.uint64((1 << (16 * (k - 1))) - 1))
    return out


def admin_acronyms() -> list[str]:
    """The hand-kept list of administrative acronyms (lexicon/admin_acronyms.txt)."""
    lines = ADMIN_ACRONYMS.read_text(encoding="utf-8").splitlines()
    return [x.split("#")[0].strip() for x in lines if x.split("#")[0].strip()]


def code_map(acronyms: Counter[str], curated: list[str] = ()) -> dict[str, str]:
    """Letters-only spelling → the acronym with Đ, when the corpus nearly always writes Đ.

    ``curated`` entries (the admin list) win over the corpus.
    """
    by_plain: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for tok, n in acronyms.items():
        for run in re.findall(r"[^\W\d_]+", tok):   # "BCĐ389" → "BCĐ"
            if is_syllable(run.lower()) or sum(c.isupper() for c in run) < 2:
                continue
            if any(c not in "ĐđABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" for c in run):
                continue
            by_plain[strip_diacritics(run)][run] += n
    out = {}
    for plain, forms in by_plain.items():
        best, n = forms.most_common(1)[0]
        total = sum(forms.values())
        if best != plain and has_diacritics(best) and n >= 20 and n >= 0.9 * total:
            out[plain] = best
    for form in curated:
        if has_diacritics(form):
            out[strip_diacritics(form)] = form
    return out


def _delta(keys: np.ndarray) -> np.ndarray:
    return np.diff(keys, prepend=np.uint64(0))


def save(path: Path, vocab: list[str], unigram_counts: np.ndarray, model, codes: dict[str, str],
         meta: dict) -> None:
    arrays = {
        "vocab": np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        "counts": unigram_counts.astype(np.uint32),
        "lp1": model[1][1].astype(np.float16),
        "bo1": model[1][2].astype(np.float16),
        "meta": np.frombuffer(json.dumps({**meta, "codes": codes}, ensure_ascii=False).encode(), dtype=np.uint8),
    }
    for k in range(2, ORDER + 1):
        kk, lp, bo = model[k]
        arrays[f"keys{k}"] = _delta(kk)
        arrays[f"lp{k}"] = lp.astype(np.float16)
        if bo is not None:
            arrays[f"bo{k}"] = bo.astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def corpus_ids(max_mb: float | None = None, corpora=CORPORA) -> tuple[np.ndarray, list[str], Counter]:
    """The training text as model ids, the vocabulary, and acronym counts: what the model is
    estimated from (and ``lexicon.build_context`` counts, so its ids are the model's)."""
    type_ids, type_names, acronyms = read_corpus(max_mb, corpora)
    type_ids = drop_stripped_lines(type_ids, type_names)
    vocab, table = make_vocab(type_ids, type_names)
    ids = table[type_ids]
    del type_ids
    # runs of boundaries (blank lines, "..."): one is enough
    ids = ids[np.r_[True, (ids[1:] != BOUND) | (ids[:-1] != BOUND)]]
    log(f"vocabulary {len(vocab):,}; {len(ids):,} tokens after boundary merge")
    return ids, vocab, acronyms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lexicon.build", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="where to write the model (default: lexicon/data/model.npz, the shipped one)")
    ap.add_argument("--max-mb", type=float, default=None,
                    help="read at most this many MB of text from each corpus (default: all)")
    ap.add_argument("--corpus", action="append", metavar="NAME",
                    help="use only this corpus file (repeatable); default: all of "
                         + ", ".join(c for c, _ in CORPORA))
    ap.add_argument("--prune", metavar="K:MIN,…", default=None,
                    help="keep K-grams seen at least MIN times (default: "
                         + ",".join(f"{k}:{v}" for k, v in PRUNE.items()) + ")")
    args = ap.parse_args(argv)
    if args.prune:
        PRUNE.update({int(k): int(v) for k, v in (x.split(":") for x in args.prune.split(","))})
    t0 = time.time()
    # Repeating a corpus to weight it was tried and breaks the Kneser-Ney
    # discounts (every n-gram then seen twice): 99.1% → 98.0%, so no weights.
    corpora = [(name, 1.0) for name in args.corpus] if args.corpus else CORPORA
    missing = [SHARED / "corpus" / c for c, _ in corpora if not (SHARED / "corpus" / c).is_file()]
    missing += [SHARED / "lexicons" / x for x, _ in LEXICONS if not (SHARED / "lexicons" / x).is_file()]
    if missing:
        err = InputFileError("not found", path=missing[0],
                             fix="the build reads ../shared beside the checkout; see ../shared/README.md")
        print(f"lexicon.build: {err.message}", file=sys.stderr)
        return int(err.exit_code)
    ids, vocab, acronyms = corpus_ids(args.max_mb, corpora)
    assert len(vocab) < NONE
    counts = np.bincount(ids.astype(np.int64), minlength=len(vocab))
    model = estimate(ids, len(vocab))
    curated = admin_acronyms()
    codes = code_map(acronyms, curated)
    log(f"{len(codes)} acronyms with Đ, e.g. {dict(list(codes.items())[:8])}")
    meta = {"order": ORDER, "corpora": [c for c, _ in corpora], "acronyms": curated, "lexicons": [x for x, _ in LEXICONS],
            "max_mb": args.max_mb, "prune": PRUNE, "tokens": int(len(ids)),
            "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    save(args.out, vocab, counts, model, codes, meta)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
