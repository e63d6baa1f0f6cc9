"""Lower-back running contacts against a force treadmill: the sacral accelerometer trials of
Alcantara et al. (one runner, 2.5 and 4.17 m/s x -10, -5, 0, +5, +10 degrees, 500 Hz, ~5 s each),
scored against the force plate's 0.1 body-weight crossings and against the simple rule the data
README quotes (the vertical channel crossing 0.5 g), computed here on the same samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.events.lumbar import detect_lumbar_events

G = 9.80665
FS = 500.0
TOL_S = 0.040


def _trials(shared_data):
    d = shared_data / "alcantara-sacral-running-grf" / "data"
    acc = np.loadtxt(d / "Accelerometer_one_sub.csv", delimiter=",")
    grf = np.loadtxt(d / "GRF_one_sub.csv", delimiter=",")
    info = pd.read_csv(d / "Sub_Info_one_sub.csv")
    n = grf.shape[1]
    out = []
    for k in range(acc.shape[0]):
        f = grf[k]
        e = np.diff((f > 0.1).astype(int))
        up, dn = np.flatnonzero(e == 1), np.flatnonzero(e == -1)
        ic = (up + (0.1 - f[up]) / (f[up + 1] - f[up])) / FS  # force-plate contact: 0.1 body weight
        to = (dn + (f[dn] - 0.1) / (f[dn] - f[dn + 1])) / FS
        out.append(dict(vert=acc[k, :n], ap=acc[k, n:], ic=ic, to=to, speed=float(info.Speed[k]),
                        slope=int(info.Slope[k])))
    return out


def _acc(tr):
    return np.column_stack([tr["vert"], tr["ap"], np.zeros_like(tr["vert"])]) * G


def _counts(found, ref):
    """(matched, n_ref, n_found, signed errors): one-to-one nearest matching within TOL_S."""
    found = np.sort(np.asarray(found, float)[np.isfinite(found)])
    d = found[None, :] - ref[:, None]
    i, j = np.nonzero(np.abs(d) <= TOL_S)
    used_i, used_j, errs = set(), set(), []
    for a, b in sorted(zip(i, j), key=lambda ab: abs(d[ab])):
        if a not in used_i and b not in used_j:
            used_i.add(a)
            used_j.add(b)
            errs.append(d[a, b])
    return len(errs), ref.size, found.size, np.asarray(errs)


def _f1(parts):
    m = sum(p[0] for p in parts)
    r, f = sum(p[1] for p in parts), sum(p[2] for p in parts)
    return 2 * m / (r + f)


def _fixed_threshold(vert, thr=0.5):
    e = np.diff((vert >= thr).astype(int))
    up, dn = np.flatnonzero(e == 1), np.flatnonzero(e == -1)
    return ((up + (thr - vert[up]) / (vert[up + 1] - vert[up])) / FS,
            (dn + (vert[dn] - thr) / (vert[dn] - vert[dn + 1])) / FS)


def test_sacral_running_contacts_on_every_slope_and_speed(shared_data):
    """Per slope (both speeds) and per speed (all slopes): IC F1 >= 0.98 within 40 ms with
    |median error| <= 10 ms, and at least the fixed 0.5 g rule's IC F1 on every slope.
    Measured: IC F1 1.000 on every slope and speed (the 0.5 g rule 0.906-1.000), median -9 to
    +6 ms. TO F1 >= 0.95 on every slope and speed and at least the 0.5 g rule's on every slope
    (measured 1.000 on every slope; the 0.5 g rule 0.833-1.000): this needs the toe-offs of the
    contacts already under way at a trial's first sample (four 2.5 m/s trials), reported as
    rows without an IC, and the late push-off hump of one 4.17 m/s step at +10 degrees."""
    trials = _trials(shared_data)
    groups = {}
    for tr in trials:
        t = np.arange(tr["vert"].size) / FS
        ev, _ = detect_lumbar_events(t, _acc(tr), FS)
        ic_b, to_b = _fixed_threshold(tr["vert"])
        res = (_counts(ev["time_s"], tr["ic"]), _counts(ev["toe_off_s"], tr["to"]), _counts(ic_b, tr["ic"]),
               _counts(to_b, tr["to"]))
        for key in (("slope", tr["slope"]), ("speed", tr["speed"]), ("all", 0)):
            groups.setdefault(key, []).append(res)
    for key, res in groups.items():
        ic, to, base, base_to = ([r[i] for r in res] for i in range(4))
        f1_ic, f1_to, f1_base = _f1(ic), _f1(to), _f1(base)
        med_ms = 1000 * np.median(np.concatenate([p[3] for p in ic]))
        assert f1_ic >= 0.98, (key, f1_ic)
        assert abs(med_ms) <= 10.0, (key, med_ms)
        assert f1_to >= 0.95, (key, f1_to)
        if key[0] == "slope":
            assert f1_ic >= f1_base, (key, f1_ic, f1_base)
            assert f1_to >= _f1(base_to), (key, f1_to, _f1(base_to))


def test_sacral_contact_under_way_at_the_start(shared_data):
    """A trial that starts inside a stance: the detector reports that contact as a first row
    with its toe-off and no IC (NaN time), within 40 ms of the force plate's toe-off that
    precedes its first IC; a trial that starts in flight (or at the foot of a fall whose
    toe-off came before the first sample) has no such row. The steps table built from it
    (:func:`gaitload.analyze`) has a time for every step."""
    n_lead = 0
    for tr in _trials(shared_data):
        t = np.arange(tr["vert"].size) / FS
        ev, _ = detect_lumbar_events(t, _acc(tr), FS)
        no_ic = ev["time_s"].isna().to_numpy()
        assert not no_ic[1:].any()
        before_first_ic = tr["to"][tr["to"] < tr["ic"][0]]  # the force plate's own answer
        if no_ic[0]:
            n_lead += 1
            assert before_first_ic.size == 1, (tr["speed"], tr["slope"])
            assert abs(ev["toe_off_s"].iloc[0] - before_first_ic[0]) <= TOL_S, (tr["speed"], tr["slope"])
            assert np.isnan(ev["contact_time_ms"].iloc[0])
        else:
            assert before_first_ic.size == 0, (tr["speed"], tr["slope"])
    assert n_lead == 4
    tr = next(tr for tr in _trials(shared_data) if tr["speed"] == 2.5 and tr["slope"] == 10)
    n = tr["vert"].size
    frame = pd.DataFrame({"time_s": np.arange(n) / FS, "acc_x": tr["vert"], "acc_y": tr["ap"], "acc_z": 0.0})
    steps = gaitload.analyze(frame).steps
    assert steps["time_s"].notna().all()
    m, n_ref, n_found, _ = _counts(steps["time_s"], tr["ic"])
    assert m == n_ref == n_found


def test_sacral_running_step_not_stride(shared_data):
    """Step and stride repeat almost equally at the trunk in running: the detector decides
    explicitly and finds every step (detections one step apart, the force plate's step time
    within 5 %) on every trial, not every other contact."""
    for tr in _trials(shared_data):
        t = np.arange(tr["vert"].size) / FS
        ev, _ = detect_lumbar_events(t, _acc(tr), FS)
        step_ref = np.median(np.diff(tr["ic"]))
        step = np.median(np.diff(ev["time_s"].dropna()))  # a contact under way at the start has no IC
        assert abs(step / step_ref - 1) <= 0.05, (tr["speed"], tr["slope"], step, step_ref)
        assert len(ev) >= tr["ic"].size - 1


def test_sacral_running_same_result_at_a_rate_read_back_from_text(shared_data):
    """A rate of 499.99999999999955 Hz (500 Hz through a text clock) gives the same contacts as
    500 Hz: no window length may flip with the last digit of the rate."""
    for tr in _trials(shared_data):
        out = []
        for fs in (500.0, 499.99999999999955):
            t = np.arange(tr["vert"].size) / fs
            ev, _ = detect_lumbar_events(t, _acc(tr), fs)
            out.append(ev)
        a, b = out
        assert len(a) == len(b)
        np.testing.assert_allclose(a["time_s"], b["time_s"], atol=1e-6)
        np.testing.assert_allclose(a["toe_off_s"], b["toe_off_s"], atol=1e-6)


def test_five_second_trial_through_analyze_dataframe(shared_data):
    """A 5 s lab trial passed as a DataFrame (time in s, acceleration in g) is analysed: the
    gait gate adapts to the short recording, the placement is found, and the steps are the
    detector's, all marked measured."""
    tr = _trials(shared_data)[3]  # 4.17 m/s, level
    n = tr["vert"].size
    frame = pd.DataFrame({"time_s": np.arange(n) / FS, "acc_x": tr["vert"], "acc_y": tr["ap"], "acc_z": 0.0})
    result = gaitload.analyze(frame)
    assert result.summary["placement"] == "lumbar"
    assert result.recording.path is None
    steps = result.steps
    assert steps["measured"].all()
    m, n_ref, n_found, errs = _counts(steps["time_s"], tr["ic"])
    assert m >= n_ref - 1 and n_found <= n_ref + 1
    assert abs(np.median(errs)) <= 0.010


