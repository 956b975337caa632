"""The 勾稽 checks: hard identities of the tables and soft cross-checks against prose and last year.

Every rule is one data entry and yields `pass`, `fail` (with the numbers on both sides) or
`not_assessable` (a cell it needs is blank, missing or ambiguous — a blank is never taken as 0).

Hard rules (severity "hard", domain.md §1c):
- R1.<col>: 新收 + 上年结转 = 办理总计 + 结转下年, per column of table 三.
- R2.<col>: 办理总计 = the sum of every outcome row, per column (a printed single （六）其他处理 row
  stands in for its three items).
- R3.<row>: 总计 = the six applicant columns, per row of table 三.
- R4.<block>: 总计 = 维持 + 纠正 + 其他结果 + 尚未审结, per block of table 四.
- R5: values are non-negative integers, except 收费金额/采购总金额 (decimals) and 本年增/减 (signed).
  One `R5.<table>.<row>.<col>` fail per offending cell; when none offends, a single `R5` pass.

Soft rules (severity "soft"):
- X1.<col>: last year's 结转下年 = this year's 上年结转 (only when a previous TableResult is given).
- X2.<fact>: figures stated in the prose (收到/受理…申请 N 件, 结转…N 件, 行政复议/行政诉讼 N 件/起,
  制发/现行有效规范性文件 N 件, 行政事业性收费) against the tables; the facts, their patterns and the
  cells they sum are data (``data/prose_facts.json``). "20余件" is a lower bound. The
  信息处理费 of section 六 is not the table-二 行政事业性收费, so it is reported as not assessable,
  never as a fail. 主动公开…N 条 has no counterpart in the 2019/2021 tables and is not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import compress
from operator import add, itemgetter
from typing import Literal

from gkreport.segment import Report
from gkreport.tables import Number, TableResult, table_spans
from gkreport.tables import format_number as _fmt
from gkreport.templates import (
    SCHEMAS,
    TABLE_NAMES,
    Equation,
    Schema,
    expand_rules,
    short_col,
    short_row,
    used_variants,
)
from gkreport.templates.official import SUM_RULES

CheckStatus = Literal["pass", "fail", "not_assessable"]
Severity = Literal["hard", "soft"]


@dataclass(slots=True)
class CheckResult:
    id: str
    status: CheckStatus
    expected: Number | None
    actual: Number | None
    message: str
    severity: Severity = "hard"


_STATUS_WORDS = {"blank": "空白", "missing": "缺失", "ambiguous": "无法确定"}
_EPS = 1e-6


def _sum(values: Sequence[Number]) -> Number:
    total: Number = 0
    for v in values:
        total += v
    return round(total, 6) if isinstance(total, float) else total


# ---------------------------------------------------------------------------------------------------
# R1–R4: the sum rules


def _names(eq: Equation, template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The short names of the terms on both sides of an equation (rows for R1/R2, columns else)."""

    def name(cell: tuple[str, str, str]) -> str:
        table, row, col = cell
        return short_row(table, row, template) if eq.rule in ("R1", "R2") else short_col(table, col, template)

    return tuple(name(c) for c in eq.lhs), tuple(name(c) for c in eq.rhs)


def _subject(eq: Equation, template: str) -> str:
    if eq.rule in ("R1", "R2"):
        return f"{TABLE_NAMES[eq.table]} {short_col(eq.table, eq.key, template)}列"
    if eq.table == "4":
        return f"{TABLE_NAMES[eq.table]} {short_row(eq.table, eq.key, template)}"
    return f"{TABLE_NAMES[eq.table]}「{short_row(eq.table, eq.key, template)}」行"


def _total(values: list[Number]) -> Number:
    """`_sum` of the values: the built-in sum where all are ints (exact, and the common case)."""
    total = sum(values)
    return total if type(total) is int else _sum(values)


def _side(names: tuple[str, ...], values: list[Number], short: str | None, total: Number) -> str:
    """One side of an equation as `name value + …`; `short` is its format string when it has few terms,
    `total` the side's `_sum` (an int sum means every term is an int, which formats as _fmt does)."""
    if short is not None:
        return short.format(*values) if type(total) is int else short.format(*map(_fmt, values))
    # R2 has 20+ terms: name the non-zero ones only.
    shown = [name + _fmt(v) for name, v in zip(names, values, strict=True) if v]
    listed = "+".join(shown) if shown else "全部为0"
    return f"各项办理结果之和{_fmt(total)}（{listed}）"


def _short_form(names: tuple[str, ...]) -> str | None:
    """`name{}+name{}…` for a side of at most six terms (each named), None for longer ones."""
    if len(names) > 6:
        return None
    return "+".join(name.replace("{", "{{").replace("}", "}}") + "{}" for name in names)


