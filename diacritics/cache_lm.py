"""A document cache mixed into the syllable language model.

A report repeats itself: ``Kế hoạch số``, ``Cổng Dịch vụ công``, ``đạt`` in
column after column. Where the corpus model cannot tell two readings apart
(``nhằm``/``nhầm``), the words the same document settled elsewhere can. (A word alone
in a table cell, ``đạt``/``đất``, is never sure in the first pass, so its sentence-start
pair is never learnt: seed 001's 22 such cells all read ``đất`` at 0.58. The repair settles
those by the same printed word's sure readings instead: ``repair._agree_lone_words``.)
This is the classic cache language model:

    P(w | h) = (1 - λ) P_LM(w | h) + λ P_doc(w | h3)

where ``P_doc`` is the document's own estimate: half its bigram one (where
the document has the history), half its unigram one. It is built from a first
decoding pass, using only the words that pass was sure of and leaving out the
word being scored, so one unsure guess does not confirm itself everywhere.

Left out exactly: built with ``DocumentCache.of_search``, the cache knows which
position of the first pass put each count in, and the decoder (``at=``) tells
it which position it scores. So a word the document settled once, elsewhere,
counts for a spot the first pass was unsure of (``tại lĩnh vực`` in a heading,
settled in the text), while no spot vouches for itself. Subtracting one of
everything instead (the word's rate, its pair and its history, wherever it was
scored) made 524 word errors on English OCR of the seed reports and devset
documents, and left 33 of seed 003's 106 judged spots wrong; the exact count
made 507 and 30. Not counting the spot at all let sure first-pass slips confirm
themselves (``phần cúp``): 496 errors, but 34 spots and worse real scans.

Bounded: the mixture may lift a word at most ``LIFT_CAP`` nats over the corpus model, so
the document's rate of a frequent word cannot carry it where the corpus context rules it
out (``tự chủ tài các``); 507 → 494 errors, the same 30 spots.
"""
from __future__ import annotations

import numpy as np

from diacritics.tokens import BOUND, FIRST_WORD_ID, NONE, UNK

SETTLED = 0.9   # with posteriors, a first-pass decision this sure goes into the cache
# (0.8 and 0.97 tried with the exact leave-one-out: 508 and 547 errors against 507)

# weight of the document's own estimate: 0.05 to 0.3 tried on wrong-language OCR of the four
# clean seed reports (long documents: 0.2 best); on one-page held-out training pages 0.1 and 0.2
# made 4,269 and 4,274 word errors of 42,581 (4,279 before the cache and the rules added with it);
# with the exact leave-one-out, 0.12 and 0.3 made 528 and 514 errors against 0.2's 507
CACHE_WEIGHT = 0.2
# share of the pair estimate, where the document has the history (the rest: the word's own rate)
PAIR_SHARE = 0.5
# The cache may make a word at most e^LIFT_CAP times likelier than the corpus model has it in
# this context. Mixed in unbounded, the document's own rate of a frequent word (các) rescued
# sequences the corpus rules out (tự chủ tài các, where the document says tài chính): the cache
# is there to choose between readings the corpus finds comparable, not to overrule its context.
# Caps 3, 4.5, 5, 6, 8 and none made 497, 497, 494, 502, 507 and 507 word errors on English OCR
# of the four seed reports and four devset documents, leaving 33, 31, 30, 30, 30, 30 of seed
# 003's judged spots wrong.
LIFT_CAP = 5.0


