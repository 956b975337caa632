"""Exact extraction of tables 二, 三 and 四 from a segmented report.

The extractor anchors on row labels, never on positions:

1. Each table is located by its anchors (第二十条第（一）项, the 勾稽 note / 申请人情况 / 本年新收, the first
   复议 after table 三, and the heading of section 五 as the end), so it works whether or not the section
   headings were found.
2. One combined regex per table finds the row labels (letter-spaced, line-broken, typo-tolerant). The text
   between one label and the next is the row's *zone*; the numbers in it are read per line and per cell
   (tabs, Markdown pipes, space-separated PDF lines, one cell per line, or digits run together).
3. A row whose numbers do not fit its columns gets several candidate readings (which column was lost,
   which number is extra, how a run of digits splits). Table 三 readings are narrowed by R3 per row and
   then jointly by R1/R2 across rows; a unique survivor is `ok`, otherwise the cells that differ are
   `ambiguous`. Nothing is guessed.
4. Values whose label got separated from them (PDF-to-Markdown debris) are placed by row order only where
   the count of such value lines equals the count of unlabelled rows between two labelled rows.

Every cell carries its value (None when unknown), the raw text, a status and its line/offset in
`report.document.text`. A blank ("", "/", "—", "-") is never 0.

The modules, in reading order: `model` (Cell, TableResult), `locate` (table regions, template), `labels`
(row-label search), `scan` (numbers with their positions), `readings` (candidate readings of a row), `rows`
(numbers placed on rows), `cells` (readings into cells), `t3` (table 三 and its solver), `extract` (the
entry point, tables 二 and 四), `render` (CSV rows and text).
"""

from gkreport.tables.extract import extract_tables
from gkreport.tables.locate import table_spans
from gkreport.tables.model import Cell, CellStatus, Number, TableResult
from gkreport.tables.readings import MAX_READINGS, MAX_SPLITS
from gkreport.tables.render import CSV_FIELDS, csv_row, format_number, render_text, show_cell, table_rows_for_csv
from gkreport.tables.t3 import MAX_JOINT
from gkreport.templates import cell_label

__all__ = [
    "CSV_FIELDS",
    "MAX_JOINT",
    "MAX_READINGS",
    "MAX_SPLITS",
    "Cell",
    "CellStatus",
    "Number",
    "TableResult",
    "cell_label",
    "extract_tables",
    "csv_row",
    "format_number",
    "render_text",
    "show_cell",
    "table_rows_for_csv",
    "table_spans",
]
