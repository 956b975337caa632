"""Tests for gkreport.checks: every rule with passing and failing invented tables."""

from __future__ import annotations

import re

import pytest
from helpers import CONSISTENT_T2, CONSISTENT_T3, CONSISTENT_T4, SHARED, ZERO
from hypothesis import given, settings
from hypothesis import strategies as st

from gkreport.checks import CheckResult, _join_lines, run_checks
from gkreport.document import Document
from gkreport.report import Report
from gkreport.tables import Cell, TableResult, extract_tables
from gkreport.templates import SCHEMAS

T3_COLS = [c.id for c in SCHEMAS["2021"].tables["3"].columns]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]
# Invented numbers that satisfy R1–R4.
GOOD_T3, GOOD_T4, GOOD_T2 = CONSISTENT_T3, CONSISTENT_T4, CONSISTENT_T2


def build(
    t3: dict[str, tuple] | None = None,
    t4: dict[str, tuple] | None = None,
    t2: dict[tuple[str, str], float] | None = None,
    template: str = "2021",
    status: dict[tuple[str, str, str], str] | None = None,
    single_other: bool = False,
) -> TableResult:
    """A TableResult from invented values; `status` overrides a cell's status (value becomes None)."""
    t3 = GOOD_T3 if t3 is None else t3
    t4 = GOOD_T4 if t4 is None else t4
    t2 = GOOD_T2 if t2 is None else t2
    status = status or {}
    schema = SCHEMAS[template]
    cells: list[Cell] = []

    def add(table: str, row: str, col: str, value: float | None) -> None:
        st = status.get((table, row, col), "ok")
        raw = "" if value is None else str(value)
        cells.append(Cell(table, row, col, value if st == "ok" else None, raw, st))

    for row in schema.tables["2"].rows:
        for col in schema.tables["2"].row_columns(row):
            add("2", row.id, col, t2.get((row.id, col), 0))
    for row in schema.tables["3"].rows:
        if template == "2021" and single_other and row.id.startswith("other."):
            cells.extend(Cell("3", row.id, col, None, "", "missing") for col in T3_COLS)
            continue
        if row.id in schema.variants and not single_other:
            continue
        for col, value in zip(T3_COLS, t3.get(row.id, ZERO), strict=True):
            add("3", row.id, col, value)
    for row, values in t4.items():
        for col, value in zip(T4_COLS, values, strict=True):
            add("4", row, col, value)
    return TableResult(template, cells)


def report(prose: str = "") -> Report:
    return Report(Document("invented.txt", "txt", "0" * 64, prose, []), "2021", None, None, "unknown", [])


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


# ---------------------------------------------------------------------------------------------------
# Hard rules


def test_consistent_tables_pass_every_hard_rule() -> None:
    results = run_checks(report(), build())
    hard = [r for r in results if r.severity == "hard"]
    assert {r.status for r in hard} == {"pass"}
    ids = {r.id for r in hard}
    assert {f"R1.{c}" for c in T3_COLS} <= ids and {f"R2.{c}" for c in T3_COLS} <= ids
    assert len([i for i in ids if i.startswith("R3.")]) == 25
    assert {"R4.reconsideration", "R4.litigation_direct", "R4.litigation_after_review", "R5"} <= ids


def test_r1_fails_with_both_sides_in_the_message() -> None:
    t3 = dict(GOOD_T3, carry_forward=(2, 0, 0, 0, 0, 0, 2))
    result = by_id(run_checks(report(), build(t3)))["R1.natural_person"]
    assert result.status == "fail" and (result.expected, result.actual) == (6, 7)
    assert result.message == "表三 自然人列：新收5+上年结转1 ≠ 办理总计5+结转下年2"


def test_r2_fails_when_outcomes_do_not_add_up() -> None:
    t3 = dict(
        GOOD_T3, granted=(3, 1, 0, 0, 0, 0, 4), new_received=(4, 1, 0, 0, 1, 0, 6), carry_forward=(0, 0, 0, 0, 0, 0, 0)
    )
    results = by_id(run_checks(report(), build(t3)))
    r2 = results["R2.natural_person"]
    assert r2.status == "fail" and (r2.expected, r2.actual) == (5, 6)
    assert "予以公开3" in r2.message and "≠" in r2.message
    assert results["R1.natural_person"].status == "pass"


