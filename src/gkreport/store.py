"""The results database (stdlib sqlite3, WAL mode). All SQL of gkreport lives in this module.

CLI: ``gkreport export --db results.sqlite --what reports|cells|checks|passages --format jsonl|csv
[--output FILE]`` → ``export(db, what, fmt, out)``.

Schema (one row per file in `files`, keyed by the sha256 of its bytes; every other table hangs off it):

====================  ===========================================================================
files                 sha256 PK, path, format, encoding, status ('ok'|'error'), error (the ConfigError
                      message "path: reason"), processed_at (UTC ISO 8601), model_version (theme model
                      card version, NULL when no model was used)
reports               sha256 PK → files, template ('2021'|'2019'|'pre2019'|...), agency, year, level,
                      province, city (from the agency name via cpca; NULL when not named), warnings
                      (JSON list of the segmenter's warnings), appendix (JSON {heading, start, end} of
                      the statistics table kept apart from the sections, NULL when none)
sections              sha256 → files, number (1..6), name, heading, status, start, end, text
cells                 sha256 → files, tbl, row, col, value (REAL, NULL when blank), raw, status, line,
                      offset, note
checks                sha256 → files, check_id ('R1.total', 'X2...'), family ('R1', 'X2'), status
                      ('pass'|'fail'|'not_assessable'|...), expected, actual, message, severity
passages              id INTEGER PK (the rowid), sha256 → files, passage_id ('5.1'), section (5|6), role
                      (problem|improvement|innovation|...), text, start, end, heading, pair
passage_themes        passage → passages.id, theme (taxonomy id), score (model probability), assigned
                      (1 when score ≥ the model's threshold for that theme)
====================  ===========================================================================

The rows are the records of `gkreport.records` (one shape per type) with the same keys as columns, but for
two that SQL names differently: a cell's "table" is the column `tbl` (TABLE is an SQL word) and a passage's
"passage" is `passage_id`; `export` gives them back under the record keys.

Child rows are deleted with their file (ON DELETE CASCADE). A file's rows are written in one transaction
together with its `files` row, so a process killed at any moment leaves each file either fully stored or
absent, and a re-run resumes by skipping the sha256 values already in `files`.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from gkreport.errors import ConfigError, OptionError
from gkreport.records import FileRecord

# PRAGMA user_version of the databases this module writes; raise it with any change to SCHEMA. A database of
# a higher version (a newer gkreport) is refused; 0 is a database written before the version was kept.
SCHEMA_VERSION = 1
TABLES: tuple[str, ...] = ("files", "reports", "sections", "cells", "checks", "passages", "passage_themes")

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT, encoding TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')), error TEXT, processed_at TEXT NOT NULL,
    model_version TEXT
);
CREATE TABLE IF NOT EXISTS reports (
    sha256 TEXT PRIMARY KEY REFERENCES files(sha256) ON DELETE CASCADE,
    template TEXT, agency TEXT, year INTEGER, level TEXT, province TEXT, city TEXT, warnings TEXT,
    appendix TEXT
);
CREATE TABLE IF NOT EXISTS sections (
    sha256 TEXT NOT NULL REFERENCES files(sha256) ON DELETE CASCADE,
    number INTEGER NOT NULL, name TEXT, heading TEXT, status TEXT, start INTEGER, "end" INTEGER, text TEXT,
    PRIMARY KEY (sha256, number)
);
CREATE TABLE IF NOT EXISTS cells (
    sha256 TEXT NOT NULL REFERENCES files(sha256) ON DELETE CASCADE,
    tbl TEXT NOT NULL, "row" TEXT NOT NULL, col TEXT NOT NULL, value REAL, raw TEXT, status TEXT,
    line INTEGER, "offset" INTEGER, note TEXT
);
CREATE TABLE IF NOT EXISTS checks (
    sha256 TEXT NOT NULL REFERENCES files(sha256) ON DELETE CASCADE,
    check_id TEXT NOT NULL, family TEXT NOT NULL, status TEXT NOT NULL, expected REAL, actual REAL,
    message TEXT, severity TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL REFERENCES files(sha256) ON DELETE CASCADE,
    passage_id TEXT NOT NULL, section INTEGER, role TEXT, text TEXT, start INTEGER, "end" INTEGER,
    heading TEXT, pair TEXT
);
CREATE TABLE IF NOT EXISTS passage_themes (
    passage INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    theme TEXT NOT NULL, score REAL NOT NULL, assigned INTEGER NOT NULL CHECK (assigned IN (0, 1)),
    PRIMARY KEY (passage, theme)
);
CREATE INDEX IF NOT EXISTS files_status ON files(status);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports(agency, year);
CREATE INDEX IF NOT EXISTS reports_year ON reports(year);
CREATE INDEX IF NOT EXISTS cells_sha ON cells(sha256, status);
CREATE INDEX IF NOT EXISTS cells_flagged ON cells(sha256, status) WHERE status IN ('missing', 'ambiguous');
CREATE INDEX IF NOT EXISTS checks_sha ON checks(sha256, family, status);
CREATE INDEX IF NOT EXISTS passages_role ON passages(role, sha256);
CREATE INDEX IF NOT EXISTS passages_sha ON passages(sha256);
CREATE INDEX IF NOT EXISTS themes_assigned ON passage_themes(passage, theme, score) WHERE assigned = 1;
"""

