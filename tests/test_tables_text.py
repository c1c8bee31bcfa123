"""Appendix tables from text exports: seeds 001/002/004, Markdown, HTML, values, hierarchy, outputs."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import MalformedTableError
from table_extract.api import catalogue_from_tables, records_from_tables
from table_extract.model import COLUMNS, Row, Table
from table_extract.structure import parse_period, table_records
from table_extract.text import tables_from_file, tables_from_text
from table_extract.values import parse_number, parse_value

FIXTURES = Path(__file__).parent / "fixtures"


def _seed(seeds_dir: Path, prefix: str) -> Path:
    return next(seeds_dir.glob(f"{prefix}_*.txt"))


def _key(appendix, title, stt, indicator, parent, period, year, as_of, raw, value, unit, vtype):
    return (appendix, title, stt, indicator, parent, period, str(year or ""), as_of, raw, value, unit, vtype)


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def test_seed001_every_filled_cell_is_a_correct_record(seeds_dir):
    with open(FIXTURES / "seed001_records.tsv", encoding="utf-8") as fh:
        expected = {_key(*row) for row in list(csv.reader(fh, delimiter="\t"))[1:]}
    tables = tables_from_file(_seed(seeds_dir, "001"))
    got = {_key(r.appendix, r.table_title, r.stt, r.indicator, r.parent, r.period, r.year, r.as_of,
                r.value_raw, _fmt(r.value), r.unit, r.value_type) for r in records_from_tables(tables)}
    assert len(expected) == 290
    missing, spurious = expected - got, got - expected
    assert not missing and not spurious, (sorted(missing)[:3], sorted(spurious)[:3])


def test_seed004_templates_give_catalogue_and_no_values(seeds_dir):
    tables = tables_from_file(_seed(seeds_dir, "004"))
    assert records_from_tables(tables) == []
    cat = catalogue_from_tables(tables)
    # counted by hand from the seed: sections I–VIII, IV split into three period × indicator tables
    per_title = {}
    for it in cat:
        per_title[it.table_title[:4]] = per_title.get(it.table_title[:4], 0) + 1
    assert len(cat) == 133
    assert per_title["I. L"] == 20 and per_title["II. "] == 14 and per_title["III."] == 22
    assert per_title["VIII"] == 16
    assert all(it.appendix == "Phụ lục 1" for it in cat)
    flag = next(it for it in cat if it.indicator.startswith("Tổ chức cuộc thi"))
    assert flag.stt == "-" and flag.parent == "Tuyên truyền CCHC"
    assert flag.periods[-1] == "Năm 2020 (Tính đến 31/3)"
    transposed = [it for it in cat if it.parent == "Sự nghiệp y tế"]
    assert [it.indicator for it in transposed] == ["Thuộc UBND cấp TP", "Thuộc CQ chuyên môn cấp TP",
                                                    "Thuộc UBND cấp huyện"]
    assert transposed[0].periods == ["Giai đoạn 2001-2010 (Tính đến 31/12/2010)",
                                     "Giai đoạn 2011-2020 (Tính đến 31/12/2019)"]


def test_seed002_tab_tables_with_inline_markup(seeds_dir):
    recs = records_from_tables(tables_from_file(_seed(seeds_dir, "002")))
    last = [r for r in recs if r.indicator.startswith("Tỷ lệ hồ sơ TTHC cấp xã")]
    assert [(r.period, r.value) for r in last][-2:] == [("Năm 2019", 98.8), ("Năm 2020 (Tính đến 31/3)", 98)]
    assert last[-1].as_of == "2020-03-31" and last[-1].parent == "Kết quả giải quyết hồ sơ TTHC"
    goals = [r for r in recs if r.appendix == "Phụ lục 3"]
    assert len(goals) == 16
    assert goals[11].stt == "12" and goals[11].value is False and goals[11].value_type == "bool"


MD = """Phụ lục 2 — Kết quả cải cách thủ tục hành chính