def test_r2_uses_a_printed_single_other_row() -> None:
    t3 = dict(GOOD_T3, other=(0, 0, 0, 0, 0, 0, 0))
    results = by_id(run_checks(report(), build(t3, single_other=True)))
    assert results["R2.total"].status == "pass"
    assert "R3.other" in results and "R3.other.no_fee" not in results
    t3 = dict(t3, other=(1, 0, 0, 0, 0, 0, 1))
    assert by_id(run_checks(report(), build(t3, single_other=True)))["R2.natural_person"].status == "fail"


def test_r3_fails_per_row() -> None:
    t3 = dict(GOOD_T3, granted=(2, 1, 0, 0, 0, 0, 4))
    result = by_id(run_checks(report(), build(t3)))["R3.granted"]
    assert result.status == "fail" and (result.expected, result.actual) == (4, 3)
    assert result.message.startswith("表三「予以公开」行：总计4 ≠ 自然人2+商业企业1")


def test_r4_fails_when_the_total_is_printed_as_zero() -> None:
    t4 = dict(GOOD_T4, reconsideration=(10, 1, 0, 0, 0))
    result = by_id(run_checks(report(), build(t4=t4)))["R4.reconsideration"]
    assert result.status == "fail" and (result.expected, result.actual) == (0, 11)
    assert result.message == "表四 行政复议：总计0 ≠ 维持10+纠正1+其他结果0+尚未审结0"


def test_r5_value_domain() -> None:
    t2 = dict(GOOD_T2)
    t2[("licensing", "decisions")] = -3
    results = run_checks(report(), build(t2=t2))
    bad = [r for r in results if r.id.startswith("R5.")]
    assert [r.id for r in bad] == ["R5.2.licensing.decisions"] and bad[0].status == "fail"
    assert "R5" not in by_id(results)
    decimal = build(dict(GOOD_T3, granted=(2.5, 1, 0, 0, 0, 0, 3)))
    assert by_id(run_checks(report(), decimal))["R5.3.granted.natural_person"].status == "fail"
    # Decimals are fine for the fee amount, signs for the 2019 本年增/减.
    assert by_id(run_checks(report(), build()))["R5"].status == "pass"
    t2_2019 = {("licensing", "change"): -12, ("procurement", "amount"): 25.1}
    assert by_id(run_checks(report(), build(t2=t2_2019, template="2019")))["R5"].status == "pass"


@pytest.mark.parametrize("bad_status", ["blank", "missing", "ambiguous"])
def test_unknown_cells_make_rules_not_assessable(bad_status: str) -> None:
    table = build(status={("3", "granted", "natural_person"): bad_status})
    results = by_id(run_checks(report(), table))
    for rule in ("R2.natural_person", "R3.granted"):
        assert results[rule].status == "not_assessable"
        assert results[rule].expected is None and results[rule].actual is None
    word = {"blank": "空白", "missing": "缺失", "ambiguous": "无法确定"}[bad_status]
    assert word in results["R3.granted"].message
    assert results["R1.natural_person"].status == "pass"  # does not need that cell


def test_a_blank_is_not_zero_even_when_zero_would_pass() -> None:
    # 予以公开/商业企业 is 0 in a consistent table; printed blank it must not pass R3 as if 0.
    t3 = dict(GOOD_T3, granted=(3, 0, 0, 0, 0, 0, 3), new_received=(6, 0, 0, 0, 1, 0, 7), total=(6, 0, 0, 0, 1, 0, 7))
    results = by_id(run_checks(report(), build(t3, status={("3", "granted", "commercial"): "blank"})))
    assert results["R3.granted"].status == "not_assessable"


# ---------------------------------------------------------------------------------------------------
# Soft rules


