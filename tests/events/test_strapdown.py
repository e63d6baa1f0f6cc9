"""Strapdown stride length / rise with zero-velocity updates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaitload.events.foot import detect_foot_events
from gaitload.events.strapdown import quat_multiply, quat_rotate, stride_displacement

G = 9.80665


def _synthetic_stride(fs, length_m, rise_m, heading_rad=0.7, duration_s=1.0, n_strides=3, mount=(0.3, -0.2, 2.0)):
    """Sensor moving by (length, rise) per stride with minimum-jerk profiles while pitching.

    Exact kinematics: body-frame specific force = R^T (a_world + g), body rate from the attitude
    derivative, sampled at ``fs``; the sensor sits on the foot with an arbitrary mount rotation.
    """
    n = int(round(duration_s * fs))
    tau = np.arange(n) / n
    s = 10 * tau**3 - 15 * tau**4 + 6 * tau**5          # minimum-jerk position 0..1
    sdd = (60 * tau - 180 * tau**2 + 120 * tau**3) / duration_s**2
    pos_dd = np.zeros((n, 3))
    pos_dd[:, 0] = length_m * np.cos(heading_rad) * sdd
    pos_dd[:, 1] = length_m * np.sin(heading_rad) * sdd
    pos_dd[:, 2] = rise_m * sdd
    pitch = 0.6 * np.sin(np.pi * tau) ** 2 * np.sin(2 * np.pi * tau)  # foot flat at both ends
    # attitude: heading yaw, then pitch about the foot's lateral axis, then the fixed mount
    def q_axis(ax, ang):
        ang = np.broadcast_to(ang, (n,))
        return np.column_stack([np.cos(ang / 2), *(np.sin(ang / 2)[None, :] * np.asarray(ax)[:, None])])
    mount_ang = np.linalg.norm(mount)
    q_mount = q_axis(np.asarray(mount) / mount_ang, np.full(n, mount_ang))
    q = quat_multiply(quat_multiply(q_axis([0, 0, 1], np.full(n, heading_rad)), q_axis([0, 1, 0], pitch)), q_mount)
    conj = q * np.array([1, -1, -1, -1])
    f_world = pos_dd + np.array([0, 0, G])
    acc = quat_rotate(conj, f_world)
    # body angular rate = R_mount^T * (pitch rate about y)
    dpitch = np.gradient(pitch, 1 / fs)
    w_foot = np.column_stack([np.zeros(n), dpitch, np.zeros(n)])
    w_body = quat_rotate(q_mount * np.array([1, -1, -1, -1]), w_foot)
    # 0.1 s of foot-flat rest (the zero-velocity phase) before each movement
    n_rest = int(round(0.1 * fs))
    acc = np.vstack([np.tile(acc[:1], (n_rest, 1)), acc])
    gyr = np.vstack([np.zeros((n_rest, 3)), w_body])
    acc = np.vstack([np.tile(acc, (n_strides, 1)), np.tile(acc[:1], (n_rest, 1))])
    gyr = np.vstack([np.tile(gyr, (n_strides, 1)), np.zeros((n_rest, 3))])
    starts = np.arange(n_strides) * (n + n_rest) + n_rest // 2
    return acc, gyr, starts, starts + n + n_rest


@pytest.mark.parametrize("fs", [100.0, 400.0])
@pytest.mark.parametrize("length_m, rise_m", [(1.4, 0.0), (2.5, 0.25), (2.0, -0.3)])
def test_synthetic_strides_recovered(fs, length_m, rise_m):
    acc, gyr, s, e = _synthetic_stride(fs, length_m, rise_m)
    out = stride_displacement(acc, gyr, fs, s, e)
    np.testing.assert_allclose(out["length_m"], length_m, atol=0.01 * length_m + 0.005)
    np.testing.assert_allclose(out["rise_m"], rise_m, atol=0.01)
    np.testing.assert_allclose(out["speed_mps"], length_m / 1.1, rtol=0.02)  # 1.1 s strides


def test_straight_pitching_strides_keep_one_heading():
    """Strides that only pitch (foot flat at both ends) do not turn: one heading for all of them."""
    acc, gyr, s, e = _synthetic_stride(200.0, 1.4, 0.1, n_strides=4)
    out = stride_displacement(acc, gyr, 200.0, s, e)
    assert np.isfinite(out["heading_rad"]).all()
    assert np.ptp(np.rad2deg(np.unwrap(out["heading_rad"]))) < 1.0


def test_zupt_removes_accelerometer_bias():
    """A constant 0.1 m/s^2 accelerometer bias: the ZUPT ramp keeps the error to a few cm."""
    acc, gyr, s, e = _synthetic_stride(200.0, 2.0, 0.2)
    out = stride_displacement(acc + np.array([0.1, -0.1, 0.05]), gyr, 200.0, s, e)
    assert np.all(np.abs(out["length_m"] - 2.0) < 0.04)
    assert np.all(np.abs(out["rise_m"] - 0.2) < 0.04)


def test_invalid_strides_are_nan():
    acc, gyr, s, e = _synthetic_stride(100.0, 1.4, 0.0)
    out = stride_displacement(acc, gyr, 100.0, np.array([-1, 0, 10]), np.array([50, 10_000, 500]), max_stride_s=3.0)
    assert np.isnan(out["length_m"]).all()


def test_gaitmap_stride_length_vs_mocap(shared_data):
    """Stride length of level walking vs the motion-capture positions of gaitmap."""
    d = shared_data / "gaitmap-example-data" / "example_data"
    fs = 204.8
    df = pd.read_csv(d / "imu_sample.csv", header=[0, 1], index_col=0)
    ref = pd.read_csv(d / "stride_events_sample.csv")
    pos = pd.read_csv(d / "position_sample.csv")
    pos = pos.rename(columns={pos.columns[0]: "sensor"})
    final = pos.groupby("s_id").tail(1).set_index("s_id")
    ref_len = np.hypot(final.pos_x, final.pos_y)
    errs, rises = [], []
    for side in ("left", "right"):
        s = f"{side}_sensor"
        acc = df[s][["acc_x", "acc_y", "acc_z"]].to_numpy()
        gyr = np.deg2rad(df[s][["gyr_x", "gyr_y", "gyr_z"]].to_numpy())
        ev, _ = detect_foot_events(np.arange(len(acc)) / fs, acc, gyr, fs)
        r = ref[ref.foot == side]
        for _, row in ev.dropna(subset=["stride_length_m"]).iterrows():
            k = np.argmin(np.abs(r.ic.to_numpy() / fs - row.time_s))
            if abs(r.ic.iloc[k] / fs - row.time_s) > 0.05:
                continue
            sid = int(r.s_id.iloc[k])
            if ref_len[sid] < 1.0:  # the turn strides, labelled as one merged stride
                continue
            errs.append(row.stride_length_m - ref_len[sid])
            rises.append(row.stride_rise_m)
    errs = np.asarray(errs)
    assert errs.size >= 40
    assert abs(np.median(errs)) < 0.05
    assert np.median(np.abs(errs)) < 0.06
    assert np.percentile(np.abs(errs), 90) < 0.12
    # level floor: the rise stays within a few centimetres
    assert np.median(np.abs(rises)) < 0.05


def _sequential_product(dq):
    """Reference: running quaternion product along axis 1, one sample at a time."""
    out = dq.copy()
    for j in range(1, dq.shape[1]):
        out[:, j] = quat_multiply(out[:, j - 1], dq[:, j])
    return out


@pytest.mark.parametrize("width", [1, 2, 15, 16, 17, 100, 257])
def test_block_scan_equals_sequential_product(width):
    """The two-level block scan (products inside blocks, block totals scanned) composes to the
    plain running product (to rounding)."""
    from gaitload.events.strapdown import _SCAN_BLOCK, _block_scan, _prefix_product

    rng = np.random.default_rng(width)
    ang = rng.uniform(0.0, 0.3, size=(7, width))
    ax = rng.normal(size=(7, width, 3))
    ax /= np.linalg.norm(ax, axis=-1, keepdims=True)
    dq = np.concatenate([np.cos(ang)[..., None], np.sin(ang)[..., None] * ax], axis=-1)
    ref = _sequential_product(dq)
    nb = -(-width // _SCAN_BLOCK)
    padded = np.zeros((7, nb * _SCAN_BLOCK, 4))
    padded[..., 0] = 1.0  # identity rotations after the last sample
    padded[:, :width] = dq
    # [stride, b * block + j, component] -> [component, j, b, stride]
    inner, total = _block_scan(np.ascontiguousarray(padded.reshape(7, nb, _SCAN_BLOCK, 4).transpose(3, 2, 1, 0)))
    carry = np.concatenate([np.broadcast_to([1.0, 0.0, 0.0, 0.0], (1, 7, 4)),
                            np.moveaxis(total[:, :-1], 0, -1)])  # [b, stride, component]
    body = np.moveaxis(inner, 0, -1).transpose(1, 0, 2, 3)  # [b, j, stride, component]
    got = quat_multiply(carry[:, None], body).reshape(nb * _SCAN_BLOCK, 7, 4).transpose(1, 0, 2)[:, :width]
    np.testing.assert_allclose(got, ref, atol=1e-13)
    np.testing.assert_allclose(np.moveaxis(total[:, -1], 0, -1), ref[:, -1], atol=1e-13)
    np.testing.assert_allclose(_prefix_product(dq), ref, atol=1e-13)


def _displacement_reference(acc, gyr, fs, s, e, half):
    """Textbook strapdown of one stride: per-sample quaternion update, trapezoidal velocity,
    linear ZUPT ramp, trapezoidal position (plain loops, the definition the fast code must meet)."""
    from gaitload.events.strapdown import gravity_alignment

    dt = 1.0 / fs
    rest = acc[max(s - half, 0):s + half + 1].mean(axis=0)
    q = gravity_alignment(rest[None, :])[0]
    a_w = [quat_rotate(q, acc[s]) - np.array([0, 0, np.linalg.norm(rest)])]
    for i in range(s + 1, e + 1):
        wm = 0.5 * (gyr[i] + gyr[i - 1])
        ang = np.linalg.norm(wm) * dt
        ax = wm / max(np.linalg.norm(wm), 1e-12)
        q = quat_multiply(q, np.concatenate([[np.cos(ang / 2)], np.sin(ang / 2) * ax]))
        a_w.append(quat_rotate(q, acc[i]) - np.array([0, 0, np.linalg.norm(rest)]))
    a_w = np.array(a_w)
    v = np.vstack([np.zeros(3), np.cumsum(0.5 * (a_w[1:] + a_w[:-1]) * dt, axis=0)])
    v -= np.linspace(0.0, 1.0, len(v))[:, None] * v[-1]
    p = np.sum(0.5 * (v[1:] + v[:-1]) * dt, axis=0)
    return p


@pytest.mark.parametrize("rate_scale", [1.0, 40.0])
def test_stride_displacement_matches_textbook_loop(rate_scale):
    """Chunked, sorted, weighted-sum implementation equals the sample-by-sample definition on
    a noisy recording with strides of very different lengths (chunks and padding differ); at
    40x the rate (up to ~150 rad/s) some increments turn by more than the sine and cosine
    series cover, and those fall back to the functions themselves."""
    rng = np.random.default_rng(3)
    fs, n = 200.0, 3000
    t = np.arange(n) / fs
    gyr = np.column_stack([np.sin(2 * np.pi * 1.3 * t), 3 * np.sin(2 * np.pi * 0.9 * t + 1), 0.5 * np.cos(5 * t)])
    gyr += 0.2 * rng.normal(size=(n, 3))
    gyr *= rate_scale
    acc = np.array([0.5, -1.0, 9.6]) + 2.0 * rng.normal(size=(n, 3))
    s = np.array([1, 100, 400, 402, 1000, 1500, 2000, 2500])
    e = np.array([90, 700, 460, 1100, 1150, 2100, 2300, 2999])
    out = stride_displacement(acc, gyr, fs, s, e, max_stride_s=5.0)
    half = int(round(0.02 * fs))
    for i in range(s.size):
        p = _displacement_reference(acc, gyr, fs, s[i], e[i], half)
        np.testing.assert_allclose([out["dx_m"][i], out["dy_m"][i], out["rise_m"][i]], p, atol=1e-9)
        assert out["length_m"][i] == pytest.approx(np.hypot(p[0], p[1]), abs=1e-9)
        assert out["speed_mps"][i] == pytest.approx(np.hypot(p[0], p[1]) / ((e[i] - s[i]) / fs), abs=1e-9)


def test_stride_displacement_recording_shorter_than_padded_window():
    """A stride covering nearly all of a short recording: its window, padded to whole scan
    blocks, runs past the end of the recording (gathered sample by sample); the result still
    equals the sample-by-sample definition."""
    rng = np.random.default_rng(5)
    fs, n = 100.0, 46
    t = np.arange(n) / fs
    gyr = np.column_stack([np.sin(2 * np.pi * 1.3 * t), 3 * np.sin(2 * np.pi * 0.9 * t + 1), 0.5 * np.cos(5 * t)])
    acc = np.array([0.5, -1.0, 9.6]) + 2.0 * rng.normal(size=(n, 3))
    s, e = np.array([0, 3]), np.array([44, 45])  # 45 and 43 samples: 48 padded > 46
    out = stride_displacement(acc, gyr, fs, s, e)
    half = int(round(0.02 * fs))
    for i in range(s.size):
        p = _displacement_reference(acc, gyr, fs, s[i], e[i], half)
        np.testing.assert_allclose([out["dx_m"][i], out["dy_m"][i], out["rise_m"][i]], p, atol=1e-9)
