"""The official table templates of the annual report, as data.

One schema type, `Schema`, with two instances: `SCHEMAS["2021"]` (国办公开办函〔2021〕30号) and
`SCHEMAS["2019"]` (国办公开办函〔2019〕60号, used for the 2019 and 2020 reports). Cells are addressed by
(table, row id, column id); the ids are the project's contract (see the issue and the gold README).

The row and column definitions themselves live in `gkreport.templates.official`; this module holds the
types and the small lookups built from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

TableId = Literal["2", "3", "4"]
ValueKind = Literal["count", "amount", "signed"]

TABLE_NAMES: dict[str, str] = {"2": "表二", "3": "表三", "4": "表四"}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One data column: id, the official header text, a short form for messages, and what it may hold."""

    id: str
    label: str
    short: str
    kind: ValueKind = "count"  # count: non-negative integer; amount: decimal allowed; signed: +/- allowed
    unit: str | None = None  # the unit the template prints in the header (万元), if any


@dataclass(frozen=True, slots=True)
class RowSpec:
    """One data row of a table.

    `aliases` are label phrases in a tiny pattern syntax: literal text, `[...]` for an optional part and
    `…` for up to three characters of anything but digits (typos such as 其他法律行政止公开). Matching
    ignores white space between characters, so letter-spaced and line-broken labels still match.
    `prefix` is the printed ordinal before the label: "一" for 一、, "(一)" for （一）, "1" for 1. / 1、;
    `prefix_required` is set where the bare phrase would be too common (（七）总计, 3.其他).
    `wording` is the full text of the label cell after its ordinal where `label` gives less (the note of
    （二）部分公开); `words` gives it for every row. A label that wraps over lines is followed through it.
    """

    id: str
    label: str
    short: str
    aliases: tuple[str, ...]
    prefix: str | None = None
    prefix_required: bool = False
    columns: tuple[str, ...] | None = None  # table 二: the columns this row has (they differ per block)
    block: str | None = None  # table 二: the 第二十条 item the row is printed under (第二十条第（一）项)
    members: tuple[str, ...] = ()  # a group head printed as a row in some reports (（六）其他处理)
    wording: str = ""

    @property
    def words(self) -> str:
        """The label cell's official words without group head and ordinal (申请人无正当理由逾期不补正、…)."""
        return self.wording or _ORDINAL.sub("", self.label.rsplit(" ", 1)[-1], count=1)


_ORDINAL = re.compile(r"(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")


@dataclass(frozen=True, slots=True)
class TableSpec:
    id: TableId
    title: str
    rows: tuple[RowSpec, ...]
    columns: tuple[ColumnSpec, ...]
    # Lookups by id, built once: the extractor asks for a row's spec at every label it reads.
    _rows_by_id: dict[str, RowSpec] = field(init=False, repr=False, compare=False)
    _columns_by_id: dict[str, ColumnSpec] = field(init=False, repr=False, compare=False)
    _column_ids: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows: dict[str, RowSpec] = {}
        for row in self.rows:
            rows.setdefault(row.id, row)  # the first of a repeated id, as a scan would find
        columns: dict[str, ColumnSpec] = {}
        for col in self.columns:
            columns.setdefault(col.id, col)
        object.__setattr__(self, "_rows_by_id", rows)
        object.__setattr__(self, "_columns_by_id", columns)
        object.__setattr__(self, "_column_ids", tuple(col.id for col in self.columns))

    def row(self, row_id: str) -> RowSpec:
        return self._rows_by_id[row_id]

    def column(self, col_id: str) -> ColumnSpec:
        return self._columns_by_id[col_id]

    def row_columns(self, row: RowSpec) -> tuple[str, ...]:
        return row.columns if row.columns is not None else self._column_ids


@dataclass(frozen=True, slots=True)
class Schema:
    """One template version: its three tables and the table-三 rows that the 总计 row sums up."""

    name: Literal["2021", "2019"]
    tables: dict[str, TableSpec]
    outcome_rows: tuple[str, ...]  # the rows whose sum is （七）总计 (R2), in official order
    # Rows a report may print instead of a group of official rows (洪泽区 prints one （六）其他处理 row in a
    # 2021 table): variant row id -> the official rows it stands for. Not part of the official cell list.
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def official_cells(self) -> list[tuple[str, str, str]]:
        """(table, row, col) of every official data cell, in reading order."""
        cells: list[tuple[str, str, str]] = []
        for table_id in ("2", "3", "4"):
            table = self.tables[table_id]
            for row in table.rows:
                if row.id in self.variants:
                    continue
                cells.extend((table_id, row.id, col) for col in table.row_columns(row))
        return cells


@dataclass(frozen=True, slots=True)
class SumRule:
    """A 勾稽 identity as data: for every row (or column) of `table`, Σ lhs = Σ rhs.

    `over="columns"`: one equation per column, lhs/rhs are row ids. `over="rows"`: one equation per row,
    lhs/rhs are column ids. The rhs `OUTCOMES` stands for the template's outcome rows (R2).
    """

    id: str
    table: TableId
    over: Literal["columns", "rows"]
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    title: str  # what the rule says, for messages and docs


OUTCOMES = "<outcomes>"


@dataclass(frozen=True, slots=True)
class Equation:
    """One instance of a SumRule: Σ lhs cells = Σ rhs cells. Cells are (table, row, col)."""

    id: str
    rule: str
    table: str
    key: str  # the row or column the equation is about
    lhs: tuple[tuple[str, str, str], ...]
    rhs: tuple[tuple[str, str, str], ...]


