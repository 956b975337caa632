"""Theme classifiers, grouped CV, model card. Texts here are invented; real reports are never copied."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from gkreport.annotations import LabelledPassage, load_annotations, resolve
from gkreport.errors import AnnotationError, ConfigError, ModelError, OptionError
from gkreport.passages import text_sha1
from gkreport.themes import THEME_IDS
from gkreport.themes.base import best_threshold, grouped_splits, matrix_to_themes, themes_to_matrix
from gkreport.themes.card import (
    CARD_FILE,
    MODEL_FILE,
    SCORER_FILE,
    load_model,
    load_scorer,
    save_model,
    training_data_hash,
)
from gkreport.themes.features import JiebaTokenizer
from gkreport.themes.keyword import KeywordThemeClassifier
from gkreport.themes.linear import LinearThemeClassifier, OneVsRestCalibrated
from gkreport.themes.scoring import TfidfBlock
from gkreport.themes.spacy_textcat import SpacyThemeClassifier
from gkreport.themes.training import cross_validate, make_model, train

THREE = ("staffing", "timeliness", "channels")
CUES = {
    "staffing": ["工作人员", "培训/轮训", "业务培训"],
    "timeliness": ["不及时", "滞后"],
    "channels": ["网站", "公众号"],
}

# Invented mini-corpus: (text, themes), six "reports" of four passages each.
SMALL = [
    ("工作人员少，业务能力不足。", ["staffing"]),
    ("信息发布滞后，更新不及时。", ["timeliness"]),
    ("网站栏目单一，公众号很少推送。", ["channels"]),
    ("加强培训，提升队伍水平。", ["staffing"]),
    ("兼职人员多，缺少专业培训。", ["staffing"]),
    ("动态信息上网慢，时效性差。", ["timeliness"]),
    ("增设公众号专栏，丰富发布渠道。", ["channels"]),
    ("工作人员变动导致更新滞后。", ["staffing", "timeliness"]),
    ("开展业务轮训，提高工作人员能力。", ["staffing"]),
    ("门户网站改版，优化栏目设置。", ["channels"]),
    ("建立提醒，确保及时更新。", ["timeliness"]),
    ("网站信息更新不及时。", ["timeliness", "channels"]),
    ("人手不足，专职人员缺乏。", ["staffing"]),
    ("通过短视频和公众号发布政策。", ["channels"]),
    ("会议信息公开滞后。", ["timeliness"]),
    ("组织业务培训两次。", ["staffing"]),
    ("新媒体账号运营薄弱，网站访问量低。", ["channels"]),
    ("答复期限把握不严，发布时间拖后。", ["timeliness"]),
    ("培训覆盖面不广，工作人员水平参差。", ["staffing"]),
    ("公众号和网站同步推送。", ["channels"]),
    ("各科室报送材料迟缓，信息滞后。", ["timeliness"]),
    ("选派骨干参加培训。", ["staffing"]),
    ("政务公开栏陈旧，网站检索不便。", ["channels"]),
    ("部分栏目长期未更新，不及时。", ["timeliness"]),
]
SMALL_X = [t for t, _ in SMALL]
SMALL_Y = themes_to_matrix((th for _, th in SMALL), THREE)
SMALL_GROUPS = [f"report-{i // 4}" for i in range(len(SMALL))]


def small_models() -> dict[str, object]:
    return {
        "keyword": KeywordThemeClassifier(cues=CUES, themes=THREE),
        "linear": LinearThemeClassifier(themes=THREE, calibration_cv=2, min_calibration_count=4),
        "spacy": SpacyThemeClassifier(themes=THREE, epochs=8),
    }


def labelled(source: str = "corpus") -> list[LabelledPassage]:
    out = []
    for i, (text, themes) in enumerate(SMALL):
        out.append(
            LabelledPassage(
                doc=f"{source}-{i // 4}",
                passage=f"5.{i % 4 + 1}",
                sha1=text_sha1(text),
                role="problem",
                themes=tuple(themes),
                source=source,
                group=f"{source}-{i // 4}",
                text=text,
            )
        )
    return out


@pytest.fixture(scope="module")
def fitted() -> dict[str, object]:
    return {
        name: model.fit(SMALL_X, SMALL_Y, groups=SMALL_GROUPS)  # type: ignore[attr-defined]
        for name, model in small_models().items()
    }


# ---- imports stay light ----------------------------------------------------------------------------------


def test_importing_themes_does_not_import_sklearn_or_spacy() -> None:
    code = (
        "import sys, gkreport.themes, gkreport.annotations, gkreport.themes.taxonomy;"
        "assert gkreport.themes.THEME_IDS[0] == 'staffing';"
        "print(sorted(m for m in ('sklearn', 'spacy', 'thinc', 'jieba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lazy_names_resolve() -> None:
    import gkreport.themes as themes

    assert themes.KeywordThemeClassifier is KeywordThemeClassifier
    assert themes.load_model is load_model
    with pytest.raises(AttributeError):
        _ = themes.NoSuchThing  # type: ignore[attr-defined]


# ---- shared helpers --------------------------------------------------------------------------------------


def test_label_matrix_round_trip_and_unknown_theme() -> None:
    matrix = themes_to_matrix([["content", "staffing"], []])
    assert matrix.shape == (2, len(THEME_IDS))
    assert matrix_to_themes(matrix) == [["staffing", "content"], []]
    with pytest.raises(ValueError, match="unknown theme id 'budget'"):
        themes_to_matrix([["budget"]])


def test_best_threshold_maximises_f1() -> None:
    y = np.array([0, 0, 1, 1, 1])
    assert best_threshold(y, np.array([0.1, 0.15, 0.22, 0.3, 0.4])) == pytest.approx(0.2)  # the only F1=1 cut
    # several perfect cuts: the one nearest 0.5 wins
    assert best_threshold(y, np.array([0.1, 0.2, 0.6, 0.7, 0.9])) == pytest.approx(0.5)
    assert best_threshold(np.zeros(3), np.array([0.9, 0.1, 0.5])) == 0.5  # no positives: default


def test_grouped_splits_never_share_a_report() -> None:
    splits = grouped_splits(SMALL_Y, SMALL_GROUPS, n_splits=3, seed=1)
    assert len(splits) == 3
    covered = np.concatenate([test for _, test in splits])
    assert sorted(covered.tolist()) == list(range(len(SMALL)))
    for train_idx, test_idx in splits:
        assert not {SMALL_GROUPS[i] for i in train_idx} & {SMALL_GROUPS[i] for i in test_idx}
    assert grouped_splits(SMALL_Y, ["one"] * len(SMALL), n_splits=3) == []


# ---- the estimator contract, for each model -------------------------------------------------------------


@pytest.mark.parametrize("name", ["keyword", "linear", "spacy"])
def test_estimator_contract(name: str, fitted: dict[str, object]) -> None:
    template = small_models()[name]
    params = template.get_params()  # type: ignore[attr-defined]
    assert not any(k.endswith("_") for k in vars(template)), "__init__ must only store parameters"
    twin = clone(template)
    assert twin.get_params() == params and twin is not template
    model = fitted[name]
    proba = model.predict_proba(SMALL_X[:5])  # type: ignore[attr-defined]
    assert proba.shape == (5, 3) and np.all((proba >= 0) & (proba <= 1))
    pred = model.predict(SMALL_X[:5])  # type: ignore[attr-defined]
    assert set(np.unique(pred)) <= {0, 1}
    assert np.array_equal(pred, (proba >= model.thresholds_).astype(int))  # type: ignore[attr-defined]
    assert list(model.classes_) == list(THREE)  # type: ignore[attr-defined]
    assert model.thresholds_.shape == (3,)  # type: ignore[attr-defined]
    assert clone(model).get_params() == params  # cloning a fitted model gives an unfitted twin
    assert not hasattr(clone(model), "thresholds_")


@pytest.mark.parametrize("name", ["linear", "spacy"])
def test_learned_models_fit_their_training_data(name: str, fitted: dict[str, object]) -> None:
    # Not a quality claim: a model that cannot even fit 24 easy sentences is broken plumbing.
    assert fitted[name].score(SMALL_X, SMALL_Y) > 0.7  # type: ignore[attr-defined]


def test_keyword_counts_nested_cue_once_and_shared_cue_for_both() -> None:
    model = KeywordThemeClassifier(
        cues={"staffing": ["培训", "业务培训"], "engagement": ["培训", "宣传"]}, themes=("staffing", "engagement")
    ).fit(["x"])
    hits = model.cue_hits(["开展业务培训", "组织培训", "宣传", "无关内容"])
    # "业务培训" blanks the inner "培训"; a bare "培训" counts for both themes that list it
    assert hits.tolist() == [[1, 0], [1, 1], [0, 1], [0, 0]]
    assert model.predict_proba(["开展业务培训"])[0, 0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no cue phrases"):
        KeywordThemeClassifier(cues={"staffing": ["培训"]}, themes=("staffing", "channels")).fit(["x"])


def test_keyword_splits_slash_alternatives_and_normalises() -> None:
    model = KeywordThemeClassifier(
        cues={"staffing": ["专职/兼职"], "channels": ["APP"]}, themes=("staffing", "channels")
    ).fit(["x"])
    assert model.cues_["staffing"] == ("专职", "兼职")
    assert model.predict(["只有兼职人员", "推出ＡＰＰ"]).tolist() == [[1, 0], [0, 1]]


def test_one_vs_rest_falls_back_for_rare_themes() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(analyzer="char").fit_transform(SMALL_X)
    Y = np.zeros((len(SMALL), 3), dtype=int)
    Y[:, 0] = SMALL_Y[:, 0]  # staffing: 9 positives -> calibrated
    Y[[0, 3], 1] = 1  # 2 positives -> too few to calibrate
    # column 2 left empty -> constant
    clf = OneVsRestCalibrated(calibration_cv=3, min_calibration_count=6).fit(X, Y)
    assert clf.strategies_ == ["calibrated", "logistic", "constant"]
    proba = clf.predict_proba(X)
    assert np.all(proba[:, 2] == 0.0)
    assert proba[Y[:, 0] == 1, 0].mean() > proba[Y[:, 0] == 0, 0].mean()


def test_linear_thresholds_come_from_inner_cv(fitted: dict[str, object]) -> None:
    model = fitted["linear"]
    assert all(0.05 <= t <= 0.95 for t in model.thresholds_)  # type: ignore[attr-defined]
    no_inner = LinearThemeClassifier(themes=THREE, threshold_cv=0).fit(SMALL_X, SMALL_Y)
    assert no_inner.thresholds_.tolist() == [0.5, 0.5, 0.5]


def test_one_vs_rest_takes_one_C_per_column_and_refuses_a_wrong_count() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(analyzer="char").fit_transform(SMALL_X)
    loose = OneVsRestCalibrated(C=(100.0, 1.0, 1.0), calibration_cv=2, min_calibration_count=4).fit(X, SMALL_Y)
    tight = OneVsRestCalibrated(C=(0.001, 1.0, 1.0), calibration_cv=2, min_calibration_count=4).fit(X, SMALL_Y)
    weights = [np.abs(m.head().weights[:, :2]).sum() for m in (loose, tight)]  # staffing's two folds
    assert weights[0] > 10 * weights[1]
    assert np.array_equal(loose.head().weights[:, 2:], tight.head().weights[:, 2:])  # other columns alike
    with pytest.raises(ValueError, match="one per label column"):
        OneVsRestCalibrated(C=(1.0, 1.0)).fit(X, SMALL_Y)


def test_C_per_theme_comes_from_the_grid_by_inner_cv() -> None:
    model = LinearThemeClassifier(themes=THREE, calibration_cv=2, min_calibration_count=4, C_grid=(0.1, 1.0, 10.0))
    model.fit(SMALL_X, SMALL_Y, groups=SMALL_GROUPS)  # fit checks the numpy scorer against scikit-learn
    assert len(model.C_) == 3 and set(model.C_.tolist()) <= {0.1, 1.0, 10.0}
    assert model.pipeline_[-1].C == tuple(model.C_)
    plain = LinearThemeClassifier(themes=THREE, calibration_cv=2, min_calibration_count=4, C=2.0)
    assert plain.fit(SMALL_X, SMALL_Y, groups=SMALL_GROUPS).C_.tolist() == [2.0, 2.0, 2.0]


def test_linear_works_inside_grid_search() -> None:
    search = GridSearchCV(LinearThemeClassifier(themes=THREE, threshold_cv=0), {"C": [0.5, 2.0]}, cv=2)
    search.fit(SMALL_X, SMALL_Y)
    assert search.best_params_["C"] in (0.5, 2.0)


def test_spacy_is_deterministic_with_a_seed() -> None:
    a = SpacyThemeClassifier(themes=THREE, epochs=3, threshold_cv=0).fit(SMALL_X, SMALL_Y)
    b = SpacyThemeClassifier(themes=THREE, epochs=3, threshold_cv=0).fit(SMALL_X, SMALL_Y)
    assert np.allclose(a.predict_proba(SMALL_X), b.predict_proba(SMALL_X))


# ---- save / load and the model card ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["keyword", "linear", "spacy"])
def test_save_load_round_trip(name: str, fitted: dict[str, object], tmp_path: Path) -> None:
    model = fitted[name]
    data = labelled()
    card_path = save_model(model, tmp_path / name, {"cv_metrics": {"micro_f1": 0.5}}, data=data, model_kind=name)
    card = json.loads(card_path.read_text(encoding="utf-8"))
    assert card["labels"] == list(THREE) and card["model_kind"] == name
    assert card["thresholds"] == dict(zip(THREE, map(float, model.thresholds_), strict=True))  # type: ignore
    assert card["training_data_sha256"] == training_data_hash(data)
    assert card["cv_metrics"] == {"micro_f1": 0.5}
    assert {"version", "created", "model_sha256"} <= set(card)
    loaded = load_model(tmp_path / name)
    assert np.allclose(loaded.predict_proba(SMALL_X), model.predict_proba(SMALL_X))  # type: ignore


def test_saved_spacy_model_loads_in_a_fresh_process(fitted: dict[str, object], tmp_path: Path) -> None:
    save_model(fitted["spacy"], tmp_path)
    code = (
        "import sys; from gkreport.themes.card import load_model;"
        f"m = load_model(sys.argv[1]); print(m.predict_proba([{SMALL_X[0]!r}]).round(6).tolist())"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    expected = fitted["spacy"].predict_proba([SMALL_X[0]]).round(6).tolist()  # type: ignore[attr-defined]
    assert np.allclose(json.loads(out.stdout), expected, atol=1e-5)


def test_tampered_model_file_is_refused(fitted: dict[str, object], tmp_path: Path) -> None:
    save_model(fitted["keyword"], tmp_path)
    with (tmp_path / MODEL_FILE).open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match=f"model file {MODEL_FILE} does not match its card"):
        load_model(tmp_path)


def test_card_with_wrong_hash_is_refused(fitted: dict[str, object], tmp_path: Path) -> None:
    save_model(fitted["keyword"], tmp_path)
    card = json.loads((tmp_path / CARD_FILE).read_text(encoding="utf-8"))
    card["model_sha256"] = "0" * 64
    (tmp_path / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="does not match its card: sha256 is [0-9a-f]{64}, card says 0{64}"):
        load_model(tmp_path)


def test_card_errors(fitted: dict[str, object], tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model card is missing"):
        load_model(tmp_path)
    with pytest.raises(ValueError, match="may not overwrite"):
        save_model(fitted["keyword"], tmp_path, {"model_sha256": "x"})
    with pytest.raises(ValueError, match="fitted"):
        save_model(KeywordThemeClassifier(), tmp_path)


# ---- the numpy scorer that tagging loads ------------------------------------------------------------------

# Unseen words, an empty passage, runs of white space and full-width digits: the edges of TF-IDF.
UNSEEN = ["新媒体  平台\n\n栏目更新不够及时", "", "   ", "依申请公开答复１２件，培训2次。", SMALL_X[0] * 3]


def test_scorer_gives_scikit_learns_probabilities(fitted: dict[str, object]) -> None:
    model = fitted["linear"]
    texts = SMALL_X + UNSEEN
    pipeline = model.pipeline_  # type: ignore[attr-defined]
    per_model = pipeline[-1].predict_proba_per_model(pipeline[:-1].transform(texts))
    ours = model.inference_scorer().predict_proba(texts)  # type: ignore[attr-defined]
    assert np.max(np.abs(ours - per_model)) <= 1e-9
    assert np.max(np.abs(ours - pipeline.predict_proba(texts))) <= 1e-9
    assert np.array_equal(model.predict_proba(texts), ours)  # type: ignore[attr-defined]


def test_scorer_scores_in_chunks_and_checks_its_input(
    fitted: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gkreport.themes.scoring as scoring

    scorer = fitted["linear"].inference_scorer()  # type: ignore[attr-defined]
    texts = UNSEEN + SMALL_X
    whole = scorer.predict_proba(texts)
    monkeypatch.setattr(scoring, "CHUNK", 3)  # chunk edges fall inside and at the end of the list
    assert np.max(np.abs(scorer.predict_proba(texts) - whole)) <= 1e-15
    assert np.array_equal(scorer.predict_proba(iter(texts)), scorer.predict_proba(texts))
    for bad in ("工作人员", [None], [b"x"]):
        with pytest.raises(ValueError, match="X must"):
            scorer.predict_proba(bad)


def test_thresholds_set_after_fitting_reach_the_saved_scorer(tmp_path: Path) -> None:
    model = LinearThemeClassifier(themes=THREE, threshold_cv=0).fit(SMALL_X, SMALL_Y)
    model.predict_proba(SMALL_X)  # builds the scorer with the fitted thresholds
    model.thresholds_ = np.array([0.4, 0.3, 0.2])
    save_model(model, tmp_path)
    assert load_scorer(tmp_path).thresholds_.tolist() == [0.4, 0.3, 0.2]


def test_refitting_one_vs_rest_scores_with_the_new_models() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(analyzer="char").fit_transform(SMALL_X)
    clf = OneVsRestCalibrated(calibration_cv=2, min_calibration_count=4).fit(X, SMALL_Y)
    clf.predict_proba(X)
    clf.fit(X, SMALL_Y[:, ::-1])
    assert np.max(np.abs(clf.predict_proba(X) - clf.predict_proba_per_model(X))) <= 1e-12


def test_scorer_of_a_model_with_only_constant_themes() -> None:
    model = LinearThemeClassifier(themes=THREE, threshold_cv=0).fit(SMALL_X, np.zeros_like(SMALL_Y))
    assert model.strategies_ == ["constant"] * 3
    assert np.array_equal(model.predict_proba(UNSEEN), np.zeros((len(UNSEEN), 3)))


def test_fit_fails_when_the_scorer_drifts_from_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    import gkreport.themes.scoring as scoring

    # as if a scikit-learn release changed how it cleans text before char n-grams
    monkeypatch.setattr(scoring, "_WHITE_SPACES", re.compile("工作"))
    with pytest.raises(RuntimeError, match="differs from scikit-learn by"):
        LinearThemeClassifier(themes=THREE, threshold_cv=0).fit(SMALL_X, SMALL_Y)


def test_scorer_refuses_vectorizers_it_cannot_reproduce() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    with pytest.raises(ValueError, match="lowercase"):
        TfidfBlock.from_vectorizer(TfidfVectorizer(analyzer="char").fit(SMALL_X), 0)
    with pytest.raises(ValueError, match="tokenizer"):
        TfidfBlock.from_vectorizer(TfidfVectorizer(lowercase=False, sublinear_tf=True).fit(SMALL_X), 0)


def test_saved_scorer_needs_no_scikit_learn(fitted: dict[str, object], tmp_path: Path) -> None:
    card = json.loads(save_model(fitted["linear"], tmp_path).read_text(encoding="utf-8"))
    assert card["scorer_file"] == SCORER_FILE and len(card["scorer_sha256"]) == 64
    code = (
        "import json, sys; from gkreport.themes.card import load_scorer; s = load_scorer(sys.argv[1]);"
        "p = s.predict_proba(json.loads(sys.argv[2])).tolist();"
        "print(json.dumps([p, list(s.classes_), sorted(m for m in ('sklearn', 'scipy') if m in sys.modules)]))"
    )
    texts = SMALL_X[:3] + UNSEEN
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), json.dumps(texts)], capture_output=True, text=True, check=True
    )
    proba, classes, heavy = json.loads(out.stdout)
    assert heavy == [] and classes == list(THREE)
    assert np.max(np.abs(np.array(proba) - fitted["linear"].predict_proba(texts))) <= 1e-12  # type: ignore


def test_tampered_scorer_is_refused_and_other_models_have_none(fitted: dict[str, object], tmp_path: Path) -> None:
    save_model(fitted["linear"], tmp_path)
    with (tmp_path / SCORER_FILE).open("ab") as handle:
        handle.write(b"\0")
    for load in (load_scorer, load_model):
        with pytest.raises(ModelError, match=f"model file {SCORER_FILE} does not match its card"):
            load(tmp_path)
    save_model(fitted["keyword"], tmp_path)  # over the linear model: its scorer must go too
    card = json.loads((tmp_path / CARD_FILE).read_text(encoding="utf-8"))
    assert "scorer_file" not in card and not (tmp_path / SCORER_FILE).exists()
    assert isinstance(load_scorer(tmp_path), KeywordThemeClassifier)


def test_jieba_dictionary_read_whole_is_jiebas_own() -> None:
    """`WholeFileMarshal` only changes how jieba reads its cache: same dictionary, same words."""
    code = (
        "import json, logging, sys, jieba; jieba.setLogLevel(logging.WARNING);"
        "from gkreport.themes.features import WholeFileMarshal, zh_tokenizer_nlp;"
        "zh_tokenizer_nlp() if sys.argv[1] == 'ours' else jieba.initialize();"
        "words = jieba.lcut('政府信息公开工作人员业务能力不足，依申请公开答复不够规范。');"
        "print(json.dumps([len(jieba.dt.FREQ), jieba.dt.total, words, jieba.marshal is WholeFileMarshal]))"
    )
    runs = {
        way: json.loads(
            subprocess.run([sys.executable, "-c", code, way], capture_output=True, text=True, check=True).stdout
        )
        for way in ("jieba", "ours")
    }
    assert runs["ours"][:3] == runs["jieba"][:3] and runs["jieba"][0] > 300_000
    assert runs["ours"][3] and not runs["jieba"][3]


# Characters where spaCy's lexical attributes decide: numerals, signs, separators, punctuation, spaces.
_TOKEN_EDGE_CASES = (
    "一二三四五六七八九十百千万亿兆零〇廿壹贰拾佰仟两第个年月日%.,，。/+-±~ \u3000\t\n\r"
    "0123456789１２３abcAB公开信息依申请（）《》、；：“”…—·"
)


def _spacy_and_direct_words(texts: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """(text, JiebaTokenizer's words through spaCy, `segmented_words`) where they differ, for both settings."""
    from gkreport.themes.features import segmented_words

    return [
        (text, JiebaTokenizer(keep)(text), segmented_words(text, keep))
        for keep in (False, True)
        for text in texts
        if JiebaTokenizer(keep)(text) != segmented_words(text, keep)
    ]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_TOKEN_EDGE_CASES, max_size=40))
