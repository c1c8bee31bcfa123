"""A garble left as printed is read from the same phrase elsewhere in the document."""
from diacritics.phrases import recall_headings, recall_phrases
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
