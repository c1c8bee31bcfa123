"""Build the shipped context table (``lexicon/data/context.npz``) from ../shared/corpus.

    make lexicon      # runs this after lexicon.build (the ids are the model's)
    python -m lexicon.build_context --out /tmp/context.npz

For every pair of syllables, how often one occurs within ``WINDOW`` words of
the other in the corpus (the same corpora, tokens and ids as the language
model; ../shared/devset is never read). ``diacritics.context_model`` turns the
counts into "how much likelier is this neighbour near that word than
anywhere": the evidence a 4-gram cannot see past its three-word history
(``tuyên truyền`` a few words on says ``nhằm``, not ``nhầm``).

Stored: the pairs seen at least ``MIN_PAIR`` times (rarer ones are noise and
score as unseen), each word's total count of neighbours, every word's share
of all neighbours, and a checksum of the model's vocabulary: the ids are the
model's, so a table built for another model is not used.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from diacritics.context_model import WINDOW, vocab_checksum
from diacritics.tokens import FIRST_WORD_ID
from lexicon import build

DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "context.npz"
MIN_PAIR = 3    # 2.8 M of the corpus's 5.3 M pairs; the 2.5 M rarer ones hold 1.1 % of the counts


def count_pairs(ids: np.ndarray, vocab_size: int, window: int = WINDOW) -> np.ndarray:
    """Dense ``vocab_size`` × ``vocab_size`` counts of word b within ``window`` tokens of word a.

    The window runs across sentence ends (a boundary takes a place in it but
    pairs with nothing): a heading and the line under it share a topic, and
    the decoder's window crosses line ends just the same.
    """
    counts = np.zeros(vocab_size * vocab_size, np.int64)
    ids = ids.astype(np.int64)
    for off in range(1, window + 1):
        a, b = ids[:-off], ids[off:]
        ok = (a >= FIRST_WORD_ID) & (b >= FIRST_WORD_ID)
        counts += np.bincount(a[ok] * vocab_size + b[ok], minlength=vocab_size * vocab_size)
    counts = counts.reshape(vocab_size, vocab_size)
    return counts + counts.T   # each pair seen from both sides


def save(out: Path, counts: np.ndarray, vocab: list[str], min_pair: int = MIN_PAIR, window: int = WINDOW) -> None:
    flat = counts.ravel()
    keep = np.flatnonzero(flat >= min_pair)
    vocab_size = counts.shape[0]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez_compressed(
        tmp,
        # sorted flat indices a * V + b, stored as deltas (they compress to a third)
        pair_delta=np.diff(np.r_[0, keep]).astype(np.uint32),
        pair_count=np.minimum(flat[keep], np.iinfo(np.uint32).max).astype(np.uint32),
        word_total=counts.sum(1).astype(np.int64),
        neighbour_total=counts.sum(0).astype(np.int64),
        meta=np.array([vocab_size, window, min_pair, vocab_checksum(vocab)], dtype=np.int64))
    tmp.replace(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lexicon.build_context", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="where to write the table (default: lexicon/data/context.npz, the shipped one)")
    args = ap.parse_args(argv)
    t0 = time.time()
    ids, vocab, _acronyms = build.corpus_ids()
    counts = count_pairs(ids, len(vocab))
    save(args.out, counts, vocab)
    build.log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, "
              f"{int((counts >= MIN_PAIR).sum()):,} pairs) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
