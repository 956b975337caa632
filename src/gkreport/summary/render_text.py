"""The summary on screen: titled blocks drawn as a rich table (`--format table`) or Markdown.

Year × theme is one matrix (a row per year: its tagged reports n and each theme's share), so is a `--by`
breakdown; a year with fewer than `small_group` tagged reports is marked "*". Representative passages are
shown in full and wrapped; an empty block says "none". Cells are given to rich as text, never pre-padded, so
a Chinese character counts two columns wide.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from gkreport.summary.compute import Group, Summary

NONE = "none"
SCREEN_WIDTH = 120


@dataclass
class Block:
    """One titled table of the summary as shown on a screen or page."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    note: str | None = None
    wrap: set[int] = field(default_factory=set)  # columns of long text, wrapped rather than cut
    matrix: bool = False  # a grid of numbers: drawn without vertical rules, so a dozen columns fit


def pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def short_name(name: str) -> str:
    """The first part of a taxonomy name ("公开渠道/平台/新媒体/形式" → "公开渠道"): a matrix column heading."""
    return name.split("/", 1)[0]


def theme_label(summary: Summary, theme: str) -> str:
    return f"{theme} {summary['theme_names'].get(theme, '')}".strip()


def theme_order(summary: Summary) -> list[str]:
    """Themes most admitted first, then any that only a group admits."""
    order = [t["theme"] for t in summary["themes"]]
    groups = summary["by"]["groups"] + summary["trend"]
    return order + sorted({t for g in groups for t in g["themes"]} - set(order))


def small_note(summary: Summary) -> str:
    return f"* fewer than {summary['small_group']} reports tagged: the shares swing with one report"


def _capped(rows: list[list[Any]], limit: int | None, width: int) -> list[list[Any]]:
    """The first `limit` rows and, if some are left out, a row saying how many (screen formats only)."""
    if limit is None or len(rows) <= limit:
        return rows
    return rows[:limit] + [[f"… {len(rows) - limit} more (all of them: --format json or csv)"] + [""] * (width - 1)]


def matrix_block(summary: Summary, title: str, field_name: str, groups: list[Group], limit: int | None) -> Block:
    """A row per group: its key (marked * when small), n tagged, and the share admitting each theme."""
    themes = theme_order(summary)
    names = summary["theme_names"]
    header = [field_name, "n", *(short_name(names.get(t, t)) for t in themes)]
    rows = [
        [
            f"{g['key'] if g['key'] is not None else '(none)'}{' *' if g['small'] else ''}",
            g["tagged"],
            *(pct(g["themes"][t]["share"]) if t in g["themes"] else "0%" for t in themes),
        ]
        for g in groups
    ]
    note = small_note(summary) if any(g["small"] for g in groups) else None
    return Block(title, header, _capped(rows, limit, len(header)), note, matrix=True)


