"""Real FIT activity files written with fit-tool, for the tests that need a shape ../shared lacks
(several sessions, a developer field with no name, a clock that jumps before the GPS fix)."""

from __future__ import annotations

import pytest


def write_fit(path, sessions, *, nameless_dev_field=True, clock_offsets=None, first_session_late_s=0):
    """``sessions``: (FIT sport, start POSIX s, n records at 1 Hz, speed m/s). ``clock_offsets``:
    seconds added to the first records' times (a device clock wrong until the GPS fix);
    ``first_session_late_s``: the first session's start_time is that much after its first record
    (a watch that dates the session when the fix comes)."""
    pytest.importorskip("fit_tool")
    from fit_tool.base_type import BaseType
    from fit_tool.developer_field import DeveloperField
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.developer_data_id_message import DeveloperDataIdMessage
    from fit_tool.profile.messages.field_description_message import FieldDescriptionMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer

    b = FitFileBuilder(auto_define=True, min_string_size=50)
    m = FileIdMessage()
    m.type, m.manufacturer, m.product = FileType.ACTIVITY, Manufacturer.DEVELOPMENT.value, 0
    m.time_created, m.serial_number = sessions[0][1] * 1000, 1
    b.add(m)
    if nameless_dev_field:
        d = DeveloperDataIdMessage()
        d.developer_data_index, d.application_id = 0, bytes(16)
        b.add(d)
        f = FieldDescriptionMessage()  # no field_name, no units: as RunScribe writes some
        f.developer_data_index, f.field_definition_number, f.fit_base_type_id = 0, 0, 0x02
        b.add(f)
    k = 0
    for sport, t0, n, speed in sessions:
        for i in range(n):
            r = RecordMessage()
            shift = clock_offsets[k] if clock_offsets is not None and k < len(clock_offsets) else 0
            r.timestamp = (t0 + i + shift) * 1000
            r.distance, r.speed, r.cadence = speed * i, speed, 85
            if nameless_dev_field:
                r.developer_fields = [DeveloperField(field_id=0, developer_data_index=0, base_type=BaseType.UINT8,
                                                     size=1)]
                r.developer_fields[0].set_value(0, 7)
            b.add(r)
            k += 1
    for i, (sport, t0, n, speed) in enumerate(sessions):
        late = first_session_late_s if i == 0 else 0
        s = SessionMessage()
        s.timestamp, s.start_time, s.sport = (t0 + n - 1) * 1000, (t0 + late) * 1000, sport
        s.total_elapsed_time = s.total_timer_time = n - 1 - late
        s.total_distance = speed * (n - 1)
        b.add(s)
    path.write_bytes(b.build().to_bytes())
    return path
