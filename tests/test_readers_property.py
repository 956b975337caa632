"""Property tests for gkreport.readers: any bytes give a consistent Document or a ReportError.

Inputs are arbitrary bytes, arbitrary text in several encodings, and valid DOCX/PDF/HTML files
with bytes flipped or cut off, written under every suffix the readers know and under none.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_readers import PAGE, PDF_PAGES, cjk_pdf

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.normalise import normalise_text
from gkreport.readers import read

SUFFIXES = [".txt", ".md", ".html", ".docx", ".pdf", ""]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes, suffix: str) -> Document | None:
    """Read `data` as a file with `suffix`; assert the outcome is a consistent Document or a ReportError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"sample{suffix}"
        path.write_bytes(data)
        try:
            doc = read(path)
        except ReportError as error:
            assert str(error).startswith(f"{path}: ") and error.reason
            return None
    assert doc.format in ("txt", "md", "html", "docx", "pdf")
    last_end = -1
    for block in doc.blocks:
        assert 0 <= block.start <= block.end <= len(doc.text)
        assert doc.text[block.start : block.end] == block.text
        assert block.start > last_end and "\n" not in block.text
        assert (block.cells is not None) == (block.kind == "row")
        last_end = block.end
    return doc


@SETTINGS
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(data: bytes, suffix: str) -> None:
    check(data, suffix)


TEXT_ALPHABET = st.characters(blacklist_categories=("Cs",))
# Lines that exercise each block rule (headings, pipe and tab rows, HTML starts, page numbers).
LINE_PIECES = [
    "# 一、总体情况",
    "| a | b |",
    "|---|---|",
    "\t规章\t0",
    "正文。",
    "",
    "  ",
    "<p>段落</p>",
    "<table><tr><td rowspan=2>x</td></tr></table>",
    "－ 1 －",
    "\r",
]


@SETTINGS
@given(
    text=st.text(alphabet=TEXT_ALPHABET, max_size=400)
    | st.lists(st.sampled_from(LINE_PIECES), max_size=30).map("\n".join),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"]),
    suffix=st.sampled_from(SUFFIXES),
)
@example(text="\xad", encoding="utf-8-sig", suffix=".docx")  # a lone soft hyphen: dropped, as it should be
def test_arbitrary_text(text: str, encoding: str, suffix: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    doc = check(data, suffix)
    # what the normaliser drops by design (zero-width and control characters, a soft hyphen) is not text lost
    visible = normalise_text(text).strip()
    if doc is not None and doc.format in ("txt", "md") and encoding.startswith("utf-8") and visible:
        assert doc.text.strip()


def docx_bytes() -> bytes:
    docx = pytest.importorskip("docx", reason="python-docx is needed to build the DOCX fixture")
    document = docx.Document()
    document.add_heading("标题", level=1)
    document.add_paragraph("正文")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "合并"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def mutations(base: bytes) -> st.SearchStrategy[bytes]:
    """`base` cut short, or with a few bytes overwritten."""
    cut = st.integers(0, len(base)).map(lambda n: base[:n])
    flips = st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), min_size=1, max_size=8)

    def apply(changes: list[tuple[int, int]]) -> bytes:
        data = bytearray(base)
        for position, value in changes:
            data[position] = value
        return bytes(data)

    return cut | flips.map(apply)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), suffix=st.sampled_from([".docx", ""]))
def test_mutated_docx(data: st.DataObject, suffix: str) -> None:
    check(data.draw(mutations(docx_bytes())), suffix)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), suffix=st.sampled_from([".pdf", ""]))
def test_mutated_pdf(data: st.DataObject, suffix: str) -> None:
    check(data.draw(mutations(cjk_pdf(PDF_PAGES))), suffix)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), encoding=st.sampled_from(["utf-8", "gb18030"]))
def test_mutated_html(data: st.DataObject, encoding: str) -> None:
    check(data.draw(mutations(PAGE.encode(encoding))), ".html")


# Words of a report's headings and first lines (written for this test), from which short GBK texts are made:
# on such texts charset-normalizer cannot tell GB18030 from Big5, CP949 or EUC-JP by its own scores.
REPORT_WORDS = [
    "总体情况",
    "主动公开",
    "政府信息",
    "申请",
    "办理",
    "行政复议",
    "行政诉讼",
    "存在的主要问题",
    "改进情况",
    "其他需要报告的事项",
    "本年新制作数量",
    "年度",
    "工作报告",
    "我局",
    "街道办事处",
    "人民政府",
    "委员会",
    "落实",
    "条例",
    "进一步加强",
    "一、",
    "二、",
    "（一）",
    "。",
    "，",
]


@SETTINGS
@given(st.lists(st.sampled_from(REPORT_WORDS), min_size=2, max_size=12))
@example(["一、", "总体情况"])
def test_short_gbk_text_reads_as_gb18030(words: list[str]) -> None:
    text = "".join(words)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        path.write_bytes(text.encode("gb18030"))
        doc = read(path)
    assert doc.encoding == "gb18030" and doc.text.replace("\n", "") == normalise_text(text).replace("\n", "")
