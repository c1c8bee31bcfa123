"""The shipped syllable language model: loading and vectorised scoring.

Layout of ``lexicon/data/model.npz`` (written by ``lexicon.build``):

* ``vocab``: UTF-8 ``\\n``-joined token names; id = line number (see
  ``diacritics.tokens`` for the fixed ids before the syllables);
* ``counts``: corpus count of each id (drives the candidate lists);
* ``lp1``/``bo1``: unigram log-probabilities and backoff weights, by id;
* ``keysK``/``lpK``/``boK`` for K = 2..4: the K-grams, ids packed 16 bits
  each into a uint64 and stored as deltas of the sorted keys, their natural
  log-probabilities and (below the top order) backoff weights;
* ``meta``: JSON — build settings and the ``codes`` map (``ND``→``NĐ``).

Scoring is interpolated Kneser–Ney in backoff form: the longest stored
n-gram wins, otherwise the context's backoff weight plus the next order down.
"""
from __future__ import annotations

import functools
import json
import os
import time
from pathlib import Path

import numpy as np

from diacritics.tokens import FIRST_WORD_ID, NONE

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "lexicon" / "data" / "model.npz"
ENV_PATH = "SOHOA_RESTORE_MODEL"
# A spelling is offered as a candidate only if the corpus used it this often,
# relative to all spellings of the same letters: drops typos and one-off names.
MIN_SHARE = 0.0005
MIN_COUNT = 3

_U16 = np.uint64(16)
_U32 = np.uint64(32)
_LOW16 = np.uint64(0xFFFF)


