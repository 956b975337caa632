"""Label Studio both ways: passages out as tasks with the model's predictions, its JSON export back in.

Out: one task per passage of sections 五/六. `data` holds what the annotator reads (`text`, and `where`: file,
report, section, passage id) and what the label needs back (`doc`, `passage`, `sha1`, plus `report`,
`section` and the splitter's `role`); `predictions` holds the model's themes and the splitter's role as a
pre-annotation, its `score` the distance of the nearest theme score from its threshold (sorting tasks by
prediction score in Label Studio puts the passages the model is least sure of first). The labelling config
that goes with the tasks is shipped as `data/labelstudio.xml` (`gkreport labelstudio config`).

In: Label Studio's JSON export (Export → JSON): a list of tasks, each with its `id`, `data` and
`annotations`, an annotation holding `result` items (`from_name` "role" or "themes", `type` "choices",
`value.choices`), `was_cancelled`, `completed_by` and `created_at` / `updated_at`. Each labelled task becomes
one annotation record like those in `annotations/` (doc, passage, sha1, role, themes, annotator, date,
source; no text). A task labelled more than once gives its latest annotation that was not cancelled
(latest `updated_at`, then highest id): a later answer corrects an earlier one. Skipped tasks (every
annotation `was_cancelled`) and tasks nobody labelled are passed over and counted. A task is refused, with
its id and the reason, when its text no longer hashes to its `sha1`, when the corpus no longer holds a passage
with that hash, or when its answer has no role or an unknown role or theme.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gkreport.annotations import CorpusPassages, DocumentPassages, Label, make_label
from gkreport.errors import AnnotationError, ReportError
from gkreport.labelling import ROLE_KEYS, THEME_KEYS, Candidate, uncertainty
from gkreport.passages import ROLES, text_sha1
from gkreport.themes import THEME_IDS

CONFIG = Path(__file__).with_name("data") / "labelstudio.xml"
TEXT_OBJECT = "text"  # the <Text name> the choices label
ROLE_CONTROL = "role"  # the <Choices name> of the role
THEMES_CONTROL = "themes"  # the <Choices name> of the themes
ANNOTATOR_PREFIX = "labelstudio-"


def config_xml() -> str:
    """The labelling config the exported tasks are made for: `data/labelstudio.xml` with its role and theme
    choices filled in from the roles and the taxonomy, each with its key in `gkreport label`."""
    from xml.sax.saxutils import quoteattr

    from gkreport.themes import load_taxonomy

    names = {theme.id: theme.name for theme in load_taxonomy().themes}
    roles = "\n    ".join(f'<Choice value={quoteattr(role)} hotkey="{key}"/>' for key, role in ROLE_KEYS.items())
    themes = "\n    ".join(
        f'<Choice value={quoteattr(theme)} html={quoteattr(f"{theme} · {names[theme]}")} hotkey="{key}"/>'
        for key, theme in THEME_KEYS.items()
    )
    template = CONFIG.read_text(encoding="utf-8")
    return template.replace("{role_choices}", roles).replace("{theme_choices}", themes)


def _choices(control: str, values: Sequence[str]) -> dict[str, Any]:
    return {
        "id": control,
        "from_name": control,
        "to_name": TEXT_OBJECT,
        "type": "choices",
        "value": {"choices": list(values)},
    }


def task(
    candidate: Candidate, model_version: str | None = None, thresholds: dict[str, float] | None = None
) -> dict[str, Any]:
    """One Label Studio task for a passage; with `model_version`, the model's suggestion as a prediction."""
    p = candidate.passage
    where = " · ".join(x for x in (p.doc, candidate.report, candidate.section, p.id, p.heading) if x)
    out: dict[str, Any] = {
        "data": {
            "text": p.text,
            "where": where,
            "doc": p.doc,
            "passage": p.id,
            "sha1": p.sha1,
            "report": candidate.report,
            "section": candidate.section,
            "role": p.role,
        }
    }
    if model_version is not None:
        result = [_choices(ROLE_CONTROL, [p.role])]
        if candidate.suggested:  # no themes: nothing pre-selected (a result needs at least one choice)
            result.append(_choices(THEMES_CONTROL, [t for t in THEME_IDS if t in candidate.suggested]))
        gap = uncertainty(candidate, thresholds or {})
        out["predictions"] = [
            {
                "model_version": model_version,
                "result": result,
                **({"score": round(gap, 4)} if gap != float("inf") else {}),
            }
        ]
    return out


