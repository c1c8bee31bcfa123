"""Heading numbers OCR misread, read against the outline (diacritics.numbering)."""
from __future__ import annotations

from diacritics.numbering import fix_outline_numbers
from diacritics.repair import repair_document

# Seed 001's appendix as English OCR printed it: section 5 read as 9 and 3
PRINTED = """4.
Triển khai xây dựng nền tảng chia sẻ
3.
Số liệu về trao đổi văn bản điện tử
9.1.1.
Tỷ lệ sở, ngành đã kết nối
9.1.2
Tỷ lệ UBND cấp huyện đã kết nối
9.2.
Tỷ lệ sử dụng văn bản điện tử
9.2.1
Tỷ lệ của các sở
3.3.
Xây dựng Hệ thống thông tin một cửa
9.3.1
Tỷ lệ sở, ngành
6
Cung cấp dịch vụ công trực tuyến
6.1
Tỷ lệ DVCTT toàn trình"""


def test_a_section_misread_as_a_look_alike_digit_takes_its_place_in_the_outline():
    lines, changes = fix_outline_numbers(PRINTED.split("\n"))
    labels = [ln for ln in lines if ln[:1].isdigit()]
    assert labels == ["4.", "5.", "5.1.1.", "5.1.2", "5.2.", "5.2.1", "5.3.", "5.3.1", "6", "6.1"]
    assert (4, 0, "9.1.1", "5.1.1") in changes
    # only the lines given as OCR'd change; the others still count as evidence
    lines, _ = fix_outline_numbers(PRINTED.split("\n"), editable={4, 6})
    assert [ln for ln in lines if ln[:1].isdigit()][1:5] == ["3.", "5.1.1.", "5.1.2", "9.2."]


def test_an_outline_that_skips_or_resumes_is_left_as_printed():
    for outline in (
        ["7.1", "7.2", "7.3", "9.1", "9.2", "9.3", "1. Mới"],   # section 8 had no sub-items
        ["1.1 a", "1.2. b", "2.1. c", "2.2. d", "2. e", "5. f", "6. g"],   # the OCR lost 3. and 4.
        ["4. Về", "5. Về", "6. Về", "5. Kết quả"],   # a list whose first items were no headings
        ["6.1 a", "6.3 b", "7. c"],
    ):
        assert fix_outline_numbers(outline) == (outline, [])


def test_repair_puts_back_an_english_ocr_outline_and_lists_the_change():
    text = "\n".join(["4. Xay dung co so du lieu", "9.1. Ty 1é so, nganh", "9.2. Ty 1é UBND cap huyén",
                      "9.3. Ty 1é UBND cap xa", "6. Cung cap dich vu cong"])
    res = repair_document(text, mode="garbled")
    assert [ln.split(" ")[0] for ln in res.text.split("\n")] == ["4.", "5.1.", "5.2.", "5.3.", "6."]
    assert [(c.before, c.after, c.reason) for c in res.changes if c.reason == "numbering"][0] == \
        ("9.1", "5.1", "numbering")
    # a typed text's numbers are as its author wrote them
    typed = "\n".join(["4. Xây dựng", "9.1. Tỷ lệ sở, ngành", "9.2. Tỷ lệ UBND cấp huyện", "6. Cung cấp"])
    assert repair_document(typed, mode="auto").text == typed