def _int_form(names: tuple[str, ...]) -> str | None:
    """`_short_form` for int values, as a %-format (`name%d+…`: the cheapest formatting of ints)."""
    if len(names) > 6:
        return None
    return "+".join(name.replace("%", "%%") + "%d" for name in names)


def _int_side(names: tuple[str, ...], values: tuple[int, ...], form: str | None, total: int) -> str:
    """`_side` of int values."""
    if form is not None:
        return form % values
    shown = "+".join(map(add, compress(names, values), map(str, compress(values, values))))  # the non-zero terms
    return f"各项办理结果之和{total}（{shown or '全部为0'}）"


@dataclass(frozen=True, slots=True)
class _SumCheck:
    """One equation with what its message shows, computed once per template and variant rows."""

    eq: Equation
    subject: str
    lhs_names: tuple[str, ...]
    rhs_names: tuple[str, ...]
    lhs_short: str | None  # `_short_form` of each side
    rhs_short: str | None
    lhs_int: str | None  # `_int_form` of each side
    rhs_int: str | None
    # The whole message of int values as one %-format per outcome (= / ≠), where both sides are short.
    forms: tuple[str, str] | None
    terms: Callable[[list[Number | None]], tuple[Number | None, ...]]  # lhs then rhs values, by slot
    n_lhs: int  # how many of the terms are on the left


@dataclass(frozen=True, slots=True)
class _SumChecks:
    """The equations of one template and set of printed variant rows. Every cell they read has a slot
    (an index into one list of values), so a report's values are looked up by cell once, not per term."""

    slots: dict[tuple[str, str, str], int]
    checks: tuple[_SumCheck, ...]


@lru_cache(maxsize=64)
def _sum_checks(template: str, used_variants: tuple[str, ...]) -> _SumChecks:
    # A report that printed exactly `used_variants` instead of their members gets these equations.
    equations = expand_rules(SCHEMAS[template], SUM_RULES, used_variants.__contains__)
    slots: dict[tuple[str, str, str], int] = {}
    checks = []
    for eq in equations:
        lhs_names, rhs_names = _names(eq, template)
        subject, lhs_short, rhs_short = _subject(eq, template), _short_form(lhs_names), _short_form(rhs_names)
        lhs_int, rhs_int = _int_form(lhs_names), _int_form(rhs_names)
        forms = None
        if lhs_int is not None and rhs_int is not None:
            head = subject.replace("%", "%%")
            forms = (f"{head}：{lhs_int} = {rhs_int}", f"{head}：{lhs_int} ≠ {rhs_int}")
        # Both sides have a term, so the getter always returns a tuple.
        terms = itemgetter(*(slots.setdefault(key, len(slots)) for key in eq.lhs + eq.rhs))
        checks.append(
            _SumCheck(
                eq, subject, lhs_names, rhs_names, lhs_short, rhs_short, lhs_int, rhs_int, forms, terms, len(eq.lhs)
            )
        )
    return _SumChecks(slots, tuple(checks))


def _check_equation(check: _SumCheck, values: list[Number | None], tables: TableResult) -> CheckResult:
    """`values` holds the value of each slot's cell where it is `ok`, else None."""
    terms = check.terms(values)
    if None in terms:
        return _unknown_terms(check, tables)
    n = check.n_lhs
    lhs, rhs = terms[:n], terms[n:]
    left: Number = sum(lhs)  # type: ignore[arg-type]
    right: Number = sum(rhs)  # type: ignore[arg-type]
    if type(left) is int and type(right) is int:  # every term an int (the common case): exact
        ok = left == right
        if check.forms is not None:
            message = check.forms[not ok] % terms
        else:
            message = (
                f"{check.subject}：{_int_side(check.lhs_names, lhs, check.lhs_int, left)} "  # type: ignore[arg-type]
                f"{'=' if ok else '≠'} {_int_side(check.rhs_names, rhs, check.rhs_int, right)}"  # type: ignore[arg-type]
            )
        return CheckResult(check.eq.id, "pass" if ok else "fail", left, right, message, "hard")
    left, right = _total(list(lhs)), _total(list(rhs))  # type: ignore[arg-type]
    ok = abs(left - right) < _EPS
    shown_left = _side(check.lhs_names, list(lhs), check.lhs_short, left)  # type: ignore[arg-type]
    shown_right = _side(check.rhs_names, list(rhs), check.rhs_short, right)  # type: ignore[arg-type]
    message = f"{check.subject}：{shown_left} {'=' if ok else '≠'} {shown_right}"
    return CheckResult(check.eq.id, "pass" if ok else "fail", left, right, message, "hard")


