"""A garble left as printed is read from the same phrase elsewhere in the document."""
from diacritics.phrases import recall_phrases
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
