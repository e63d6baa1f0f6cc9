"""Classes stage: uphill / flat / downhill with hysteresis and a minimum length."""

from __future__ import annotations

import numpy as np

from gaitload.terrain import classify_grade


def test_classify_hysteresis_and_min_length():
    d = np.arange(0, 1000.0, 5.0)
    g = np.full(d.size, 5.0)
    g[40:80] = 1.9  # just under the band after an uphill: stays uphill (dead band 1.75-2.25)
    g[80:150] = 0.0
    g[125:128] = 6.0  # 15 m blip: merged into flat
    g[150:] = -5.0
    c = classify_grade(g, d, flat_band_pct=2.0, hysteresis_pct=0.5, min_segment_m=50.0)
    assert (c[:80] == "uphill").all()
    assert (c[80:150] == "flat").all()
    assert (c[150:] == "downhill").all()
    raw = classify_grade(g, None, flat_band_pct=2.0, hysteresis_pct=0.0, min_segment_m=0.0)
    assert (raw[40:80] == "flat").all() and (raw[125:128] == "uphill").all()
