"""The README's "From Python" example runs, and gives what its comments say."""

from __future__ import annotations

import ast
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## From Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, flags=re.S).group(1).splitlines()  # type: ignore[union-attr]


def test_the_python_example_gives_what_its_comments_say() -> None:
    namespace: dict[str, object] = {}
    checked = 0
    for line in _example():
        code, _, said = line.partition("  # ")
        if not said:
            exec(code, namespace)  # noqa: S102 - the README's own example
            continue
        got = eval(code, namespace)  # noqa: S307
        want = ast.literal_eval(f"({said},)" if "," in said and not said.startswith("[") else said)
        assert (tuple(got) if isinstance(want, tuple) else got) == want, line
        checked += 1
    assert checked >= 4
