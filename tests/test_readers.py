"""Tests for gkreport.readers: every format, every encoding, every error, and the real files.

All inputs except the real reports are generated here from invented text.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from helpers import SHARED, shared_path

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.normalise import normalise_text
from gkreport.readers import SUPPORTED_SUFFIXES, read, sniff_format
from gkreport.readers._build import squash
from gkreport.readers.pdffile import is_page_number, page_lines, split_cells
from gkreport.readers.textfile import line_blocks, pipe_cells

# Invented report-like text (no real report text in the repo).
REPORT_TXT = (
    "# 某某镇2024年政府信息公开工作年度报告\n"
    "\n"
    "本报告依据条例编制，统计期限自2024年１月１日至12月31日。\n"
    "## 一、总体情况\n"
    "　　全年主动公开信息（１２０）条。\n"
    "\t信息内容\t本年制发件数\t本年废止件数\n"
    "\t规章\t0\t1\n"
    "\n"
    "| 信息内容 | 本年处理决定数量 |\n"
    "|---|:---:|\n"
    "| 行政许可 | 12 |\n"
    "\n"
    "| 行政处罚 | 3 |\n"
    "####### 七个井号不是标题\n"
    "#没有空格不是标题\n"
)


def assert_consistent(doc: Document) -> None:
    """Every block's offsets cut exactly its text out of Document.text, in order, one line each."""
    last_end = -1
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
        assert block.start > last_end
        assert "\n" not in block.text
        assert (block.cells is not None) == (block.kind == "row")
        last_end = block.end


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------- text


def test_txt_blocks_kinds_and_offsets(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "r.txt", REPORT_TXT.encode("utf-8")))
    assert doc.format == "txt" and doc.encoding == "utf-8"
    assert doc.text == normalise_text(REPORT_TXT)
    assert_consistent(doc)
    kinds = [(b.kind, b.level) for b in doc.blocks]
    assert kinds[:2] == [("heading", 1), ("paragraph", None)]
    assert ("heading", 2) in kinds
    heading = doc.blocks[2]
    assert heading.text == "## 一、总体情况"
    # full-width digits and brackets folded, the ideographic indent trimmed from the paragraph
    assert doc.blocks[3].text == "全年主动公开信息(120)条。"
    tab_rows = [b for b in doc.blocks if b.kind == "row" and b.table is None]
    assert tab_rows[0].cells == ("", "信息内容", "本年制发件数", "本年废止件数")
    assert tab_rows[1].cells == ("", "规章", "0", "1")
    pipe_rows = [b for b in doc.blocks if b.kind == "row" and b.table is not None]
    # the |---| separator is not a block; a blank line starts a new table
    assert [r.cells for r in pipe_rows] == [
        ("信息内容", "本年处理决定数量"),
        ("行政许可", "12"),
        ("行政处罚", "3"),
    ]
    assert [r.table for r in pipe_rows] == [0, 0, 1]
    assert doc.blocks[-2].kind == "paragraph" and doc.blocks[-1].kind == "paragraph"
    assert len(doc.blocks) == 11  # blank lines are not blocks
    assert doc.line_of(heading.start) == 4


def test_md_format_and_sha256(tmp_path: Path) -> None:
    data = REPORT_TXT.encode("utf-8")
    doc = read(write(tmp_path, "r.md", data))
    assert doc.format == "md"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.path == str(tmp_path / "r.md")


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda s: s.encode("utf-8"), "utf-8"),
        (lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), "utf-8-sig"),
        (lambda s: s.encode("gb18030"), "gb18030"),
        (lambda s: s.encode("gbk"), "gb18030"),
        (lambda s: s.encode("utf-16"), "utf-16"),
        (lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), "utf-16"),
        (lambda s: s.encode("utf-16-le"), "utf-16-le"),
        (lambda s: s.encode("utf-32"), "utf-32"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16-bom-le", "utf16-bom-be", "utf16-no-bom", "utf32"],
)
def test_txt_encodings(tmp_path: Path, encode, expected: str) -> None:
    doc = read(write(tmp_path, "r.txt", encode(REPORT_TXT)))
    assert doc.encoding == expected
    assert doc.text == normalise_text(REPORT_TXT)
    assert_consistent(doc)