def test_x1_against_last_year() -> None:
    previous = build(dict(GOOD_T3, carry_forward=(1, 0, 0, 0, 0, 0, 1)))
    results = by_id(run_checks(report(), build(), previous))
    assert results["X1.natural_person"].status == "pass" and results["X1.total"].severity == "soft"
    previous = build(dict(GOOD_T3, carry_forward=(3, 0, 0, 0, 0, 0, 3)))
    result = by_id(run_checks(report(), build(), previous))["X1.total"]
    assert result.status == "fail" and (result.expected, result.actual) == (3, 1)
    assert result.message == "表三 总计列：上年报告结转下年3 ≠ 本年上年结转1"
    previous = build(status={("3", "carry_forward", "total"): "blank"})
    assert by_id(run_checks(report(), build(), previous))["X1.total"].status == "not_assessable"
    assert not any(r.id.startswith("X1") for r in run_checks(report(), build()))


@pytest.mark.parametrize(
    ("prose", "status", "stated"),
    [
        ("2024年，我镇收到政府信息依申请公开7件。", "pass", 7),
        ("全年共受理政府信息公开申请 8 件，均已答复。", "pass", 8),  # 新收7 + 上年结转1
        ("区政府办代表区政府受理政府\n信息公开申请 17 件，均已答复。", "fail", 17),
        ("我镇共收到七个依申请公开事项。", "pass", 7),
        ("本年度共收到5余件申请。", "pass", 5),  # an approximate figure is a lower bound
        ("本年度共收到20余件申请。", "fail", 20),
        ("本年度未收到政府信息公开申请。", "fail", 0),
    ],
)
def test_x2_requests_received(prose: str, status: str, stated: int) -> None:
    result = by_id(run_checks(report(prose), build()))["X2.received"]
    assert (result.status, result.expected, result.severity) == (status, stated, "soft")


def test_x2_chinese_numerals() -> None:
    t3 = dict(GOOD_T3)
    results = by_id(run_checks(report("本年共收到两个依申请公开事项。"), build(t3)))
    assert results["X2.received"].expected == 2 and results["X2.received"].status == "fail"
    results = by_id(run_checks(report("共收到十二件申请。"), build(t3)))
    assert results["X2.received"].expected == 12


def test_x2_reconsideration_litigation_and_carry_forward() -> None:
    prose = "因政府信息公开引发的行政复议案件4件，行政诉讼案件2件。共办结7件，1件结转下年度继续办理。上年结转申请1件。"
    results = by_id(run_checks(report(prose), build()))
    assert results["X2.reconsideration"].status == "pass"
    assert results["X2.litigation"].status == "pass"  # 1 + 1
    assert results["X2.carry_forward"].status == "pass"
    assert results["X2.carried_over"].status == "pass"
    results = by_id(run_checks(report("本年度未发生因政府信息公开引发的行政复议和行政诉讼。"), build()))
    assert results["X2.reconsideration"].status == "fail" and results["X2.reconsideration"].expected == 0
    assert results["X2.litigation"].status == "fail"


def test_x2_processing_fee_is_never_compared_with_administrative_fees() -> None:
    results = by_id(run_checks(report("六、其他需要报告的事项\n全年收取信息处理费共计380元。"), build()))
    fee = results["X2.processing_fee"]
    assert fee.status == "not_assessable" and fee.severity == "soft"
    assert "不是同一事项" in fee.message
    assert "X2.fees" not in results
    results = by_id(run_checks(report("本年度行政事业性收费12.5万元。"), build()))
    assert results["X2.fees"].status == "pass"
    results = by_id(run_checks(report("本年度行政事业性收费130000元。"), build()))
    assert results["X2.fees"].status == "fail" and results["X2.fees"].expected == pytest.approx(13)


def test_x2_not_assessable_when_the_table_cell_is_unknown() -> None:
    table = build(status={("3", "new_received", "total"): "ambiguous", ("3", "total", "total"): "ambiguous"})
    result = by_id(run_checks(report("本年度共收到政府信息公开申请7件。"), table))["X2.received"]
    assert result.status == "not_assessable"


def test_no_template_no_checks() -> None:
    assert run_checks(report("一、概述"), TableResult("pre2019", [])) == []


# ---------------------------------------------------------------------------------------------------
# Known facts of the real corpus


def _real(name: str) -> Report:
    path = SHARED / "corpus" / "github" / name
    if not path.exists():
        pytest.skip(f"{name} not available: the shared folder {SHARED} is absent")
    from gkreport.readers.pdffile import read_pdf

    return Report(read_pdf(str(path), path.read_bytes()), "unknown", None, None, "unknown", [])


