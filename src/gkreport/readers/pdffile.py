"""Reader for PDFs with a text layer, via pypdfium2 (fast, and it keeps table rows intact).

Text is taken page by page, one block per line, with `page` set. Printed page numbers ("- 1 -",
"第1页", "1/6", a lone page number at the page end) are dropped. Scanned PDFs (no text layer) and
password-protected PDFs are refused with a ReportError that says so; OCR is out of scope.
"""

from __future__ import annotations

import re

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.normalise import compact, normalise_text
from gkreport.readers._build import BlockBuilder, make_document

# Page-number lines as printed by WPS/Word exports. Only checked near a page's top or bottom
# (EDGE_LINES), so a table cell such as "1/6" in mid-page is never taken for one.
PAGE_NUMBER_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"[-—–~]+\s*\d{1,4}\s*[-—–~]+"),  # - 1 -   — 1 —   —1—
    re.compile(r"第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"),  # 第1页, 第1页 共6页
    re.compile(r"\d{1,4}\s*/\s*\d{1,4}"),  # 1/6
    re.compile(r"(?i:page)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"),  # Page 1 of 6
)
EDGE_LINES = 2
_LONE_NUMBER = re.compile(r"\d{1,4}")

# A page with fewer visible characters than this, on average, has no real text layer.
MIN_CHARS_PER_PAGE = 10

# Cells of a table line: tokens separated by runs of two or more spaces (or tabs).
_CELL_GAP = re.compile(r"(?: {2,}|\t+)")
MIN_CELL_GAPS = 2

_FPDF_ERR_PASSWORD = 4  # pdfium's FPDF_ERR_PASSWORD load error


def is_page_number(line: str, index: int, count: int, page_number: int) -> bool:
    """Whether `line` (the index-th of `count` lines on 1-based page `page_number`) is a page number."""
    near_edge = index < EDGE_LINES or index >= count - EDGE_LINES
    if near_edge and any(pattern.fullmatch(line) for pattern in PAGE_NUMBER_PATTERNS):
        return True
    # A bare number only at the very end, and only if it is this page's number (or one less, for
    # an unnumbered cover page): a lone table value there must survive.
    return (
        index == count - 1
        and _LONE_NUMBER.fullmatch(line) is not None
        and int(line) in (page_number, page_number - 1)
        and int(line) > 0
    )


def split_cells(line: str) -> tuple[str, ...] | None:
    """Cells of a line laid out as a table row (several runs of 2+ spaces), else None."""
    if len(_CELL_GAP.findall(line)) < MIN_CELL_GAPS:
        return None
    return tuple(cell.strip() for cell in _CELL_GAP.split(line) if cell.strip())


def page_lines(raw: str, page_number: int) -> list[str]:
    """Normalised, stripped, non-empty lines of one page, page numbers removed."""
    lines = [line.strip() for line in normalise_text(raw).split("\n")]
    lines = [line for line in lines if line]
    count = len(lines)
    return [line for i, line in enumerate(lines) if not is_page_number(line, i, count, page_number)]


def read_pdf(path: str, data: bytes, fmt: str = "pdf") -> Document:
    """Extract the text layer of a PDF page by page."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _FPDF_ERR_PASSWORD:
            raise ReportError(path, "encrypted PDF (password required)") from exc
        raise ReportError(path, f"corrupt PDF: {exc}") from exc
    except Exception as exc:  # anything else pdfium raises on bad input is still a bad PDF
        raise ReportError(path, f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    pages_text: list[str] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages_text.append(textpage.get_text_range())
            textpage.close()
            page.close()
    except Exception as exc:
        raise ReportError(path, f"corrupt PDF: cannot read page {len(pages_text) + 1}: {exc}") from exc
    finally:
        pdf.close()
    if not pages_text:
        raise ReportError(path, "corrupt PDF: no pages")

    builder = BlockBuilder()
    visible = 0
    for index, raw in enumerate(pages_text):
        for line in page_lines(raw, index + 1):
            visible += len(compact(line))
            cells = split_cells(line)
            if cells is not None:
                builder.add_row(cells, page=index + 1)
            else:
                builder.add("paragraph", line, page=index + 1)
    if visible < MIN_CHARS_PER_PAGE * len(pages_text):
        raise ReportError(path, "scanned PDF, no text layer; OCR is not supported")
    return make_document(path, fmt, data, builder.text, builder.blocks, pages=len(pages_text))
