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

from diacritics.context_model import vocab_checksum
from diacritics.tokens import BOUND, FIRST_WORD_ID
from lexicon import build

DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "context.npz"
WINDOW = 5      # words on each side; 8 made 500 word errors on the eng sets against 5's 497
MIN_PAIR = 3    # 2.8 M of the corpus's 5.3 M pairs; the 2.5 M rarer ones weigh < 1 % of counts


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
        pair = a[ok] * vocab_size + b[ok]
        counts += np.bincount(pair, minlength=vocab_size * vocab_size)
        # the same pair seen from the other side
        counts += np.bincount(b[ok] * vocab_size + a[ok], minlength=vocab_size * vocab_size)
    return counts.reshape(vocab_size, vocab_size)


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
    type_ids, type_names, _acronyms = build.read_corpus(None, build.CORPORA)
    type_ids = build.drop_stripped_lines(type_ids, type_names)
    vocab, table = build.make_vocab(type_ids, type_names)
    ids = table[type_ids]
    del type_ids
    ids = ids[np.r_[True, (ids[1:] != BOUND) | (ids[:-1] != BOUND)]]
    counts = count_pairs(ids, len(vocab))
    save(args.out, counts, vocab)
    build.log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, "
              f"{int((counts >= MIN_PAIR).sum()):,} pairs) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
