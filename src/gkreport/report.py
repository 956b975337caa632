"""The `Report`: one document and everything the pipeline finds in it.

A reader gives a `Document` (text and blocks); `segment` makes it a `Report` with its six sections; every
later stage of `gkreport.pipeline.Pipeline` fills in its own part of the same object (tables, checks,
passages with their themes, region), the way a spaCy `Doc` carries what each component found. Commands,
the batch, evaluate and the bench all read their results from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from gkreport.document import Document

if TYPE_CHECKING:  # the stages' own types; importing them here would load every stage with the report
    from gkreport.checks import CheckResult
    from gkreport.passages import Passage
    from gkreport.tables import TableResult

Template = Literal["2021", "2019", "pre2019", "unknown"]
SectionStatus = Literal["found", "inferred", "missing"]
Level = Literal["township", "county", "prefecture", "province", "department", "unknown"]


@dataclass(slots=True)
class Section:
    """One statutory section. `start`/`end` span its body (after the heading) in `Document.text`."""

    number: int
    name: str
    heading: str | None
    status: SectionStatus
    start: int | None
    end: int | None
    text: str


@dataclass(slots=True)
class Appendix:
    """A part with no place among the six sections (an old report's 统计表/附表): kept apart, never a
    passage. `start`/`end` span it from its heading to the end of the report."""

    heading: str
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Report:
    """A segmented document. The fields after `warnings` are filled in by the pipeline's later stages and
    stay empty (None, []) where a stage did not run."""

    document: Document
    template: Template
    agency: str | None
    year: int | None
    level: Level
    sections: list[Section] = field(default_factory=list)
    appendix: Appendix | None = None
    warnings: list[str] = field(default_factory=list)
    tables: TableResult | None = None  # stage "tables"
    checks: list[CheckResult] = field(default_factory=list)  # stages "checks" and "cross_year"
    passages: list[Passage] = field(default_factory=list)  # stage "passages"; "themes" tags each
    province: str | None = None  # stage "region"
    city: str | None = None
    model_version: str | None = None  # the theme model's card version, once "themes" ran

    def section(self, number: int) -> Section:
        return self.sections[number - 1]