def _unknown_terms(check: _SumCheck, tables: TableResult) -> CheckResult:
    """The not-assessable result of an equation with a term that is not `ok`, naming up to three."""
    eq = check.eq
    get = tables.cell_index.get
    unknown: list[str] = []
    for keys, names in ((eq.lhs, check.lhs_names), (eq.rhs, check.rhs_names)):
        for key, name in zip(keys, names, strict=True):
            cell = get(key)
            if cell is None or cell.status != "ok" or cell.value is None:
                status = cell.status if cell is not None else "missing"
                unknown.append(f"「{name}」{_STATUS_WORDS.get(status, status)}")
    shown = "、".join(unknown[:3]) + ("等" if len(unknown) > 3 else "")
    return CheckResult(eq.id, "not_assessable", None, None, f"{check.subject}：{shown}，无法核对", "hard")


# ---------------------------------------------------------------------------------------------------
# R5: value domain


@lru_cache(maxsize=8)
def _kinds(name: str) -> dict[tuple[str, str], str]:
    schema = SCHEMAS[name]
    return {(t, c.id): c.kind for t, spec in schema.tables.items() for c in spec.columns}


def _check_values(schema: Schema, tables: TableResult) -> list[CheckResult]:
    results: list[CheckResult] = []
    known = [c for c in tables.cells if c.status == "ok" and c.value is not None]
    kinds = _kinds(schema.name)
    for cell in known:
        kind = kinds[(cell.table, cell.col)]
        value = cell.value
        if kind == "count" and type(value) is int and value >= 0:
            continue  # the common case
        assert value is not None
        if kind == "signed":
            bad = not float(value).is_integer()
            need = "整数"
        elif kind == "amount":
            bad = value < 0
            need = "非负数"
        else:
            bad = value < 0 or not float(value).is_integer() or isinstance(value, float)
            need = "非负整数"
        if bad:
            name = (
                f"{TABLE_NAMES[cell.table]}「{short_row(cell.table, cell.row, tables.template)}」"
                f"「{short_col(cell.table, cell.col, tables.template)}」"
            )
            results.append(
                CheckResult(
                    f"R5.{cell.table}.{cell.row}.{cell.col}",
                    "fail",
                    None,
                    value,
                    f"{name}应为{need}，表中为 {cell.raw or _fmt(value)}",
                    "hard",
                )
            )
    if results:
        return results
    if not known:
        return [CheckResult("R5", "not_assessable", None, None, "表中没有可读出的数值，无法核对取值", "hard")]
    return [
        CheckResult(
            "R5",
            "pass",
            None,
            None,
            f"已读出的 {len(known)} 个数值均合规（件数为非负整数，金额可为小数，增减可为负）",
            "hard",
        )
    ]


# ---------------------------------------------------------------------------------------------------
# X1: carried over from last year


# the table-三 rows X1 reads: last year's 结转下年 and this year's 上年结转
X1_ROWS: tuple[str, str] = ("carry_forward", "carried_over")


def _check_previous(schema: Schema, tables: TableResult, previous: TableResult) -> list[CheckResult]:
    results = []
    for col in schema.tables["3"].columns:
        before = previous.get("3", X1_ROWS[0], col.id)
        now = tables.get("3", X1_ROWS[1], col.id)
        cid = f"X1.{col.id}"
        subject = f"表三 {col.short}列"
        if before is None or now is None or before.status != "ok" or now.status != "ok":
            which = "上年报告「结转下年」" if before is None or before.status != "ok" else "本年「上年结转」"
            status = before if which.startswith("上年") else now
            word = _STATUS_WORDS.get(status.status if status is not None else "missing", "缺失")
            results.append(
                CheckResult(cid, "not_assessable", None, None, f"{subject}：{which}{word}，无法核对", "soft")
            )
            continue
        ok = abs((before.value or 0) - (now.value or 0)) < _EPS
        results.append(
            CheckResult(
                cid,
                "pass" if ok else "fail",
                before.value,
                now.value,
                f"{subject}：上年报告结转下年{_fmt(before.value)} {'=' if ok else '≠'} 本年上年结转{_fmt(now.value)}",
                "soft",
            )
        )
    return results


def cross_year_checks(tables: TableResult, previous: TableResult) -> list[CheckResult]:
    """X1 alone: `tables` against the same agency's tables of the year before (empty unless both are of a
    2019/2021 template). `run_checks` runs it with the rest; a batch runs it over the stored years."""
    schema = SCHEMAS.get(tables.template)
    if schema is None or previous.template not in SCHEMAS:
        return []
    return _check_previous(schema, tables, previous)


