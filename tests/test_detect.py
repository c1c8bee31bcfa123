"""Detection of clean / stripped / garbled text, line by line (diacritics.detect)."""
from __future__ import annotations

import pytest

from diacritics.repair import line_labels

CLEAN = "Ủy ban nhân dân tỉnh ban hành Kế hoạch tổng kết thực hiện Chương trình"
STRIPPED = "Uy ban nhan dan tinh ban hanh Ke hoach tong ket thuc hien Chuong trinh"
GARBLED = "Tong két thuc hién Chwong trinh tong thé cai cach hanh chinh nha nwéc"
OCR_SLIP = "Thẩm quyên giải quyết của Luậi này được quy định tại Điều 5"


def test_each_kind_of_line_is_recognised():
    assert line_labels([CLEAN]) == ["clean"]
    assert line_labels([STRIPPED]) == ["stripped"]
    assert line_labels([GARBLED]) == ["garbled"]
    # a well-marked line with a couple of OCR slips is our own OCR, not a wrong-language export
    assert line_labels([OCR_SLIP]) == ["clean"]


def test_short_lines_take_the_label_of_their_text():
    assert line_labels([GARBLED, "KE HOACH", GARBLED]) == ["garbled"] * 3
    assert line_labels([STRIPPED, "KE HOACH", STRIPPED]) == ["stripped"] * 3
    assert line_labels([CLEAN, "Số: 04", CLEAN]) == ["clean"] * 3


def test_mark_less_lines_of_a_garbled_export_are_garbled():
    assert line_labels([GARBLED, GARBLED, STRIPPED, GARBLED]) == ["garbled"] * 4


def test_lone_odd_line_in_clean_text_stays_clean():
    lines = [CLEAN, "H2SeO4 + 2RbOH", CLEAN, CLEAN]
    assert line_labels(lines) == ["clean"] * 4


def test_names_from_code_are_not_garbled_words():
    # an underscore inside a word is a wrong-language OCR slip (sérlurc_mg), but drop_specks and
    # MAX_WORDS are names from code: the line is English, and left alone
    line = "from pipeline.specks import drop_specks, find_specks"
    assert line_labels([line]) == ["clean"]
    assert line_labels(["`doc_start` (`pages`, `resumed_pages`), `doc_skipped`, `doc_done`"]) == ["clean"]
    assert line_labels(["- Théng ké sérlurc_mg co quan chuyén mén cap tinh"]) == ["garbled"]


@pytest.mark.parametrize("seed,label", [
    ("000_08936da748c34128.txt", "clean"), ("001_116169c0efaab4a7.txt", "clean"),
    ("002_c4bd65532f1752b6.txt", "clean"), ("003_ac805ce7c85713f0.txt", "garbled"),
    ("004_6ba27df1980e2c46.txt", "clean")])
def test_seed_documents(seeds_dir, seed, label):
    lines = (seeds_dir / seed).read_text(encoding="utf-8").split("\n")
    labels = [lab for lab, ln in zip(line_labels(lines), lines) if ln.strip()]
    share = labels.count(label) / len(labels)
    assert share >= 0.98, (seed, share)


def test_english_ocr_of_capitals_shows_itself():
    # a mark above a capital printed as ! mid-line or as one small letter: no one types so
    caps_ocr = "TRONG THO! GIAN 15 NGAY LAM VIEC, CO SO DIEU TR! DUOC CHi DINH"
    assert line_labels([caps_ocr]) == ["garbled"]
    # … while capitals typed without marks, ending on a real exclamation, are stripped text
    assert line_labels(["KHAN TRUONG THUC HIEN CAC NOI DUNG SAU DAY NGAY!"]) == ["stripped"]


def test_a_mark_less_text_with_english_ocrs_garbles_is_garbled_throughout():
    caps = ["TRONG THO! GIAN 15 NGAY LAM VIEC, KE TU NGAY NHAN DUOC CONG VAN",
            "CUA CO SO QUAN LY, CO SO DIEU TRI DUOC CHI DINH CO TRACH NHIEM",
            "LAP PHIEU CHUYEN TIEP DIEU TR! BANG THUOC KHANG HIV CHO DOI TUONG"]
    assert line_labels(caps) == ["garbled"] * 3   # the middle line shows nothing itself
    # one look-alike (an e-mail address) in stripped text is no such sign
    typed = [STRIPPED] * 5 + ["Moi thong tin xin lien he dia chi thu dien tu vaac@moh.gov.vn de duoc"] + [STRIPPED] * 5
    assert line_labels(typed) == ["stripped"] * 11


def test_addresses_product_names_and_names_of_things_in_stripped_text_are_no_garbles():
    # two e-mail addresses and a model's name had made a typed mark-less text English OCR, and a
    # line naming three systems a garbled line in it: the channel then read it (thue VAT: thực VẬT)
    typed = [STRIPPED, "Lien he hoanv@binhdinh.gov.vn hoac snv@binhdinh.gov.vn de duoc ho tro",
             "He thong e-Gov, iGate va VNeID; kenh VTV3, giao thuc IPv6; thue VAT 10%", STRIPPED]
    assert line_labels(typed) == ["stripped"] * 4
    # … while English OCR's look-alikes still show it (s6, ngw6i: số, người)
    assert line_labels([STRIPPED, "Tong s6 ngw6i dan duoc ho tro trong nam", STRIPPED,
                        "Chwong trinh c6 hiéu qua"]) == ["garbled"] * 4


def test_capitals_one_letter_off_a_syllable_show_english_ocr_too():
    # a page in capitals can show nothing but such words (HIBU for HIỆU, DIRU for ĐIỀU)
    caps = ["QUY DINH VE DIRU KIEN CAP GIAY PHEP VA HIBU LUC CUA GIAY PHEP CHE BIEN",
            "THUOC LA THEO DIBU 12 CUA NGHI DINH NAY DOI VOI CAC DOANH NGHIEP SAN XUAT"]
    assert line_labels(caps) == ["garbled"] * 2
    # … but acronyms with a vowel do too (PAKN, KIOT), so two different ones are not enough
    typed = ["SO LUONG PAKN DA GIAI QUYET TRONG NAM VA SO KIOT BAN HANG TAI CHO DUOC CAP PHEP",
             "TONG SO PAKN TIEP NHAN QUA CONG DICH VU CONG CUA TINH TRONG NAM VUA QUA"]
    assert line_labels(typed) == ["stripped"] * 2
