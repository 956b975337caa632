"""A batch worker scores each distinct passage text once (`pipeline.ThemeScoreCache`): the scores it gives
must be, bit for bit, those of scoring every passage anew, alone or together with any others."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import EXAMPLES
from helpers import SHIPPED_MODEL as MODEL

from gkreport.passages import split_passages
from gkreport.pipeline import ThemeScoreCache
from gkreport.readers import read
from gkreport.segment import segment


@pytest.fixture(scope="module")
def scorer():
    if not (MODEL / "card.json").exists():
        pytest.skip("no shipped theme model in src/gkreport/models/themes")
    from gkreport.themes import load_scorer

    return load_scorer(MODEL)


def _passages() -> list[str]:
    texts = [p.text for f in sorted(EXAMPLES.glob("*.txt")) for p in split_passages(segment(read(f)))]
    assert len(set(texts)) > 10, "the examples no longer give passages"
    return texts


def test_cached_scores_are_those_of_scoring_anew(scorer) -> None:
    texts = _passages()
    together = scorer.predict_proba(texts)
    cache = ThemeScoreCache(limit=len(texts) // 2)  # small enough to start afresh on the way
    repeated = texts + texts[::-1] + texts[:5]  # each text again, in other company
    got = [row for start in range(0, len(repeated), 7) for row in cache.scores(scorer, repeated[start : start + 7])]
    expected = list(together) + list(together[::-1]) + list(together[:5])
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
    alone = [scorer.predict_proba([t])[0] for t in texts[:20]]
    assert all(np.array_equal(a, b) for a, b in zip(alone, together[:20], strict=True))


def test_another_model_is_not_served_from_the_cache(scorer) -> None:
    import dataclasses

    # the same scorer with every bias moved: another model of the same kind, whose rows differ
    head = dataclasses.replace(scorer.head, bias=scorer.head.bias + 1.5)
    other = dataclasses.replace(scorer, head=head)
    cache = ThemeScoreCache()
    texts = _passages()[:5]
    first = cache.scores(scorer, texts)
    second = cache.scores(other, texts)
    assert all(np.array_equal(a, b) for a, b in zip(second, other.predict_proba(texts), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(cache.scores(scorer, texts), first, strict=True))