# ---------------------------------------------------------------------------------------------------
# X2: figures stated in the prose


_CN_NUM = "零〇一二两三四五六七八九十百千万"
# Arabic figures anywhere; Chinese numerals (两个, 三件, 十二件) only where the pattern says so. A figure
# starts where a run of digits starts: \d(?<!\d\d)\d* matches what \d+ does there, but a pattern that
# starts with it is not tried again at every later digit of the run (each try backtracks over the run).
_N = r"(?P<n>\d(?<!\d\d)\d*(?:\.\d+)?)\s*(?P<approx>余|多)?\s*"
_NC = rf"(?P<n>\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(?P<approx>余|多)?\s*"
_ANY = r"[^。；;，,\d]"  # inside one clause, no numbers
_PLACEHOLDERS = {"{N}": _N, "{NC}": _NC, "{ANY}": _ANY}

Cell = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class ProseFact:
    """A figure the prose may state, and the table cells (alternative sums) it should equal: one entry of
    ``data/prose_facts.json``."""

    id: str
    what: str  # how the prose says it, for messages
    patterns: tuple[str, ...]  # regexes; group n is the number; no group n means the prose says "none" (0)
    targets: tuple[tuple[Cell, ...], ...]  # pass if the figure equals any of these sums
    target_names: tuple[str, ...]  # one name per target, for messages
    templates: tuple[str, ...] = ("2021", "2019")
    unit_scale: dict[str, float] | None = None  # unit -> factor to the table's unit
    # Every match of `patterns` holds one of these words: a prose without them is not searched (cheap `in`
    # tests instead of regexes that start with a number and so get tried at every position).
    words: tuple[str, ...] = ()


def _expand(pattern: str) -> str:
    """A pattern of the data file with its placeholders ({N}, {NC}, {ANY}) written out."""
    for name, regex in _PLACEHOLDERS.items():
        pattern = pattern.replace(name, regex)
    return pattern


def _load_facts() -> tuple[tuple[ProseFact, ...], tuple[str, ...], tuple[str, ...]]:
    data = json.loads(resources.files("gkreport.data").joinpath("prose_facts.json").read_text(encoding="utf-8"))
    facts = tuple(
        ProseFact(
            f["id"],
            f["what"],
            tuple(_expand(p) for p in f["patterns"]),
            tuple(tuple((c[0], c[1], c[2]) for c in target) for target in f["targets"]),
            tuple(f["target_names"]),
            tuple(f["templates"]),
            f.get("unit_scale"),
            tuple(f.get("words", ())),
        )
        for f in data["facts"]
    )
    return facts, tuple(_expand(p) for p in data["processing_fee"]), tuple(data["processing_fee_words"])


PROSE_FACTS, _FEE_PATTERNS, _FEE_WORDS = _load_facts()

# The fee of section 六 is the 信息处理费 (国办函〔2020〕109号), not the table-二 行政事业性收费: "none
# charged" or the fee with an amount. Two patterns searched apart (see `_check_processing_fee`): as one
# alternation neither literal start is skipped to, 3x slower.
_PROCESSING_FEE = tuple(re.compile(p) for p in _FEE_PATTERNS)
_COMPILED = {fact.id: tuple(re.compile(p) for p in fact.patterns) for fact in PROSE_FACTS}
# [-—–][-—–]* rather than [-—–]+: a leading repeat gets no first-character scan (3x slower search).
_PAGE_FOOTER = re.compile(r"[-—–][-—–]*\s*\d{1,4}\s*[-—–]+")


def _prose(report: Report, tables: TableResult) -> str:
    """The document text without the tables, lines joined (PDF text breaks lines mid-sentence). The spans
    of the tables are those the tables were read from (located again only for tables rebuilt from stored
    cells)."""
    text = report.document.text
    parts = []
    pos = 0
    spans = tables.regions if tables.regions is not None else table_spans(text, report)
    for start, end in sorted(spans):
        parts.append(text[pos:start])
        pos = max(pos, end)
    parts.append(text[pos:])
    prose = "\n".join(parts)
    if "-" in prose or "—" in prose or "–" in prose:  # a footer needs one of its dashes
        prose = _PAGE_FOOTER.sub("", prose)
    return _join_lines(prose)


