"""`sohoa run`: real archives (rendered text, a ruled table, bad files), real Tesseract, real SIGKILLs, real Dask."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from bench.batch import _env as bench_env
from bench.batch import duckdb_rows, freeze_code, make_archive, manifest, output_digest, run_sohoa, sohoa_cmd
from pipeline.errors import ExitCode

COLUMNS = ["source", "page", "appendix", "table_title", "stt", "indicator", "parent", "period", "year",
           "as_of", "value_raw", "value", "unit", "value_type", "confidence"]


@pytest.fixture(scope="module")
def code(tmp_path_factory) -> Path:
    # Runs compared with each other use one frozen copy of the code (see bench.batch.freeze_code).
    return freeze_code(tmp_path_factory.mktemp("code"))


@pytest.fixture(scope="module")
def run_cli(code):
    return lambda *args: run_sohoa(code, *args, timeout=300)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    pytest.importorskip("bench.scangen")
    dest = tmp_path_factory.mktemp("archive")
    # 4 documents (2 PDFs, the first with a ruled appendix table as its 2nd page; a TIFF; a PNG),
    # one short page of rendered text each, plus a corrupt, an encrypted and an empty PDF.
    make_archive(dest, docs=4, pages=(1, 1), tables=1, seed=11, kinds=("pdf", "pdf", "tiff", "png"))
    return dest


@pytest.fixture(scope="module")
def clean_run(archive, run_cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    proc = run_cli(str(archive), "-o", str(out), "-j", "2", "--log-json", str(out.parent / "clean.log"))
    return out, proc


def test_clean_run_outputs_manifest_and_collection(archive, clean_run):
    out, proc = clean_run
    # bad files make the run fail with the first bad document's code (corrupt.pdf → input file)
    assert proc.returncode == ExitCode.INPUT_FILE, proc.stderr[-2000:]
    man = {Path(m["path"]).name: m for m in manifest(out)}
    assert set(man) == {"bao-cao-000.pdf", "bao-cao-001.pdf", "bao-cao-002.tiff", "bao-cao-003.png",
                        "corrupt.pdf", "encrypted.pdf", "empty.pdf"}
    for name in ("bao-cao-000.pdf", "bao-cao-001.pdf", "bao-cao-002.tiff", "bao-cao-003.png"):
        m = man[name]
        assert m["status"] == "ok" and m["error"] is None and m["pages"] >= 1
        assert len(m["sha256"]) == 64 and m["mean_confidence"] > 50
        assert m["timings"]["wall_s"] > 0 and len(m["page_stats"]) == m["pages"]
        stem = out / m["output"]
        text = stem.with_name(stem.name + ".txt").read_text(encoding="utf-8")
        assert "\f" in text or m["pages"] == 1
        doc = json.loads(stem.with_name(stem.name + ".json").read_text(encoding="utf-8"))
        assert doc["page_count"] == m["pages"]
        # timings live in the manifest; the JSON must be the same bytes on every run
        assert not [k for k in (*doc, *doc["pages"][0]) if k.endswith("seconds")]
        assert stem.with_name(stem.name + ".pdf").exists()
    # rendered seed text comes back as Vietnamese words
    assert "hành chính" in (out / "2019" / "bao-cao-000.txt").read_text(encoding="utf-8")
    assert man["corrupt.pdf"]["status"] == "failed" and man["corrupt.pdf"]["exit_code"] == ExitCode.INPUT_FILE
    assert man["encrypted.pdf"]["exit_code"] == ExitCode.ENCRYPTED_PDF
    assert "empty" in man["empty.pdf"]["error"]
    for bad in ("corrupt.pdf", "encrypted.pdf", "empty.pdf"):
        assert bad in proc.stderr.split("sohoa run summary")[1]
        assert not (out / "loi" / Path(bad).with_suffix(".txt").name).exists()
    assert "slowest pages" in proc.stderr
    # the appendix table's records are in the collection, named by the document's place in OUTDIR
    assert man["bao-cao-000.pdf"]["records"] > 5
    rows = duckdb_rows(out)
    assert len(rows) == man["bao-cao-000.pdf"]["records"]
    assert {r[0] for r in rows} == {"2019/bao-cao-000"}
    import duckdb

    con = duckdb.connect(str(out / "indicators.duckdb"), read_only=True)
    cols = [c[0] for c in con.execute("DESCRIBE indicators").fetchall()]
    con.close()
    assert cols == COLUMNS
    csv_lines = (out / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0].split(",") == COLUMNS and len(csv_lines) == len(rows) + 1
    # machine-readable log: one JSON object per line, the run's start and end among them
    events = [json.loads(ln) for ln in (out.parent / "clean.log").read_text(encoding="utf-8").splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end" and kinds.count("doc_done") == 4
    assert events[-1]["exit_code"] == ExitCode.INPUT_FILE
    assert not list(out.rglob("*.part")) and not (out / ".sohoa" / "tmp").exists()


def test_rerun_skips_finished_documents(archive, clean_run, run_cli, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean_run[0], out, copy_function=shutil.copy2)
    before = output_digest(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.json") if ".sohoa" not in p.parts}
    proc = run_cli(str(archive), "-o", str(out), "-j", "2", "-q", "--log-json")
    assert proc.returncode == ExitCode.INPUT_FILE  # the bad files are still reported
    events = [json.loads(ln) for ln in proc.stderr.splitlines() if ln.startswith("{")]
    assert [e["event"] for e in events].count("doc_skipped") == 7
    assert next(e for e in events if e["event"] == "run_end")["pages"] == 0
    assert output_digest(out) == before
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    # a changed document is redone, the others are not
    changed = tmp_path / "a"
    shutil.copytree(archive, changed)
    src = changed / "2019" / "bao-cao-003.png"
    from PIL import Image

    with Image.open(src) as im:
        im.crop((0, 0, im.width, im.height - 10)).save(src, dpi=(300, 300))
    proc = run_cli(str(changed), "-o", str(out), "-j", "2", "-q", "--log-json")
    events = [json.loads(ln) for ln in proc.stderr.splitlines() if ln.startswith("{")]
    assert [e["output"] for e in events if e["event"] == "doc_start"] == ["2019/bao-cao-003"]


def _wait_for(pred, timeout: float, every: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(every)
    return False


def test_sigkill_then_rerun_matches_clean_run(archive, clean_run, code, run_cli, tmp_path):
    clean, _ = clean_run
    out = tmp_path / "killed"
    done = out / ".sohoa" / "done"
    kills = 0
    pages = out / ".sohoa" / "pages"
    log = tmp_path / "log.jsonl"
    # kill 1: while the first pages are in Tesseract; kill 2: the moment a page is checkpointed
    # and its document has no record yet; kill 3: the moment a document's record lands (outputs
    # in place, the one with the table page still half-way). Kill 2 polls fast: a one-page
    # document's record follows its checkpoint within a fraction of a second, and a kill that
    # came after it left nothing to resume (1 run in 3 failed so).
    def unfinished_checkpoint() -> bool:
        return pages.exists() and any(not (done / f"{p.parent.name}.json").exists() for p in pages.rglob("*.pkl"))

    for cond in (lambda: pages.exists() and any(pages.rglob("*-*-*")),
                 unfinished_checkpoint,
                 lambda: done.exists() and any(done.glob("*.json"))):
        proc = subprocess.Popen(sohoa_cmd(str(archive), "-o", str(out), "-j", "2", "-q", f"--log-json={log}"),
                                cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=bench_env(code))
        hit = _wait_for(lambda: cond() or proc.poll() is not None, 120, every=0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        assert hit
        # whatever the moment, no output under its final name is empty or half-written
        assert not [p for p in out.rglob("*") if p.is_file() and ".sohoa" not in p.parts
                    and p.name.endswith((".txt", ".json")) and p.stat().st_size == 0]
    assert kills == 3  # the test must really have interrupted runs
    proc = run_cli(str(archive), "-o", str(out), "-j", "2", "-q")
    assert proc.returncode == ExitCode.INPUT_FILE
    assert output_digest(out) == output_digest(clean)
    assert duckdb_rows(out) == duckdb_rows(clean)
    assert [(m["path"], m["status"], m["pages"]) for m in manifest(out)] == \
        [(m["path"], m["status"], m["pages"]) for m in manifest(clean)]
    assert not list(out.rglob("*.part"))
    assert not (out / ".sohoa" / "pages").exists()
    # a checkpointed page was not OCR'd again: some run resumed a document mid-way
    events = [json.loads(ln) for ln in log.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert any(e.get("resumed_pages", 0) >= 1 for e in events if e["event"] == "doc_start")


def test_dask_cluster_gives_the_same_outputs(archive, clean_run, run_cli, code, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    clean, _ = clean_run
    out = tmp_path / "dask"
    # the workers must run the same frozen code as the local run they are compared with
    monkeypatch.syspath_prepend(str(code))
    monkeypatch.setenv("PYTHONPATH", str(code))
    # the document with the table page, a TIFF and the bad files, by the same paths as in the clean run
    files = [archive / "2019" / "bao-cao-000.pdf", archive / "2021" / "bao-cao-002.tiff",
             *sorted((archive / "loi").iterdir())]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        proc = run_cli(*map(str, files), "-o", str(out), "--scheduler", cluster.scheduler_address, "-q")
    assert proc.returncode == ExitCode.INPUT_FILE, proc.stderr[-2000:]
    assert "Dask cluster" in proc.stderr
    got = output_digest(out)
    want = {Path(k).name: v for k, v in output_digest(clean).items() if k.startswith(("2019/bao-cao-000", "2021/"))}
    assert {k: v for k, v in got.items() if k != "indicators.csv"} == want
    assert [r[1:] for r in duckdb_rows(out)] == [r[1:] for r in duckdb_rows(clean)]
    assert [m["status"] for m in manifest(out)] == ["ok", "ok", "failed", "failed", "failed"]


def test_safety_limits_refuse_pages(archive, run_cli, tmp_path):
    # A page bigger than the limits is refused before it is decoded or OCR'd.
    one = tmp_path / "in"
    one.mkdir()
    shutil.copy(archive / "2019" / "bao-cao-000.pdf", one)
    shutil.copy(archive / "2019" / "bao-cao-003.png", one)
    proc = run_cli(str(one), "-o", str(tmp_path / "o1"), "-j", "1", "-q", "--max-page-mm", "100",
                   "--max-page-pixels", "1000000")
    man = {Path(m["path"]).name: m for m in manifest(tmp_path / "o1")}
    assert man["bao-cao-000.pdf"]["status"] == "failed"
    assert "over the limit" in man["bao-cao-000.pdf"]["error"]
    assert man["bao-cao-003.png"]["status"] == "failed" and "large" in man["bao-cao-003.png"]["error"]
    assert proc.returncode == ExitCode.INPUT_FILE


def test_page_timeout(archive, run_cli, tmp_path):
    one = tmp_path / "in"
    one.mkdir()
    shutil.copy(archive / "2019" / "bao-cao-003.png", one)
    proc = run_cli(str(one), "-o", str(tmp_path / "o"), "-j", "1", "-q", "--page-timeout", "0.2")
    m = manifest(tmp_path / "o")[0]
    assert m["status"] == "failed" and "timed out" in m["error"]
    assert proc.returncode == ExitCode.CHILD_PROCESS


def test_repair_in_the_run_process_keeps_the_page_time_limit(archive, tmp_path):
    # A small local pool's workers OCR with correct=False and `sohoa run` repairs the page itself
    # (pipeline.batch.correct_page): the repair gets what is left of the page's time limit.
    from pipeline.batch_tasks import DocSpec, Limits, correct_page, page_task
    from pipeline.ingest import open_source
    from pipeline.options import OcrOptions

    png = archive / "2019" / "bao-cao-003.png"
    src = open_source(png)
    spec = DocSpec(str(src.path), src.kind, src.page_dpis, png.stem, str(png))
    ocr_only = OcrOptions(jobs=1, progress=False, correct=False)
    limits = Limits(page_timeout=60.0)

    late = page_task(spec, 0, ocr_only, limits, str(tmp_path))
    files = [late.result.image, late.result.pdf]
    assert late.result.error is None and all(f.exists() for f in files) and late.result.correct_seconds == 0
    late.result.seconds = limits.page_timeout  # the worker used up the page's time: ~1 ms is left
    late = correct_page(late, spec, limits)
    assert "timed out" in late.result.error and late.result.exit_code == ExitCode.CHILD_PROCESS
    assert not any(f.exists() for f in files)  # a failed page's image and PDF are not kept

    page = correct_page(page_task(spec, 0, ocr_only, limits, str(tmp_path)), spec, limits)
    assert page.result.error is None and page.result.correct_seconds > 0 and page.result.final_text


def test_second_run_on_the_same_folder_is_refused(archive, run_cli, tmp_path):
    import fcntl

    out = tmp_path / "o"
    (out / ".sohoa").mkdir(parents=True)
    with open(out / ".sohoa" / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = run_cli(str(archive / "loi"), "-o", str(out), "-q")
    assert proc.returncode == ExitCode.BAD_ARGS
    assert "another `sohoa run`" in proc.stderr


def test_log_json_never_writes_into_an_input(tmp_path, run_cli):
    scan = tmp_path / "in" / "a.png"
    scan.parent.mkdir()
    Image.new("L", (400, 300), 255).save(scan)
    before = scan.read_bytes()
    # argparse reads `--log-json a.png` as the log's name; that must not append JSON to the scan.
    proc = run_cli("--log-json", str(scan), str(scan.parent), "-o", str(tmp_path / "out"))
    assert proc.returncode == ExitCode.BAD_ARGS
    assert "looks like an input" in proc.stderr and "--log-json=FILE" in proc.stderr
    assert scan.read_bytes() == before and not (tmp_path / "out").exists()