@dataclass(slots=True)
class Imported:
    """What came back from one export file."""

    labels: list[Label] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "task 17: reason"
    skipped: list[Any] = field(default_factory=list)  # ids of tasks skipped or never labelled


def read_export(path: Path) -> list[dict[str, Any]]:
    """The tasks of a Label Studio JSON export; AnnotationError naming the file and the reason."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AnnotationError(path, f"cannot read the export: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnnotationError(path, f"not a JSON file ({exc})") from exc
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise AnnotationError(path, "not Label Studio's JSON export: expected a list of tasks")
    if tasks and not any("annotations" in t for t in tasks):
        raise AnnotationError(
            path, 'no task has "annotations": export it from Label Studio as JSON (not JSON-MIN or CSV)'
        )
    return tasks


def _latest(annotations: Any) -> dict[str, Any] | None:
    """The latest annotation not cancelled (skipped), or None."""
    if not isinstance(annotations, list):
        raise ValueError('"annotations" is not a list')
    kept = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not kept:
        return None
    return max(kept, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), _id_order(a.get("id"))))


def _id_order(annotation_id: Any) -> tuple[int, int, str]:
    """Label Studio's annotation ids are integers that grow: 10 comes after 9 (as text it would not)."""
    text = str(annotation_id)
    return (1, int(text), "") if text.isdigit() else (0, 0, text)


def _answer(annotation: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """(role, themes) from an annotation's results; ValueError when the answer cannot be a label."""
    role: list[str] = []
    themes: list[str] = []
    for item in annotation.get("result") or []:
        if not isinstance(item, dict) or item.get("type") != "choices":
            continue
        chosen = (item.get("value") or {}).get("choices") or []
        if item.get("from_name") == ROLE_CONTROL:
            role += chosen
        elif item.get("from_name") == THEMES_CONTROL:
            themes += chosen
    if len(role) != 1:
        raise ValueError("the answer has no role" if not role else f"the answer has {len(role)} roles {role}")
    if role[0] not in ROLES:
        raise ValueError(f"unknown role {role[0]!r}; the labelling config's roles are {', '.join(ROLES)}")
    unknown = [t for t in themes if t not in THEME_IDS]
    if unknown:
        raise ValueError(f"unknown themes {unknown}: label with the config of `gkreport labelstudio config`")
    return role[0], tuple(t for t in THEME_IDS if t in themes)


def _annotator(annotation: dict[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):  # some exports expand the user: {"id", "email", ...}
        who = who.get("email") or who.get("id")
    return f"{ANNOTATOR_PREFIX}{who if who not in (None, '') else 'unknown'}"


def _day(annotation: dict[str, Any]) -> date:
    stamp = str(annotation.get("updated_at") or annotation.get("created_at") or "")[:10]
    try:
        return date.fromisoformat(stamp)
    except ValueError:
        return date.today()


def import_export(
    path: Path, corpus_dirs: Sequence[str | Path], *, document_passages: DocumentPassages | None = None
) -> Imported:
    """Annotation records from a Label Studio JSON export, each checked against the reports in the corpus."""
    tasks = read_export(path)
    corpus = CorpusPassages(corpus_dirs, document_passages)
    out = Imported()
    for number, item in enumerate(tasks, 1):
        task_id = item.get("id", f"#{number}")
        try:
            data = item.get("data")
            if not isinstance(data, dict) or not all(
                isinstance(data.get(k), str) for k in ("text", "doc", "passage", "sha1")
            ):
                raise ValueError("not a gkreport task: its data lacks text, doc, passage or sha1")
            annotation = _latest(item.get("annotations", []))
            if annotation is None:
                out.skipped.append(task_id)
                continue
            role, themes = _answer(annotation)
            if text_sha1(data["text"]) != data["sha1"]:
                raise ValueError(f"its text no longer hashes to its sha1 {data['sha1'][:12]}… (was it edited?)")
            try:
                passage = corpus.find(data["doc"], data["passage"], data["sha1"])
            except (LookupError, ReportError, OSError) as exc:
                raise ValueError(f"its text no longer matches the corpus: {exc}") from exc
            out.labels.append(make_label(passage, themes, _annotator(annotation), on=_day(annotation), role=role))
        except ValueError as exc:
            out.refused.append(f"task {task_id}: {exc}")
    return out