def summary_blocks(summary: Summary, limit: int | None = None) -> list[Block]:
    """The summary as titled blocks. `limit` caps the long lists (co-occurring pairs, recurring themes,
    repetition: flagged and most similar first, a `--by` breakdown); None keeps every row."""
    role = summary["role"]
    blocks = [
        Block(
            "Overview",
            ["reports", "errors", "tagged by a model", "role", "year"],
            [
                [
                    summary["reports"],
                    summary["errors"],
                    summary["tagged_reports"],
                    role,
                    summary["year"] if summary["year"] is not None else "all",
                ]
            ],
        )
    ]
    if summary["themes_available"]:
        blocks.append(
            Block(
                f"Themes ({role}): share of the tagged reports admitting each",
                ["theme", "name", "reports", "share", "passages"],
                [[t["theme"], t["name"], t["reports"], pct(t["share"]), t["passages"]] for t in summary["themes"]],
            )
        )
        by = summary["by"]
        if summary["trend"]:
            blocks.append(
                matrix_block(
                    summary,
                    f"Share admitting each theme ({role}) by year, n = reports tagged",
                    "year",
                    summary["trend"],
                    None,
                )
            )
        if by["field"] != "year" or not summary["trend"]:
            blocks.append(
                matrix_block(
                    summary, f"Share admitting each theme ({role}) by {by['field']}", by["field"], by["groups"], limit
                )
            )
        blocks.append(
            Block(
                "Representative passages (highest-scoring, one per report and text)",
                ["theme", "agency", "year", "score", "text"],
                [
                    [t["theme"] if i == 0 else "", e["agency"], e["year"], e["score"], e["text"]]
                    for t in summary["themes"]
                    for i, e in enumerate(t["examples"])
                ],
                wrap={4},
            )
        )
        blocks.append(
            Block(
                "Themes admitted together",
                ["theme", "theme", "reports"],
                _capped(
                    [
                        [theme_label(summary, c["themes"][0]), theme_label(summary, c["themes"][1]), c["reports"]]
                        for c in summary["cooccurrence"]
                    ],
                    limit,
                    3,
                ),
            )
        )
        blocks.append(
            Block(
                "Problems no improvement addresses",
                ["theme", "reports with the problem", "unanswered"],
                [
                    [theme_label(summary, u["theme"]), u["problem_reports"], u["unanswered"]]
                    for u in summary["unanswered"]
                ],
            )
        )
        blocks.append(
            Block(
                "Same weakness in consecutive years",
                ["agency", "theme", "years"],
                _capped(
                    [
                        [r["agency"], theme_label(summary, r["theme"]), "–".join(map(str, r["years"]))]
                        for r in summary["recurring"]
                    ],
                    limit,
                    3,
                ),
            )
        )
    else:
        blocks.append(Block("Themes", ["note"], [[summary["note"]]]))
    repetition = (
        sorted(summary["repetition"], key=lambda r: -r["jaccard"]) if limit is not None else summary["repetition"]
    )
    blocks.append(
        Block(
            "Repetition of sections 五+六 (char 3-gram Jaccard)",
            ["agency", "years", "jaccard", "> 50%"],
            _capped(
                [
                    [r["agency"], f"{r['year']}–{r['next_year']}", r["jaccard"], "yes" if r["flag"] else ""]
                    for r in repetition
                ],
                limit,
                4,
            ),
        )
    )
    blocks.append(
        Block(
            "Table health: reports failing each check family",
            ["family", "reports", "share"],
            [[c["family"], c["reports"], pct(c["share"])] for c in summary["checks"]]
            + [[f"tables {k}", v["reports"], pct(v["share"])] for k, v in summary["tables"].items()],
        )
    )
    return blocks


def render_markdown(blocks: list[Block], title: str = "Report summary") -> str:
    def cell(value: Any) -> str:
        return " ".join(str(value if value is not None else "").split()).replace("|", "\\|")

    out: list[str] = [f"# {title}", ""]
    for block in blocks:
        out += [f"## {block.title}", ""]
        if not block.rows:
            out += [NONE, ""]
            continue
        out += ["| " + " | ".join(map(cell, block.header)) + " |", "|" + "---|" * len(block.header)]
        out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in block.rows]
        if block.note:
            out += ["", block.note]
        out.append("")
    return "\n".join(out)


def render_table(blocks: list[Block], width: int = SCREEN_WIDTH) -> str:
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table as RichTable

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, legacy_windows=False)
    for block in blocks:
        if not block.rows:
            console.print(f"{block.title}: {NONE}\n")
            continue
        table = RichTable(
            title=block.title,
            title_justify="left",
            caption=block.note,
            caption_justify="left",
            min_width=min(width, cell_len(block.title)),
            box=box.SIMPLE_HEAD if block.matrix else box.HEAVY_HEAD,
            show_edge=not block.matrix,
            collapse_padding=block.matrix,
        )
        for i, name in enumerate(block.header):  # fold, never cut: every character stays readable
            table.add_column(
                name,
                overflow="fold",
                ratio=1 if i in block.wrap else None,
                justify="right" if block.matrix and i > 0 else "left",
            )
        for row in block.rows:
            table.add_row(*(str(v) if v is not None else "" for v in row))
        console.print(table)
        console.print()
    return buffer.getvalue()
