"""Text features for the linear theme model: jieba words (via spaCy's zh tokenizer) + character n-grams.

The tokenizer is a module-level class, not a lambda, so fitted vectorizers pickle with joblib; the
spaCy pipeline it uses is built on first call and cached per process, never pickled.

Training and cross-validation tokenise through that spaCy pipeline. `tag`, `classify` and batch workers
score with `segmented_words`, which gives the same words from the same jieba call without importing spaCy
(0.8–1.2 s of every cold start): spaCy's zh tokenizer with the jieba segmenter keeps jieba's words as its
tokens, and the words dropped here are those spaCy's lexical attributes mark as space, punctuation or
number. Every fit checks that the two agree (`scoring.LinearScorer.verify_against`), and so does a test
over every passage of the examples and the real reports.
"""

from __future__ import annotations

import logging
import marshal
import re
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, BinaryIO

# spaCy's zh language with the jieba segmenter: no model download needed.
ZH_JIEBA_CONFIG: dict[str, Any] = {"nlp": {"tokenizer": {"segmenter": "jieba"}}}


class WholeFileMarshal:
    """The `marshal` module as jieba sees it, with `load` reading the whole file first.

    jieba reads its 9 MB prefix-dictionary cache with `marshal.load(file)`, which makes one Python-level
    read per entry: 1.0 s of every cold `tag` and every batch worker. `marshal.loads` of the file's bytes
    builds the same dictionary in 0.35 s. jieba keeps all its own logic (which cache, when to rebuild it).
    """

    dump = staticmethod(marshal.dump)
    dumps = staticmethod(marshal.dumps)
    loads = staticmethod(marshal.loads)

    @staticmethod
    def load(file: BinaryIO) -> Any:
        return marshal.loads(file.read())


@contextmanager
def _pkg_resources_unavailable() -> Iterator[None]:
    """`import pkg_resources` fails while active, unless something imported it already.

    jieba imports pkg_resources (60-150 ms, deprecated by setuptools) only to open its own data files, and
    opens the same files from its package folder when that import fails."""
    if "pkg_resources" in sys.modules:
        yield
        return
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # None makes the import raise ImportError
    try:
        yield
    finally:
        if "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
            del sys.modules["pkg_resources"]


@lru_cache(maxsize=1)
def loaded_jieba() -> Any:
    """The jieba module with its dictionary loaded (once per process), read whole (`WholeFileMarshal`),
    imported without pkg_resources (`_pkg_resources_unavailable`)."""
    with _pkg_resources_unavailable():
        import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba prints its dictionary-loading chatter at INFO
    if getattr(jieba, "marshal", None) is marshal:
        jieba.marshal = WholeFileMarshal  # type: ignore[attr-defined]
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def zh_tokenizer_nlp() -> Any:
    """The shared blank spaCy zh pipeline with jieba segmentation (built once per process)."""
    loaded_jieba()
    import spacy

    return spacy.blank("zh", config=ZH_JIEBA_CONFIG)


# What spaCy's zh language calls a number (`like_num` of spacy/lang/zh/lex_attrs.py), as data: after a sign
# and without separators, digits, a fraction of digits, one of the numeral words, or counted tens/hundreds…
_SIGNS = ("+", "-", "±", "~")
_SEPARATORS = str.maketrans("", "", ",.，。")
_COUNTING = "一二三四五六七八九壹贰叁肆伍陆柒捌玖"
_NUMERAL_WORDS = frozenset(
    [
        "〇",
        *"一二三四五六七八九十",
        *(f"十{d}" for d in "一二三四五六七八九"),
        "廿",
        "卅",
        "卌",
        "皕",
        "零",
        *"壹贰叁肆伍陆柒捌玖拾",
        *(f"拾{d}" for d in "壹贰叁肆伍陆柒捌玖"),
    ]
)
_COUNTED = re.compile(f"^(([{_COUNTING}])([十百千万亿兆拾佰仟]))+([{_COUNTING}])?$")


def like_number(word: str) -> bool:
    """spaCy's zh `like_num`: "2021", "1,200", "3/4", "十五", "三千五百"."""
    if word.startswith(_SIGNS):
        word = word[1:]
    word = word.translate(_SEPARATORS)
    if word.isdigit():
        return True
    numerator, slash, denominator = word.partition("/")
    if slash and numerator.isdigit() and denominator.isdigit():
        return True
    return word in _NUMERAL_WORDS or _COUNTED.match(word) is not None


def is_punctuation(word: str) -> bool:
    """spaCy's `is_punct`: every character in a Unicode punctuation category."""
    return all(unicodedata.category(char).startswith("P") for char in word)


def segmented_words(text: str, keep_numbers: bool = False) -> list[str]:
    """The words `JiebaTokenizer` gives, from jieba alone (see the module doc): jieba's words less white
    space, punctuation and (unless `keep_numbers`) numbers."""
    return [
        word
        for word in loaded_jieba().cut(text, cut_all=False)
        if word and not (word.isspace() or is_punctuation(word) or (not keep_numbers and like_number(word)))
    ]


_token_cache: dict[tuple[str, bool], tuple[str, ...]] | None = None