def expand_rules(schema: Schema, rules: tuple[SumRule, ...], has_row: Callable[[str], bool]) -> tuple[Equation, ...]:
    """The equations of `rules` for `schema`.

    `has_row(row_id)` says whether a report printed a row; it decides whether a variant row (one （六）
    其他处理 row in a 2021 table) replaces its official members in R2, and which table-三 rows get an R3.
    """
    # Only the variant rows change the equations, so the expansion is cached on them.
    return _expand(schema.name, rules, used_variants(schema, has_row))


def used_variants(schema: Schema, has_row: Callable[[str], bool]) -> tuple[str, ...]:
    """The variant rows a report printed instead of all their members, sorted (the key of `_expand`)."""
    return tuple(
        sorted(v for v, members in schema.variants.items() if has_row(v) and not any(has_row(m) for m in members))
    )


@lru_cache(maxsize=64)
def _expand(name: str, rules: tuple[SumRule, ...], used_variants: tuple[str, ...]) -> tuple[Equation, ...]:
    schema = SCHEMAS[name]

    def has_row(row_id: str) -> bool:
        if row_id in schema.variants:
            return row_id in used_variants
        return not any(row_id in schema.variants[v] for v in used_variants)

    equations: list[Equation] = []
    for rule in rules:
        table = schema.tables[rule.table]
        if rule.over == "columns":
            rhs_rows = _outcome_rows(schema, has_row) if rule.rhs == (OUTCOMES,) else rule.rhs
            for col in table.columns:
                equations.append(
                    Equation(
                        f"{rule.id}.{col.id}",
                        rule.id,
                        rule.table,
                        col.id,
                        tuple((rule.table, row, col.id) for row in rule.lhs),
                        tuple((rule.table, row, col.id) for row in rhs_rows),
                    )
                )
        else:
            for row in table.rows:
                # A variant row counts only where the report printed it instead of its members.
                if row.id in schema.variants and not has_row(row.id):
                    continue
                if _replaced(schema, row.id, has_row):
                    continue
                equations.append(
                    Equation(
                        f"{rule.id}.{row.id}",
                        rule.id,
                        rule.table,
                        row.id,
                        tuple((rule.table, row.id, col) for col in rule.lhs),
                        tuple((rule.table, row.id, col) for col in rule.rhs),
                    )
                )
    return tuple(equations)


def _replaced(schema: Schema, row_id: str, has_row: Callable[[str], bool]) -> bool:
    """Whether `row_id` is an official row that a printed variant row stands in for."""
    return any(
        row_id in members and has_row(variant) and not any(has_row(m) for m in members)
        for variant, members in schema.variants.items()
    )


def _outcome_rows(schema: Schema, has_row: Callable[[str], bool]) -> tuple[str, ...]:
    rows = list(schema.outcome_rows)
    for variant, members in schema.variants.items():
        if has_row(variant) and not any(has_row(m) for m in members):
            first = rows.index(members[0])
            rows = [r for r in rows if r not in members]
            rows.insert(first, variant)
    return tuple(rows)


def _load() -> dict[str, Schema]:
    from gkreport.templates.official import SCHEMA_2019, SCHEMA_2021

    return {"2021": SCHEMA_2021, "2019": SCHEMA_2019}


SCHEMAS: dict[str, Schema] = _load()


@lru_cache(maxsize=1024)
def row_label(table: str, row: str, template: str = "2021") -> str:
    """The official Chinese label of a row ("（三）不予公开 1.属于国家秘密"), or the id if unknown."""
    for name in (template, "2021", "2019"):
        schema = SCHEMAS.get(name)
        if schema is None:
            continue
        try:
            return schema.tables[table].row(row).label
        except KeyError:
            continue
    return row


@lru_cache(maxsize=1024)
def col_label(table: str, col: str, template: str = "2021") -> str:
    """The official Chinese header of a column ("自然人", "本年制发件数"), or the id if unknown."""
    for name in (template, "2021", "2019"):
        schema = SCHEMAS.get(name)
        if schema is None:
            continue
        try:
            return schema.tables[table].column(col).label
        except KeyError:
            continue
    return col


@lru_cache(maxsize=1024)
def cell_label(table: str, row: str, col: str, template: str = "2021") -> str:
    """A cell's Chinese name for display, e.g. "表三「（七）总计」「自然人」"; a cell of a pre-2019 统计表
    (table `old`) by that table's own labels."""
    from gkreport.tables_old.schema import TABLE as OLD_TABLE

    if table == OLD_TABLE:
        from gkreport.tables_old.output import col_label as old_col
        from gkreport.tables_old.output import row_label as old_row

        return f"统计表「{old_row(row).strip()}」「{old_col(col)}」"
    row_text = row_label(table, row, template)
    return f"{TABLE_NAMES.get(table, table)}「{row_text}」「{col_label(table, col, template)}」"


@lru_cache(maxsize=1024)
def short_row(table: str, row: str, template: str = "2021") -> str:
    for name in (template, "2021", "2019"):
        schema = SCHEMAS.get(name)
        if schema is None:
            continue
        try:
            return schema.tables[table].row(row).short
        except KeyError:
            continue
    return row


@lru_cache(maxsize=1024)
def short_col(table: str, col: str, template: str = "2021") -> str:
    for name in (template, "2021", "2019"):
        schema = SCHEMAS.get(name)
        if schema is None:
            continue
        try:
            return schema.tables[table].column(col).short
        except KeyError:
            continue
    return col
