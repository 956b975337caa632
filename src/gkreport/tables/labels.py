"""Row labels: each alias as a literal core (found by one alternation per table) with the ordinal and
optional words that may precede it, and the search for them in a region."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gkreport.normalise import normalise_text
from gkreport.templates import SCHEMAS, RowSpec

if TYPE_CHECKING:
    from gkreport.tables.scan import _Doc

# ---------------------------------------------------------------------------------------------------
# Patterns (all compiled at import)

_GAP = r"[\s|]*"  # letter spacing, line breaks and cell borders inside a label


def _spaced(text: str) -> str:
    return _GAP.join(re.escape(ch) for ch in text if not ch.isspace())


def _prefix_regex(prefix: str) -> str:
    if prefix.isdigit():
        return rf"{prefix}\s*[.、]\s*"
    if prefix.startswith("("):
        ordinal = prefix[1:-1]
        return rf"(?:[(（]\s*{ordinal}\s*[)）]|{ordinal}\s*、)\s*"
    return rf"{prefix}\s*[、.]\s*"


@dataclass(frozen=True, slots=True)
class _Alias:
    """One label phrase: its literal core (found by the fast alternation) and what may precede it."""

    row: str
    back: re.Pattern[str]  # the optional leading words and the printed ordinal, anchored at the core
    after: re.Pattern[str] | None  # words that must not follow the core (3.其他 is not 其他处理)
    rest: str = ""  # the official words after the core (white space removed), which a long label wraps over
    rest_match: re.Pattern[str] | None = None  # the longest printed start of `rest`, letter gaps allowed


@dataclass(frozen=True, slots=True)
class _LabelSet:
    cores: re.Pattern[str]  # one non-capturing alternation (capture groups would make it ~50x slower)
    aliases: dict[str, _Alias]  # core text (white space removed) -> alias
    printed: dict[str, _Alias] = field(default_factory=dict)  # core as printed -> alias, filled as met


_SQUEEZE = re.compile(r"[\s|]+")
_LOOKBACK = 24  # characters before a core searched for its ordinal and optional leading words


def _alias(row: RowSpec, alias: str) -> tuple[str, _Alias]:
    """Split an alias into its leading [optional] words and its literal core (the first plain part);
    anything after the core (more optional words, …) is label tail and needs no matching."""
    tokens = re.findall(r"\[[^\]]*\]|…|[^\[…]+", alias)
    leads: list[str] = []
    core = ""
    for token in tokens:
        if token.startswith("["):
            if core:
                break
            leads.append(token[1:-1])
        elif token == "…":
            break
        else:
            core = token
            break
    back = "".join(f"(?:{_spaced(lead)}{_GAP})?" for lead in leads)
    if row.prefix is not None:
        prefix = f"(?:{_prefix_regex(row.prefix)}{_GAP})"
        back = prefix + ("" if row.prefix_required else "?") + back
    after = re.compile(_GAP + "(?:法律|处理|情形)") if row.prefix_required else None
    rest = _words_after(_SQUEEZE.sub("", normalise_text(row.words)), normalise_text(core))
    # Nested optional characters: (?:G c1(?:G c2(?:G c3)?)?)? matches the longest printed start of `rest`.
    rest_match = re.compile("".join(f"(?:{_GAP}{_char(ch)}" for ch in rest) + ")?" * len(rest)) if rest else None
    return core, _Alias(row.id, re.compile(back + _GAP + r"\Z"), after, rest, rest_match)


_SAME_CHARS = {"，": "[，,]", "“": '[“"]', "”": '[”"]'}  # punctuation printed either way


def _char(ch: str) -> str:
    return _SAME_CHARS.get(ch) or re.escape(ch)


def _words_after(words: str, core: str) -> str:
    """The official words that follow an alias core: after the core itself, else after its longest
    ending found in them (本单位不掌握 ends in 不掌握, and 相关政府信息 follows)."""
    for k in range(len(core), 1, -1):
        at = words.find(core[-k:])
        if at >= 0:
            return words[at + k :]
    return ""


def _label_set(rows: Sequence[RowSpec]) -> _LabelSet:
    entries = [_alias(row, alias) for row in rows for alias in row.aliases]
    # Longer cores first, so 其他处理 wins over 其他 at the same position.
    entries.sort(key=lambda e: -len(e[0]))
    pattern = "|".join(_spaced(core) for core, _a in entries)
    return _LabelSet(re.compile(pattern), {core: a for core, a in entries})


_LABELS: dict[tuple[str, str], _LabelSet] = {
    (name, table): _label_set(schema.tables[table].rows) for name, schema in SCHEMAS.items() for table in ("2", "3")
}

# Columns per row, looked up once per label in `_walk_rows`.
_ROW_WIDTHS: dict[tuple[str, str], dict[str, int]] = {
    (name, table): {row.id: len(schema.tables[table].row_columns(row)) for row in schema.tables[table].rows}
    for name, schema in SCHEMAS.items()
    for table in ("2", "3")
}


@dataclass(slots=True)
class _Label:
    row: str
    start: int
    end: int
    alias: _Alias
    left: str = ""  # official words the label still lacked where its zone ended without numbers


def _find_labels(doc: _Doc, label_set: _LabelSet, start: int, end: int) -> list[_Label]:
    text = doc.text
    labels: list[_Label] = []
    printed = label_set.printed
    for m in label_set.cores.finditer(text, start, end):
        core = m.group()
        alias = printed.get(core)
        if alias is None:
            if len(printed) > 4096:
                printed.clear()  # bounded: letter-spaced variants are few, but batches are long
            alias = printed[core] = label_set.aliases[_SQUEEZE.sub("", core)]
        if alias.after is not None and alias.after.match(text, m.end()):
            continue
        core_start = m.start()
        # The look back runs on the text itself, bounded (its \Z matches at the core; no slice is made).
        back = alias.back.search(text, max(start, core_start - _LOOKBACK), core_start)
        if back is None:
            continue  # a required ordinal is absent: 总计 in a header is not （七）总计
        labels.append(_Label(alias.row, back.start(), m.end(), alias))
    return labels
