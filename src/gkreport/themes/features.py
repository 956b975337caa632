"""Text features for the linear theme model: jieba words (via spaCy's zh tokenizer) + character n-grams.

The tokenizer is a module-level class, not a lambda, so fitted vectorizers pickle with joblib; the
spaCy pipeline it uses is built on first call and cached per process, never pickled.
"""

from __future__ import annotations

import logging
import marshal
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


@lru_cache(maxsize=1)
def zh_tokenizer_nlp() -> Any:
    """The shared blank spaCy zh pipeline with jieba segmentation (built once per process)."""
    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)  # jieba prints its dictionary-loading chatter at INFO
    if getattr(jieba, "marshal", None) is marshal:
        jieba.marshal = WholeFileMarshal  # type: ignore[attr-defined]
    return spacy.blank("zh", config=ZH_JIEBA_CONFIG)


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
    words = tuple(
        tok.text for tok in doc
        if not (tok.is_space or tok.is_punct or (tok.like_num and not keep_numbers))
    )
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


def build_feature_union(word_ngram_range: tuple[int, int] = (1, 2),
                        char_ngram_range: tuple[int, int] = (1, 3),
                        min_df: int = 1) -> Any:
    """FeatureUnion of TF-IDF over jieba word n-grams and over character n-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    words = TfidfVectorizer(tokenizer=JiebaTokenizer(), token_pattern=None, lowercase=False,
                            ngram_range=word_ngram_range, min_df=min_df, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char", lowercase=False, ngram_range=char_ngram_range,
                            min_df=min_df, sublinear_tf=True)
    return FeatureUnion([("words", words), ("chars", chars)])
