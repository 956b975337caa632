"""Headless Chromium for the HTML tests (summary and review pages): screenshots, the DOM after scripts ran,
console messages, and a probe of the glyphs drawn, with the machine's fonts or with no Chinese font at all."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import HANG_GUARD_SECONDS

# Chromium as the machine's probe starts it: no network chatter in a closed sandbox, console messages on stderr.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)
LATIN_FONTS = Path("/usr/share/fonts/truetype/dejavu")

# Every non-ASCII character of the page's visible text (HTML and SVG), drawn in the page's font once its fonts
# have loaded, against U+F0000 (private use: no font has it, so it is drawn as the empty box) drawn the same
# way: the same pixels mean the character is an empty box too.
PROBE = """<script>
(async () => {
  await document.fonts.ready;
  const family = getComputedStyle(document.body).fontFamily;
  const text = document.body.innerText + [...document.querySelectorAll("svg text")].map(t => t.textContent).join("");
  const chars = [...new Set([...text].filter(c => c.codePointAt(0) > 0x7f && c.trim()))];
  await document.fonts.load("32px " + family, chars.join(""));
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const pixels = (c) => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.font = "32px " + family;
    ctx.fillText(c, 4, 38);
    return ctx.getImageData(0, 0, 48, 48).data.join(",");
  };
  const box = pixels("\\u{F0000}");
  const boxes = chars.filter(c => pixels(c) === box);
  const out = document.createElement("pre");
  out.id = "glyph-probe";
  out.textContent = JSON.stringify({chars: chars.length, boxes: boxes, font: ctx.font});
  document.body.append(out);
})();
</script>"""


def browser() -> str:
    found = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if found is None:
        pytest.skip("no headless Chromium installed (apt-get install chromium fonts-noto-cjk)")
    return found


def without_cjk_fonts(tmp: Path) -> dict[str, str]:
    """Environment for a Chromium that sees only the Latin DejaVu fonts (a fresh machine with no Chinese font)."""
    if not LATIN_FONTS.is_dir():
        pytest.skip(f"{LATIN_FONTS} is absent")
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{LATIN_FONTS}</dir><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>",
        "utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


def run(
    page: Path, tmp: Path, *flags: str, env: dict[str, str] | None = None, fragment: str = ""
) -> subprocess.CompletedProcess[str]:
    import os

    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [browser(), *FLAGS, *flags, f"--user-data-dir={profile}", page.as_uri() + fragment],
        check=True,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        env={**os.environ, **(env or {})},
    )


def console_messages(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line]


def screenshot(
    page: Path, tmp: Path, name: str, env: dict[str, str] | None = None, fragment: str = "", size: str = "1300,1600"
) -> tuple[Path, list[str]]:
    """A PNG of the page (kept in `tmp` for a person to look at) and the console messages while loading it."""
    shot = tmp / f"{name}.png"
    result = run(page, tmp, f"--screenshot={shot}", f"--window-size={size}", env=env, fragment=fragment)
    return shot, console_messages(result)


def dom(page: Path, tmp: Path, env: dict[str, str] | None = None, fragment: str = "") -> str:
    return run(page, tmp, "--dump-dom", "--virtual-time-budget=15000", env=env, fragment=fragment).stdout


def empty_boxes(page: Path, tmp: Path, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """(non-ASCII characters on the page, those drawn as empty boxes), by the PROBE on a copy of the page."""
    probed = tmp / f"probed-{page.name}"
    probed.write_text(page.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    match = re.search(r'<pre id="glyph-probe">(.*?)</pre>', dom(probed, tmp, env=env))
    assert match, "the glyph probe did not run"
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return result["chars"], result["boxes"]
