"""Reader for HTML article pages, via lxml's HTML parser (libxml2).

The page's declared charset is used when it decodes, otherwise the bytes are detected. Scripts,
styles, navigation, page headers/footers, hidden elements and site chrome (menus, breadcrumbs,
share bars, by id/class) are dropped; if one element evidently holds the article (most of the
text), only it is read, with any page title that precedes it. Headings become heading blocks,
data tables become row blocks on a rowspan/colspan grid, everything else becomes one paragraph
per rendered line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import lxml.etree

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.normalise import normalise_text
from gkreport.readers._build import BlockBuilder, make_document, squash
from gkreport.readers.encoding import decode_text

# Elements that never hold report text.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "nav",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "svg",
        "canvas",
        "button",
        "select",
        "input",
        "textarea",
        "aside",
        "map",
        "audio",
        "video",
        "head",
    }
)
# Page-level header/footer, by tag or id/class word; kept inside <article>/<main>, where a header
# holds the article title.
PAGE_CHROME_TAGS = frozenset({"header", "footer"})
PAGE_CHROME_TOKENS = frozenset({"header", "head", "top"})
ARTICLE_TAGS = ["article", "main"]
# id/class words of site chrome on government portals (split on - _ and spaces, lower case).
CHROME_TOKENS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "sidebar",
        "sidenav",
        "footer",
        "foot",
        "topbar",
        "toolbar",
        "banner",
        "share",
        "bdshare",
        "copyright",
        "skip",
        "login",
        "search",
        "searchbox",
        "pagination",
        "pager",
        "position",
        "location",
        "dqwz",
    }
)
# id/class words of an article title block.
TITLE_TOKENS = frozenset({"title", "tit", "biaoti", "headline", "bt"})
# Never drop chrome-looking elements that hold this share of the page text (a mislabelled wrapper).
CHROME_MAX_SHARE = 0.5
# A child holding this share of its parent's text is "evidently" the article container.
CONTAINER_SHARE = 0.8
# A table cell longer than this is page layout, not report data.
LAYOUT_CELL_CHARS = 400
# Span attributes beyond these are malformed (HTML caps colspan at 1000).
MAX_COLSPAN = 1000
TITLE_MAX_CHARS = 120

HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
# Characters XML/HTML parsers reject; they carry no text.
_SOURCE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_DIGITS = re.compile(r"\d+")
_ELEMENTS = lxml.etree.Element  # as a tag filter of lxml's iterators: elements, not comments
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_READ_ATTRIBUTES = frozenset({"class", "id", "style", "hidden", "rowspan", "colspan"})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def declared_charset(data: bytes) -> str | None:
    """The charset named in a meta tag or XML declaration near the top of the page."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _is_element(node: Any) -> bool:
    """An element, not a comment or processing instruction (whose `tag` is a function in lxml)."""
    return isinstance(node.tag, str)


class _Page:
    """The walks over a parsed page that skip the elements dropped as code or chrome.

    Dropped elements stay in the tree and are skipped by every walk: the text after one (its tail) stays a
    separate piece, as it is in the page, instead of being merged into the text before it."""

    def __init__(self) -> None:
        self.dropped: set[Any] = set()  # the dropped elements and everything under them

    def drop(self, node: Any) -> None:
        self.dropped.update(node.iter())

    def children(self, node: Any) -> list[Any]:
        """The element children of `node` that are kept."""
        return [child for child in node.iterchildren(_ELEMENTS) if child not in self.dropped]

    def descendants(self, node: Any, *tags: str) -> Iterator[Any]:
        """Kept elements under `node` (with `tags` only, if given), in document order."""
        return (el for el in node.iterdescendants(*(tags or (_ELEMENTS,))) if el not in self.dropped)

    def pieces(self, node: Any) -> list[tuple[str, Any]]:
        """The content of `node` in order: ("text", str) pieces and ("element", child) for kept children."""
        out: list[tuple[str, Any]] = [("text", node.text)] if node.text else []
        for child in node:
            if _is_element(child) and child not in self.dropped:
                out.append(("element", child))
            if child.tail:
                out.append(("text", child.tail))
        return out


def _tokens(tag: Any) -> set[str]:
    words = f"{tag.get('class') or ''} {tag.get('id') or ''}".lower()
    return {token for token in _TOKEN_SPLIT.split(words) if token}


def _prune(page: _Page, root: Any, should_drop: Any) -> None:
    """Drop every element under `root` for which `should_drop(tag)` holds, top down; a dropped element's
    subtree is not visited."""
    stack = page.children(root)
    while stack:
        tag = stack.pop()
        if should_drop(tag):
            page.drop(tag)
        else:
            stack.extend(page.children(tag))


def _is_hidden_or_code(tag: Any) -> bool:
    style = tag.get("style")
    return (
        tag.tag in DROP_TAGS
        or "hidden" in tag.attrib
        or (style is not None and _HIDDEN_STYLE.search(style) is not None)
    )


