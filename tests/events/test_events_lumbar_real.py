"""Lower-back (lumbar) detector against reference events: Xsens MTw walking recordings
(Voisard et al., IPOL; subjects 1-2, 100 Hz) and simulated running with known contacts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from xsens import TRIALS, read_xsens

from gaitload.events.lumbar import detect_lumbar_events
from gaitload.events.placement import acc_array, contiguous_segments
from gaitload.simulate import simulate_run

G = 9.80665

#: Xsens MTw on the lower back: +Y is the subject's left (X up the spine, Z out of the back)
XSENS_LEFT = np.array([0.0, 1.0, 0.0])


def _xsens_lb(shared_data, trial):
    t, acc, _, ref = read_xsens(shared_data, trial, "lb")
    return t, acc, ref


def _nearest(found, true):
    """Signed error of the detection nearest each reference event, and its index."""
    found = np.asarray(found, dtype=float)
    order = np.argsort(found)
    f = found[order]
    j = np.clip(np.searchsorted(f, true), 1, f.size - 1)
    near = np.where(np.abs(f[j - 1] - true) <= np.abs(f[j] - true), j - 1, j)
    return f[near] - true, order[near]


def test_xsens_walking_heel_strikes_toe_offs_and_sides(shared_data):
    """Walking method on real lower-back data (subjects 1-2): >= 88 % of the reference heel
    strikes within 50 ms (measured 90.5 %; 81.8 % with vertical-jerk ICs), >= 77 % of
    toe-offs (measured 79.5 %), median bias within 30 ms (measured -20 ms), and the side of
    matched contacts right for >= 95 % (measured 98 %) once the sensor's left axis is given;
    without it the side is unknown, never guessed. All 9 subjects: benchmarks/validate.py."""
    e_hs, e_to, side_ok = [], [], []
    for trial in TRIALS:
        t, acc, ref = _xsens_lb(shared_data, trial)
        ev, warnings = detect_lumbar_events(t, acc, 100.0, ml_axis_left=XSENS_LEFT)
        assert (ev["method"].str.startswith("walking")).all()
        left = np.asarray(ref["LeftFootEvents"], dtype=float) / 100.0
        right = np.asarray(ref["RightFootEvents"], dtype=float) / 100.0
        hs = np.concatenate([left[:, 1], right[:, 1]])
        to = np.concatenate([left[:, 0], right[:, 0]])
        side = np.array(["left"] * len(left) + ["right"] * len(right))
        err, idx = _nearest(ev["time_s"].to_numpy(), hs)
        e_hs.append(err)
        ok = np.abs(err) <= 0.05
        side_ok.append(ev["foot"].to_numpy()[idx][ok] == side[ok])
        tos = ev["toe_off_s"].to_numpy()
        e_to.append(_nearest(tos[np.isfinite(tos)], to)[0])
    e_hs, e_to, side_ok = map(np.concatenate, (e_hs, e_to, side_ok))
    assert np.mean(np.abs(e_hs) <= 0.05) >= 0.88
    assert abs(np.median(e_hs)) <= 0.03
    assert np.mean(np.abs(e_to) <= 0.05) >= 0.77
    assert side_ok.mean() >= 0.95
    t, acc, _ = _xsens_lb(shared_data, TRIALS[0])
    ev, warnings = detect_lumbar_events(t, acc, 100.0)
    assert (ev["foot"] == "unknown").all() and any("left/right" in w for w in warnings)


def test_xsens_standing_gives_no_steps(shared_data):
    """Stand, walk 10 m, U-turn, walk back, stand: the standing phases give no contacts.

    An *extra* contact is a detection more than half a step (0.25 s) from every reference heel
    strike, outside the U-turn (the references leave the turn's steps out; the detector rightly
    finds them). Over the 10 trials: 96 extra of 346 reference contacts (27.7 %) before the gait
    gate, 18 (5.2 %) after it with vertical-jerk ICs, 10 (2.9 %) with the forward-braking ICs;
    detections in the standing phases (0.3 s before the first toe-off or 1.5 s after the last
    heel strike): 0 (1 with vertical-jerk ICs; 97 beyond the trial boundaries before the
    gate)."""
    n_ref = n_extra = n_standing = 0
    for trial in TRIALS:
        t, acc, ref = _xsens_lb(shared_data, trial)
        ev, _ = detect_lumbar_events(t, acc, 100.0)
        left = np.asarray(ref["LeftFootEvents"], dtype=float) / 100.0
        right = np.asarray(ref["RightFootEvents"], dtype=float) / 100.0
        hs = np.concatenate([left[:, 1], right[:, 1]])
        first_to = min(left[:, 0].min(), right[:, 0].min())
        turn = np.asarray(ref["UTurnBoundaries"], dtype=float) / 100.0
        ts = ev["time_s"].to_numpy()
        far = np.min(np.abs(ts[:, None] - hs[None, :]), axis=1) > 0.25
        in_turn = (ts > turn[0]) & (ts < turn[1])
        n_extra += int(np.sum(far & ~in_turn))
        n_standing += int(np.sum((ts < first_to - 0.3) | (ts > hs.max() + 1.5)))
        n_ref += hs.size
    assert n_extra <= 0.05 * n_ref, (n_extra, n_ref)
    assert n_standing <= 0.015 * n_ref, (n_standing, n_ref)


def test_sitting_and_fidgeting_next_to_a_walk_give_no_steps(shared_data):
    """Quiet standing, sitting (sensor tilted 40 deg) and irregular fidgeting (a dozen jolts of
    0.1-0.3 g at random times) spliced before the walk of trial 1-1: contacts only in the walk,
    and the walk keeps its contacts."""
    fs = 100.0
    t0, acc0, ref = _xsens_lb(shared_data, "1-1")
    walk = acc0[(t0 >= 4.0) & (t0 < 25.0)]
    rng = np.random.default_rng(7)
    still = np.median(acc0[:300], axis=0)  # the subject's standing posture in the sensor frame
    n = int(10 * fs)
    stand = still + rng.normal(0, 0.01 * G, (n, 3))
    a = np.deg2rad(40.0)  # sitting: the pelvis tilts back about the left (+Y) axis
    rot = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    sit = still @ rot.T + rng.normal(0, 0.01 * G, (n, 3))
    fidget = still + rng.normal(0, 0.01 * G, (n, 3))
    tf = np.arange(n) / fs
    for tj, amp in zip(np.sort(rng.uniform(0.5, 9.5, 12)), rng.uniform(0.1, 0.3, 12)):
        fidget += amp * G * np.exp(-0.5 * ((tf - tj) / 0.05) ** 2)[:, None] * rng.normal(0, 1, 3)[None, :]
    acc = np.vstack([stand, sit, stand, fidget, stand, walk, stand])
    t = np.arange(acc.shape[0]) / fs
    ev, _ = detect_lumbar_events(t, acc, fs)
    ts = ev["time_s"].to_numpy()
    walk_start = 5 * n / fs
    assert np.sum(ts < walk_start) == 0, ts[ts < walk_start]
    assert np.sum(ts > walk_start + walk.shape[0] / fs + 0.5) == 0
    # 35 reference heel strikes plus the U-turn's steps
    assert 33 <= len(ev) <= 42


def _step_mean_lateral(lat, ic_idx):
    """Mean of ``lat`` (recording mean removed) from each contact to the next one."""
    lat = lat - lat.mean()
    c = np.concatenate([[0.0], np.cumsum(lat)])
    a, b = ic_idx[:-1], ic_idx[1:]
    return (c[b] - c[a]) / (b - a)


def test_xsens_trunk_accelerates_away_from_the_stance_side(shared_data):
    """The side convention, from real data alone: over the step after a left heel strike the
    lower back accelerates to the right (the ground pushes the pelvis back toward the midline;
    the pelvis' roll toward the stance side is smaller), and to the left after a right one.
    Measured on the Xsens recordings (+Y = left, right-hand frame with X up the spine and Z out
    of the back): 98.7 % of 308 steps, mean -0.30 m/s^2 after left contacts, +0.41 after right."""
    signs = []
    for trial in TRIALS:
        t, acc, ref = _xsens_lb(shared_data, trial)
        left = np.asarray(ref["LeftFootEvents"], dtype=int)[:, 1]
        right = np.asarray(ref["RightFootEvents"], dtype=int)[:, 1]
        hs = np.concatenate([left, right]) - int(round(t[0] * 100))
        side = np.concatenate([np.ones(left.size), -np.ones(right.size)])  # +1 left
        order = np.argsort(hs)
        hs, side = hs[order], side[order]
        # contacts one step apart (not across the U-turn or the end of the walk)
        m = _step_mean_lateral(acc @ XSENS_LEFT, hs)
        one_step = np.diff(hs) < 80
        signs.append(-np.sign(m[one_step]) == side[:-1][one_step])
    signs = np.concatenate(signs)
    assert signs.size > 250
    assert signs.mean() >= 0.9


def test_simulated_lumbar_follows_the_real_side_convention():
    """The simulator's trunk obeys the convention pinned on real data above, so the detector's
    sides are right on simulated runs given the sensor's left axis (measured 100 %)."""
    sim = simulate_run(duration_s=120.0, placement="lumbar", sampling_rate_hz=100.0, course="flat", seed=2)
    rec = sim.recording
    acc = acc_array(rec)
    left_axis = sim.sensor_rotation[""] @ np.array([0.0, 1.0, 0.0])
    ic = np.searchsorted(rec.time_s, sim.truth["time_s"].to_numpy())
    is_left = (sim.truth["foot"] == "left").to_numpy()
    m = _step_mean_lateral(acc @ left_axis, ic)
    assert np.mean(m[is_left[:-1]] < 0) >= 0.95 and np.mean(m[~is_left[:-1]] > 0) >= 0.95
    ev, _ = detect_lumbar_events(rec.time_s, acc, 100.0, ml_axis_left=left_axis)
    truth_t = sim.truth["time_s"].to_numpy()
    err, idx = _nearest(ev["time_s"].to_numpy(), truth_t)
    ok = np.abs(err) <= 0.02
    found = ev["foot"].to_numpy()[idx[ok]]
    assert np.mean(found == sim.truth["foot"].to_numpy()[ok]) >= 0.95


def _sim_scores(fs, course, seed, duration_s=300.0):
    sim = simulate_run(duration_s=duration_s, placement="lumbar", sampling_rate_hz=fs, course=course, seed=seed)
    rec = sim.recording
    acc = acc_array(rec)
    ev = pd.concat([detect_lumbar_events(rec.time_s[a:b], acc[a:b], fs)[0]
                    for a, b in contiguous_segments(rec.time_s, rec.gaps_s)])
    truth = sim.truth["time_s"].to_numpy()
    err, idx = _nearest(ev["time_s"].to_numpy(), truth)
    ok = np.abs(err) <= 0.020
    tp = np.unique(idx[ok]).size
    p, r = tp / len(ev), tp / truth.size
    return 2 * p * r / (p + r), err[ok]


@pytest.mark.parametrize("fs", [100.0, 400.0])
@pytest.mark.parametrize("course,seed", [("flat", 2), ("hilly", 1)])
def test_simulated_running_ic_within_20ms(fs, course, seed):
    """Running with a flight phase: IC F1 >= 0.99 within 20 ms at 100 and 400 Hz (measured
    0.997-0.999), bias within 5 ms."""
    f1, err = _sim_scores(fs, course, seed)
    assert f1 >= 0.99
    assert abs(np.median(err)) <= 0.005


def test_simulated_grounded_uphill_running():
    """A hilly run whose steep climbs have no flight phase (contact longer than the step): the
    impact transient on the previous pulse's falling edge keeps IC F1 >= 0.96 at 100 Hz
    (measured 0.97; 0.98 at 400 Hz)."""
    f1, _ = _sim_scores(100.0, "hilly", 0, duration_s=600.0)
    assert f1 >= 0.96


def test_xsens_walking_any_mounting_and_hard_subjects(shared_data):
    """Walking ICs on the two subjects whose vertical-jerk ICs were 60-100 ms early (4 and 8:
    recall 0.16 and 0.20 within 60 ms; trials 1-3 here): >= 0.8 now (measured 0.89 and 0.82), and the same
    contacts from a randomly rotated sensor (the forward axis and its sign come from the signal,
    not from the mounting)."""
    from scipy.spatial.transform import Rotation

    rng = np.random.default_rng(3)
    for subject in (4, 8):
        found = n = 0
        for k in (1, 2, 3):
            t, acc, ref = _xsens_lb(shared_data, f"{subject}-{k}")
            hs = np.concatenate([np.asarray(ref[f"{s}FootEvents"], dtype=float)[:, 1] for s in ("Left", "Right")]) / 100
            ev, _ = detect_lumbar_events(t, acc, 100.0)
            rot = Rotation.random(random_state=rng).as_matrix()
            ev_rot, _ = detect_lumbar_events(t, acc @ rot.T, 100.0)
            np.testing.assert_allclose(ev_rot["time_s"], ev["time_s"], atol=1e-6)
            err, _ = _nearest(ev["time_s"].to_numpy(), hs)
            found += int(np.sum(np.abs(err) <= 0.06))
            n += hs.size
        assert found / n >= 0.8, (subject, found / n)


@pytest.mark.slow
def test_xsens_walking_every_subject(shared_data):
    """All 9 Xsens subjects, scored as benchmarks/validate.py does (one-to-one within 60 ms,
    detections in the references' gaps not counted): heel-strike recall >= 0.85 and precision
    >= 0.90 over all (measured 0.887 / 0.938), and no subject below 0.75 in either (measured
    worst: subject 8, 0.819 / 0.876)."""
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "gaitload_validate", Path(__file__).resolve().parents[2] / "benchmarks" / "validate.py")
    v = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = v  # its dataclasses look their module up
    try:
        spec.loader.exec_module(v)
    finally:
        sys.modules.pop(spec.name, None)
    by, total = {}, v.Score()
    for tr in v.xsens_trials(shared_data):
        t, acc, _ = tr["sensors"]["lb"]
        ev, _ = detect_lumbar_events(t, acc, 100.0)
        hs = np.concatenate([tr["left_hs"], tr["right_hs"]])
        m = v.match(ev["time_s"].to_numpy(), hs, v.WALK_TOL_S, tr["span"], v.reference_gaps(hs))
        by.setdefault(tr["subject"], v.Score()).add(m)
        total.add(m)
    assert total.recall >= 0.85 and total.precision >= 0.90, (total.recall, total.precision)
    worst = {s: (round(sc.recall, 3), round(sc.precision, 3)) for s, sc in by.items()
             if min(sc.recall, sc.precision) < 0.75}
    assert len(by) == 9 and not worst, worst
