"""Speed and memory figures for gkreport, written to benchmarks/latest.json.

Stages measured (each over the bundled examples plus, when present, the real reports in ../shared,
repeated until there are at least --docs documents):
- read: decoding and normalising the files (reports/s);
- segment, segment+tables+checks: on already-decoded documents (reports/s on one core, in CPU time, best of 3);
- passages: splitting sections 五/六 (passages/s, CPU time);
- classify: theme scoring with the shipped model, if one exists (passages/s, CPU time), and its training time;
- batch: the whole pipeline through `gkreport batch` with 1 and 2 jobs, if the batch module exists (the best of
  two runs each, and every run's rate; peak RSS is the largest of all runs);
- cold tag: one `gkreport tag` of a single file in a fresh process (seconds);
- summary: `gkreport summary` over a database of 10,000 synthetic reports, if the summary module exists, and
  `gkreport review` (one row per report, JSON Lines) over the same database.
Peak RSS is reported for this process and for the batch runs (the largest process), and for the batch runs also
the peak of all their processes together (proportional set size, so shared pages count once).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def corpus_files() -> list[Path]:
    """The reports among the files of the examples, the seeds and the shared corpus (not its NOTES.md)."""
    from gkreport.errors import ReportError
    from gkreport.readers import read
    from gkreport.records import iter_paths
    from gkreport.segment import require_report, segment

    folders = [ROOT / "corpora/examples"] + [p for p in (SHARED / "seeds", SHARED / "corpus/github")
                                             if p.exists()]
    reports = []
    for path in iter_paths(folders):
        try:
            require_report(segment(read(path)))
        except ReportError:
            continue
        reports.append(path)
    return reports


def distinct_copy(data: bytes, i: int) -> bytes:
    """Copy i of a file, with other bytes (a new sha256) but the same content: trailing newlines, in UTF-16
    for a UTF-16 text (a lone byte would break its decoding)."""
    newline = b"\n\x00" if data.startswith(b"\xff\xfe") else b"\x00\n" if data.startswith(b"\xfe\xff") else b"\n"
    return data + newline * (i + 1)


def timed(fn, repeat: int = 1, clock=time.perf_counter) -> float:
    """The best of `repeat` runs of fn, in seconds of `clock`."""
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def cpu_timed(fn, repeat: int = 3) -> float:
    """The best of `repeat` runs in CPU seconds of this process: for the stages that work in memory on one
    core, what other processes on this shared machine do then does not count."""
    return timed(fn, repeat, time.process_time)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_pipeline(files: list[Path], n_docs: int) -> dict[str, float]:
    from gkreport.checks import run_checks
    from gkreport.passages import split_passages
    from gkreport.readers import read
    from gkreport.segment import segment
    from gkreport.tables import extract_tables

    text_files = [f for f in files if f.suffix.lower() in (".txt", ".md")]
    reps = -(-n_docs // len(files))
    work = files * reps
    out: dict[str, float] = {"documents": len(work), "distinct_files": len(files)}
    text_work = text_files * (-(-n_docs // len(text_files)))
    out["read_txt_md_per_s"] = len(text_work) / timed(lambda: [read(f) for f in text_work])
    docs = [read(f) for f in files] * reps
    out["segment_per_s"] = len(docs) / cpu_timed(lambda: [segment(d) for d in docs])

    def full() -> None:
        for d in docs:
            report = segment(d)
            run_checks(report, extract_tables(report))

    out["segment_tables_checks_per_s"] = len(docs) / cpu_timed(full)
    reports = [segment(d) for d in docs]
    count = sum(len(split_passages(r)) for r in reports[: len(files)]) * reps
    out["passages_per_s"] = count / cpu_timed(lambda: [split_passages(r) for r in reports])
    return out


def bench_classify(files: list[Path]) -> dict[str, float]:
    model_dir = ROOT / "models/themes"
    if not any(model_dir.glob("*.json")):
        return {"note": "no shipped model in models/themes"}  # type: ignore[dict-item]
    from gkreport.passages import split_passages
    from gkreport.readers import read
    from gkreport.segment import segment
    from gkreport.themes import load_scorer

    start = time.perf_counter()
    model = load_scorer(model_dir)  # what `tag` and batch workers load
    load_s = time.perf_counter() - start
    texts = [p.text for f in files for p in split_passages(segment(read(f)))] * 5
    seconds = cpu_timed(lambda: model.predict_proba(texts))
    card = json.loads((model_dir / "card.json").read_text(encoding="utf-8"))
    return {"model_load_s": round(load_s, 3), "classify_passages_per_s": round(len(texts) / seconds, 1),
            "training_seconds": card.get("training_seconds")}


def bench_cold_tag() -> dict[str, float]:
    example = ROOT / "corpora/examples/ex01_2024_tabs_township.txt"
    if not any((ROOT / "models/themes").glob("*.json")):
        return {}
    cmd = [sys.executable, "-m", "gkreport.cli", "tag", str(example)]
    return {"cold_tag_single_file_s": round(timed(lambda: subprocess.run(cmd, capture_output=True, check=True),
                                                   repeat=3), 3)}


def _peak_tree_pss_mb(proc: subprocess.Popen[str], every: float = 0.2) -> float:
    """Until `proc` ends: the largest sum, over it and all its processes (driver, workers, loky's helpers), of
    their proportional set size (shared pages counted once across them), sampled every `every` seconds."""
    import psutil

    root, peak = psutil.Process(proc.pid), 0.0
    while proc.poll() is None:
        total = 0
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in members:
            try:
                total += member.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        peak = max(peak, total / 2**20)
        time.sleep(every)
    return peak


def bench_batch(files: list[Path], n_docs: int, runs: int = 2) -> dict[str, float]:
    try:
        import gkreport.batch  # noqa: F401
    except ImportError:
        return {"note": "batch module not present"}  # type: ignore[dict-item]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        reps = -(-n_docs // len(files))
        for i in range(reps):
            for f in files:  # each copy a distinct file (new sha256), read the same
                (folder / f"{i:04d}_{f.name}").write_bytes(distinct_copy(f.read_bytes(), i))
        n = sum(1 for _ in folder.iterdir())
        for jobs in (1, 2):
            rates, peaks, totals = [], [], []
            for run in range(runs):  # a new database each time: every file is processed
                db = Path(tmp) / f"r{jobs}-{run}.sqlite"
                cmd = [sys.executable, "-m", "gkreport.cli", "batch", str(folder), "--db", str(db), "--jobs",
                       str(jobs)]
                start = time.perf_counter()
                with tempfile.TemporaryFile("w+") as errors:  # not a pipe: nobody reads it while it runs
                    proc = subprocess.Popen(["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL,
                                            stderr=errors, text=True)
                    totals.append(_peak_tree_pss_mb(proc))
                    proc.wait()
                    seconds = time.perf_counter() - start
                    errors.seek(0)
                    stderr = errors.read()
                rates.append(round(n / seconds, 1))
                peaks += [int(line.split()[-1]) / 1024 for line in stderr.splitlines()
                          if "Maximum resident" in line]
            # the best run, as timeit reports: the machine's other load only ever slows a run down
            out[f"batch_jobs{jobs}_reports_per_s"] = max(rates)
            out[f"batch_jobs{jobs}_runs_reports_per_s"] = rates  # type: ignore[assignment]
            if peaks:
                out[f"batch_jobs{jobs}_peak_rss_mb"] = round(max(peaks), 1)
            out[f"batch_jobs{jobs}_peak_total_pss_mb"] = round(max(totals), 1)
        out["batch_documents"] = n
    return out


def bench_summary(files: list[Path], n_reports: int = 10_000) -> dict[str, float]:
    """`gkreport summary` over a database of n_reports: the corpus' batch rows copied under new keys.

    Copy i renames every agency to "agency-i", so each copy adds its own agencies with the same consecutive-year
    pairs as the corpus (recurring themes and text repetition are computed for all of them)."""
    try:
        import gkreport.summary  # noqa: F401
    except ImportError:
        return {}
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.sqlite"
        subprocess.run([sys.executable, "-m", "gkreport.cli", "batch", *map(str, files), "--db", str(db),
                        "--jobs", "1"], capture_output=True, check=False)
        conn = sqlite3.connect(db)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        base = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        copies = -(-n_reports // base) - 1
        for i in range(copies):  # every row of every table again, under sha256 || '-i' (passage ids shifted)
            offset = conn.execute("SELECT COALESCE(MAX(id), 0) FROM passages").fetchone()[0]
            for table in ("files", *[t for t in tables if t != "files"]):
                cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                exprs = []
                for c in cols:
                    if c == "sha256":
                        exprs.append(f"sha256 || '-{i}'")
                    elif (table, c) == ("reports", "agency"):
                        exprs.append(f"agency || '-{i}'")
                    elif (table, c) in (("passages", "id"), ("passage_themes", "passage")):
                        exprs.append(f'"{c}" + {offset}')
                    else:
                        exprs.append(f'"{c}"')
                where = "WHERE instr(sha256, '-') = 0" if "sha256" in cols else \
                    "WHERE passage <= (SELECT MAX(id) FROM passages WHERE instr(sha256, '-') = 0)"
                names = ", ".join(f'"{c}"' for c in cols)
                conn.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(exprs)} FROM {table} {where}")
            conn.commit()
        reports = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        conn.close()
        summary = json.loads(subprocess.run(cmd := [sys.executable, "-m", "gkreport.cli", "summary", "--db",
                                                    str(db), "--format", "json"],
                                            capture_output=True, check=True, text=True).stdout)
        seconds = timed(lambda: subprocess.run(cmd, capture_output=True, check=True), repeat=2)
        # `gkreport review` over the same database: one row per report, JSON Lines
        review = [sys.executable, "-m", "gkreport.cli", "review", "--db", str(db), "--format", "json"]
        reviewed = subprocess.run(review, capture_output=True, check=True, text=True).stdout.count("\n")
        review_seconds = timed(lambda: subprocess.run(review, capture_output=True, check=True), repeat=2)
    return {"summary_reports": reports, "summary_consecutive_year_pairs": len(summary["repetition"]),
            "summary_seconds_incl_startup": round(seconds, 3),
            "review_reports": reviewed, "review_seconds_incl_startup": round(review_seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="minimum documents per stage")
    parser.add_argument("--skip-batch", action="store_true", help="leave out the end-to-end batch runs")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/latest.json")
    args = parser.parse_args()
    files = corpus_files()
    result: dict[str, object] = {"machine": {"python": platform.python_version(), "cpu_count": __import__("os")
                                             .cpu_count(), "platform": platform.platform()},
                                 "real_reports_included": SHARED.exists()}
    result["pipeline"] = {k: round(v, 1) for k, v in bench_pipeline(files, args.docs).items()}
    result["themes"] = bench_classify(files)
    result["cold"] = bench_cold_tag()
    if not args.skip_batch:
        result["batch"] = bench_batch(files, args.docs)
        result["summary"] = bench_summary(files)
    result["peak_rss_mb_bench_process"] = round(peak_rss_mb(), 1)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