def _search(keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Index of each query in the sorted ``keys`` (clipped to a valid index).

    Many queries are sorted first: numpy's binary search then reuses the
    previous answer's bounds and walks memory in order, which measured ~4x
    faster per query on the model's tables than random order.
    """
    if len(q) > 256:
        order = np.argsort(q)
        sq = q[order]
        # each distinct query searched once (a batch of n-grams repeats many histories)
        new = np.empty(len(sq), dtype=bool)
        new[0] = True
        np.not_equal(sq[1:], sq[:-1], out=new[1:])
        found = np.searchsorted(keys, sq[new])
        idx = np.empty(len(q), dtype=np.intp)
        idx[order] = found[np.cumsum(new) - 1]
    else:
        idx = np.searchsorted(keys, q)
    np.minimum(idx, len(keys) - 1, out=idx)
    return idx


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The shipped file's arrays in the form the model queries (absolute, sorted keys)."""
    from pipeline.errors import InputFileError
    try:
        with np.load(path) as z:
            out = {name: z[name] for name in z.files}
        for k in (2, 3, 4):
            out[f"keys{k}"] = np.cumsum(out[f"keys{k}"])
    except (OSError, ValueError, KeyError) as exc:
        raise InputFileError("cannot read the diacritics model", path=path,
                             fix="run `make lexicon` to rebuild it") from exc
    return out


def _candidate_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Letters-only lowercase spelling → candidate ids, most frequent first, flattened.

    ``cand_keys`` (``\\n``-joined spellings), ``cand_ids`` (their ids, group
    after group) and ``cand_splits`` (where each group after the first starts).
    """
    from diacritics.tone import strip_diacritics
    vocab = arrays["vocab"].tobytes().decode("utf-8").split("\n")
    counts = arrays["counts"].astype(np.int64)
    groups: dict[str, list[int]] = {}
    for i in range(FIRST_WORD_ID, len(vocab)):
        groups.setdefault(strip_diacritics(vocab[i]), []).append(i)
    flat: list[int] = []
    splits: list[int] = []
    for ids in groups.values():
        ids.sort(key=lambda i: -counts[i])
        total = sum(counts[i] for i in ids)
        keep = [i for i in ids if counts[i] >= max(MIN_COUNT, MIN_SHARE * total)] or ids[:1]
        splits.append(len(flat))
        flat += keep
    return {"cand_keys": np.frombuffer("\n".join(groups).encode("utf-8"), dtype=np.uint8),
            "cand_ids": np.array(flat, dtype=np.int64),
            "cand_splits": np.array(splits[1:], dtype=np.int64)}


class Model:
    """A loaded model. Use :func:`load_model` rather than building one."""

    def __init__(self, path: Path):
        from diacritics import model_cache
        t0 = time.perf_counter()
        arrays = model_cache.load(path)
        if arrays is None:
            arrays = _read_npz(path)
            arrays.update(_candidate_arrays(arrays))
            model_cache.store(path, arrays)
        self.vocab: list[str] = arrays["vocab"].tobytes().decode("utf-8").split("\n")
        self.counts = arrays["counts"].astype(np.int64)
        self.lp1 = arrays["lp1"].astype(np.float32)
        self.bo1 = arrays["bo1"].astype(np.float32)
        # The big tables stay float16 (as shipped, and memory-mapped from the
        # cache): only the entries a query hits are widened to float32.
        self.keys = {k: arrays[f"keys{k}"] for k in (2, 3, 4)}
        self.lp = {k: arrays[f"lp{k}"] for k in (2, 3, 4)}
        self.bo = {k: arrays[f"bo{k}"] for k in (2, 3)}
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
        self.codes: dict[str, str] = meta.pop("codes")
        self.meta = meta
        self.path = path
        self.index = {w: i for i, w in enumerate(self.vocab)}
        keys = arrays["cand_keys"].tobytes().decode("utf-8").split("\n")
        flat = np.array(arrays["cand_ids"], dtype=np.int64)
        bounds = [0, *arrays["cand_splits"].tolist(), len(flat)]
        self.candidates: dict[str, np.ndarray] = {
            key: flat[a:b] for key, a, b in zip(keys, bounds, bounds[1:])}
        self.load_seconds = time.perf_counter() - t0

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size

    def logprob(self, h1: np.ndarray, h2: np.ndarray, h3: np.ndarray, w: np.ndarray,
                rep: np.ndarray | None = None, at: np.ndarray | None = None) -> np.ndarray:
        """Natural log P(w | h1 h2 h3) over uint64 id arrays.

        ``NONE`` in a history slot means "no context there" (sentence start).
        With ``rep``, the histories are per beam and ``rep`` gives the beam of
        each ``w``: backoff weights are then looked up once per beam.
        ``at`` (each ``w``'s lattice position) is for a document cache; the corpus model needs none.
        """
        ctx2 = (h2 << _U16) | h3
        ctx3 = (h1 << _U32) | ctx2
        wide2 = ctx2 if rep is None else ctx2[rep]
        wide3 = ctx3 if rep is None else ctx3[rep]
        # A stored n-gram's suffix is always stored too (counts only shrink
        # with length and pruning thresholds grow with it), so each order is
        # searched only where the one below it was found. Each table is searched
        # once for both the backoff contexts and the n-grams: they share many keys.
        q2 = ((wide2 & _LOW16) << _U16) | w
        at_ctx, at_q = self._search_both(2, ctx2, q2)
        bo2 = self._bo_at(2, ctx2, at_ctx)
        hit2, lp2 = self._lp_at(2, q2, at_q)
        idx = np.flatnonzero(hit2)
        q3 = (wide2[idx] << _U16) | w[idx]
        at_ctx, at_q = self._search_both(3, ctx3, q3)
        bo3 = self._bo_at(3, ctx3, at_ctx)
        bo23 = bo2 + bo3
        bo123 = self._bo1(h3) + bo23
        if rep is not None:
            bo3, bo23, bo123 = bo3[rep], bo23[rep], bo123[rep]
        out = self.lp1[w.astype(np.intp)] + bo123
        out[idx] = lp2[idx] + bo23[idx]
        hit, lp = self._lp_at(3, q3, at_q)
        idx, lp = idx[hit], lp[hit]
        out[idx] = lp + bo3[idx]
        hit, lp = self._find(4, ((wide3[idx] << _U16) | w[idx]))
        out[idx[hit]] = lp[hit]
        return out

    def _search_both(self, k: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = _search(self.keys[k], np.concatenate((a, b)))
        return at[:len(a)], at[len(a):]

    def _lp_at(self, k: int, q: np.ndarray, at: np.ndarray):
        return self.keys[k][at] == q, self.lp[k][at].astype(np.float32)

    def _bo_at(self, k: int, ctx: np.ndarray, at: np.ndarray) -> np.ndarray:
        return np.where(self.keys[k][at] == ctx, self.bo[k][at].astype(np.float32), np.float32(0))

    def _find(self, k: int, q: np.ndarray):
        return self._lp_at(k, q, _search(self.keys[k], q))

    def _bo1(self, h3: np.ndarray) -> np.ndarray:
        safe = np.where(h3 == NONE, 0, h3).astype(np.intp)
        return np.where(h3 == NONE, np.float32(0), self.bo1[safe])


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Model:
    return Model(Path(path))


def load_model(path: str | os.PathLike | None = None) -> Model:
    """The shipped model (or ``path``, or ``$SOHOA_RESTORE_MODEL``), loaded once per process."""
    chosen = path or os.environ.get(ENV_PATH) or DEFAULT_PATH
    return _load(str(Path(chosen).resolve()))
