"""A garble left as printed is read from the same phrase elsewhere in the document."""
from diacritics.phrases import recall_codes, recall_headings, recall_phrases
from diacritics.repair import repair_document


def test_a_garble_reads_as_the_phrase_its_context_follows_elsewhere():
    lines = ["- Chủ trì, phối hợp với các cơ quan có liên quan.",
             "d) Sở Tài chính:",
             "-Chutr, phối hợp với các cơ quan có liên quan xây dựng báo cáo.",
             "Sở Nội vụ chủ trì, phối hợp với các cơ quan, đơn vị."]
    out, changes = recall_phrases(lines, [(2, "-Chutr,")])
    assert out[2] == "-Chủ trì, phối hợp với các cơ quan có liên quan xây dựng báo cáo."
    assert changes == [(2, 1, "Chutr", "Chủ trì")]
    assert out[:2] + out[3:] == lines[:2] + lines[3:]


def test_a_garble_stays_where_the_document_does_not_say_one_thing():
    lines = ["Chủ trì, phối hợp với các cơ quan.",
             "Chữ trí, phối hợp với các cơ quan.",   # two readings before the same words
             "Chutr, phối hợp với các cơ quan."]
    assert recall_phrases(lines, [(2, "Chutr,")]) == (lines, [])
    # … but a phrase that is no spelling of it is no reading either (chủ trương)
    lines[1] = "Chủ trương, phối hợp với các cơ quan."
    assert recall_phrases(lines, [(2, "Chutr,")])[0][2] == "Chủ trì, phối hợp với các cơ quan."
    # … or where the words there are no spelling of it (hozc is no "chủ trì")
    lines = ["Chủ trì, phối hợp với các cơ quan.", "hozc, phối hợp với các cơ quan."]
    assert recall_phrases(lines, [(1, "hozc,")]) == (lines, [])
    # … or where fewer than three words around it are the same
    lines = ["Chủ trì, phối hợp với.", "Chutr, phối hợp."]
    assert recall_phrases(lines, [(1, "Chutr,")]) == (lines, [])


def test_repair_lists_a_recalled_phrase_for_review():
    text = ("- Chu tri, phdi hop véi cac co quan cé lién quan xay dung bao cao.\n"
            "- Sé Noi vu chu tri, phdi hop véi cac co quan, don vi lién quan.\n"
            "~ -Chutr, phdi hop Voi cac co quan cd lién quan xay dung ké hoach.")
    res = repair_document(text, mode="garbled")
    last = res.text.split("\n")[2]
    assert "Chủ trì, phối hợp với các cơ quan" in last
    recalled = [c for c in res.changes if c.reason == "phrase"]
    assert [(c.line, c.before, c.after) for c in recalled] == [(3, "Chutr", "Chủ trì")]
    assert recalled[0] in res.review() and not any(c.before == "Chutr" for c in res.kept)


def test_a_garbled_heading_reads_as_the_one_its_sequence_misses():
    lines = ["Phần thứ nhất", "Kết quả thực hiện.", "Phần thứ hai", "Nhiệm vụ năm 2020.",
             "Phanthitba", "Tổ chức thực hiện."]
    out, changes = recall_headings(lines, [(4, "Phanthitba")])
    assert changes == [(4, 0, "Phanthitba", "Phần thứ ba")]
    assert out == lines[:4] + ["Phần thứ ba"] + lines[5:]
    # spelt as its siblings: in capitals where they are
    caps = [ln.upper() if ln.startswith("Phần") else ln for ln in lines[:4]] + ["PHANTHITBA"]
    assert recall_headings(caps, [(4, "PHANTHITBA")])[0][4] == "PHẦN THỨ BA"


def test_a_garble_is_no_heading_the_sequence_does_not_miss_there():
    lines = ["Phần thứ nhất", "Phần thứ hai", "Phanthitba", "Phần thứ ba"]
    assert recall_headings(lines, [(2, "Phanthitba")]) == (lines, [])   # the third is below it
    lines = ["Phanthitba", "Phần thứ nhất", "Phần thứ hai"]
    assert recall_headings(lines, [(0, "Phanthitba")]) == (lines, [])   # nothing before it
    lines = ["Phần thứ nhất", "Phần thứ hai", "Chutr"]
    assert recall_headings(lines, [(2, "Chutr")]) == (lines, [])       # letters far from any
    lines = ["Phần thứ nhất", "Phần thứ hai", "Phanthitba các nội dung"]
    assert recall_headings(lines, [(2, "Phanthitba")]) == (lines, [])   # not alone on its line


def test_repair_lists_a_recalled_heading_for_review():
    text = ("Phan thir nhat\nKét qua thuc hién.\nPhan thir hai\nNhiém vu nam 2020.\n"
            "Phanthitba\nTé chirc thuc hién.")
    res = repair_document(text, mode="garbled")
    assert res.text.split("\n")[4] == "Phần thứ ba"
    recalled = [c for c in res.changes if c.reason == "heading"]
    assert [(c.line, c.before, c.after) for c in recalled] == [(5, "Phanthitba", "Phần thứ ba")]
    assert recalled[0] in res.review() and not res.kept


def _channel(token):
    # what English OCR's channel gives two capitals (SG: the G a misread ở); a stand-in table
    return {"SG": {"sợ": -1.4, "sở": -5.1, "số": -7.1}, "TN": {}}.get(token, {})


def test_capitals_kept_as_a_code_read_as_the_word_the_document_puts_before_the_same_words():
    # seed report 004: "Sở Nội vụ" 11 times, "SG Nội vụ" 5 (Bộ Nội vụ too, which SG cannot be)
    lines = ["Sở Nội vụ chủ trì;", "gửi Sở Nội vụ tổng hợp;", "Bộ Nội vụ hướng dẫn;",
             "(qua Sở Nội vụ) trước ngày 30;", "áp dụng SG Nội vụ", "CÔNG VĂN SG NỘI VỤ"]
    out, changes = recall_codes(lines, {4, 5}, _channel)
    assert out[4:] == ["áp dụng Sở Nội vụ", "CÔNG VĂN SỞ NỘI VỤ"]
    assert changes == [(4, 8, "SG", "Sở"), (5, 9, "SG", "SỞ")]
    # … only in the lines given (the wrong-language ones) …
    assert recall_codes(lines, {0, 1}, _channel) == (lines, [])
    # … only where the word stands there three times …
    assert recall_codes(lines[1:], {3, 4}, _channel)[0] == lines[1:]
    # … and never for capitals the channel does not read as it (TN, a real code)
    tn = lines[:4] + ["áp dụng TN Nội vụ"]
    assert recall_codes(tn, {4}, _channel) == (tn, [])


def test_repair_reads_a_code_like_word_from_the_document():
    text = ("Sé Noi vu chu tri, phéi hop.\nGiao S& Noi vu tong hop.\n(qua S6 Noi vu) truéc ngay 30.\n"
            "Don vi thong ké: SG Noi vu")
    res = repair_document(text, mode="garbled")
    assert res.text.split("\n")[3] == "Đơn vị thống kê: Sở Nội vụ"
    assert [(c.before, c.after, c.reason) for c in res.changes if c.before == "SG"] == [("SG", "Sở", "phrase")]
