"""Drawing a labelling `Session` and feeding it keys: a fixed rich screen on a terminal, plain lines elsewhere.

On a terminal the screen never scrolls: the report, section and passage id with "n of N" and the rate on
top; the passage between its two neighbours; the theme list with number keys, marks and the model's scores;
the roles with letter keys; the keys and the last thing done at the bottom. Keys are read one at a time
(cbreak mode, no Enter needed). Ctrl-C and Ctrl-D stop the session like q: every answer is on disk already.

Without a terminal (a pipe, a test) every character of standard input is a key and a newline is Enter;
each passage is printed as plain text when it comes up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.layout import Layout
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from gkreport.labelling import ROLE_KEYS, THEME_KEYS, Key, Session
from gkreport.passages import Passage

KEYS_HELP = "Enter save · 1-9 theme · 0 no theme · a-h role · s skip · u undo · q quit (answers are saved at once)"
_CONTROL = {"\r": "enter", "\n": "enter", "\x03": "interrupt", "\x04": "eof"}


def _key(char: str) -> Key:
    return _CONTROL.get(char, char.lower())


def stream_keys(stream: IO[str]) -> Iterator[Key]:
    """Keys from a non-terminal input: one per character, a newline is Enter, the end of input is Ctrl-D."""
    while True:
        char = stream.read(1)
        if not char:
            yield "eof"
            return
        if char not in " \t":
            yield _key(char)


@contextmanager
def terminal_keys(stream: IO[str]) -> Iterator[Iterator[Key]]:
    """Keys as they are pressed (cbreak mode, no echo); the terminal is restored on the way out. An escape
    sequence (arrow keys, function keys) is one ignored key; Ctrl-C arrives as "interrupt"."""
    import termios
    import tty

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)

    def keys() -> Iterator[Key]:
        while True:
            try:
                chunk = os.read(fd, 64).decode("utf-8", "ignore")
            except KeyboardInterrupt:
                yield "interrupt"
                return
            if not chunk:
                yield "eof"
                return
            if chunk.startswith("\x1b"):
                continue
            for char in chunk:
                if char not in " \t":
                    yield _key(char)

    tty.setcbreak(fd)
    try:
        yield keys()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _status(session: Session) -> str:
    rate = session.rate()
    shown = f"{session.position} of {session.total}" if session.current is not None else f"done of {session.total}"
    return f"{shown} · {session.added} this session · " + (f"{rate:.0f}/h" if rate is not None else "—/h")


def _neighbour(mark: str, passage: Passage | None) -> Text:
    if passage is None:
        return Text(f"{mark} (none)", style="dim")
    return Text(f"{mark} {passage.id} [{passage.role}] {passage.text}", style="dim", no_wrap=True, overflow="ellipsis")


def _cut(text: str, lines: int, width: int) -> str:
    """The passage cut to what `lines` lines of `width` columns hold (a CJK character takes two)."""
    room = max(1, lines) * max(10, width) // 2
    if len(text) <= room:
        return text
    keep = max(1, room - 20)
    return text[:keep] + f" … (+{len(text) - keep} chars: make the window larger to read them)"


def _themes_table(session: Session, names: dict[str, str], columns: int) -> Table:
    table = Table.grid(padding=(0, 2))
    for _ in range(columns):
        table.add_column()
    cells: list[Text] = []
    current = session.current
    for key, theme in THEME_KEYS.items():
        chosen = theme in session.themes
        score = current.scores.get(theme) if current is not None else None
        suggested = current is not None and theme in current.suggested
        cell = Text()
        cell.append(f"{key} ", style="bold")
        cell.append("■ " if chosen else "□ ", style="green" if chosen else "")
        cell.append(f"{theme} {names.get(theme, '')}", style="bold" if chosen else "")
        cell.append(
            "  " + (f"{score:.2f}" if score is not None else "not scored"), style="cyan" if suggested else "dim"
        )
        cells.append(cell)
    rows = -(-len(cells) // columns)
    for r in range(rows):
        table.add_row(*[cells[r + c * rows] if r + c * rows < len(cells) else Text() for c in range(columns)])
    return table


def _roles_line(session: Session) -> Text:
    line = Text("role: ")
    suggested = session.current.passage.role if session.current is not None else ""
    for key, role in ROLE_KEYS.items():
        label = f"{key} {role}{'*' if role == suggested else ''}"
        line.append(label, style="reverse bold" if role == session.role else "")
        line.append("  ")
    return line


def render(session: Session, names: dict[str, str], width: int, height: int) -> RenderableType:
    """The whole screen for the session's current state, sized to `width` × `height`."""
    columns = 2 if width >= 110 else 1
    theme_rows = -(-len(THEME_KEYS) // columns)
    current = session.current
    layout = Layout()
    choices_height = theme_rows + 3
    body_height = max(5, height - 2 - choices_height - 2)
    head: RenderableType
    if current is None:
        body: RenderableType = Panel(
            Text("No passage left to label here. q leaves; u takes back the last answer."), title="done"
        )
        head = Text(_status(session))
    else:
        p = current.passage
        where = Text.assemble(
            (f"{p.doc}  passage {p.id}", "bold"),
            f"  ·  {current.report}  ·  {current.section}",
            no_wrap=True,
            overflow="ellipsis",
        )
        head = Group(where, Text(_status(session), style="cyan", no_wrap=True, overflow="ellipsis"))
        text = _cut(p.text, body_height - 4, width - 4)
        title = " · ".join(x for x in (p.heading, f"splitter's role: {p.role}") if x)
        body = Group(
            _neighbour("↑", current.before),
            Panel(Text(text), title=title, title_align="left"),
            _neighbour("↓", current.after),
        )
    layout.split_column(
        Layout(head, name="head", size=2),
        Layout(body, name="body", size=body_height),
        Layout(
            Group(_themes_table(session, names, columns), Text(), _roles_line(session)),
            name="choices",
            size=choices_height,
        ),
        Layout(
            Group(
                Text(KEYS_HELP, style="dim", no_wrap=True, overflow="ellipsis"),
                Text(session.message, style="yellow", no_wrap=True, overflow="ellipsis"),
            ),
            name="keys",
            size=2,
        ),
    )
    return layout


def plain_view(session: Session) -> str:
    """The current passage as plain text, for input that is not a terminal."""
    current = session.current
    if current is None:
        return "no passage left to label"
    p = current.passage
    suggested = ", ".join(f"{t} {current.scores[t]:.2f}" for t in current.suggested) or "-"
    return (
        f"\n{p.doc} {p.id}  {current.report}  {current.section}  [{_status(session)}]\n{p.text}\n"
        f"suggested: role {p.role}; themes {suggested}"
    )


def run(session: Session, names: dict[str, str], console: Console, stdin: IO[str] | None = None) -> None:
    """Run the session to its end: on a full screen when both ends are a terminal, else in plain lines."""
    stdin = stdin or sys.stdin
    if console.is_terminal and stdin.isatty():
        with terminal_keys(stdin) as keys, console.screen(hide_cursor=True) as screen:
            try:
                screen.update(render(session, names, console.width, console.height))
                for key in keys:
                    session.press(key)
                    if key in ("q", "eof", "interrupt"):
                        break
                    screen.update(render(session, names, console.width, console.height))
            except KeyboardInterrupt:  # between two keys: every answer is already on disk
                pass
        return
    shown = session.index
    if session.current is not None:
        console.print(plain_view(session), highlight=False, markup=False, soft_wrap=True)
    try:
        for key in stream_keys(stdin):
            session.press(key)
            if session.message:
                console.print(session.message, highlight=False, markup=False, soft_wrap=True)
            if key in ("q", "eof", "interrupt"):
                break
            if session.index != shown:
                shown = session.index
                console.print(plain_view(session), highlight=False, markup=False, soft_wrap=True)
    except KeyboardInterrupt:
        pass
