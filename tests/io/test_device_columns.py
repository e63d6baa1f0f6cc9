"""The device's own per-step measurements win over estimates (foot strike, contact time, impact),
and device CSV exports are read with their names and units.

Ground truth: the values written into each file (a RunScribe-layout per-stride export and a
Garmin running-dynamics table built here; the real Stryd PowerCenter exports)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gaitload
from gaitload.events.records import strike_from_footstrike_type


def _runscribe_csv(path, minutes=10.0, left_strike=4, right_strike=12):
    """A per-stride export in RunScribe's dashboard layout: names, then a row of units
    (``(mi)``, ``(ft)``, ``(mi/min)``, ``s/min``...), one row per stride with both pods' values."""
    rng = np.random.default_rng(7)
    stride_s = 60.0 / 85.0  # 85 strides/min = 170 steps/min
    t = np.arange(0.0, minutes * 60.0, stride_s)
    speed = 3.0 + 0.05 * rng.standard_normal(t.size)  # m/s
    dist_mi = np.cumsum(speed * stride_s) / 1609.344
    lines = ["Timestamp,Distance,Pace,Stride Rate,Contact Time L,Contact Time R,Footstrike Type L,Footstrike Type R,"
             "Impact Gs L,Impact Gs R,Braking Gs L,Braking Gs R,Pronation Excursion L,Pronation Excursion R,"
             "Stride Length,Elevation",
             "(s),(mi),(mi/min),s/min,(ms),(ms),,,(g),(g),(g),(g),(deg),(deg),(ft),(ft)"]
    for i in range(t.size):
        lines.append(",".join([
            f"{t[i]:.3f}", f"{dist_mi[i]:.5f}", f"{speed[i] * 60 / 1609.344:.4f}", f"{170 + rng.integers(-3, 4)}",
            f"{245 + rng.integers(-8, 9)}", f"{225 + rng.integers(-8, 9)}", str(left_strike), str(right_strike),
            f"{10.5 + rng.normal(0, .5):.1f}", f"{8.0 + rng.normal(0, .5):.1f}", f"{9.8 + rng.normal(0, .4):.1f}",
            f"{7.1 + rng.normal(0, .4):.1f}", f"{-9.5 + rng.normal(0, 1):.1f}", f"{-11.2 + rng.normal(0, 1):.1f}",
            f"{speed[i] * stride_s / 0.3048:.2f}", f"{150 + 0.02 * i:.1f}"]))
    path.write_text("\n".join(lines) + "\n")
    return path, float(dist_mi[-1] * 1609.344)


def test_runscribe_per_stride_export_is_read_with_its_units(tmp_path):
    path, metres = _runscribe_csv(tmp_path / "runscribe.csv")
    rec = gaitload.read(path)
    assert rec.placement == "records"
    assert rec.channels["distance"][-1] == pytest.approx(metres, rel=1e-4)  # miles -> m
    assert np.nanmedian(rec.channels["speed"]) == pytest.approx(3.0, rel=0.01)  # mi/min -> m/s
    assert np.nanmedian(rec.channels["cadence"]) == pytest.approx(170, abs=2)  # s/min: steps, by the data
    assert np.nanmedian(rec.channels["contact_time_left"]) == pytest.approx(0.245, abs=0.004)  # ms -> s
    assert np.nanmedian(rec.channels["stride_length"]) == pytest.approx(3.0 * 60 / 85, rel=0.01)  # ft -> m
    assert rec.metadata["units"]["altitude"]["unit"] == "ft"
    assert set(rec.channels) >= {"footstrike_type_left", "footstrike_type_right", "impact_g_left", "braking_g_right"}


