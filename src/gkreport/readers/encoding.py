"""Decoding the bytes of a text or HTML file without assuming an encoding.

Order: a BOM (UTF-8, UTF-32, UTF-16: a prefix test, so no cost to the fast path), an encoding the
file declares (HTML meta) if it decodes plausibly, strict UTF-8 (the fast path for most files),
UTF-8 with a few broken bytes, charset-normalizer (which also finds BOM-less UTF-16 and GB18030),
and last a lossy decode of a nearly-decodable file, recorded as e.g. "gb18030 (lossy)". Binary
data is told apart from undecodable text so the error says which it is.
"""

from __future__ import annotations

import codecs
import re

from gkreport.errors import ReportError

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# GB2312 and GBK are subsets of GB18030; decoding with the superset loses nothing and survives the
# odd character that a page labelled gb2312 really takes from GBK.
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "euc_cn", "x-gbk", "hz-gb-2312"})

# C0 controls other than \t \n \v \f \r, and DEL: plentiful in binary data, rare in text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
# Share of control characters above which a decoded file is called binary, not text.
BINARY_CONTROL_SHARE = 0.02

BINARY_REASON = "not a text document: binary data"

# Characters a Chinese report is written in. A detected encoding whose decoding is mostly other
# characters (Hangul, box drawing, accented Latin...) is a detector's guess on junk, not a report.
REPORT_CHAR_RANGES: tuple[tuple[str, str], ...] = (
    ("\t", "\r"),
    (" ", "~"),  # ASCII text
    ("\u00a0", "\u00a0"),
    ("\u00a7", "\u00a7"),
    ("\u00b0", "\u00b1"),
    ("\u00b7", "\u00b7"),
    ("\u00d7", "\u00d7"),
    ("\u00f7", "\u00f7"),  # NBSP § ° ± · × ÷
    ("\u2000", "\u206f"),  # general punctuation: “” — …
    ("\u2100", "\u218f"),  # ℃ № Ⅰ
    ("\u2190", "\u21ff"),
    ("\u2460", "\u24ff"),
    ("\u25a0", "\u25ff"),
    ("\u2605", "\u2606"),
    ("\u3000", "\u303f"),  # CJK punctuation 、。「」
    ("\u3200", "\u32ff"),
    ("\u3400", "\u4dbf"),
    ("\u4e00", "\u9fff"),
    ("\uf900", "\ufaff"),
    ("\ufe30", "\ufe4f"),
    ("\uff00", "\uff60"),  # CJK ideographs, compatibility and full-width forms
    ("\uffe0", "\uffef"),  # full-width signs; not half-width katakana or hangul
    ("\U00020000", "\U0003134f"),  # CJK extensions B-G
)
# Good non-ASCII characters needed per broken byte sequence for a file to count as damaged UTF-8.
NEARLY_UTF8_RATIO = 20
# Share of U+FFFD replacements a nearly-decodable file may have and still be read (see _decode_lossy).
MAX_LOSSY_SHARE = 0.02
# Share of report characters among the non-ASCII ones that a detected (non-UTF-8, non-BOM) decoding
# must reach.
MIN_REPORT_CHAR_SHARE = 0.8
_FOREIGN_CHARS = re.compile(
    "[^" + "".join(f"{re.escape(low)}-{re.escape(high)}" for low, high in REPORT_CHAR_RANGES) + "]"
)


def canonical_encoding(name: str) -> str | None:
    """Python's name for an encoding label ("GB2312" -> "gb18030", "utf_16_le" -> "utf-16-le")."""
    label = name.strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def control_share_of_bytes(data: bytes) -> float:
    """Share of bytes that are control characters (no decoding needed)."""
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _is_binary_text(text: str) -> bool:
    if not text:
        return False
    controls = len(_CONTROL_CHARS.findall(text))
    return controls > 0 and controls / len(text) > BINARY_CONTROL_SHARE


def _accept(path: str, text: str, encoding: str) -> tuple[str, str]:
    if _is_binary_text(text):
        raise ReportError(path, BINARY_REASON)
    return text, encoding


