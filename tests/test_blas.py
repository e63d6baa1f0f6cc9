"""The detectors run on one BLAS thread and give the caller's setting back."""

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from gaitload.blas import one_blas_thread


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_one_thread_inside_and_the_callers_setting_after():
    np.ones((4, 4)) @ np.ones((4, 4))  # numpy's BLAS is loaded
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        inside = one_blas_thread(_blas_threads)()
        after = _blas_threads()
    assert inside and set(inside) == {1}
    assert after == before


def test_the_limit_is_lifted_when_the_function_raises():
    before = _blas_threads()

    @one_blas_thread
    def fails():
        raise ValueError("boom")

    try:
        fails()
    except ValueError:
        pass
    assert _blas_threads() == before


def test_detect_steps_runs_on_one_thread(monkeypatch, sample_data):
    import gaitload
    from gaitload.events import foot

    seen = []
    real = foot.foot_event_columns

    def spy(*args, **kwargs):
        seen.append(_blas_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(foot, "foot_event_columns", spy)
    from gaitload.events import detect_steps

    rec = gaitload.read(sample_data / "hilly_foot_imu.csv")
    with threadpool_limits(limits=2, user_api="blas"):  # the caller's two threads
        detect_steps(rec, "foot")
    assert seen and all(set(s) == {1} for s in seen)
