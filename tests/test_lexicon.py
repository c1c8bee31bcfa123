"""The model build (lexicon.build) and the shipped model's invariants."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from diacritics.tokens import BOUND, FIRST_WORD_ID, NONE, UNK, lm_class, lm_ids
from diacritics.tone import is_syllable, place_tone, split_tone, strip_diacritics, to_style
from lexicon import build


# --- tone primitives the model's alphabet rests on -----------------------------------------

def test_strip_keeps_case_and_everything_but_marks():
    assert strip_diacritics("Đà Nẵng, NGHỊ ĐỊNH 15/2020/NĐ-CP.") == "Da Nang, NGHI DINH 15/2020/ND-CP."
    # decomposed input is handled too
    assert strip_diacritics("Vie\u0323\u0302t") == "Viet"


@pytest.mark.parametrize("word,ok", [
    ("hòa", True), ("hoà", True), ("quý", True), ("nghiêng", True), ("thuở", True), ("giữ", True),
    ("lục", True), ("luc", False), ("bàc", False), ("qúy", False), ("tíêng", False),
    ("email", False), ("abc", False), ("NỘI", True),
])
def test_is_syllable(word, ok):
    assert is_syllable(word) is ok


def test_tone_placement_styles():
    assert to_style("Hoà bình, KHOẺ, thuỷ, quý, hoàn, khuỷu", "new") == "Hòa bình, KHỎE, thủy, quý, hoàn, khuỷu"
    assert to_style("Hòa bình, KHỎE, thủy, quý, hoàn, khuỷu", "old") == "Hoà bình, KHOẺ, thuỷ, quý, hoàn, khuỷu"
    assert place_tone("hoa", 2) == "hòa" and place_tone("hoa", 2, "old") == "hoà"
    assert place_tone("trương", 2) == "trường" and place_tone("quy", 1) == "quý"
    assert split_tone("Nghị") == ("Nghi", 5)


def test_lm_alphabet():
    assert lm_class("hoà") == "hòa"          # one spelling per syllable in the model
    assert lm_class("2020") == lm_class("1.234,5")
    assert lm_class("\n") == lm_class(".") == lm_class("\t") == BOUND
    assert lm_class("facebook") == "facebook" and lm_ids("facebook", {}) == [UNK]
    assert lm_class("đ") == "đ"              # list labels are words too
    assert lm_ids("Số 04/KH", {"số": 20}) == [20, lm_class("04"), lm_class("/"), UNK]


# --- Kneser–Ney estimate on a small synthetic corpus ---------------------------------------

@pytest.fixture(scope="module")
def small_model():
    rng = np.random.default_rng(7)
    vocab = 40
    # sentences from a skewed bigram chain, so n-grams repeat at every order
    ids = []
    for _ in range(3000):
        ids.append(BOUND)
        w = int(rng.integers(FIRST_WORD_ID, FIRST_WORD_ID + vocab))
        for _ in range(int(rng.integers(3, 12))):
            ids.append(w)
            w = FIRST_WORD_ID + (w * 7 + int(rng.zipf(1.6))) % vocab
    ids.append(BOUND)
    arr = np.array(ids, dtype=np.uint64)
    return build.estimate(arr, FIRST_WORD_ID + vocab), FIRST_WORD_ID + vocab


def test_pack_skips_ngrams_across_sentences():
    ids = np.array([BOUND, 20, 21, BOUND, 22, BOUND], dtype=np.uint64)
    keys = build.pack(ids, 3)
    grams = {tuple(int(k) >> s & 0xFFFF for s in (32, 16, 0)) for k in keys}
    assert grams == {(BOUND, 20, 21), (20, 21, BOUND), (BOUND, 22, BOUND)}


def test_kneser_ney_distributions_sum_to_one(small_model):
    model, v = small_model
    words = np.arange(v, dtype=np.uint64)
    keys4 = model[4][0]
    rng = np.random.default_rng(1)
    # contexts that are stored, and ones that must back off all the way
    contexts = [int(k) >> 16 for k in rng.choice(keys4, 20)] + [(NONE << 32) | (NONE << 16) | BOUND,
                                                                (30 << 32) | (31 << 16) | 32]
    for ctx in contexts:
        q = (np.uint64(ctx) << np.uint64(16)) | words
        total = np.exp(build.score_packed(model, 4, q)).sum()
        assert total == pytest.approx(1.0, abs=2e-3), hex(ctx)
    # pruning really removed n-grams, so the renormalised backoff was exercised
    assert len(keys4) < 3000 * 8


def test_code_map_learns_d_with_stroke():
    counts = Counter({"NĐ": 500, "ND": 4, "QĐ": 300, "HĐND": 90, "CP": 900, "ĐT": 5, "DT": 5,
                      "BỘ": 50, "ĐANG": 40})
    assert build.code_map(counts) == {"ND": "NĐ", "QD": "QĐ", "HDND": "HĐND"}


def test_stripped_lines_are_dropped():
    names = ["\n", "ke", "hoach", "tong", "ket", "thuc", "hien", "kế", "hoạch"]
    line = [1, 2, 3, 4, 5, 6, 0]        # six unmarked words: an ASCII copy
    good = [7, 8, 3, 0]                 # marked words keep the line
    ids = np.array(line + good, dtype=np.int32)
    kept = build.drop_stripped_lines(ids, names)
    assert kept.tolist() == [0] + good


def test_headings_in_capitals_are_left_out_of_the_training_text(tmp_path):
    """OCR drops the marks above capitals: a corpus heading ``KIÊN NGHỊ, ĐÈ XUẤT`` must not
    teach the model that spelling."""
    import gzip
    path = tmp_path / "legal.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("# source: test\nIV. KIÊN NGHỊ, ĐÈ XUẤT\nChương VI HOẠT ĐỘNG HỢP TÁC QUỐC TẾ\n"
                 "Số: 49/2026/NĐ-CP\nKiến nghị UBND tỉnh, HĐND tỉnh xem xét.\nKẾ HOẠCH\nTHÔNG TƯ\n")
    text = "".join(build._chunks(path, 1e9))
    assert text == "Số: 49/2026/NĐ-CP\nKiến nghị UBND tỉnh, HĐND tỉnh xem xét.\n"


# --- the shipped model ---------------------------------------------------------------------

def test_shipped_model_is_normalised_and_knows_the_domain():
    from diacritics.model import load_model
    m = load_model()
    assert m.meta["order"] == 4 and "devset" not in " ".join(m.meta["corpora"])
    words = np.arange(len(m.vocab), dtype=np.uint64)
    for ctx in (["cộng", "hòa", "xã"], ["ủy", "ban", "nhân"], ["<s>"]):
        ids = [NONE] * (3 - len(ctx)) + [m.index[w] for w in ctx]
        h = [np.full(1, i, dtype=np.uint64) for i in ids]
        lp = m.logprob(*h, words, rep=np.zeros(len(words), dtype=np.intp))
        assert np.exp(lp).sum() == pytest.approx(1.0, abs=2e-3)
    assert m.vocab[int(np.argmax(lp))] != "<s>"
    assert m.codes["ND"] == "NĐ" and m.codes["HDND"] == "HĐND"
    assert [m.vocab[i] for i in m.candidates["hoach"]][0] == "hoạch"


def test_build_names_a_missing_input(tmp_path):
    import subprocess
    import sys
    out = tmp_path / "m.npz"
    r = subprocess.run([sys.executable, "-m", "lexicon.build", "--corpus", "nosuch.txt.gz", "--out", str(out)],
                       capture_output=True, text=True, cwd=build.ROOT, timeout=120)
    assert r.returncode == 2
    assert "nosuch.txt.gz: not found" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_code_counts_include_codes_with_their_number(tmp_path, monkeypatch):
    """The shipped table's code counts decide OH → QH: QH13 must count as QH."""
    import gzip

    from lexicon import build_confusion
    with gzip.open(tmp_path / "legal.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write("Luật số 91/2015/QH13 và 36/2005/QH11, Bộ luật 100/2015/QH13.\n"
                 "Nhóm OH trong NaOH; Nghị định 15/2020/NĐ-CP; mã A320B.\n")
    monkeypatch.setattr(build_confusion, "CORPUS", tmp_path)
    counts = build_confusion.abbreviation_counts(min_count=1)
    assert counts["QH"] == 3 and counts["OH"] == 1   # NaOH is a word, not the code OH
    assert counts["NĐ"] == 1 and counts["CP"] == 1
    assert "A" not in counts and "B" not in counts