def decode_text(data: bytes, path: str, declared: str | None = None) -> tuple[str, str]:
    """Decode `data`; return (text, encoding name). Raise ReportError for binary or undecodable bytes."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _accept(path, data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError:
            pass  # a BOM followed by non-UTF-8 bytes: let detection decide
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _accept(path, data.decode(name), name)
            except UnicodeDecodeError:
                break
    if declared:
        text = _decode_declared(data, declared)
        if text is not None:
            return _accept(path, *text)
    try:
        return _accept(path, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    nearly_utf8 = _nearly_utf8(data)
    if nearly_utf8 is not None:
        return _accept(path, nearly_utf8, "utf-8 (lossy)")
    try:
        return _detect(data, path)
    except ReportError as error:
        if error.reason == BINARY_REASON:
            raise
        repaired = _decode_lossy(data, declared)
        if repaired is None:
            raise
        return _accept(path, *repaired)


def _decode_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    encoding = canonical_encoding(declared)
    # A meta tag cannot truthfully declare UTF-16/32 (it was read as ASCII); HTML says to ignore it.
    if encoding is None or encoding.startswith(("utf-16", "utf-32")):
        return None
    if encoding == "gb18030" and not data.isascii():
        # Pages often keep a gb2312 meta tag after the CMS moved to UTF-8. Long GBK text that is
        # also valid UTF-8 is practically impossible, so valid UTF-8 wins over the label.
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    # A single-byte label (iso-8859-1, windows-1252) decodes any bytes; GBK text under such a label
    # must not come out as accented Latin.
    return (text, encoding) if encoding == "utf-8" or _plausible(text) else None


def _nearly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a cut-off download, a flipped byte), else None.

    GBK or Big5 read as UTF-8 breaks on most of its non-ASCII characters; a handful of bad bytes
    among many good multi-byte characters means the file is UTF-8.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - broken
    return text if 0 < broken * NEARLY_UTF8_RATIO <= non_ascii else None


def _plausible(text: str) -> bool:
    """Whether the non-ASCII characters of `text` are mostly ones a Chinese report uses.

    ASCII is left out of the count: in an HTML page the markup would otherwise outweigh a
    mis-decoded article.
    """
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    foreign = len(_FOREIGN_CHARS.findall(text))
    return bool(text) and foreign <= (1 - MIN_REPORT_CHAR_SHARE) * max(non_ascii, 1)


def _decode_lossy(data: bytes, declared: str | None) -> tuple[str, str] | None:
    """Last resort for a file that is almost one encoding but has a few broken bytes (a truncated
    download, one pasted fragment): the declared encoding, UTF-8 or GB18030 with U+FFFD for the bad
    bytes, whichever breaks least, if under MAX_LOSSY_SHARE of the text. The encoding is recorded
    as e.g. "utf-8 (lossy)" so the damage stays visible.
    """
    candidates = [canonical_encoding(declared) if declared else None, "utf-8", "gb18030"]
    best: tuple[int, str, str] | None = None
    for encoding in dict.fromkeys(c for c in candidates if c and not c.startswith(("utf-16", "utf-32"))):
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            continue
        broken = text.count("\ufffd")
        if best is None or broken < best[0]:
            best = (broken, text, encoding)
    if best is None or not best[1] or best[0] > MAX_LOSSY_SHARE * len(best[1]):
        return None
    return best[1], f"{best[2]} (lossy)"


def _common_hanzi_share(text: str) -> float:
    """Share of the CJK ideographs of `text` that are among the 3,755 most frequent ones (GB 2312 level
    1, rows 16-55: lead bytes 0xB0-0xD7), traditional forms excepted, which GB 2312 does not encode."""
    ideographs = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not ideographs:
        return 0.0
    common = 0
    for ch in ideographs:
        try:
            common += 0xB0 <= ch.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common / len(ideographs)


def _detect(data: bytes, path: str) -> tuple[str, str]:
    """charset-normalizer's best strict-decodable guess (imported here: only non-UTF-8 files need it)."""
    from charset_normalizer import from_bytes

    try:
        matches = list(from_bytes(data))
    except Exception as exc:  # the detector is a library: never let its failure escape as itself
        raise ReportError(path, f"cannot detect the text encoding ({type(exc).__name__})") from exc
    candidates: list[tuple[str, str]] = []  # (text, encoding), in the detector's order
    for match in matches:
        encoding = canonical_encoding(match.encoding)
        if encoding is None:
            continue
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            candidates.append((text, encoding))
    if not any(encoding == "gb18030" for _, encoding in candidates):
        # The detector may not even offer GB18030 for a few characters; it is the mainland prior.
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            if _plausible(text):
                candidates.append((text, "gb18030"))
    if candidates:
        # On short texts the detector's own scores cannot tell GBK from Big5, CP949 or EUC-JP (they tie or
        # differ by noise, in an order that changes between releases). The bytes can: read in the wrong
        # one of these encodings they give kana, hangul or box drawing (Big5's common lead bytes are GB's
        # kana rows), or rare characters where the right one gives the common hanzi. On a tie,
        # GB18030, the legacy encoding of mainland reports.
        text, encoding = max(
            candidates, key=lambda c: (-len(_FOREIGN_CHARS.findall(c[0])), _common_hanzi_share(c[0]), c[1] == "gb18030")
        )
        return _accept(path, text, encoding)
    if b"\x00" in data or control_share_of_bytes(data) > BINARY_CONTROL_SHARE:
        raise ReportError(path, BINARY_REASON)
    raise ReportError(path, "undecodable bytes: no known text encoding fits")
