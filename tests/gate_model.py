"""A theme model for the batch tests that holds a worker until the test lets it go: the batch waits on
something the test controls, never on a sleep that happens to be long enough."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

MARKER = "闸门标记"  # a passage holding this is held at the gate


class GateModel:
    """Scores every passage 0.75 for "staffing"; a call with a passage holding `MARKER` touches
    `<gate>.held-<pid>` and waits until the file `gate` exists. `deaf`: the wait also ignores SIGALRM, like a C
    call that never returns to Python, so only a hard time limit (killing the process) ends it."""

    classes_ = ["staffing"]
    thresholds_ = [0.5]

    def __init__(self, gate: str, deaf: bool = False) -> None:
        self.gate, self.deaf = gate, deaf

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {"gate": self.gate, "deaf": self.deaf}

    def predict_proba(self, texts: list[str]) -> list[list[float]]:
        if any(MARKER in text for text in texts):
            if not os.path.exists(self.gate):  # say "held" (one file a process), so a test can wait for it
                Path(f"{self.gate}.held-{os.getpid()}").touch()
            if self.deaf:
                signal.signal(signal.SIGALRM, signal.SIG_IGN)  # the soft time limit can no longer fire
            while not os.path.exists(self.gate):
                time.sleep(0.01)  # polls the condition; the test opens the gate (or ends the process)
        return [[0.75] for _ in texts]


def save_gate_model(folder: Path, gate: Path, deaf: bool = False) -> Path:
    from gkreport.themes import save_model

    save_model(GateModel(str(gate), deaf), folder, model_kind="gate")
    return folder


def held_at(gate: Path) -> set[int]:
    """The processes that have reached the closed gate (whether or not they still wait there)."""
    return {int(p.name.rsplit("-", 1)[1]) for p in gate.parent.glob(f"{gate.name}.held-*")}