def test_gb2312_short_text_is_detected(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "short.txt", "政府信息公开工作年度报告".encode("gb2312")))
    assert doc.encoding == "gb18030" and doc.text == "政府信息公开工作年度报告"


def test_nearly_valid_files_are_read_lossily(tmp_path: Path) -> None:
    body = "本报告依据条例编制，全年主动公开信息若干条，收到申请三件，均已按期答复。\n" * 4
    utf8 = body.encode("utf-8")
    doc = read(write(tmp_path, "u.txt", utf8[:60] + b"\xff" + utf8[60:]))
    assert doc.encoding == "utf-8 (lossy)" and doc.text.count("\ufffd") == 1
    gb = body.encode("gb18030")
    doc = read(write(tmp_path, "g.txt", gb[:60] + b"\xff\xff" + gb[60:]))
    assert doc.encoding in ("gb18030", "gb18030 (lossy)")
    assert doc.text.count("公开") == 4


def test_crlf_and_trailing_text_without_newline(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "r.txt", "一、总体情况\r\n正文内容\r\n\r\n末行".encode()))
    assert [b.text for b in doc.blocks] == ["一、总体情况", "正文内容", "末行"]
    assert_consistent(doc)


def test_line_blocks_and_pipe_cells_units() -> None:
    assert pipe_cells("| a | b\\|c |  |") == ("a", "b\\|c", "")
    blocks = line_blocks("  缩进段落  \n|只有一个竖线\n  ## 标题\n")
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "缩进段落"),
        ("paragraph", "|只有一个竖线"),
        ("heading", "## 标题"),
    ]


# --------------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("data", "suffix", "expected"),
    [
        (b"%PDF-1.7\n...", "", "pdf"),
        (b"%PDF-1.7\n...", ".txt", "pdf"),
        (b"\n\n%PDF-1.4", ".pdf", "pdf"),
        (b"PK\x03\x04....word/document.xml....", "", "docx"),
        (b"PK\x03\x04....word/document.xml....", ".pdf", "docx"),
        (b"PK\x03\x04 not word", ".docx", "docx"),
        (b"PK\x03\x04 not word", ".txt", "txt"),
        (b"<!DOCTYPE html><html></html>", "", "html"),
        (b"  <html><body>x</body></html>", ".txt", "html"),
        (b"<table><tr><td>1</td></tr></table>", ".md", "html"),
        (b"<?xml version='1.0'?>\n<!-- c --><html>", "", "html"),
        ("<html>中文</html>".encode("utf-16"), "", "html"),
        (b"plain text", "", "txt"),
        (b"plain text", ".pdf", "txt"),
        (b"plain text", ".docx", "txt"),
        (b"\x00\x01\x02\x03junk", ".pdf", "pdf"),
        (b"\x00\x01\x02\x03junk", ".docx", "docx"),
        (b"# title", ".MD", "md"),
        (b"text", ".htm", "html"),
        (b"text", ".shtml", "html"),
        (b"text", ".xyz", "txt"),
    ],
)
def test_sniff_format(data: bytes, suffix: str, expected: str) -> None:
    assert sniff_format(data, suffix) == expected


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".html", ".htm", ".docx", ".pdf"} <= set(SUPPORTED_SUFFIXES)


def test_wrong_extension_is_read_by_content(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "report.pdf", "一、总体情况\n正文".encode("gb18030")))
    assert doc.format == "txt" and doc.encoding == "gb18030"
    html = read(write(tmp_path, "page", b"<html><body><h2>x</h2><p>y</p></body></html>"))
    assert html.format == "html" and [b.kind for b in html.blocks] == ["heading", "paragraph"]