def test_runscribe_strike_and_contact_go_to_that_foots_steps(tmp_path):
    path, _ = _runscribe_csv(tmp_path / "runscribe.csv", left_strike=4, right_strike=12)
    analysis = gaitload.analyze(path)
    steps, summary = analysis.steps, analysis.summary
    left, right = steps["foot"] == "left", steps["foot"] == "right"
    assert left.sum() == pytest.approx(right.sum(), abs=1) and left.sum() + right.sum() == len(steps)
    # 4 is rearfoot, 12 forefoot on RunScribe's 1-16 scale
    assert (steps.loc[left, "strike_pattern"] == "rearfoot").all()
    assert (steps.loc[right, "strike_pattern"] == "forefoot").all()
    assert steps["strike_measured"].all()
    assert summary["strike_pattern_fraction"]["rearfoot"] == pytest.approx(0.5, abs=0.01)
    assert summary["strike_pattern_fraction"]["forefoot"] == pytest.approx(0.5, abs=0.01)
    assert steps.loc[left, "contact_time_ms"].median() == pytest.approx(245, abs=4)
    assert steps.loc[right, "contact_time_ms"].median() == pytest.approx(225, abs=4)
    assert steps.loc[left, "impact_g"].median() == pytest.approx(10.5, abs=0.3)
    assert steps.loc[right, "braking_g"].median() == pytest.approx(7.1, abs=0.3)
    assert "footstrike type" in summary["provenance"]["step_columns"]["strike_pattern"]
    assert "Contact Time L (ms)" in summary["provenance"]["step_columns"]["contact_time_ms"]
    assert not any(w.startswith("no strike information") for w in summary["warnings"])
    assert summary["cadence_source"] == "measured"
    assert summary["avg_cadence_spm"] == pytest.approx(170, abs=2)


def test_footstrike_type_scale():
    values = np.array([1, 5, 6, 10, 11, 16, 0, 17, np.nan, 5.4, 10.6])
    assert list(strike_from_footstrike_type(values)) == [
        "rearfoot", "rearfoot", "midfoot", "midfoot", "forefoot", "forefoot", "unknown", "unknown", "unknown",
        "rearfoot", "forefoot"]


def _garmin_dynamics_csv(path, vo_scale=1.0):
    """A Garmin running-dynamics table as Connect IQ / HRM-Pro exports name it: cadence in
    strides/min under ``hrm_cadence``, ``hrm_stance_time`` in ms, oscillation in mm (x vo_scale)."""
    n = 600
    t = 1_700_000_000 + np.arange(n)
    frame = pd.DataFrame({"timestamp": t, "speed": 3.2, "distance": 3.2 * np.arange(n),
                          "hrm_cadence": 86.0, "hrm_stance_time": 232.0,
                          "hrm_vertical_oscillation": 84.0 * vo_scale, "heart_rate": 150})
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("vo_scale, unit", [(1.0, "mm"), (0.1, "cm")])
def test_garmin_running_dynamics_names(tmp_path, vo_scale, unit):
    path = _garmin_dynamics_csv(tmp_path / "dynamics.csv", vo_scale)
    rec = gaitload.read(path)
    assert np.nanmedian(rec.channels["cadence"]) == pytest.approx(172)  # strides/min doubled
    assert np.nanmedian(rec.channels["contact_time"]) == pytest.approx(0.232)
    assert np.nanmedian(rec.channels["vertical_oscillation"]) == pytest.approx(0.084)  # decided by the data
    assert rec.metadata["units"]["vertical_oscillation"]["unit"] == unit
    analysis = gaitload.analyze(path)
    assert analysis.steps["contact_time_ms"].median() == pytest.approx(232)
    assert analysis.steps["vertical_oscillation_mm"].median() == pytest.approx(84)
    assert analysis.summary["avg_heart_rate"] == pytest.approx(150)


def test_stryd_ground_time_and_power_per_kg(shared_data):
    """A real Stryd PowerCenter export: each step's contact time is the pod's ``Ground Time (ms)``
    in force at that step; ``Power (w/kg)`` is not watts."""
    path = shared_data / "stryder-stryd-exports/assets/demo_run_files/stryd/5608414928863232.csv"
    raw = pd.read_csv(path)
    analysis = gaitload.analyze(path)
    steps = analysis.steps
    rec = analysis.recording
    idx = np.searchsorted(rec.time_s, steps["time_s"].to_numpy(), side="right") - 1
    expected = raw["Ground Time (ms)"].to_numpy(dtype=float)[idx]
    ok = (expected > 0) & (expected < 2000)
    assert np.allclose(steps["contact_time_ms"].to_numpy()[ok], expected[ok])
    assert "Ground Time (ms)" in analysis.summary["provenance"]["step_columns"]["contact_time_ms"]
    assert "power" not in rec.channels and "power_per_kg" in rec.channels
    assert analysis.summary["avg_power_w"] is None


