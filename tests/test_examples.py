"""The bundled example reports (corpora/examples) and their gold files agree with each other and with the
generator scripts/make_examples.py."""

from __future__ import annotations

import codecs
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from helpers import EXAMPLES, ROOT

from gkreport.normalise import compact, normalise_text

SEGMENTS = ROOT / "annotations" / "gold" / "segments"
TABLES = ROOT / "annotations" / "gold" / "tables"
BROKEN = "ex09"  # deliberately inconsistent example (see corpora/README.md)

EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("ex[0-9][0-9]_*") if p.is_file())
SEGMENT_GOLD = sorted(SEGMENTS.glob("ex[0-9][0-9]_*.json"))
TABLE_GOLD = sorted(TABLES.glob("ex[0-9][0-9]_*.json"))

APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
T3_COLS = (*APPLICANTS, "total")
T3_NON_OUTCOME = ("new_received", "carried_over", "total", "carry_forward")
T4_BLOCKS = ("reconsideration", "litigation_direct", "litigation_after_review")
T4_PARTS = ("upheld", "corrected", "other", "pending")
CELL_COUNTS = {"2021": 10 + 25 * 7 + 15, "2019": 22 + 23 * 7 + 15}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def example_text(path: Path) -> str:
    """Plain text of an example in any of its formats, normalised (a stand-in until readers exist)."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    elif path.suffix == ".docx":
        import docx

        parts = []
        for item in docx.Document(str(path)).iter_inner_content():  # body order: paragraphs and tables
            if isinstance(item, docx.table.Table):
                for row in item.rows:
                    cells = list({id(c._tc): c.text for c in row.cells}.values())  # a merge is one cell
                    parts.append("\t".join(cells))
            else:
                parts.append(item.text)
        text = "\n".join(parts)
    elif path.suffix == ".html":
        from bs4 import BeautifulSoup

        text = BeautifulSoup(data, "lxml").get_text("\n")
    elif path.suffix == ".md":
        text = "\n".join(markdown_line_as_text(line) for line in data.decode("utf-8").splitlines())
    elif data.startswith(codecs.BOM_UTF16_LE):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    return normalise_text(text)


def markdown_line_as_text(line: str) -> str:
    """A Markdown line as a Document would hold it: heading text without #'s, pipe-table rows as tab-joined
    cells, separator rows gone."""
    if not line.startswith("|"):
        return line.lstrip("#").strip() if line.startswith("#") else line
    if set(line) <= set("|-: "):
        return ""
    return "\t".join(cell.strip() for cell in line.strip().strip("|").split("|"))


def code_of(path: Path) -> str:
    return path.name[:4]


def tree(root: Path, parts: list[tuple[Path, str]]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for folder, pattern in parts:
        for path in sorted((root / folder).glob(pattern)):
            if path.is_file():
                out[str(path.relative_to(root))] = path.read_bytes()
    return out


OUTPUTS = [
    (Path("corpora/examples"), "*"),
    (Path("annotations/gold/segments"), "ex[0-9][0-9]_*.json"),
    (Path("annotations/gold/tables"), "ex[0-9][0-9]_*.json"),
]


def test_generator_reproduces_committed_files_byte_for_byte(tmp_path: Path) -> None:
    pytest.importorskip("reportlab", reason="reportlab is needed to regenerate the PDF example")
    load_generator().build(tmp_path)
    generated = tree(tmp_path, OUTPUTS)
    committed = tree(ROOT, OUTPUTS)
    assert sorted(generated) == sorted(committed)
    changed = [name for name in generated if generated[name] != committed[name]]
    assert not changed, f"regenerate with scripts/make_examples.py: {changed}"


def test_examples_cover_templates_formats_and_encodings() -> None:
    assert len(EXAMPLE_FILES) >= 10
    assert len({code_of(p) for p in EXAMPLE_FILES}) == len(EXAMPLE_FILES)
    assert {load(p)["template"] for p in SEGMENT_GOLD} == {"2021", "2019", "pre2019"}
    assert {p.suffix for p in EXAMPLE_FILES} >= {".txt", ".md", ".html", ".docx", ".pdf"}
    texts = [p.read_bytes() for p in EXAMPLE_FILES if p.suffix == ".txt"]
    assert any(b.startswith(codecs.BOM_UTF16_LE) for b in texts)

    def gb18030_only(b: bytes) -> bool:
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            return not b.startswith(codecs.BOM_UTF16_LE) and bool(b.decode("gb18030"))
        return False

    assert any(gb18030_only(b) for b in texts)


@pytest.mark.parametrize("gold", SEGMENT_GOLD + TABLE_GOLD, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_gold_names_an_example_and_its_sha256(gold: Path) -> None:
    record = load(gold)
    example = EXAMPLES / record["doc"]
    assert gold.name == f"{record['doc']}.json"
    assert example.is_file()
    assert hashlib.sha256(example.read_bytes()).hexdigest() == record["sha256"]


def test_every_example_has_segment_gold_and_tables_gold_unless_pre2019() -> None:
    assert [p.name for p in EXAMPLE_FILES] == [p.name.removesuffix(".json") for p in SEGMENT_GOLD]
    with_tables = {p.name.removesuffix(".json") for p in TABLE_GOLD}
    for gold in SEGMENT_GOLD:
        record = load(gold)
        assert (record["doc"] in with_tables) == (record["template"] != "pre2019")


@pytest.mark.parametrize("gold", SEGMENT_GOLD, ids=lambda p: p.name)
def test_segment_gold_headings_and_anchors_occur_in_order(gold: Path) -> None:
    record = load(gold)
    assert record["level"] in {"township", "county", "prefecture", "province", "department"}
    assert str(record["year"]) in record["doc"]
    text = compact(example_text(EXAMPLES / record["doc"]))
    assert [s["number"] for s in record["sections"]] == [1, 2, 3, 4, 5, 6]
    last = -1
    for section in record["sections"]:
        assert section["status"] in {"found", "inferred", "missing"}
        assert (section["heading"] is not None) == (section["status"] == "found")
        if section["status"] == "missing":
            continue
        assert section["anchor"] and len(section["anchor"]) <= 12
        start = last + 1
        if section["heading"]:
            at = text.find(compact(section["heading"]), start)
            assert at >= start, f"section {section['number']} heading not found after offset {start}"
            start = at + len(compact(section["heading"]))
        at = text.find(compact(section["anchor"]), start)
        assert at >= start, f"section {section['number']} anchor not found after offset {start}"
        if section["heading"]:
            assert at == start, "the anchor must start the section body"
        last = at


def values_of(record: dict) -> dict[tuple[str, str, str], float | None]:
    return {(c["table"], c["row"], c["col"]): c["value"] for c in record["cells"]}


def identity_results(record: dict) -> tuple[list[str], list[str]]:
    """(checked, failed) equation names of R1–R4 (domain.md §1c); equations with a blank cell are skipped."""
    v = values_of(record)
    rows3 = list(dict.fromkeys(r for t, r, _ in v if t == "3"))
    outcomes = [r for r in rows3 if r not in T3_NON_OUTCOME]
    equations: list[tuple[str, list[tuple[str, str, str]], list[tuple[str, str, str]]]] = []
    for c in T3_COLS:
        equations.append(
            (
                f"R1[{c}]",
                [("3", "new_received", c), ("3", "carried_over", c)],
                [("3", "total", c), ("3", "carry_forward", c)],
            )
        )
        equations.append((f"R2[{c}]", [("3", "total", c)], [("3", r, c) for r in outcomes]))
    for r in rows3:
        equations.append((f"R3[{r}]", [("3", r, "total")], [("3", r, c) for c in APPLICANTS]))
    for b in T4_BLOCKS:
        equations.append((f"R4[{b}]", [("4", b, "total")], [("4", b, c) for c in T4_PARTS]))
    checked, failed = [], []
    for name, lhs, rhs in equations:
        if any(v[k] is None for k in lhs + rhs):
            continue  # not assessable: a blank is unknown, not 0
        checked.append(name)
        if sum(v[k] for k in lhs) != sum(v[k] for k in rhs):
            failed.append(name)
    return checked, failed


@pytest.mark.parametrize("gold", TABLE_GOLD, ids=lambda p: p.name)
def test_table_gold_is_complete_and_satisfies_r1_to_r4(gold: Path) -> None:
    record = load(gold)
    cells = record["cells"]
    assert len(cells) == CELL_COUNTS[record["template"]]
    assert len({(c["table"], c["row"], c["col"]) for c in cells}) == len(cells)
    for c in cells:
        assert (c["status"] == "blank") == (c["value"] is None)
    checked, failed = identity_results(record)
    all_equations = 2 * 7 + (25 if record["template"] == "2021" else 23) + 3
    blanks = sum(c["value"] is None for c in cells)
    assert len(checked) == all_equations or blanks, "equations were skipped without blank cells"
    assert len(checked) >= 20
    if record["doc"].startswith(BROKEN):
        # the one deliberate error: （七）总计 × 总计 is one too high
        assert failed == ["R1[total]", "R2[total]", "R3[total]"]
    else:
        assert failed == []


def test_blank_cells_appear_in_one_example_with_their_markers() -> None:
    with_blanks = [g for g in TABLE_GOLD if any(c["value"] is None for c in load(g)["cells"])]
    assert len(with_blanks) == 1
    text = example_text(EXAMPLES / load(with_blanks[0])["doc"])
    assert "\t/\t" in text and "—" in text and "\t\t" in text


REQUESTS_STATED = re.compile(r"收到政府信息公开申请(\d+)件")


@pytest.mark.parametrize("gold", TABLE_GOLD, ids=lambda p: p.name)
def test_prose_states_the_table_request_count(gold: Path) -> None:
    record = load(gold)
    stated = {int(n) for n in REQUESTS_STATED.findall(compact(example_text(EXAMPLES / record["doc"])))}
    table = values_of(record)[("3", "new_received", "total")]
    assert len(stated) == 1
    if record["doc"].startswith(BROKEN):
        assert stated != {table}
    else:
        assert stated == {table}
