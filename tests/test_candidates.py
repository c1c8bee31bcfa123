"""OCR repair candidates: the bounded search and the precomputed table give exactly what scoring every
nearby syllable gives; a stale table is never used."""
import json

import numpy as np
import pytest

from diacritics.confusion import (CANDIDATE_TABLE_PATH, CandidateTable, ConfusionModel, _source_keys,
                                  build_candidate_table, lookup_skeleton, read_candidate_table, skeleton,
                                  write_candidate_table)
from diacritics.repair import Repairer, get_repairer

# Words from our own OCR of the bench pages (valid, slipped, foreign) and seed 003's
# wrong-language garbles, with symbols, digits and a long run.
WORDS = ["người", "được", "thủ", "tục", "hành", "chính", "quyết", "định", "biến", "chẩn", "số", "sổ",
         "luậi", "bảo", "hiếm", "tố", "chức", "côte", "giggs", "ubnd", "s6", "nwéc", "ctia", "chwong",
         "trinh", "tong", "thé", "d€", "tha", "duogc", "diing", "pang", "tuwdéng", "qu6c", "nghiêng",
         "théngrké", "x111", "a"]


@pytest.mark.parametrize("channel", ["vie", "eng"])
def test_bounded_candidates_are_the_full_ones(channel):
    bounded = get_repairer(channel)
    full = Repairer(channel)
    full._within = None   # score every syllable near the token
    for w in WORDS:
        assert bounded._candidates(w) == full._candidates(w), w


@pytest.mark.parametrize("channel", ["vie", "eng"])
def test_bound_is_never_below_the_score(channel):
    rep = get_repairer(channel)
    index, model = rep.index, rep.conf
    for obs in ("được", "nwéc", "chwong", "luậi", "tha"):
        skels = []
        for key in {lookup_skeleton(obs), skeleton(obs)} | _source_keys(obs, model):
            skels += [sk for sk, _d in index.skeletons_near(key) if sk not in skels]
        syls = [s for sk in skels for s in index.by_skeleton[sk]]
        bounds = index._upper_bounds(obs, model, skels)
        assert len(bounds) == len(syls) > 20
        for syl, b in zip(syls, bounds):
            assert b >= model.char_logp(obs, syl) - 1e-9, (obs, syl)


def test_shipped_candidate_table_is_current():
    rep = get_repairer("vie")
    table = rep.index._precomputed(rep.conf)
    assert isinstance(table, CandidateTable), (
        f"{CANDIDATE_TABLE_PATH} was built from other confusion tables, other code in "
        "diacritics/confusion.py or another lexicon: rebuild it with `python -m diacritics.confusion`")
    assert table.within >= rep._within
    assert table.get("người") is not None and table.get("nwéc") is None


def test_stale_or_foreign_candidate_table_is_not_used(tmp_path):
    rep = get_repairer("vie")
    arrays = build_candidate_table(rep.index, rep.conf, ["được", "số"], rep._within)
    path = tmp_path / "table.npz"
    write_candidate_table(path, arrays)
    good = read_candidate_table(rep.index, rep.conf, path)
    assert good.get("được")[1] == [kv for kv in rep.index.candidates("được", rep.conf, k=1 << 30)
                                   if kv[1] >= good.get("được")[1][0][1] - rep._within]
    meta = json.loads(arrays["meta"].tobytes())
    meta["fingerprint"] = "0" * 64   # built from something else
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    write_candidate_table(path, arrays)
    assert read_candidate_table(rep.index, rep.conf, path) == {}
    # a channel model not loaded from the shipped tables (adapted per document) has no table
    assert read_candidate_table(rep.index, ConfusionModel({}), path) == {}


def test_a_whole_token_garble_counts_for_the_other_tones_in_english_ocr():
    # training saw "tur" for tử and từ, hardly ever for tự; English OCR prints no tone
    # mark it cannot read, so "số thứ tur" must be able to be "số thứ tự"
    from diacritics.repair import repair_text
    got = dict(get_repairer("eng").candidates("tur"))
    assert got["tự"] >= got["từ"] - 1.5
    assert repair_text("thong ké cac chi tiéu sé thir tur 1 dén 9") == "thống kê các chỉ tiêu số thứ tự 1 đến 9"
    assert get_repairer("vie").conf.tone_family_lp is None   # our own OCR reads tone marks: no such sharing
