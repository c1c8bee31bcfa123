"""OCR repair (issue 4): seed 003 (English-OCR'd Bình Định plan), our own OCR's slips, the rules
that must never make text worse, the review list and ``sohoa restore --mode``."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from diacritics.repair import (Change, adapt_channel, bang_as_i, clean_artifacts, document_blocks, fix_code,
                               fix_roman, get_repairer, repair, repair_document, repair_text, split_glued_digit,
                               split_glued_letter)
from pipeline.cli import main as sohoa

SEED003 = "003_ac805ce7c85713f0.txt"

# Lines of seed 003 (1-based) and their Vietnamese, checked by hand against the
# garbled export and the standard wording of these plans.
SEED003_LINES = {
    1: " TỈNH BÌNH ĐỊNH Độc lập - Tự do - Hạnh phúc",
    2: "Số: 04 /KH-UBND Bình Định, ngày 20 tháng 01 năm 2020",
    3: "KẾ HOẠCH",
    5: "Tổng kết thực hiện Chương trình tổng thể cải cách hành",
    6: "chính nhà nước giai đoạn 2011 - 2020 tỉnh Bình Định",
    8: "Thực hiện thực hiện Quyết định số 20/QĐ-BCĐCCHC ngày 20 tháng 12",
    16: "Ủy ban nhân dân tỉnh ban hành Kế hoạch tổng kết thực hiện Chương trình",
    17: "tổng thể cải cách hành chính giai đoạn 2011 — 2020 trên địa bàn tỉnh với một số",
    18: "nội dung nhiệm vụ cụ thể như sau:",
    20: "I. MỤC ĐÍCH, YÊU CẦU",
    25: "nhiệm vụ của Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011",
    26: "- 2020 theo Nghị quyết 30c/NQ-CP ngày 08 tháng 11 năm 2011 của Chính phủ",
    27: "(sau đây gọi tắt là Chương trình tổng thể cải cách hành chính), Kế hoạch cải cách",
    28: "hành chính nhà nước giai đoạn 2016 - 2020 ban hành kèm theo Quyết định số",
    # the appendix: "Số" before ": <number>", a cell wrapped past its bar, an invented capital
    # before a word printed with a digit (1y: lý), a wrapped cell's case
    258: "0 Kế hoạch số: 04 /KH-UBND,",
    # a capital alone opening a table cell that goes on in small words lost its vowel
    1057: "Số tổ chức khoa học và",
    871: "Số lượng PAKN được xử lý và đã",
    924: '" | chức',
    973: "Số lượng đơn vị sự",
    # V& read as Về: the document settles five of its ten surely, and those whole-token pairs
    # decide the rest (the letter tables price & at one floor for Về, Vụ and Và alike)
    462: "b) Về công chức cấp xã",
    508: "6. Về hiện đại hóa hành chính",
    586: "5. Về tài chính công",
    # Bố trí, as lines 204 and 280 write it: Bố costs 11.5 nats more than Bá in the channel,
    # and only a wide enough beam keeps it until "trí" vouches for it
    233: "- Bố trí kinh phí bảo đảm cho việc tổng kết tại các cơ quan, đơn vị theo",
    # words the letters rank too low, proposed by their neighbours (diacritics.context_candidates):
    # cjéi, ¢ay, tix; qai (đổi) only from the wider readings of a badly mangled token's neighbour
    416: "- Công tác kiểm tra, giám sát, đánh giá định kỳ đối với các nhiệm vụ thuộc",
    411: "- Việc đề xuất đẩy mạnh phân cấp đối với các ngành, lĩnh vực thuộc phạm vi",
    791: "trên Cổng/ Trang Thông tin điện tử",
    212: "thực hiện đáp ứng yêu cầu đổi mới về hình thức, sinh động về nội dung tại các cơ",
    # a cell's line run on without a stop: the second half of a compound is small (thường xuyên)
    985: "xuyên",
    # a lost space one syllable explains only badly (diéntu), and specks opening a line
    541: "nghiệp; triển khai các hệ thống một cửa điện tử:",
    155: "- Sở Nội vụ chủ trì, phối hợp với các cơ quan có liên quan xây dựng, trình",
    245: "- Tăng thời lượng phát sóng, đưa tin về các nội dung liên quan đến công tác",
    474: "a) Tình hình triển khai các chính sách cải cách về thuế, thu nhập, tiền lương,",
    568: "Phần thứ hai",
    283: "cơ quan, đơn vị trực thuộc; đánh giá sự hài lòng của cơ quan, tổ chức đối với sự",
    872: "công khai kết quả trả lời trên Cổng",
    # readings the 4-gram ranked second, chosen by the words around them (diacritics.context_model)
    30: "thực hiện Chương trình hành động của Tỉnh ủy thực hiện Nghị quyết Đại hội của",
    782: "Số TTHC do tỉnh ban hành (được",
    1078: ", Số lượng văn bản nhận trên",
    # a heading's number glued to its word, with a speck between (LUCS5)
    914: " PHỤ LỤC 5",
    # a row of column headings (cấp tỉnh / cấp huyện read down the columns): one printed
    # word is one word, as the document reads it elsewhere, not tĩnh beside tỉnh
    904: "tỉnh huyện tỉnh tỉnh huyện tỉnh huyện huyện",
}


@pytest.fixture(scope="module")
def seed003(seeds_dir):
    raw = (seeds_dir / SEED003).read_text(encoding="utf-8")
    return raw, repair_document(raw, mode="auto")


@pytest.mark.parametrize("line_no", sorted(SEED003_LINES))
def test_seed003_lines_repaired_exactly(seed003, line_no):
    _raw, res = seed003
    assert res.text.split("\n")[line_no - 1] == SEED003_LINES[line_no]


def test_seed003_keeps_structure_numbers_and_codes(seed003):
    raw, res = seed003
    before, after = raw.split("\n"), res.text.split("\n")
    assert len(after) == len(before)
    roman_lines = {c.line for c in res.changes if c.reason == "roman"}
    for i, (b, a) in enumerate(zip(before, after), 1):
        assert (b.strip() == "") == (a.strip() == ""), f"line {i}: blank lines stay blank"
        if i not in roman_lines:
            # every number of three digits or more survives; a shorter one may be a word English
            # OCR printed in digits (S6 → Số, "ty 16 hd so" → tỷ lệ hồ sơ, 16p → lớp), but only
            # one the model read as a word, never a number with a digit lost
            words = [c for c in res.changes if c.line == i and c.reason == "model" and re.search(r"\d", c.before)]
            assert all(len(re.sub(r"\D", "", c.before)) <= 2 and not re.search(r"\d", c.after)
                       for c in words), f"line {i}: {b!r} → {a!r}"
            read_as_words = [re.sub(r"\D", "", c.before) for c in words]
            kept = re.findall(r"\d{2,}", a)
            assert kept == [n for n in re.findall(r"\d{2,}", b) if n not in read_as_words or n in kept], \
                f"line {i}: {b!r} → {a!r}"
    for code in ("/KH-UBND", "30c/NQ-CP", "6503/BNV-CCHC", "225/QĐ-TTg", "536/QĐ-UBND"):
        assert code in res.text
    assert "lần thứ XIII" in res.text.split("\n")[39]  # "lan thi X111": a Roman numeral here


def test_channel_adapts_to_the_document(seed003):
    """A slip the training renders never showed (``ố`` printed as ``b``) is learned from the
    document's own sure repairs: ``Tbi thiéu 30%`` is ``Tối thiểu``, not ``Bị thiếu``."""
    _raw, res = seed003
    assert res.text.split("\n")[1264].startswith("Tối thiểu 30%")
    rep = get_repairer("eng")
    sure = [Change(1, 0, "sb", "số", 1.0, "model"), Change(2, 0, "Sb", "Số", 0.99, "model")] * 25
    adapted = adapt_channel(rep, sure)
    assert adapted.conf.logp("tbi", "tối") > rep.conf.logp("tbi", "tối") + 3
    assert adapted.conf.logp("tbi", "tối") > adapted.conf.logp("tbi", "bị")
    assert rep.candidates("tbi") != adapted.candidates("tbi")   # each has its own cache
    assert adapt_channel(rep, sure[:10]) is None   # too little evidence: no second pass
    unsure = [Change(1, 0, "sb", "số", 0.6, "model")] * 50
    assert adapt_channel(rep, unsure) is None      # unsure guesses are not learned


def test_seed003_reads_as_vietnamese(seed003):
    """Almost no word of the repaired plan is left that no Vietnamese syllable spells."""
    from diacritics.model import load_model
    from diacritics.tone import to_style
    vocab = set(load_model().index)
    _raw, res = seed003
    words = re.findall(r"(?<![\w/-])[^\W\d_]+(?![\w/-])", res.text)
    lower = [w for w in words if not w.isupper()]  # acronyms (UBND, CCHC) are fine as they are
    unknown = [w for w in lower if to_style(w.lower(), "new") not in vocab]
    assert len(unknown) < 0.02 * len(lower), unknown[:40]


def test_changes_point_at_the_words_they_replace(seed003):
    raw, res = seed003
    lines = raw.split("\n")
    model_changes = [c for c in res.changes if c.reason in ("model", "code", "roman")]
    assert len(model_changes) > 3000
    for c in model_changes[:500]:
        cleaned = clean_artifacts(lines[c.line - 1])
        assert cleaned[c.col:c.col + len(c.before)] == c.before
        assert 0.0 <= c.confidence <= 1.0


def test_review_lists_the_uncertain_changes(seed003):
    _raw, res = seed003
    review = res.review(0.7)
    assert review, "some changes in a 1,300-line garbled export are uncertain"
    assert all(c.confidence < 0.7 for c in review)
    assert len(review) < 0.2 * len(res.changes)
    assert all(len(c.tsv().split("\t")) == 6 for c in review)


def test_review_lists_the_garbles_left_as_printed():
    # seed 003's garbles no syllable explains, among words the repair reads, a name, an
    # acronym and a sum of money it must not list
    text = ("- Théng ké sérlurc_mg co quan chuyén mén cap tinh, to chiedoi voi su\n"
            "- @40 tao, van hoa cho Bd phan TN&TKQ tai Samsung va Keangnam, chi phi $100.\n"
            "Phanthitba")
    res = repair_document(text, mode="garbled")
    kept = {c.before: c for c in res.review() if c.reason == "kept"}
    assert set(kept) == {"sérlurcmg", "@40", "Phanthitba"}   # chiedoi is read: tổ chức đối
    assert all(c.before == c.after and c.confidence == 0.0 for c in kept.values())
    line_of = {w: i for i, ln in enumerate(res.text.split("\n"), 1) for w in ln.split()}
    assert all(c.line == line_of[w] and res.text.split("\n")[c.line - 1][c.col:].startswith(w)
               for w, c in kept.items())
    assert not res.kept or all(c not in res.changes for c in res.kept)   # no change was made there


# --- never make text worse --------------------------------------------------------------

@pytest.mark.parametrize("seed", ["000_08936da748c34128.txt", "002_c4bd65532f1752b6.txt"])
def test_clean_text_is_left_alone(seeds_dir, seed):
    text = (seeds_dir / seed).read_text(encoding="utf-8")
    text = "\n".join(text.split("\n")[:150])
    assert repair_document(text, mode="auto").text == text
    # the ocr mode may fix a rare typo of the original, but leaves clean text nearly as it is
    ocr = repair_document(text, mode="ocr")
    assert len(ocr.text.split("\n")) == len(text.split("\n"))
    assert len(ocr.changes) <= len(text) / 2000


def test_auto_mends_what_is_no_word_in_a_clean_text_and_keeps_the_rest():
    """A Vietnamese text with its marks that someone else OCR'd: auto mode mends its non-words
    with our OCR's channel, but takes every common word as typed, and keeps names, fragments,
    foreign words, codes and punctuation."""
    line = ("Việc bổ sung các quy định điễu chỉnh của Luậi Đất đai thuộc thẩm quyền của tỉnh "
            "trên dia bàn từ tháng 1] năm 2019, sô doanh nghiệp nhỏ.")
    res = repair_document(line)
    # dia: a word the corpus practically always marks is no typed word either; nor is tot,
    # which no syllable spells without a mark (an ASCII word that is not e-Gov, a foreign one)
    assert repair_document("Các cơ quan, đơn vị thực hiện tot nhiệm vụ được giao.").text == \
        "Các cơ quan, đơn vị thực hiện tốt nhiệm vụ được giao."
    assert res.text == ("Việc bổ sung các quy định điều chỉnh của Luật Đất đai thuộc thẩm quyền của "
                        "tỉnh trên địa bàn từ tháng 11 năm 2019, sô doanh nghiệp nhỏ.")
    assert {c.reason for c in res.changes} <= {"model", "number", "artifact"}
    kept = ("thị trấn Sĩa ./.\nng nghiệp phát triển; hệ thống cloud computing, big data và "
            "e-government; Quyết định số 1234/QĐ-UBND, KT&ĐT; lệ phí,…) và VH,TD?T.\n"
            "Le comité a publié les rapports des provinces.")
    assert repair_document(kept).text == kept
    # a heading in capitals that lost some marks (Tesseract -l eng+vie) is partly stripped
    heading = ("HỘI NGHỊ CHUYỂN ĐỔI SỐ VIETNAM DIGITAL TRANSFORMATION SUMMIT 2021\n"
               "ĐOÀN CÔNG TÁC CỦA TỈNH LAM VIEC VỚI TẬP ĐOÀN SAMSUNG VÀ CÔNG TY TNHH CANON VIỆT NAM")
    assert repair_document(heading).text == heading.replace("LAM VIEC", "LÀM VIỆC")
    # … as is a short heading in capitals with a word the corpus always marks; a foreign one stays
    short = "ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH\nQUYET DINH\nVề việc ban hành kế hoạch năm 2021\nNEW YORK"
    assert repair_document(short).text == short.replace("QUYET DINH", "QUYẾT ĐỊNH")
    # a name or place typed without marks is restored as one, never word by word (TRẦN THI BINH)
    names = ("Kính gửi: BÀ TRAN THI BINH, Chủ tịch Ủy ban nhân dân xã; ông Tran Quoc Tuan, "
             "chuyên viên Sở Nội vụ, đã đến UBND TINH BINH DINH, Ha Noi và New York.")
    assert repair_document(names).text == (
        "Kính gửi: BÀ TRẦN THỊ BÌNH, Chủ tịch Ủy ban nhân dân xã; ông Trần Quốc Tuấn, "
        "chuyên viên Sở Nội vụ, đã đến UBND TỈNH BÌNH ĐỊNH, Hà Nội và New York.")
    # typed punctuation is no OCR debris there: a lost space after a semicolon, quotes, symbols
    typed = ("Diện tích 3.500 m², đơn giá 1.250.000đ/m²; tỷ lệ 91,41%, tăng 1/2; A&B, Tp.HCM, v/v, "
             "Điều 5a;khoản 2, bà Lan’ và ông ‘Tư’.\n"
             "- Tăng cường công tác #CCHC @ cấp xã * ** | — “Chính phủ điện tử” «e-Gov» 'số hóa' [1] {2}.")
    assert repair_document(typed).text == typed


def test_ocr_mode_fixes_typos_in_context(seeds_dir):
    line = ("mục tiêu xây dựng chính quyền xã trong sách vững mạnh. Tổ phòng- thông kế "
            "thị trấn theo dõi, đôn đốc các bộ phận")
    assert repair_document(line, mode="ocr").text == (
        "mục tiêu xây dựng chính quyền xã trong sạch vững mạnh. Tổ phòng- thống kê "
        "thị trấn theo dõi, đôn đốc các bộ phận")


def test_numbers_codes_and_names_are_kept():
    line = "Theo Nghị định số 43/2011/NĐ-CP, ISO 9001:2015 và TCVN; Putin tới Hà Nội 13/6/2011."
    assert repair_text(line, "vie") == line
    garbled = "Theo Nghi dinh s6 43/2011/ND-CP ngay 13 thang 6 nam 2011 cua Chinh phu"
    assert repair_text(garbled, "eng") == ("Theo Nghị định số 43/2011/NĐ-CP ngày 13 tháng 6 năm 2011 "
                                           "của Chính phủ")


def test_our_ocr_of_a_real_contract_keeps_products_and_old_tone_style():
    # lines as Tesseract vie reads ../shared/scans/contract_page_2.jpg
    text = ("STT Hàng hoá SL Đơn giá | Thành tiền\nLenovo ThinkPad X1 Carbon Gen 6\n"
            "e  Memory: § GB LPDDR3 2133MHz\nse Bảo hành I2 tháng")
    out = repair_document(text, mode="ocr").text.split("\n")
    assert out[:2] == text.split("\n")[:2]
    # the list's round bullets, read as e and se, are bullets again; the item text stays
    assert out[2:] == ["•  Memory: § GB LPDDR3 2133MHz", "• Bảo hành 12 tháng"]