# export --what → the query; the column list is the export's header.
EXPORTS: dict[str, str] = {
    "reports": """SELECT f.sha256, f.path, f.format, f.encoding, f.status, f.error, f.processed_at,
                         f.model_version, r.template, r.agency, r.year, r.level, r.province, r.city
                  FROM files f LEFT JOIN reports r USING (sha256) ORDER BY f.path, f.sha256""",
    "cells": """SELECT f.path, c.sha256, c.tbl AS "table", c."row", c.col, c.value, c.raw, c.status, c.line, c."offset",
                       c.note
                FROM cells c JOIN files f USING (sha256) ORDER BY f.path, c.sha256, c.rowid""",
    "checks": """SELECT f.path, c.sha256, c.check_id, c.family, c.status, c.expected, c.actual, c.message,
                        c.severity
                 FROM checks c JOIN files f USING (sha256) ORDER BY f.path, c.sha256, c.rowid""",
    "passages": """SELECT f.path, p.sha256, p.passage_id AS passage, p.section, p.role, p.text, p.start, p."end",
                          p.heading, p.pair,
                          (SELECT json_group_array(theme) FROM passage_themes t
                           WHERE t.passage = p.id AND t.assigned = 1) AS themes
                   FROM passages p JOIN files f USING (sha256) ORDER BY f.path, p.sha256, p.id""",
}
EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "csv")


def _tables_and_version(conn: sqlite3.Connection) -> tuple[set[str], int]:
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return tables, conn.execute("PRAGMA user_version").fetchone()[0]


def _refusal(db: str | Path, tables: set[str], version: int, empty_ok: bool) -> ConfigError | None:
    """Why `db` is not a results database this gkreport can use, or None."""
    if version > SCHEMA_VERSION:
        return ConfigError(
            db,
            f"written by a newer gkreport (schema version {version}; this one knows up to "
            f"{SCHEMA_VERSION}): not changed; use a newer gkreport",
        )
    if not tables and empty_ok:
        return None
    missing = [t for t in TABLES if t not in tables]
    if missing:
        found = f"its tables: {', '.join(sorted(tables))}" if tables else "it has no tables"
        return ConfigError(db, f"not a gkreport results database ({found}); write one with gkreport batch")
    return None