# --------------------------------------------------------------------------------------------- html

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>站点名</title>
<script>var s = "脚本文字";</script><style>p {color: red}</style></head>
<body>
<div class="header">某某区人民政府门户网站</div>
<nav><a href="/">导航首页</a></nav>
<div class="main-wrap">
 <div class="breadcrumb">当前位置：首页</div>
 <div class="article">
  <h1 class="title">某某镇2024年政府信息公开工作年度报告</h1>
  <div class="info">发布时间：2025-01-20</div>
  <div class="content">
   <p>本报告依据条例编制，统计期限为全年。本段文字较长，用来让正文成为页面上最大的文本块。</p>
   <h2>一、总体情况</h2>
   <p>第一行<br>第二行　全角<span>空格</span>后</p>
   <p style="display:none">隐藏文字</p>
   <table border="0">
    <tr><td rowspan="2">信息内容</td><td colspan="3">本年情况</td></tr>
    <tr><td>制发</td><td>废止</td><td>有效</td></tr>
    <tr><td><p>规</p><p>章</p></td><td>&nbsp;</td><td>０</td><td>5</td></tr>
    <tr><td>&nbsp;</td><td></td><td> </td><td>&nbsp;</td></tr>
   </table>
   <p>正文后续内容较多，用于让正文成为页面上最大的文本块，正文后续内容较多，用于让正文成为最大的文本块。</p>
  </div>
 </div>
 <div class="sidebar"><h3>热点推荐</h3><ul><li>侧栏链接</li></ul></div>