def _join_lines(text: str) -> str:
    """`text` with every line break and the spaces and tabs around it removed (what the substitution of
    `[ \t]*\n[ \t]*` gives, by string methods: that pattern has no literal start to skip to, ~6x slower)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    inner = [line.strip(" \t") for line in lines[1:-1]]
    return "".join([lines[0].rstrip(" \t"), *inner, lines[-1].lstrip(" \t")])


def _number(text: str) -> Number | None:
    if text[0].isdigit():
        return float(text) if "." in text else int(text)
    import cn2an  # imported on first use: it costs 0.25 s of start-up

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError):
        return None
    return int(value) if float(value).is_integer() else value


def _check_fact(fact: ProseFact, prose: str, tables: TableResult) -> CheckResult | None:
    if fact.words and not any(w in prose for w in fact.words):
        return None
    # Patterns are in order of preference; the first that matches anywhere is the statement.
    match = next((m for m in (p.search(prose) for p in _COMPILED[fact.id]) if m is not None), None)
    if match is None:
        return None
    groups = match.groupdict()
    stated = _number(groups["n"]) if groups.get("n") else 0
    if stated is None:
        return None
    approx = bool(groups.get("approx"))
    if fact.unit_scale and groups.get("unit"):
        stated = round(stated * fact.unit_scale[groups["unit"]], 6)
    said = f"正文“{match.group(0)}”"
    sums: list[tuple[str, Number]] = []
    for name, target in zip(fact.target_names, fact.targets, strict=True):
        cells = [tables.get(*c) for c in target]
        values = [c.value for c in cells if c is not None and c.status == "ok" and c.value is not None]
        if len(values) == len(target):
            sums.append((name, _sum(values)))
    if not sums:
        first = tables.get(*fact.targets[0][0])
        word = _STATUS_WORDS.get(first.status if first is not None else "missing", "缺失")
        return CheckResult(
            fact.id, "not_assessable", stated, None, f"{said}：{fact.target_names[0]}{word}，无法核对", "soft"
        )
    if approx:
        hit = next(((n, v) for n, v in sums if v >= stated - _EPS), None)
    else:
        hit = next(((n, v) for n, v in sums if abs(v - stated) < _EPS), None)
    if hit is not None:
        bound = "不少于" if approx else ""
        return CheckResult(
            fact.id,
            "pass",
            stated,
            hit[1],
            f"{said}与{hit[0]}{_fmt(hit[1])}相符{bound and f'（约数，表中{bound}所述）'}",
            "soft",
        )
    name, value = sums[0]
    others = "、".join(f"{n}{_fmt(v)}" for n, v in sums[1:])
    return CheckResult(
        fact.id, "fail", stated, value, f"{said}与{name}{_fmt(value)}不符" + (f"（{others}）" if others else ""), "soft"
    )


def _check_processing_fee(prose: str) -> CheckResult | None:
    if not any(w in prose for w in _FEE_WORDS):
        return None
    # The leftmost match of either pattern, the first at a tie: what their alternation would find.
    none_charged, amount = (p.search(prose) for p in _PROCESSING_FEE)
    m = (
        none_charged
        if amount is None or (none_charged is not None and none_charged.start() <= amount.start())
        else amount
    )
    if m is None:
        return None
    return CheckResult(
        "X2.processing_fee",
        "not_assessable",
        None,
        None,
        f"正文“{m.group(0)}”说的是信息处理费，与表二「行政事业性收费」不是同一事项，不作比对",
        "soft",
    )


# ---------------------------------------------------------------------------------------------------


def run_checks(report: Report, tables: TableResult, previous: TableResult | None = None) -> list[CheckResult]:
    """All hard and soft checks for one report's tables (empty when no table was found)."""
    if tables.template == "old":  # the pre-2019 statistics table has its own identities
        from gkreport.tables_old.checks import old_checks

        return old_checks(tables)
    schema = SCHEMAS.get(tables.template)
    if schema is None:
        return []
    used = used_variants(schema, lambda row: tables.has_row("3", row))
    plan = _sum_checks(schema.name, used)
    # the value of each slot's cell where it is ok (slots are numbered in the order of `plan.slots`)
    values: list[Number | None] = [
        None if cell is None or cell.status != "ok" else cell.value for cell in map(tables.cell_index.get, plan.slots)
    ]
    results = [_check_equation(check, values, tables) for check in plan.checks]
    results += _check_values(schema, tables)
    if previous is not None:
        results += cross_year_checks(tables, previous)
    prose = _prose(report, tables)
    for fact in PROSE_FACTS:
        if tables.template not in fact.templates:
            continue
        result = _check_fact(fact, prose, tables)
        if result is not None:
            results.append(result)
    fee = _check_processing_fee(prose)
    if fee is not None:
        results.append(fee)
    return results


__all__ = ["PROSE_FACTS", "CheckResult", "ProseFact", "X1_ROWS", "cross_year_checks", "run_checks"]