def _drop_chrome(page: _Page, body: Any) -> None:
    _prune(page, body, _is_hidden_or_code)
    lengths = text_lengths(page, body)
    limit = CHROME_MAX_SHARE * lengths[body]

    def is_chrome(tag: Any) -> bool:
        if lengths[tag] > limit:
            return False
        tokens = _tokens(tag)
        if tokens & CHROME_TOKENS:
            return True
        return (tag.tag in PAGE_CHROME_TAGS or bool(tokens & PAGE_CHROME_TOKENS)) and next(
            tag.iterancestors(*ARTICLE_TAGS), None
        ) is None

    _prune(page, body, is_chrome)


def _is_title(tag: Any) -> bool:
    return tag.tag in HEADING_TAGS or bool(_tokens(tag) & TITLE_TOKENS)


def _titles_before(page: _Page, children: list[Any], best: Any, lengths: dict[Any, int]) -> list[Any]:
    """Short title elements (h1-h6 or class "title") among the siblings before the container."""
    titles = []
    for child in children:
        if child is best:
            break
        for tag in ([child] if _is_title(child) else []) + [t for t in page.descendants(child) if _is_title(t)]:
            if 0 < lengths[tag] <= TITLE_MAX_CHARS:
                titles.append(tag)
                break
    return titles


def text_lengths(page: _Page, root: Any) -> dict[Any, int]:
    """Visible text length of every kept element under `root`, in one pass (children before parents)."""
    lengths: dict[Any, int] = {}
    for node in [root, *page.descendants(root)][::-1]:
        total = 0
        for kind, piece in page.pieces(node):
            total += lengths[piece] if kind == "element" else len(piece.strip())
        lengths[node] = total
    return lengths


def main_container(page: _Page, body: Any) -> tuple[Any, list[Any]]:
    """The element that evidently holds the article, and the page titles that precede it."""
    lengths = text_lengths(page, body)
    node = body
    titles: list[Any] = []
    while True:
        children = page.children(node)
        total = lengths[node]
        if not children or total == 0:
            return node, titles
        best = max(children, key=lambda child: lengths[child])
        # Tables are read as a whole (rows, grids), never entered as containers.
        if best.tag in ("table", "tbody", "thead", "tr") or lengths[best] < CONTAINER_SHARE * total:
            return node, titles
        titles += _titles_before(page, children, best, lengths)
        node = best


def _span(value: Any, limit: int) -> int:
    match = _DIGITS.search(str(value)) if value is not None else None
    return max(1, min(int(match.group()), limit)) if match else 1


def table_grid(page: _Page, table: Any) -> list[list[str]]:
    """Rows of cell texts on the table's grid.

    A cell spanning several rows/columns puts its text in its first (top-left) position and "" in
    the others, so every row has as many cells as the grid is wide and positions line up with the
    column headers; repeating the text would double-count numbers in sums.
    """
    rows = [tr for tr in page.descendants(table, "tr") if next(tr.iterancestors("table")) is table]
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in page.children(tr):
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            rowspan = _span(cell.get("rowspan"), len(rows) - r)
            colspan = _span(cell.get("colspan"), MAX_COLSPAN)
            text = inline_text(page, cell)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text if dr == dc == 0 else ""
            c += colspan
            width = max(width, c)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _is_data_table(grid: list[list[str]]) -> bool:
    """Data tables (no nested table: checked by the caller) hold short cells in two or more columns."""
    if not grid or len(grid[0]) < 2:
        return False
    return all(len(cell) <= LAYOUT_CELL_CHARS for row in grid for cell in row)


def _all_text(page: _Page, node: Any) -> str:
    """The text of `node` and its kept descendants, in order (`get_text()`)."""
    parts: list[str] = []
    stack = page.pieces(node)[::-1]
    while stack:
        kind, piece = stack.pop()
        if kind == "text":
            parts.append(piece)
        else:
            stack.extend(page.pieces(piece)[::-1])
    return "".join(parts)


