"""gkreport.summary on a small hand-built database; every expected number is computed by hand below."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import stored_cell, stored_check, stored_passage, stored_record

from gkreport.errors import OptionError
from gkreport.records import FileRecord
from gkreport.store import connect, write_records
from gkreport.summary import build_summary, char_ngram_jaccard, render

JIA, YI, BING = "甲县人民政府", "乙局", "丙镇"


def _passage(pid: str, role: str, themes: dict[str, float], text: str | None = None) -> dict[str, Any]:
    """The text defaults to one of the report's own (see `_record`)."""
    return stored_passage(pid, role, themes, text)


def _record(
    sha: str,
    agency: str,
    year: int,
    level: str,
    *,
    province: str | None = None,
    city: str | None = None,
    passages: list[dict[str, Any]] = (),
    sec56: tuple[str, str] = ("", ""),
    fails: list[str] = (),
    passes: list[str] = (),
    cell_status: list[str] = (),
    model: str | None = "m1",
) -> FileRecord:
    return stored_record(
        sha,
        agency,
        year,
        path=f"{sha}.txt",
        level=level,
        province=province,
        city=city,
        model=model,
        sections=[
            {"number": n, "name": "", "heading": None, "status": "found", "start": 0, "end": 1, "text": text}
            for n, text in zip((5, 6), sec56, strict=True)
        ],
        cells=[stored_cell("t2", "r", str(i), st) for i, st in enumerate(cell_status)],
        checks=[stored_check(cid, st) for cids, st in ((fails, "fail"), (passes, "pass")) for cid in cids],
        passages=[{**p, "text": p["text"] or f"passage {p['passage']} of {sha}"} for p in passages],
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fixture.sqlite"
    records = [
        _record(
            "A",
            JIA,
            2022,
            "county",
            province="浙江省",
            city="杭州市",
            passages=[
                _passage("5.1", "problem", {"staffing": 0.9, "channels": 0.7}),
                _passage("5.2", "problem", {"staffing": 0.6}),
                _passage("5.3", "improvement", {"staffing": 0.8}),
            ],
            sec56=("abcdef", "ghij"),
            fails=["R1.total"],
            passes=["R2.total"],
            cell_status=["ok"],
        ),
        _record(
            "B",
            JIA,
            2023,
            "county",
            province="浙江省",
            city="杭州市",
            passages=[
                _passage("5.1", "problem", {"staffing": 0.95}),
                _passage("5.2", "problem", {"timeliness": 0.7}),
                _passage("5.3", "improvement", {"channels": 0.9}),
            ],
            sec56=("abcdef", "ghiX"),
            fails=["R1.total", "X1.fee"],
            cell_status=["ok", "ambiguous"],
        ),
        _record(
            "C",
            YI,
            2023,
            "department",
            passages=[_passage("5.1", "problem", {"channels": 0.8}), _passage("5.2", "problem", {"staffing": 0.3})],
        ),
        _record(
            "D", BING, 2023, "township", passages=[_passage("5.1", "problem", {})], model=None, cell_status=["missing"]
        ),
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
    records = [
        _record(sha, JIA, year, "county", passages=[_passage("5.1", "problem", {"staffing": score}, same)])
        for sha, year, score in (("A", 2021, 0.99), ("B", 2022, 0.98), ("C", 2023, 0.97))
    ]
    records.append(
        _record("D", YI, 2023, "department", passages=[_passage("5.1", "problem", {"staffing": 0.6}, "业务培训不足。")])
    )
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
    assert groups["2023"]["themes"] == {t: {"reports": 1, "share": 0.5} for t in ("channels", "staffing", "timeliness")}
    assert [g["key"] for g in s["trend"]] == ["2022", "2023"]
    region = {g["key"]: g["reports"] for g in build_summary(db, by="region")["by"]["groups"]}
    assert region == {"(unknown)": 2, "浙江省 杭州市": 2}
    level = build_summary(db, by="level")["by"]["groups"]
    assert {g["key"]: g["themes"] for g in level}["department"] == {"channels": {"reports": 1, "share": 1.0}}


def test_cooccurrence_unanswered_recurring_repetition(db: Path) -> None:
    s = build_summary(db)
    assert s["cooccurrence"] == [
        {"themes": ["channels", "staffing"], "reports": 1},
        {"themes": ["staffing", "timeliness"], "reports": 1},
    ]
    assert [(u["theme"], u["problem_reports"], u["unanswered"]) for u in s["unanswered"]] == [
        ("channels", 2, 2),
        ("staffing", 2, 1),
        ("timeliness", 1, 1),
    ]
    assert [(r["agency"], r["theme"], r["years"]) for r in s["recurring"]] == [(JIA, "staffing", [2022, 2023])]
    # "abcdefghij" vs "abcdefghiX": 7 shared 3-grams of 9 distinct
    assert s["repetition"] == [{"agency": JIA, "year": 2022, "next_year": 2023, "jaccard": 0.7778, "flag": True}]
    assert "… 1 more" in render(s, "markdown", top=1)  # screens cap the pairs, json keeps them all


def test_duplicate_report_of_an_agency_year_counts_once_in_year_pairs(db: Path) -> None:
    # the 2023 report of 甲县 stored a second time (say as HTML): its sha256 "B2" sorts after "B", so the pair
    # 2022/2023 is still compared with B alone, once
    with connect(db) as conn:
        write_records(
            conn,
            [
                _record(
                    "B2",
                    JIA,
                    2023,
                    "county",
                    sec56=("zzzzzz", "yyyy"),
                    passages=[_passage("5.1", "problem", {"channels": 0.9})],
                )
            ],
        )
    s = build_summary(db)
    assert s["reports"] == 5
    assert [(r["agency"], r["theme"], r["years"]) for r in s["recurring"]] == [(JIA, "staffing", [2022, 2023])]
    assert [(r["year"], r["jaccard"]) for r in s["repetition"]] == [(2022, 0.7778)]


def test_screen_formats_cap_the_per_agency_lists(db: Path) -> None:
    s = build_summary(db)
    s["repetition"] = [
        {"agency": f"机构{i}", "year": 2022, "next_year": 2023, "jaccard": i / 10, "flag": i > 5} for i in range(8)
    ]
    markdown = render(s, "markdown", top=3)
    assert "机构7" in markdown and "机构5" in markdown and "机构4" not in markdown  # most similar first
    assert "… 5 more (all of them: --format json or csv)" in markdown
    assert all(f"机构{i}" in render(s, "csv", top=3, table="repetition") for i in range(8))  # csv and json: all
    assert len(json.loads(render(s, "json", top=3))["repetition"]) == 8


def test_table_health(db: Path) -> None:
    s = build_summary(db)
    checks = {c["family"]: (c["reports"], c["share"]) for c in s["checks"]}
    assert checks["R1"] == (2, 0.5) and checks["X1"] == (1, 0.25)
    assert checks["R2"] == checks["X2"] == (0, 0.0)
    assert set(checks) == {"R1", "R2", "R3", "R4", "R5", "X1", "X2"}
    assert s["tables"] == {
        "absent": {"reports": 1, "share": 0.25},
        "missing": {"reports": 1, "share": 0.25},
        "ambiguous": {"reports": 1, "share": 0.25},
    }


def test_year_and_role_filters(db: Path) -> None:
    s = build_summary(db, year=2023)
    assert (s["reports"], s["tagged_reports"]) == (3, 2)
    assert [(t["theme"], t["reports"], t["share"]) for t in s["themes"]] == [
        ("channels", 1, 0.5),
        ("staffing", 1, 0.5),
        ("timeliness", 1, 0.5),
    ]
    assert s["trend"] == [] and len(s["recurring"]) == 1
    assert build_summary(db, year=2022)["recurring"] == []
    improvement = build_summary(db, role="improvement")
    assert [(t["theme"], t["reports"]) for t in improvement["themes"]] == [("channels", 1), ("staffing", 1)]
    with pytest.raises(OptionError, match="--role"):
        build_summary(db, role="weather")


def test_without_a_model_themes_are_not_available(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    with connect(path) as conn:
        write_records(conn, [_record("A", JIA, 2022, "county", passages=[_passage("5.1", "problem", {})], model=None)])
    s = build_summary(path)
    assert not s["themes_available"] and s["themes"] == [] and "not available" in s["note"]
    assert "not available" in render(s, "markdown")


def _gapped_years(tmp_path: Path) -> Path:
    """Reports of 2015, 2019 and 2020 (a four-year gap, then one year), 2020 with six tagged reports."""
    long_text = "政务公开工作人员均为兼职，" * 8 + "业务培训覆盖面不够。"  # 114 characters, no space to break at
    records = [
        _record("S15", JIA, 2015, "county", passages=[_passage("5.1", "problem", {"staffing": 0.9}, long_text)]),
        _record("S19", JIA, 2019, "county", passages=[_passage("5.1", "problem", {"channels": 0.9})]),
    ]
    records += [
        _record(
            f"T{i}",
            f"机构{i}",
            2020,
            "township",
            passages=[_passage("5.1", "problem", {"channels": 0.8 if i < 3 else 0.2})],
        )
        for i in range(6)
    ]
    path = tmp_path / "gapped.sqlite"
    with connect(path) as conn:
        write_records(conn, records)
    return path


def test_year_by_theme_is_one_matrix_with_n_and_small_years_marked(tmp_path: Path) -> None:
    s = build_summary(_gapped_years(tmp_path))
    assert [(g["key"], g["tagged"], g["small"]) for g in s["trend"]] == [
        ("2015", 1, True),
        ("2019", 1, True),
        ("2020", 6, False),
    ]
    markdown = render(s, "markdown")
    assert markdown.count("by year") == 1 and "## By year" not in markdown  # one matrix, not two long lists
    channels = markdown.index("公开渠道")  # its column comes first: the most admitted theme
    assert channels < markdown.index("队伍", channels)
    assert "| 2015 * | 1 | 0% | 100% |" in markdown and "| 2020 | 6 | 50% | 0% |" in markdown
    assert "* fewer than 5 reports tagged" in markdown
    assert "## Same weakness in consecutive years\n\nnone\n" in markdown  # an empty table says so


def test_screen_table_shows_passages_in_full_and_counts_chinese_double_width(tmp_path: Path) -> None:
    from rich.cells import cell_len

    s = build_summary(_gapped_years(tmp_path))
    screen = render(s, "table")
    long_text = s["themes"][1]["examples"][0]["text"]
    assert len(long_text) > 100
    # the passage is wrapped over several lines of its column: every character is there, in order
    text_column = "".join(line.split("│")[-2].strip() for line in screen.splitlines() if line.count("│") == 6)
    assert long_text in text_column
    tables = re.findall(r"^┏.*?^└.*?$", screen, flags=re.M | re.S)
    assert len(tables) >= 5
    for table in tables:  # every line of a drawn table is as wide as its border
        assert len({cell_len(line) for line in table.splitlines()}) == 1, table


def test_by_level_is_a_matrix_too(db: Path) -> None:
    markdown = render(build_summary(db, by="level"), "markdown")
    assert "## Share admitting each theme (problem) by level" in markdown
    assert "| department * | 1 | 100% | 0% | 0% |" in markdown  # channels, staffing, timeliness
    assert "| township * | 0 | 0% | 0% | 0% |" in markdown  # D has no model: n = 0 tagged


def test_each_csv_table_loads_with_pandas_unchanged(db: Path, tmp_path: Path) -> None:
    import pandas as pd

    from gkreport.summary import CSV_TABLES, write_csv_tables
    from gkreport.summary.render_csv import TABLES

    s = build_summary(db)
    written = write_csv_tables(s, tmp_path / "tables")
    assert [p.stem for p in written] == list(CSV_TABLES)
    for path in written:
        header, rows = TABLES[path.stem](s)
        frame = pd.read_csv(path)
        assert list(frame.columns) == header, path.name  # one header, no byte-order mark in the first name
        assert len(frame) == len(rows), path.name
        assert pd.read_csv(io.StringIO(render(s, "csv", table=path.stem))).equals(frame)
    themes = pd.read_csv(tmp_path / "tables/themes.csv")
    assert themes.set_index("theme").loc["staffing", "share"] == pytest.approx(0.6667)
    trend = pd.read_csv(tmp_path / "tables/trend.csv")
    assert trend[(trend.year == 2023) & (trend.theme == "timeliness")]["admitting"].tolist() == [1]
    with pytest.raises(OptionError, match="--table"):
        render(s, "csv")


def test_cli_csv_needs_a_table_or_a_folder(db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gkreport.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["summary", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 2 and "give --output DIR" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, ["summary", "--db", str(db), "--format", "csv", "--table", "checks"])
    assert result.exit_code == 0 and result.output.startswith("check,reports,share\nR1,2,0.5\n")
    result = runner.invoke(app, ["summary", "--db", str(db), "--format", "csv", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0 and (tmp_path / "out/cooccurrence.csv").is_file()
    result = runner.invoke(app, ["summary", "--db", str(db), "--table", "checks"])
    assert result.exit_code == 2 and "--table: only with --format csv" in result.output


def test_render_formats(db: Path) -> None:
    s = build_summary(db)
    data = json.loads(render(s, "json"))
    assert {
        "reports",
        "errors",
        "themes",
        "by",
        "cooccurrence",
        "unanswered",
        "recurring",
        "repetition",
        "checks",
    } <= set(data)
    assert set(data["themes"][0]) >= {"theme", "reports", "share", "passages", "examples"}
    assert "| staffing | 队伍/人员/业务能力/培训 | 2 | 67% | 3 |" in render(s, "markdown")
    assert "队伍/人员/业务能力/培训" in render(s, "table")
    with pytest.raises(OptionError, match="--format"):
        render(s, "pdf")


def test_html_heatmaps_put_years_on_a_time_axis(tmp_path: Path) -> None:
    page = render(build_summary(_gapped_years(tmp_path)), "html")
    assert all(f'id="{chart}"' in page for chart in ("themes-chart", "trend-heatmap", "cooccurrence-heatmap"))
    heads = dict((int(y), float(x)) for x, y in re.findall(r'<text x="(\d+)"[^>]*class="year">(\d{4})<', page))
    assert sorted(heads) == list(range(2015, 2021))  # 2016-2018 have no reports but keep their place
    assert heads[2019] - heads[2015] == 4 * (heads[2020] - heads[2019])
    assert page.count('class="cell small"') == 2 * 2 and page.count('class="cell"') == 2  # 2 themes
    assert "n=1*" in page and "n=6" in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page) and "<link" not in page  # nothing fetched
    assert render(build_summary(_gapped_years(tmp_path)), "html") == page  # the same database, the same file


def test_html_embeds_only_the_glyphs_it_uses(db: Path) -> None:
    from gkreport.summary.page import embedded_font

    font = embedded_font("队伍 abc")
    if font is None:
        pytest.skip("no open CJK font from data/cjk_fonts.json installed (apt-get install fonts-noto-cjk)")
    rule, source = font
    assert rule.startswith("@font-face{") and "data:font/woff;base64," in rule and "Licen" in source
    one = len(rule)
    more = len(embedded_font("队伍人员业务能力培训公开渠道平台新媒体形式")[0])
    assert one < 6_000 < more < 20_000  # a few hundred bytes a glyph, not the 19 MB collection
    page = render(build_summary(db), "html")
    assert len(page) < 300_000 and "Chinese glyphs embedded from" in page


@pytest.mark.slow
def test_html_renders_in_headless_chromium_with_and_without_chinese_fonts(db: Path, tmp_path: Path) -> None:
    """Screenshots are taken (kept in the test's tmp folder), no console message, and no character drawn as
    an empty box with the machine's fonts or with none but Latin ones; a page without the embedded subset on
    the machine without Chinese fonts does show boxes (so the probe can see them)."""
    import headless

    page = tmp_path / "summary.html"
    page.write_text(render(build_summary(_gapped_years(tmp_path)), "html"), encoding="utf-8")
    if "Chinese glyphs embedded" not in page.read_text("utf-8"):
        pytest.skip("no open CJK font installed to embed (apt-get install fonts-noto-cjk)")
    bare = without_cjk = headless.without_cjk_fonts(tmp_path)
    for name, env in (("with-fonts", None), ("without-cjk-fonts", without_cjk)):
        shot, console = headless.screenshot(page, tmp_path, f"summary-{name}", env=env)
        assert console == [], name
        assert shot.stat().st_size > 20_000, name  # a blank page compresses to a few hundred bytes
        chars, boxes = headless.empty_boxes(page, tmp_path, env=env)
        assert chars > 40 and boxes == [], (name, boxes)
    dom = headless.dom(page, tmp_path, env=bare)
    assert dom.count("<svg") == 3 and "队伍/人员/业务能力/培训" in dom
    plain = tmp_path / "no-font.html"
    from gkreport.summary.render_html import render_html

    plain.write_text(render_html(build_summary(_gapped_years(tmp_path)), 10, embed_font=False), "utf-8")
    headless.screenshot(plain, tmp_path, "summary-no-font-embedded-without-cjk-fonts", env=bare)
    chars, boxes = headless.empty_boxes(plain, tmp_path, env=bare)
    assert len(boxes) > chars // 2  # the probe sees the empty boxes where there is no font
    assert "install one" in plain.read_text("utf-8")