</div>
<div id="footer">版权所有 某某区人民政府</div>
</body></html>
"""


def test_html_page(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "page.html", PAGE.encode("gb18030")))
    assert doc.format == "html" and doc.encoding == "gb18030"
    assert_consistent(doc)
    assert doc.text == "\n".join(b.text for b in doc.blocks)
    for chrome in (
        "脚本文字",
        "color",
        "导航首页",
        "门户网站",
        "当前位置",
        "热点推荐",
        "侧栏链接",
        "版权所有",
        "隐藏文字",
        "站点名",
    ):
        assert chrome not in doc.text
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].level == 1
    assert doc.blocks[0].text == "某某镇2024年政府信息公开工作年度报告"
    headings = [(b.level, b.text) for b in doc.blocks if b.kind == "heading"]
    assert (2, "一、总体情况") in headings
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert "第一行" in paragraphs and "第二行 全角空格后" in paragraphs
    rows = [b for b in doc.blocks if b.kind == "row"]
    assert [r.cells for r in rows] == [
        ("信息内容", "本年情况", "", ""),
        ("", "制发", "废止", "有效"),
        ("规 章", "", "0", "5"),
    ]  # the all-blank row is dropped; every row is as wide as the grid
    assert {r.table for r in rows} == {0}
    assert rows[0].text == "信息内容\t本年情况\t\t"


def test_html_utf8_without_meta_and_layout_table(tmp_path: Path) -> None:
    page = (
        "<html><body><table><tr><td>"
        "<h3>二、主动公开政府信息情况</h3>"
        "<table><tr><th>信息内容</th><th>本年制发件数</th></tr><tr><td>规章</td><td>2</td></tr></table>"
        "<p>说明文字</p>"
        "</td></tr></table></body></html>"
    )
    doc = read(write(tmp_path, "p.htm", page.encode("utf-8")))
    assert doc.encoding == "utf-8"
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "二、主动公开政府信息情况"),
        ("row", "信息内容\t本年制发件数"),
        ("row", "规章\t2"),
        ("paragraph", "说明文字"),
    ]


def test_html_mislabelled_charset_falls_back(tmp_path: Path) -> None:
    page = '<html><head><meta charset="utf-8"></head><body><p>政府信息公开工作年度报告正文</p></body></html>'
    doc = read(write(tmp_path, "p.html", page.encode("gb18030")))
    assert doc.encoding == "gb18030" and doc.text == "政府信息公开工作年度报告正文"


def test_html_meta_gb2312_on_a_utf8_page(tmp_path: Path) -> None:
    page = '<html><head><meta charset="gb2312"></head><body><p>政府信息公开工作年度报告正文</p></body></html>'
    doc = read(write(tmp_path, "p.html", page.encode("utf-8")))
    assert doc.encoding == "utf-8" and doc.text == "政府信息公开工作年度报告正文"


def test_html_deep_nesting_does_not_recurse(tmp_path: Path) -> None:
    page = "<html><body>" + "<div>" * 3000 + "<p>深层</p>" + "</div>" * 3000 + "</body></html>"
    doc = read(write(tmp_path, "deep.html", page.encode()))
    assert "深层" in doc.text


def test_html_text_after_an_early_closing_html_tag_is_read(tmp_path: Path) -> None:
    # a broken template closes </html> before the body; libxml2's own tree would leave the body out
    for end in ("</html>", "</html x>"):
        page = f"<html><head><title>站点</title></head>{end}<body><h1>某县2024年报告</h1><p>正文一。</p></body>"
        doc = read(write(tmp_path, "p.html", page.encode()))
        assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "某县2024年报告"), ("paragraph", "正文一。")]
    cut = "<html><body>" + "<div>" * 2100 + "<p>深层" + "<span>x" * 5  # deep, then cut off mid-page
    assert read(write(tmp_path, "cut.html", cut.encode())).text == "深层xxxxx"


def test_html_word_export_with_a_print_script_and_a_deep_tree(tmp_path: Path) -> None:
    # Word's o:p and Excel's x:num are names lxml refuses in a tree it is given; a print script's own
    # "</html>" in the head must not change how the page is read
    word = (
        '<html><head><script>w.document.write("<html><body></body></html>")</script></head><body>'
        "<p class=MsoNormal>一、总体情况<o:p>&nbsp;</o:p></p>"
        "<table><tr><td>规章</td><td x:num>1</td><td x:num>2</td></tr></table></body></html>"
        '<script src="//hm.baidu.com/hm.js"></script>'
    )
    doc = read(write(tmp_path, "w.html", word.encode()))
    assert [(b.kind, b.text) for b in doc.blocks] == [("paragraph", "一、总体情况"), ("row", "规章\t1\t2")]
    deep = word.replace("<body>", "<body>" + "<div>" * 2100).replace("总体情况", "总体\x0c情况")
    doc = read(write(tmp_path, "deep.html", deep.encode()))
    assert [(b.kind, b.text) for b in doc.blocks] == [("paragraph", "一、总体 情况"), ("row", "规章\t1\t2")]


def test_html_comment_after_the_page_changes_nothing(tmp_path: Path) -> None:
    page = "<html><body><p>正文一。</p><!-- a -->后文</body></html>\n<!-- 页面生成于 2025-01-01 -->\n"
    doc = read(write(tmp_path, "p.html", page.encode()))
    assert doc.text == "正文一。\n后文"


# --------------------------------------------------------------------------------------------- docx


def make_docx(path: Path) -> Path:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.add_heading("某镇2024年报告", level=1)
    document.add_paragraph("本报告依据条例编制。")
    document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("一、总体情况", style="标题 2")
    paragraph = document.add_paragraph("第一行")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行")
    document.add_paragraph("信息内容\t本年制发件数")
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "信息内容"  # vertical merge
    table.cell(0, 1).merge(table.cell(0, 3)).text = "本年情况"  # horizontal merge
    for col, text in enumerate(["制发", "废止", "有效"], start=1):
        table.cell(1, col).text = text
    for col, text in enumerate(["规章", "1", "０", "5"]):
        table.cell(2, col).text = text
    document.add_paragraph("表后段落。")
    document.add_table(rows=1, cols=2).cell(0, 1).text = "第二张表"
    document.save(str(path))
    return path


def test_docx(tmp_path: Path) -> None:
    pytest.importorskip("docx", reason="python-docx is needed to build the DOCX fixture")
    doc = read(make_docx(tmp_path / "r.docx"))
    assert doc.format == "docx"
    assert_consistent(doc)
    assert [(b.kind, b.level, b.table, b.text) for b in doc.blocks] == [
        ("heading", 1, None, "某镇2024年报告"),
        ("paragraph", None, None, "本报告依据条例编制。"),
        ("heading", 2, None, "一、总体情况"),
        ("paragraph", None, None, "第一行"),
        ("paragraph", None, None, "第二行"),
        ("row", None, None, "信息内容\t本年制发件数"),
        ("row", None, 0, "信息内容\t本年情况\t\t"),
        ("row", None, 0, "\t制发\t废止\t有效"),
        ("row", None, 0, "规章\t1\t0\t5"),
        ("paragraph", None, None, "表后段落。"),
        ("row", None, 1, "\t第二张表"),
    ]


def test_docx_without_extension_is_sniffed(tmp_path: Path) -> None:
    pytest.importorskip("docx", reason="python-docx is needed to build the DOCX fixture")
    source = make_docx(tmp_path / "r.docx")
    doc = read(write(tmp_path, "noext", source.read_bytes()))
    assert doc.format == "docx" and doc.blocks[0].text == "某镇2024年报告"


def oxml(xml: str) -> Any:
    """An element from WordprocessingML written without its namespace declarations."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    return parse_xml(re.sub(r"^<[\w:]+", lambda tag: f"{tag.group()} {nsdecls('w', 'r')}", xml, count=1))


