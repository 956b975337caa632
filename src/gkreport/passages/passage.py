"""The passage record: what `gkreport.themes`, the annotations and the store share.

A passage's `id` ("5.1", "6.2" …) and `sha1` are what a label refers to, so they must stay stable for a
given text and splitter version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["problem", "improvement", "rectification", "innovation", "workplan", "fee", "proposals", "other"]
ROLES: tuple[str, ...] = (
    "problem",
    "improvement",
    "rectification",
    "innovation",
    "workplan",
    "fee",
    "proposals",
    "other",
)

SPLITTER_VERSION = "1"


def text_sha1(text: str) -> str:
    """The hash that annotations use to refer to a passage without copying it."""
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Passage:
    doc: str  # document id: the source file name
    id: str  # "5.1", "5.2", "6.1" … stable for a given text and splitter version
    section: int  # 5 or 6
    role: str
    text: str
    start: int  # offsets into Document.text
    end: int
    heading: str | None = None  # the sub-heading the passage sits under, if any
    pair: str | None = None  # id of the passage that answers / is answered by this one
    # (theme, score, assigned) for every theme of the model, once the pipeline's "themes" stage ran
    themes: list[tuple[str, float, int]] = field(default_factory=list)

    @property
    def sha1(self) -> str:
        return text_sha1(self.text)
