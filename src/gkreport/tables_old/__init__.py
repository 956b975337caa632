"""The statistics table of pre-2019 reports (政府信息公开情况统计表 / 附表) read as a table: schema `old`.

Before the 2019 template, a report ended with a free-form table of indicators: 指标名称, 计量单位 and one
or two value columns (本年度 or 年末统计 or 数量, and often 历年累计). Its rows differ between years and
bodies (主动公开信息数 / 主动公开文件数, 否决公开答复数 / 不予公开答复数, typos such as 行政复试数), so:

1. The table is found by its header (指标名称 … 单位 … column words) from `start` on; the header also
   says which value columns the table has.
2. The text after it is cut into entries: label words, a unit (条/件/元…), then the numbers. An ordinal
   run into the numbers before it (条002.网上申请数: 00, then 2.) is given back to the next label.
   The table ends at the first entry with no unit or no label like any row (a signature, a date).
3. Each label is matched to the schema row it resembles most (`label_similarity`); a 其中 item must
   belong to a row printed before it, which tells 其他 under 拒绝提供 from 其他 under 咨询.
4. Numbers run together (平潭 archive pages: 条212210037) are split into the columns in every way that
   has no leading zeros and 历年累计 ≥ 本年度; the sum identities of `data/old_table.json` then narrow
   the splits of a group of rows jointly. A unique survivor is `ok`; otherwise the cells that differ
   are `ambiguous`. A row with fewer numbers than columns is `ambiguous` (which cell is empty is not
   printed), and then no row of that table is split either: its blanks are not printed.

`read_old_table(text, start)` reads from any offset (the lead may pass the appendix start);
`extract_old(report)` finds the header itself.
"""

from gkreport.tables_old.output import col_label, render_text, row_label, rows_for_csv
from gkreport.tables_old.reader import extract_old, locate_old_table, read_old_table
from gkreport.tables_old.schema import OLD_SCHEMA, TABLE, label_similarity, match_row, normalise_label

__all__ = [
    "OLD_SCHEMA",
    "TABLE",
    "col_label",
    "extract_old",
    "label_similarity",
    "locate_old_table",
    "match_row",
    "normalise_label",
    "read_old_table",
    "render_text",
    "row_label",
    "rows_for_csv",
]