@pytest.mark.shared
def test_hongze_2023_table_four_totals_fail_r4() -> None:
    rep = _real("002_hongze_qu_2023.pdf")
    results = by_id(run_checks(rep, extract_tables(rep)))
    assert results["R4.reconsideration"].status == "fail"
    assert results["R4.litigation_after_review"].status == "fail"
    assert results["R4.litigation_direct"].status == "pass"
    assert all(r.status == "pass" for r in results.values() if r.id[:2] in ("R1", "R2", "R3"))


@pytest.mark.shared
def test_hongze_2024_prose_count_differs_from_table() -> None:
    rep = _real("003_hongze_qu_2024.pdf")
    result = by_id(run_checks(rep, extract_tables(rep)))["X2.received"]
    assert (result.status, result.expected, result.actual) == ("fail", 17, 95)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\na中", max_size=40))
def test_prose_lines_are_joined_as_the_substitution_would(text: str) -> None:
    assert _join_lines(text) == re.sub(r"[ \t]*\n[ \t]*", "", text)


def test_decimal_terms_are_shown_as_printed() -> None:
    t3 = dict(GOOD_T3, granted=(2, 1.5, 0, 0, 0, 0, 3.5))
    result = by_id(run_checks(report(), build(t3=t3)))["R3.granted"]
    assert result.status == "pass" and result.actual == 3.5
    assert result.message == (
        "表三「予以公开」行：总计3.5 = 自然人2+商业企业1.5+科研机构0+社会公益组织0+法律服务机构0+其他组织0"
    )


# Pieces that often make up a match of the prose-fact patterns (and near misses without their words).
_FACT_ALPHABET = [
    "结转",
    "顺延",
    "至",
    "到",
    "下一年度",
    "下年",
    "上年度",
    "2024年",
    "继续办理",
    "12件",
    "3",
    "件",
    "余",
    " ",
    "申请",
    "。",
    "，",
    "收到",
    "受理",
    "接到",
    "未",
    "政府信息公开",
    "行政复议",
    "行政诉讼",
    "起",
    "制发",
    "现行有效",
    "规范性文件",
    "行政事业性收费",
    "万元",
    "元",
    "未收取",
    "信息处理费",
    "收费",
    "两",
    "1.5",
    "发生",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_FACT_ALPHABET), max_size=30))
def test_prose_fact_words_hold_in_every_match(parts: list[str]) -> None:
    # The `words` pre-check skips only proses that no pattern of the fact can match.
    from gkreport.checks import _COMPILED, _FEE_WORDS, _PROCESSING_FEE, PROSE_FACTS

    text = "".join(parts)
    for words, patterns in [(f.words, _COMPILED[f.id]) for f in PROSE_FACTS] + [(_FEE_WORDS, _PROCESSING_FEE)]:
        assert words
        for pattern in patterns:
            m = pattern.search(text)
            if m is not None:
                assert any(w in m.group() for w in words), (pattern.pattern, m.group())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_FACT_ALPHABET + ["123", "4", ".", "0"]), max_size=30))
def test_figures_start_where_a_digit_run_starts_as_the_plain_pattern_finds_them(parts: list[str]) -> None:
    # {N} is written so that a pattern starting with it is not retried inside a run of digits: the same
    # statement as with a plain \d+.
    from gkreport.checks import _N, PROSE_FACTS

    plain_n = _N.replace(r"\d(?<!\d\d)\d*", r"\d+")
    assert plain_n != _N
    text = "".join(parts)
    for fact in PROSE_FACTS:
        for pattern in fact.patterns:
            shipped, plain = re.search(pattern, text), re.search(pattern.replace(_N, plain_n), text)
            assert (shipped and (shipped.span(), shipped.groupdict())) == (plain and (plain.span(), plain.groupdict()))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["-", "—", "–", "--", " ", "1", "23", "12345", "页", "\n", "a"]), max_size=20))
def test_page_footer_pattern_equals_the_plain_form(parts: list[str]) -> None:
    from gkreport.checks import _PAGE_FOOTER

    text = "".join(parts)
    assert _PAGE_FOOTER.sub("", text) == re.sub(r"[-—–]+\s*\d{1,4}\s*[-—–]+", "", text)
