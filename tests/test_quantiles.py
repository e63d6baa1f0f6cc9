"""The fast order statistics of gaitload.quantiles equal numpy bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from gaitload import quantiles as sig


def _signals(rng):
    n = 40_000
    yield rng.normal(size=n)
    yield np.round(rng.normal(size=n + 1), 2)  # many ties, odd length
    yield np.sin(np.arange(n) * 2 * np.pi / sig._SELECT_STRIDE) + 1e-3 * rng.normal(size=n)  # aliased
    yield np.abs(rng.standard_cauchy(size=n))  # heavy tail
    yield np.concatenate([np.zeros(n // 2), rng.normal(size=n // 2)])  # half constant
    yield np.full(n, 3.25)


@pytest.mark.parametrize("q", [0.5, 1.0, 10.0, 50, 95.0, 99, 99.5, [0.5, 99.5], [1.0, 99.0], 0.0, 100.0, 37.3])
def test_percentile_equals_numpy(q):
    for x in _signals(np.random.default_rng(1)):
        expect, got = np.percentile(x, q), sig.percentile(x, q)
        assert np.array_equal(expect, got) and np.shape(expect) == np.shape(got)


def test_median_equals_numpy():
    for x in _signals(np.random.default_rng(2)):
        assert sig.median(x) == np.median(x)


def test_nan_and_short_inputs_go_to_numpy():
    x = np.random.default_rng(3).normal(size=30_000)
    x[5] = np.nan
    assert np.isnan(sig.percentile(x, 50)) and np.isnan(sig.median(x))
    short = np.arange(10.0)
    assert sig.percentile(short, [10, 90]).tolist() == np.percentile(short, [10, 90]).tolist()