| STT | Chỉ tiêu | Năm 2023 | Năm 2024 (tính đến 30/6) |
|-----|----------|---------:|---------:|
| I | Thủ tục hành chính | | |
| 1 | Tổng số TTHC | 1.234 | 1.240 |
| 1.1 | Cấp tỉnh | 9.215 | |
| - | Tỷ lệ đúng hạn | 91,41 | 45,4% |
"""


def test_markdown_table():
    [t] = tables_from_text(MD, source="a.md")
    assert t.appendix == "Phụ lục 2" and t.title == "Kết quả cải cách thủ tục hành chính"
    recs = table_records(t)
    got = [(r.stt, r.parent, r.period, r.value, r.unit) for r in recs]
    assert got == [("1", "Thủ tục hành chính", "Năm 2023", 1234, ""),
                   ("1", "Thủ tục hành chính", "Năm 2024 (tính đến 30/6)", 1240, ""),
                   ("1.1", "Tổng số TTHC", "Năm 2023", 9215, ""),
                   ("-", "Cấp tỉnh", "Năm 2023", 91.41, ""),
                   ("-", "Cấp tỉnh", "Năm 2024 (tính đến 30/6)", 45.4, "%")]
    assert recs[1].as_of == "2024-06-30"


HTML = """<p>PHỤ LỤC 4</p>
<p>Thống kê tổ chức bộ máy</p>
<table>
<tr><td rowspan="2">STT</td><td rowspan="2">Chỉ tiêu</td><td colspan="2">Kết quả thực hiện</td></tr>
<tr><td>Năm 2022</td><td>Năm 2023</td></tr>
<tr><td>1</td><td>Số phòng chuyên môn<br>thuộc UBND</td><td>12</td><td>10</td></tr>
<tr><td>2</td><td>Đánh giá chung</td><td>Đạt</td><td>Không đạt</td></tr>
</table>
"""


def test_html_table_with_spans():
    [t] = tables_from_text(HTML, source="b.html")
    assert t.appendix == "Phụ lục 4"
    recs = table_records(t)
    assert [(r.stt, r.indicator, r.period, r.value) for r in recs] == [
        ("1", "Số phòng chuyên môn thuộc UBND", "Năm 2022", 12),
        ("1", "Số phòng chuyên môn thuộc UBND", "Năm 2023", 10),
        ("2", "Đánh giá chung", "Năm 2022", True), ("2", "Đánh giá chung", "Năm 2023", False)]


@pytest.mark.parametrize("raw,indicator,expected", [
    ("9.215", "", (9215, "", "number")),
    ("91,41", "", (91.41, "", "number")),
    ("45,4%", "", (45.4, "%", "percent")),
    ("02", "", (2, "", "number")),
    ("1 mô hình", "", (1, "mô hình", "number")),
    ("1KH", "", (1, "KH", "number")),
    ("1.234.567", "", (1234567, "", "number")),
    ("1.234,5", "", (1234.5, "", "number")),
    ("9 215", "", (9215, "", "number")),
    ("1", "Tổ chức cuộc thi (Có tổ chức = 1; Không tổ chức = 0)", (True, "", "flag")),
    ("0", "Tổ chức cuộc thi (Có tổ chức = 1; Không tổ chức = 0)", (False, "", "flag")),
    ("Đạt", "", (True, "", "bool")),
    ("Không đạt", "", (False, "", "bool")),
    ("01 KH; 01 QĐ", "", ("01 KH; 01 QĐ", "", "text")),
    ("Zalo OA, Fanpage", "", ("Zalo OA, Fanpage", "", "text")),
])
def test_value_parsing(raw, indicator, expected):
    v = parse_value(raw, indicator)
    assert (v.value, v.unit, v.value_type) == expected
    assert type(v.value) is type(expected[0])


@pytest.mark.parametrize("raw", ["", "  ", "-", "—", "<i></i>", "x"])
def test_empty_cells_make_no_value(raw):
    assert parse_value(raw) is None


def test_number_edge_cases():
    assert parse_number("12.5.3") is None and parse_number("abc") is None and parse_number("-1.500") == -1500


def test_periods():
    p = parse_period("Giai đoạn 2011-2020 (Tính đến 31/12/2019)")
    assert (p.year, p.as_of) == (2019, "2019-12-31")
    assert parse_period("Năm 2025 (tính đến 31/3)").as_of == "2025-03-31"
    assert parse_period("Chỉ tiêu") is None and parse_period("Số TTHC năm 2020 được công bố đầy đủ trên cổng") is None


def test_stt_hierarchy():
    rows = [["STT", "Chỉ tiêu", "Năm 2024"], ["I", "Khối A", ""], ["1", "Một", "1"], ["1.4", "Một bốn", "2"],
            ["1.4.3", "Một bốn ba", "3"], ["-", "Gạch", "4"], ["+", "Cộng", "5"], ["2", "Hai", "6"],
            ["a", "Chữ a", "7"], ["II", "Khối B", "8"], ["1", "B một", "9"]]
    recs = table_records(Table([Row(r) for r in rows]))
    assert [(r.stt, r.parent) for r in recs] == [
        ("1", "Khối A"), ("1.4", "Một"), ("1.4.3", "Một bốn"), ("-", "Một bốn ba"), ("+", "Gạch"),
        ("2", "Khối A"), ("a", "Hai"), ("II", ""), ("1", "Khối B")]


def test_indentation_makes_a_child_row():
    rows = [["STT", "Chỉ tiêu", "Năm 2024"], ["1", "Tổng số", "9"], ["", "    Trong đó: nữ", "4"],
            ["", "    Trong đó: dưới 30 tuổi", "2"], ["2", "Khác", "1"]]
    recs = table_records(Table([Row(r) for r in rows]))
    assert [(r.indicator, r.parent) for r in recs] == [
        ("Tổng số", ""), ("Trong đó: nữ", "Tổng số"), ("Trong đó: dưới 30 tuổi", "Tổng số"), ("Khác", "")]


def test_form_feeds_give_page_numbers():
    text = "Trang một\n\f" + MD
    [t] = tables_from_text(text, source="a.txt")
    assert t.page == 2 and table_records(t)[0].page == 2
    assert tables_from_text(MD, "b.md")[0].page is None


def test_prose_without_tables_gives_no_records_and_no_error():
    text = "BÁO CÁO\n\nKết quả năm 2024: đã ban hành 12 văn bản.\n\n\tỦY BAN NHÂN DÂN\n\tCỘNG HÒA\n"
    assert records_from_tables(tables_from_text(text, "p.txt")) == []


def test_malformed_exports_name_the_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("Phụ lục 1\n\nSTT\tChỉ tiêu\tNăm 2023\tNăm 2024\n1\tA\t1\t2\n"
                   "2\tB\t1\t2\t3\t4\t5\t6\t7\n", encoding="utf-8")
    with pytest.raises(MalformedTableError) as err:
        tables_from_file(bad)
    assert err.value.line == 5 and "bad.tsv:5" in str(err.value)
    md = tmp_path / "bad.md"
    md.write_text("| STT | Chỉ tiêu |\n|---|---|---|\n| 1 | A |\n", encoding="utf-8")
    with pytest.raises(MalformedTableError, match=r"bad\.md:2"):
        tables_from_file(md)
    html = tmp_path / "bad.html"
    html.write_text("<p>x</p>\n<table><tr><td colspan='x'>1</td></tr></table>\n", encoding="utf-8")
    with pytest.raises(MalformedTableError, match=r"bad\.html:2"):
        tables_from_file(html)


def test_cli_outputs_read_back(seeds_dir, tmp_path):
    import duckdb
    import openpyxl
    import pyarrow.parquet as pq

    seed = _seed(seeds_dir, "001")
    outs = {ext: tmp_path / f"out{ext}" for ext in (".csv", ".xlsx", ".parquet", ".duckdb")}
    for out in outs.values():
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "tables", str(seed), "-o", str(out)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "290 records" in proc.stderr
    with open(outs[".csv"], encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 290
    pct = next(r for r in rows if r["value_raw"] == "45,4%")
    assert (pct["value"], pct["unit"], pct["value_type"], pct["year"]) == ("45.4", "%", "percent", "2021")
    wb = openpyxl.load_workbook(outs[".xlsx"], read_only=True)
    assert wb.sheetnames[0] == "records" and len(wb.sheetnames) > 6
    assert sum(1 for _ in wb["records"].iter_rows()) == 291
    table = pq.read_table(outs[".parquet"])
    assert table.column_names == list(COLUMNS) and table.num_rows == 290
    con = duckdb.connect(str(outs[".duckdb"]))
    n, total = con.execute("SELECT count(*), sum(value) FILTER (WHERE stt = '9.1') FROM indicators").fetchone()
    assert n == 290 and total == 16
    con.close()
    # running again replaces the source's rows instead of duplicating them
    subprocess.run([sys.executable, "-m", "pipeline.cli", "tables", str(seed), "-o", str(outs[".duckdb"])],
                   check=True, capture_output=True)
    con = duckdb.connect(str(outs[".duckdb"]))
    assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == 290
    con.close()


def test_cli_bad_input_reports_file_and_goes_on(seeds_dir, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("| a | b |\n|---|\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "tables", str(bad), str(_seed(seeds_dir, "002")),
                           "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2 and "bad.md:2" in proc.stderr and out.exists()


def test_seed003_flattened_ocr_tables_give_a_catalogue(seeds_dir):
    # best effort: wrong-language OCR flattened the appendix tables into lines; after repair
    # the numbered rows and the year columns survive, values do not (the seed's are empty)
    tables = tables_from_file(_seed(seeds_dir, "003"))
    assert records_from_tables(tables) == []
    assert {"Phụ lục 2", "Phụ lục 7"} <= {t.appendix for t in tables}
    cat = catalogue_from_tables(tables)
    assert len(cat) >= 20
    p2 = [it for it in cat if it.appendix == "Phụ lục 2"]
    assert p2[0].periods[:2] == ["Năm 2015", "Năm 2016"] and any(it.stt == "7" for it in p2)
