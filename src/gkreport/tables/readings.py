"""Candidate readings of one row: which column was lost, which number is extra, how a run of digits
splits; table-三 rows narrowed by R3."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations

from gkreport.tables.model import CellStatus, Number
from gkreport.tables.scan import _UNIT, _Group, _Val
from gkreport.templates import ColumnSpec

MAX_READINGS = 64  # candidate alignments per row before we give up and call it ambiguous
MAX_SPLITS = 5000  # splits of one digit run


# ---------------------------------------------------------------------------------------------------
# Candidate readings of one row


Reading = tuple[_Val, ...]


def _val_of(tok: _Val, kind: str, unit_col: str | None) -> _Val:
    """The token as a value of a column (a fee printed in 元 goes into a 万元 column converted)."""
    raw = tok.raw
    if unit_col == "万元" and tok.value is not None and raw.endswith("元") and not raw.endswith("万元"):
        return _Val(round(tok.value / 10000, 6), tok.raw, tok.offset, "ok", "converted from 元 to 万元")
    return tok


def _normal_readings(groups: list[_Group], cols: Sequence[ColumnSpec], derive: bool) -> list[Reading]:
    """Readings of a row from separated numbers: the only one if the count fits, else each way a column
    could have been lost or a number be extra. With `derive` (table 三), one lost column is filled
    from R3 and readings that break R3 are dropped when others keep it."""
    n = len(cols)
    toks = [t for g in groups for t in g.toks]
    k = len(toks)
    if k < n and len(groups) == 1 and groups[0].reliable:
        # Markdown/HTML rows keep empty cells: trailing (then leading) empties are blank cells.
        g = groups[0]
        pad_trail = min(g.trail, n - k)
        pad_lead = min(g.lead, n - k - pad_trail)
        pad = _Val(None, "", g.start, "blank")
        toks = [pad] * pad_lead + toks + [pad] * pad_trail
        k = len(toks)
    if k == n:
        return [tuple(_val_of(t, c.kind, c.unit) for t, c in zip(toks, cols, strict=True))]
    if k == 0 or any(c.unit for c in cols):
        return _positional_readings(toks, cols) if k else []
    note = f"row prints {k} numbers for {n} columns"
    vals = [_Val(v.value, v.raw, v.offset, v.status, note) for v in toks]
    lost_val = _Val(None, "", None, "missing", note)
    if all(v.status == "ok" and v.value == 0 for v in vals) and (k > n or (k == n - 1 and derive)):
        # Every alignment of an all-zero row reads the same (R3 makes one unprinted column 0).
        zero = _Val(0, "", None, "ok", note + "; every alignment reads 0")
        return [tuple(vals[:n]) if k > n else tuple(vals + [zero])]
    if k < n:
        positions = list(combinations(range(n), n - k))
        if len(positions) > MAX_READINGS:
            return []
        out: list[Reading] = []
        for lost in positions:
            it = iter(vals)
            out.append(tuple(lost_val if i in lost else next(it) for i in range(n)))
    else:
        positions = list(combinations(range(k), k - n))
        if len(positions) > MAX_READINGS:
            return []
        out = [tuple(v for i, v in enumerate(vals) if i not in drop) for drop in positions]
    if derive:
        derived = [_derive_lost(r) for r in out]
        out = [r for r in derived if r is not None]
        consistent = [r for r in out if _t3_row_accept([v.value for v in r])]
        out = consistent or out
    return _dedupe(out)


def _positional_readings(toks: list[_Val], cols: Sequence[ColumnSpec]) -> list[Reading]:
    """Lost/extra readings for rows whose columns differ in kind or unit (table 二)."""
    n, k = len(cols), len(toks)
    out: list[Reading] = []
    note = f"row prints {k} numbers for {n} columns"
    if k < n:
        for lost in combinations(range(n), n - k):
            it = iter(toks)
            out.append(
                tuple(
                    _Val(None, "", None, "missing", note)
                    if i in lost
                    else _val_of(next(it), cols[i].kind, cols[i].unit)
                    for i in range(n)
                )
            )
    else:
        for drop in combinations(range(k), k - n):
            kept = [t for i, t in enumerate(toks) if i not in drop]
            out.append(tuple(_val_of(t, c.kind, c.unit) for t, c in zip(kept, cols, strict=True)))
    return _dedupe(out)


def _split_readings(
    groups: list[_Group],
    cols: Sequence[ColumnSpec],
    accept: Callable[[list[Number | None]], bool] | None,
    partial: bool = False,
) -> list[Reading]:
    """Readings of digits run together: every split of the chunks into len(cols) numbers (no leading
    zeros, signs only in signed columns, decimals only in amount columns) that `accept` allows.

    Printed spaces are forced boundaries. With `partial`, `accept` also prunes incomplete splits
    (R4 block by block); otherwise it sees only complete ones (R3 needs the 总计 at the end).
    """
    shapes: list[tuple[str, str, int]] = []  # (body, unit, most parts it can give)
    offsets: list[int] = []
    for g in groups:
        for chunk, offset in g.chunks:
            unit_match = _UNIT.search(chunk) if not chunk.isdigit() else None
            body = chunk[: unit_match.start()] if unit_match else chunk
            unit = unit_match.group(0) if unit_match else ""
            digits = body.lstrip("+-")
            if not digits or not digits[0].isdigit():
                shapes.append((body, unit, 1))  # a blank marker is one cell
            else:
                dot = digits.find(".")
                shapes.append((body, unit, dot if dot != -1 else len(digits)))
            offsets.append(offset)
    if not shapes:
        return []
    # The search depends only on the printed chunks, the column kinds and the identity, so it is
    # memoised on those; offsets are put back per row.
    key = (tuple(shapes), tuple(c.kind for c in cols), accept, partial)
    found = _SPLIT_MEMO.get(key)
    if found is None:
        if len(_SPLIT_MEMO) >= _SPLIT_MEMO_SIZE:
            _SPLIT_MEMO.clear()
        found = _SPLIT_MEMO[key] = _split_search(shapes, key[1], accept, partial)
    note = "digits run together; split by the 勾稽 identities" if accept else "digits run together"
    # tuple([...]) rather than tuple(generator): a generator costs ~2x per item here.
    return [tuple([_Val(v, raw, offsets[ci] + at, st, note) for v, raw, ci, at, st in split]) for split in found]


_SplitPart = tuple[Number | None, str, int, int, CellStatus]  # value, raw, chunk index, start in chunk, status
_SPLIT_MEMO: dict[tuple[object, ...], tuple[tuple[_SplitPart, ...], ...]] = {}
_SPLIT_MEMO_SIZE = 4096


def _split_search(
    chunks: list[tuple[str, str, int]],
    kinds: tuple[str, ...],
    accept: Callable[[list[Number | None]], bool] | None,
    partial: bool,
) -> tuple[tuple[_SplitPart, ...], ...]:
    """The splits of `_split_readings`, with positions relative to their chunks."""
    n = len(kinds)
    n_chunks = len(chunks)
    capacity = [0] * (n_chunks + 1)  # most parts the chunks from i on can give
    for i in range(n_chunks - 1, -1, -1):
        capacity[i] = capacity[i + 1] + chunks[i][2]
    if not n_chunks <= n <= capacity[0]:
        return ()
    prune = accept if partial else None
    results: list[tuple[_SplitPart, ...]] = []
    values: list[Number | None] = []
    parts: list[tuple[str, int, int, CellStatus]] = []

    def walk(ci: int, pos: int) -> None:
        if len(results) > MAX_SPLITS:
            return
        if ci == n_chunks:
            if len(values) == n and (accept is None or partial or accept(values)):
                results.append(tuple((v, raw, c, at, st) for v, (raw, c, at, st) in zip(values, parts, strict=True)))
            return
        body, unit, most = chunks[ci]
        k = len(values)
        if most == 1 and not any(ch.isdigit() for ch in body):
            values.append(None)
            parts.append((body, ci, 0, "blank"))
            if prune is None or prune(values):
                walk(ci + 1, 0)
            values.pop()
            parts.pop()
            return
        sign = 1 if body[:1] in "+-" else 0
        dot = body.find(".")
        digits_end = dot if dot != -1 else len(body)
        start = pos
        kind = kinds[k]
        left = n - k - 1  # parts still needed after this one
        chunks_after = n_chunks - ci - 1
        cap_after = capacity[ci + 1]
        for cut in range(max(start + sign + 1 if pos == 0 else pos + 1, start + 1), digits_end + 1):
            last = cut == digits_end
            if left < chunks_after + (0 if last else 1) or left > (0 if last else digits_end - cut) + cap_after:
                continue
            piece = body[start : len(body) if last else cut]
            lead = piece[1:] if piece[:1] in "+-" else piece
            if len(lead) > 1 and lead[0] == "0" and lead[1] != ".":
                continue  # no leading zeros: "05" is not a number as printed
            if (piece[0] in "+-" and kind != "signed") or ("." in piece and kind != "amount"):
                continue
            values.append(float(piece) if "." in piece else int(piece))
            parts.append((piece + (unit if last else ""), ci, start, "ok"))
            if prune is None or prune(values):
                walk(ci + 1, 0) if last else walk(ci, cut)
            values.pop()
            parts.pop()

    walk(0, 0)
    if len(results) > MAX_SPLITS:
        return ()
    return tuple(results)


def _t3_row_accept(values: list[Number | None]) -> bool:
    """R3 on one candidate split: the six applicant columns sum to 总计."""
    if any(v is None for v in values):
        return True
    return sum(values[:6]) == values[6]  # type: ignore[arg-type]


def _derive_lost(reading: Reading) -> Reading | None:
    """Fill the one column a table-三 row did not print from R3; None if that makes it negative."""
    lost = [i for i, v in enumerate(reading) if v.status == "missing"]
    if len(lost) != 1 or any(v.status != "ok" for i, v in enumerate(reading) if i != lost[0]):
        return reading
    i = lost[0]
    values = [v.value for v in reading]
    known = [v for j, v in enumerate(values[:6]) if j != i and v is not None]  # every cell but the lost one is ok
    total = values[6]
    if i == 6 or total is None:
        derived = sum(known)
    else:
        derived = total - sum(known)
    if derived < 0:
        return None
    note = reading[i].note + "; the unprinted column is implied by R3"
    out = list(reading)
    out[i] = _Val(derived, "", None, "ok", note)
    return tuple(out)


def _row_readings(groups: list[_Group], cols: Sequence[ColumnSpec], table: str, units: bool) -> list[Reading]:
    """Candidate readings of a row; `units` says whether any of `cols` has a unit (asked once per table)."""
    if len(groups) == 1 and not units and not groups[0].run_mode and len(groups[0].toks) == len(cols):
        return [tuple(groups[0].toks)]  # the common case: one line, one number per column
    if any(g.run_mode for g in groups):
        accept = _t3_row_accept if table == "3" else None
        readings = _split_readings(groups, cols, accept)
    else:
        readings = []
        count = sum(g.count for g in groups) if len(groups) > 1 else groups[0].count
        if (
            table == "3"
            and count < len(cols)
            and not any(g.structured for g in groups)
            and len(cols) <= sum(ch.isdigit() for g in groups for c, _ in g.chunks for ch in c)
        ):
            # Space-separated runs (平潭 2022: "713000074"): a split that satisfies R3 beats a lost column.
            readings = _split_readings(groups, cols, _t3_row_accept)
        if readings:
            return _dedupe(readings)
        return _normal_readings(groups, cols, table == "3")
    return _dedupe(readings)


def _dedupe(readings: list[Reading]) -> list[Reading]:
    if len(readings) < 2:
        return readings
    seen: dict[tuple[tuple[Number | None, str], ...], Reading] = {}
    for r in readings:
        seen.setdefault(tuple((v.value, v.status) for v in r), r)
    return list(seen.values())
