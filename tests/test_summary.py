"""gkreport.summary on a small hand-built database; every expected number is computed by hand below."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gkreport.pipeline import FileRecord
from gkreport.store import connect, write_records
from gkreport.summary import build_summary, char_ngram_jaccard, render

JIA, YI, BING = "甲县人民政府", "乙局", "丙镇"


def _passage(pid: str, role: str, themes: dict[str, float], text: str | None = None) -> dict[str, Any]:
    """themes: theme -> score; assigned when score >= 0.5 (the fake model's threshold). The text defaults to
    one of the report's own (see `_record`)."""
    return {"passage_id": pid, "section": 5, "role": role, "text": text, "start": 0, "end": 1,
            "heading": None, "pair": None, "themes": [(t, s, int(s >= 0.5)) for t, s in themes.items()]}


def _record(sha: str, agency: str, year: int, level: str, *, province: str | None = None,
            city: str | None = None, passages: list[dict[str, Any]] = (), sec56: tuple[str, str] = ("", ""),
            fails: list[str] = (), passes: list[str] = (), cell_status: list[str] = (),
            model: str | None = "m1") -> FileRecord:
    return FileRecord(
        sha256=sha, path=f"{sha}.txt", status="ok", format="txt", encoding="utf-8", model_version=model,
        report={"template": "2021", "agency": agency, "year": year, "level": level, "province": province,
                "city": city},
        sections=[{"number": n, "name": "", "heading": None, "status": "found", "start": 0, "end": 1,
                   "text": text} for n, text in zip((5, 6), sec56, strict=True)],
        cells=[{"tbl": "t2", "row": "r", "col": str(i), "value": 1.0, "raw": "1", "status": st, "line": 1,
                "offset": 0, "note": ""} for i, st in enumerate(cell_status)],
        checks=[{"check_id": cid, "status": st, "expected": 1.0, "actual": 2.0, "message": "", "severity": "hard"}
                for cids, st in ((fails, "fail"), (passes, "pass")) for cid in cids],
        passages=[{**p, "text": p["text"] or f"passage {p['passage_id']} of {sha}"} for p in passages])


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fixture.sqlite"
    records = [
        _record("A", JIA, 2022, "county", province="浙江省", city="杭州市",
                passages=[_passage("5.1", "problem", {"staffing": 0.9, "channels": 0.7}),
                          _passage("5.2", "problem", {"staffing": 0.6}),
                          _passage("5.3", "improvement", {"staffing": 0.8})],
                sec56=("abcdef", "ghij"), fails=["R1.total"], passes=["R2.total"], cell_status=["ok"]),
        _record("B", JIA, 2023, "county", province="浙江省", city="杭州市",
                passages=[_passage("5.1", "problem", {"staffing": 0.95}),
                          _passage("5.2", "problem", {"timeliness": 0.7}),
                          _passage("5.3", "improvement", {"channels": 0.9})],
                sec56=("abcdef", "ghiX"), fails=["R1.total", "X1.fee"], cell_status=["ok", "ambiguous"]),
        _record("C", YI, 2023, "department",
                passages=[_passage("5.1", "problem", {"channels": 0.8}),
                          _passage("5.2", "problem", {"staffing": 0.3})]),
        _record("D", BING, 2023, "township", passages=[_passage("5.1", "problem", {})], model=None,
                cell_status=["missing"]),
        FileRecord(sha256="E", path="E.txt", status="error", error="E.txt: empty file"),
    ]
    with connect(path) as conn:
        write_records(conn, records)
    return path


def test_char_ngram_jaccard() -> None:
    assert char_ngram_jaccard("abcd", "abce") == pytest.approx(1 / 3)  # {abc,bcd} vs {abc,bce}
    assert char_ngram_jaccard("ab c", "abc") == 1.0  # white space is ignored
    assert char_ngram_jaccard("", "") == 0.0


def test_themes_and_counts(db: Path) -> None:
    s = build_summary(db, by="year")
    assert (s["reports"], s["errors"], s["tagged_reports"]) == (4, 1, 3)
    got = [(t["theme"], t["reports"], t["share"], t["passages"]) for t in s["themes"]]
    assert got == [("channels", 2, 0.6667, 2), ("staffing", 2, 0.6667, 3), ("timeliness", 1, 0.3333, 1)]
    examples = {t["theme"]: [(e["agency"], e["year"], e["score"]) for e in t["examples"]] for t in s["themes"]}
    assert examples["staffing"] == [(JIA, 2023, 0.95), (JIA, 2022, 0.9)]  # one per report, best first
    assert examples["channels"] == [(YI, 2023, 0.8), (JIA, 2022, 0.7)]
    assert s["themes"][1]["name"] == "队伍/人员/业务能力/培训"


def test_examples_show_a_text_repeated_in_other_reports_once(tmp_path: Path) -> None:
    # An agency's boilerplate copied into later reports: three reports, one text, and one other passage.
    same = "受人员编制限制，信息公开工作由办公室人员兼职经办。"
    records = [_record(sha, JIA, year, "county", passages=[_passage("5.1", "problem", {"staffing": score}, same)])
               for sha, year, score in (("A", 2021, 0.99), ("B", 2022, 0.98), ("C", 2023, 0.97))]
    records.append(_record("D", YI, 2023, "department",
                           passages=[_passage("5.1", "problem", {"staffing": 0.6}, "业务培训不足。")]))
    path = tmp_path / "same.sqlite"
    with connect(path) as conn:
        write_records(conn, records)
    [theme] = build_summary(path)["themes"]
    assert (theme["reports"], theme["passages"]) == (4, 4)
    assert [(e["year"], e["text"]) for e in theme["examples"]] == [(2021, same), (2023, "业务培训不足。")]


def test_breakdown_and_trend(db: Path) -> None:
    s = build_summary(db, by="year")
    groups = {g["key"]: g for g in s["by"]["groups"]}
    assert (groups["2022"]["reports"], groups["2022"]["tagged"]) == (1, 1)
    assert (groups["2023"]["reports"], groups["2023"]["tagged"]) == (3, 2)  # D has no model
    assert groups["2023"]["themes"] == {t: {"reports": 1, "share": 0.5} for t in ("channels", "staffing",
                                                                                  "timeliness")}
    assert [g["key"] for g in s["trend"]] == ["2022", "2023"]
    region = {g["key"]: g["reports"] for g in build_summary(db, by="region")["by"]["groups"]}
    assert region == {"(unknown)": 2, "浙江省 杭州市": 2}
    level = build_summary(db, by="level")["by"]["groups"]
    assert {g["key"]: g["themes"] for g in level}["department"] == {"channels": {"reports": 1, "share": 1.0}}


def test_cooccurrence_unanswered_recurring_repetition(db: Path) -> None:
    s = build_summary(db)
    assert s["cooccurrence"] == [{"themes": ["channels", "staffing"], "reports": 1},
                                 {"themes": ["staffing", "timeliness"], "reports": 1}]
    assert [(u["theme"], u["problem_reports"], u["unanswered"]) for u in s["unanswered"]] == [
        ("channels", 2, 2), ("staffing", 2, 1), ("timeliness", 1, 1)]
    assert [(r["agency"], r["theme"], r["years"]) for r in s["recurring"]] == [(JIA, "staffing", [2022, 2023])]
    # "abcdefghij" vs "abcdefghiX": 7 shared 3-grams of 9 distinct
    assert s["repetition"] == [{"agency": JIA, "year": 2022, "next_year": 2023, "jaccard": 0.7778, "flag": True}]
    assert build_summary(db, top=1)["cooccurrence"] == s["cooccurrence"][:1]


def test_duplicate_report_of_an_agency_year_counts_once_in_year_pairs(db: Path) -> None:
    # the 2023 report of 甲县 stored a second time (say as HTML): its sha256 "B2" sorts after "B", so the pair
    # 2022/2023 is still compared with B alone, once
    with connect(db) as conn:
        write_records(conn, [_record("B2", JIA, 2023, "county", sec56=("zzzzzz", "yyyy"),
                                    passages=[_passage("5.1", "problem", {"channels": 0.9})])])
    s = build_summary(db)
    assert s["reports"] == 5
    assert [(r["agency"], r["theme"], r["years"]) for r in s["recurring"]] == [(JIA, "staffing", [2022, 2023])]
    assert [(r["year"], r["jaccard"]) for r in s["repetition"]] == [(2022, 0.7778)]


def test_screen_formats_cap_the_per_agency_lists(db: Path) -> None:
    s = build_summary(db)
    s["repetition"] = [{"agency": f"机构{i}", "year": 2022, "next_year": 2023, "jaccard": i / 10, "flag": i > 5}
                       for i in range(8)]
    markdown = render(s, "markdown", top=3)
    assert "机构7" in markdown and "机构5" in markdown and "机构4" not in markdown  # most similar first
    assert "… 5 more (all of them: --format json or csv)" in markdown
    assert all(f"机构{i}" in render(s, "csv", top=3) for i in range(8))  # csv and json keep every row
    assert len(json.loads(render(s, "json", top=3))["repetition"]) == 8


def test_table_health(db: Path) -> None:
    s = build_summary(db)
    checks = {c["family"]: (c["reports"], c["share"]) for c in s["checks"]}
    assert checks["R1"] == (2, 0.5) and checks["X1"] == (1, 0.25)
    assert checks["R2"] == checks["X2"] == (0, 0.0)
    assert set(checks) == {"R1", "R2", "R3", "R4", "R5", "X1", "X2"}
    assert s["tables"] == {"absent": {"reports": 1, "share": 0.25}, "missing": {"reports": 1, "share": 0.25},
                           "ambiguous": {"reports": 1, "share": 0.25}}


def test_year_and_role_filters(db: Path) -> None:
    s = build_summary(db, year=2023)
    assert (s["reports"], s["tagged_reports"]) == (3, 2)
    assert [(t["theme"], t["reports"], t["share"]) for t in s["themes"]] == [
        ("channels", 1, 0.5), ("staffing", 1, 0.5), ("timeliness", 1, 0.5)]
    assert s["trend"] == [] and len(s["recurring"]) == 1
    assert build_summary(db, year=2022)["recurring"] == []
    improvement = build_summary(db, role="improvement")
    assert [(t["theme"], t["reports"]) for t in improvement["themes"]] == [("channels", 1), ("staffing", 1)]
    with pytest.raises(ValueError):
        build_summary(db, role="weather")


def test_without_a_model_themes_are_not_available(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    with connect(path) as conn:
        write_records(conn, [_record("A", JIA, 2022, "county", passages=[_passage("5.1", "problem", {})],
                                     model=None)])
    s = build_summary(path)
    assert not s["themes_available"] and s["themes"] == [] and "not available" in s["note"]
    assert "not available" in render(s, "markdown")


def test_render_formats(db: Path) -> None:
    s = build_summary(db)
    data = json.loads(render(s, "json"))
    assert {"reports", "errors", "themes", "by", "cooccurrence", "unanswered", "recurring", "repetition",
            "checks"} <= set(data)
    assert set(data["themes"][0]) >= {"theme", "reports", "share", "passages", "examples"}
    markdown = render(s, "markdown")
    assert "| staffing 队伍/人员/业务能力/培训 | 2 | 66.7% | 3 |" in markdown
    rows = list(csv.reader(io.StringIO(render(s, "csv"))))
    assert ["Themes (problem)", "timeliness 更新不及时/时效", "1", "33.3%", "1"] in rows
    assert "队伍/人员/业务能力/培训" in render(s, "table")
    page = render(s, "html")
    assert page.count("<svg") == 2  # the bar chart of shares and the trend line, inline
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page) and "<link" not in page  # nothing fetched
    assert "队伍/人员/业务能力/培训" in page
    assert render(s, "html") == page  # the same summary gives the same file (no random chart ids)
    with pytest.raises(ValueError):
        render(s, "pdf")


# Chromium as the machine's probe starts it: no network chatter in a closed sandbox, console messages on stderr.
_HEADLESS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0")


def test_html_renders_in_headless_chromium(db: Path, tmp_path: Path) -> None:
    """The page loads with no console message at all (it has no script), and both charts are drawn: their
    bars, lines and Chinese labels are in the DOM Chromium built, and the screenshot is not blank."""
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if browser is None:
        pytest.skip("no headless Chromium installed")
    page = tmp_path / "summary.html"
    page.write_text(render(build_summary(db), "html"), encoding="utf-8")
    shot = tmp_path / "shot.png"

    def run(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([browser, *_HEADLESS, *flags, f"--user-data-dir={tmp_path / 'profile'}",
                               page.as_uri()], check=True, capture_output=True, text=True, timeout=120)

    loaded = run(f"--screenshot={shot}", "--window-size=1000,1400")
    assert [line for line in loaded.stderr.splitlines() if ":CONSOLE" in line] == []
    assert shot.stat().st_size > 10_000  # a blank page compresses to a few hundred bytes
    dom = run("--dump-dom").stdout
    assert dom.count("<svg") == 2 and 'class="rect reactive tooltip-trigger"' in dom  # the bars
    assert 'class="line reactive nofill"' in dom  # the trend lines
    assert "队伍/人员/业务能力/培训" in dom