def test_inference_words_are_spacys_on_edge_characters(text: str) -> None:
    """Scoring tokenises with jieba alone; training through spaCy's zh tokenizer: the words must be the same."""
    assert _spacy_and_direct_words([text]) == []


def test_inference_words_are_spacys_on_every_passage() -> None:
    """The same check on every section and passage of the examples and, where present, the real reports and
    web passages of ../shared (read at run time)."""
    from gkreport.passages import split_passages
    from gkreport.readers import read
    from gkreport.records import iter_paths
    from gkreport.segment import segment

    folders = [ROOT / "corpora" / "examples"] + [
        SHARED / name for name in ("seeds", "corpus") if (SHARED / name).is_dir()
    ]
    texts: list[str] = []
    for path in iter_paths(folders):
        report = segment(read(path))
        texts += [s.text for s in report.sections if s.text] + [p.text for p in split_passages(report)]
    web = SHARED / "corpus" / "web" / "passages.jsonl"
    if web.is_file():
        texts += [json.loads(line)["text"] for line in web.read_text(encoding="utf-8").splitlines() if line]
    assert len(texts) > 100
    assert _spacy_and_direct_words(texts) == []


def test_training_data_hash_ignores_order_but_not_labels() -> None:
    data = labelled()
    assert training_data_hash(data) == training_data_hash(list(reversed(data)))
    changed = [
        *data[:-1],
        LabelledPassage(**{**{f: getattr(data[-1], f) for f in data[-1].__slots__}, "themes": ("staffing",)}),
    ]
    assert training_data_hash(changed) != training_data_hash(data)


