"""The summary as one self-contained HTML page: hand-drawn SVG charts (text kept as text, no script) and the
screen blocks as tables.

- themes: a bar per theme, share of tagged reports admitting it;
- trend: a heatmap, years on a true time axis (a year without reports is a visible gap) × themes, share as
  colour, n tagged reports under each year; a year with fewer than `small_group` reports is drawn in grey;
- co-occurrence: a heatmap theme × theme, the number of reports admitting both (the diagonal: admitting one).
"""

from __future__ import annotations

import html
from typing import Any

from rich.cells import cell_len

from gkreport.summary.compute import Group, Summary
from gkreport.summary.page import page
from gkreport.summary.render_text import NONE, Block, small_note, summary_blocks, theme_label, theme_order

CELL_W, CELL_H, FONT_PX = 46, 26, 13
LOW, HIGH = (247, 251, 255), (8, 48, 107)  # colour of share 0 and 1 (a sequential blue)
GREY_LOW, GREY_HIGH = (245, 245, 245), (110, 110, 110)


def _mix(low: tuple[int, int, int], high: tuple[int, int, int], t: float) -> str:
    r, g, b = (round(a + (b - a) * max(0.0, min(1.0, t))) for a, b in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _ink(t: float) -> str:
    return "#fff" if t > 0.55 else "#222"


def _text(x: float, y: float, content: Any, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" font-size="{FONT_PX}" {extra}>'
        f"{html.escape(str(content))}</text>"
    )


def _text_width(text: str) -> int:
    """Pixels a line of SVG text takes, about: a Chinese character is two columns of 0.6 em."""
    return cell_len(text) * (FONT_PX * 6 // 10 + 1)


def _label_width(labels: list[str]) -> int:
    return 12 + max((_text_width(label) for label in labels), default=0)


def _svg(chart_id: str, width: int, height: int, title: str, parts: list[str]) -> str:
    """An SVG chart with a bold title line, wide enough for the title."""
    width = max(width, _text_width(title) + 40)
    heading = _text(0, 16, title, extra='font-weight="bold"')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" width="{width}" height="{height}">'
        f"{heading}{''.join(parts)}</svg>"
    )


def theme_bars(summary: Summary) -> str:
    labels = [theme_label(summary, t["theme"]) for t in summary["themes"]]
    left, bar_w = _label_width(labels), 400
    parts = []
    for i, (t, label) in enumerate(zip(summary["themes"], labels, strict=True)):
        y = 30 + i * CELL_H
        parts.append(_text(left - 8, y + 17, label, "end"))
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{bar_w * t["share"]:.1f}" height="{CELL_H - 8}" '
            f'fill="{_mix(LOW, HIGH, 0.75)}"><title>{html.escape(label)}: {t["reports"]} reports</title>'
            "</rect>"
        )
        parts.append(_text(left + bar_w * t["share"] + 6, y + 17, f"{t['share'] * 100:.0f}% ({t['reports']})"))
    title = f"Share of the {summary['tagged_reports']} tagged reports admitting each theme ({summary['role']})"
    return _svg("themes-chart", left + bar_w + 90, 40 + len(labels) * CELL_H, title, parts)


def trend_heatmap(summary: Summary, groups: list[Group]) -> str:
    """Years as columns on a time axis (one column per calendar year, gaps included), themes as rows."""
    themes = theme_order(summary)
    labels = [theme_label(summary, t) for t in themes]
    left, top = _label_width(labels), 54
    years = {int(g["key"]): g for g in groups if g["key"] is not None}
    first, last = min(years), max(years)
    parts = []
    for col, year in enumerate(range(first, last + 1)):
        x = left + col * CELL_W
        group = years.get(year)
        parts.append(_text(x + CELL_W / 2, top - 22, year, "middle", 'class="year"'))
        if group is None:  # a year without reports: an empty column, not a shorter axis
            parts.append(
                f'<rect x="{x}" y="{top}" width="{CELL_W}" height="{CELL_H * len(themes)}" '
                f'fill="none" stroke="#ddd" stroke-dasharray="3 3"><title>{year}: no reports</title></rect>'
            )
            parts.append(_text(x + CELL_W / 2, top - 6, "–", "middle", 'class="n"'))
            continue
        small = group["small"]
        parts.append(
            _text(
                x + CELL_W / 2,
                top - 6,
                f"n={group['tagged']}{'*' if small else ''}",
                "middle",
                'class="n" fill="#777"' if small else 'class="n"',
            )
        )
        for row, (theme, label) in enumerate(zip(themes, labels, strict=True)):
            share = group["themes"].get(theme, {"share": 0.0, "reports": 0})
            t = share["share"]
            fill = _mix(GREY_LOW, GREY_HIGH, t) if small else _mix(LOW, HIGH, t)
            y = top + row * CELL_H
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL_W - 1}" height="{CELL_H - 1}" fill="{fill}" '
                f'class="cell{" small" if small else ""}"><title>{year} {html.escape(label)}: '
                f"{share['reports']} of {group['tagged']} reports</title></rect>"
            )
            parts.append(_text(x + CELL_W / 2, y + 17, f"{t * 100:.0f}", "middle", f'fill="{_ink(t)}"'))
    for row, label in enumerate(labels):
        parts.append(_text(left - 8, top + row * CELL_H + 17, label, "end"))
    bottom = top + len(themes) * CELL_H
    parts.append(_legend(left, bottom + 14, any(g["small"] for g in years.values()), summary["small_group"]))
    width = max(left + (last - first + 1) * CELL_W, left + 520) + 10  # the legend takes about 500
    return _svg(
        "trend-heatmap",
        width,
        bottom + 60,
        f"Share of tagged reports admitting each theme ({summary['role']}), by year",
        parts,
    )