def _opened(db: str | Path, uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # reads the header: is it SQLite at all
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ConfigError(db, f"not an SQLite database ({exc})") from exc
    return conn


def connect(db: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) a results database in WAL mode with foreign keys on, for writing. A file that
    is not SQLite, a database of other tables, or one of a newer schema is refused (ConfigError), unchanged."""
    path = Path(db)
    if path.is_dir():
        raise ConfigError(db, "is a folder, not a database file")
    if not path.parent.is_dir():
        raise ConfigError(db, f"the folder {path.parent} does not exist")
    if path.exists() and not path.is_file():  # a pipe or a device: reading its header would wait for ever
        raise ConfigError(db, "is not a regular file: not a database")
    try:
        conn = _opened(db, path.absolute().as_uri())
    except sqlite3.Error as exc:  # cannot create or open it (permissions, a read-only medium)
        raise ConfigError(db, f"cannot open the database: {exc}") from exc
    refusal = _refusal(db, *_tables_and_version(conn), empty_ok=True)
    if refusal is not None:
        conn.close()
        raise refusal
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed file survives a killed process
    conn.executescript(SCHEMA)
    _add_columns(conn, "reports", {"warnings": "TEXT", "appendix": "TEXT"})
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn


def connect_readonly(db: str | Path) -> sqlite3.Connection:
    """Open a results database for reading only (SQLite's mode=ro: nothing can be written, not even the
    journal mode); refuse, unchanged, a missing file, a file that is not SQLite, a database that is not
    gkreport's, or one of a newer schema. What `summary` and `export` use."""
    path = Path(db)
    if not path.is_file():
        raise ConfigError(db, "no such database" if not path.exists() else "is not a database file")
    try:
        conn = _opened(db, path.absolute().as_uri() + "?mode=ro")
        refusal = _refusal(db, *_tables_and_version(conn), empty_ok=False)
    except sqlite3.Error as exc:
        raise ConfigError(db, f"cannot open the database: {exc}") from exc
    if refusal is not None:
        conn.close()
        raise refusal
    return conn


@contextmanager
def reading(db: str | Path) -> Iterator[sqlite3.Connection]:
    """`connect_readonly` for a `with` block, closed after it; an SQLite error met while reading (a damaged
    file) is refused too, as a ConfigError naming the database."""
    with closing(connect_readonly(db)) as conn:
        try:
            yield conn
        except sqlite3.Error as exc:
            raise ConfigError(db, f"cannot read the database: {exc}") from exc


def _add_columns(conn: sqlite3.Connection, table: str, columns: dict[str, str]) -> None:
    """Columns added since a database was created (a database of an earlier version keeps its rows)."""
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    for name, kind in columns.items():
        if name not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def stored_statuses(conn: sqlite3.Connection) -> dict[str, str]:
    """sha256 → 'ok' | 'error' of every file stored: a re-run skips these (errors unless retried)."""
    return dict(conn.execute("SELECT sha256, status FROM files").fetchall())


def untagged_files(conn: sqlite3.Connection, shas: set[str]) -> list[str]:
    """Of `shas`, the files stored ok without a theme model (model_version NULL), in sha256 order."""
    rows = conn.execute(
        "SELECT sha256 FROM files WHERE status = 'ok' AND model_version IS NULL "
        "AND sha256 IN (SELECT value FROM json_each(?)) ORDER BY sha256",
        (json.dumps(sorted(shas)),),
    )
    return [sha for (sha,) in rows]


def stored_passages(conn: sqlite3.Connection, shas: list[str]) -> list[dict[str, Any]]:
    """{"id", "text", "role"} of every stored passage of these files (the role: a role-aware model gives a
    lead-in or a fee note no theme)."""
    rows = conn.execute(
        "SELECT id, text, role FROM passages WHERE sha256 IN (SELECT value FROM json_each(?)) ORDER BY id",
        (json.dumps(shas),),
    )
    return [{"id": pid, "text": text or "", "role": role} for pid, text, role in rows]


def write_themes(conn: sqlite3.Connection, shas: list[str], passages: list[dict[str, Any]], version: str) -> None:
    """Store the themes of stored passages ("id" and the "themes"/"scores" of a passage record) and mark their
    files as tagged by model `version`, at once."""
    with conn:
        conn.executemany("DELETE FROM passage_themes WHERE passage = ?", [(p["id"],) for p in passages])
        conn.executemany(
            "INSERT INTO passage_themes VALUES (?, ?, ?, ?)", [(p["id"], *row) for p in passages for row in _scored(p)]
        )
        conn.executemany("UPDATE files SET model_version = ? WHERE sha256 = ?", [(version, sha) for sha in shas])


def _scored(passage: dict[str, Any]) -> list[tuple[str, float, int]]:
    """(theme, score, assigned) for each theme the passage record was scored on."""
    assigned = set(passage.get("themes", ()))
    return [(theme, score, int(theme in assigned)) for theme, score in passage.get("scores", {}).items()]


# X1 (last year's 结转下年 = this year's 上年结转) pairs a stored report with the same agency's report of the
# year before. A report can be checked when its tables are of a 2019/2021 template: it has table-三 cells, or
# none at all but a 2019/2021 template (every X1 check is then not assessable, as `gkreport check` says), and
# no pre-2019 统计表 cells. Of several reports of the previous year the first by path is taken.
_X1_PAIRS = """
WITH ready AS MATERIALIZED (  -- each report's readiness once, not again for every report it might follow
    SELECT r.sha256, r.agency, r.year, f.path FROM reports r JOIN files f USING (sha256)
    WHERE f.status = 'ok' AND r.agency IS NOT NULL AND r.year IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.sha256 = r.sha256 AND c.tbl = :old)
      AND (r.template IN (SELECT value FROM json_each(:templates))
           OR EXISTS (SELECT 1 FROM cells c WHERE c.sha256 = r.sha256 AND c.tbl = '3'))),
pairs AS MATERIALIZED (
    SELECT cur.sha256 AS report,
           (SELECT prev.sha256 FROM ready prev WHERE prev.agency = cur.agency AND prev.year = cur.year - 1
            ORDER BY prev.path, prev.sha256 LIMIT 1) AS previous
    FROM ready cur)
SELECT report, previous FROM pairs
WHERE CASE WHEN previous IS NULL  -- X1 rows of a previous year no longer stored (its file changed in place)
           THEN EXISTS (SELECT 1 FROM checks c WHERE c.sha256 = pairs.report AND c.family = 'X1')
           ELSE report IN (SELECT value FROM json_each(:added)) OR previous IN (SELECT value FROM json_each(:added))
                OR NOT EXISTS (SELECT 1 FROM checks c WHERE c.sha256 = pairs.report AND c.family = 'X1') END
ORDER BY report"""


def cross_year_pairs(
    conn: sqlite3.Connection, added: set[str], templates: Sequence[str], old: str
) -> list[tuple[str, str | None]]:
    """(report, the same agency's report of the year before) for every stored pair that X1 has to check now:
    either report is in `added` (written by this run), or the report has no X1 check yet (a batch stopped
    before its X1 step, a database of an earlier gkreport); (report, None) for a report whose X1 rows compare
    it with a year no longer stored. `templates`: the 2019/2021 template names; `old`: the table name of the
    pre-2019 统计表 cells."""
    rows = conn.execute(
        _X1_PAIRS, {"added": json.dumps(sorted(added)), "templates": json.dumps(list(templates)), "old": old}
    )
    return [(report, previous) for report, previous in rows]


def stored_table3(
    conn: sqlite3.Connection, shas: set[str], rows: Sequence[str]
) -> dict[str, tuple[str | None, list[tuple[Any, ...]]]]:
    """sha256 → (report template, the cells of these rows of its table 三 as (row, col, value, raw, status, line,
    offset, note))."""
    found: dict[str, tuple[str | None, list[tuple[Any, ...]]]] = {}
    query = """SELECT r.sha256, r.template, c."row", c.col, c.value, c.raw, c.status, c.line, c."offset", c.note
               FROM reports r LEFT JOIN cells c ON c.sha256 = r.sha256 AND c.tbl = '3'
                                               AND c."row" IN (SELECT value FROM json_each(:rows))
               WHERE r.sha256 IN (SELECT value FROM json_each(:shas)) ORDER BY r.sha256, c.rowid"""
    for sha, template, *cell in conn.execute(query, {"shas": json.dumps(sorted(shas)), "rows": json.dumps(list(rows))}):
        cells = found.setdefault(sha, (template, []))[1]
        if cell[0] is not None:
            cells.append(tuple(cell))
    return found


def replace_checks(conn: sqlite3.Connection, family: str, checks: dict[str, list[dict[str, Any]]]) -> None:
    """The checks of one family of these files, replacing those stored (so a re-run adds no duplicate), in
    one transaction."""
    with conn:
        conn.executemany("DELETE FROM checks WHERE sha256 = ? AND family = ?", [(sha, family) for sha in checks])
        conn.executemany(
            "INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (sha, c["check_id"], family, c["status"], c["expected"], c["actual"], c["message"], c["severity"])
                for sha, rows in checks.items()
                for c in rows
            ],
        )