def test_an_acronym_with_a_look_alike_character_is_the_acronym():
    from diacritics.repair import fix_lookalike_code
    # our OCR's W for V (the contract's price unit), English OCR's 1 for I (seed 003's ISO)
    assert fix_lookalike_code("WNĐ") == "VNĐ"
    assert fix_lookalike_code("1SO") == "ISO"
    assert fix_lookalike_code("I1SO") == "ISO"   # one glyph read twice, as I and as 1
    # codes the corpus writes, or that no single change makes a known one, stay
    for own in ("UBND", "WTO", "A320", "H2O", "B52", "VBQPL", "XIII", "O0", "II1"):
        assert fix_lookalike_code(own) is None
    assert repair_document("Đơn giá: WNĐ", mode="ocr").text == "Đơn giá: VNĐ"
    assert repair_document("dat tieu chuan 1SO 9001 tai cac co quan", mode="garbled").text == \
        "đạt tiêu chuẩn ISO 9001 tại các cơ quan"


def test_rules_for_codes_roman_numerals_and_debris():
    assert fix_code("QP-BCPCCHC") == "QĐ-BCĐCCHC"
    assert fix_code("QD-UBND") == "QĐ-UBND"
    assert fix_code("PT-TH") is None          # a real code stays
    # once one part shows Đ printed as D, the others need less evidence (BCĐ + CCHC)
    assert fix_code("20/QD-BCDCCHC") == "20/QĐ-BCĐCCHC"
    assert fix_code("QD-UBND") == "QĐ-UBND"
    assert fix_code("KH-UBND") is None
    # the Q of QH (Quốc hội) printed as O, with its number glued on or cut off
    assert fix_code("2015/OH13") == "2015/QH13"
    assert fix_code("2015/OH") == "2015/QH"
    assert fix_code("OD-UBND") == "QĐ-UBND"
    assert fix_code("ODA-WB") is None          # an O the corpus writes stays
    assert repair_text("Bo Luat dan su s6 91/2015/OH 13 ngay 24 thang 11 nam 2015") == \
        "Bộ Luật dân sự số 91/2015/QH13 ngày 24 tháng 11 năm 2015"
    # … as our own OCR cuts it (a contract scan): the legislature's number is never apart
    assert repair_document("Căn cứ Luật số 36/2005/QH I1 và 91/2015/QH 13; 04/KH-UBND 2019", mode="ocr").text == \
        "Căn cứ Luật số 36/2005/QH11 và 91/2015/QH13; 04/KH-UBND 2019"
    assert fix_roman("X111", "thứ", False, False) == "XIII"
    assert fix_roman("I1", "", True, True) == "II"
    assert fix_roman("111", "thứ", False, False) is None   # digits alone are a number
    assert fix_roman("11", "", True, True) is None
    assert clean_artifacts("gan VoI c;éc san pham") == "gan VoI céc san pham"
    assert clean_artifacts("cach hé}nh chinh") == "cach hénh chinh"
    assert clean_artifacts("toan dién kétﬁqué dat duoc") == "toan dién két qué dat duoc"
    assert clean_artifacts("|. MUC PICH") == "I. MUC PICH"
    assert clean_artifacts("tai Ke hoach‘ néy; ‘Tu do’") == "tai Ke hoach néy; ‘Tu do’"   # a speck, a quote
    # italic type prints the horn of ơ/ư after the word; a quotation's close stays
    assert clean_artifacts("Trung hop co’ so’ quan ly, tw’ nay") == "Trung hop co so quan ly, tw nay"
    assert clean_artifacts("khau hieu 'Tu do' va ‘Hanh phuc’") == "khau hieu 'Tu do' va ‘Hanh phuc’"
    assert clean_artifacts("the O'Neil report") == "the O'Neil report"
    # a bracket inside a word that nothing closes was a c; a written one is closed, or an @
    assert clean_artifacts("2020 va ke hOa(ih cai cach (theo") == "2020 va ke hOacih cai cach (theo"
    assert clean_artifacts("cấp tỉnh(huyện), cơ quan(nếu có)") == "cấp tỉnh(huyện), cơ quan(nếu có)"
    assert clean_artifacts("Email: thongtinchinhphu(chinhphu.vn") == "Email: thongtinchinhphu(chinhphu.vn"
    assert repair_text("2020 va ke hOa(ih cai cach hanh chinh giai doan 2021 - 2030") == \
        "2020 và kế hoạch cải cách hành chính giai đoạn 2021 - 2030"
    assert repair_text("mien phi tai co’ so’ quan ly tw’ nguon thudc") == "miễn phí tại cơ sở quản lý từ nguồn thuốc"
    assert repair_text("Ket qua dat duoc phai gan VoI c;éc san pham cong viéc cu the") == \
        "Kết quả đạt được phải gắn với các sản phẩm công việc cụ thể"


# Seed 003's specks opening a line, and what must stay: a quotation, a letter that is a word,
# a tilde before a number (about).
LINE_SPECKS = {
    "~ -Chu tri, phdi hop": "-Chu tri, phdi hop",
    "~ Tang thoi luong phat song": "- Tang thoi luong phat song",
    "q - S& Noi vu chu tri": "- S& Noi vu chu tri",
    "_ @) Tinh hinh trién khai": "@) Tinh hinh trién khai",
    "‘ ' Phan thi hai": "Phan thi hai",
    " ¢ PHU LUC 1": " PHU LUC 1",
    "! Chiatheo tan | NG quyét": "Chiatheo tan | NG quyét",
    "' Tự do' là khẩu hiệu": "' Tự do' là khẩu hiệu",
    "q là chữ cái": "q là chữ cái",
    "~ 5 năm": "~ 5 năm",
}


@pytest.mark.parametrize("line", list(LINE_SPECKS))
def test_a_speck_opening_a_line_is_dropped(line):
    assert clean_artifacts(line) == LINE_SPECKS[line]


def test_vie_channel_fixes_our_own_ocr_slips():
    fixed = repair_document("Thẩm quyên giải quyết của Luậi này được quy định tại Điều 5.", mode="ocr")
    assert fixed.text == "Thẩm quyền giải quyết của Luật này được quy định tại Điều 5."
    assert {c.before for c in fixed.changes} == {"quyên", "Luậi"}


def test_our_own_ocr_read_again_with_what_the_page_settled():
    # a contract scan: the corpus likes `quyển số 01` (a register's number), but the page has
    # settled `ủy quyền` a line above; the second reading weighs both that and the company kept
    page = ("Người đại diện theo ủy quyên: Ông Nishi Atsushi\n"
            "Chức vụ : Trưởng Ban Xúc Tiến Phát Triển Dự Án\n"
            "(Theo Giấy ủy quyên số 01/2019/GUQ-SAVVN lập ngày 01 tháng 05 năm 2019 giữa Ông")
    assert repair_document(page, mode="ocr").text == page.replace("quyên", "quyền")


def test_line_breaks_and_spacing_survive():
    text = "Tong két thuc hién\n\n  Chwong trinh   tong thé\t cai cach\n"
    out = repair_document(text, mode="garbled").text
    assert out == "Tổng kết thực hiện\n\n  Chương trình   tổng thể\t cải cách\n"


# --- the command ----------------------------------------------------------------------------

def test_restore_command_modes_and_review(tmp_path):
    src = tmp_path / "plan.txt"
    src.write_text("Tong két thuc hién Chwong trinh tong thé cai cach hanh chinh nha nwéc\n",
                   encoding="utf-8")
    out, tsv = tmp_path / "out.txt", tmp_path / "review.tsv"
    assert sohoa(["restore", str(src), "-o", str(out), "--review", str(tsv)]) == 0
    assert out.read_text(encoding="utf-8") == \
        "Tổng kết thực hiện Chương trình tổng thể cải cách hành chính nhà nước\n"
    assert tsv.read_text(encoding="utf-8").startswith("file\tline\tcol\tbefore\tafter\tconfidence")
    # --mode stripped only adds marks: the garbled words are not its business
    assert sohoa(["restore", "--mode", "stripped", str(src), "-o", str(out)]) == 0
    assert "Chwong" in out.read_text(encoding="utf-8")
    assert sohoa(["restore", "--mode", "garbled", str(src), "-o", str(out)]) == 0
    assert "Chương trình" in out.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        sohoa(["restore", "--mode", "nonsense", str(src)])
    assert exc.value.code == 1