# ---- cross-validation -----------------------------------------------------------------------------------


def test_cross_validate_tests_on_real_passages_only() -> None:
    real, written = labelled("corpus"), labelled("written")
    models = {"keyword": KeywordThemeClassifier(cues=CUES)}
    # keyword needs all nine themes' cues for the default column order
    models["keyword"].set_params(cues={t: CUES.get(t, ["(none)"]) for t in THEME_IDS})
    with_written = cross_validate(models, real + written, n_splits=3)
    without = cross_validate(models, real + written, n_splits=3, include_written=False)
    assert with_written.tested_on == "real" and with_written.n_test_passages == len(real)
    assert with_written.n_written_in_training == len(written) and without.n_written_in_training == 0
    assert [n for n, _ in with_written.fold_sizes] == [n + len(written) for n, _ in without.fold_sizes]
    assert sum(n for _, n in with_written.fold_sizes) == len(real)
    only_written = cross_validate(models, written, n_splits=3)
    assert only_written.tested_on == "written"


def test_cross_validate_scores_and_same_folds_for_all_models() -> None:
    data = labelled()
    report = cross_validate(small_models_nine(), data, n_splits=3)
    assert set(report.models) == {"keyword", "linear"}
    for scores in report.models.values():
        assert 0.0 <= scores.micro_f1 <= 1.0 and 0.0 <= scores.macro_f1 <= 1.0
        assert len(scores.fold_micro_f1) == 3 and scores.n_predicted == len(data)
        assert scores.per_theme["staffing"]["support"] == int(SMALL_Y[:, 0].sum())
        assert set(scores.no_support) == set(THEME_IDS) - set(THREE)
    assert "| staffing |" in report.to_markdown()
    with pytest.raises(AnnotationError, match="at least 2 reports"):
        cross_validate(small_models_nine(), [d for d in data if d.group == "corpus-0"])