def _family(check_id: str) -> str:
    return check_id.split(".", 1)[0]


def _report_row(sha256: str, r: dict[str, Any]) -> tuple[Any, ...]:
    appendix = r.get("appendix")
    return (
        sha256,
        r["template"],
        r["agency"],
        r["year"],
        r["level"],
        r["province"],
        r["city"],
        json.dumps(r.get("warnings", []), ensure_ascii=False),
        json.dumps(appendix, ensure_ascii=False) if appendix else None,
    )


class FileRows(NamedTuple):
    """One file's rows as its tables store them, less what only the writer knows (`processed_at`, the passage
    ids). Built where the file was read (`file_rows`, in a batch worker), so the driver, which alone writes and
    shares the cores with the workers, only inserts them; and tuples pickle back from a worker faster than the
    record's dicts."""

    sha256: str
    path: str
    status: str
    error: str | None
    files: tuple[Any, ...]  # the files row without processed_at
    report: tuple[Any, ...] | None  # None for an error
    sections: list[tuple[Any, ...]]
    cells: list[tuple[Any, ...]]
    checks: list[tuple[Any, ...]]
    passages: list[tuple[Any, ...]]  # without the id
    themes: list[list[tuple[str, float, int]]]  # (theme, score, assigned) of each passage


def file_rows(rec: FileRecord) -> FileRows:
    """The rows `rec` adds to the database (`write_rows`)."""
    ok = rec.status == "ok" and rec.report is not None
    sha = rec.sha256
    return FileRows(
        sha,
        rec.path,
        rec.status,
        rec.error,
        (sha, rec.path, rec.format, rec.encoding, rec.status, rec.error, rec.model_version),
        _report_row(sha, rec.report) if ok and rec.report is not None else None,
        [
            (sha, s["number"], s["name"], s["heading"], s["status"], s["start"], s["end"], s["text"])
            for s in rec.sections
        ]
        if ok
        else [],
        [
            (sha, c["table"], c["row"], c["col"], c["value"], c["raw"], c["status"], c["line"], c["offset"], c["note"])
            for c in rec.cells
        ]
        if ok
        else [],
        [
            (
                sha,
                c["check_id"],
                _family(c["check_id"]),
                c["status"],
                c["expected"],
                c["actual"],
                c["message"],
                c["severity"],
            )
            for c in rec.checks
        ]
        if ok
        else [],
        [
            (sha, p["passage"], p["section"], p["role"], p["text"], p["start"], p["end"], p["heading"], p["pair"])
            for p in rec.passages
        ]
        if ok
        else [],
        [_scored(p) for p in rec.passages] if ok else [],
    )


