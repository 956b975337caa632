"""Reader for HTML article pages, via BeautifulSoup + lxml.

The page's declared charset is used when it decodes, otherwise the bytes are detected. Scripts,
styles, navigation, page headers/footers, hidden elements and site chrome (menus, breadcrumbs,
share bars, by id/class) are dropped; if one element evidently holds the article (most of the
text), only it is read, with any page title that precedes it. Headings become heading blocks,
data tables become row blocks on a rowspan/colspan grid, everything else becomes one paragraph
per rendered line.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.normalise import normalise_text
from gkreport.readers._build import BlockBuilder, make_document, squash
from gkreport.readers.encoding import decode_text

# Elements that never hold report text.
DROP_TAGS = frozenset({
    "script", "style", "nav", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "svg", "canvas", "button", "select", "input", "textarea", "aside", "map", "audio", "video", "head",
})
# Page-level header/footer, by tag or id/class word; kept inside <article>/<main>, where a header
# holds the article title.
PAGE_CHROME_TAGS = frozenset({"header", "footer"})
PAGE_CHROME_TOKENS = frozenset({"header", "head", "top"})
ARTICLE_TAGS = ["article", "main"]
# id/class words of site chrome on government portals (split on - _ and spaces, lower case).
CHROME_TOKENS = frozenset({
    "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "sidebar",
    "sidenav", "footer", "foot", "topbar", "toolbar", "banner", "share", "bdshare", "copyright", "skip",
    "login", "search", "searchbox", "pagination", "pager", "position", "location", "dqwz",
})
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
BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "html", "li",
    "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
})
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
# Characters XML/HTML parsers reject; they carry no text.
_SOURCE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_DIGITS = re.compile(r"\d+")


def declared_charset(data: bytes) -> str | None:
    """The charset named in a meta tag or XML declaration near the top of the page."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _tokens(tag: Any) -> set[str]:
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = [classes]
    words = " ".join([*classes, str(tag.get("id") or "")]).lower()
    return {token for token in _TOKEN_SPLIT.split(words) if token}


def _prune(root: Any, should_drop: Any) -> None:
    """Decompose every element under `root` for which `should_drop(tag)` holds, top down.

    A dropped element's subtree is not visited again (bs4's `decomposed` check would be a child
    lookup on a tree in flux, and slow on deep pages).
    """
    from bs4.element import Tag

    stack = [child for child in root.contents if isinstance(child, Tag)]
    while stack:
        tag = stack.pop()
        if should_drop(tag):
            tag.decompose()
        else:
            stack.extend(child for child in tag.contents if isinstance(child, Tag))


def _is_hidden_or_code(tag: Any) -> bool:
    style = tag.get("style")
    return tag.name in DROP_TAGS or tag.has_attr("hidden") or (
        isinstance(style, str) and _HIDDEN_STYLE.search(style) is not None)


def _drop_chrome(body: Any) -> None:
    _prune(body, _is_hidden_or_code)
    lengths = text_lengths(body)
    limit = CHROME_MAX_SHARE * lengths[id(body)]

    def is_chrome(tag: Any) -> bool:
        if lengths[id(tag)] > limit:
            return False
        tokens = _tokens(tag)
        if tokens & CHROME_TOKENS:
            return True
        return ((tag.name in PAGE_CHROME_TAGS or bool(tokens & PAGE_CHROME_TOKENS))
                and tag.find_parent(ARTICLE_TAGS) is None)

    _prune(body, is_chrome)


def _is_title(tag: Any) -> bool:
    return tag.name in HEADING_TAGS or bool(_tokens(tag) & TITLE_TOKENS)


def _titles_before(children: list[Any], best: Any) -> list[Any]:
    """Short title elements (h1-h6 or class "title") among the siblings before the container."""
    titles = []
    for child in children:
        if child is best:
            break
        for tag in ([child] if _is_title(child) else []) + child.find_all(_is_title):
            if 0 < len(tag.get_text(strip=True)) <= TITLE_MAX_CHARS:
                titles.append(tag)
                break
    return titles