@pytest.mark.slow
def test_sacral_running_dataframe_equals_file(shared_data, tmp_path):
    """The same samples as a DataFrame and as a CSV file give the same steps."""
    tr = _trials(shared_data)[0]
    n = tr["vert"].size
    frame = pd.DataFrame({"time_s": np.arange(n) / FS, "acc_x": tr["vert"], "acc_y": tr["ap"], "acc_z": 0.0})
    path = tmp_path / "sacral.csv"
    frame.to_csv(path, index=False)
    a = gaitload.analyze(frame).steps
    b = gaitload.analyze(path).steps
    assert len(a) == len(b)
    np.testing.assert_allclose(a["time_s"], b["time_s"], atol=1e-9)


def test_sacral_uphill_toe_off_is_the_push_off_shoulder(shared_data):
    """Uphill, the sacral signal's fall lags the force: the toe-off is at the push-off shoulder
    of the falling edge, not at its foot. Without the shoulder rule (window 0) the 4.17 m/s
    uphill toe-offs are ~30 ms late (measured +31 / +36 ms at +5 / +10 degrees); with it the
    median error is within 15 ms there and TO F1 on the uphill trials is higher."""
    from gaitload.events.lumbar import LumbarOptions

    res = {}
    for window in (0.0, LumbarOptions().to_shoulder_window_s):
        parts = []
        for tr in _trials(shared_data):
            if tr["slope"] <= 0:
                continue
            t = np.arange(tr["vert"].size) / FS
            ev, _ = detect_lumbar_events(t, _acc(tr), FS, to_shoulder_window_s=window)
            parts.append(_counts(ev["toe_off_s"], tr["to"]))
        res[window] = (_f1(parts), 1000 * np.median(np.concatenate([p[3] for p in parts])))
    (f1_off, med_off), (f1_on, med_on) = res.values()
    assert med_off > 20.0 and abs(med_on) <= 15.0, res
    assert f1_on > f1_off, res