def test_restore_writes_standard_output_for_dash(tmp_path, monkeypatch, capfd):
    src = tmp_path / "plan.txt"
    src.write_text("cai cach hanh chinh\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert sohoa(["restore", str(src), "-o", "-"]) == 0
    assert capfd.readouterr().out == "cải cách hành chính\n"
    assert not (tmp_path / "-").exists()


def test_repair_api_returns_changes():
    res = repair("S6: 04 /KH-UBND ngay 20 thang 01", channel="eng")
    assert res.text == "Số: 04 /KH-UBND ngày 20 tháng 01"
    assert [(c.before, c.after) for c in res.changes] == [("S6", "Số"), ("ngay", "ngày"),
                                                          ("thang", "tháng")]


@pytest.mark.parametrize("encoding,times", [("cp1252", 1), ("latin-1", 1), ("cp1252", 2)])
def test_mojibake_is_decoded_back(seeds_dir, encoding, times):
    """UTF-8 read as Windows-1252/Latin-1 (Bá»™ TÃ i chÃ­nh) comes back exactly, lost bytes
    included, even when it was garbled twice (CÃ¡Â»â„¢ng)."""
    text = (seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8")
    text = "\n".join(text.split("\n")[:120])
    garbled = text
    for _ in range(times):
        garbled = garbled.encode("utf-8").decode(encoding, errors="replace")
    assert garbled != text
    res = repair_document(garbled, mode="auto")
    assert res.text == text
    assert {c.reason for c in res.changes} == {"encoding"}


@pytest.mark.parametrize("loss", ["ignore", "no-break space", "soft hyphen", "all"])
def test_mojibake_that_lost_bytes_without_a_trace_is_decoded_back(seeds_dir, loss):
    """A copy of mojibake loses bytes without a U+FFFD in their place: a decoder that ignores
    errors drops Windows-1252's undefined ones (Vá»  for Về), a web page makes the no-break
    space plain (hÃ nh for hành) and an editor strips the soft hyphen (chÃnh for chính)."""
    text = (seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8")
    text = "\n".join(text.split("\n")[:120])
    garbled = text.encode("utf-8").decode("cp1252", errors="ignore")
    if loss in ("no-break space", "all"):
        garbled = garbled.replace("\xa0", " ")
    if loss in ("soft hyphen", "all"):
        garbled = garbled.replace("\xad", "")
    res = repair_document(garbled, mode="auto")
    assert res.text == text
    assert {c.reason for c in res.changes} == {"encoding"}


@pytest.mark.parametrize("code_page", ["cp1258", "cp1250"])
def test_mojibake_of_other_code_pages_that_lost_bytes_is_read_back(seeds_dir, code_page):
    """UTF-8 read through Vietnamese Windows' own code page (or the Central European one) by a
    decoder that ignored its undefined bytes, and copied without soft hyphens and no-break
    spaces: put back once the text shows it is mojibake, by the page that reads it likelier
    (Windows-1250 has no 98, the last byte of Ộ; Windows-1252 has)."""
    from bench import garbles
    text = (seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8")
    text = "\n".join(text.split("\n")[:120])
    res = repair_document(garbles.mojibake_copied(text, code_page))
    assert res.text == text
    assert {c.reason for c in res.changes} == {"encoding"}
    # … while a clean line Windows-1258 happens to hold stays (Ă is its byte C3)
    assert repair_document("ĂN NĂN").text == "ĂN NĂN"


def test_utf8_read_as_latin_1_and_copied_without_its_controls_is_read_back(seeds_dir):
    """Latin-1 shows bytes 80–9F as controls, which a copy drops: ộ (E1 BB 99) is left ``á»``,
    đ (C4 91) ``Ä``. The lost byte is chosen from all 32 (with their case from the text around,
    both letters of đị together), and a lone E2 is a dash or quote."""
    from bench import garbles
    assert repair_document(garbles.mojibake_copied(
        "Căn cứ Nghị định số 61/2018/NĐ-CP của Chính phủ; giai đoạn 2021 – 2025 “Một cửa” ở địa phương",
        "latin-1")).text == \
        "Căn cứ Nghị định số 61/2018/NĐ-CP của Chính phủ; giai đoạn 2021 – 2025 “Một cửa” ở địa phương"
    text = (seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8")
    lines = text.split("\n")[:60]
    res = repair_document(garbles.mojibake_copied("\n".join(lines), "latin-1"))
    assert sum(a == b for a, b in zip(lines, res.text.split("\n"))) >= 0.9 * len(lines)   # 55 of 60
    assert {c.reason for c in res.changes} == {"encoding"}


def test_mojibake_garbled_twice_then_copied_is_read_back(seeds_dir):
    """Garbled twice, then copied with its soft hyphens and no-break spaces lost: the byte put
    back in the first reading is half of a letter the second makes (í from Ã and U+00AD)."""
    from bench import garbles
    text = (seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8")
    text = "\n".join(text.split("\n")[:60])
    assert repair_document(garbles.mojibake_copied(garbles.mojibake(text))).text == text


def test_mojibake_beside_clean_text_in_one_line_is_read_back(seeds_dir):
    """A line joining a clean field and a mojibake one (a CSV row from two systems): the clean
    part's ộ or á does not stop the rest being read back, and stays as it was."""
    assert repair_document("Hà Nội,Cá»™ng hÃ²a xÃ£ há»™i chá»§ nghÄ©a Viá»‡t Nam,Độc lập").text == \
        "Hà Nội,Cộng hòa xã hội chủ nghĩa Việt Nam,Độc lập"
    text = (seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if len(line.split()) >= 6][:40]
    halves = []
    for line in lines:
        words = line.split(" ")
        cut = len(words) // 2
        halves.append(" ".join(words[:cut]) + " " + " ".join(words[cut:]).encode("utf-8").decode("cp1252", "replace"))
    assert repair_document("\n".join(halves)).text == repair_document("\n".join(lines)).text


def test_a_foreign_ocr_look_alike_is_no_mojibake():
    """Romanian OCR prints đề as â€: alone in a line it reads back only as a quote mark, which
    is no evidence of mojibake."""
    line = "thugc lâ â€ sân xuât sân phâm thuâc lă xuât khâu hoăc gia câng xuât"
    assert "”" not in repair_document(line).text


def test_a_lone_lead_byte_is_read_back_only_inside_mojibake():
    """BÃO CÃO (Á's second byte lost) has no sign of mojibake but the Ã, which Portuguese
    writes too: alone it stays, in a text that is mojibake it is read back."""
    assert repair_document("Estado de SÃO PAULO, NÃO").text == "Estado de SÃO PAULO, NÃO"
    garbled = "BÃO CÃO\nCÃ´ng tÃ¡c cáº£i cÃ¡ch hÃ nh chÃnh\n01 QÄ"
    assert repair_document(garbled).text == "BÁO CÁO\nCông tác cải cách hành chính\n01 QĐ"


def test_legacy_vietnamese_encodings_are_decoded():
    """Text typed in the pre-Unicode fonts and exported without them (TCVN3/.VnTime, VNI)."""
    tcvn3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\nSè: 28 /KH-UBND"
    vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\nSoá: 28 /KH-UBND"
    want = "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\nSố: 28 /KH-UBND"
    assert repair_document(vni).text == want
    assert repair_document(tcvn3).text == want.replace("hòa", "hoà")   # TCVN3 typists used hoà
    # Windows-1258 (the tone a byte of its own) read as Windows-1252
    cp1258 = "Côòng hoÌa xaÞ hôòi chuÒ nghiÞa Viêòt Nam\nÐôòc lâòp - Týò do - Haònh phúc\nSôì: 28 /KH-UBND"
    assert repair_document(cp1258).text == want
    # Spanish stays what it is; Italian, whose ò and ì are Windows-1258's tones read as
    # Windows-1252, is not taken for that encoding
    assert repair_document("España y Francia: señor, café, à la carte").text == \
        "España y Francia: señor, café, à la carte"
    assert not [c for c in repair_document("Può darsi che lì ci sia più città, però").changes
                if c.reason == "encoding"]
    # … and a quotation in another language is left as it is, even alone
    for foreign in ("La réunion aura lieu à Paris le lundi prochain avec les délégués.",
                    "Può darsi che lì ci sia più città per il popolo della regione."):
        assert repair_document(foreign).text == foreign


def test_viscii_table_is_rfc_1456_as_iconv_decodes_it():
    import shutil
    import subprocess
    from diacritics.repair_encoding import _VISCII
    if not shutil.which("iconv") or subprocess.run(["iconv", "-f", "VISCII", "-t", "UTF-8"], input=b"a",
                                                   capture_output=True).returncode:
        pytest.skip("iconv without VISCII")
    every_byte = bytes(range(256))
    want = subprocess.run(["iconv", "-f", "VISCII", "-t", "UTF-8"], input=every_byte,
                          capture_output=True, check=True).stdout.decode()
    assert "".join(_VISCII.get(b, chr(b)) for b in every_byte) == want


def test_viscii_read_as_windows_1252_is_decoded():
    """VISCII (RFC 1456) read as Windows-1252: a marked letter a symbol (Cµng hòa), a capital
    with a tone a quotation mark (II. N“I DUNG) or a control character (Ẵ, 0x05)."""
    from bench import garbles
    text = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nII. NỘI DUNG\n"
            "Ủy ban nhân dân tỉnh ban hành Kế hoạch tổng kết thực hiện Chương trình tổng thể\n"
            "STT\tChỉ tiêu\tNăm 2015\tNăm 2020 (Tính đến 31/3)\nPhiếu\nẴ")
    garbled = garbles.viscii(text)
    assert "Cµng" not in garbled and "N“I DUNG" in garbled and "hoÕch" in garbled
    assert repair_document(garbled).text == text
    # … or as Latin-1, whose control characters stand where Windows-1252 has signs
    latin1 = garbles.viscii_bytes(text).decode("latin-1")
    assert latin1 != garbled and repair_document(latin1).text == text
    # … and text in the languages whose letters VISCII's bytes show as is left alone, as is
    # German OCR of Vietnamese (its ä is no VISCII ả), which the repair reads as such
    for foreign in ("España y Francia: señor, café, à la carte", "Größe ½ × 3 ® Æsir"):
        assert repair_document(foreign).text == foreign
    from diacritics.repair import _valid_words
    from diacritics.repair_encoding import _decode_line, viscii_to_unicode
    valid = _valid_words()[0]
    page = (Path(__file__).parent / "fixtures" / "devset_ocr_deu.txt").read_text(encoding="utf-8").split("\n")
    read_as = [_decode_line(line, lambda w: w in valid, None, False) for line in page]
    assert not [line for line, found in zip(page, read_as) if found and found[1] is viscii_to_unicode]


def test_utf8_read_in_other_code_pages_is_decoded():
    text = "\tỦY BAN NHÂN DÂN TỈNH\nĐạt 95 %; mô hình “4 tại chỗ” ở 12/12 xã.\nKết quả: lý do"
    # … and in Vietnamese Windows' own code page, which lacks a byte of Đ, and two more
    for code_page in ("mac_roman", "cp437", "cp850", "cp1258", "cp1250", "cp1251"):
        garbled = text.encode("utf-8").decode(code_page, errors="replace")
        res = repair_document(garbled)
        assert res.text == text, code_page
        assert {c.reason for c in res.changes} == {"encoding"}
    # … and box drawing or a Mac's own signs are not taken for it
    for own in ("├── bench/ └── tests/", "Giá ≈ 5 √ 2 ∆ ƒ", "Naïve café à la carte ¿qué?"):
        assert repair_document(own).text == own


def test_letters_lost_to_replacement_characters_or_a_fonts_private_codes():
    from bench import garbles
    text = ("Ủy ban nhân dân tỉnh đã ban hành kế hoạch cải cách hành chính. Các cơ quan, đơn vị "
            "triển khai thực hiện đúng tiến độ; kết quả được báo cáo về Sở Nội vụ.\n") * 3
    # a decoder's U+FFFD for each letter Windows-1252 lacks: read as the ? of an export
    res = repair_document(garbles.lossy(text, "cp1252", "\ufffd"))
    assert res.text == text
    assert {c.reason for c in res.changes} == {"lost letter"}
    # a PDF font's private-use code for each marked letter: decided in context, then the
    # codes the document settled hold throughout
    assert repair_document(garbles.private_use(text)).text == text
    # a bullet from a symbol font, or a lone U+FFFD, is no letter
    for own in ("\uf0b7\tNội dung chính", "Giá: 100\ufffd, ký hiệu \ue001 và dấu ?"):
        assert repair_document(own).text == own


def test_letters_dropped_by_a_conversion_are_put_back_in_context():
    from bench import garbles
    text = ("Ủy ban nhân dân tỉnh Đồng Nai ban hành kế hoạch cải cách hành chính. Các cơ quan, "
            "đơn vị triển khai thực hiện đúng kế hoạch; kết quả được báo cáo về Sở Nội vụ.")
    dropped = garbles.dropped(text, "cp1252")   # iconv -c: "Ban nhân dân tnh ng Nai …"
    res = repair_document(dropped)
    assert res.text == text
    assert {c.reason for c in res.changes} == {"lost letter"}
    # a word that lost every letter is gone for good, but its neighbours still come back
    assert repair_document("Ông đã ký quyết định về việc này.".replace("đã", "")).text.startswith("Ông  ký quyết định")
    # an acronym is no word that lost its letters: a short stripped line with a few (KH, ĐT)
    # had been read as dropped letters (Thuốc hiện KH … Sáo KH&ĐT)
    for stripped, restored in (("Thuc hien KH cua UBND tinh, ND-CP va TT-BNV ve CCHC",
                                "Thực hiện KH của UBND tỉnh, NĐ-CP và TT-BNV về CCHC"),
                               ("So KH&DT, So GD&DT, So TN&MT va So NN&PTNT",
                                "Sở KH&ĐT, Sở GD&ĐT, Sở TN&MT và Sở NN&PTNT")):
        assert repair_document(stripped).text == restored
    # English, addresses and codes have such pieces too (ng, .tn, G.222) and stay
    for own in ("Tennessee (.tn.us), Utah (.ut.us), Virginia (.va.us), Vermont (.vt.us)",
                "The ng and nh digraphs; see G.222 and the .ng domain"):
        assert repair_document(own).text == own


def test_invisible_characters_inside_words_are_dropped():
    # a soft hyphen or a zero-width space from a PDF or a web page splits a word for every
    # reader but the eye (Vi\u200bet was read as vụ et); between words they stay
    res = repair_document("Cong hoa xa hoi chu nghia Vi\u200bet Nam, Uy ban nhan d\u00adan tinh.")
    assert res.text == "Cộng hòa xã hội chủ nghĩa Việt Nam, Ủy ban nhân dân tỉnh."
    assert "artifact" in {c.reason for c in res.changes}
    assert repair_document("Việt Nam\u200b và \u00ad Lào").text == "Việt Nam\u200b và \u00ad Lào"


def test_eth_for_d_stroke_is_made_d_stroke_where_it_makes_vietnamese():
    res = repair_document("Ðiều 5. Nghị định 43/2011/NÐ-CP của HÐND tỉnh Ðồng Nai; ð) Khác")
    assert res.text == "Điều 5. Nghị định 43/2011/NĐ-CP của HĐND tỉnh Đồng Nai; đ) Khác"
    icelandic = "Ég heiti Guðrún og Ðóra býr í Reykjavík, maður."
    assert repair_document(icelandic).text == icelandic


def test_tcvn3_short_lines_and_capitals_it_has_no_code_for():
    # a table's cells whose marked letters TCVN3 codes as symbols (§¹t: Đạt, th¸ng: tháng) follow
    # the document's encoding; a capital TCVN3 lacks, typed with its small code, comes back
    # where the text has one: a sentence's or list item's start, or a pair the corpus capitalises
    lines = ["B¸o c¸o cña ñy ban nh©n d©n tØnh vÒ kÕt qu¶ thùc hiÖn. øng dông c«ng nghÖ th«ng tin.",
             "- øng dông phÇn mÒm mét cöa ®iÖn tö t¹i c¸c c¬ quan hµnh chÝnh",
             "thùc hiÖn øng dông dÞch vô c«ng trùc tuyÕn møc ®é 3, 4",
             "§¹t", "th¸ng", "ñY BAN NH¢N D¢N"]
    assert repair_document("\n".join(lines)).text.split("\n") == [
        "Báo cáo của Ủy ban nhân dân tỉnh về kết quả thực hiện. Ứng dụng công nghệ thông tin.",
        "- Ứng dụng phần mềm một cửa điện tử tại các cơ quan hành chính",
        "thực hiện ứng dụng dịch vụ công trực tuyến mức độ 3, 4",
        "Đạt", "tháng", "ỦY BAN NHÂN DÂN"]


def test_vietnamese_typed_in_ascii_viqr_and_telex_is_decoded():
    """Marks typed as the keys that make them: VIQR (RFC 1456) and Telex with the input method off."""
    viqr = "Co^.ng ho`a xa~ ho^.i chu? nghi~a Vie^.t Nam\nDDo^.c la^.p - Tu+. do - Ha.nh phu'c\nSo^': 28 /KH-UBND"
    telex = "Coongj hoaf xax hooij chur nghiax Vieetj Nam\nDDoocj laapj - Tuwj do - Hanhj phucs\nSoos: 28 /KH-UBND"
    vni = "Co65ng ho2a xa4 ho65i chu3 nghi4a Vie65t Nam\nD9o65c la65p - Tu75 do - Ha5nh phu1c\nSo61: 28 /KH-UBND"
    want = "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\nSố: 28 /KH-UBND"
    for text in (viqr, telex, vni):
        res = repair_document(text)
        assert res.text == want
        assert {c.reason for c in res.changes} == {"encoding"}
    # VIQR's ? and . end a sentence unless the sentence goes on (or a comma follows) …
    assert repair_document("To^i ddi. Ba.n co' kho?e kho^ng? Ca'n bo^., co^ng chu+'c ddu+o+.c ho?i.").text == \
        "Tôi đi. Bạn có khỏe không? Cán bộ, công chức được hỏi."
    # … and where the text escapes its punctuation as RFC 1456 asks, every unescaped one is a mark
    assert repair_document("To^i ddi\\. Ba.n co' kho?e kho^ng\\? Ngu+o+`i da^n ddu+o+.c ho?i\\?").text == \
        "Tôi đi. Bạn có khỏe không? Người dân được hỏi?"
    assert repair_document("Nguwowif daan ddeeuf cos quyeenf vaf nghiax vuj").text == \
        "Người dân đều có quyền và nghĩa vụ"
    # VIQR as the convention also writes it: the horn *, the acute /; a slash that makes no
    # word stays one (thu/chi), as does one after a tone (và/hoặc)
    assert repair_document("Ngu*o*`i da^n ddu*o*.c quye^`n tu*. do, ca/c nu*o*/c; thu/chi, va`/hoa(.c").text == \
        "Người dân được quyền tự do, các nước; thu/chi, và/hoặc"
    # Telex as Unikey takes it: the tone key anywhere after its vowel, a w after the whole word
    assert repair_document("Baso caos tinhf hinhf thuwjc hieenj nhieejm vuj cuar Vieejt Nam").text == \
        "Báo cáo tình hình thực hiện nhiệm vụ của Việt Nam"
    assert repair_document("Nguoiwf daan chuaw ddeefu luuw hoof sow taji truongwf").text == \
        "Người dân chưa đều lưu hồ sơ tại trường"
    # VNI keys: the marks after their letter or at the word's end, uo7 for ươ, and acronyms
    # in codes typed with D9 (QD9-UBND, HD9ND)
    assert repair_document("Viet65 Nam la2 mo65t nu7o71c; theo QD9-UBND cu3a HD9ND ti3nh").text == \
        "Việt Nam là một nước; theo QĐ-UBND của HĐND tỉnh"
    # ASCII that only looks like it stays: stripped Vietnamese, English, OCR debris in a table
    for text in ("cong tac cai cach hanh chinh nam 2020", "Samsung and Google were here, boss",
                 "NO oO FF CO OO", "ddos attacks: www.example.com",
                 "Level A1 and A2 certificates, mp3 and h264 files, covid19 cases in 2021"):
        assert not [c for c in repair_document(text).changes if c.reason == "encoding"]


@pytest.mark.parametrize("code_page", ["cp1252", "ascii"])
def test_letters_an_export_wrote_as_question_marks_are_put_back(seeds_dir, code_page):
    """An export in a Western code page writes ? for ộ, ủ, Đ … (C?ng h?a x? h?i); the model
    decides each such word in context. Seed 004 must come back nearly whole."""
    from diacritics.tone import to_style
    truth = to_style((seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8"), "new")
    lossy = truth.encode(code_page, errors="replace").decode(code_page)
    res = repair_document(lossy)
    pairs = [(t, o) for t, b, o in zip(truth.split(), lossy.split(), res.text.split()) if "?" in b and t != b]
    assert len(pairs) > 2000
    wrong = [p for p in pairs if p[0] != p[1]]
    assert len(wrong) < 0.04 * len(pairs), wrong[:20]
    assert {c.reason for c in res.changes} == {"lost letter"}


def test_lost_letters_keep_questions_codes_names_and_case():
    # Windows-1252 keeps ò, ã, â …: only the others are lost
    text = ("C?ng hòa xã h?i ch? ngh?a Vi?t Nam. ?y ban nhân dân t?nh Bình ??nh. Tôi ? ?ây, "
            "b?n có kh?e không? Quy?t ??nh s? 225/Q?-TTg, thành ph? ?à N?ng.\nK? HO?CH T?ng k?t")
    assert repair_document(text).text == (
        "Cộng hòa xã hội chủ nghĩa Việt Nam. Ủy ban nhân dân tỉnh Bình Định. Tôi ở đây, "
        "bạn có khỏe không? Quyết định số 225/QĐ-TTg, thành phố Đà Nẵng.\nKẾ HOẠCH Tổng kết")
    # a few question marks (or one ? in a typo) are no export: nothing changes
    for text in ("Có không? Vì sao? Ai làm? Ở đâu?", "Giá: 5 USD? Hay 6? http://a.vn/x?y=1 nh? vậy",
                 "Co khong? Vi sao? Ai lam? O dau?"):
        assert not [c for c in repair_document(text).changes if c.reason == "lost letter"]


def test_a_line_that_lost_some_of_its_marks_gets_them_back(seeds_dir):
    text = ("Cộng hoa xa hội chủ nghia Viet Nam, ủy ban nhan dân tỉnh\n"
            "Các co quan, don vị thực hiện cải cach hanh chinh theo ke hoạch")
    res = repair_document(text)
    assert res.text == ("Cộng hòa xã hội chủ nghĩa Việt Nam, ủy ban nhân dân tỉnh\n"
                        "Các cơ quan, đơn vị thực hiện cải cách hành chính theo kế hoạch")
    assert {c.reason for c in res.changes} == {"restore"}
    # … while a clean line's unmarked words are meant so, one of them repeated included
    for clean in ("Vắc xin ho gà phối hợp có chứa thành phần ho gà",
                  "Ủy ban nhân dân tỉnh ban hành kế hoạch theo dõi, đôn đốc thực hiện"):
        assert repair_document(clean).text == clean
    # our own OCR's lines keep the vie channel: a missing mark there is a slip it knows
    res = repair_document("Các co quan, don vị thực hiện cải cach hanh chinh theo ke hoạch", mode="ocr")
    assert res.changes and "restore" not in {c.reason for c in res.changes}


def test_a_text_that_lost_marks_here_and_there_gets_them_back(seeds_dir):
    """5 % of the words stripped at random: most lines have one such word at most, so the
    text as a whole has to show it; clean text and foreign names are left alone."""
    from bench.garbles import strip_some
    from bench.repair import wer
    from diacritics.tone import to_style
    truth = to_style((seeds_dir / "004_6ba27df1980e2c46.txt").read_text(encoding="utf-8"), "new")
    damaged = strip_some(truth, 0.05, seed=3)
    before, total = wer(truth, damaged)
    after, _ = wer(truth, to_style(repair_document(damaged).text, "new"))
    assert before > 0.035 * total and after < 0.012 * total
    assert not repair_document(truth).changes
    names = "1945 - Aung San Suu Kyi, nhà chính trị người Miến Điện, nhận giải Nobel Hòa bình\n" * 3 + \
        "6 tháng 10 - Charles de Sainte, Maure, duc de Montausier, quân nhân Pháp (mất 1690)\n" + \
        "27 tháng 11: José Iván Gutiérrez, tay đua xe đạp Tây Ban Nha"   # no English OCR prints ạ
    assert repair_document(names).text == names


def test_a_text_printed_without_d_with_stroke_gets_it_back(seeds_dir):
    """A font without đ prints d and keeps every other mark: the text has no đ at all."""
    from bench.garbles import no_stroke
    from diacritics.tone import to_style
    truth = to_style((seeds_dir / "002_c4bd65532f1752b6.txt").read_text(encoding="utf-8"), "new")
    res = repair_document(no_stroke(truth))
    pairs = [(t, o) for t, o in zip(truth.split(), to_style(res.text, "new").split()) if "đ" in t.lower()]
    assert len(pairs) > 500 and sum(t != o for t, o in pairs) < 0.01 * len(pairs)
    assert {c.reason for c in res.changes} == {"lost letter"}
    # dân, do, dựng stay: their d is a d
    text = ("Dồng chí Chủ tịch Ủy ban nhân dân tỉnh dã ký quyết dịnh về việc dào tạo cán bộ. " * 5 +
            "Do dó các dơn vị xây dựng kế hoạch, báo cáo kết quả thực hiện về Sở Nội vụ. " * 5)
    out = repair_document(text).text
    assert out.startswith("Đồng chí Chủ tịch Ủy ban nhân dân tỉnh đã ký quyết định về việc đào tạo")
    assert "Do đó các đơn vị xây dựng kế hoạch" in out


def test_case_our_ocr_got_wrong_is_settled():
    out = repair_document("các cơ SỞ sẽ được nghiỆp vụ hóa ở Ở đây, Sở Tài chính và UBND xã",
                          mode="ocr").text
    assert out == "các cơ sở sẽ được nghiệp vụ hóa ở ở đây, Sở Tài chính và UBND xã"


def test_a_word_in_small_letters_between_capitals_is_capitals():
    # English OCR prints a capital's mark as a small letter (CHi for CHỈ, sé for SỞ)
    assert repair_document("CONG VAN CUA CO SO QUAN LY, CO sé DIEU TRI DUOC CHi DINH CO",
                           mode="garbled").text == "CÔNG VĂN CỦA CƠ SỞ QUẢN LÝ, CƠ SỞ ĐIỀU TRỊ ĐƯỢC CHỈ ĐỊNH CÓ"
    # a list label, a line's first word and one beside a single capital keep their case
    assert repair_document("a) C) QUAN LY NANG LUC MAY,", mode="garbled").text == "a) C) QUẢN LÝ NĂNG LỰC MÁY,"
    assert repair_document("Bén A (Bén mua) : CONG TY TNHH SUN VIET NAM",
                           mode="garbled").text.startswith("Bên A (B")


@pytest.mark.parametrize("line", [
    "Báo cáo theo mẫu số 01 ban hành kèm theo Thông tư này.",
    "Cơ sở lập báo cáo theo mẫu số 02/BC quy định tại Phụ lục.",
    "Số lượng hồ sơ tăng so với cùng kỳ năm trước.",
    "Một số nhiệm vụ chưa hoàn thành đúng thời hạn.",
    "Ghi chép đầy đủ sổ theo dõi xuất nhập tồn kho.",
])
def test_ocr_mode_keeps_correct_valid_words(line):
    # số and sổ are both words and our OCR confuses them (ổ read as ố): context decides, both ways
    assert repair_document(line, mode="ocr").text == line


def test_ocr_mode_fixes_slips_the_devset_copy_of_a_law_has():
    # the devset's copy of a pharmacy circular reads "kinh đoanh dược chât"; the published text
    # (legal corpus) has the fixed wording
    line = "Cơ sở kinh đoanh dược chât gây nghiện phải lưu hồ sơ."
    assert repair_document(line, mode="ocr").text == "Cơ sở kinh doanh dược chất gây nghiện phải lưu hồ sơ."


def test_restored_changes_point_at_their_line_and_column():
    # many lines: each change is mapped back to its own line
    block = "ngay mai\nkhong co gi\n\nthuc hien ke hoach\n"
    res = repair_document(block * 50, mode="stripped")
    lines = (block * 50).split("\n")
    assert len(res.changes) == 50 * 8
    for c in res.changes:
        assert lines[c.line - 1][c.col:c.col + len(c.before)] == c.before
    assert [(c.line, c.col) for c in res.changes[-4:]] == [(200, 0), (200, 5), (200, 10), (200, 13)]


def _page(*lines):
    from pipeline.layout import Line, Word
    return [Line([Word(t, (0, 0, 1, 1), c) for t, c in ws]) for ws in lines]


# the rest of a page Tesseract read cleanly (its mean word confidence ≥ 95 with the test's lines)
_CLEAN_REST = [(w, 97) for w in ("Ủy ban nhân dân tỉnh giao các sở, ban, ngành và địa phương "
                                 "phối hợp thực hiện kế hoạch này; báo cáo kết quả về Sở Nội vụ "
                                 "trước ngày 15 tháng 12 hằng năm để tổng hợp, báo cáo Ủy ban "
                                 "nhân dân tỉnh và Bộ Nội vụ theo quy định.").split()] * 2


def test_sohoa_ocr_keeps_a_word_tesseract_was_sure_of_and_fixes_the_unsure_ones():
    from pipeline.correct import correct_page_text
    # a page Tesseract read cleanly (mean word confidence ≥ 95; on a real or harsh scan sure words slip too)
    lines = _page([("Ghi", 96), ("đầy", 95), ("đủ", 96), ("số", 95), ("theo", 96), ("dõi.", 93)],
                  [("Các", 95), ("khoản", 94), ("bổ", 90), ("ung", 40), ("cho", 95), ("Luậi", 55),
                   ("này.", 92)],
                  [("Báo", 97), ("cáo", 97), ("gửi", 97), ("Sở", 97), ("Tài", 97), ("chính", 97), ("ngay.", 97)],
                  _CLEAN_REST)
    raw = "\n".join(ln.text for ln in lines)
    # by text alone the model reads "đầy đủ sổ theo dõi" (a record book) …
    assert correct_page_text(raw).split("\n")[0] == "Ghi đầy đủ sổ theo dõi."
    # … but Tesseract read số with confidence 95, and the model is not sure enough to overrule it
    assert correct_page_text(raw, lines).split("\n")[:3] == \
        ["Ghi đầy đủ số theo dõi.", "Các khoản bổ sung cho Luật này.", "Báo cáo gửi Sở Tài chính ngay."]
    # … unless the page is a scan whose sure words slip: a real contract scan's mean is 92–95
    assert correct_page_text(raw, lines[:3]).split("\n")[0] == "Ghi đầy đủ sổ theo dõi."
    # an unsure số is the model's to decide
    lines[0].words[3].confidence = 60
    assert correct_page_text(raw, lines).split("\n")[0] == "Ghi đầy đủ sổ theo dõi."


def test_word_confidences_follow_the_page_text():
    from pipeline.correct import word_spans
    from pipeline.specks import drop_specks
    lines = _page([("Điều", 91), ("5.", 88)], [("Hiệu", 70), ("lực", 96)])
    raw = "Điều 5.\n\nHiệu lực"   # a blank line between Tesseract paragraphs
    assert word_spans(drop_specks(raw, lines)[1]) == [[(0, 4, 91.0), (5, 7, 88.0)], None,
                                                      [(0, 4, 70.0), (5, 8, 96.0)]]
    assert drop_specks("Điều 6.\n\nHiệu lực", lines) is None   # not these lines' text


def test_sohoa_ocr_keeps_a_sure_valid_word_its_neighbours_support():
    """A clean page's valid words stay unless the evidence is overwhelming (issue 4: < 1 new
    error per 1,000 characters); the same words read unsurely are the model's to repair."""
    from pipeline.correct import correct_page_text

    def page(conf):
        return _page([("Lập", 96), ("sổ", 96)],
                     [("theo", 96), ("mẫu", 96), ("số", conf), ("quy", 95), ("định", 96), ("tại", 96),
                      ("Phụ", 93), ("lục", 95), ("VII.", 90)],
                     [("Cơ", 95), ("sở", 96), ("xuất", 96), ("khâu,", conf), ("nhập", 96), ("khẩu", 95),
                      ("thuốc.", 94)])
    raw = "\n".join(ln.text for ln in page(97))
    unsure = "Lập sổ\ntheo mẫu sổ quy định tại Phụ lục VII.\nCơ sở xuất khẩu, nhập khẩu thuốc."
    # the model prefers "mẫu sổ" (a register form) and "xuất khẩu"; Tesseract doubted both words
    assert correct_page_text(raw, page(60)) == unsure
    # … but it was sure: "mẫu số" and "số quy" are common pairs, and â→ẩ is a rare slip
    assert correct_page_text(raw, page(97)) == raw
    # by text alone the pairs still speak for "số"; nothing speaks for "khâu"
    assert correct_page_text(raw) == raw.replace("khâu", "khẩu")
    # on a harsh scan (mean confidence below 90) a sure word is no safer than the others
    harsh = page(97)
    for ln in harsh:
        for w in ln.words:
            w.confidence = 70 if w.text not in ("số", "khâu,") else w.confidence
    assert correct_page_text(raw, harsh) == unsure


def test_sohoa_ocr_takes_a_slip_the_page_makes_elsewhere_for_no_rare_one():
    """ê for ề is a rare slip on rendered pages, so a sure ``Điêu`` stays; a page whose font
    loses that mark, seen corrected where Tesseract doubted the word (``quyên`` for ``quyền``),
    loses it in sure words too (a real contract scan's ``Điêu 5``)."""
    from pipeline.correct import correct_page_text
    lines = _page([("Điêu", 95), ("5.", 96), ("Quyền", 96), ("và", 96), ("trách", 96), ("nhiệm", 96)],
                  [("Tòa", 96), ("án", 96), ("có", 96), ("thẩm", 96), ("quyên", 60), ("giải", 96), ("quyết.", 96)],
                  [("Bên", 96), ("A", 96), ("có", 96), ("quyên", 62), ("yêu", 96), ("cầu.", 96)],
                  _CLEAN_REST)
    raw = "\n".join(ln.text for ln in lines)
    fixed = raw.replace("quyên", "quyền")
    assert correct_page_text(raw, lines) == fixed.replace("Điêu", "Điều")
    # one such correction is no evidence: the sure word stays
    lines[2].words[3].confidence = 97
    assert correct_page_text(raw, lines).split("\n")[0] == raw.split("\n")[0]


def test_sohoa_ocr_reads_a_real_scan_as_losing_tones_over_hatted_vowels():
    """A real scan's sure words lose the tone over â, ê, ô (contract pages: có thâm quyền, yêu
    câu): on a page read less cleanly than a clean render they are repaired; on a clean page
    the same words stay as printed."""
    from pipeline.correct import correct_page_text
    scan = [("Tranh", 93), ("chấp", 91), ("được", 95), ("đưa", 88), ("ra", 96), ("giải", 90), ("quyết", 92),
            ("tại", 94), ("Tòa", 85), ("án", 93), ("nhân", 96), ("dân", 95), ("có", 96), ("thâm", 92),
            ("quyền", 96), ("tại", 90), ("Hà", 93), ("Nội.", 89)]
    raw = " ".join(t for t, _c in scan)
    assert correct_page_text(raw, _page(scan)) == raw.replace("thâm", "thẩm")
    page = _page(scan, _CLEAN_REST)
    assert correct_page_text(raw + "\n" + page[1].text, page).split("\n")[0] == raw


def test_sohoa_ocr_puts_back_a_space_it_dropped_between_two_words():
    from pipeline.correct import correct_page_text
    # contract page 2's table header; a loan word's one-word spelling (sêri) is no such join
    assert repair_document("STT Hàng hoá SL | Đơngiá | Thành tiền", mode="ocr").text == \
        "STT Hàng hoá SL | Đơn giá | Thành tiền"
    assert repair_document("ghi rõ số sêri tem", mode="ocr").text == "ghi rõ số sêri tem"
    # the line's word confidences still hold after the cut: a sure "số" stays, where the
    # model alone would read "đầy đủ sổ theo dõi" (a record book)
    lines = _page([("Đơngiá", 95), ("ghi", 96), ("đầy", 95), ("đủ", 96), ("số", 95), ("theo", 96), ("dõi.", 93)],
                  [("Báo", 97), ("cáo", 97), ("gửi", 97), ("Sở", 97), ("Tài", 97), ("chính", 97)])
    raw = "\n".join(ln.text for ln in lines)
    assert correct_page_text(raw).split("\n")[0] == "Đơn giá ghi đầy đủ sổ theo dõi."
    assert correct_page_text(raw, lines).split("\n")[0] == "Đơn giá ghi đầy đủ số theo dõi."


def test_candidate_cut_keeps_common_words_the_channel_cannot_tell_apart():
    # d€: dê, dò, đê, để … all cost the same; the cut must not drop để for a rare d- word
    assert "để" in [c for c, _lp in get_repairer("eng").candidates("d€")]
    assert repair_text("giai phap d€ xay dung, tham muu") == "giải pháp để xây dựng, tham mưu"


def test_a_lone_accent_speck_is_dropped_with_its_space():
    # harsh scans: Tesseract vie reads a speck between words as a bare modifier letter
    assert clean_artifacts("nhập ˆ khẩu ˆˆ thuốc") == "nhập khẩu thuốc"
    assert clean_artifacts("Điều 5ˆ") == "Điều 5ˆ"   # not alone: left to the model
    # a list dash with a speck after it (a real contract scan, our own OCR)
    assert clean_artifacts("-_ Bên B giao hàng") == "- Bên B giao hàng"
    assert clean_artifacts("- _ Số lượng") == "- Số lượng"
    assert clean_artifacts("Ký hiệu -_x là biến") == "Ký hiệu -_x là biến"   # not a list's dash


# Slips seen in seed 003 (English OCR), repaired: a capital inside a common compound;
# a consonant whose marked vowel was dropped; a word the corpus never capitalises
# mid-sentence (the capital V of với); a space read as a letter or a comma.
SEED003_SLIPS = {
    "Kinh phi chi thwong Xuyén cho": "Kinh phí chi thường xuyên cho",
    "d6i méi cong tac danh gia, phan loai can b, cong chrc.": "đổi mới công tác đánh giá, phân loại cán bộ, công chức.",
    "+ S lugng chit ky so dugc cap": "+ Số lượng chữ ký số được cấp",
    "Co s dir liéu qudc gia": "Cơ sở dữ liệu quốc gia",
    "- Chu tri, phéi hop Voi cac co quan co lién quan": "- Chủ trì, phối hợp với các cơ quan có liên quan",
    "sản xuất và Xu ly chất thải": "sản xuất và xử lý chất thải",
    "- Théngrké cac chi tiéu thuoc ITnh,vuc cai cach": "- Thống kê các chỉ tiêu thuộc lĩnh vực cải cách",
    "Chuong trinh tong thé céivcéch hanh chinh": "Chương trình tổng thể cải cách hành chính",
    # a lost space some one syllable explains badly: two explain it far better, and the
    # neighbours agree (điện tử), where a horn printed uw stays one word (Thủ tướng)
    "trién khai cac hé thong mét cira diéntu:": "triển khai các hệ thống một cửa điện tử:",
    "cua Thu tuwdéng Chinh phu vé viéc": "của Thủ tướng Chính phủ về việc",
    # … and in a plain ASCII token, where the pieces read in context beat keeping it as an
    # unknown word (the model's <unk>): names and English stay (KEPT)
    "danh gia su hai long cua co quan, to chiedoi voi su phuc vu":
        "đánh giá sự hài lòng của cơ quan, tổ chức đối với sự phục vụ",
    "! Chiatheo tan | NG": "Chia theo tần | NG",
    # a cell or sentence going on into an acronym on the next line is read as one (Cổng TTĐT,
    # dữ liệu số hóa), but not into a table's number column (STT)
    "cong khai két qua tra loi trén Cong\nTTDT": "công khai kết quả trả lời trên Cổng\nTTĐT",
    "th6ng tin, dir liéu\nSO hoa: 01 ho so.": "thông tin, dữ liệu\nsố hóa: 01 hồ sơ.",
    "S6 lwong don vi Sw\n STT": "Số lượng đơn vị Sự\n STT",
}
# … and what those rules must leave: names, list labels, legal references, labels in
# capitals, plain ASCII names, capitals with a comma, our own OCR's capitals (units, titles).
KEPT = ["tại tỉnh Vĩnh Long", "theo quy định của Chính phủ và Sở Tài chính",
        "b) theo quy định tại điểm b khoản 2 Điều 5", "Vitamin C và nhóm B",
        "hợp tác với Samsung, Thompson và VH,TDTT",
        "công ty Keangnam Vina trên Internet, Keyboard và Display, laptop hoặc notebook"]
KEPT_VIE = ["Sở Nội vụ và Sở Tư pháp", "tại Bộ phận Tiếp nhận và Trả kết quả; việc Xây dựng"]


@pytest.mark.parametrize("text", list(SEED003_SLIPS))
def test_seed003_slips_are_repaired(text):
    assert repair_text(text) == SEED003_SLIPS[text]


# English OCR of our own devset renders (not seed 003): a two-digit look-alike of a word
# read with its neighbours, a capital Đ read as p, a quotation mark for a space or a horn,
# a word with digits for its first letters; and numbers between words that stay numbers.
ENG_OCR = {
    "chong tac hai cua thu6c 14 vé kinh doanh": "chống tác hại của thuốc lá về kinh doanh",
    "(piéu 34 Nghi dinh": "(Điều 34 Nghị định",
    "thong ké cac sé‘liéu trong viéc": "thống kê các số liệu trong việc",
    "trong ca nu‘dc": "trong cả nước",
    "co 16 nguoi tham du": "có 16 người tham dự",
    "trong 14 ngay lam viéc": "trong 14 ngày làm việc",
    "Su hai 16ng cua ca nhan": "Sự hài lòng của cá nhân",
    "so luong cac 16p dao tao": "số lượng các lớp đào tạo",
    "S6 16p tap huan": "Số lớp tập huấn",   # after a word printed with a digit too
    "phan mém thuong xuyén bi 16i, treo": "phần mềm thường xuyên bị lỗi, treo",   # … or before a stop
    "quy dinh tai Diéu 16a, khoan 2": "quy định tại Điều 16a, khoản 2",   # … not after Điều
    "két qua dat duoc (Dat/Kh6ng dat) theo 30c/NQ-CP": "kết quả đạt được (Đạt/Không đạt) theo 30c/NQ-CP",
    "dién tich 140m vuong": "diện tích 140m vuông",
    # a horn or hook printed after the word (co’, tu?), $ for a capital S with its mark,
    # and "Số" as the label before ": <number>" (":" ends the model's sentence, so it cannot see it)
    "thuc thi phap luat trong co’ quan, thyc hién": "thực thi pháp luật trong cơ quan, thực hiện",
    "Hé thong thu dién ti? 12. T6i thiéu 30%": "Hệ thống thư điện tử 12. Tối thiểu 30%",
    "Co phai khong? Dung vay": "Có phải không? Đúng vậy",
    # … and a final ư printed as t, i or it with its horn apart as ? (seeds 000 and 004, the
    # devset), where the ? cannot end a question; a real question keeps its mark
    "vao cac ngay lam viéc (thi? 2 va thi? 6).": "vào các ngày làm việc (thứ 2 và thứ 6).",
    "don vi thudc Thanh ph6 tit? ngu6n ngan sach": "đơn vị thuộc Thành phố từ nguồn ngân sách",
    "Da hoan thanh chua? Da xong": "Đã hoàn thành chưa? Đã xong",
    "- $6 luong TTHC thuc hién": "- Số lượng TTHC thực hiện",
    "Gia 100$ mot chiec, phi $ 20": "Giá 100$ một chiếc, phí $ 20",
    "0 Ké hoach sé: 04 /KH-UBND,": "0 Kế hoạch số: 04 /KH-UBND,",
    "hd so: 3 bd": "hồ sơ: 3 bộ",
    # a first capital unlike its small letter stays through scrambled case (the G is a misread ộ)
    "cua UBND thanh phd Ha NGi vé viéc": "của UBND thành phố Hà Nội về việc",
    # two capitals are a capitalised word with its mark (BO: Bộ) only when the first is the
    # word's own letter: in "I¢" the I is a misread l
    "ty I¢ dich vu cong truc tuyén": "tỷ lệ dịch vụ công trực tuyến",
    "cua BO Noi vu": "của Bộ Nội vụ",
    # English OCR of a real contract scan: a lone capital and a capital with digits keep
    # their letter (tháp A, not tháp Là; Khu E6, not Khu Cổ), and a digit no word is printed
    # with makes a code (D2); but a capital with a digit for its vowel is a word (Võ, Bố)
    "tang 5 thap A toa nha D2 Giang V6, Phuong Giang V6,": "tầng 5 tháp A tòa nhà D2 Giảng Võ, Phường Giảng Võ,",
    "Landmark Tower, Khu E6 khu DTM Cau Giay": "Landmark Tower, Khu E6 khu DTM Cầu Giấy",
    # the right reading (Bố) costs 11.5 nats more in the channel than Bá: only a wide enough
    # beam keeps it until "trí" vouches for it
    "- B4 tri kinh phi bao dam cho viec tong ket": "- Bố trí kinh phí bảo đảm cho việc tổng kết",
    # … and model numbers, sizes and ordinals on the same contract's page 2 stay (they came
    # out as i, ỐM and thợ): a digit English OCR hardly ever prints for a vowel (2, 5, 7, 9),
    # or a number with a unit after it, is no word; 1a, x3 and s6 still are
    "i5-8250U (1.60GHz), 8th Gen, 6MB Cache, 256GB, may bay A320": "i5-8250U (1.60GHz), 8th Gen, 6MB Cache, 256GB, máy bay A320",
    "UBND x3 da ra soat, s6 lieu 1a 1A": "UBND xã đã rà soát, số liệu là là",
    # a two-letter X1 is a model (the same page: Lenovo ThinkPad X1), X111 a numeral
    "Lenovo ThinkPad X1 Carbon, Dai hoi lan thu X111": "Lenovo ThinkPad X1 Carbon, Đại hội lần thứ XIII",
    # ¥ is how English OCR prints ữ, ử and ỹ (the contract scans, a seed report, the devset)
    "thong sé k¥ thuat, x¥ ly kip thoi git¥a cac ban, nganh": "thông số kỹ thuật, xử lý kịp thời giữa các ban, ngành",
    "Gia 100¥ mot chiec, phi ¥ 20 hoac ¥20": "Giá 100¥ một chiếc, phí ¥ 20 hoặc ¥20",   # … and a yen is a yen
    # … while ¥ alone between words is the capital Y (a harsh scan of the devset: Cục ¥ tế)
    "Phéi hop véi Cuc ¥ té du phong, co so ¥ té": "Phối hợp với Cục Y tế dự phòng, cơ sở Y tế",
    # a real contract scan: the party's letter glued to "Bên" keeps its letter and its space
    # (it had come out as "Bên có trách nhiệm"), and § opening a word is a capital S
    "- BénB cé trach nhiém giao hang": "- Bên B có trách nhiệm giao hàng",
    "- BénAcé quyén thay déi thoi gian, dia diém giao hang;": "- Bên A có quyền thay đổi thời gian, địa điểm giao hàng;",
    "- §6 luong, chat luong, ching loai hang héa": "- Số lượng, chất lượng, chủng loại hàng hóa",
    # … while a capital English OCR printed for a small letter stays in its word (với)
    "Cac noi dung nay phai gan VoI cac san pham": "Các nội dung này phải gắn với các sản phẩm",
    # seed report 001: lệ printed as 16 before a number is the word (not "đạt từ 16 60,01%"),
    # while numbers in a row after a label or in a table row stay numbers
    "luot, dat ty 16 60,01%, hai long": "lượt, đạt tỷ lệ 60,01%, hài lòng",
    "Tong so 16 20 30, ngay 16 3": "Tổng số 16 20 30, ngày 16 3",
    # … and so do two digits between a word and a comma, a colon or the line's end (devset
    # pages: thuốc lá had stayed thuốc 14 eight times), while after a label they are a number
    "nhu cau gidy cuén diéu thuéc 14, nguyén liéu thuéc 14 cia nim sau":
        "nhu cầu giấy cuốn điếu thuốc lá, nguyên liệu thuốc lá của năm sau",
    "theo quy dinh tai Diéu 14, khoan 2 Nghi dinh 14; trang 14:": "theo quy định tại Điều 14, khoản 2 Nghị định 14; trang 14:",
    # 5 for s is a code's digit, except 56 before a document's number (Nghị định số), while a
    # count stays a count
    "(Dieu 37 Nghi dinh 56 67/2013/ND-CP, c6 hiéu luc thi hanh": "(Điều 37 Nghị định số 67/2013/NĐ-CP, có hiệu lực thi hành",
    "Tong cong 56 xa, 50 phuong va 56 thi tran": "Tổng cộng 56 xã, 50 phường và 56 thị trấn",
    # capitals joined by & are a department's acronym (Sở KH&ĐT, seed report 004: they had
    # come out as KHÁC, TRƯỢT), while a heading's CH&NG reads as a word (CHƯƠNG)
    "Sé KH&DT chii tri, phéi hop vdi Sé TT&TT": "Sở KH&ĐT chủ trì, phối hợp với Sở TT&TT",
    "CH&NG TRINH CONG TAC": "CHƯƠNG TRÌNH CÔNG TÁC",
    # … also where OCR put a space after the & (seed report 004: the & had come out as a letter,
    # Sở TỪ TT), while capitals before the space that read as a word are that word (TRẺ EM)
    "thong tin cla cac co quan SO TT& TT": "thông tin của các cơ quan Sở TT& TT",
    "BAO V& TR& EM": "BẢO VỆ TRẺ EM",
    # a lone O after "= " that closes the clause is a zero (seed 003's Phụ lục 1), a formula's is not
    "(C6 t6 chtrc = 1; Khong t6 chic = O) va C=O": "(Có tổ chức = 1; Không tổ chức = 0) và C=O",
    # a model's or a channel's name keeps its digit (they had come out as VỪA, phổ, MÃ), while a
    # syllable's first letters before a vowel's digit are a word printed so (người, việc)
    "Kénh VTV3 phat song; hé tro IPv6 va tép MP3": "Kênh VTV3 phát sóng; hỗ trợ IPv6 và tệp MP3",
    "ngw6i dan va vi6c lam": "người dân và việc làm",
    # a small letter, a hyphen and a capitalised word is a name (e-Gov had come out as e-Go)
    "Hé théng e-Gov va e-Office cua tinh": "Hệ thống e-Gov và e-Office của tỉnh",
    # an acronym the model has no id for is read as its words after it (TTHC: thủ tục hành
    # chính), so the word before it has context (nhóm TTHC had come out as nhôm in seeds 002,
    # 003 and 004); the text keeps the acronym
    "S6 lwong TTHC hogc nhém TTHC duoc giai quyét": "Số lượng TTHC hoặc nhóm TTHC được giải quyết",
}


@pytest.mark.parametrize("text", list(ENG_OCR))
def test_wrong_language_ocr_slips(text):
    assert repair_text(text) == ENG_OCR[text]


@pytest.mark.parametrize("text,channel", [(t, "eng") for t in KEPT] + [(t, "vie") for t in KEPT_VIE])
def test_what_the_slip_rules_leave_alone(text, channel):
    assert repair_text(text, channel) == text


def test_a_letter_is_cut_off_a_word_only_where_the_corpus_has_them_apart():
    rep = get_repairer("eng")
    assert split_glued_letter("- BénB giao hang; BénAcé quyén", rep) == "- Bén B giao hang; Bén A cé quyén"
    # the C of dwocC (được) and the I of VoI (với) are misread small letters: "được c" and
    # "vô i" are rare pairs, and VoI reads as với with its I
    for text in ("PAKN dwocC Xir 1y", "gan VoI cac", "ThUoC UBND", "McDonald, iPhone"):
        assert split_glued_letter(text, rep) == text


def test_a_number_glued_to_a_word_is_cut_off_but_not_from_a_code_or_formula():
    assert split_glued_digit("theo Phu luc5 va PHU LUC5; Diéu5 cua") == "theo Phu luc 5 va PHU LUC 5; Diéu 5 cua"
    # a word printed with a digit for its vowel, formulas and models, dotted and slashed codes
    for text in ("s6 lieu, tr6 thanh", "khi CO2, SO4, VTV3, IPv6", "Diéu 45.7.1T.16", "Mau5/TT, Muc5.1"):
        assert split_glued_digit(text) == text


def test_a_lone_y_glued_to_the_word_before_is_cut_off_where_the_neighbours_agree():
    # English OCR of a held-out font (FreeSans, NotoSansDisplay) prints "ly y tế" as "lyy té",
    # "sở y tế" as "sé'y té": read as one syllable the y was lost (cách ly tế, cơ sẩy tế)
    assert repair_text("3. NGi dung cua quyét dinh dp dung bién phdp cuéng ché cach lyy té:") == \
        "3. Nội dung của quyết định áp dụng biện pháp cưỡng chế cách ly y tế:"
    assert repair_text("2. Bién phap cach ly tai co’ sé'y té dp dung déi voi cdc truong hop:") == \
        "2. Biện pháp cách ly tại cơ sở y tế áp dụng đối với các trường hợp:"
    # … and a word that ends in y stays whole where no neighbour asks for the cut
    assert repair_text("cac co quan thuy loi va quy hoach, hay tuy y") == \
        "các cơ quan thủy lợi và quy hoạch, hãy tùy ý"


def test_letters_vietnamese_never_writes_are_read_as_the_garble_they_are():
    # Turkish OCR prints Bộ as BŞ, lý as İy and ở as a lone ö; Romanian OCR prints Bộ as BȘ.
    # Kept as an acronym (BŞ), a list letter (ö) or a capital (İ lowers to i and a dot), they
    # stayed garbled or came out Lý mid-sentence
    assert repair_text("hi&n vâ xü İy nghiâm câc co sö sân xuât, kinh doanh thuöc lâ") \
        == "hiện và xử lý nghiêm các cơ sở sản xuất, kinh doanh thuốc lá"
    assert repair_text("2. Sân phâm thuöc lâ sân xuğt dö xuât khâu, châo hâng, tridn lâm ö nuöc ngoâi") \
        == "2. Sản phẩm thuốc lá sản xuất để xuất khẩu, chào hàng, triển lãm ở nước ngoài"
    for line in ("1. BŞ Tüâi chinh cö trâch nhi&m phât hânh vâ in ân dây dü tem",
                 "1. BȘ Tăi chinh c6 trâch nhi€m phât hânh vă in ân dây du tem"):
        assert repair_text(line) == "1. Bộ Tài chính có trách nhiệm phát hành và in ấn đầy đủ tem"
    # … while acronyms in A–Z and Đ stay as they are
    assert repair_text("theo Quyét dinh cua UBND tinh va BCĐ tinh Binh Dinh") == \
        "theo Quyết định của UBND tỉnh và BCĐ tỉnh Bình Định"


def test_a_lone_letter_outside_the_alphabet_in_our_own_ocr_is_left_as_the_speck_it_is():
    # only wrong-language OCR prints ở as ö; in ours such a letter is a speck, and read as a
    # word it grew into one (š sử dụng → số sử dụng, a degraded devset page in the bench)
    page = ("Trường hợp mẫu tem đang\nš sử dụng có thay đổi về kích thước, nội dung, hình thức "
            "thì Tổng cục Thuế phải có Thông báo")
    assert repair_document(page, mode="ocr").text == page


def test_a_capital_i_before_small_letters_is_read_as_the_l_it_stands_for():
    # Polish and Indonesian OCR print lá as IA or I4, Turkish prints lực as İyc: lower-cased,
    # the channel saw only an i (ỉa, ực), and a capital with a digit was held to its letter
    assert repair_text("5. Nhap khau nguyćn liću thuóc IA dć chć bićn nguyćn ligu thuóc I4 xuśt khdu hożc gia") == \
        "5. Nhập khẩu nguyên liệu thuốc lá để chế biến nguyên liệu thuốc lá xuất khẩu hoặc gia"
    assert repair_text("nghiğp nâng Iyc sân xuât vâ hö so liân guan") == "nghiệp năng lực sản xuất và hồ sơ liên quan"
    # … and an I that is one stays
    assert repair_text("In an tai nha in cua Bo Tai chinh") == "In ấn tại nhà in của Bộ Tài chính"
    assert repair_text("Ít nhat mot lan") == "Ít nhất một lần"


def test_two_capitals_before_small_letters_keep_the_words_capital():
    # Romanian, Polish and Czech OCR print Công as COng, its ô read as a capital O; the C
    # looks like its small letter, so it went with the scrambled case: Bộ công Thương
    assert repair_text("Bo Tai chinh, B6 Thuong mai va B6 COng nghi€p co hieu luc") == \
        "Bộ Tài chính, Bộ Thương mại và Bộ Công nghiệp có hiệu lực"
    # … a scrambled small word stays small
    assert repair_text("cac co quan, don vi cOng lap va VoI cac") == "các cơ quan, đơn vị công lập và với các"


def test_a_pound_sign_inside_a_word_is_the_e_with_circumflex_english_ocr_prints_as_euro():
    # Indonesian and German OCR print ê as £ where English prints €: priced as an unknown
    # letter, chi ti£t came out chi từ£t
    assert repair_text("cua Chinh phu guy dinh chi ti£t mot s6 dieu va bi@n phap thi hanh") == \
        "của Chính phủ quy định chi tiết một số điều và biện pháp thi hành"
    assert repair_text("kh4du d£n cic doanh nghi€p va co guan c6 li&n guan.") == \
        "khẩu đến các doanh nghiệp và cơ quan có liên quan."
    # … and by a number it is money
    assert repair_text("Gia ban l€ la £100 m6i thung") == "Giá bán lẻ là £100 mỗi thùng"


def test_candidates_offer_likely_words_the_channel_cut_drops():
    # "tha": thùa, thóa, thợ … (30 rare syllables) are closer to it than thứ; the cut must
    # still offer the common word, or the model can never read "lần thứ"
    assert "thứ" in [c for c, _lp in get_repairer("eng").candidates("tha")]
    assert repair_text("Hoi nghi lan tha hai cua Ban Chap hanh Trung uong") == \
        "Hội nghị lần thứ hai của Ban Chấp hành Trung ương"
    assert repair_text("Dai hoi Dang bo lan tha XV nhiém ky 2020 - 2025") == \
        "Đại hội Đảng bộ lần thứ XV nhiệm kỳ 2020 - 2025"


def test_capitalised_words_joined_by_a_slash_are_words_not_a_code():
    assert repair_text("Van ban cua Tinh/Thanh ay gui cac so") == "Văn bản của Tỉnh/Thành ủy gửi các sở"
    assert repair_text("Cong/Trang thong tin dién tir cua tinh") == "Cổng/Trang thông tin điện tử của tỉnh"
    # codes keep a second capital or a digit: still codes
    assert repair_text("Quyét dinh s6 225/QD-TTg va Ké hoach 04/KH-UBND") == \
        "Quyết định số 225/QĐ-TTg và Kế hoạch 04/KH-UBND"


def test_a_capital_mid_sentence_sets_back_words_the_corpus_never_capitalises():
    from diacritics.repair import _prefer_capitalisable
    rep = get_repairer("eng")
    plain = dict(rep.candidates("Tinh"))
    pref = dict(_prefer_capitalisable(list(plain.items()), rep))
    # Tỉnh (ủy) takes capitals; tính, tình, trình never do after a small word
    assert pref["tỉnh"] == plain["tỉnh"]
    assert all(pref[w] < plain[w] for w in ("tính", "tình", "trình"))
    assert max(pref, key=pref.get) in ("tỉnh", "tịnh", "tĩnh")
    # a rarer spelling is not preferred to the common word it looks like (Ghi chú, not ghỉ)
    ghi = dict(_prefer_capitalisable(rep.candidates("Ghi"), rep))
    assert ghi["ghi"] >= ghi["ghỉ"] - 0.1   # the channel alone: a hair apart
    assert repair_text("dén ngay 20 thang 01 nam 2020 Ghi chu") == "đến ngày 20 tháng 01 năm 2020 Ghi chú"
    assert repair_text("phéi hop Voi cac co quan") == "phối hợp với các cơ quan"


def test_channel_scores_the_alignment_that_pairs_same_base_letters():
    # English OCR prints ợ as "og" and ú as "ii"; with a letter inserted, unit-cost edit
    # alignments tie and one of them pairs đ with u, ư with o … (được ~6 nats below dược)
    from diacritics.confusion import load_model
    eng = load_model("eng")
    assert eng.logp("duogc", "được") > eng.logp("duogc", "dược") - 1.0
    assert eng.logp("duwoc", "được") > eng.logp("duwoc", "dược") - 1.0
    # (hen is hẹn or hạn: both are Vietnamese for "on time", and the tables may pick either)
    assert repair_text("giai quyét diing hen cho nguoi dan").split()[:3] == ["giải", "quyết", "đúng"]


def test_a_speck_accent_glued_to_a_label_or_dash_and_a_split_year_are_cleaned():
    # harsh scans: the speck's accent sticks to the list label or dash beside it
    assert clean_artifacts("ˆ2. Trường hợp cấp lại") == "2. Trường hợp cấp lại"
    assert clean_artifacts("ˆ__ a) Hồ sơ") == "a) Hồ sơ"
    assert clean_artifacts("giấy phép -ˆ") == "giấy phép -"
    # Tesseract cuts a year's last digit off inside a date or a document number
    assert clean_artifacts("từ ngày 05/09/201 8, có") == "từ ngày 05/09/2018, có"
    assert clean_artifacts("Nghị định số 36/201 9/NĐ-CP") == "Nghị định số 36/2019/NĐ-CP"
    # numbers standing apart are the document's
    assert clean_artifacts("có 201 7 người") == "có 201 7 người"
    assert clean_artifacts("khoản 2 3/201 ngày") == "khoản 2 3/201 ngày"


def test_ocr_mode_rejoins_a_capital_cut_off_its_word():
    out = repair_document("theo quy định tại N ghị định này và Điều 12N ghị định số 15", mode="ocr").text
    assert out == "theo quy định tại Nghị định này và Điều 12 Nghị định số 15"
    # a letter before a word is a label or an initial: it stays
    for line in ("theo điểm B khoản 2 Điều 5", "Mục V Hồ sơ đề nghị"):
        assert repair_document(line, mode="ocr").text == line


def test_on_a_degraded_page_a_word_tesseract_was_sure_of_needs_less_evidence():
    # a harsh scan's sure words slip too (Thương nhận for nhân): there the model's 87 %
    # is enough; on a clean page such a word stays below 97 %
    from diacritics.repair import _keep_valid
    rep = get_repairer("vie")
    args = (rep, "nhận", "nhân", 0.87, 92.0)
    assert _keep_valid(*args, True, [], 0, "")
    assert not _keep_valid(*args, False, [], 0, "")
    assert _keep_valid(rep, "nhận", "nhân", 0.6, 92.0, False, [], 0, "")


def test_look_alike_digits_and_articles_in_our_own_ocr():
    assert repair_document("trong thời hạn Ø7 ngày làm việc", mode="ocr").text == \
        "trong thời hạn 07 ngày làm việc"
    # articles are numbered in digits; chapters in Roman numerals
    assert repair_document("theo Điều II Nghị định số 5", mode="ocr").text == "theo Điều 11 Nghị định số 5"
    assert repair_document("Chương II QUY ĐỊNH CHUNG", mode="ocr").text == "Chương II QUY ĐỊNH CHUNG"


def test_capitals_our_ocr_invents_on_a_harsh_scan_are_set_right():
    from pipeline.correct import correct_page_text
    line = [("phối", 93), ("hợp", 93), ("với", 92), ("cơ", 93), ("Quan", 93), ("chức", 93), ("năng", 93),
            ("Và", 93), ("đơn", 93), ("vị", 92), ("liên", 92), ("quan.", 93)]
    harsh = _page(line, [("Báo", 60), ("cáo", 55), ("gửi", 70), ("Sở", 60), ("ngay.", 50)])
    clean = _page(line, [("Báo", 97), ("cáo", 97), ("gửi", 97), ("Sở", 97), ("ngay.", 97)])
    # a harsh scan's capital on a word the corpus never capitalises after a small word is a slip,
    # and so is one on the second half of a common compound whatever its letter (cơ Quan) …
    raw = "\n".join(ln.text for ln in harsh)
    assert correct_page_text(raw, harsh).split("\n")[0] == "phối hợp với cơ quan chức năng và đơn vị liên quan."
    # … while on a page Tesseract read cleanly the capital is the document's
    raw = "\n".join(ln.text for ln in clean)
    assert correct_page_text(raw, clean).split("\n")[0] == "phối hợp với cơ Quan chức năng Và đơn vị liên quan."


def test_a_full_line_runs_on_into_a_name_on_the_next():
    from diacritics.repair import _wrapped_lines
    full = "d) Quyết định việc tạm dừng vắc xin trên cơ sở ý kiến của Cục Quản lý"
    # a full line that ends in a small word, then a capitalised word and another word
    assert _wrapped_lines([full, "Dược và sử dụng lại"], None) == {0}
    # … also when English OCR printed a digit for the name's vowel (H6 thong: Hệ thống). Read
    # apart, seed 000's "nhận qua" ended a sentence and came out as the commoner "nhận quả".
    assert _wrapped_lines([full, "H6 thong thong tin"], None) == {0}
    assert repair_text("14. Toi thiéu 30% bdo cdo dinh ky (khong bao g6m ndi dung mat) duoc gui, nhan qua\n"
                       "H6 thong théng tin bao cdo quéc gia.\n").split("\n")[0].endswith("được gửi, nhận qua")
    # … not a short line (a heading, a cell), nor across a blank line (a new paragraph),
    # nor after a stop, nor onto a lone capitalised word
    assert _wrapped_lines(["Sự nghiệp y tế", "Sự nghiệp khác nữa"], None) == set()
    assert _wrapped_lines([full, "", "Dược và sử dụng lại"], None) == set()
    assert _wrapped_lines([full + ".", "Dược và sử dụng lại"], None) == set()
    assert _wrapped_lines([full, "Dược", full], None) == set()
    # any line with no stop runs on into an acronym (trên Cổng / TTĐT), not into a new
    # table's number column, nor out of a heading in capitals
    assert _wrapped_lines([full, "DVC quốc gia"], None) == {0}
    assert _wrapped_lines(["trên Cổng", "TTĐT"], None) == {0}
    assert _wrapped_lines(["Số lượng đơn vị Sự", " STT"], None) == set()
    assert _wrapped_lines(["PHỤ LỤC", "UBND TỈNH"], None) == set()
    # English OCR of a devset document: read apart, the second line opened with "Được"
    assert "của Cục Quản lý\nDược và" in repair_text(
        "d) Quyét dinh viéc tam dirng vac xin trén co sé y kién cua Cuc Quan ly\nDugc va st? dung lai vac xin.\n")
    # a capital the next line opens with keeps its case: it is no mid-sentence capital the OCR invented
    assert repair_text("tir thong sudt va hop nhat trén tat ca cac hé thong thdng tin\nCua cac co quan\n") \
        == "từ thông suốt và hợp nhất trên tất cả các hệ thống thông tin\nCủa các cơ quan\n"


def test_a_semicolon_before_a_capital_is_punctuation_not_debris():
    assert clean_artifacts("xử lý kỷ luật;Điều 5") == "xử lý kỷ luật;Điều 5"  # not glued into luậtĐiều
    assert clean_artifacts("c;éc cơ quan") == "céc cơ quan"                 # debris inside a word still goes


def test_a_line_wrapped_across_a_blank_line_or_a_cell_bar_is_one_sentence():
    from diacritics.repair import _wrapped_lines
    lines = ["Tổng số biên chế cán bộ, công", '" | chac', "", "Lớp bồi", "", "dudng", "Số", "", "", "", "nam"]
    assert _wrapped_lines(lines, None) == {0, 3, 4}
    assert _wrapped_lines(lines, {0, 3, 5}) == {3, 4}   # a line not being repaired is no bridge
    # a list item after a heading opens its own sentence (seed 003: "a) Mat tich cuc" was read
    # on from "triển khai" and came out as the far commoner "mất tích")
    assert _wrapped_lines(["4. Đánh giá chung về công tác triển khai", "a) Mặt tích cực", "đ. Khác"], None) == set()
    assert repair_text("4. Panh gia chung vé cong tac trién khai\na) Mat tich cuc dat duoc\nb) Tén tai, han ché") \
        == "4. Đánh giá chung về công tác triển khai\na) Mặt tích cực đạt được\nb) Tồn tại, hạn chế"


def test_a_table_row_read_across_its_cells_does_not_run_on_into_the_next_line():
    from diacritics.repair import _wrapped_lines
    # seed 003's header row: the next line continues the first column (Tỉnh, / thành phố), so
    # read as one sentence the last cell's cut-off "Ghi ch" came out "Ghi chợ thành phố"
    row = "Tinh, Giai doan S6 UBND cip S6 phong chuyén mén S6 vin phong, thanh tra | S6 don vi sw nghiép thudc Ghi ch"
    nxt = "thanh phé : huyén thugc UBND céap huyén | thudc UBND céap huyén UBND cép huyén"
    assert _wrapped_lines([row, nxt], None) == set()
    assert repair_text(row + "\n" + nxt).split("\n")[0].endswith("thuộc Ghi chú")
    # a cell wrapped onto a line that opens with its bar still runs on (công / " | chức)
    assert _wrapped_lines(["Tổng số biên chế cán bộ, công", '" | chac'], None) == {0}


def test_case_is_settled_with_the_words_of_a_wrapped_line():
    # a table cell wrapped over two lines: the OCR's capital S (Su) sits between "vị" and the
    # next line's "nghiệp", as in "đơn vị sự nghiệp"; a name after a line break stays
    assert repair_text("S6 lwong don vi Su\nnghiép cong tu bdo dam") == \
        "Số lượng đơn vị sự\nnghiệp công tự bảo đảm"
    assert repair_text("Trách nhiệm của ông\nSơn trong việc này") == "Trách nhiệm của ông\nSơn trong việc này"
    # … and the wrapped cell's bar and quote (a row of seed 003's appendix) do not end the sentence
    assert repair_text('Tong s6 bién ché can bo, cong\n" | chac') == 'Tổng số biên chế cán bộ, công\n" | chức'


def test_document_cache_leaves_one_out_and_backs_the_words_a_document_repeats():
    import numpy as np
    from diacritics.cache_lm import DocumentCache
    from diacritics.model import load_model
    from diacritics.tokens import NONE, lm_ids
    lm = load_model()
    ids = lm.index
    ctx = np.array([NONE], np.uint64), np.array([NONE], np.uint64), np.array([ids["hoạch"]], np.uint64)

    def lp(model, word):
        return float(model.logprob(*ctx, np.array([ids[word]], np.uint64))[0])

    once = DocumentCache(lm, lm_ids("kế hoạch sẽ.", ids))
    assert lp(once, "sẽ") <= lp(lm, "sẽ")   # its own spot is no evidence for a reading
    doc = DocumentCache(lm, lm_ids("kế hoạch số 1. kế hoạch số 2. kế hoạch số 3.", ids))
    assert lp(doc, "số") > lp(lm, "số") + 1.0
    assert lp(doc, "sẽ") < lp(lm, "sẽ")


def test_document_cache_leaves_out_exactly_what_the_scored_spot_put_in():
    import numpy as np
    from diacritics.cache_lm import DocumentCache
    from diacritics.decode import Lattice
    from diacritics.model import load_model
    lm = load_model()
    ids = lm.index
    # first pass: "tại lĩnh vực" settled once (position 1), the same words unsure later (position 5)
    lat = Lattice()
    lat.add_fixed([ids["thống"], ids["kê"]])
    settled = lat.add_choice([ids["tài"], ids["tại"]], [0.0, 0.0])
    lat.add_fixed([ids["lĩnh"], ids["vực"]])
    lat.end_sentence()
    lat.add_fixed([ids["nhiệm"], ids["vụ"]])
    unsure = lat.add_choice([ids["tài"], ids["tại"]], [0.0, 0.0])
    lat.add_fixed([ids["lĩnh"], ids["vực"]])
    choice = np.array([lat.pos_start[p] + (1 if p in (settled, unsure) else 0) for p in range(len(lat))])
    posterior = np.ones(len(lat.cand_id))
    posterior[lat.pos_start[unsure] + 1] = 0.5
    # uncapped, to see the counts alone (the corpus has tài lĩnh vực likelier than tại lĩnh vực)
    cache = DocumentCache.of_search(lm, lat, choice, posterior, lift_cap=None).bind(lat)

    def lp(model, h3, word, at):
        return float(model.logprob(np.array([ids["thống"]], np.uint64), np.array([ids["kê"]], np.uint64),
                                   np.array([ids[h3]], np.uint64), np.array([ids[word]], np.uint64),
                                   at=np.array([at]))[0])

    # the unsure spot gets the settled one's evidence, for the word and for its pair with "lĩnh"
    assert lp(cache, "vụ", "tại", unsure) > lp(lm, "vụ", "tại", unsure) + 0.5
    assert lp(cache, "tại", "lĩnh", unsure + 1) > lp(cache, "tài", "lĩnh", unsure + 1) + 1.0
    # … and the settled spot none from itself: nothing else in the document says "tại"
    assert lp(cache, "kê", "tại", settled) < lp(lm, "kê", "tại", settled)
    assert lp(cache, "tại", "lĩnh", settled + 1) <= lp(cache, "tại", "lĩnh", unsure + 1)


def test_document_cache_cannot_overrule_the_corpus_context():
    # a report full of "các" must not make "tự chủ tài các" (the corpus: tài chính) a
    # likely sequence: the cache lifts a word at most e^LIFT_CAP over the corpus model
    import numpy as np
    from diacritics.cache_lm import LIFT_CAP, DocumentCache
    from diacritics.model import load_model
    from diacritics.tokens import lm_ids
    lm = load_model()
    ids = lm.index
    doc = lm_ids(" ".join(["các cơ quan, các đơn vị."] * 50), ids)
    h = [np.array([ids[w]], np.uint64) for w in ("tự", "chủ", "tài")]

    def lp(model):
        return float(model.logprob(*h, np.array([ids["các"]], np.uint64))[0])

    assert lp(DocumentCache(lm, doc, lift_cap=None)) > lp(lm) + LIFT_CAP + 1.0   # unbounded: rescued
    assert lp(DocumentCache(lm, doc)) <= lp(lm) + LIFT_CAP + 1e-4


def test_document_cache_with_no_pair_settled():
    # every word beside one the model does not know: the cache has words but no pairs
    # (found by fuzzing: an IndexError in the restorer's second pass)
    text = "ñy ban " * 500
    out = repair_document(text, mode="stripped").text.split()
    assert len(out) == 1000 and set(out[::2]) == {"ñy"}


def test_a_document_settles_its_own_ambiguous_words():
    # "Dat" alone is đạt or đất, which the corpus model cannot tell apart; this report
    # uses đạt, sure of it where the context says so
    lines = ["Ket qua: 12 chi tieu dat va vuot ke hoach; 3 chi tieu khong dat."] * 3
    lines += ["Danh gia ket qua dat duoc trong nam.", "Nam 2019", "Dat", "Nam 2020", "Dat"] * 8
    text = repair_text("\n".join(lines))
    assert text.split("\n")[-1] == "Đạt"


def test_a_forms_dotted_leader_read_as_letters_is_dots_again():
    from diacritics.repair import dotted_leaders
    # the leader's letters become as many dots; real words beside it (có sở, co so) stay
    assert dotted_leaders("tốt:....ccccecccesecss") == "tốt:" + "." * 18
    assert dotted_leaders("doanh nghiệp.....c cece eeeeeeseeee") == "doanh nghiệp" + "." * 23
    assert dotted_leaders("hồi ccccc giờ eeeee ngày") == "hồi ..... giờ ..... ngày"
    assert dotted_leaders("co so sesese") == "co so ......"
    # leaders with n, a and t in them, and a lone c or e between their runs (a devset form)
    leader = "Dia Chit... cece ccc eee eect e eee e nena eee e cece enna eens eee eaeseeececeesessesaeseees"
    assert dotted_leaders(leader) == "Dia Chit" + "." * (len(leader) - 8)
    assert dotted_leaders("ton tai: oo. eee cesecseececesecseeescesecsnenes") == "ton tai: " + "." * 39
    # … but not a word: ở after a leader, a syllable of letters it uses (tai, nên)
    assert dotted_leaders("Ông (Bà)........ o Hà Nội") == "Ông (Bà)........ o Hà Nội"
    assert dotted_leaders("ký tên........ tai so nha nên") == "ký tên........ tai so nha nên"
    # … and dots or an ellipsis alone stay as they were typed (was: lệ phí,…) → lệ phí,.)
    assert dotted_leaders("lệ phí,…) và v.v… tại:……") == "lệ phí,…) và v.v… tại:……"
    assert repair_text("Dia chi: .........cccccceeeeeesss\nNgay cap") == "Địa chỉ: " + "." * 24 + "\nNgày cấp"


@pytest.mark.parametrize("mode", ["garbled", "ocr", "stripped"])
def test_web_addresses_and_e_mails_stay_as_they_are(mode):
    text = "Xem tai binhdinh.gov.vn, dichvucong.gov.vn/p/home; gui vaac@moh.gov.vn hoac www.vaac.gov.vn nhe"
    out = repair_document(text, mode=mode).text
    for address in ("binhdinh.gov.vn", "dichvucong.gov.vn/p/home", "vaac@moh.gov.vn", "www.vaac.gov.vn"):
        assert address in out
    assert out.startswith("Xem tại")
    # … but English OCR's capital W is no part of an address
    assert repair_text("chong HIV/AIDS Www.vaac.gov.vn.") == "chống HIV/AIDS www.vaac.gov.vn."


def test_a_second_list_label_d_is_d_with_stroke_and_a_hook_printed_as_question_mark_goes():
    text = ("c) Tham gia phoi hop dieu tra, ket luan nguyen nhan;\n"
            "d) Tong hop, bao cao ve cong tac tiem chung tren dia ban;\n"
            "d) Chi dao trien khai thuc hien;\n"
            "e) Huong dan ngu?oi khai bao.")
    out = repair_text(text).split("\n")
    assert [line[:2] for line in out] == ["c)", "d)", "đ)", "e)"]
    assert out[3] == "e) Hướng dẫn người khai báo."


def test_the_eth_tesseract_prints_for_d_with_stroke_is_d_with_stroke():
    assert repair_document("ÐĐ) TIN TƯỞNG, KHUYẾN KHÍCH", mode="ocr").text == "Đ) TIN TƯỞNG, KHUYẾN KHÍCH"
    assert repair_document("Ðiều 5 và ðiều 6", mode="ocr").text == "Điều 5 và điều 6"


@pytest.mark.parametrize("mode", ["garbled", "ocr"])
def test_a_run_of_thousands_of_letters_is_kept_at_once(mode):
    # the candidate lookup is cubic in a token's length: a 5,000-letter run took minutes
    import time
    text = "Chwong trinh " + "x" * 5000 + " tong thé"
    t0 = time.perf_counter()
    out = repair_document(text, mode=mode).text
    assert time.perf_counter() - t0 < 10
    assert "x" * 5000 in out


def test_words_a_pdf_extractor_cut_at_their_marks_are_joined():
    # docling issue #3170's own example: a space on either side of a letter from the
    # Vietnamese block, never inside the Latin-1 ones (Áp, ngày)
    cut = ("ĐIỀ U KHO ẢN & ĐIỀ U KI Ệ N S Ử D Ụ NG D Ị CH V Ụ NGH Ỉ DƯỠ NG\n"
           "Áp dụ ng t ừ ngày 15/05/2025\n"
           "Ch ủ th ẻ Visa Infinite")
    res = repair_document(cut)
    assert res.text == ("ĐIỀU KHOẢN & ĐIỀU KIỆN SỬ DỤNG DỊCH VỤ NGHỈ DƯỠNG\n"
                        "Áp dụng từ ngày 15/05/2025\n"
                        "Chủ thẻ Visa Infinite")
    assert ("KI Ệ N", "KIỆN") in {(c.before, c.after) for c in res.changes if c.reason == "cut syllable"}
    # a combining mark left after a space goes back on its letter, and the line says so
    res = repair_document("Cô ̣ng ho ̀a xa ̃ hô ̣i chu ̉ nghi ̃a Viê ̣t Nam")
    assert res.text == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert [c.reason for c in res.changes] == ["cut syllable"]


def test_letter_spaced_text_is_joined_into_words():
    # headings set with wide letter spacing, and a page an extractor wrote letter by letter
    text = ("Q U Y Ế T   Đ Ị N H\nB Á O   C Á O\n"
            "Ủ y   b a n   n h â n   d â n   t ỉ n h   b a n   h à n h   K ế   h o ạ c h   g i a i   "
            "đ o ạ n   2 0 1 1   -   2 0 2 0   n h ư   s a u :")
    res = repair_document(text)
    assert res.text.split("\n") == ["QUYẾT ĐỊNH", "BÁO CÁO",
                                    "Ủy ban nhân dân tỉnh ban hành Kế hoạch giai đoạn 2011 - 2020 như sau:"]
    assert ("B Á O   C Á O", "BÁO CÁO") in {(c.before, c.after) for c in res.changes if c.reason == "cut syllable"}
    # one space everywhere, marks lost too: the words are found where the model reads them best
    assert repair_document("C O N G H O A X A H O I C H U N G H I A V I E T N A M").text == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert repair_document("d o c l a p t u d o h a n h p h u c").text == "độc lập tự do hạnh phúc"
    # a table's column of marks is no spaced word
    assert repair_document("Cột A: x x x x x").text == "Cột A: x x x x x"


def test_text_that_lost_its_spaces_is_cut_into_syllables():
    glued = ("ỦybannhândântỉnhbanhànhKếhoạchtổngkếtthựchiệnChươngtrình\n"
             "UybannhandantinhbanhanhKehoachtongketthuchienChuongtrinh\n"
             "giaiđoạn2011-2020trênđịabàntỉnhHàNội")
    res = repair_document(glued)
    assert res.text.split("\n") == ["Ủy ban nhân dân tỉnh ban hành Kế hoạch tổng kết thực hiện Chương trình"] * 2 + [
        "giai đoạn 2011-2020 trên địa bàn tỉnh Hà Nội"]
    # a line with its spaces keeps its long names and words; a glued run that is no syllables
    # (an English word) stays as it is
    for kept in ("Công ty Internationalcommunications ký hợp đồng", "Internationalcommunicationsagreements"):
        assert repair_document(kept).text == kept


def test_a_clean_text_with_initials_is_not_taken_for_cut_words():
    # "độ C", "chị T", "H ở" would join into syllables (độc, chịt, hở), but a cut never
    # leaves a capital inside a word, and a clean text has too few such gaps to be read as cut
    text = ("Nhiệt độ C cao nhất là 39, chị T cho biết. Anh H ở xã bên.\n"
            "Ông A và bà B đến từ phường 3; chị N ở lại.")
    assert repair_document(text).text == text


def test_letters_an_export_wrote_as_html_references_or_u_escapes_are_written_out():
    page = "C&#7897;ng h&ograve;a x&#227; h&#7897;i ch&#7911; ngh&#297;a Vi&#7879;t Nam\nS&#7903; TT&amp;TT; S&P 500"
    res = repair_document(page)
    assert res.text == "Cộng hòa xã hội chủ nghĩa Việt Nam\nSở TT&TT; S&P 500"
    assert {c.reason for c in res.changes} == {"encoding"}
    assert repair_document("C\\u1ed9ng h\\u00f2a x\\u00e3 h\\u1ed9i").text == "Cộng hòa xã hội"
    # a surrogate pair is one character; a lone surrogate cannot be written out and stays escaped
    assert repair_document("C\\u1ed9ng h\\u00f2a \\ud83d\\ude00 \\ud800").text == "Cộng hòa 😀 \\ud800"
    # one reference, or references that are not letters, are the text's own
    for text in ("Bộ Nội vụ &amp; Sở TT&TT", "Giá bán &lt; 5 triệu đồng &amp; phí vận chuyển &gt; 2 triệu đồng",
                 "ký hiệu &eacute; một lần"):
        assert repair_document(text).text == text


def test_bytes_an_export_escaped_are_read_as_the_utf8_they_are():
    truth = "Cộng hòa xã hội chủ nghĩa Việt Nam, năm 2020: 9.215 (91,41%) = 1+1"
    # a web form's fields: + for a space, %2B for a plus, and a URL's %20
    form = ("C%E1%BB%99ng+h%C3%B2a+x%C3%A3+h%E1%BB%99i+ch%E1%BB%A7+ngh%C4%A9a+Vi%E1%BB%87t+Nam%2C+"
            "n%C4%83m+2020%3A+9.215+%2891%2C41%25%29+%3D+1%2B1")
    assert repair_document(form).text == truth
    assert repair_document(form.replace("+", "%20")).text == truth
    # Python 2's and C's (git's) way of printing a string's bytes
    assert repair_document(truth.encode().decode("ascii", "backslashreplace")).text == truth
    octal = "".join(c if c.isascii() else "".join(f"\\{b:03o}" for b in c.encode()) for c in truth)
    assert repair_document(octal).text == truth
    # HTML references escaped a second time
    assert repair_document("C&amp;#7897;ng h&amp;ograve;a x&amp;#227; h&amp;#7897;i").text == "Cộng hòa xã hội"
    # a clean text that quotes an escaped URL keeps it as written
    text = "Xem tại https://vi.wikipedia.org/wiki/C%E1%BB%99ng_h%C3%B2a_x%C3%A3_h%E1%BB%99i, mục Lịch sử."
    assert repair_document(text).text == text


def test_an_email_body_and_subject_in_their_transfer_encodings_are_read():
    # quoted-printable: a soft break (=) may fall between the bytes of one letter (ệ); the
    # lines it broke are joined, the text's own line breaks stay
    body = ("Th=E1=BB=B1c hi=E1=BB=87n Ngh=E1=BB=8B quy=E1=BA=BFt s=E1=BB=91 30c/NQ-CP, c=C3=A1c x=\n"
            "=C3=A3 =3D 100% c=C3=B4ng vi=E1=BB=\n=87c.\nK=C3=ADnh g=E1=BB=ADi: UBND t=E1=BB=89nh")
    res = repair_document(body)
    assert res.text == "Thực hiện Nghị quyết số 30c/NQ-CP, các xã = 100% công việc.\nKính gửi: UBND tỉnh"
    assert [(c.line, c.reason) for c in res.changes] == [(1, "encoding"), (2, "encoding")]
    # … and from an old Vietnamese mail client, in Windows-1258 (the tone a byte after its letter)
    assert repair_document("C=F4=F2ng ho=CCa xa=DE h=F4=F2i").text == "Cộng hòa xã hội"
    # a header's encoded words, folded over two lines, one letter's bytes shared by two words
    subject = "Subject: =?utf-8?b?QsOhbyBjw6FvIGPhuqNp?=\n =?utf-8?q?_c=C3=A1ch_h=C3=A0nh_ch=C3=ADnh?="
    assert repair_document(subject).text == "Subject: Báo cáo cải cách hành chính"
    assert repair_document("=?UTF-8?B?4bq=?= =?UTF-8?B?o2k=?= =?utf-8?q?_c=C3=A1ch?=").text == "ải cách"
    # a text that is not quoted-printable keeps a line that ends in =
    text = "Tổng số = \n1.250 hồ sơ"
    assert repair_document(text).text == text


def test_round_bullets_tesseract_read_as_e_are_bullets_again():
    # the real contract scan's list, as English OCR and as our own OCR print it
    eng = "e Can Nang: 1.2Kg;\n\ne Mau sac: Den\n\ne Bao hanh 12 thang"
    out = repair_document(eng, mode="garbled").text.split("\n")
    assert [line[:2] for line in out if line] == ["• ", "• ", "• "]
    assert out[-1] == "• Bảo hành 12 tháng"
    vie = "e Cân Nặng: 1.2Kg;\ne Màu sắc: Đen"
    assert repair_document(vie, mode="ocr").text == "• Cân Nặng: 1.2Kg;\n• Màu sắc: Đen"
    # the same scan read by `sohoa ocr` in full: se, s and © too, and two spaces after them
    vie = "© _Processor: 8th Gen\nse Display Type: 14.0\"\ns  Hard Drive: 256GB SSD\nse Bảo hành 12 tháng"
    assert repair_document(vie, mode="ocr").text == \
        "• _Processor: 8th Gen\n• Display Type: 14.0\"\n•  Hard Drive: 256GB SSD\n• Bảo hành 12 tháng"
    # … but not a word before a small letter: "se" and "s" open no sentence, a wrapped one goes on
    assert not repair_document("thì Bên B\nse thực hiện\ns tiếp", mode="ocr").text.count("•")
    # one such line is no list: left to the model
    assert not repair_document("e Bao hanh 12 thang", mode="garbled").text.startswith("•")


def test_english_ocr_of_a_marked_word_beside_a_digit_is_no_cut():
    # "dé t6 chic" is để tổ chức: the t belongs to t6, so "dé t" is no word cut at its mark; a
    # short English-OCR page with three of these used to pass for a cut text
    from diacritics.split_syllables import count_cuts
    text = "giai quyét dé t6 chirc, co ché m6t ctra, 3. Vé t6 chic b6 may, vé n6i dung"
    assert count_cuts(text, lambda w: w in {"dét", "chém", "vét", "vén", "về", "để"})[0] == 0


def test_a_long_line_of_cut_words_is_joined_at_once():
    # each chain's context was read from the whole line: quadratic, minutes for one long line
    import time
    t0 = time.perf_counter()
    out = repair_document("d ụ ng t ừ " * 2000, mode="stripped").text
    assert time.perf_counter() - t0 < 20
    assert out.startswith("dụng từ dụng từ")


def test_ocr_in_french_keeps_the_marks_it_printed_right():
    # a devset page OCR'd with -l fra (tests/fixtures; the language pack is not installed in
    # CI): French OCR prints â, ê, ô as they are, and the channel learnt on English OCR turned
    # "nhân viên" into "nhận viện" until the document's own sure words taught it otherwise
    from pathlib import Path

    from bench.repair import wer
    fixtures = Path(__file__).parent / "fixtures"
    raw = (fixtures / "devset_ocr_fra.txt").read_text(encoding="utf-8")
    truth = (fixtures / "devset_ocr_fra.truth.txt").read_text(encoding="utf-8")
    out = repair_document(raw).text
    assert "hận viện" not in out and out.lower().count("nhân viên") == 7
    errors, total = wer(truth, out)
    assert errors <= 3 and total > 250


def test_an_export_through_a_best_fit_code_page_gets_its_marks_back(seeds_dir):
    # Windows maps a letter cp1252 lacks to the nearest it has: Việt → Viet, ộ → o, đ → d, while
    # hòa, xã, tháng keep their marks. Seed 004 so garbled showed too few broken marks (4 %)
    # to be read as garbled, and came back unrepaired (43 % WER); lost and broken marks together
    # now make it a garbled text.
    from bench.garbles import best_fit
    from bench.repair import wer
    from diacritics.tone import to_style
    # Windows-1250 keeps more marks whole: seed 000 so exported has 1.8 % broken ones, and a
    # third of its words lost their marks
    for seed, code_page in (("004_6ba27df1980e2c46.txt", "cp1252"), ("000_08936da748c34128.txt", "cp1250")):
        truth = to_style((seeds_dir / seed).read_text(encoding="utf-8"), "new")
        errors, total = wer(truth, to_style(repair_document(best_fit(truth, code_page)).text, "new"))
        assert errors < 0.02 * total, code_page


def test_the_neighbours_propose_a_word_the_letters_alone_rank_too_low():
    from diacritics.context_candidates import add_context_candidates
    from diacritics.repair import BEAM, FLOOR, get_repairer
    rep = get_repairer("eng")
    # seed 003: 51 syllables explain "tix" better than "tử", which "điện" before it all but settles
    assert "tử" not in dict(rep.candidates("tix"))
    lattice = [rep.candidates("dién"), " ", rep.candidates("tix")]
    assert add_context_candidates(lattice, {2: "tix"}, rep, BEAM, FLOOR) > 0
    assert "tử" in dict(lattice[2]) and "tử" not in dict(rep.candidates("tix"))   # the cache is untouched
    # … not across a sentence break, and not for a token read as it was printed
    assert add_context_candidates([rep.candidates("dién"), ". ", rep.candidates("tix")], {2: "tix"},
                                  rep, BEAM, FLOOR) == 0
    assert add_context_candidates([rep.candidates("dién"), " ", rep.candidates("tu")], {2: "tu"},
                                  rep, BEAM, FLOOR) == 0
    assert repair_text("trén Cong/ Trang Thong tin dién tix") == "trên Cổng/ Trang Thông tin điện tử"
    assert repair_text("danh gia dinh ky cjéi vGi cac nhiém vu thudc") == "đánh giá định kỳ đối với các nhiệm vụ thuộc"
    # a capital with digits keeps its own rule (a code, or a word with its letter): no proposals
    assert repair_text("Landmark Tower, Khu E6 khu DTM Cau Giay") == "Landmark Tower, Khu E6 khu DTM Cầu Giấy"


def test_a_table_cell_run_on_loses_only_a_compound_capital():
    # seed 003, Phụ lục 6: a cell's last line "Xuyén" (thường xuyên), not a row's first word
    assert repair_text("nghiép cong tu bao dam\nmot phan chi thuong\nXuyén\n") \
        == "nghiệp công tự bảo đảm\nmột phần chi thường\nxuyên\n"
    assert repair_text("theo hinh thire thi canh tranh\nS6 cong chire dugc bé nhiém vao\n") \
        == "theo hình thức thi cạnh tranh\nSố công chức được bổ nhiệm vào\n"


def test_a_table_row_keeps_the_capitals_that_open_its_cells():
    # seed 003, Phụ lục 4: a header OCR read across its cells, which run together with single
    # spaces; a bar between two words marks the line as a table row
    header = "S6 phong chuyén mén S6 vin phong, thanh tra | S6 don vi sw nghiép thudc Ghi chu"
    assert repair_text(header) == "Số phòng chuyên môn Số văn phòng, thanh tra | Số đơn vị sự nghiệp thuộc Ghi chú"
    # … where running text loses the capital English OCR invented (môn Số văn: số); the text
    # opens with no capital, as a row opening with "Số" repeats it (see the test below)
    assert "chuyên môn số văn phòng" in repair_text(header.replace(" |", "").removeprefix("S6 "))


def test_a_line_whose_first_letters_the_page_edge_cut_off_is_read_whole():
    # seed 003's appendix headings as English OCR printed them: the scan's edge took the onset
    # of each line's first word (Nhiệm, tháng, Thống)
    text = ("PHU LUC 2\niém vu tai linh vuc cai cach thé ché\n(Kem theo Ké hoach sé: 04 /KH-UBND ngay 20\n"
            "ang 01 nam 2020 cua UBND tinh)\nPHU LUC 4\nong ké va so sanh sé lwong té chirc thudc tinh/huyén")
    assert repair_document(text, mode="garbled").text.split("\n") == [
        "PHỤ LỤC 2", "nhiệm vụ tại lĩnh vực cải cách thể chế", "(Kèm theo Kế hoạch số: 04 /KH-UBND ngày 20",
        "tháng 01 năm 2020 của UBND tỉnh)", "PHỤ LỤC 4", "thống kê và so sánh số lượng tổ chức thuộc tỉnh/huyện"]
    # the rest of a cut word may spell another word at a long stretch only (wc: thực, not ước)
    text = "PHU LUC 8\ntheo Ké hoach sé: 04 /KH-UBND,\n\nwc hién cac muc tiéu cai cach hanh chinh nha nwoéc"
    assert repair_document(text, mode="garbled").text.split("\n")[-1] == (
        "thực hiện các mục tiêu cải cách hành chính nhà nước")
    # a line that opens with a word of its own keeps it
    text = ("Tham du hoi nghi co dai dién Bo Noi vu va\nong Nguyén Van Nam, Giam déc S¢ Noi vu.\n"
            "Cac co quan, don vi chu dong trién khai, bao dam\nan toan thong tin va an ninh mang.")
    assert repair_document(text, mode="garbled").text.split("\n") == [
        "Tham dự hội nghị có đại diện Bộ Nội vụ và", "ông Nguyễn Văn Nam, Giám đốc Sở Nội vụ.",
        "Các cơ quan, đơn vị chủ động triển khai, bảo đảm", "an toàn thông tin và an ninh mạng."]


def test_a_row_that_repeats_its_opening_heading_keeps_its_capitals():
    # seed 003, Phụ lục 4: the column headings of a row with no bars, each opening with the word
    # the line opens with; read as a sentence, "y tế Sự" lost its capital as an invented one
    row = "Sw nghiép GD-PT Sw nghiép y té Sw nghi¢p VH,TDTT Sw nghigp khac"
    assert repair_text(row) == "Sự nghiệp GD-PT Sự nghiệp y tế Sự nghiệp VH,TDTT Sự nghiệp khác"
    # … while in running text that does not open with it the invented capital still goes
    assert "y tế sự nghiệp" in repair_text("Cac don vi y té Sw nghiép cong lap")


def test_a_word_alone_in_a_cell_reads_as_the_document_reads_it_elsewhere():
    # "Dat" alone on its line has no neighbours; the corpus's sentence-start odds say Đất.
    # Where the report printed it inside sentences it was surely đạt, so the cell is Đạt.
    cell = "\n\nDat\n\n9"
    report = ("Ty 1é dat 100% so voi ké hoach. Chi tiéu dat 90% trong nam.\n"
              "Két qua dat 80% cac chi tiéu.\n") + cell
    assert repair_document(report, mode="garbled").text.split("\n")[-3] == "Đạt"
    # … but a document that reads it both ways (đất nước, đất đai) gives no lead to follow
    split = ("Ty 1é dat 100% so voi ké hoach. Quan ly dat dai va tai nguyén.\n"
             "Két qua dat 80% cac chi tiéu. Phat trién dat nuéc.\n") + cell
    alone = repair_document(cell.strip(), mode="garbled").text.split("\n")[0]
    assert repair_document(split, mode="garbled").text.split("\n")[-3] == alone


def test_an_exclamation_mark_glued_to_a_heading_word_is_its_i():
    rep = get_repairer("eng")
    text = "QUY TRINH LAP PHIEU CHUYEN TIEP DIEU TR! CUA DOI TUONG\nCO SO QUAN LY NO! DO! TUONG CHUYEN DI"
    assert repair_document(text, mode="garbled").text == \
        "QUY TRÌNH LẬP PHIẾU CHUYỂN TIẾP ĐIỀU TRỊ CỦA ĐỐI TƯỢNG\nCƠ SỞ QUẢN LÝ NƠI ĐỐI TƯỢNG CHUYỂN ĐI"
    # a slogan's mark ends its line; lower-case text and letters that make no syllable keep theirs
    for line in ("TIEN LEN! MUON NAM!", "Dieu tr! cua doi tuong", "XIN CHAO BANG! CUA"):
        assert bang_as_i(line, rep.valid_skeletons) == line


def test_acronyms_are_spelt_out_for_the_model_only_where_it_has_no_id_for_them():
    from diacritics.acronyms import expansions, spelt_out
    from diacritics.repair import get_repairer
    vocab = get_repairer().lm.index
    assert expansions()["TTHC"] == "thủ tục hành chính"
    # standing alone: read as itself, then its words; UBND has an id and stays itself; inside
    # a code (QĐ-BCĐCCHC, 04/KH-UBND) nothing is spelt out
    assert spelt_out(" TTHC, UBND ", vocab) == " TTHC thủ tục hành chính, UBND "
    assert spelt_out(" QĐ-BCĐCCHC 04/KH-UBND (CCHC) ", vocab) == " QĐ-BCĐCCHC 04/KH-UBND (CCHC cải cách hành chính) "


def test_a_paragraph_on_one_line_is_no_row_of_headings(seeds_dir):
    """A row of column headings gives one printed word one reading (seed 003 line 904); a
    paragraph exported as one long line repeats its words too, yet its cua is cửa in "một
    cửa" and của before a name (they had all become của)."""
    from bench.garbles import best_fit
    from diacritics.tone import to_style
    truth = to_style((seeds_dir / "000_08936da748c34128.txt").read_text(encoding="utf-8"), "new")
    line = truth.split("\n")[19]
    assert line.count("một cửa") == 3 and len(line.split()) > 100
    out = repair_document(best_fit(truth)).text.split("\n")[19]
    assert out.count("một cửa") == 3, out


@pytest.mark.parametrize("text,mode,want", [
    ("III. KIEN NGHI, DE XUAT", "garbled", "III. KIẾN NGHỊ, ĐỀ XUẤT"),   # seed 002's heading, English OCR
    ("II. CƠ SỞ ĐÈ XUẤT", "ocr", "II. CƠ SỞ ĐỀ XUẤT"),                 # our vie OCR's capitals
    ("CỘNG HÒA XÃ HỌI CHỦ NGHĨA VIỆT NAM", "ocr", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
])
def test_a_heading_in_capitals_gets_the_marks_ocr_drops_from_capitals(text, mode, want):
    # the model no longer learns headings from the corpora's capitals, which were OCR'd
    assert repair_document(text, mode=mode).text == want


def test_a_personal_name_read_as_valid_words_stays_as_read():
    # The contract scan's party: the model prefers Quang Toản (a Tây Sơn king, 56 times in the
    # corpus against Quang Toàn once), but a name is its bearer's, however rare.
    from pipeline.correct import correct_page_text
    party = [("Người", 96), ("đại", 96), ("diện", 96), (":", 90), ("Ông", 96), ("Nguyễn", 96),
             ("Quang", 96), ("Toàn", 97)]
    office = _page(party, [("Chức", 93), ("vụ:", 90), ("Giám", 92), ("đốc", 93)])   # a real scan: 92–95
    raw = "\n".join(ln.text for ln in office)
    assert correct_page_text(raw, office).split("\n")[0] == "Người đại diện : Ông Nguyễn Quang Toàn"
    assert repair_document("Người đại diện : Ông Nguyễn Quang Toàn", mode="ocr").text.endswith("Quang Toàn")
    # a title's name only: the same syllable elsewhere is the model's to mend (Tư do)
    assert repair_document("Độc lập - Tư do - Hạnh phúc", mode="ocr").text == "Độc lập - Tự do - Hạnh phúc"


# English OCR of the party block of the contract scan (../shared/scans/contract_page_1.jpg)
_CONTRACT_PARTIES_ENG = """\
Bén A (Bén mua) : CONG TY TNHH SUN ASTERISK VIET NAM
Ngudi dai dién theo phap luat: Ong Kobayashi Taihei

Chie vu : Téng gidm déc
Negudi dai dién theo ty quyén: Ong Nishi Atsushi
Chire vu : Truong Ban Xtc Tién Phat Trién Dy An

(Theo Gidy tty quyén sé 01/2019/GUQ-SAVN lap ngay 01 thang 05 nam 2019 giita Ong
Kobayashi Taihei va Ong Nishi Atsushi)

Dia chi : T13 Keangnam Hanoi Landmark Tower, Khu E6 khu DTM Cau
Gidy - Phuong Mé Tri - Quan Nam Tv Liém - Ha N6i

Ma so thué : 0106045931

Bén B (Bén ban ) : CONG TY TNHH THIET BI MAY TINH HA NOI LAB

Nguoi dai dién : Ong Nguyén Quang Toan Chire vu: P.Giam déc

Dia chi : 141 Phé Vong, phuong Dong Tam, Q.Hai Ba Trung, TP. Ha Néi
"""


def test_a_capital_mid_sentence_is_no_name_where_the_document_mended_the_same_garble():
    # "Chire vu :" opens a line and is mended surely (Chức vụ); the same "Chire" after the
    # name "Toan" would pass for a name's next syllable if the document did not say otherwise
    out = repair_document(_CONTRACT_PARTIES_ENG, mode="auto").text.splitlines()
    assert "Chức vụ : Trưởng Ban Xúc Tiến Phát Triển Dự Án" in out
    assert any(line.endswith("Chức vụ: P.Giám đốc") for line in out)
    # a foreign name keeps its capitals: the document never mended it
    assert "Chức vụ : Tổng giám đốc" in out and any("Ông Kobayashi Taihei" in line for line in out)


def test_a_long_text_is_repaired_block_by_block_cut_between_paragraphs(monkeypatch):
    import diacritics.repair as repair
    lines = ["Chwong trinh tong thé cai cach hanh chinh nha nwéc", "giai doan 2011 - 2020 tinh Binh Pinh", "",
             "Uy ban nhan dan tinh ban hanh Ké hoach tong két", "", "Théng ké cac chi tiéu thuoc linh vuc"] * 3
    # blocks end at a blank line in their second half, never inside a paragraph
    blocks = document_blocks(lines, limit=200)
    assert [b for _a, b in blocks][:-1] and all(not lines[b - 1].strip() for _a, b in blocks[:-1])
    assert blocks[0][0] == 0 and blocks[-1][1] == len(lines)
    assert all(a == b for (_x, a), (b, _y) in zip(blocks, blocks[1:]))
    text = "\n".join(lines)
    whole = repair_document(text)
    monkeypatch.setattr(repair, "DOCUMENT_BLOCK_CHARS", 200)
    done = []
    blocked = repair_document(text, progress=done.append)
    assert len(done) == len(blocks) > 1 and sum(done) == len(text) + 1
    # the same words repaired, each change at its own line of the whole text
    assert blocked.text.split("\n")[0] == "Chương trình tổng thể cải cách hành chính nhà nước"
    assert len(blocked.text.split("\n")) == len(lines)
    for c in blocked.changes:
        if c.reason == "model":
            assert lines[c.line - 1][c.col:].startswith(c.before)
    for first, end in blocks:   # … in every block, not only the first
        assert any(first < c.line <= end for c in blocked.changes)
    assert blocked.text.count("Thống kê các chỉ tiêu thuộc lĩnh vực") == whole.text.count(
        "Thống kê các chỉ tiêu thuộc lĩnh vực") == 3


def test_a_long_line_is_repaired_in_pieces_cut_after_a_full_stop(monkeypatch):
    import diacritics.repair as repair
    sentence = "Chwong trinh tong thé cai cach hanh chinh nha nwéc giai doan 2011 - 2020. "
    line = sentence * 6
    monkeypatch.setattr(repair, "LONG_LINE_CHARS", 200)
    res = repair_document(line + "\n" + sentence)
    # one line still, every sentence repaired, the spaces between them kept
    fixed = "Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011 - 2020. "
    assert res.text == fixed * 6 + "\n" + fixed
    # each change at its line and column of the text as given
    assert sorted((c.line, c.col) for c in res.changes if c.before == "Chwong") == \
        [(1, i * len(sentence)) for i in range(6)] + [(2, 0)]
