"""Reading order and final-text mapping, on hand-made word boxes (no Tesseract)."""
from __future__ import annotations

from pipeline.layout import Line, Word, apply_final, page_text, reading_order


def _line(words: list[tuple[str, int]], y: int, key=(1, 1)) -> Line:
    """Words as (text, x); every glyph 20 px wide, line 40 px tall."""
    return Line([Word(t, (x, y, x + 20 * len(t), y + 40), 90.0) for t, x in words], key=key)


def test_interleaved_masthead_is_emitted_column_by_column():
    # What Tesseract returns: each text line spans both header columns.
    lines = [
        _line([("ỦY", 100), ("BAN", 170), ("CỘNG", 1200), ("HÒA", 1310)], 100),
        _line([("TỈNH", 120), ("BÌNH", 230), ("Độc", 1250), ("lập", 1330)], 150),
        _line([("KẾ", 700), ("HOẠCH", 770)], 260, key=(2, 1)),
        _line([("Thực", 100), ("hiện", 210), ("Quyết", 320), ("định", 450)], 330, key=(3, 1)),
    ]
    ordered = reading_order(lines, page_width=2480)
    assert [ln.text for ln in ordered] == ["ỦY BAN", "TỈNH BÌNH", "CỘNG HÒA", "Độc lập", "KẾ HOẠCH",
                                           "Thực hiện Quyết định"]


def test_single_column_text_keeps_its_order():
    lines = [_line([("Dòng", 100), ("một", 210)], 100), _line([("Dòng", 100), ("hai", 210)], 150),
             _line([("ngắn", 100)], 200)]
    assert [ln.text for ln in reading_order(lines, 2480)] == ["Dòng một", "Dòng hai", "ngắn"]


def test_final_text_maps_to_lines_and_words():
    lines = [_line([("Ke", 100), ("hoach", 160)], 100), _line([("so", 100), ("28", 160)], 150, key=(2, 1))]
    raw = page_text(lines)
    assert raw == "Ke hoach\n\nso 28"
    assert apply_final(lines, raw, "Kế hoạch\n\nsố28")
    assert lines[0].final == "Kế hoạch" and [w.final for w in lines[0].words] == ["Kế", "hoạch"]
    # Token count changed on line 2: the line gets the final text, the words keep theirs unset.
    assert lines[1].final == "số28" and [w.final for w in lines[1].words] == [None, None]
    assert lines[1].to_json()["words"][0]["final"] == "so"
    assert not apply_final(lines, raw, "one line only")


def test_words_map_around_the_specks_the_correction_dropped():
    from pipeline.correct import correct_page_text

    def row(y):
        return [Word(f"từ{i}" if i else "Người", (300 + 150 * i, y, 420 + 150 * i, y + 40), 95.0) for i in range(6)]

    dirty = row(200)
    dirty.insert(3, Word(":", (760, 210, 765, 215), 80.0))  # a dot of dirt between two words
    lines = [Line(row(100)), Line(dirty)]
    raw = page_text(lines)
    final = correct_page_text(raw, lines)
    assert final.split("\n")[-1] == "Người từ1 từ2 từ3 từ4 từ5"
    assert apply_final(lines, raw, final)
    assert [w.final for w in lines[1].words] == ["Người", "từ1", "từ2", "", "từ3", "từ4", "từ5"]


def test_a_form_keeps_each_label_with_its_colon_aligned_value():
    # A contract's party block: labels at the margin, values aligned after a colon far right.
    lines = [
        _line([("Chức", 100), ("vụ", 200), (":", 700), ("Tổng", 740), ("giám", 850), ("đốc", 960)], 100),
        _line([("Địa", 100), ("chỉ", 180), (":", 700), ("T13", 740), ("Keangnam", 820)], 150),
        _line([("Mã", 100), ("số", 160), ("thuế", 220), (":", 700), ("0106045931", 740)], 200),
    ]
    assert [ln.text for ln in reading_order(lines, 2480)] == [
        "Chức vụ : Tổng giám đốc", "Địa chỉ : T13 Keangnam", "Mã số thuế : 0106045931"]


def _body_line(y: int) -> Line:
    """A paragraph line from the margin to x 1660: wider than half the page, ending left of x 1700."""
    return _line([("chữ", 100 + 100 * k) for k in range(16)], y, key=(2, 1))


def test_a_table_row_of_label_and_figure_reads_across_and_body_text_stays_below():
    body = _body_line(200)
    lines = [
        _line([("Tổng", 700), ("cộng", 800), ("28.500.000", 1800)], 100),
        _line([("Thuế", 700), ("GTGT", 800), ("10%", 900), ("2.850.000", 1820)], 150),
        body,
    ]
    assert [ln.text for ln in reading_order(lines, 2480)] == [
        "Tổng cộng 28.500.000", "Thuế GTGT 10% 2.850.000", body.text]


def test_a_line_wider_than_a_column_is_not_taken_into_the_column_beside_it():
    # A signature block, then a body line that happens to end left of the right column.
    body = _body_line(200)
    lines = [
        _line([("Nơi", 100), ("nhận:", 180), ("KT.", 1700), ("CHỦ", 1780), ("TỊCH", 1860)], 100),
        _line([("-", 100), ("Như", 140), ("trên;", 220), ("PHÓ", 1700), ("CHỦ", 1780), ("TỊCH", 1860)], 150),
        body,
    ]
    assert [ln.text for ln in reading_order(lines, 2480)] == [
        "Nơi nhận:", "- Như trên;", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", body.text]
