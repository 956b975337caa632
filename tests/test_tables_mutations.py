"""A number is tied to its label or not given at all: damaged copies of our examples (a row deleted, its
label lost, two lines run together, a number dropped or blanked) never yield a wrong value marked `ok`.

The reference values are the hand-made gold files of the examples, not the extractor's own output.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from helpers import EXAMPLES, ROOT

from gkreport.readers import read
from gkreport.readers.textfile import read_text_file
from gkreport.segment import segment
from gkreport.tables import extract_tables

GOLD = ROOT / "annotations" / "gold" / "tables"
TEXT_EXAMPLES = sorted(
    p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".md") and (GOLD / f"{p.name}.json").exists()
)
MUTANTS_PER_FILE = 40


def _damage(lines: list[str], k: int, rng: random.Random) -> list[str] | None:
    """One kind of damage met in real files, at line index k (None when it does not apply there)."""
    out = list(lines)
    cells = out[k].split("\t")
    numbers = [i for i, cell in enumerate(cells) if cell.strip().isdigit()]
    kind = rng.randrange(5)
    if kind == 0:
        del out[k]  # a row lost (a page break, a truncated copy)
    elif kind == 1:
        out[k] = "\t".join(c if c.strip().isdigit() else "" for c in cells)  # its label lost
    elif kind == 2 and k + 1 < len(out):
        out[k] += out.pop(k + 1)  # two lines run together
    elif kind == 3 and numbers:
        del cells[rng.choice(numbers)]  # a number lost: the row prints 6 of 7
        out[k] = "\t".join(cells)
    elif kind == 4 and numbers:
        cells[rng.choice(numbers)] = ""  # a number left blank
        out[k] = "\t".join(cells)
    else:
        return None
    return out


@pytest.mark.parametrize("example", TEXT_EXAMPLES, ids=lambda p: p.name)
def test_damaged_tables_never_give_a_wrong_value_marked_ok(example: Path) -> None:
    gold = json.loads((GOLD / f"{example.name}.json").read_text("utf-8"))
    truth = {(c["table"], c["row"], c["col"]): c["value"] for c in gold["cells"] if c["status"] == "ok"}
    doc = read(example)
    lines = doc.text.split("\n")
    table_lines = sorted({c.line for c in extract_tables(segment(doc)).cells if c.status == "ok" and c.line})
    assert table_lines, f"no table cell read in {example.name}"
    rng = random.Random(example.name)  # the same mutants on every run
    wrong: list[str] = []
    for _ in range(MUTANTS_PER_FILE):
        damaged = _damage(lines, rng.choice(table_lines) - 1, rng)
        if damaged is None:
            continue
        data = "\n".join(damaged).encode("utf-8")
        cells = extract_tables(segment(read_text_file(example.name, data, "txt"))).cells
        wrong += [
            f"{c.table}/{c.row}/{c.col}: {c.value} (gold {truth[(c.table, c.row, c.col)]})"
            for c in cells
            if c.status == "ok" and (c.table, c.row, c.col) in truth and c.value != truth[(c.table, c.row, c.col)]
        ]
    assert not wrong, wrong[:5]
