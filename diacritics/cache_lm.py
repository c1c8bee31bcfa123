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

from diacritics.tokens import BOUND, FIRST_WORD_ID, NONE

# weight of the document's own estimate: 0.05 to 0.3 tried on wrong-language OCR of the four
# clean seed reports (long documents: 0.2 best) and on one-page held-out training pages (no change)
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
        self._prior = pair_share

    def __getattr__(self, name):
        return getattr(self.base, name)   # vocab, index, … of the model underneath

    def logprob(self, h1: np.ndarray, h2: np.ndarray, h3: np.ndarray, w: np.ndarray,
                rep: np.ndarray | None = None) -> np.ndarray:
        base = self.base.logprob(h1, h2, h3, w, rep=rep)
        hist = (h3 if rep is None else h3[rep]).astype(np.int64)
        hist = np.where(hist == NONE, BOUND, hist)
        word = w.astype(np.int64)
        in_vocab = word < len(self._uni)
        # Leave one out: the word being scored was (mostly) counted from this very spot,
        # and a first-pass guess must not vouch for itself (phần cúp, once, is no evidence).
        uni = np.where(in_vocab, self._uni[np.minimum(word, len(self._uni) - 1)], 0.0)
        p1 = np.maximum(uni - 1.0, 0.0) / self._total
        pair = np.zeros(len(word))
        if len(self._keys):
            q = (hist << 16) | word
            at = np.minimum(np.searchsorted(self._keys, q), len(self._keys) - 1)
            pair = np.where(self._keys[at] == q, np.maximum(self._counts[at] - 1.0, 0.0), 0.0)
        n_hist = np.maximum(self._hist[np.minimum(hist, len(self._hist) - 1)] - 1.0, 0.0)
        # the pair estimate where the history was seen, mixed half and half with the word's
        # own rate: a history seen hundreds of times (a sentence start) must not drown it
        bi = np.divide(pair, n_hist, out=np.zeros(len(word)), where=n_hist > 0)
        doc = np.where(n_hist > 0, self._prior * bi + (1.0 - self._prior) * p1, p1)
        with np.errstate(divide="ignore"):
            return np.logaddexp(self._log_keep + base, self._log_weight + np.log(doc)).astype(base.dtype)
