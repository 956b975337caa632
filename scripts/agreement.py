"""Inter-annotator agreement: Cohen's kappa per theme between the second reader and the primary labels.

Usage: python scripts/agreement.py [--second annotations/agreement/reader4_sample150.jsonl] [--before REF]
Writes benchmarks/agreement.json and prints a table. With `--before REF` (a git commit), the same figures are
also computed on the label files as they were at REF, under "before": the readers' independent agreement,
before disagreements were settled (re-reading under sharpened guidelines makes both files agree where the
guidelines decide the case, so the current figures are no longer an independent measure there).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from gkreport.annotations import Label, load_annotations
from gkreport.themes import THEME_IDS

ROOT = Path(__file__).resolve().parents[1]


def agreement(primary_labels: list[Label], second_labels: list[Label]) -> dict[str, object]:
    primary = {(a.doc, a.passage): a for a in primary_labels}
    pairs = [(primary[key], b) for b in second_labels if (key := (b.doc, b.passage)) in primary]
    kappa: dict[str, float] = {}
    positives: dict[str, list[int]] = {}
    for theme in THEME_IDS:
        first = [theme in a.themes for a, _ in pairs]
        second = [theme in b.themes for _, b in pairs]
        kappa[theme] = round(float(cohen_kappa_score(first, second)), 3)
        positives[theme] = [sum(first), sum(second)]
    return {
        "passages": len(pairs),
        "kappa": kappa,
        "positives": positives,
        "role_agreement": round(sum(a.role == b.role for a, b in pairs) / max(1, len(pairs)), 3),
        "exact_theme_set_agreement": round(
            sum(set(a.themes) == set(b.themes) for a, b in pairs) / max(1, len(pairs)), 3
        ),
    }


def labels_at(ref: str, paths: list[Path]) -> list[Label]:
    """The records of `paths` as they were at git commit `ref`."""
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for path in paths:
            relative = path.resolve().relative_to(ROOT).as_posix()
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{ref}:{relative}"], capture_output=True, text=True, check=True
            ).stdout
            copy = Path(tmp) / path.name
            copy.write_text(text, encoding="utf-8")
            copies.append(copy)
        return load_annotations(copies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--primary", nargs="+", type=Path, default=sorted((ROOT / "annotations").glob("real_part*.jsonl"))
    )
    parser.add_argument("--second", type=Path, default=ROOT / "annotations/agreement/reader4_sample150.jsonl")
    parser.add_argument("--before", help="git commit whose label files give the independent agreement")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/agreement.json")
    args = parser.parse_args()
    result = agreement(load_annotations(args.primary), load_annotations([args.second]))
    if args.before:
        result["before"] = {
            "ref": args.before,
            **agreement(labels_at(args.before, args.primary), labels_at(args.before, [args.second])),
        }
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, figures in [("now", result), *([("before", result["before"])] if args.before else [])]:
        print(f"{name}: {figures['passages']} passages labelled twice")  # type: ignore[index]
        for theme in THEME_IDS:
            print(
                f"  {theme:<15} kappa {figures['kappa'][theme]:>6}  "  # type: ignore[index]
                f"positives {figures['positives'][theme]}"
            )  # type: ignore[index]
        print(
            f"  role agreement {figures['role_agreement']}, "  # type: ignore[index]
            f"identical theme sets {figures['exact_theme_set_agreement']}"
        )  # type: ignore[index]


if __name__ == "__main__":
    main()