def _events(page: _Page, root: Any, flat: bool) -> Iterator[tuple[str, Any, int]]:
    """Rendered content of `root` in order: ("line", text, 0), ("heading", text, level), ("table", grid, 0).

    With `flat`, headings and tables come out as plain lines (for the text of a cell or heading).
    Iterative, so deeply nested pages cannot exhaust the recursion limit.
    """
    buffer: list[str] = []

    def flush() -> Iterator[tuple[str, Any, int]]:
        line = squash(normalise_text("".join(buffer)))
        buffer.clear()
        if line:
            yield ("line", line, 0)

    # ("text", str), ("element", node) or ("close", node): the end of a block element
    stack: list[tuple[str, Any]] = page.pieces(root)[::-1]
    while stack:
        kind, node = stack.pop()
        if kind == "text":
            buffer.append(node)
            continue
        if kind == "close":
            yield from flush()
            continue
        name = node.tag
        if name == "br":
            yield from flush()
            continue
        if not flat and name in HEADING_TAGS:
            yield from flush()
            text = inline_text(page, node)
            if text:
                yield ("heading", text, HEADING_TAGS[name])
            continue
        if not flat and name == "table" and next(page.descendants(node, "table"), None) is None:
            grid = table_grid(page, node)
            if _is_data_table(grid):
                yield from flush()
                yield ("table", grid, 0)
                continue
        if name == "pre":
            yield from flush()
            for line in _all_text(page, node).split("\n"):
                buffer.append(line)
                yield from flush()
            continue
        if name in BLOCK_TAGS or name in HEADING_TAGS:
            yield from flush()
            stack.append(("close", node))
        stack.extend(page.pieces(node)[::-1])
    yield from flush()


def inline_text(page: _Page, tag: Any) -> str:
    """Text of an element as one line: its rendered lines joined by a space."""
    return " ".join(text for _, text, _ in _events(page, tag, flat=True))


def _parse(source: str) -> Any:
    """The page's element tree from libxml2's HTML parser, or None for a page with no markup or text. The text
    goes in as UTF-8 bytes, so that an XML declaration or a meta charset in it cannot redirect the decoding
    already done."""
    data = source.encode("utf-8")
    parser = lxml.etree.HTMLParser(encoding="utf-8", huge_tree=True)
    root = lxml.etree.fromstring(data, parser=parser)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        # deeper than 2,048 elements: libxml2 leaves out the rest when it builds the tree itself, but not when
        # it only reports the elements to a builder
        balanced = lxml.etree.HTMLParser(target=_BalancedBuilder(), encoding="utf-8", huge_tree=True)
        balanced.feed(data)
        return balanced.close()
    if root is not None and next(root.itersiblings(_ELEMENTS), None) is not None:
        # content after </html>: libxml2 keeps it as further top-level elements; hold them all under one root
        document = lxml.etree.Element("document")
        document.extend([root, *root.itersiblings(_ELEMENTS)])
        root = document
    return root


class _BalancedBuilder:
    """A parser target that builds the tree with lxml's TreeBuilder and keeps it whole on broken markup: an end
    closes up to the element it names if that is open, and what is still open at the end of the page is closed
    (libxml2 reports no end for it). lxml refuses some names and characters that libxml2 passes on (Word's o:p,
    a form feed): such an element is kept under a neutral name with only the attributes the reader uses, and
    such a character becomes a space. Comments are left out."""

    def __init__(self) -> None:
        self.builder = lxml.etree.TreeBuilder()
        self.builder.start("document", {})
        self.open: list[tuple[str, str]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = tag if _PLAIN_NAME.match(tag) else "x-unknown"
        kept = {key: _NOT_XML.sub(" ", value) for key, value in attrib.items() if key in _READ_ATTRIBUTES}
        self.builder.start(name, kept)
        self.open.append((tag, name))

    def end(self, tag: str) -> None:
        if not any(opened == tag for opened, _ in self.open):
            return
        while self.open:
            opened, name = self.open.pop()
            self.builder.end(name)
            if opened == tag:
                return

    def data(self, text: str) -> None:
        self.builder.data(_NOT_XML.sub(" ", text))

    def close(self) -> Any:
        while self.open:
            self.builder.end(self.open.pop()[1])
        self.builder.end("document")
        return self.builder.close()


def read_html(path: str, data: bytes, fmt: str = "html") -> Document:
    """Decode, clean and flatten an HTML page into blocks."""
    source, encoding = decode_text(data, path, declared=declared_charset(data))
    source = _SOURCE_CONTROLS.sub("", source)
    builder = BlockBuilder()
    try:
        root = _parse(source)
        if root is not None:
            page = _Page()
            body = next(root.iter("body"), root)
            _drop_chrome(page, body)
            container, titles = main_container(page, body)
            table_index = 0
            for title in titles:
                text = inline_text(page, title)
                if title.tag in HEADING_TAGS:
                    builder.add("heading", text, level=HEADING_TAGS[title.tag])
                else:
                    builder.add("paragraph", text)
            for kind, content, level in _events(page, container, flat=False):
                if kind == "table":
                    for cells in content:
                        builder.add_row(cells, table=table_index)
                    table_index += 1
                elif kind == "heading":
                    builder.add("heading", content, level=level)
                else:
                    builder.add("paragraph", content)
    except ReportError:
        raise
    except Exception as exc:  # parser or tree errors on malformed markup
        raise ReportError(path, f"corrupt HTML: {type(exc).__name__}: {exc}") from exc
    return make_document(path, fmt, data, builder.text, builder.blocks, encoding=encoding)