def text_lengths(root: Any) -> dict[int, int]:
    """Visible text length of every element under `root` (by id), in one post-order pass."""
    from bs4.element import NavigableString, PreformattedString, Tag

    lengths: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((child, False) for child in node.contents if isinstance(child, Tag))
            continue
        total = 0
        for child in node.contents:
            if isinstance(child, Tag):
                total += lengths[id(child)]
            elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                total += len(child.strip())
        lengths[id(node)] = total
    return lengths


def main_container(body: Any) -> tuple[Any, list[Any]]:
    """The element that evidently holds the article, and the page titles that precede it."""
    lengths = text_lengths(body)
    node, titles = body, []
    while True:
        children = node.find_all(True, recursive=False)
        total = lengths[id(node)]
        if not children or total == 0:
            return node, titles
        best = max(children, key=lambda child: lengths[id(child)])
        # Tables are read as a whole (rows, grids), never entered as containers.
        if best.name in ("table", "tbody", "thead", "tr") or lengths[id(best)] < CONTAINER_SHARE * total:
            return node, titles
        titles += _titles_before(children, best)
        node = best


def _span(value: Any, limit: int) -> int:
    match = _DIGITS.search(str(value)) if value is not None else None
    return max(1, min(int(match.group()), limit)) if match else 1


def table_grid(table: Any) -> list[list[str]]:
    """Rows of cell texts on the table's grid.

    A cell spanning several rows/columns puts its text in its first (top-left) position and "" in
    the others, so every row has as many cells as the grid is wide and positions line up with the
    column headers; repeating the text would double-count numbers in sums.
    """
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(("td", "th"), recursive=False):
            while (r, c) in grid:
                c += 1
            rowspan = _span(cell.get("rowspan"), len(rows) - r)
            colspan = _span(cell.get("colspan"), MAX_COLSPAN)
            text = inline_text(cell)
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


def _events(root: Any, flat: bool) -> Iterator[tuple[str, Any, int]]:
    """Rendered content of `root` in order: ("line", text, 0), ("heading", text, level), ("table", grid, 0).

    With `flat`, headings and tables come out as plain lines (for the text of a cell or heading).
    Iterative, so deeply nested pages cannot exhaust the recursion limit.
    """
    from bs4.element import NavigableString, PreformattedString, Tag

    buffer: list[str] = []

    def flush() -> Iterator[tuple[str, Any, int]]:
        line = squash(normalise_text("".join(buffer)))
        buffer.clear()
        if line:
            yield ("line", line, 0)

    stack: list[tuple[Any, bool]] = [(child, False) for child in reversed(root.contents)]
    while stack:
        node, closing = stack.pop()
        if closing:
            yield from flush()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctype
                buffer.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "br":
            yield from flush()
            continue
        if not flat and name in HEADING_TAGS:
            yield from flush()
            text = inline_text(node)
            if text:
                yield ("heading", text, HEADING_TAGS[name])
            continue
        if not flat and name == "table" and node.find("table") is None:
            grid = table_grid(node)
            if _is_data_table(grid):
                yield from flush()
                yield ("table", grid, 0)
                continue
        if name == "pre":
            yield from flush()
            for line in node.get_text().split("\n"):
                buffer.append(line)
                yield from flush()
            continue
        if name in BLOCK_TAGS or name in HEADING_TAGS:
            yield from flush()
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    yield from flush()


def inline_text(tag: Any) -> str:
    """Text of an element as one line: its rendered lines joined by a space."""
    return " ".join(text for _, text, _ in _events(tag, flat=True))


def read_html(path: str, data: bytes, fmt: str = "html") -> Document:
    """Decode, clean and flatten an HTML page into blocks."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

    source, encoding = decode_text(data, path, declared=declared_charset(data))
    source = _SOURCE_CONTROLS.sub("", source)
    try:
        with warnings.catch_warnings():  # a short page "looks like a file name" to bs4; it is a page
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(source, "lxml")
        body = soup.body or soup
        _drop_chrome(body)
        container, titles = main_container(body)
        builder = BlockBuilder()
        table_index = 0
        for title in titles:
            text = inline_text(title)
            if title.name in HEADING_TAGS:
                builder.add("heading", text, level=HEADING_TAGS[title.name])
            else:
                builder.add("paragraph", text)
        for kind, content, level in _events(container, flat=False):
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
