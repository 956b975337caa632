"""Helpers shared by the readers: assembling blocks into one text with exact offsets."""

from __future__ import annotations

import hashlib
import re

from gkreport.document import Block, BlockKind, Document

_SPACE_RUN = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse every run of white space (newlines and tabs included) to one space, trimmed.

    Used for cells and rendered HTML lines, where a tab or newline would break the
    one-line-per-block rule of `Document.text`.
    """
    return _SPACE_RUN.sub(" ", text).strip()


class BlockBuilder:
    """Collects blocks and builds `Document.text` by joining their texts with "\\n".

    Offsets are computed as blocks are added, so `text[block.start:block.end] == block.text` holds
    by construction.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.blocks: list[Block] = []
        self._pos = 0

    def add(
        self,
        kind: BlockKind,
        text: str,
        *,
        cells: tuple[str, ...] | None = None,
        table: int | None = None,
        page: int | None = None,
        level: int | None = None,
    ) -> None:
        # A block is one line of the document text: a stray newline would shift every later line.
        text = text.replace("\n", " ")
        if self._parts:
            self._pos += 1  # the "\n" separator
        start = self._pos
        self._pos += len(text)
        self._parts.append(text)
        self.blocks.append(Block(kind, text, start, self._pos, cells, table, page, level))

    def add_row(self, cells: list[str] | tuple[str, ...], *, table: int | None = None, page: int | None = None) -> None:
        """Add a table row; rows whose cells are all empty carry nothing and are skipped."""
        clean = tuple(squash(cell) for cell in cells)
        if any(clean):
            self.add("row", "\t".join(clean), cells=clean, table=table, page=page)

    @property
    def text(self) -> str:
        return "\n".join(self._parts)


def make_document(
    path: str,
    fmt: str,
    data: bytes,
    text: str,
    blocks: list[Block],
    encoding: str | None = None,
    pages: int | None = None,
) -> Document:
    """A `Document` with the sha256 of the raw bytes it came from."""
    return Document(
        path=path,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        blocks=blocks,
        encoding=encoding,
        pages=pages,
    )