def _insert(conn: sqlite3.Connection, files: Sequence[FileRows], processed_at: str) -> None:
    """Every row of `files`, one `executemany` per table (per file, the statements cost more than the rows)."""
    # a --force rerun replaces the file: cascade removes its old child rows first
    conn.executemany("DELETE FROM files WHERE sha256 = ?", [(f.sha256,) for f in files])
    conn.executemany(
        "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(*f.files[:6], processed_at, f.files[6]) for f in files]
    )
    conn.executemany(
        "INSERT INTO reports (sha256, template, agency, year, level, province, city, warnings, "
        "appendix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [f.report for f in files if f.report],
    )
    conn.executemany(
        "INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?, ?, ?)", chain.from_iterable(f.sections for f in files)
    )
    conn.executemany(
        "INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chain.from_iterable(f.cells for f in files)
    )
    conn.executemany("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", chain.from_iterable(f.checks for f in files))
    # passage ids are given here, as SQLite would give them (the largest + 1): only the driver writes
    next_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM passages").fetchone()[0]
    passages = list(chain.from_iterable(f.passages for f in files))
    themes = chain.from_iterable(f.themes for f in files)
    ids = range(next_id, next_id + len(passages))
    conn.executemany(
        "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pid, *p) for pid, p in zip(ids, passages, strict=True)],
    )
    conn.executemany(
        "INSERT INTO passage_themes VALUES (?, ?, ?, ?)",
        [
            (pid, theme, score, assigned)
            for pid, scored in zip(ids, themes, strict=True)
            for theme, score, assigned in scored
        ],
    )


def forget_replaced(conn: sqlite3.Connection, found: dict[str, str]) -> int:
    """Before a batch: rows of files changed in place since they were stored. `found` maps each path walked
    now to the sha256 of its bytes. A stored row whose path now holds other bytes moves to another walked path
    that still holds its content (a copy), or is deleted with its child rows. Returns how many were deleted."""
    holders: dict[str, str] = {}
    for path, sha in found.items():
        holders.setdefault(sha, path)
    deleted = 0
    with conn:
        for sha, path in conn.execute("SELECT sha256, path FROM files").fetchall():
            now = found.get(path)
            if now is None or now == sha:
                continue  # not walked this time, or unchanged
            if sha in holders:
                conn.execute("UPDATE files SET path = ? WHERE sha256 = ?", (holders[sha], sha))
            else:
                conn.execute("DELETE FROM files WHERE sha256 = ?", (sha,))
                deleted += 1
    return deleted


def write_records(conn: sqlite3.Connection, records: Sequence[FileRecord]) -> None:
    """Store a chunk of files in ONE transaction: all of them, or (if killed) none."""
    write_rows(conn, [file_rows(rec) for rec in records])


