"""Self-contained HTML pages (the summary's and the review's): one file, nothing fetched, Chinese readable
on any machine.

The CSS names a Chinese font stack (data/cjk_fonts.json). When one of the open fonts listed there is installed
where the page is made (and fontTools is available), the glyphs the page uses are subset from it and embedded
as a WOFF data URL under their own family name, keeping the font's copyright and licence records; otherwise
the page says which font to install.
"""

from __future__ import annotations

import base64
import html
import io
import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

BASE_CSS = """body{margin:1.5em 2em;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.4em}
td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:90%}
p.none{color:#777;font-style:italic}
figure{margin:1em 0}
"""


@lru_cache(maxsize=1)
def font_config() -> dict[str, Any]:
    return json.loads(files("gkreport").joinpath("data/cjk_fonts.json").read_text(encoding="utf-8"))


def font_stack() -> str:
    config = font_config()
    return ", ".join(f'"{name}"' if " " in name else name for name in [config["family"], *config["stack"]])


def embedded_font(text: str) -> tuple[str, str] | None:
    """(@font-face rule, the font it was subset from) for the non-ASCII characters of `text`, or None when
    no listed font is installed, fontTools is missing, or the page uses more glyphs than `max_glyphs`."""
    config = font_config()
    chars = sorted({c for c in text if ord(c) > 0x7F and not c.isspace()})
    if not chars or len(chars) > config["max_glyphs"]:
        return None
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        return None
    for candidate in config["embed"]:
        if not Path(candidate["path"]).is_file():
            continue
        options = subset.Options()
        options.flavor = "woff"  # zlib-compressed: needs no brotli
        options.name_IDs = [0, 13, 14]  # copyright, licence and its URL travel with the subset (OFL §2)
        options.layout_features = []  # no vertical or contextual forms: a report page needs none
        options.hinting = False
        options.desubroutinize = True  # smaller after compression
        font = TTFont(candidate["path"], fontNumber=candidate["number"], recalcTimestamp=False)  # same bytes
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(chars))
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.flavor = "woff"
        font.save(buffer)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        rule = (
            f'@font-face{{font-family:"{config["family"]}";font-display:block;'
            f'src:url(data:font/woff;base64,{data}) format("woff")}}'
        )
        return rule, f"{candidate['name']} ({candidate['licence']})"
    return None


def page(title: str, body: str, *, script: str = "", css: str = "", embed_font: bool = True) -> str:
    """A complete HTML document. The font subset is taken from the page's own text (body and script data)."""
    font = embedded_font(title + body + script) if embed_font else None
    config = font_config()
    if font is None:
        notice = (
            f"Chinese text on this page needs a Chinese font ({', '.join(config['stack'][:3])}, …); "
            f"if characters show as empty boxes, install one, e.g. <code>{config['install_hint']}</code>."
        )
    else:
        notice = f"Chinese glyphs embedded from {html.escape(font[1])}."
    style = (font[0] if font else "") + f"\nbody,svg text{{font-family:{font_stack()}}}\n" + BASE_CSS + css
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>',
            f"<style>{style}</style></head><body>",
            body,
            f'<p class="note" id="font-note">{notice}</p>',
            f"<script>{script}</script>" if script else "",
            "</body></html>",
        ]
    )