def small_models_nine() -> dict[str, object]:
    return {
        "keyword": KeywordThemeClassifier(cues={t: CUES.get(t, ["(none)"]) for t in THEME_IDS}),
        "linear": LinearThemeClassifier(threshold_cv=2, calibration_cv=2, min_calibration_count=4),
    }


def test_make_model_names() -> None:
    assert type(make_model("linear", C=2.0)).__name__ == "LinearThemeClassifier"
    with pytest.raises(OptionError, match="unknown model"):
        make_model("bert")


# ---- end to end on our written passages ---------------------------------------------------------------


def test_packaged_taxonomy_feeds_the_keyword_baseline(tmp_path: Path) -> None:
    from gkreport.themes.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    assert [t.id for t in taxonomy.themes] == list(THEME_IDS)
    assert all(cues for cues in taxonomy.cues().values())
    assert all("/" not in cue for cues in taxonomy.cues().values() for cue in cues)
    model = KeywordThemeClassifier().fit(["x"])
    assert model.cues_ == taxonomy.cues()
    bad = tmp_path / "taxonomy.json"
    only_one = {"version": "x", "themes": [{"id": "staffing", "cues": ["培训"]}]}
    bad.write_text(json.dumps(only_one), encoding="utf-8")
    with pytest.raises(ConfigError, match="differ from the expected"):
        load_taxonomy(bad)