def write_rows(conn: sqlite3.Connection, files: Sequence[FileRows]) -> None:
    """`write_records` of rows built beforehand (`file_rows`)."""
    if not files:
        return
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    latest = list({f.sha256: f for f in files}.values())  # a key met twice: its last record, as a rerun
    with conn:  # commits on success, rolls back on error
        _insert(conn, latest, stamp)


def _rows(conn: sqlite3.Connection, what: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    if what not in EXPORTS:
        raise OptionError("--what", f"cannot export {what!r}; choose one of {', '.join(EXPORTS)}")
    cur = conn.execute(EXPORTS[what])
    return [d[0] for d in cur.description], iter(cur)


def export(db: str | Path, what: str, fmt: str, out: TextIO) -> int:
    """Write one table of the database to `out` as JSON lines or CSV (with header); returns the row count."""
    if fmt not in EXPORT_FORMATS:
        raise OptionError("--format", f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    count = 0
    with reading(db) as conn:
        header, rows = _rows(conn, what)
        writer = csv.writer(out) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(header)
        for row in rows:
            record = dict(zip(header, row, strict=True))
            if "themes" in record:
                record["themes"] = json.loads(record["themes"]) if record["themes"] else []
            if writer is not None:
                writer.writerow(["|".join(v) if isinstance(v, list) else v for v in record.values()])
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


# ---------------------------------------------------------------------------------------------------
# Summary fetches (used by gkreport.summary, which aggregates the rows in Python: co-occurrence, recurring
# themes and unanswered problems are self-joins that SQLite runs quadratically over unindexed CTEs).
# `:shas` is a JSON array of sha256 values.

SUMMARY_SQL: dict[str, str] = {
    "reports": """SELECT r.sha256, r.agency, r.year, r.level, r.province, r.city, f.model_version, f.path,
                         r.template
                  FROM reports r JOIN files f USING (sha256) WHERE f.status = 'ok'""",
    "errors": "SELECT COUNT(*) AS errors FROM files WHERE status = 'error'",
    # every passage-theme pair the model assigned, in passages of the roles the summary compares
    "assigned": """SELECT p.sha256, p.role, t.theme, t.passage, t.score
                   FROM passage_themes t JOIN passages p ON p.id = t.passage
                   WHERE t.assigned = 1 AND p.role IN ('problem', 'improvement', :role)""",
    "passages": """SELECT id, passage_id, text FROM passages
                   WHERE id IN (SELECT value FROM json_each(:ids))""",
    "failing_checks": "SELECT DISTINCT sha256, family FROM checks WHERE status = 'fail'",
    "flagged_cells": "SELECT DISTINCT sha256, status FROM cells WHERE status IN ('missing', 'ambiguous')",
    "without_cells": """SELECT r.sha256 FROM reports r
                        WHERE NOT EXISTS (SELECT 1 FROM cells c WHERE c.sha256 = r.sha256)""",
    # sections 五 and 六, in order, of the given reports
    "section_texts": """SELECT sha256, text FROM sections
                        WHERE number IN (5, 6) AND text IS NOT NULL
                          AND sha256 IN (SELECT value FROM json_each(:shas)) ORDER BY sha256, number""",
    # gkreport.review: the details behind the counts above, per report
    # batch stores all six sections of a report, with status 'missing' for those not found
    "sections_not_found": "SELECT sha256, number, name, status FROM sections WHERE status != 'found'",
    "failed_checks": """SELECT sha256, check_id, family, severity, message FROM checks WHERE status = 'fail'
                        ORDER BY sha256, rowid""",
    "flagged_cell_list": """SELECT sha256, tbl, "row", col, status FROM cells
                            WHERE status IN ('missing', 'ambiguous') ORDER BY sha256, rowid""",
    # reports.warnings (a JSON list) is written by newer batches only: asked for when the column exists
    "report_columns": "SELECT name FROM pragma_table_info('reports')",
    "warnings": "SELECT sha256, warnings FROM reports WHERE warnings IS NOT NULL",
}


def summary_query(
    conn: sqlite3.Connection, name: str, *, as_tuples: bool = False, **params: Any
) -> list[sqlite3.Row] | list[tuple[Any, ...]]:
    """Run one of `SUMMARY_SQL`; lists passed as parameters are sent as JSON arrays. Rows index by column name,
    or are plain tuples in the query's column order with `as_tuples` (half the cost on 100,000 rows)."""
    cur = conn.execute(SUMMARY_SQL[name], {k: json.dumps(v) if isinstance(v, list) else v for k, v in params.items()})
    if not as_tuples:
        cur.row_factory = sqlite3.Row
    return cur.fetchall()