def _legend(x: int, y: int, with_small: bool, small_group: int) -> str:
    steps = [
        f'<rect x="{x + i * 20}" y="{y}" width="20" height="12" fill="{_mix(LOW, HIGH, i / 9)}"/>' for i in range(10)
    ]
    parts = [_text(x, y + 28, "0%"), _text(x + 200, y + 28, "100% of the year's reports", "start"), *steps]
    if with_small:
        parts += [
            f'<rect x="{x + 230}" y="{y}" width="20" height="12" fill="{_mix(GREY_LOW, GREY_HIGH, 0.5)}"/>',
            _text(x + 256, y + 11, f"* grey: fewer than {small_group} reports"),
        ]
    return "".join(parts)


def cooccurrence_heatmap(summary: Summary) -> str:
    themes = [t["theme"] for t in summary["themes"]]
    admitting = {t["theme"]: t["reports"] for t in summary["themes"]}
    both = {tuple(c["themes"]): c["reports"] for c in summary["cooccurrence"]}
    labels = [theme_label(summary, t) for t in themes]
    left, top = _label_width(labels), 40
    most = max([*both.values(), 1])
    parts = []
    for row, (a, label) in enumerate(zip(themes, labels, strict=True)):
        y = top + row * CELL_H
        parts.append(_text(left - 8, y + 17, label, "end"))
        for col, b in enumerate(themes):
            x = left + col * CELL_W
            if a == b:
                n, fill, ink = admitting[a], "#eee", "#555"
            else:
                n = both.get((min(a, b), max(a, b)), 0)
                fill, ink = _mix(LOW, HIGH, n / most), _ink(n / most)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL_W - 1}" height="{CELL_H - 1}" fill="{fill}">'
                f"<title>{html.escape(a)} + {html.escape(b)}: {n}</title></rect>"
            )
            parts.append(_text(x + CELL_W / 2, y + 17, n, "middle", f'fill="{ink}"'))
    for col, theme in enumerate(themes):  # column heads: the theme ids (their names are on the rows)
        head_x, head_y = left + col * CELL_W + CELL_W // 2, top + len(themes) * CELL_H + 8
        parts.append(
            f'<text x="{head_x}" y="{head_y}" font-size="11" transform="rotate(40 {head_x} {head_y})">'
            f"{html.escape(theme)}</text>"
        )
    return _svg(
        "cooccurrence-heatmap",
        left + len(themes) * CELL_W + 80,
        top + len(themes) * CELL_H + 90,
        f"Reports admitting both themes ({summary['role']}); diagonal: admitting the theme",
        parts,
    )


def html_table(block: Block) -> str:
    if not block.rows:
        return f'<h2>{html.escape(block.title)}</h2><p class="none">{NONE}</p>'
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block.header)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if isinstance(v, int | float) else ''}>{html.escape('' if v is None else str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in block.rows
    )
    note = f'<p class="note">{html.escape(block.note)}</p>' if block.note else ""
    return f"<h2>{html.escape(block.title)}</h2><table><tr>{head}</tr>{rows}</table>{note}"


def render_html(summary: Summary, limit: int | None, embed_font: bool = True) -> str:
    charts: list[str] = []
    if summary["themes_available"] and summary["themes"]:
        charts.append(theme_bars(summary))
        if summary["trend"]:
            charts.append(trend_heatmap(summary, summary["trend"]))
            if any(g["small"] for g in summary["trend"]):
                charts.append(f'<p class="note">{html.escape(small_note(summary))}</p>')
        if len(summary["themes"]) > 1:
            charts.append(cooccurrence_heatmap(summary))
    body = [
        "<h1>Report summary</h1>",
        *(f'<figure class="chart">{c}</figure>' if c.startswith("<svg") else c for c in charts),
    ]
    body += [html_table(block) for block in summary_blocks(summary, limit)]
    return page("gkreport summary", "\n".join(body), embed_font=embed_font)