class DocumentCache:
    """``model`` with the cache of one document mixed in; scores like ``Model.logprob``.

    ``ids``: the document's settled text as model ids (``BOUND`` between
    sentences, ``UNK`` where a word was not settled: it breaks the bigrams).
    ``first``: where those ids came from (``FirstPass.of``), so that a lattice
    decoded again can leave out exactly what each of its positions put in.
    """

    def __init__(self, model, ids, weight: float = CACHE_WEIGHT, pair_share: float = PAIR_SHARE,
                 first: "FirstPass | None" = None, lift_cap: float | None = LIFT_CAP):
        self.base = model
        size = len(model.vocab)
        self._uni = np.zeros(size, np.float64)
        self._hist = np.zeros(size, np.float64)
        ids = np.asarray(ids, dtype=np.int64)
        np.add.at(self._uni, ids[ids >= FIRST_WORD_ID], 1.0)
        seq = np.r_[BOUND, ids]
        a, b = seq[:-1], seq[1:]
        ok = _counted(a, b)
        self._keys, counts = np.unique((a[ok] << 16) | b[ok], return_counts=True)
        self._counts = counts.astype(np.float64)
        np.add.at(self._hist, self._keys >> 16, self._counts)
        self._total = max(self._uni.sum(), 1.0)
        self._log_keep = np.log1p(-weight)
        self._log_weight = np.log(weight)
        self._pair_share = pair_share
        self._first = first
        self._lift_cap = lift_cap
        self._map: np.ndarray | None = None   # lattice position -> first-pass position (-1: none)

    @classmethod
    def of_search(cls, model, lat, choice: np.ndarray, posterior: np.ndarray | None = None,
                  **kwargs) -> "DocumentCache":
        """The cache of a first decoding of ``lat`` (see ``settled_ids``), leaving one out exactly."""
        first = FirstPass.of(lat, choice, posterior)
        return cls(model, first.stream(), first=first, **kwargs)

    def __getattr__(self, name):
        return getattr(self.base, name)   # vocab, index, … of the model underneath

    def bind(self, lat) -> "DocumentCache":
        """This cache for decoding ``lat``: its positions matched to the first pass's."""
        if self._first is None:
            return self
        bound = object.__new__(type(self))
        bound.__dict__.update(self.__dict__)
        bound._map = self._first.align(lat)
        return bound

    def logprob(self, h1: np.ndarray, h2: np.ndarray, h3: np.ndarray, w: np.ndarray,
                rep: np.ndarray | None = None, at: np.ndarray | None = None) -> np.ndarray:
        base = self.base.logprob(h1, h2, h3, w, rep=rep)
        out = self._log_keep + base
        word = w.astype(np.int64)
        hist = (h3 if rep is None else h3[rep]).astype(np.int64)
        hist = np.where(hist == NONE, BOUND, hist)
        # Leave one out: a first-pass guess must not vouch for itself (phần cúp, once, is no
        # evidence). Where the first pass's position is known, exactly what it counted comes
        # out, so a word settled once elsewhere is evidence for an unsure spot (tại lĩnh vực);
        # elsewhere one of everything, as if the word being scored were counted right here.
        own_word, own_pair, own_hist = self._own(word, hist, at)
        left = self._uni[np.minimum(word, len(self._uni) - 1)] - own_word
        seen = np.flatnonzero(left >= 1.0)
        if len(seen) == 0:
            return out
        word, hist = word[seen], hist[seen]
        p1 = left[seen] / self._total
        q = (hist << 16) | word
        if len(self._keys):
            found = np.minimum(np.searchsorted(self._keys, q), len(self._keys) - 1)
            pair = np.where(self._keys[found] == q, self._counts[found], 0.0)
        else:   # no pair settled at all (every word beside an unknown one)
            pair = np.zeros(len(word))
        pair = np.maximum(pair - own_pair[seen], 0.0)
        n_hist = np.maximum(self._hist[np.minimum(hist, len(self._hist) - 1)] - own_hist[seen], 0.0)
        # the pair estimate where the history was seen, mixed half and half with the word's
        # own rate: a history seen hundreds of times (a sentence start) must not drown it
        bi = np.divide(pair, n_hist, out=np.zeros(len(word)), where=n_hist > 0)
        doc = np.where(n_hist > 0, self._pair_share * bi + (1.0 - self._pair_share) * p1, p1)
        out[seen] = np.logaddexp(out[seen], self._log_weight + np.log(doc))
        if self._lift_cap is not None:
            np.minimum(out, base + self._lift_cap, out=out)
        return out.astype(base.dtype)

    def _own(self, word: np.ndarray, hist: np.ndarray, at: np.ndarray | None):
        """What the scored spot itself put into the counts: (word, pair, history), 0 or 1 each."""
        ones = np.ones(len(word))
        if self._map is None or at is None:
            return ones, ones, ones
        first = self._map[np.minimum(at, len(self._map) - 1)]
        known = first >= 0
        f = np.maximum(first, 0)
        fp = self._first
        counted = known & fp.counted[f] & (fp.prev[f] == hist)
        own_word = np.where(known, fp.own[f] == word, True).astype(np.float64)
        own_hist = np.where(known, counted, True).astype(np.float64)
        own_pair = np.where(known, counted & (fp.own[f] == word), True).astype(np.float64)
        return own_word, own_pair, own_hist


