"""A document cache mixed into the syllable language model.

A report repeats itself: ``Kế hoạch số``, ``Cổng Dịch vụ công``, ``đạt`` in
column after column. Where the corpus model cannot tell two readings apart
(``đạt``/``đất`` alone in a table cell, ``nhằm``/``nhầm``), the words the same
document settled elsewhere can. This is the classic cache language model:

    P(w | h) = (1 - λ) P_LM(w | h) + λ P_doc(w | h3)

where ``P_doc`` is the document's own estimate: half its bigram one (where
the document has the history), half its unigram one. It is built from a first
decoding pass, using only the words that pass was sure of and leaving out the
word being scored, so one unsure guess does not confirm itself everywhere.
"""
from __future__ import annotations

import numpy as np

from diacritics.tokens import BOUND, FIRST_WORD_ID, NONE, UNK

SETTLED = 0.9   # with posteriors, a first-pass decision this sure goes into the cache

# weight of the document's own estimate: 0.05 to 0.3 tried on wrong-language OCR of the four
# clean seed reports (long documents: 0.2 best); on one-page held-out training pages 0.1 and 0.2
# made 4,269 and 4,274 word errors of 42,581 (4,279 before the cache and the rules added with it)
CACHE_WEIGHT = 0.2
# share of the pair estimate, where the document has the history (the rest: the word's own rate)
PAIR_SHARE = 0.5


class DocumentCache:
    """``model`` with the cache of one document mixed in; scores like ``Model.logprob``.

    ``ids``: the document's settled text as model ids (``BOUND`` between
    sentences, ``UNK`` where a word was not settled: it breaks the bigrams).
    """

    def __init__(self, model, ids, weight: float = CACHE_WEIGHT, pair_share: float = PAIR_SHARE):
        self.base = model
        size = len(model.vocab)
        self._uni = np.zeros(size, np.float64)
        self._hist = np.zeros(size, np.float64)
        ids = np.asarray(ids, dtype=np.int64)
        np.add.at(self._uni, ids[ids >= FIRST_WORD_ID], 1.0)
        seq = np.r_[BOUND, ids]
        a, b = seq[:-1], seq[1:]
        ok = (b >= FIRST_WORD_ID) & ((a >= FIRST_WORD_ID) | (a == BOUND))
        self._keys, counts = np.unique((a[ok] << 16) | b[ok], return_counts=True)
        self._counts = counts.astype(np.float64)
        np.add.at(self._hist, self._keys >> 16, self._counts)
        self._total = max(self._uni.sum(), 1.0)
        self._log_keep = np.log1p(-weight)
        self._log_weight = np.log(weight)
        self._pair_share = pair_share

    def __getattr__(self, name):
        return getattr(self.base, name)   # vocab, index, … of the model underneath

    def logprob(self, h1: np.ndarray, h2: np.ndarray, h3: np.ndarray, w: np.ndarray,
                rep: np.ndarray | None = None) -> np.ndarray:
        base = self.base.logprob(h1, h2, h3, w, rep=rep)
        out = self._log_keep + base
        # Leave one out: the word being scored was (mostly) counted from this very spot,
        # and a first-pass guess must not vouch for itself (phần cúp, once, is no evidence);
        # so only a word the document has twice or more gets anything from the cache.
        word = w.astype(np.int64)
        seen = np.flatnonzero(self._uni[np.minimum(word, len(self._uni) - 1)] >= 2.0)
        if len(seen) == 0:
            return out
        word = word[seen]
        p1 = (self._uni[word] - 1.0) / self._total
        hist = (h3 if rep is None else h3[rep])[seen].astype(np.int64)
        hist = np.where(hist == NONE, BOUND, hist)
        q = (hist << 16) | word
        at = np.minimum(np.searchsorted(self._keys, q), len(self._keys) - 1)
        pair = np.where(self._keys[at] == q, np.maximum(self._counts[at] - 1.0, 0.0), 0.0)
        n_hist = np.maximum(self._hist[np.minimum(hist, len(self._hist) - 1)] - 1.0, 0.0)
        # the pair estimate where the history was seen, mixed half and half with the word's
        # own rate: a history seen hundreds of times (a sentence start) must not drown it
        bi = np.divide(pair, n_hist, out=np.zeros(len(word)), where=n_hist > 0)
        doc = np.where(n_hist > 0, self._pair_share * bi + (1.0 - self._pair_share) * p1, p1)
        out[seen] = np.logaddexp(out[seen], self._log_weight + np.log(doc))
        return out.astype(base.dtype)


def settled_ids(lat, choice: np.ndarray, posterior: np.ndarray | None = None,
                sure: float = SETTLED) -> np.ndarray:
    """A decoded lattice (``diacritics.decode``) as the cache's id stream: each sentence's
    chosen ids, then ``BOUND``; with ``posterior``, ``UNK`` where a choice was less sure than ``sure``."""
    ids = np.asarray(lat.cand_id, dtype=np.int64)[choice]
    if posterior is not None:
        n_cands = np.diff(np.r_[np.asarray(lat.pos_start, dtype=np.int64), len(lat.cand_id)])
        ids = np.where((n_cands > 1) & (posterior[choice] < sure), UNK, ids)
    _pseg, _pt, seg_len = lat.segments()
    return np.insert(ids, np.cumsum(seg_len), BOUND)
