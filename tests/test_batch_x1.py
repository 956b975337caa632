"""X1 (last year's 结转下年 = this year's 上年结转) in a batch: checked over the stored years after the files are
stored, in one batch or across batches in either order, and never stored twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gkreport.batch import run_batch
from gkreport.checks import run_checks
from gkreport.readers import read
from gkreport.review import build_review
from gkreport.segment import segment
from gkreport.summary import build_summary
from gkreport.tables import extract_tables

AGENCY = "云岭县石桥镇人民政府"
COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
# The 2021 template's rows of table 三 under 三、本年度办理结果 (official labels), all 0 but 予以公开.
OUTCOMES = (
    "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t",
    "\t（三）不予公开\t1.属于国家秘密",
    "\t\t2.其他法律行政法规禁止公开",
    "\t\t3.危及“三安全一稳定”",
    "\t\t4.保护第三方合法权益",
    "\t\t5.属于三类内部事务信息",
    "\t\t6.属于四类过程性信息",
    "\t\t7.属于行政执法案卷",
    "\t\t8.属于行政查询事项",
    "\t（四）无法提供\t1.本机关不掌握相关政府信息",
    "\t\t2.没有现成信息需要另行制作",
    "\t\t3.补正后申请内容仍不明确",
    "\t（五）不予处理\t1.信访举报投诉类申请",
    "\t\t2.重复申请",
    "\t\t3.要求提供公开出版物",
    "\t\t4.无正当理由大量反复申请",
    "\t\t5.要求行政机关确认或重新出具已获取信息",
    "\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "\t\t3.其他",
)


def _row(label: str, values: list[int]) -> str:
    return "\t".join([label, *(str(v) for v in values), str(sum(values))])


def report_text(year: int, carried_over: list[int], carry_forward: list[int]) -> str:
    """A small 2021-template report of AGENCY for `year` whose table 三 adds up (R1, R2, R3 pass): per
    applicant column, 3 new requests plus `carried_over`, all granted but `carry_forward`."""
    new = [3] * len(COLUMNS)
    granted = [n + c - f for n, c, f in zip(new, carried_over, carry_forward, strict=True)]
    zero = [0] * len(COLUMNS)
    table3 = [
        "\t\t\t申请人情况",
        "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他",
        _row("一、本年新收政府信息公开申请数量\t\t", new),
        _row("二、上年结转政府信息公开申请数量\t\t", carried_over),
        _row("三、本年度办理结果\t（一）予以公开\t", granted),
        *(_row(label, zero) for label in OUTCOMES),
        _row("\t（七）总计\t", granted),
        _row("四、结转下年度继续办理\t\t", carry_forward),
    ]
    return (
        "\n\n".join(
            [
                f"{AGENCY}{year}年政府信息公开工作年度报告",
                "一、总体情况",
                f"{year}年，本镇按照条例要求做好政府信息公开工作，各项工作运行平稳。",
                "二、主动公开政府信息情况",
                "第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n"
                "行政规范性文件\t1\t0\t4",
                "三、收到和处理政府信息公开申请情况",
                "\n".join(table3),
                "四、政府信息公开行政复议、行政诉讼情况",
                "行政复议\t\t\t\t\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t"
                "复议后起诉\n\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t"
                "总计\n" + "\t".join(["0"] * 15),
                "五、存在的主要问题及改进情况",
                "（一）存在问题\n栏目更新不够及时。\n\n（二）改进措施\n每月检查一次栏目更新情况。",
                "六、其他需要报告的事项",
                "本年度未收取信息处理费。",
                AGENCY,
            ]
        )
        + "\n"
    )


# Year 1 carries 2 (自然人) and 1 (商业企业) forward; year 2 says it took over 2 and 0: X1 passes for 自然人 and
# fails for 商业企业 and 总计. The other columns carry 0 into 0 and pass.
FORWARD = [2, 1, 0, 0, 0, 0]
TAKEN_OVER = [2, 0, 0, 0, 0, 0]


@pytest.fixture()
def two_years(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "in" / "a" / "2022.txt"
    second = tmp_path / "in" / "b" / "2023.txt"
    for path, text in ((first, report_text(2022, [0] * 6, FORWARD)), (second, report_text(2023, TAKEN_OVER, [0] * 6))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return first, second


def _x1(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT f.path, c.check_id, c.status, c.expected, c.actual, c.message, c.severity "
            "FROM checks c JOIN files f USING (sha256) WHERE c.family = 'X1' "
            "ORDER BY f.path, c.check_id"
        ).fetchall()


def _batch(paths: list[Path], db: Path) -> int:
    stats = run_batch(paths, db, jobs=1, model_dir=None, progress=False)
    assert stats.errors == 0, stats.first_errors
    return stats.cross_year


def _expected(first: Path, second: Path) -> list[tuple[object, ...]]:
    """The X1 checks `gkreport check` gives the second year with the first among its inputs."""
    before, now = segment(read(first)), segment(read(second))
    checks = run_checks(now, extract_tables(now), extract_tables(before))
    return sorted(
        (str(second), c.id, c.status, c.expected, c.actual, c.message, c.severity)
        for c in checks
        if c.id.startswith("X1.")
    )


def test_the_generated_reports_pair_up_and_x1_passes_and_fails(two_years: tuple[Path, Path]) -> None:
    first, second = two_years
    reports = [segment(read(p)) for p in two_years]
    assert [(r.agency, r.year) for r in reports] == [(AGENCY, 2022), (AGENCY, 2023)]
    for report in reports:  # the tables are read whole: every table-三 identity holds
        failed = [
            c.id
            for c in run_checks(report, extract_tables(report))
            if c.status != "pass" and c.id[:2] in ("R1", "R2", "R3")
        ]
        assert failed == []
    status = {row[1]: row[2] for row in _expected(first, second)}
    assert status["X1.natural_person"] == "pass"
    assert status["X1.commercial"] == "fail"
    assert status["X1.total"] == "fail"


def test_two_consecutive_years_in_one_batch(tmp_path: Path, two_years: tuple[Path, Path]) -> None:
    first, second = two_years
    db = tmp_path / "r.sqlite"
    assert _batch([tmp_path / "in"], db) == 1
    assert _x1(db) == _expected(first, second)  # stored exactly as `gkreport check` computes them, on year 2 only
    x1 = next(c for c in build_summary(db)["checks"] if c["family"] == "X1")
    assert (x1["reports"], x1["share"]) == (1, 0.5)  # the summary's X1 figure: 1 of the 2 reports fails
    failed = {
        r["year"]: sorted(c["check"] for c in r["failed_checks"] if c["check"].startswith("X1."))
        for r in build_review(db)
    }
    assert failed == {2022: [], 2023: ["X1.commercial", "X1.total"]}


@pytest.mark.parametrize("order", ["earlier year first", "later year first"])
def test_two_consecutive_years_in_two_batches(tmp_path: Path, two_years: tuple[Path, Path], order: str) -> None:
    first, second = two_years
    db = tmp_path / "r.sqlite"
    one, two = (first, second) if order == "earlier year first" else (second, first)
    assert _batch([one], db) == 0
    assert _x1(db) == []
    assert _batch([two], db) == 1
    assert _x1(db) == _expected(first, second)


def test_a_rerun_with_nothing_new_adds_no_x1_row(tmp_path: Path, two_years: tuple[Path, Path]) -> None:
    first, second = two_years
    db = tmp_path / "r.sqlite"
    _batch([tmp_path / "in"], db)
    stored = _x1(db)
    assert _batch([tmp_path / "in"], db) == 0
    assert _x1(db) == stored
    with sqlite3.connect(db) as conn:  # a --force re-run replaces them, it does not add to them
        rows = conn.execute("SELECT COUNT(*) FROM checks WHERE family = 'X1'").fetchone()[0]
    run_batch([tmp_path / "in"], db, jobs=1, force=True, progress=False)
    assert _x1(db) == stored and len(stored) == rows == 7


def test_a_stored_pair_without_x1_is_checked_by_the_next_run(tmp_path: Path, two_years: tuple[Path, Path]) -> None:
    """A batch stopped before its X1 step (or a database of an earlier gkreport) gets X1 from the next run."""
    first, second = two_years
    db = tmp_path / "r.sqlite"
    _batch([tmp_path / "in"], db)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM checks WHERE family = 'X1'")
    assert _batch([first], db) == 1
    assert _x1(db) == _expected(first, second)


def test_x1_rows_go_when_the_previous_year_is_no_longer_stored(tmp_path: Path, two_years: tuple[Path, Path]) -> None:
    first, second = two_years
    db = tmp_path / "r.sqlite"
    _batch([tmp_path / "in"], db)
    assert _x1(db)
    first.write_text(report_text(2021, [0] * 6, FORWARD), encoding="utf-8")  # 2022 replaced in place by 2021
    assert _batch([tmp_path / "in"], db) == 0
    assert _x1(db) == []
