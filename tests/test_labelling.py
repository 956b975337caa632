"""`gkreport label` and training on a handful of labels: the session's keys, orders, near-duplicates, the
screen in a real terminal (tmux), and what `train` says when the labels cannot give everything."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EX01 as REPORT
from helpers import EXAMPLES, ROOT, SHIPPED_MODEL, cli, wait_for
from hypothesis import given, settings
from hypothesis import strategies as st

from gkreport.annotations import load_annotations, resolve
from gkreport.errors import OptionError
from gkreport.labelling import (
    NearDuplicates,
    Session,
    collect,
    order_candidates,
    uncertainty,
    with_suggestions,
)
from gkreport.labelling_screen import KEYS_HELP
from gkreport.themes import THEME_IDS, load_scorer


def label(*args: str, keys: str = ""):
    return cli("label", *args, input=keys)


def shown_ids(output: str, doc: str = REPORT.name) -> list[str]:
    """The passage ids the plain (non-terminal) view showed, in order."""
    return [line.split()[1] for line in output.splitlines() if line.startswith(doc + " ")]


def model_view() -> tuple[object, list]:
    """The shipped model and its suggestions for the example report, computed here independently of the CLI."""
    scorer = load_scorer(SHIPPED_MODEL)
    return scorer, with_suggestions(collect([REPORT]).candidates, scorer)


# ---- the session, without a terminal: every character a key ----


def test_enter_saves_the_models_suggestion_and_the_splitters_role(tmp_path: Path) -> None:
    out = tmp_path / "mine.jsonl"
    result = label(str(REPORT), "--out", str(out), "--annotator", "t", "--order", "document", keys="\n\nq")
    assert result.exit_code == 0, result.output
    _, candidates = model_view()
    saved = load_annotations([out])
    assert [(lb.passage, lb.role, lb.themes) for lb in saved] == [
        (c.passage.id, c.passage.role, tuple(t for t in THEME_IDS if t in c.suggested)) for c in candidates[:2]
    ]
    assert "2 labels added" in result.output and "8 of 10 passages not labelled yet" in result.output
    # the records hold no text and resolve against the report, as `gkreport train` needs
    assert candidates[0].passage.text[:8] not in out.read_text("utf-8")
    assert [d.passage for d in resolve(saved, [EXAMPLES])] == [c.passage.id for c in candidates[:2]]


def test_keys_toggle_themes_choose_role_skip_undo_and_resume(tmp_path: Path) -> None:
    out = tmp_path / "mine.jsonl"
    # 5.1: no themes, then staffing + timeliness, role improvement; 5.2: skipped; 5.3: content, saved, undone,
    # then channels instead; then stop
    result = label(str(REPORT), "--out", str(out), "--annotator", "t", "--order", "document", keys="013b\ns06\nu02\nq")
    assert result.exit_code == 0, result.output
    assert shown_ids(result.output) == ["5.1", "5.2", "5.3", "5.4", "5.3", "5.4"]
    assert [(lb.passage, lb.role, lb.themes) for lb in load_annotations([out])] == [
        ("5.1", "improvement", ("staffing", "timeliness")),
        ("5.3", load_annotations([out])[1].role, ("channels",)),
    ]
    assert "undone: 5.3 is back" in result.output
    # the next session starts with the skipped passage, then the ones after the last answer
    again = label(str(REPORT), "--out", str(out), "--annotator", "t", "--order", "document", keys="s")
    assert again.exit_code == 0, again.output  # the end of the input is Ctrl-D: saved, exit 0
    assert shown_ids(again.output) == ["5.2", "5.4"]


@pytest.mark.parametrize("stop", ["\x03", "\x04", "", "q"])
def test_ctrl_c_ctrl_d_and_q_keep_the_answers_and_exit_0(tmp_path: Path, stop: str) -> None:
    out = tmp_path / "mine.jsonl"
    keys = "1\n" + stop + ("2\n" if stop else "")  # "": the input ends, as Ctrl-D ends a terminal's
    result = label(str(REPORT), "--out", str(out), "--annotator", "t", "--no-suggestions", keys=keys)
    assert result.exit_code == 0, result.output
    assert [lb.themes for lb in load_annotations([out])] == [("staffing",)]
    assert "Aborted" not in result.output and "Traceback" not in result.output


def test_undo_never_cuts_a_file_someone_else_wrote_to(tmp_path: Path) -> None:
    out = tmp_path / "mine.jsonl"
    _, candidates = model_view()
    session = Session(candidates, out, "t")
    session.press("enter")
    with out.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    session.press("u")
    assert "cannot undo" in session.message and len(load_annotations([out])) == 1


def test_an_answer_that_cannot_be_written_keeps_the_passage_on_screen(tmp_path: Path) -> None:
    out = tmp_path / "mine.jsonl"
    _, candidates = model_view()
    session = Session(candidates, out, "t")
    out.mkdir()  # the file cannot be opened for appending any more
    session.press("enter")
    assert "cannot save the answer" in session.message and session.index == 0 and session.added == 0


def test_an_empty_folder_says_so_before_any_theme_list(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = label(str(tmp_path / "in"), "--out", str(tmp_path / "x.jsonl"), "--annotator", "t")
    assert result.exit_code == 1
    assert result.output.startswith("error: no report files in")
    assert "staffing" not in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("case", ["role", "folder", "annotations", "model"])
def test_bad_options_and_files_are_one_line_naming_them(tmp_path: Path, case: str) -> None:
    out = tmp_path / "mine.jsonl"
    args = [str(REPORT), "--out", str(out), "--annotator", "t"]
    if case == "role":
        args += ["--role", "problme"]
        named = "problme"
    elif case == "folder":
        args[2] = str(tmp_path / "nowhere" / "mine.jsonl")
        named = "nowhere"
    elif case == "annotations":
        out.write_text("{not json\n", "utf-8")
        named = f"{out}:1"
    else:
        args += ["--model", str(tmp_path)]
        named = str(tmp_path)
    result = label(*args, keys="q")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], result.output
    assert "Traceback" not in result.output and not out.with_name("x").exists()


# ---- the orders ----


def test_uncertain_order_puts_the_scores_nearest_a_threshold_first(tmp_path: Path) -> None:
    scorer, candidates = model_view()
    thresholds = dict(zip(map(str, scorer.classes_), map(float, scorer.thresholds_), strict=True))
    gaps = {c.passage.id: min(abs(p - thresholds[t]) for t, p in c.scores.items()) for c in candidates}
    result = label(str(REPORT), "--out", str(tmp_path / "m.jsonl"), "--annotator", "t", keys="ssssssssss")
    shown = shown_ids(result.output)
    assert sorted(shown) == sorted(gaps) and [gaps[i] for i in shown] == sorted(gaps.values())
    assert [uncertainty(c, thresholds) for c in order_candidates(candidates, "uncertain", thresholds)] == sorted(
        gaps.values()
    )
    # random: a shuffle, the same one on every resume
    first = order_candidates(candidates, "random", seed=3)
    assert first == order_candidates(candidates, "random", seed=3) and sorted(c.passage.id for c in first) == sorted(
        gaps
    )
    with pytest.raises(OptionError, match="needs a theme model"):
        order_candidates(candidates, "uncertain")


def test_uncertain_order_passes_over_copies_of_labelled_passages(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text = REPORT.read_text("utf-8")
    (folder / "a.txt").write_text(text, "utf-8")
    # the same report again with punctuation and spacing changed: every passage a copy after normalisation
    (folder / "b.txt").write_text(text.replace("。", "；").replace("，", " , "), "utf-8")
    out = tmp_path / "m.jsonl"
    result = label(str(folder), "--out", str(out), "--annotator", "t", keys="\n" * 10 + "q")
    assert result.exit_code == 0, result.output
    docs = [lb.doc for lb in load_annotations([out])]
    assert len(docs) == 10 and "10 passed over as near-duplicates" in result.output
    # in document order nothing is passed over
    again = label(
        str(folder), "--out", str(tmp_path / "d.jsonl"), "--annotator", "t", "--order", "document", keys="s" * 20
    )
    assert len(shown_ids(again.output, "a.txt")) + len(shown_ids(again.output, "b.txt")) == 20


def cjk(low: int, high: int) -> st.SearchStrategy[str]:
    """Texts of 60-200 distinct CJK characters from one block (a passage's 5-grams are nearly all distinct)."""
    chars = st.characters(min_codepoint=low, max_codepoint=high)
    return st.lists(chars, min_size=60, max_size=200, unique=True).map("".join)


@settings(max_examples=60, deadline=None)
@given(
    cjk(0x4E00, 0x6FFF),
    cjk(0x7000, 0x9FFF),
    st.integers(min_value=0, max_value=10_000),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
)
def test_near_duplicates_are_one_changed_character_or_punctuation_away(
    text: str, other: str, at: int, char: str
) -> None:
    seen = NearDuplicates([text])
    i = at % len(text)
    assert text[:i] + char + text[i + 1 :] in seen  # one character changed: at most 5 of 56+ 5-grams differ
    assert "，".join([text[:i], text[i:]]) + " 。" in seen  # punctuation and spaces: equal after normalising
    assert other not in seen  # an unrelated text shares no 5-gram


# ---- the screen, in a real terminal ----


def tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        pytest.skip("tmux is not installed (apt-get install tmux); the full-screen labeller is not tested")
    return found


class Pane:
    """A gkreport command in a detached tmux session of its own (its own server socket)."""

    def __init__(self, tmp_path: Path, command: str) -> None:
        self.tmux = tmux()
        self.socket = str(tmp_path / "tmux.sock")
        # COLUMNS and LINES (set under pytest) would override the pane's size; the pane stays until close()
        env = f"unset COLUMNS LINES && PYTHONPATH={os.environ.get('PYTHONPATH', '')}"
        script = f"cd {ROOT} && {env} {sys.executable} -m gkreport.cli {command}; echo EXIT=$?; sleep 3600"
        subprocess.run([self.tmux, "-S", self.socket, "new-session", "-d", "-x", "120", "-y", "34", script], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run([self.tmux, "-S", self.socket, "send-keys", "-t", "0", *keys], check=True)

    def text(self) -> str:
        return subprocess.run(
            [self.tmux, "-S", self.socket, "capture-pane", "-p", "-t", "0"], check=True, capture_output=True, text=True
        ).stdout

    def wait_for(self, *needles: str) -> str:
        """The screen once it shows every needle, however slowly the command starts (no deadline to race). A
        frame reaches the pane in pieces, top line first: a needle low on the screen says the lines above it
        are drawn."""
        screens = [""]

        def shown() -> bool:
            screens[-1] = self.text()
            return all(needle in screens[-1] for needle in needles)

        wait_for(shown, lambda: f"{needles!r} appeared; the pane shows:\n{screens[-1]}")
        return screens[-1]

    def close(self) -> None:
        subprocess.run([self.tmux, "-S", self.socket, "kill-server"], check=False, capture_output=True)


@pytest.fixture
def pane(tmp_path: Path):
    made: list[Pane] = []

    def start(command: str) -> Pane:
        made.append(Pane(tmp_path, command))
        return made[-1]

    yield start
    for p in made:
        p.close()


@pytest.mark.parametrize("stop", ["C-c", "C-d", "q"])
def test_the_screen_shows_everything_takes_keys_and_saves_on_any_way_out(tmp_path: Path, pane, stop: str) -> None:
    out = tmp_path / "mine.jsonl"
    _, candidates = model_view()
    p = pane(f"label {REPORT} --out {out} --annotator t --order document")
    first = candidates[0]
    screen = p.wait_for("1 of 10", KEYS_HELP)  # the keys' line is the last one drawn on the first screen
    # the report, section and passage, the theme list with its keys and scores, the roles, the keys
    assert f"passage {first.passage.id}" in screen and first.report in screen and first.section in screen
    for number, theme in enumerate(THEME_IDS, 1):
        mark = "■" if theme in first.suggested else "□"
        assert f"{number} {mark} {theme}" in screen
        assert f"{first.scores[theme]:.2f}" in screen
    assert f"{first.passage.role}*" in screen and "a problem" in screen and "u undo" in screen
    assert f"↓ {candidates[1].passage.id}" in screen
    p.keys("0", "2", "Enter")
    screen = p.wait_for("2 of 10", f"↑ {first.passage.id}")  # the second screen drawn over the first
    assert f"passage {candidates[1].passage.id}" in screen
    assert [lb.themes for lb in load_annotations([out])] == [("channels",)]  # on disk before the session ends
    p.keys("s", "u")
    p.wait_for(f"back to skipped {candidates[1].passage.id}")
    p.keys("u")
    p.wait_for(f"undone: {first.passage.id} is back")
    assert not out.read_text("utf-8")
    p.keys("Enter")
    p.wait_for("2 of 10")
    p.keys(stop)
    screen = p.wait_for("EXIT=")
    assert "EXIT=0" in screen and "1 label added" in screen and "Traceback" not in screen
    assert [lb.passage for lb in load_annotations([out])] == [first.passage.id]


# ---- training on a handful of labels ----


def write_labels(path: Path, picks: dict[str, list[str]], written: list[tuple[str, list[str]]] = ()) -> None:
    """Labels for passages of the example report by id, and written passages (our own text)."""
    from gkreport.passages import text_sha1

    by_id = {c.passage.id: c.passage for c in collect([REPORT]).candidates}
    lines = [
        {
            "doc": REPORT.name,
            "passage": pid,
            "sha1": by_id[pid].sha1,
            "role": by_id[pid].role,
            "themes": themes,
            "annotator": "t",
            "date": "2026-12-04",
            "source": "corpus",
        }
        for pid, themes in picks.items()
    ]
    lines += [
        {
            "doc": "written",
            "passage": f"5.{i}",
            "sha1": text_sha1(text),
            "role": "problem",
            "themes": themes,
            "annotator": "t",
            "date": "2026-12-04",
            "source": "written",
            "text": text,
        }
        for i, (text, themes) in enumerate(written, 1)
    ]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")


def test_labels_of_one_report_train_without_cv_and_name_the_themes_never_seen(tmp_path: Path) -> None:
    labels, model = tmp_path / "mine.jsonl", tmp_path / "model"
    write_labels(labels, {"5.1": ["staffing"], "5.2": ["staffing", "channels"], "5.3": ["channels"], "5.4": []})
    result = cli("train", "--annotations", str(labels), "--corpus", str(EXAMPLES), "--out", str(model))
    assert result.exit_code == 0, result.output
    assert "trained without cross-validation: the labels come from 1 report" in result.output
    unseen = [t for t in THEME_IDS if t not in ("staffing", "channels")]
    assert f"warning: no classifier for {', '.join(unseen)}" in result.output
    assert "(4 labelled passages, 2 themes)" in result.output
    card = json.loads((model / "card.json").read_text("utf-8"))
    assert card["labels"] == ["staffing", "channels"] and sorted(card["untrained_themes"]) == sorted(unseen)
    assert card["cv_metrics"] is None and card["n_training_passages"] == 4
    # tag and classify score only the themes the model has a classifier for: never a constant for the rest
    tagged = cli("tag", str(EXAMPLES / "ex02_2023_cells_county.txt"), "--model", str(model))
    assert tagged.exit_code == 0, tagged.output
    records = [json.loads(line) for line in tagged.stdout.splitlines()]
    assert records and all(set(r["scores"]) == {"staffing", "channels"} for r in records)
    assert len({r["scores"]["staffing"] for r in records}) > 1
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": records[0]["text"]}, ensure_ascii=False) + "\n", "utf-8")
    classified = cli("classify", str(source), "--model", str(model))
    assert classified.exit_code == 0 and set(json.loads(classified.stdout)["scores"]) == {"staffing", "channels"}
    db = tmp_path / "r.sqlite"
    batch = cli(
        "batch", str(EXAMPLES / "ex02_2023_cells_county.txt"), "--db", str(db), "--jobs", "1", "--model", str(model)
    )
    assert batch.exit_code == 0, batch.output
    with sqlite3.connect(db) as connection:
        stored = {row[0] for row in connection.execute("SELECT DISTINCT theme FROM passage_themes")}
    assert stored == {"staffing", "channels"}


def test_counts_printed_are_the_passages_used(tmp_path: Path) -> None:
    labels, model = tmp_path / "mine.jsonl", tmp_path / "model"
    write_labels(
        labels,
        {"5.1": ["staffing"], "5.2": ["staffing"], "5.3": []},
        written=[("我们自己写的一段：人员不足，培训不够。", ["staffing"]), ("网站栏目更新不及时。", [])],
    )
    result = cli(
        "train",
        "--annotations",
        str(labels),
        "--corpus",
        str(EXAMPLES),
        "--out",
        str(model),
        "--no-written",
        "--cv",
        "0",
    )
    assert result.exit_code == 0, result.output
    card = json.loads((model / "card.json").read_text("utf-8"))
    assert card["n_training_passages"] == 3 and "(3 labelled passages, 1 themes)" in result.output
    assert "without cross-validation" not in result.output  # --cv 0 asked for none


def test_labels_no_theme_can_be_learnt_from_are_refused_in_one_line(tmp_path: Path) -> None:
    labels = tmp_path / "mine.jsonl"
    write_labels(labels, {"5.1": ["staffing"], "5.2": ["staffing"]})
    result = cli("train", "--annotations", str(labels), "--corpus", str(EXAMPLES), "--out", str(tmp_path / "m"))
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "can be learnt" in result.output
    assert result.output.startswith(f"error: {labels}: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", ["missing", "unresolved", "cv", "out", "evaluate"])
def test_train_and_evaluate_errors_are_one_line_each(tmp_path: Path, case: str) -> None:
    labels = tmp_path / "mine.jsonl"
    write_labels(labels, {"5.1": ["staffing"], "5.2": []})
    args = ["train", "--annotations", str(labels), "--corpus", str(EXAMPLES), "--out", str(tmp_path / "m")]
    named = {
        "missing": "none.jsonl",
        "unresolved": f"{labels}:1",
        "cv": "--cv",
        "out": "m is a file, not a folder",
        "evaluate": f"{labels}: need passages from at least 2 report groups",
    }[case]
    if case == "missing":
        args[2] = str(tmp_path / "none.jsonl")
    elif case == "unresolved":
        args[4] = str(tmp_path)  # the report is not there
    elif case == "cv":
        args += ["--cv", "-1"]
    elif case == "out":
        (tmp_path / "m").write_text("a file where the model folder should go", "utf-8")
    else:
        args = ["evaluate", "themes", *args[1:5]]
    result = cli(*args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.strip().splitlines() if not line.startswith(("note:", "warning:"))]
    assert all(line.startswith("error: ") for line in lines) and "Traceback" not in result.output
    assert named in lines[0], result.output


@pytest.mark.slow
def test_labels_from_two_reports_are_cross_validated_and_each_fold_is_told(tmp_path: Path) -> None:
    from gkreport.annotations import make_label
    from gkreport.themes.training import train_on_labels

    reports = [REPORT, EXAMPLES / "ex02_2023_cells_county.txt"]
    records = [
        make_label(c.passage, [("staffing", "channels")[i % 2]], "t") for i, c in enumerate(collect(reports).candidates)
    ]
    labels = tmp_path / "mine.jsonl"
    labels.write_text("".join(json.dumps(r.to_record()) + "\n" for r in records), "utf-8")
    told: list[tuple[int, int, str]] = []
    run = train_on_labels(
        "linear", resolve(load_annotations([labels]), [EXAMPLES]), cv=5, progress=lambda *step: told.append(step)
    )
    assert run.cv is not None and run.cv.n_splits == 2 and run.cv_skipped is None
    *folds, training, trained = told
    assert training == (0, 1, f"training on {len(run.used)} passages") and trained == (1, 1, "trained")
    # the honest CV and its learning curve: one step per fold, counted up to a fixed total
    assert folds and [done for done, _, _ in folds] == list(range(len(folds)))
    assert {total for _, total, _ in folds} == {len(folds)}
    assert any("fold 1/2" in what for _, _, what in folds) and any("fold 2/2" in what for _, _, what in folds)
    result = cli("train", "--annotations", str(labels), "--corpus", str(EXAMPLES), "--out", str(tmp_path / "m"))
    assert result.exit_code == 0 and "from 2 reports (2 folds)" in result.output, result.output
