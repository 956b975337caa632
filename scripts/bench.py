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

With `--baseline REV` the bench also checks REV out in a temporary git worktree and measures both versions
side by side (see `compare_with_baseline`): the ratios it writes under "versus_baseline" are the figures to
quote. Absolute rates depend on the machine and on whatever else runs on it (this one has 2 cores shared with
other work); a ratio of two versions measured in alternating rounds, pinned to one core, in CPU time, is not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MODEL = ROOT / "src/gkreport/models/themes"  # package data: what `gkreport tag` finds by default
SHARED = ROOT.parent / "shared"


def corpus_files() -> list[Path]:
    """The reports among the files of the examples, the seeds and the shared corpus (not its NOTES.md)."""
    from gkreport.errors import ReportError
    from gkreport.pipeline import Pipeline
    from gkreport.records import iter_paths

    folders = [ROOT / "corpora/examples"] + [p for p in (SHARED / "seeds", SHARED / "corpus/github") if p.exists()]
    reports = []
    for path in iter_paths(folders):
        try:
            Pipeline("segment").read(path)
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
    from gkreport.pipeline import Pipeline
    from gkreport.readers import read

    text_files = [f for f in files if f.suffix.lower() in (".txt", ".md")]
    reps = -(-n_docs // len(files))
    work = files * reps
    out: dict[str, float] = {"documents": len(work), "distinct_files": len(files)}
    text_work = text_files * (-(-n_docs // len(text_files)))
    out["read_txt_md_per_s"] = len(text_work) / timed(lambda: [read(f) for f in text_work])
    docs = [read(f) for f in files] * reps
    segmenting, parsing = Pipeline("segment", require=False), Pipeline("segment", "tables", "checks", require=False)
    out["segment_per_s"] = len(docs) / cpu_timed(lambda: [segmenting.analyse(d) for d in docs])
    out["segment_tables_checks_per_s"] = len(docs) / cpu_timed(lambda: [parsing.analyse(d) for d in docs])
    reports = [segmenting.analyse(d) for d in docs]
    splitting = Pipeline("segment", "passages", require=False)  # on the segmented reports: the split alone
    count = sum(len(splitting.analyse(r).passages) for r in reports[: len(files)]) * reps
    out["passages_per_s"] = count / cpu_timed(lambda: [splitting.analyse(r) for r in reports])
    return out


def bench_classify(files: list[Path]) -> dict[str, float]:
    model_dir = SHIPPED_MODEL
    if not any(model_dir.glob("*.json")):
        return {"note": f"no shipped model in {SHIPPED_MODEL}"}  # type: ignore[dict-item]
    from gkreport.pipeline import Pipeline
    from gkreport.themes import load_scorer

    start = time.perf_counter()
    model = load_scorer(model_dir)  # what `tag` and batch workers load
    load_s = time.perf_counter() - start
    texts = [p.text for r in Pipeline("segment", "passages", require=False).run(files) for p in r.passages] * 5
    seconds = cpu_timed(lambda: model.predict_proba(texts))
    card = json.loads((model_dir / "card.json").read_text(encoding="utf-8"))
    return {
        "model_load_s": round(load_s, 3),
        "classify_passages_per_s": round(len(texts) / seconds, 1),
        "training_seconds": card.get("training_seconds"),
    }


def bench_cold_tag() -> dict[str, float]:
    example = ROOT / "corpora/examples/ex01_2024_tabs_township.txt"
    if not any(SHIPPED_MODEL.glob("*.json")):
        return {}
    cmd = [sys.executable, "-m", "gkreport.cli", "tag", str(example)]
    return {
        "cold_tag_single_file_s": round(
            timed(lambda: subprocess.run(cmd, capture_output=True, check=True), repeat=3), 3
        )
    }


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
                cmd = [sys.executable, "-m", "gkreport.cli", "batch", str(folder), "--db", str(db), "--jobs", str(jobs)]
                start = time.perf_counter()
                with tempfile.TemporaryFile("w+") as errors:  # not a pipe: nobody reads it while it runs
                    proc = subprocess.Popen(
                        ["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL, stderr=errors, text=True
                    )
                    totals.append(_peak_tree_pss_mb(proc))
                    proc.wait()
                    seconds = time.perf_counter() - start
                    errors.seek(0)
                    stderr = errors.read()
                rates.append(round(n / seconds, 1))
                peaks += [int(line.split()[-1]) / 1024 for line in stderr.splitlines() if "Maximum resident" in line]
            # the best run, as timeit reports: the machine's other load only ever slows a run down
            out[f"batch_jobs{jobs}_reports_per_s"] = max(rates)
            out[f"batch_jobs{jobs}_runs_reports_per_s"] = rates  # type: ignore[assignment]
            if peaks:
                out[f"batch_jobs{jobs}_peak_rss_mb"] = round(max(peaks), 1)
            out[f"batch_jobs{jobs}_peak_total_pss_mb"] = round(max(totals), 1)
        out["batch_documents"] = n
    return out


def build_summary_db(files: list[Path], db: Path, n_reports: int = 10_000, env: dict[str, str] | None = None) -> int:
    """A database of about n_reports for `gkreport summary`: the corpus' batch rows copied under new keys
    (by the gkreport that `env` points at). Returns the number of reports in it.

    Copy i renames every agency to "agency-i", so each copy adds its own agencies with the same consecutive-year
    pairs as the corpus (recurring themes and text repetition are computed for all of them)."""
    import sqlite3

    subprocess.run(
        [sys.executable, "-m", "gkreport.cli", "batch", *map(str, files), "--db", str(db), "--jobs", "1"],
        capture_output=True,
        check=False,
        env=env,
    )
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
            where = (
                "WHERE instr(sha256, '-') = 0"
                if "sha256" in cols
                else "WHERE passage <= (SELECT MAX(id) FROM passages WHERE instr(sha256, '-') = 0)"
            )
            names = ", ".join(f'"{c}"' for c in cols)
            conn.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(exprs)} FROM {table} {where}")
        conn.commit()
    reports: int = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    conn.close()
    return reports


def bench_summary(files: list[Path], n_reports: int = 10_000) -> dict[str, float]:
    """`gkreport summary` over a database of n_reports (`build_summary_db`)."""
    try:
        import gkreport.summary  # noqa: F401
    except ImportError:
        return {}

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.sqlite"
        reports = build_summary_db(files, db, n_reports)
        summary = json.loads(
            subprocess.run(
                cmd := [sys.executable, "-m", "gkreport.cli", "summary", "--db", str(db), "--format", "json"],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        )
        seconds = timed(lambda: subprocess.run(cmd, capture_output=True, check=True), repeat=2)
        # `gkreport review` over the same database: one row per report, JSON Lines
        review = [sys.executable, "-m", "gkreport.cli", "review", "--db", str(db), "--format", "json"]
        reviewed = subprocess.run(review, capture_output=True, check=True, text=True).stdout.count("\n")
        review_seconds = timed(lambda: subprocess.run(review, capture_output=True, check=True), repeat=2)
    return {
        "summary_reports": reports,
        "summary_consecutive_year_pairs": len(summary["repetition"]),
        "summary_seconds_incl_startup": round(seconds, 3),
        "review_reports": reviewed,
        "review_seconds_incl_startup": round(review_seconds, 3),
    }


# --- side by side with a baseline revision (--baseline REV) ------------------------------------------------------
#
# Each measurement runs in a fresh process of one version (PYTHONPATH pointing at its src), the two versions taking
# turns round after round (A B, B A, A B, ...), so a change in the machine's other load falls on both alike; the
# median over the rounds of each version is compared. The in-memory stages are pinned to one core and timed in CPU
# seconds of that process.

VersionEnv = dict[str, str]


def machine() -> dict[str, object]:
    """What the absolute figures were measured on."""
    cpuinfo = Path("/proc/cpuinfo")
    names = (
        [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        if cpuinfo.exists()
        else []
    )
    return {
        "cpu_model": names[0] if names else platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1_5_15_min_at_start": [round(x, 2) for x in os.getloadavg()],
    }


@contextmanager
def baseline_tree(rev: str) -> Iterator[Path]:
    """REV checked out in a temporary detached git worktree, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="gkreport-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev], check=True, capture_output=True
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False, capture_output=True
            )
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False, capture_output=True)


def version_env(tree: Path) -> VersionEnv:
    return {**os.environ, "PYTHONPATH": str(tree / "src")}


def measured_run(cmd: list[str], env: VersionEnv, cpu: int | None = None, tree: bool = False) -> dict[str, float]:
    """Run cmd to its end: wall seconds, CPU seconds (user + system, of it and the children it waited for) and
    the peak RSS of the largest of them, in MB. Fails with its standard error if it fails.

    With `tree`, CPU time and RSS are also sampled over every process of its tree (a batch's workers), and
    the larger figures are taken: workers the command does not wait for are missing from what the kernel
    reports when it ends, the last tenth of a second of each process from the samples."""
    import psutil

    with tempfile.TemporaryFile("w+") as errors:  # not a pipe: nobody reads it while it runs
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            text=True,
            preexec_fn=None if cpu is None else lambda: os.sched_setaffinity(0, {cpu}),
        )
        seen: dict[int, float] = {}  # pid -> its own CPU seconds when last sampled
        peak_rss = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, 0 if not tree else os.WNOHANG)
            if pid:
                break
            try:
                root = psutil.Process(proc.pid)
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                members = []
            for member in members:
                try:
                    times = member.cpu_times()
                    seen[member.pid] = times.user + times.system
                    peak_rss = max(peak_rss, member.memory_info().rss)
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    pass
            time.sleep(0.1)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):  # 1: some file failed, which both versions may say of a corpus file
            errors.seek(0)
            raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}: {errors.read()[-2000:]}")
    waited = usage.ru_utime + usage.ru_stime
    return {
        "wall_s": wall,
        "cpu_s": max(waited, sum(seen.values())),
        "peak_rss_mb": max(usage.ru_maxrss / 1024, peak_rss / 2**20),
    }


def stage_worker(docs_file: Path, cpu: int) -> None:
    """One round of the in-memory stages in this process (the gkreport on PYTHONPATH), pinned to `cpu`: CPU
    seconds of segment and of segment + tables + checks over the documents of `docs_file`, and a digest of
    the cells and checks they give (equal digests: the two versions gave the same output, byte for byte)."""
    import hashlib
    import pickle
    from dataclasses import fields

    from gkreport.document import Block, Document

    os.sched_setaffinity(0, {cpu})
    payload = pickle.loads(docs_file.read_bytes())
    known_doc, known_block = {f.name for f in fields(Document)}, {f.name for f in fields(Block)}
    distinct = [
        Document(
            **{k: v for k, v in d.items() if k in known_doc and k != "blocks"},
            blocks=[Block(**{k: v for k, v in b.items() if k in known_block}) for b in d["blocks"]],
        )
        for d in payload["documents"]
    ]
    docs = distinct * payload["repeat"]
    segment, parse = _stages()

    # One untimed pass first: it imports what the stages import on first use (cn2an) and gives the digest of
    # the cells and checks, from their attributes (the same in every version, whatever its record keys).
    digest = hashlib.sha256()
    for d in distinct:
        tables, checks = parse(d)
        cells = [
            (
                c.table,
                c.row,
                c.col,
                c.value,
                c.raw,
                c.status,
                c.line,
                getattr(c, "offset", None),
                getattr(c, "note", ""),
            )
            for c in tables.cells
        ]
        results = [(r.id, r.status, r.severity, r.expected, r.actual, r.message) for r in checks]
        digest.update(json.dumps([d.path, tables.template, cells, results], ensure_ascii=False).encode() + b"\n")
    seg_s = cpu_timed(lambda: [segment(d) for d in docs], repeat=1)
    full_s = cpu_timed(lambda: [parse(d) for d in docs], repeat=1)
    print(
        json.dumps(
            {
                "documents": len(docs),
                "segment_cpu_s": seg_s,
                "segment_tables_checks_cpu_s": full_s,
                "output_sha256": digest.hexdigest(),
            }
        )
    )


def _stages() -> tuple[Callable[[object], object], Callable[[object], tuple[Any, list[Any]]]]:
    """segment, and segment + tables + checks (giving the tables and checks), of the gkreport on the path:
    through its Pipeline, or for a version from before the Pipeline (a baseline), its stage functions."""
    try:
        from gkreport.pipeline import Pipeline
    except ImportError:
        Pipeline = None  # noqa: N806
    if Pipeline is None or not hasattr(Pipeline, "analyse"):
        from gkreport.checks import run_checks
        from gkreport.segment import segment
        from gkreport.tables import extract_tables

        def old_parse(d: Any) -> tuple[Any, list[Any]]:
            report = segment(d)
            tables = extract_tables(report)
            return tables, run_checks(report, tables)

        return segment, old_parse
    segmenting, parsing = Pipeline("segment", require=False), Pipeline("segment", "tables", "checks", require=False)

    def parse(d: Any) -> tuple[Any, list[Any]]:
        report = parsing.analyse(d)
        return report.tables, report.checks

    return segmenting.analyse, parse


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _alternating(rounds: int, run: Callable[[str], dict[str, float]]) -> dict[str, list[dict[str, float]]]:
    """`run` of each version ("baseline", "current"), `rounds` times, the order turned round every round
    (A B, B A, ...)."""
    names = ["baseline", "current"]
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            results[name].append(run(name))
    return results


def _ratios(
    results: dict[str, list[dict[str, float]]],
    key: str,
    higher_is_better: bool = False,
    ratio_name: str = "times_faster",
) -> dict[str, object]:
    """Medians of `key` per version and their ratio, above 1 where the current version does better (how many
    times faster it is, for times and rates)."""
    base, current = (_median([r[key] for r in results[v]]) for v in ("baseline", "current"))
    ratio = current / base if higher_is_better else base / current
    return {
        f"baseline_{key}": round(base, 4),
        f"current_{key}": round(current, 4),
        ratio_name: round(ratio, 3),
        f"rounds_{key}": {v: [round(r[key], 4) for r in results[v]] for v in results},
    }


def compare_with_baseline(
    rev: str, files: list[Path], n_docs: int, rounds: int, batch_rounds: int, skip_batch: bool
) -> dict[str, object]:
    """The current tree against REV, measured side by side (see the comment above)."""
    import pickle
    from dataclasses import asdict

    from gkreport.readers import read

    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True, capture_output=True, text=True
    ).stdout.strip()
    cpu = max(os.sched_getaffinity(0))
    out: dict[str, object] = {
        "baseline": sha,
        "rounds": rounds,
        "method": "each figure: the median of alternating rounds, one fresh process per "
        "version and round; in-memory stages pinned to one core, CPU time",
    }
    with baseline_tree(rev) as tree, tempfile.TemporaryDirectory() as tmp:
        versions = {"baseline": version_env(tree), "current": version_env(ROOT)}
        docs_file = Path(tmp) / "docs.pickle"  # the same decoded documents for both versions
        docs_file.write_bytes(
            pickle.dumps({"documents": [asdict(read(f)) for f in files], "repeat": -(-n_docs // len(files))})
        )
        worker = [sys.executable, str(Path(__file__).resolve()), "--stage-worker", str(docs_file), "--cpu", str(cpu)]

        def stages(version: str) -> dict[str, float]:
            done = subprocess.run(worker, env=versions[version], capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{version}: the stage worker failed: {done.stderr[-2000:]}")
            return json.loads(done.stdout)  # type: ignore[no-any-return]

        staged = _alternating(rounds, stages)
        digests = {v: {r["output_sha256"] for r in staged[v]} for v in staged}  # type: ignore[misc]
        out["parse"] = {
            "documents": staged["current"][0]["documents"],
            "segment": _ratios(staged, "segment_cpu_s"),
            "segment_tables_checks": _ratios(staged, "segment_tables_checks_cpu_s"),
            "same_cells_and_checks": len(digests["baseline"] | digests["current"]) == 1,
        }

        example = ROOT / "corpora/examples/ex01_2024_tabs_township.txt"
        tag = [sys.executable, "-m", "gkreport.cli", "tag", str(example)]
        tagged = _alternating(rounds, lambda version: measured_run(tag, versions[version], cpu))
        out["cold_tag"] = {"wall": _ratios(tagged, "wall_s"), "cpu": _ratios(tagged, "cpu_s")}

        if not skip_batch:
            out["batch_2_jobs_themes"] = _compare_batch(files, n_docs, batch_rounds, versions, Path(tmp))
            out["summary_10k"] = _compare_summary(files, rounds, versions, Path(tmp))
    return out


def _compare_batch(
    files: list[Path], n_docs: int, rounds: int, versions: dict[str, VersionEnv], tmp: Path
) -> dict[str, object]:
    """`gkreport batch --jobs 2` with themes on the same files, a new database each run (wall time: the
    target is how soon a batch is done; both cores, so other load on the machine weighs on it)."""
    folder = tmp / "reports"
    folder.mkdir()
    reps = -(-n_docs // len(files))
    for i in range(reps):
        for f in files:  # each copy a distinct file (new sha256), read the same
            (folder / f"{i:04d}_{f.name}").write_bytes(distinct_copy(f.read_bytes(), i))
    runs = iter(range(10**6))

    def batch(version: str) -> dict[str, float]:
        db = tmp / f"batch{next(runs)}.sqlite"
        try:
            return measured_run(
                [sys.executable, "-m", "gkreport.cli", "batch", str(folder), "--db", str(db), "--jobs", "2"],
                versions[version],
                tree=True,
            )
        finally:
            db.unlink(missing_ok=True)

    results = _alternating(rounds, batch)
    n = sum(1 for _ in folder.iterdir())
    for version in results.values():
        for r in version:
            r["reports_per_s"] = n / r["wall_s"]
    # CPU time of the driver and its workers: what the batch costs, which the other load of a shared machine
    # does not change as much as how long it takes.
    return {
        "documents": n,
        "wall": _ratios(results, "wall_s"),
        "cpu": _ratios(results, "cpu_s"),
        "reports_per_s": _ratios(results, "reports_per_s", higher_is_better=True),
        "peak_rss_mb_largest_process": _ratios(results, "peak_rss_mb", ratio_name="baseline_over_current"),
    }


def _compare_summary(files: list[Path], rounds: int, versions: dict[str, VersionEnv], tmp: Path) -> dict[str, object]:
    """`gkreport summary --format json` over about 10,000 reports, each version on the database it built."""
    dbs = {name: tmp / f"summary-{name}.sqlite" for name in versions}
    for name, env in versions.items():
        build_summary_db(files, dbs[name], env=env)

    def summary(version: str) -> dict[str, float]:
        return measured_run(
            [sys.executable, "-m", "gkreport.cli", "summary", "--db", str(dbs[version]), "--format", "json"],
            versions[version],
        )

    results = _alternating(rounds, summary)
    return {
        "wall": _ratios(results, "wall_s"),
        "cpu": _ratios(results, "cpu_s"),
        "peak_rss_mb": _ratios(results, "peak_rss_mb", ratio_name="baseline_over_current"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="minimum documents per stage")
    parser.add_argument("--skip-batch", action="store_true", help="leave out the end-to-end batch runs")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/latest.json")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also measure git revision REV side by side with this "
        "tree and write the ratios (see compare_with_baseline)",
    )
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per version (--baseline)")
    parser.add_argument("--batch-rounds", type=int, default=3, help="alternating batch rounds per version (--baseline)")
    parser.add_argument(
        "--only-baseline",
        action="store_true",
        help="with --baseline: only the side-by-side figures, not the absolute stages",
    )
    parser.add_argument("--stage-worker", type=Path, help=argparse.SUPPRESS)  # one round of compare_with_baseline
    parser.add_argument("--cpu", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage_worker:
        stage_worker(args.stage_worker, args.cpu)
        return
    files = corpus_files()
    result: dict[str, object] = {"machine": machine(), "real_reports_included": SHARED.exists()}
    if args.baseline:
        result["versus_baseline"] = compare_with_baseline(
            args.baseline, files, args.docs, args.rounds, args.batch_rounds, args.skip_batch
        )
        if args.only_baseline:
            _write(result, args.out)
            return
    result["pipeline"] = {k: round(v, 1) for k, v in bench_pipeline(files, args.docs).items()}
    result["themes"] = bench_classify(files)
    result["cold"] = bench_cold_tag()
    if not args.skip_batch:
        result["batch"] = bench_batch(files, args.docs)
        result["summary"] = bench_summary(files)
    result["peak_rss_mb_bench_process"] = round(peak_rss_mb(), 1)
    _write(result, args.out)


def _write(result: dict[str, object], out: Path) -> None:
    machine = result["machine"]
    assert isinstance(machine, dict)
    machine["load_average_1_5_15_min_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
