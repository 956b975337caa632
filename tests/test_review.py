"""gkreport review on a small hand-built database: every expected verdict and reason is worked out below."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, cli, cli_command, stored_cell, stored_check, stored_passage, stored_record
from hypothesis import given, settings
from hypothesis import strategies as st

from gkreport.errors import OptionError
from gkreport.records import FileRecord
from gkreport.review import build_review, judge, render_review, repeated_runs
from gkreport.review import compute as review_compute
from gkreport.store import connect, write_records

JIA, YI, BING = "甲县人民政府", "乙局", "丙镇"
# sentences of sections 五/六 (written for these tests); JIA 2023 repeats the first two of JIA 2022
S1 = "本年度政务公开专栏更新不够及时，部分栏目长期没有新内容。"
S2 = "依申请公开答复文书的格式还不统一，说理不够充分。"
S3 = "明年将建立栏目更新台账，每月检查一次更新情况。"
S4 = "将组织一次答复文书专题培训，统一文书格式。"
NEW_TOTAL = "表三「一、本年新收政府信息公开申请数量」「总计」"  # the official label of the cell the fixtures flag


def _passage(pid: str, role: str, themes: dict[str, float]) -> dict[str, Any]:
    return stored_passage(pid, role, themes, text=f"{role} {pid}")


def _record(
    sha: str,
    agency: str,
    year: int,
    *,
    sec56: tuple[str, str] = ("", ""),
    statuses: dict[int, str] | None = None,
    fails: list[tuple[str, str, str]] = (),
    cells: list[str] = ("ok",),
    passages: list[dict[str, Any]] = (),
) -> FileRecord:
    statuses = {n: "found" for n in range(1, 7)} | (statuses or {})
    texts = {5: sec56[0], 6: sec56[1]}
    sections = [
        {
            "number": n,
            "name": f"第{n}部分",
            "heading": None,
            "status": st_,
            "start": 0,
            "end": 1,
            "text": texts.get(n, "正文"),
        }
        for n, st_ in statuses.items()
    ]
    return stored_record(
        sha,
        agency,
        year,
        path=f"/reports/{sha}.txt",
        sections=sections,
        cells=[stored_cell("3", "new_received", "total", status) for status in cells],
        checks=[stored_check(cid, "fail", severity, message) for cid, severity, message in fails],
        passages=list(passages),
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "review.sqlite"
    records = [
        _record(
            "A",
            JIA,
            2022,
            sec56=(S1 + S2, S3),
            passages=[
                _passage("5.1", "problem", {"timeliness": 0.9}),
                _passage("5.2", "improvement", {"timeliness": 0.8}),
            ],
        ),
        _record(
            "B",
            JIA,
            2023,
            sec56=(S1 + S2 + "新问题一句话写在这里了。", S4),
            fails=[("R1.total", "hard", "表三 总计列：甲≠乙"), ("X1.total", "soft", "上年结转不符")],
            cells=["ok", "ambiguous"],
        ),
        _record(
            "C",
            YI,
            2023,
            statuses={3: "missing", 4: "inferred"},
            cells=["missing"],
            fails=[("X2.received", "soft", "正文与表三不符")],
        ),
        _record(
            "D",
            BING,
            2023,
            cells=[],
            passages=[
                _passage("5.1", "problem", {"staffing": 0.9, "channels": 0.7}),
                _passage("5.2", "improvement", {"channels": 0.9}),
            ],
        ),
        FileRecord(sha256="E", path="/reports/E.txt", status="error", error="E.txt: empty file"),
    ]
    with connect(path) as conn:
        write_records(conn, records)
    return path


def _by_sha(reviews: list[Any]) -> dict[str, Any]:
    return {r["sha256"]: r for r in reviews}


def test_one_row_per_report_with_what_is_wrong(db: Path) -> None:
    reviews = build_review(db)
    assert [r["sha256"] for r in reviews] == ["C", "B", "D", "A"]  # needs correction first, then by agency
    got = _by_sha(reviews)
    assert got["B"]["failed_checks"] == [
        {"check": "R1.total", "severity": "hard", "message": "表三 总计列：甲≠乙"},
        {"check": "X1.total", "severity": "soft", "message": "上年结转不符"},
    ]
    assert got["B"]["cells_ambiguous"] == [NEW_TOTAL] and got["B"]["cells_missing"] == []
    assert got["C"]["sections_missing"] == ["3 第3部分"] and got["C"]["sections_inferred"] == ["4 第4部分"]
    assert got["C"]["cells_missing"] == [NEW_TOTAL]
    assert got["D"]["tables_absent"] and got["D"]["themes"] == ["channels", "staffing"]
    assert got["D"]["unanswered"] == ["staffing"]
    assert got["A"]["unanswered"] == [] and got["A"]["repeated"] is None  # no 2021 report of 甲县
    assert [r["warnings"] for r in reviews] == [[]] * 4  # this database has no warnings column


def test_text_repeated_from_the_previous_year(db: Path) -> None:
    repeated = _by_sha(build_review(db))["B"]["repeated"]
    assert (repeated["previous_year"], repeated["previous_sha256"]) == (2022, "A")
    assert repeated["passages"] == [S1 + S2]  # two repeated sentences in a row are one passage
    total = len(S1 + S2 + "新问题一句话写在这里了。" + S4)
    assert repeated["share"] == round(len(S1 + S2) / total, 4)


def test_verdicts_and_reasons(db: Path) -> None:
    got = {sha: (r["verdict"], r["reasons"]) for sha, r in _by_sha(build_review(db)).items()}
    assert got["A"] == ("fine", [])
    assert got["B"][0] == "needs correction"
    assert got["B"][1][:3] == [
        "table identities failing (1): R1.total",
        "cross-checks failing (1): X1.total",
        f"table cells ambiguous (1): {NEW_TOTAL}",
    ]
    assert got["B"][1][3].endswith("% of sections 五+六 repeat the previous year verbatim")
    assert got["C"] == (
        "needs correction",
        [
            "statutory sections missing: 3 第3部分",
            "cross-checks failing (1): X2.received",
            f"table cells missing (1): {NEW_TOTAL}",
            "sections without their heading: 4 第4部分",
        ],
    )
    assert got["D"] == ("to look at", ["no table cell could be read", "problems no improvement answers: staffing"])


def test_verdict_rules_are_data(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    review = _by_sha(build_review(db))["D"]
    rules = review_compute.verdict_rules()
    lenient = {**rules, "rules": [r for r in rules["rules"] if r["metric"] != "tables_absent"]}
    monkeypatch.setattr(review_compute, "verdict_rules", lambda: lenient)
    assert judge(review) == ("to look at", ["problems no improvement answers: staffing"])
    strict = {**rules, "rules": [{**r, "verdict": "needs correction"} for r in rules["rules"]]}
    monkeypatch.setattr(review_compute, "verdict_rules", lambda: strict)
    assert judge(review)[0] == "needs correction"


def test_warnings_column_is_read_when_present(db: Path) -> None:
    conn = sqlite3.connect(db)
    if "warnings" not in {row[1] for row in conn.execute("PRAGMA table_info(reports)")}:
        conn.execute("ALTER TABLE reports ADD COLUMN warnings TEXT")  # a database from before the column
    conn.execute("UPDATE reports SET warnings = ? WHERE sha256 = 'A'", (json.dumps(["两个第五部分标题"]),))
    conn.commit()
    conn.close()
    a = _by_sha(build_review(db))["A"]
    assert a["warnings"] == ["两个第五部分标题"]
    assert a["verdict"] == "to look at" and a["reasons"] == ["segmenter warnings: 两个第五部分标题"]


def test_review_leaves_the_database_as_it_was(db: Path) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    build_review(db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_year_filter(db: Path) -> None:
    assert sorted(r["sha256"] for r in build_review(db, year=2023)) == ["B", "C", "D"]
    assert _by_sha(build_review(db, year=2023))["B"]["repeated"]["previous_year"] == 2022


_SENTENCE = st.text(alphabet="政务公开栏目更新及时答复文书格式培训制度", min_size=10, max_size=30).map(
    lambda s: s + "。"
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SENTENCE, min_size=1, max_size=8), st.lists(_SENTENCE, max_size=8), st.randoms())
def test_repeated_runs_are_sentences_of_both_years(old: list[str], new: list[str], rng: Any) -> None:
    kept = [s for s in old if rng.random() < 0.5]
    text = "".join(kept + new)
    share, passages = repeated_runs(text, "".join(old))
    assert 0.0 <= share <= 1.0
    for passage in passages:
        assert passage in text  # a run of whole sentences of this year …
        assert all(s + "。" in "".join(old) for s in passage.split("。")[:-1])  # … each found last year
    assert [len(p) for p in passages] == sorted((len(p) for p in passages), reverse=True)
    if kept and not new:
        assert share == 1.0 and passages == ["".join(kept)]
    assert repeated_runs(text, "") == (0.0, [])


def test_formats(db: Path) -> None:
    import pandas as pd

    reviews = build_review(db)
    frame = pd.read_csv(io.StringIO(render_review(reviews, "csv")))
    assert list(frame["verdict"]) == ["needs correction", "needs correction", "to look at", "fine"]
    assert frame.set_index("sha256").loc["B", "failed_checks"] == "R1.total: 表三 总计列：甲≠乙; X1.total: 上年结转不符"
    lines = render_review(reviews, "json").splitlines()
    assert [json.loads(line)["sha256"] for line in lines] == ["C", "B", "D", "A"]
    screen = render_review(reviews, "table")
    assert "Review of 4 reports: 2 needs correction, 1 to look at, 1 fine" in screen and "乙局" in screen
    page = render_review(reviews, "html")
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page) and "<link" not in page  # nothing fetched
    data = json.loads(
        re.search(r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S).group(1)
    )
    assert [r["sha256"] for r in data["reports"]] == ["C", "B", "D", "A"]
    with pytest.raises(OptionError, match="--format"):
        render_review(reviews, "pdf")


def test_cli(db: Path, tmp_path: Path) -> None:

    result = cli("review", "--db", str(db), "--verdict", "needs correction", "--format", "csv")
    assert result.exit_code == 0
    assert [row["sha256"] for row in csv.DictReader(io.StringIO(result.output))] == ["C", "B"]
    result = cli("review", "--db", str(tmp_path / "nope.sqlite"))
    assert result.exit_code == 2 and result.output.strip() == f"error: {tmp_path / 'nope.sqlite'}: no such database"
    result = cli("review", "--db", str(db), "--format", "html", "--output", str(tmp_path / "r.html"))
    assert result.exit_code == 0 and (tmp_path / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.slow
def test_html_page_in_headless_chromium(db: Path, tmp_path: Path) -> None:
    """Rows drawn by the page's script, filtered and sorted from the address, the detail panel with the failed
    checks and the repeated text, no console message, no empty box with or without Chinese fonts."""
    import headless

    page = tmp_path / "review.html"
    page.write_text(render_review(build_review(db), "html"), encoding="utf-8")
    rows = re.compile(r'<tr class="v\d[^"]*" data-sha="(\w+)"')
    assert rows.findall(headless.dom(page, tmp_path)) == ["C", "B", "D", "A"]
    assert rows.findall(headless.dom(page, tmp_path, fragment="#verdict=needs+correction")) == ["C", "B"]
    # agencies in pinyin order (乙 yi, 甲 jia, 丙 bing, descending); ties as listed
    assert rows.findall(headless.dom(page, tmp_path, fragment="#sort=agency&desc=1")) == ["C", "B", "A", "D"]
    detail = headless.dom(page, tmp_path, fragment="#report=B")
    panel = detail.split('<aside id="detail"', 1)[1].split("</aside>", 1)[0]
    assert '<li class="failed"><b>R1.total</b> 表三 总计列：甲≠乙</li>' in panel
    assert f"<mark>{S1 + S2}</mark>" in panel and "hidden" not in panel.split(">", 1)[0]
    if "Chinese glyphs embedded" not in page.read_text("utf-8"):
        pytest.skip("no open CJK font installed to embed (apt-get install fonts-noto-cjk)")
    for name, env in (("with-fonts", None), ("without-cjk-fonts", headless.without_cjk_fonts(tmp_path))):
        shot, console = headless.screenshot(
            page, tmp_path, f"review-{name}", env=env, fragment="#report=B", size="1400,900"
        )
        assert console == [] and shot.stat().st_size > 20_000, name
        chars, boxes = headless.empty_boxes(page, tmp_path, env=env)
        assert chars > 20 and boxes == [], (name, boxes)


def test_cli_choices_are_the_api_choices() -> None:
    from typing import get_args

    from gkreport import cli
    from gkreport.review import REVIEW_FORMATS
    from gkreport.summary import CSV_TABLES

    assert get_args(cli.ReviewFormat) == REVIEW_FORMATS
    assert list(get_args(cli.ReviewVerdict)) == review_compute.verdict_rules()["verdicts"]
    assert get_args(cli.SummaryTable) == CSV_TABLES


@pytest.mark.slow
def test_readme_shows_what_summary_and_review_print_on_the_examples(examples_db: Path) -> None:
    import subprocess

    example = (ROOT / "README.md").read_text("utf-8").split("## A worked example", 1)[1].split("Single reports", 1)[0]
    blocks = example.split("```text\n")[1:]
    matrix, review = (block.split("```", 1)[0].splitlines() for block in blocks)
    screens = {
        name: [
            line.rstrip()
            for line in subprocess.run(
                cli_command(name, "--db", examples_db), cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.splitlines()
        ]
        for name in ("summary", "review")
    }
    assert all(line in screens["summary"] for line in matrix), "README matrix is not today's"
    assert all(line in screens["review"] for line in review if line != "…"), "README review excerpt is not today's"
