"""Inter-annotator agreement: Cohen's kappa per theme between the second reader and the primary labels.

Usage: python scripts/agreement.py [--second annotations/agreement/reader4_sample150.jsonl]
Writes benchmarks/agreement.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from gkreport.annotations import load_annotations
from gkreport.themes import THEME_IDS

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--primary", nargs="+", type=Path,
                        default=sorted((ROOT / "annotations").glob("real_part*.jsonl")))
    parser.add_argument("--second", type=Path, default=ROOT / "annotations/agreement/reader4_sample150.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/agreement.json")
    args = parser.parse_args()
    primary = {(a.doc, a.passage, a.sha1): a for a in load_annotations(args.primary)}
    pairs = [(primary[key], b) for b in load_annotations([args.second])
             if (key := (b.doc, b.passage, b.sha1)) in primary]
    result: dict[str, object] = {"passages": len(pairs), "kappa": {}, "positives": {}}
    for theme in THEME_IDS:
        first = [theme in a.themes for a, _ in pairs]
        second = [theme in b.themes for _, b in pairs]
        result["kappa"][theme] = round(float(cohen_kappa_score(first, second)), 3)  # type: ignore[index]
        result["positives"][theme] = [sum(first), sum(second)]  # type: ignore[index]
    result["role_agreement"] = round(sum(a.role == b.role for a, b in pairs) / max(1, len(pairs)), 3)
    result["exact_theme_set_agreement"] = round(
        sum(set(a.themes) == set(b.themes) for a, b in pairs) / max(1, len(pairs)), 3)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(pairs)} passages labelled twice")
    for theme in THEME_IDS:
        print(f"{theme:<15} kappa {result['kappa'][theme]:>6}  positives {result['positives'][theme]}")  # type: ignore[index]
    print(f"role agreement {result['role_agreement']}, identical theme sets {result['exact_theme_set_agreement']}")


if __name__ == "__main__":
    main()
