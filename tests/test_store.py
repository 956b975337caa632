"""gkreport.store: schema, one-transaction writes, --force replacement, export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from helpers import EXAMPLES

from gkreport.errors import OptionError
from gkreport.pipeline import run_pipeline
from gkreport.records import FileRecord
from gkreport.store import connect, export, stored_statuses, write_records

EX01 = EXAMPLES / "ex01_2024_tabs_township.txt"


class FakeThemeModel:
    """The sklearn-style surface the pipeline uses: classes_, thresholds_, predict_proba."""

    classes_ = ["staffing", "channels"]
    thresholds_ = [0.5, 0.5]

    def predict_proba(self, texts: list[str]) -> list[list[float]]:
        return [[0.9, 0.1] for _ in texts]


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_schema_is_wal_and_has_all_tables(tmp_path: Path) -> None:
    conn = connect(tmp_path / "r.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"files", "reports", "sections", "cells", "checks", "passages", "passage_themes"} <= tables


def test_write_ok_record_and_force_replaces_without_duplicates(tmp_path: Path) -> None:
    record = run_pipeline(EX01)
    assert record.status == "ok", record.error
    conn = connect(tmp_path / "r.sqlite")
    write_records(conn, [record])
    counts = {t: _count(conn, t) for t in ("files", "reports", "sections", "cells", "checks", "passages")}
    assert counts["files"] == counts["reports"] == 1
    assert counts["sections"] == len(record.sections) == 6
    assert counts["cells"] == len(record.cells) > 0
    assert counts["checks"] == len(record.checks) > 0
    assert counts["passages"] == len(record.passages) > 0
    assert stored_statuses(conn) == {record.sha256: "ok"}
    write_records(conn, [record])  # the --force path: same sha written again
    assert {t: _count(conn, t) for t in counts} == counts
    year, agency = conn.execute("SELECT year, agency FROM reports").fetchone()
    assert (year, agency) == (2024, "青禾县白石镇人民政府")
    families = {r[0] for r in conn.execute("SELECT DISTINCT family FROM checks")}
    assert "R1" in families and all("." not in f for f in families)


def test_error_record_has_no_child_rows(tmp_path: Path) -> None:
    conn = connect(tmp_path / "r.sqlite")
    failed = FileRecord(sha256="a" * 64, path="x.txt", status="error", error="x.txt: empty file")
    write_records(conn, [failed])
    assert conn.execute("SELECT status, error FROM files").fetchall() == [("error", "x.txt: empty file")]
    assert _count(conn, "reports") == 0


def test_chunk_is_atomic(tmp_path: Path) -> None:
    """A chunk with one bad record leaves nothing behind: the whole transaction rolls back."""
    good = run_pipeline(EX01)
    bad = FileRecord(sha256="b" * 64, path="bad", status="broken")  # violates the status CHECK
    conn = connect(tmp_path / "r.sqlite")
    with pytest.raises(sqlite3.IntegrityError):
        write_records(conn, [good, bad])
    assert _count(conn, "files") == 0 and _count(conn, "cells") == 0


def test_themes_stored_only_with_a_model(tmp_path: Path) -> None:
    conn = connect(tmp_path / "r.sqlite")
    plain = run_pipeline(EX01)
    assert plain.model_version is None and all(p["themes"] == [] and p["scores"] == {} for p in plain.passages)
    tagged = run_pipeline(EX01, FakeThemeModel(), model_version="fake-1")
    write_records(conn, [tagged])
    n = len(tagged.passages)
    assert _count(conn, "passage_themes") == 2 * n
    assigned = conn.execute("SELECT theme, SUM(assigned) FROM passage_themes GROUP BY theme ORDER BY theme")
    assert assigned.fetchall() == [("channels", 0), ("staffing", n)]
    assert conn.execute("SELECT model_version FROM files").fetchone()[0] == "fake-1"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_every_table(tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "r.sqlite"
    record = run_pipeline(EX01, FakeThemeModel(), model_version="fake-1")
    with connect(db) as conn:
        write_records(conn, [record])
    expected = {
        "reports": 1,
        "cells": len(record.cells),
        "checks": len(record.checks),
        "passages": len(record.passages),
    }
    for what, n in expected.items():
        out = io.StringIO()
        assert export(db, what, fmt, out) == n
        text = out.getvalue()
        if fmt == "jsonl":
            rows = [json.loads(line) for line in text.splitlines()]
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == n
        if what == "passages":
            themes = rows[0]["themes"]
            assert themes == (["staffing"] if fmt == "jsonl" else "staffing")
        if what == "reports":
            assert rows[0]["agency"] == "青禾县白石镇人民政府"


def test_export_rejects_unknown_table(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    connect(db).close()
    with pytest.raises(OptionError, match="cannot export"):
        export(db, "secrets", "jsonl", io.StringIO())
