"""Reading report files into `Document`s: `read(path)` sniffs the format and dispatches.

Each format has its own module (textfile, htmlpage, wordfile, pdffile). Heavy libraries (pypdfium2,
python-docx, lxml, charset-normalizer) are imported inside those readers, so importing this
package, or reading a UTF-8 .txt, stays fast.
"""

from __future__ import annotations

import errno
import importlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from gkreport.document import Document
from gkreport.errors import ReportError
from gkreport.readers.encoding import BINARY_CONTROL_SHARE, control_share_of_bytes

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMAT_BY_SUFFIX",
    "SUPPORTED_SUFFIXES",
    "WALKED_SUFFIXES",
    "open_report_file",
    "read",
    "sniff_format",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# File suffix -> document format. Government portals serve pages as .shtml/.htm as well.
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(FORMAT_BY_SUFFIX)
# Folders are walked for these too: the content decides (a .doc saved from a web page is HTML and is read),
# and a real legacy Word file becomes an error saying to save it as .docx instead of being passed over.
WALKED_SUFFIXES: tuple[str, ...] = (*SUPPORTED_SUFFIXES, ".doc", ".wps")

# format -> "module:function"; imported on first use.
_READERS: dict[str, str] = {
    "txt": "gkreport.readers.textfile:read_text_file",
    "md": "gkreport.readers.textfile:read_text_file",
    "html": "gkreport.readers.htmlpage:read_html",
    "docx": "gkreport.readers.wordfile:read_docx",
    "pdf": "gkreport.readers.pdffile:read_pdf",
}

_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WINDOW = 1024  # the PDF spec lets junk precede the header within the first 1 KB
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_DOCX_MEMBER = b"word/document.xml"  # zip member names are stored as plain bytes
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .wps / .xls
# An HTML start: optional XML declaration and comments, then one of the tags a page or fragment opens with.
_HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<html\b", re.IGNORECASE)
_SNIFF_WINDOW = 4096
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _looks_like_html(data: bytes) -> bool:
    head = data[:_SNIFF_WINDOW]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 page: sniff the decoded start
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return bool(_HTML_START.match(head) or _HTML_ANYWHERE.search(head[:1024]))


def _looks_like_text(data: bytes) -> bool:
    head = data[:_SNIFF_WINDOW]
    if head.startswith(_TEXT_BOMS):
        return True
    return b"\x00" not in head and control_share_of_bytes(head) <= BINARY_CONTROL_SHARE


def sniff_format(data: bytes, suffix: str) -> str:
    """The format of a file from its content, with the suffix as a tie-breaker.

    Signatures win over the suffix (%PDF-, a zip holding word/document.xml, an HTML start tag). A
    .pdf/.docx whose bytes match neither is read as text if it looks like text; otherwise it keeps
    its suffix's format, so the error says "corrupt PDF"/"corrupt DOCX".
    """
    suffix_format = FORMAT_BY_SUFFIX.get(suffix.lower())
    if _PDF_MAGIC in data[:_PDF_MAGIC_WINDOW]:
        return "pdf"
    if data.startswith(_ZIP_MAGICS) and (_DOCX_MEMBER in data or suffix_format == "docx"):
        return "docx"
    if suffix_format in ("pdf", "docx"):
        if _looks_like_html(data):
            return "html"
        return "txt" if _looks_like_text(data) else suffix_format
    if suffix_format == "html" or _looks_like_html(data):
        return "html"
    return suffix_format or "txt"


def _too_large(name: str, max_bytes: int) -> ReportError:
    megabytes = max_bytes / (1024 * 1024)
    limit = f"{int(megabytes)} MB" if megabytes == int(megabytes) else f"{megabytes:.3g} MB ({max_bytes} B)"
    return ReportError(name, f"file is larger than the limit of {limit}")


_NOT_REGULAR: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _os_reason(name: str, exc: OSError) -> str:
    """Why a path cannot be opened, in words (a dangling link and a link loop are told apart from absence)."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: the link leads back to itself"
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(name):
            return f"dangling symbolic link: its target {os.readlink(name)} does not exist"
        return "file not found"
    if isinstance(exc, PermissionError):
        return "cannot read file: permission denied"
    return f"cannot read file: {exc.strerror or exc}"


def _kind_refused(name: str, mode: int) -> ReportError | None:
    if stat.S_ISDIR(mode):
        try:
            os.scandir(name).close()
        except OSError as exc:
            return ReportError(name, f"cannot read folder: {exc.strerror or exc}")
        return ReportError(name, "is a directory, not a file")
    for test, what in _NOT_REGULAR:
        if test(mode):
            return ReportError(name, f"{what}, not a regular file: not opened")
    return None


def open_report_file(name: str | Path) -> BinaryIO:
    """The file opened for reading, only if it is a regular file: a named pipe (which would block), a socket
    or a device is refused without being read; every OS failure becomes a ReportError naming the file."""
    name = str(name)
    try:
        mode = os.stat(name).st_mode  # a FIFO must not even be opened: open() waits for a writer
    except OSError as exc:
        raise ReportError(name, _os_reason(name, exc)) from exc
    refused = _kind_refused(name, mode)
    if refused is not None:
        raise refused
    try:
        # O_NONBLOCK: should a pipe take the file's place after the stat above, opening it does not wait
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ReportError(name, _os_reason(name, exc)) from exc
    handle = os.fdopen(fd, "rb")
    refused = _kind_refused(name, os.fstat(fd).st_mode)
    if refused is not None:
        handle.close()
        raise refused
    return handle


def _load(name: str, max_bytes: int) -> bytes:
    """The file's bytes, with every OS-level failure turned into a ReportError naming `name`."""
    with open_report_file(name) as handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:
            raise _too_large(name, max_bytes)
        try:
            data = handle.read(max_bytes + 1)  # +1: the file may have grown since fstat
        except OSError as exc:
            raise ReportError(name, _os_reason(name, exc)) from exc
    if len(data) > max_bytes:
        raise _too_large(name, max_bytes)
    return data


def read(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a report file (.txt .md .html .docx .pdf, or any name: the content decides) into a Document.

    Raises ReportError, naming the file and the reason, for anything that is not a readable report.
    """
    name = str(path)  # messages and Document.path name the file as the caller did
    data = _load(name, max_bytes)
    if not data:
        raise ReportError(name, "empty file")
    if data.startswith(_OLE2_MAGIC):
        raise ReportError(name, "legacy Word .doc/.wps (OLE2) file is not supported; save it as .docx")
    fmt = sniff_format(data, Path(name).suffix)
    module_name, function_name = _READERS[fmt].split(":")
    reader = getattr(importlib.import_module(module_name), function_name)
    return reader(name, data, fmt)