@pytest.mark.slow
def test_train_and_evaluate_end_to_end_on_written_passages(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Runs everything a real labelling round will run; prints the numbers (they only prove the plumbing)."""
    data = resolve(load_annotations([ROOT / "annotations" / "written.jsonl"]), [])
    assert len(data) >= 60
    names = ["keyword", "linear", "spacy"]
    started = time.perf_counter()
    report = cross_validate(names, data, n_splits=5)
    cv_seconds = time.perf_counter() - started
    assert report.tested_on == "written" and report.n_splits == 5
    for scores in report.models.values():
        assert scores.n_predicted == len(data)
        assert all(s["support"] > 0 for s in scores.per_theme.values())
    # The learned models must beat predicting nothing (micro F1 0) on held-out reports.
    assert report.models["linear"].micro_f1 > 0.2 and report.models["spacy"].micro_f1 > 0.2
    started = time.perf_counter()
    model = train("linear", data)
    train_seconds = time.perf_counter() - started
    save_model(model, tmp_path, {"cv_metrics": report.summary("linear")}, data=data, model_kind="linear")
    loaded = load_model(tmp_path)
    assert np.array_equal(loaded.predict([d.text for d in data]), model.predict([d.text for d in data]))
    with capsys.disabled():
        print(f"\n{report.to_markdown()}\nCV wall time {cv_seconds:.1f}s; final linear train {train_seconds:.1f}s")


# ---- the honest score: shared text merged into one group, each text once ---------------------------------


def _passage(
    doc: str, text: str, themes: tuple[str, ...] = ("staffing",), role: str = "problem", source: str = "corpus"
) -> LabelledPassage:
    return LabelledPassage(
        doc=doc,
        passage="5.1",
        sha1=text_sha1(text),
        role=role,
        themes=themes,
        source=source,
        group=doc,
        text=text,
        split_role=role,
    )


BASE_TEXT = (
    "部分栏目长期未更新，会议信息发布滞后，工作人员对发布流程不熟悉，审核环节较多，"
    "群众反映查找文件困难，公开目录编制不够细致，部分事项的公开时限没有明确。"
)


def test_text_key_ignores_layout_and_punctuation() -> None:
    from gkreport.themes.honest import text_key

    assert text_key("信息更新\n不及时，\u3000栏目空白。") == text_key("信息更新不及时 栏目空白")
    assert text_key("信息更新不及时 栏目空白") == "信息更新不及时栏目空白"
    assert text_key("ＡＢＣ１２") == text_key("ABC12")


@given(st.integers(0, len(BASE_TEXT) - 1), st.sampled_from("的了和与及并"))
@settings(max_examples=30, deadline=None)
def test_one_changed_character_is_a_near_copy(at: int, char: str) -> None:
    """One character changed in 75 removes at most 5 of 71 shingles: Jaccard ≥ 66/76 > 0.8."""
    from gkreport.themes.honest import near_copy_pairs

    variant = BASE_TEXT[:at] + char + BASE_TEXT[at + 1 :]
    assert near_copy_pairs([BASE_TEXT, variant, "对外宣传的力度不够，群众知晓率较低。"]) == [(0, 1)]


def test_near_copy_threshold_is_jaccard_of_five_grams() -> None:
    from gkreport.themes.honest import near_copy_pairs, shingles

    half = BASE_TEXT[: len(BASE_TEXT) // 2] + "对外宣传的力度不够，群众知晓率较低，意见征集渠道不畅通。"
    a, b = shingles(BASE_TEXT), shingles(half)
    jaccard = len(a & b) / len(a | b)
    assert 0.2 < jaccard < 0.8
    assert near_copy_pairs([BASE_TEXT, half]) == []
    assert near_copy_pairs([BASE_TEXT, half], threshold=jaccard) == [(0, 1)]


def test_groups_sharing_text_merge_transitively() -> None:
    from gkreport.themes.honest import merge_groups

    data = [
        _passage("a", BASE_TEXT),
        _passage("b", BASE_TEXT + "。"),
        _passage("b", "公开意识有待增强。"),
        _passage("c", "公开意识有待增强"),
        _passage("d", "依申请答复文书不规范。"),
    ]
    groups = [d.group for d in merge_groups(data)]
    assert groups[0] == groups[1] == groups[2] == groups[3] == "a" and groups[4] == "d"


def test_dedupe_keeps_one_copy_and_reports_conflicts() -> None:
    from gkreport.themes.honest import dedupe, honest_data

    data = [
        _passage("a", BASE_TEXT, ("timeliness",)),
        _passage("b", BASE_TEXT, ("timeliness", "staffing")),
        _passage("c", BASE_TEXT, ("timeliness",)),
        _passage("d", "公开意识有待增强。", ("awareness",)),
        _passage("e", "公开意识有待增强。", ("awareness",)),
    ]
    kept, conflicts = dedupe(data)
    assert [d.doc for d in kept] == ["a", "d"]
    assert kept[0].themes == ("timeliness",)  # staffing: 1 copy of 3, under half
    assert len(conflicts) == 1 and conflicts[0].merged_themes == ("timeliness",)
    assert "b#5.1 problem ['timeliness', 'staffing']" in conflicts[0].describe()
    tie, _ = dedupe(data[:2])
    assert tie[0].themes == ("staffing", "timeliness")  # a tie keeps the theme
    summary = honest_data(data).summary()
    assert summary["n_distinct_texts"] == 2 and summary["n_merged_groups"] == 2
    assert summary["n_report_groups"] == 5 and summary["n_label_conflicts"] == 1


def _copied_corpus() -> list[LabelledPassage]:
    """SMALL as eight reports, the last two repeating texts of the first ones (as 平潭 bodies do)."""
    data = [_passage(f"r{i // 4}", text, tuple(themes)) for i, (text, themes) in enumerate(SMALL)]
    data += [
        _passage("r6", SMALL[0][0], tuple(SMALL[0][1])),
        _passage("r6", "信息公开宣传不够，知晓率低。", ()),
        _passage("r7", SMALL[5][0] + "。", tuple(SMALL[5][1])),
        _passage("r7", "下一步将做好以下工作：", (), role="other"),
    ]
    return data


def test_honest_cv_never_tests_a_text_that_training_saw(monkeypatch: pytest.MonkeyPatch) -> None:
    from gkreport.themes import comparison
    from gkreport.themes.honest import honest_data, text_key

    seen: list[tuple[set[str], set[str]]] = []
    real_fit = comparison._fit

    def spy(model: object, texts: list[str], Y: np.ndarray, groups: list[str]) -> object:
        seen.append(({text_key(t) for t in texts}, set()))
        return real_fit(model, texts, Y, groups)

    monkeypatch.setattr(comparison, "_fit", spy)
    honest = honest_data(_copied_corpus())
    assert len(honest.passages) == len(SMALL) + 2  # two copies dropped
    report = comparison.honest_cross_validate(["keyword"], honest, n_splits=3)
    splits = grouped_splits(
        themes_to_matrix(d.themes for d in honest.passages), [d.group for d in honest.passages], 3, 0
    )
    for (_train, test_idx), (trained, _) in zip(splits, seen, strict=True):
        assert not trained & {text_key(honest.passages[i].text) for i in test_idx}
    assert report.n_test_passages == len(honest.passages)
    assert report.variants["keyword"].empty_labelled == 2


def test_role_aware_variant_clears_lead_ins_and_the_curve_has_four_points() -> None:
    from gkreport.themes.comparison import CURVE_FRACTIONS, honest_cross_validate
    from gkreport.themes.honest import honest_data

    honest = honest_data(_copied_corpus())
    report = honest_cross_validate(["linear", "linear-roles"], honest, n_splits=3, curve="linear-roles")
    plain, gated = report.variants["linear"], report.variants["linear-roles"]
    assert gated.empty_predicted_none >= plain.empty_predicted_none
    assert gated.scores.fit_seconds == 0.0  # the gate reuses the plain model's fit
    assert [p["fraction"] for p in report.curve] == list(CURVE_FRACTIONS)
    assert report.curve[-1]["micro_f1"] == gated.scores.micro_f1
    assert report.curve[0]["train_groups"] < report.curve[-1]["train_groups"]
    text = report.to_markdown()
    assert "linear-roles" in text and "learning curve" in text
    with pytest.raises(OptionError, match="unknown variants"):
        honest_cross_validate(["nope"], honest)


def test_theme_probabilities_gate_by_role_only_for_a_role_aware_model() -> None:
    from gkreport.themes.base import theme_probabilities

    texts, roles = SMALL_X[:3], ["problem", "other", "fee"]
    aware = LinearThemeClassifier(themes=THREE, calibration_cv=2, min_calibration_count=4, role_aware=True)
    aware.fit(SMALL_X, SMALL_Y, groups=SMALL_GROUPS)
    gated = theme_probabilities(aware.inference_scorer(), texts, roles)
    assert gated[0].max() > 0 and not gated[1:].any()
    assert np.array_equal(theme_probabilities(aware, texts), aware.predict_proba(texts))
    assert aware.inference_scorer().theme_roles_ == load_taxonomy_roles()
    plain = LinearThemeClassifier(
        themes=THREE, calibration_cv=2, min_calibration_count=4, threshold_cv=0, role_aware=False
    )
    plain.fit(SMALL_X, SMALL_Y)
    assert np.array_equal(theme_probabilities(plain, texts, roles), plain.predict_proba(texts))
    with pytest.raises(ValueError, match="one entry per text"):
        theme_probabilities(aware, texts, roles[:2])


def load_taxonomy_roles() -> tuple[str, ...]:
    from gkreport.themes.taxonomy import load_taxonomy

    roles = load_taxonomy().theme_roles
    assert "problem" in roles and "other" not in roles and "fee" not in roles
    return roles


@given(st.text(alphabet="培训滞后网站，。；！？、：\n ab", max_size=40), st.sampled_from(["sentence", "clause"]))
@settings(max_examples=80, deadline=None)
def test_pooling_units_cover_the_text(text: str, pooling: str) -> None:
    from gkreport.themes.features import MIN_UNIT, pooling_units

    units = pooling_units(text, pooling)
    assert units and "".join(units) == text
    assert all(len(u.strip()) >= MIN_UNIT for u in units[:-1])


@pytest.mark.parametrize(
    "settings_", [{"cue_features": True}, {"pooling": "sentence"}, {"cue_features": True, "pooling": "clause"}]
)
def test_cue_features_and_pooling_score_as_scikit_learn(settings_: dict[str, object], tmp_path: Path) -> None:
    from gkreport.themes.linear import _PerModelReference

    model = LinearThemeClassifier(themes=THREE, calibration_cv=2, min_calibration_count=4, **settings_)
    model.fit(SMALL_X, SMALL_Y, groups=SMALL_GROUPS)  # fit checks the scorer itself; check again here
    texts = SMALL_X + UNSEEN + ["工作人员培训不足。网站栏目更新滞后；公众号停更。"]
    reference = _PerModelReference(model.pipeline_, model.pooling).predict_proba(texts)
    assert np.max(np.abs(model.inference_scorer().predict_proba(texts) - reference)) <= 1e-9
    save_model(model, tmp_path)
    assert np.max(np.abs(load_scorer(tmp_path).predict_proba(texts) - reference)) <= 1e-12


def test_cue_tokenizer_names_themes_of_the_taxonomy_cues() -> None:
    from gkreport.themes.features import CueTokenizer

    tokenizer = CueTokenizer((("staffing", ("培训", "业务培训")), ("channels", ("公众号",))))
    assert tokenizer("开展业务培训，开通公众号") == ["cue:staffing", "cue:channels"]
    assert tokenizer("无关内容") == []
    packaged = CueTokenizer.from_taxonomy()
    assert {theme for theme, _ in packaged.cues} == set(THEME_IDS)
    assert packaged == CueTokenizer.from_taxonomy() and "cue:timeliness" in packaged("信息更新不及时")


def test_train_builds_the_shipped_variant() -> None:
    from gkreport.themes.comparison import MODEL_VARIANTS, SHIPPED_VARIANT, VARIANTS

    assert MODEL_VARIANTS["linear"] == SHIPPED_VARIANT
    assert VARIANTS[SHIPPED_VARIANT].make().get_params() == make_model("linear").get_params()


def test_evaluate_themes_refuses_an_unknown_variant(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gkreport.cli import app

    labels = tmp_path / "l.jsonl"
    labels.write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["evaluate", "themes", "--annotations", str(labels), "--corpus", str(tmp_path), "--variant", "bogus"]
    )
    assert result.exit_code == 2 and "--variant: unknown bogus" in result.output


def test_honest_cv_tests_written_passages_only_while_no_real_label_exists() -> None:
    from gkreport.themes.comparison import honest_cross_validate
    from gkreport.themes.honest import honest_data

    report = honest_cross_validate(["keyword"], honest_data(labelled("written")), n_splits=3)
    assert report.tested_on == "written" and report.n_written_in_training == 0
    assert "distinct written texts tested" in report.to_markdown()
    mixed = honest_cross_validate(["keyword"], honest_data(labelled("written") + labelled("corpus")[:12]), n_splits=3)
    # the same texts as corpus and as written: the real copy is kept, so it can be tested
    assert mixed.tested_on == "real" and mixed.n_test_passages == 12 and mixed.n_written_in_training == 12
    with pytest.raises(AnnotationError, match="no labelled passages"):
        honest_cross_validate(["keyword"], honest_data([]))


def test_evaluate_themes_prints_the_honest_figure_and_writes_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gkreport.cli import app

    out = tmp_path / "themes.json"
    written = str(ROOT / "annotations" / "written.jsonl")
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "themes",
            "--annotations",
            written,
            "--corpus",
            str(tmp_path),
            "--variant",
            "keyword",
            "--curve",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "honest CV: 5 folds" in result.output and "distinct written texts tested" in result.output
    assert "learning curve (keyword)" in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["tested_on"] == "written" and [p["fraction"] for p in report["curve"]] == [0.25, 0.5, 0.75, 1.0]
    assert report["variants"]["keyword"]["scores"]["micro_f1"] > 0.3


def test_model_cv_answers_as_the_old_report_for_the_card() -> None:
    """`gkreport train` (and `training.train_on_labels`) read `.models[kind]` and `.summary(kind)`."""
    from gkreport.themes.comparison import SHIPPED_VARIANT, model_cv

    steps: list[tuple[int, int, str]] = []
    report = model_cv("keyword", _copied_corpus(), n_splits=3, progress=lambda *step: steps.append(step))
    card = report.summary("keyword")
    assert card["kind"] == "honest grouped CV" and card["variant"] == "keyword"
    assert card["micro_f1"] == report.models["keyword"].micro_f1 and len(card["learning_curve"]) == 4
    assert card["n_distinct_texts"] == len(SMALL) + 2 and card["n_merged_groups"] == 6
    assert steps[0][:2] == (0, 12) and steps[-1][0] == 11 and "fold 3/3" in steps[-1][2]
    assert SHIPPED_VARIANT not in report.models and "linear" not in report.models


def test_boundary_rules_name_known_themes_and_sit_with_both_themes_they_separate() -> None:
    """taxonomy.json's boundary rules are data the guidelines restate: each names only known theme ids, and a
    rule that sends a case to one of two themes is listed under both."""
    import re

    raw = json.loads((ROOT / "src/gkreport/themes/taxonomy.json").read_text(encoding="utf-8"))
    rules: dict[str, set[str]] = {}
    for theme in raw["themes"]:
        for rule in theme["boundary"]:
            named = set(re.findall(r"\b[a-z]{4,}\b", rule))
            assert named <= set(THEME_IDS), (theme["id"], named - set(THEME_IDS))
            rules.setdefault(rule, set()).add(theme["id"])
    for rule, listed_under in rules.items():
        named = set(re.findall(r"\b[a-z]{4,}\b", rule))
        assert len(named) < 2 or len(listed_under) >= 2, rule
    guidelines = (ROOT / "annotations" / "GUIDELINES.md").read_text(encoding="utf-8")
    assert all(f"\n{n}. **" in guidelines for n in range(1, 13))
    assert guidelines.count("*Worked example:*") >= 5