def edge_case_docx() -> Any:
    """A python-docx document with the XML where reading the lxml tree could part from python-docx's proxies."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    paragraph = document.add_paragraph("一\t二", style="标题 2")
    run = paragraph.add_run("三")
    run.add_break()
    run.add_break(WD_BREAK.PAGE)  # a page break is no text
    for xml in (
        "<w:r><w:cr/><w:noBreakHyphen/><w:ptab/><w:t/><w:softHyphen/><w:delText>删</w:delText></w:r>",
        '<w:hyperlink r:id="rId9"><w:r><w:t>链接</w:t></w:r><w:ins><w:r><w:t>不读</w:t></w:r></w:ins></w:hyperlink>',
        "<w:ins><w:r><w:t>修订</w:t></w:r></w:ins>",
        "<w:sdt><w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt>",
    ):
        paragraph._p.append(oxml(xml))
    for style_id in ("NoSuchStyle", "DefaultParagraphFont", "Heading1", ""):  # unknown, character style, ...
        document.add_paragraph(f"样式{style_id}")._p.get_or_add_pPr().style = style_id
    for level in ("1", "9", "x"):
        document.add_paragraph(f"大纲{level}")._p.get_or_add_pPr().append(oxml(f'<w:outlineLvl w:val="{level}"/>'))
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "纵向"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "横向"
    table.cell(1, 1).paragraphs[0].add_run("格").add_break()
    table.cell(1, 2).add_table(rows=1, cols=1).cell(0, 0).text = "嵌套表不读"
    rows = table._tbl.tr_lst
    rows[2].get_or_add_trPr().append(oxml('<w:gridBefore w:val="1"/>'))
    rows[2].remove(rows[2].tc_lst[-1])
    rows[3].tc_lst[0].get_or_add_tcPr().append(oxml("<w:vMerge/>"))  # no w:val: "continue"
    sdt = oxml("<w:sdt><w:sdtContent/></w:sdt>")  # a cell in a content control: python-docx skips it
    rows[3].replace(rows[3].tc_lst[-1], sdt)
    sdt[0].append(oxml("<w:tc><w:p><w:r><w:t>控件格</w:t></w:r></w:p></w:tc>"))
    return document


def docx_style_name(paragraph: Any) -> str:
    try:
        return paragraph.style.name or ""
    except Exception:
        return ""


def test_docx_tree_walk_matches_python_docx() -> None:
    pytest.importorskip("docx", reason="python-docx is needed to build the DOCX fixture")
    from docx.oxml.ns import qn
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    from gkreport.readers.wordfile import _style_names, paragraph_text, table_rows

    document = edge_case_docx()
    style_name = _style_names(document)
    paragraphs = list(document.element.body.iter(qn("w:p")))
    assert len(paragraphs) > 10
    for p in paragraphs:
        assert paragraph_text(p) == Paragraph(p, document).text
        assert style_name(p.style) == docx_style_name(Paragraph(p, document))
    for tbl in document.element.body.iterchildren(qn("w:tbl")):
        table = Table(tbl, document)
        expected = []  # python-docx's rows and cells
        for row in table.rows:
            texts = [""] * row.grid_cols_before
            for tc in row._tr.tc_lst:
                continued = tc.vMerge not in (None, "restart")
                texts += ["" if continued else squash(normalise_text(_Cell(tc, table).text))]
                texts += [""] * (tc.grid_span - 1)
            expected.append(texts + [""] * row.grid_cols_after)
        width = max(len(r) for r in expected)
        assert table_rows(tbl) == [r + [""] * (width - len(r)) for r in expected]
        assert table_rows(tbl)[0] == ["纵向", "横向", ""]


def test_docx_default_style_resolves_as_in_python_docx(tmp_path: Path) -> None:
    pytest.importorskip("docx", reason="python-docx is needed to build the DOCX fixture")
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    from gkreport.readers.wordfile import _style_names

    document = docx.Document()
    document.styles["Normal"].name = "标题 3"  # the default paragraph style, named as a heading
    document.add_paragraph("无样式")
    document.add_paragraph("未知样式")._p.get_or_add_pPr().style = "NoSuchStyle"
    document.save(str(tmp_path / "h.docx"))
    assert [(b.kind, b.level) for b in read(tmp_path / "h.docx").blocks] == [("heading", 3)] * 2
    # a style of a type python-docx does not know: its default lookup fails, so no style name at all
    document.styles.add_style("怪", WD_STYLE_TYPE.PARAGRAPH).element.set(qn("w:type"), "odd")
    document.styles["标题 3"].element.set(qn("w:default"), "yes")  # neither does a bad flag
    style_name = _style_names(document)
    for p in document.element.body.iter(qn("w:p")):
        assert style_name(p.style) == docx_style_name(Paragraph(p, document)) == ""


# --------------------------------------------------------------------------------------------- pdf


def cjk_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF whose lines use the standard CID font STSong-Light (UniGB-UCS2-H).

    No font file is embedded or needed; PDFium maps the UCS-2 codes back to Unicode, so the
    text layer holds exactly the given lines. A page with no lines is an image-free blank page.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (6 + 2 * i) for i in range(len(pages))), len(pages)),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    for i, lines in enumerate(pages):
        ops = [b"BT /F1 12 Tf 14 TL 50 800 Td"]
        ops += [b"<%s> Tj T*" % line.encode("utf-16-be").hex().encode() for line in lines]
        stream = b"\n".join([*ops, b"ET"])
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (7 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF_PAGES = [
    ["- 1 -", "某镇2024年政府信息公开工作年度报告", "一、总体情况", "全年主动公开信息１２０条。"],
    ["第2页", "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3", "2"],
    ["—3—", "四、政府信息公开行政复议、行政诉讼情况", "1/3"],
]


def test_pdf_cjk_text_pages_and_page_numbers(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "r.pdf", cjk_pdf(PDF_PAGES)))
    assert doc.format == "pdf" and doc.pages == 3 and doc.encoding is None
    assert_consistent(doc)
    assert [(b.page, b.text) for b in doc.blocks] == [
        (1, "某镇2024年政府信息公开工作年度报告"),
        (1, "一、总体情况"),
        (1, "全年主动公开信息120条。"),
        (2, "三、收到和处理政府信息公开申请情况"),
        (2, "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3"),
        (3, "四、政府信息公开行政复议、行政诉讼情况"),
    ]
    assert all(b.kind == "paragraph" for b in doc.blocks)


def test_pdf_lone_number_that_is_not_the_page_number_is_kept(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "r.pdf", cjk_pdf([["信息内容 本年处理决定数量", "行政许可", "47"]])))
    assert doc.blocks[-1].text == "47"


def test_page_number_and_cell_rules() -> None:
    for line in ("- 1 -", "— 1 —", "—1—", "第1页", "第 1 页 共 6 页", "1/6", "Page 1 of 6"):
        assert is_page_number(line, 0, 10, 1), line
        assert is_page_number(line, 9, 10, 1), line
        assert not is_page_number(line, 5, 10, 1), line  # mid-page: a table cell, not a page number
    assert is_page_number("4", 9, 10, 4) and is_page_number("3", 9, 10, 4)
    assert not is_page_number("12", 9, 10, 4) and not is_page_number("4", 8, 10, 4)
    assert page_lines("- 2 -\r\n 正文 \r\n\r\n2", 2) == ["正文"]
    assert split_cells("行政许可  12  0   5") == ("行政许可", "12", "0", "5")
    assert split_cells("行政许可 12 0 5") is None
    assert split_cells("两列  之间") is None


def test_pdf_scanned(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="scanned PDF, no text layer; OCR is not supported") as info:
        read(write(tmp_path, "scan.pdf", cjk_pdf([[], ["- 2 -"]])))
    assert "scan.pdf" in str(info.value)


def test_pdf_encrypted(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev dependency) builds the encrypted PDF")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Annual report")
    pdf.set_encryption(owner_password="owner", user_password="user")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(ReportError, match=r"locked\.pdf: encrypted PDF \(password required\)"):
        read(path)


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev dependency) builds the encrypted PDF")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Annual report of the information disclosure office")
    pdf.set_encryption(owner_password="owner")
    path = tmp_path / "owner.pdf"
    pdf.output(str(path))
    assert "Annual report" in read(path).text


# --------------------------------------------------------------------------------------------- errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"nope\.txt: file not found"):
        read(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="is a directory"):
        read(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"e\.txt: empty file"):
        read(write(tmp_path, "e.txt", b""))


def test_binary_junk(tmp_path: Path) -> None:
    junk = bytes((i * 7919 + 13) % 256 for i in range(4096))
    for name in ("junk.txt", "junk", "junk.md", "junk.html"):
        with pytest.raises(ReportError, match="not a text document: binary data"):
            read(write(tmp_path, name, junk))


def test_png_named_txt_is_binary(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    with pytest.raises(ReportError, match="binary data"):
        read(write(tmp_path, "table.txt", png))


def test_undecodable_bytes(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"bad\.txt: undecodable bytes"):
        read(write(tmp_path, "bad.txt", bytes(range(0x80, 0x100)) * 8))


def test_corrupt_docx(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"bad\.docx: corrupt DOCX: "):
        read(write(tmp_path, "bad.docx", b"PK\x03\x04" + bytes(range(256)) * 4))
    not_word = tmp_path / "sheet.docx"
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReportError, match=r"sheet\.docx: corrupt DOCX: "):
        read(not_word)


def test_truncated_docx(tmp_path: Path) -> None:
    pytest.importorskip("docx", reason="python-docx is needed to build the DOCX fixture")
    data = make_docx(tmp_path / "r.docx").read_bytes()
    with pytest.raises(ReportError, match="corrupt DOCX"):
        read(write(tmp_path, "cut.docx", data[: len(data) // 2]))


def test_corrupt_pdf(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"bad\.pdf: corrupt PDF: "):
        read(write(tmp_path, "bad.pdf", b"%PDF-1.4\n1 0 obj garbage"))
    data = cjk_pdf(PDF_PAGES)
    with pytest.raises(ReportError, match="corrupt PDF"):
        read(write(tmp_path, "cut.pdf", data[:60]))


def test_legacy_doc(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"old\.doc: legacy Word"):
        read(write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)))


def test_max_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "正文".encode() * 1000)
    with pytest.raises(ReportError, match=r"big\.txt: file is larger than the limit of 0\.00191 MB"):
        read(path, max_bytes=2000)
    with pytest.raises(ReportError, match="file is larger than the limit of 1 MB"):
        read(write(tmp_path, "big2.txt", b"a" * (1024 * 1024 + 1)), max_bytes=1024 * 1024)
    assert read(path, max_bytes=6000).text.startswith("正文")


def test_error_message_names_file_and_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "x.pdf", b"%PDF-1.4 junk")
    with pytest.raises(ReportError) as info:
        read(path)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: ")


def test_reading_txt_does_not_import_heavy_libraries(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", REPORT_TXT.encode())
    code = (
        "import sys; from gkreport.readers import read; read(sys.argv[1]);"
        "heavy = [m for m in ('pypdfium2', 'docx', 'bs4', 'lxml', 'charset_normalizer') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


# --------------------------------------------------------------------------------------------- real files


def shared_files() -> list[Path]:
    if not SHARED.is_dir():
        return []
    return sorted((SHARED / "seeds").glob("*.txt")) + sorted(
        p for p in (SHARED / "corpus" / "github").glob("0*") if p.suffix in (".txt", ".md", ".pdf")
    )


@pytest.mark.shared
@pytest.mark.parametrize("path", shared_files() or [None], ids=lambda p: p.name if p else "absent")
def test_real_files_read(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"shared report corpus not found at {SHARED}")
    doc = read(path)
    assert doc.format == {".txt": "txt", ".md": "md", ".pdf": "pdf"}[path.suffix]
    assert doc.encoding == (None if doc.format == "pdf" else "utf-8")
    assert len(doc.blocks) >= 5
    assert "年度报告" in doc.text or "年报" in doc.text
    assert_consistent(doc)


@pytest.mark.shared
def test_huaian_pdf() -> None:
    path = shared_path("corpus", "github", "001_huaian_shi_2024.pdf")
    doc = read(path)
    assert doc.pages == 6
    assert "本年新收政府信息公开申请数量" in doc.text
    assert {b.page for b in doc.blocks} == set(range(1, 7))
    for block in doc.blocks:
        assert not is_page_number(block.text, 0, 1, block.page or 0), block.text
        assert block.text.strip("- ") != str(block.page)
    assert "- 1 -" not in doc.text and "- 6 -" not in doc.text


def test_html_chrome_without_an_evident_container(tmp_path: Path) -> None:
    page = (
        "<html><body>"
        "<header><p>网站页头</p></header><div class='top'>顶部链接</div><div id='nav-menu'>菜单</div>"
        "<article><header><h1>年度报告标题</h1></header><p>第一部分正文，长度与第二部分相当。</p></article>"
        "<section><p>第二部分正文，长度与第一部分相当。</p></section>"
        "<footer>网站页脚</footer>"
        "</body></html>"
    )
    doc = read(write(tmp_path, "p.html", page.encode()))
    assert [b.text for b in doc.blocks] == [
        "年度报告标题",
        "第一部分正文，长度与第二部分相当。",
        "第二部分正文，长度与第一部分相当。",
    ]


def test_html_latin1_label_on_a_gbk_page_is_not_trusted(tmp_path: Path) -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>{}</p></body></html>'
    doc = read(write(tmp_path, "p.html", page.format("政府信息公开工作年度报告正文").encode("gbk")))
    assert doc.encoding == "gb18030" and doc.text == "政府信息公开工作年度报告正文"


def test_a_page_whose_text_looks_like_a_file_name_reads_without_warnings(tmp_path: Path) -> None:
    import warnings

    page = tmp_path / "p.html"
    page.write_bytes(b"report.html")  # bs4, the reader's parser before lxml, warned it "looks like a filename"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "report.html" in read(page).text