@contextmanager
def token_cache() -> Iterator[None]:
    """Keep each passage's words while active. Training and cross-validation (with its inner threshold CV)
    tokenise the same passages many times over; inference sees each passage once and does not cache.
    One process-wide cache: training in several threads at once shares it (and the first to finish ends it,
    which only makes the others slower)."""
    global _token_cache
    outermost = _token_cache is None
    if outermost:
        _token_cache = {}
    try:
        yield
    finally:
        if outermost:
            _token_cache = None


def _words(text: str, keep_numbers: bool) -> tuple[str, ...]:
    cache, key = _token_cache, (text, keep_numbers)
    if cache is not None and key in cache:
        return cache[key]
    doc = zh_tokenizer_nlp().make_doc(text)
    words = tuple(tok.text for tok in doc if not (tok.is_space or tok.is_punct or (tok.like_num and not keep_numbers)))
    if cache is not None:
        cache[key] = words
    return words


class JiebaTokenizer:
    """Callable text -> words, for `TfidfVectorizer(tokenizer=...)`.

    Punctuation, spaces and bare numbers are dropped: they carry no theme and only dilute n-grams.
    """

    def __init__(self, keep_numbers: bool = False) -> None:
        self.keep_numbers = keep_numbers

    def __call__(self, text: str) -> list[str]:
        return list(_words(text, self.keep_numbers))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JiebaTokenizer) and other.keep_numbers == self.keep_numbers

    def __hash__(self) -> int:
        return hash((JiebaTokenizer, self.keep_numbers))

    def __repr__(self) -> str:
        return f"JiebaTokenizer(keep_numbers={self.keep_numbers})"


class CueTokenizer:
    """Callable text -> one token per cue phrase of the taxonomy found in it, named for its theme
    ("cue:staffing"), for `TfidfVectorizer(tokenizer=...)`: a passage that says 轮训 and one that says 业务培训
    share a feature, which a few hundred labels cannot teach word by word. The cue table (theme -> cue
    phrases, taxonomy.json's `cues`) is kept in the tokenizer, so a saved model scores with the cues it was
    trained with."""

    def __init__(self, cues: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        self.cues = cues

    @classmethod
    def from_taxonomy(cls) -> CueTokenizer:
        from gkreport.themes.taxonomy import load_taxonomy

        return cls(tuple(load_taxonomy().cues().items()))

    def _matcher(self) -> Any:
        matcher = self.__dict__.get("_matcher_cache")
        if matcher is None:
            from gkreport.themes.taxonomy import CueMatcher

            themes = [theme for theme, _cues in self.cues]
            matcher = self.__dict__["_matcher_cache"] = CueMatcher.build(dict(self.cues), themes)
        return matcher

    def __call__(self, text: str) -> list[str]:
        names = [theme for theme, _cues in self.cues]
        return [f"cue:{names[j]}" for columns in self._matcher().hits(text) for j in columns]

    def __getstate__(self) -> dict[str, Any]:
        return {"cues": self.cues}  # the matcher is rebuilt on first use

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CueTokenizer) and other.cues == self.cues

    def __hash__(self) -> int:
        return hash((CueTokenizer, self.cues))

    def __repr__(self) -> str:
        return f"CueTokenizer({len(self.cues)} themes)"


# Where a passage is cut into the units that `pooling` scores one by one: sentence ends, and for clauses
# also the comma and the enumeration comma.
POOLING_SPLITS: dict[str, re.Pattern[str]] = {
    "sentence": re.compile(r"(?<=[。；;！!？?\n])"),
    "clause": re.compile(r"(?<=[。；;！!？?\n，,、：:])"),
}
POOLINGS: tuple[str, ...] = ("passage", *POOLING_SPLITS)
MIN_UNIT = 4  # characters: a shorter piece ("一是", "同时") is joined to the next one


def pooling_units(text: str, pooling: str) -> list[str]:
    """The pieces of `text` that a pooled model scores: the whole text for "passage", else its sentences or
    clauses, short pieces joined to the next. Never empty."""
    if pooling == "passage":
        return [text]
    units: list[str] = []
    pending = ""
    for piece in POOLING_SPLITS[pooling].split(text):
        pending += piece
        if len(pending.strip()) >= MIN_UNIT:
            units.append(pending)
            pending = ""
    if units:
        units[-1] += pending  # a short tail belongs to the last piece
    else:
        units.append(pending)
    return units


def build_feature_union(
    word_ngram_range: tuple[int, int] = (1, 2),
    char_ngram_range: tuple[int, int] = (1, 3),
    min_df: int = 1,
    cue_features: bool = False,
) -> Any:
    """FeatureUnion of TF-IDF over jieba word n-grams and over character n-grams, and with `cue_features`
    over the taxonomy's cue phrases by theme (`CueTokenizer`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    words = TfidfVectorizer(
        tokenizer=JiebaTokenizer(),
        token_pattern=None,
        lowercase=False,
        ngram_range=word_ngram_range,
        min_df=min_df,
        sublinear_tf=True,
    )
    chars = TfidfVectorizer(
        analyzer="char", lowercase=False, ngram_range=char_ngram_range, min_df=min_df, sublinear_tf=True
    )
    blocks: list[tuple[str, Any]] = [("words", words), ("chars", chars)]
    if cue_features:
        blocks.append(
            (
                "cues",
                TfidfVectorizer(
                    tokenizer=CueTokenizer.from_taxonomy(), token_pattern=None, lowercase=False, sublinear_tf=True
                ),
            )
        )
    return FeatureUnion(blocks)
