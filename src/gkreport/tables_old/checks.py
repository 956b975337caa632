"""Checks of the pre-2019 statistics table (table `old`), registered by `gkreport.checks.run_checks`.

Only identities that hold in the real tables are here (measured on the 85 tables of the 平潭 corpus,
values read without splitting by identities; see README):
- O1.<total>.<col> (hard): a total = the sum of the 其中 items printed under it: 受理申请总数 = its
  channels (120 of 124 hold), 答复总数 = its types (106 of 108), 办结 = 同意 + 拒绝提供, 拒绝提供 = its
  reasons, 咨询数 = its channels (4 of 4 each).
- O3.<col> (hard): 主动公开 ≥ the channels listed under it (72 of 72; equal in 65: some tables list only
  网站 and 公报 while the total counts other channels too).
- O2.<row> (hard): 历年累计 ≥ 本年度 (660 of 661 rows). One fail per offending row, one pass otherwise.
- O4.<col> (soft): 受理申请总数 = 答复总数 (106 of 109; a request may be answered the next year).
A blank, missing or ambiguous cell makes a check `not_assessable`, never 0.
"""

from __future__ import annotations

from gkreport.checks import CheckResult
from gkreport.tables import Cell, Number, TableResult, format_number
from gkreport.tables_old.schema import CHILDREN, OLD_SCHEMA, TABLE, holds

_UNKNOWN = {"blank": "空白", "missing": "缺失", "ambiguous": "无法确定"}


def _short(row: str) -> str:
    return OLD_SCHEMA.row(row).short


def _col(col: str) -> str:
    return OLD_SCHEMA.column(col).short


def _unknown(cells: list[tuple[str, Cell | None]]) -> str | None:
    """Why some of the cells cannot be used (None when all are ok)."""
    bad = [
        f"「{name}」{_UNKNOWN.get(c.status if c else 'missing', '缺失')}"
        for name, c in cells
        if c is None or c.status != "ok" or c.value is None
    ]
    return "、".join(bad[:3]) + ("等" if len(bad) > 3 else "") if bad else None


def _columns(tables: TableResult) -> list[str]:
    return list(dict.fromkeys(c.col for c in tables.cells if c.table == TABLE))


def _sum_checks(tables: TableResult, cols: list[str]) -> list[CheckResult]:
    results: list[CheckResult] = []
    for identity in OLD_SCHEMA.sums:
        items = [r for r in CHILDREN.get(identity.total, []) if tables.has_row(TABLE, r)]
        if not tables.has_row(TABLE, identity.total) or not items:
            continue
        for col in cols:
            check_id = f"{identity.id}.{identity.total}.{col}" if identity.id == "O1" else f"{identity.id}.{col}"
            subject = f"统计表「{_short(identity.total)}」{_col(col)}"
            named = [(_short(r), tables.get(TABLE, r, col)) for r in (identity.total, *items)]
            why = _unknown(named)
            if why is not None:
                results.append(CheckResult(check_id, "not_assessable", None, None, f"{subject}：{why}，无法核对"))
                continue
            total: Number = named[0][1].value  # type: ignore[union-attr, assignment]
            parts: list[Number] = [c.value for _n, c in named[1:]]  # type: ignore[union-attr, misc]
            ok = holds(total, parts, identity.relation)
            sign = ("≥" if ok else "<") if identity.relation == ">=" else ("=" if ok else "≠")
            shown = "+".join(f"{name}{format_number(c.value)}" for name, c in named[1:])  # type: ignore[union-attr]
            # A pass is no evidence where this very identity chose how run-together digits split.
            circular = any(f"split by {identity.id}" in c.note for _n, c in named)  # type: ignore[union-attr]
            results.append(
                CheckResult(
                    check_id,
                    "pass" if ok else "fail",
                    total,
                    sum(parts),
                    f"{subject}：{format_number(total)} {sign} {shown}"
                    + ("（数字连排，按此式拆分）" if circular else ""),
                )
            )
    return results


def _cumulative_checks(tables: TableResult, cols: list[str]) -> list[CheckResult]:
    if "year" not in cols or "cumulative" not in cols:
        return []
    results: list[CheckResult] = []
    compared = 0
    for row in tables.rows(TABLE):
        year, cum = tables.value(TABLE, row, "year"), tables.value(TABLE, row, "cumulative")
        if year is None or cum is None:
            continue
        compared += 1
        if cum < year:
            results.append(
                CheckResult(
                    f"O2.{row}",
                    "fail",
                    year,
                    cum,
                    f"统计表「{_short(row)}」：历年累计{format_number(cum)} 小于本年度{format_number(year)}",
                )
            )
    if not results:
        message = f"统计表：{compared} 行的历年累计均不小于本年度" if compared else "统计表：没有可比较的行"
        results.append(CheckResult("O2", "pass" if compared else "not_assessable", None, None, message))
    return results


def _received_answered(tables: TableResult, cols: list[str]) -> list[CheckResult]:
    if not (tables.has_row(TABLE, "requests") and tables.has_row(TABLE, "answers")):
        return []
    results: list[CheckResult] = []
    for col in cols:
        subject = f"统计表 {_col(col)}"
        named = [(_short(r), tables.get(TABLE, r, col)) for r in ("requests", "answers")]
        why = _unknown(named)
        if why is not None:
            results.append(
                CheckResult(f"O4.{col}", "not_assessable", None, None, f"{subject}：{why}，无法核对", "soft")
            )
            continue
        received, answered = (c.value for _n, c in named)  # type: ignore[union-attr]
        ok = received == answered
        results.append(
            CheckResult(
                f"O4.{col}",
                "pass" if ok else "fail",
                received,
                answered,
                f"{subject}：受理申请{format_number(received)} {'=' if ok else '≠'} 答复{format_number(answered)}",
                "soft",
            )
        )
    return results


def old_checks(tables: TableResult) -> list[CheckResult]:
    """All checks of a table-`old` result."""
    cols = _columns(tables)
    return _sum_checks(tables, cols) + _cumulative_checks(tables, cols) + _received_answered(tables, cols)


__all__ = ["old_checks"]