def test_estimated_cadence_is_said_to_be_estimated(tmp_path):
    """Records with speed but no cadence: the cadence is a model's, and every output says so."""
    from gaitload.cli import _print_human

    n = 900
    frame = pd.DataFrame({"time": np.arange(n, dtype=float), "distance": 3.0 * np.arange(n),
                          "altitude": 100 + 0.02 * np.arange(n)})
    path = tmp_path / "no_cadence.csv"
    frame.to_csv(path, index=False)
    analysis = gaitload.analyze(path)
    assert analysis.summary["cadence_source"] == "estimated"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_human(analysis.summary)
    text = out.getvalue()
    assert "average cadence" in text and "(estimated from speed)" in text.splitlines()[1]
    fig = analysis.plot()
    ax = next(a for a in fig.axes if a.get_label() == "cadence")
    assert "estimated" in ax.get_title(loc="left")
    assert not any(line.get_label() == "per step" for line in ax.get_lines())


def _runscribe_fit(path, n=300, strike=(4, 12)):
    """A FIT run whose foot pods wrote RunScribe-style developer fields per foot."""
    import datetime

    from fit_tool.base_type import BaseType
    from fit_tool.developer_field import DeveloperField
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.developer_data_id_message import DeveloperDataIdMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.field_description_message import FieldDescriptionMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer, Sport

    t0 = round(datetime.datetime(2024, 5, 1, 8, 0, tzinfo=datetime.timezone.utc).timestamp()) * 1000
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    msg = FileIdMessage()
    msg.type, msg.manufacturer, msg.product, msg.time_created, msg.serial_number = (
        FileType.ACTIVITY, Manufacturer.DEVELOPMENT.value, 0, t0, 1)
    builder.add(msg)
    dev = DeveloperDataIdMessage()
    dev.developer_data_index, dev.application_id = 0, [1] * 16
    builder.add(dev)
    fields = [("Footstrike Type L", "", strike[0]), ("Footstrike Type R", "", strike[1]),
              ("Impact Gs L", "G", 10.5), ("Impact Gs R", "G", 8.0)]
    for i, (name, units, _) in enumerate(fields):
        desc = FieldDescriptionMessage()
        desc.developer_data_index, desc.field_definition_number = 0, i
        desc.fit_base_type_id, desc.field_name, desc.units = BaseType.FLOAT32.value, name, units
        builder.add(desc)
    event = EventMessage()
    event.event, event.event_type, event.timestamp = Event.TIMER, EventType.START, t0
    builder.add(event)
    for k in range(n):
        rec = RecordMessage()
        rec.timestamp, rec.distance, rec.speed, rec.cadence = t0 + 1000 * k, 3.0 * k, 3.0, 85
        values = []
        for i, (name, units, value) in enumerate(fields):
            field = DeveloperField(field_id=i, name=name, base_type=BaseType.FLOAT32, units=units,
                                   developer_data_index=0, size=4)
            field.set_value(0, float(value))
            values.append(field)
        rec.developer_fields = values
        builder.add(rec)
    session = SessionMessage()
    session.timestamp, session.start_time, session.sport = t0 + 1000 * (n - 1), t0, Sport.RUNNING
    session.total_elapsed_time = session.total_timer_time = n - 1
    session.total_distance = 3.0 * (n - 1)
    builder.add(session)
    builder.build().to_file(str(path))
    return path


def test_fit_per_foot_developer_fields_are_not_averaged(tmp_path):
    """Footstrike 4 (rearfoot) on the left and 12 (forefoot) on the right: each foot's steps get
    their own pattern; averaged they would read 8, a midfoot strike neither foot made."""
    pytest.importorskip("fit_tool")
    path = _runscribe_fit(tmp_path / "runscribe.fit")
    rec = gaitload.read(path)
    assert {"footstrike_type_left", "footstrike_type_right", "impact_g_left", "impact_g_right"} <= set(rec.channels)
    assert "footstrike_type" not in rec.channels
    analysis = gaitload.analyze(path)
    steps = analysis.steps
    assert set(steps.loc[steps["foot"] == "left", "strike_pattern"]) == {"rearfoot"}
    assert set(steps.loc[steps["foot"] == "right", "strike_pattern"]) == {"forefoot"}
    assert analysis.summary["strike_pattern_fraction"]["midfoot"] == 0.0
    assert steps.loc[steps["foot"] == "left", "impact_g"].eq(10.5).all()
    assert "Footstrike Type L" in analysis.summary["provenance"]["step_columns"]["footstrike_type"]
