"""Reader for plain text (.txt) and Markdown (.md).

Every non-blank line becomes one block: a Markdown pipe-table row or a line with tabs becomes a
"row", a Markdown heading line ("## 一、总体情况") a "heading", anything else a "paragraph".
`Document.text` is the normalised file text itself, so line numbers match the source file.
"""

from __future__ import annotations

import re

from gkreport.document import Block, Document
from gkreport.normalise import normalise_text
from gkreport.readers._build import make_document
from gkreport.readers.encoding import decode_text

# ATX heading: up to three spaces, one to six #, then a space or the end of the line.
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
# The |---|:--:| line under a Markdown table header carries no content.
_PIPE_SEPARATOR = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?")
_PIPE = re.compile(r"(?<!\\)\|")


def pipe_cells(row: str) -> tuple[str, ...]:
    """Cells of a Markdown pipe-table row, outer pipes removed, each cell stripped."""
    inner = row[1:] if row.startswith("|") else row
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return tuple(map(str.strip, _PIPE.split(inner)))


def line_blocks(text: str) -> list[Block]:
    """One block per non-blank line of `text`, offsets into `text` (one pass, no per-character loop)."""
    blocks: list[Block] = []
    pos = 0
    table = -1
    in_pipe_table = False
    for line in text.split("\n"):
        line_end = pos + len(line)
        stripped = line.strip()
        if not stripped:
            in_pipe_table = False
            pos = line_end + 1
            continue
        start = pos + len(line) - len(line.lstrip())
        end = start + len(stripped)
        first = stripped[0]
        if first == "|" and stripped.count("|") >= 2:
            if not in_pipe_table:
                table += 1
                in_pipe_table = True
            if not _PIPE_SEPARATOR.fullmatch(stripped):
                blocks.append(Block("row", stripped, start, end, pipe_cells(stripped), table))
        else:
            in_pipe_table = False
            heading = _HEADING.match(line) if first == "#" else None
            if heading:
                blocks.append(Block("heading", stripped, start, end, level=len(heading.group(1))))
            elif "\t" in line:
                # Word tables flattened to tab-separated lines: a leading tab is an empty first
                # cell, so the row keeps the whole line.
                cells = tuple(map(str.strip, line.split("\t")))
                blocks.append(Block("row", line, pos, line_end, cells))
            else:
                blocks.append(Block("paragraph", stripped, start, end))
        pos = line_end + 1
    return blocks


def read_text_file(path: str, data: bytes, fmt: str) -> Document:
    """Decode, normalise and split a .txt/.md file into line blocks."""
    decoded, encoding = decode_text(data, path)
    text = normalise_text(decoded)
    return make_document(path, fmt, data, text, line_blocks(text), encoding=encoding)
