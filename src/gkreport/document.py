"""The `Document`: what a reader hands to the segmenter.

A document is normalised text plus blocks. A block is a paragraph (one line of text) or a table row
(cells). Every block records where it stands in `Document.text`, so later stages can report offsets
and line numbers into one string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "heading", "row"]


@dataclass(slots=True)
class Block:
    """One line of a document: a paragraph, a heading, or a table row with its cells.

    Treat it as read-only; it is not frozen only because frozen dataclasses are ~5x slower to build
    (readers build one per line).
    """

    kind: BlockKind
    text: str
    start: int
    end: int
    cells: tuple[str, ...] | None = None
    table: int | None = None  # index of the source table a row belongs to (real tables only)
    page: int | None = None
    level: int | None = None  # heading level where the source marks one (Markdown #, <h2>, Word style)


@dataclass(slots=True)
class Document:
    """Normalised text of one source file, with its blocks and provenance."""

    path: str
    format: str  # txt | md | html | docx | pdf
    sha256: str
    text: str
    blocks: list[Block] = field(default_factory=list)
    encoding: str | None = None
    pages: int | None = None

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in `text`."""
        return self.text.count("\n", 0, max(0, offset)) + 1
