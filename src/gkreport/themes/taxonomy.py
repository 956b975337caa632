"""The theme taxonomy (themes/taxonomy.json): ids, names, definitions, cue phrases, boundary rules.

The JSON file is the single source of cue phrases; this module only reads and checks it. No heavy
imports here, so the taxonomy is available without scikit-learn or spaCy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from gkreport.errors import ConfigError
from gkreport.normalise import normalise_text
from gkreport.themes import THEME_IDS

TAXONOMY_FILE = "taxonomy.json"


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    name: str
    label: str
    definition: str
    cues: tuple[str, ...]
    boundary: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    version: str
    themes: tuple[Theme, ...]
    theme_roles: tuple[str, ...] = ()  # passage roles that can carry themes; the others (lead-ins, fees) never do
    key_themes: tuple[str, ...] = ()  # the themes whose F1 has its own target in the comparison of models

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def cues(self) -> dict[str, tuple[str, ...]]:
        """Cue phrases per theme id, split on "/" alternatives and normalised like report text."""
        return {theme.id: expand_cues(theme.cues) for theme in self.themes}


# A placeholder that cannot occur in report text: blanks out a matched cue so that a shorter cue inside it
# ("培训" inside "业务培训") is not counted a second time.
_MATCHED = "\x00"


@dataclass(frozen=True, slots=True)
class CueMatcher:
    """Finds the cue phrases of several themes in a text, each occurrence counted once: longest cues
    first, a matched cue blanked before shorter ones are looked for. A cue listed under several themes
    counts for each of them. Pure Python: the numpy scorer uses it without scikit-learn."""

    order: tuple[tuple[str, tuple[int, ...]], ...]  # (cue, columns of the themes that list it)

    @classmethod
    def build(cls, cues: Mapping[str, Sequence[str]], themes: Sequence[str]) -> CueMatcher:
        owners: dict[str, list[int]] = {}
        for j, theme in enumerate(themes):
            for cue in expand_cues(list(cues[theme])):
                owners.setdefault(cue, []).append(j)
        return cls(tuple((cue, tuple(owners[cue])) for cue in sorted(owners, key=lambda c: (-len(c), c))))

    def hits(self, text: str) -> list[tuple[int, ...]]:
        """Per distinct cue found in `text` (normalised first): the theme columns it counts for."""
        work = normalise_text(text)
        found: list[tuple[int, ...]] = []
        for cue, columns in self.order:
            if cue in work:
                found.append(columns)
                work = work.replace(cue, _MATCHED)
        return found


def expand_cues(cues: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Split "专职/兼职"-style alternatives and normalise, dropping blanks and duplicates, order kept."""
    out: dict[str, None] = {}
    for cue in cues:
        for part in cue.split("/"):
            part = normalise_text(part).strip()
            if part:
                out[part] = None
    return tuple(out)


def _parse(raw: object, source: str) -> Taxonomy:
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list):
        raise ConfigError(source, 'taxonomy must be an object with a "themes" list')
    themes: list[Theme] = []
    for entry in raw["themes"]:
        if not isinstance(entry, dict) or "id" not in entry:
            raise ConfigError(source, f"taxonomy entry without an id: {entry!r}")
        themes.append(
            Theme(
                id=str(entry["id"]),
                name=str(entry.get("name", "")),
                label=str(entry.get("label", "")),
                definition=str(entry.get("definition", "")),
                cues=tuple(str(c) for c in entry.get("cues", [])),
                boundary=tuple(str(b) for b in entry.get("boundary", [])),
            )
        )
    ids = [t.id for t in themes]
    if sorted(ids) != sorted(THEME_IDS):  # models and annotations use the packaged taxonomy's ids
        raise ConfigError(
            source, f"taxonomy theme ids {ids} differ from the expected {list(THEME_IDS)} of the packaged taxonomy"
        )
    # Keep the package's column order, whatever order the file lists the themes in.
    themes.sort(key=lambda t: THEME_IDS.index(t.id))
    roles = raw.get("applies_to_roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ConfigError(source, '"applies_to_roles" must be a list of passage roles')
    key = raw.get("key_themes", [])
    if not isinstance(key, list) or not all(k in ids for k in key):
        raise ConfigError(source, f'"key_themes" must be a list of the theme ids {ids}')
    return Taxonomy(
        version=str(raw.get("version", "")), themes=tuple(themes), theme_roles=tuple(roles), key_themes=tuple(key)
    )


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read the taxonomy from `path`, or from the copy shipped in the package."""
    if path is not None:
        return _load_path(str(path))
    return _load_packaged()


def _load_path(path: str) -> Taxonomy:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(path, f"cannot read taxonomy: {exc}") from exc
    return _parse(raw, path)


@lru_cache(maxsize=1)
def _load_packaged() -> Taxonomy:
    resource = resources.files("gkreport.themes").joinpath(TAXONOMY_FILE)
    try:
        raw = json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(str(resource), "the packaged theme taxonomy is missing") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(str(resource), f"taxonomy is not valid JSON: {exc}") from exc
    return _parse(raw, str(resource))
