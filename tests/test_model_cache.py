"""The memory-mapped copy of the shipped model: same answers as the zip, and never required."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

from diacritics import model_cache
from diacritics.model import DEFAULT_PATH, Model
from diacritics.restorer import Restorer
from diacritics.tone import strip_diacritics


def _answers(model: Model, text: str) -> tuple:
    """What a model decides: restored text with confidences, and raw n-gram scores."""
    res = Restorer(model).restore(text, "new", detail=True)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, len(model.vocab), size=(4, 3000)).astype(np.uint64)
    ids[:, :1000] = ids[0, :1000]   # some repeated contexts, so stored n-grams are hit too
    lp = model.logprob(*ids)
    return res.text, [(w.text, w.confidence) for w in res.words], lp.tobytes(), lp.dtype


@pytest.fixture(scope="module")
def text(seeds_dir):
    return strip_diacritics(next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8"))[:6000]


@pytest.fixture(scope="module")
def from_zip(tmp_path_factory, text):
    """The model read straight from the shipped zip (its cache folder cannot be created)."""
    blocker = tmp_path_factory.mktemp("ro") / "a-file"
    blocker.write_text("not a folder")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(model_cache.ENV_DIR, str(blocker / "cache"))
        m = Model(DEFAULT_PATH)
        return _answers(m, text)


def test_cache_gives_the_zip_answers(tmp_path, monkeypatch, text, from_zip):
    folder = tmp_path / "not" / "made" / "yet"
    monkeypatch.setenv(model_cache.ENV_DIR, str(folder))
    first = Model(DEFAULT_PATH)           # builds the copy
    built = list(folder.glob("lm-*"))
    assert len(built) == 1 and not list(folder.glob(".*.part"))
    assert model_cache.load(DEFAULT_PATH) is not None
    second = Model(DEFAULT_PATH)          # maps it
    assert isinstance(second.keys[3].base, np.memmap)   # mapped, not read into memory
    assert first.vocab == second.vocab and first.codes == second.codes
    assert first.candidates.keys() == second.candidates.keys()
    assert all(np.array_equal(first.candidates[k], second.candidates[k]) for k in first.candidates)
    assert _answers(first, text) == from_zip
    assert _answers(second, text) == from_zip


def test_damaged_cache_is_replaced(tmp_path, monkeypatch, text, from_zip):
    monkeypatch.setenv(model_cache.ENV_DIR, str(tmp_path))
    Model(DEFAULT_PATH)
    (folder,) = tmp_path.glob("lm-*")
    victim = folder / "keys3.npy"
    victim.write_bytes(victim.read_bytes()[:1000])   # truncated, as by a full disk
    left = tmp_path / f".{folder.name}.99999.part"     # a writer killed long ago
    left.mkdir()
    os.utime(left, (time.time() - 7200, time.time() - 7200))
    assert model_cache.load(DEFAULT_PATH) is None
    assert _answers(Model(DEFAULT_PATH), text) == from_zip
    assert model_cache.load(DEFAULT_PATH) is not None   # rewritten whole
    assert not left.exists()


def test_key_follows_content(tmp_path):
    # a rebuilt model (another array, another CRC) must not meet the old copy
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    np.savez(a, x=np.arange(5))
    np.savez(b, x=np.arange(6))
    assert model_cache.content_key(a) != model_cache.content_key(b)
    assert model_cache.content_key(a) == model_cache.content_key(a)
    assert model_cache.content_key(tmp_path / "missing.npz") is None