def _counted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which (history, word) pairs of the settled stream the cache counts."""
    return (b >= FIRST_WORD_ID) & ((a >= FIRST_WORD_ID) | (a == BOUND))


class FirstPass:
    """Per position of a first decoding: the settled id (``UNK`` if unsure), the one before
    it (``BOUND`` at a sentence start), whether that pair was counted, and the position's
    shape (its id if fixed, -1 if it had a choice) to find it again in a later lattice."""

    def __init__(self, own: np.ndarray, prev: np.ndarray, shape: np.ndarray, seg_len: np.ndarray):
        self.own, self.prev, self.shape, self.seg_len = own, prev, shape, seg_len
        self.counted = _counted(prev, own)

    @classmethod
    def of(cls, lat, choice: np.ndarray, posterior: np.ndarray | None = None,
           sure: float = SETTLED) -> "FirstPass":
        own = _settled(lat, choice, posterior, sure)
        _pseg, pt, seg_len = lat.segments()
        prev = np.r_[BOUND, own[:-1]]
        prev[pt == 0] = BOUND
        return cls(own, prev, _shape(lat), seg_len)

    def stream(self) -> np.ndarray:
        """The settled ids as the cache reads them: ``BOUND`` after each sentence."""
        return np.insert(self.own, np.cumsum(self.seg_len), BOUND)

    def align(self, lat) -> np.ndarray:
        """For each position of ``lat``, the same position of the first pass, or -1.

        The second pass builds its lattice from the same lines, but a token the adapted
        channel cuts differently shifts what follows it on its line; positions are matched
        from both ends, and the stretch between is left unmatched.
        """
        shape = _shape(lat)
        out = np.full(len(shape), -1, np.int64)
        n = min(len(shape), len(self.shape))
        same = shape[:n] == self.shape[:n]
        head = n if same.all() else int(np.argmin(same))
        out[:head] = np.arange(head)
        if head == len(shape) == len(self.shape):
            return out
        tail_same = shape[::-1][:n - head] == self.shape[::-1][:n - head]
        tail = (n - head) if tail_same.all() else int(np.argmin(tail_same))
        if tail:
            out[len(shape) - tail:] = np.arange(len(self.shape) - tail, len(self.shape))
        return out


def _shape(lat) -> np.ndarray:
    pstart = np.asarray(lat.pos_start, dtype=np.int64)
    n_cands = np.diff(np.r_[pstart, len(lat.cand_id)])
    return np.where(n_cands == 1, np.asarray(lat.cand_id, dtype=np.int64)[pstart], -1)


def _settled(lat, choice: np.ndarray, posterior: np.ndarray | None, sure: float) -> np.ndarray:
    ids = np.asarray(lat.cand_id, dtype=np.int64)[choice]
    if posterior is not None:
        n_cands = np.diff(np.r_[np.asarray(lat.pos_start, dtype=np.int64), len(lat.cand_id)])
        ids = np.where((n_cands > 1) & (posterior[choice] < sure), UNK, ids)
    return ids


def settled_ids(lat, choice: np.ndarray, posterior: np.ndarray | None = None,
                sure: float = SETTLED) -> np.ndarray:
    """A decoded lattice (``diacritics.decode``) as the cache's id stream: each sentence's
    chosen ids, then ``BOUND``; with ``posterior``, ``UNK`` where a choice was less sure than ``sure``."""
    _pseg, _pt, seg_len = lat.segments()
    return np.insert(_settled(lat, choice, posterior, sure), np.cumsum(seg_len), BOUND)
