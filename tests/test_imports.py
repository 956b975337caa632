"""Commands import only what they use: a cold `gkreport tag` or `check` pays for every module it imports.

Each command runs in a fresh interpreter, which then lists the modules it holds. The test looks at which
modules are present, never at how long anything took.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EX01 as EXAMPLE
from helpers import HANG_GUARD_SECONDS

# Run the CLI as `python -m gkreport.cli` does, then write the names of the imported modules to a file.
_LIST_MODULES = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["gkreport", *sys.argv[2:]]
try:
    runpy.run_module("gkreport.cli", run_name="__main__")
except SystemExit:
    pass
with open(out, "w", encoding="utf-8") as f:
    json.dump(sorted(name for name, module in sys.modules.items() if module is not None), f)
"""

# Heavy and unused on every command below: training and evaluation libraries, the region gazetteer with
# pandas, the Dask cluster, and pkg_resources (jieba asks for it only to open its own files).
NEVER = {"sklearn", "spacy", "scipy", "pandas", "cpca", "dask", "distributed", "pkg_resources"}
# Theme scoring: only `tag` (and `classify`, batch workers) need these.
THEMES = {"jieba", "joblib", "numpy"}


def _imported(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _LIST_MODULES, str(out), *args],
        check=True,
        capture_output=True,
        timeout=HANG_GUARD_SECONDS,
    )
    return {name.split(".")[0] for name in json.loads(out.read_text(encoding="utf-8"))}


def test_tag_imports_no_training_library_and_no_pkg_resources(tmp_path: Path) -> None:
    imported = _imported(tmp_path, "tag", str(EXAMPLE))
    assert THEMES <= imported, "the test no longer runs the theme scorer"
    assert not imported & NEVER


@pytest.mark.parametrize("command", ["segment", "tables", "check"])
def test_commands_without_themes_import_no_theme_scorer(tmp_path: Path, command: str) -> None:
    imported = _imported(tmp_path, command, str(EXAMPLE))
    assert "gkreport" in imported
    assert not imported & (NEVER | THEMES)
