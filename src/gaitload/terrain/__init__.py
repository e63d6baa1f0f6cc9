"""Terrain under every foot strike: distance, robust grade, uphill/flat/downhill segments, climbs.

One module per stage: ``distance``, ``altitude`` (cleaning), ``smoothing``, ``grade``,
``classes`` (classes and segments), ``gain``, ``climbs``; ``compute`` runs them in order.

Pipeline (one direction, vectorised over whole arrays, cost linear in recording length):

1. **Distance** from the best source present (:func:`cumulative_distance`): the device's distance
   channel (monotonic repair), the integral of the speed channel (trapezoid), GPS track length
   (position jumps faster than ``max_speed_mps`` rejected, the track smoothed against jitter
   over ``gps_track_cutoff_s`` before it is measured, the fix's move across a pause not counted:
   a sampling gap the fix crossed by drift or at under ``gps_pause_speed_ratio`` of the pace around it;
   also when a reader summed the positions itself, ``metadata["distance_source"] ==
   "positions"``), or the cumulative foot-IMU stride length of the steps table. Speed is
   derived here too, once (:func:`recording_speed`): the file's speed, else the derivative of
   this distance.
2. **Altitude on a distance grid** (every ``grid_step_m``): only samples taken while moving
   (distance grows, speed above ``standstill_speed_mps``) enter, so pauses and standstill never
   create grade. Sentinels (-500 m, 0-dropouts, constant channels) are refused, GPS spikes are
   rejected against a running median (|residual| > ``spike_k_sigma`` robust sigmas) and
   steps (an altitude jump with no matching distance change) are taken out of the grade profile;
   across a pause a change that could have been walked (slower than ``max_vertical_speed_mps``,
   faster than weather drift, with the fix moved) is kept for the gain: the runner climbed while
   the watch was paused.
3. **Grade**. Barometric altitude (sigma_h ~0.1-0.5 m): the least-squares slope of altitude
   over a window centred on each grid point (the first-derivative Savitzky-Golay filter of
   Savitzky & Golay 1964, as a weighted local linear regression so gaps carry no weight), the
   window chosen per point between 20 m and ``window_m`` (100 m) by the intersection of
   confidence intervals rule (Katkovnik 1999) from the altitude's measured noise: long on steady
   grades and flat noise (literature.md 4.3: sigma_grade ~ sqrt(2) sigma_h / window, 0.7 % at
   100 m), short at a short steep pitch (a 50 m ramp at 30 % reads ~30 %, not ~22 %). GPS altitude (sigma_h ~3-5 m, correlated over 30-60 s, i.e. over 100-200 m of
   running): a window long enough to bring that below 2 % (>= 400 m) flattens every hill shorter
   than itself and smears the grade across the foot and the top of each climb, which alone cost
   1-2 points of RMSE and 3-6 % of class agreement on road-like courses without any noise. GPS
   altitude therefore goes through an **L1 trend filter** (Kim, Koh, Boyd & Gorinevsky 2009):
   the piecewise-linear altitude with few kinks, i.e. piecewise-constant grade, which is how
   roads and paths are laid out (constant-grade tangents joined by short vertical curves). Its
   kink penalty is scaled down when the residual noise is low; a light Whittaker-Eilers pass
   (Eilers 2003, 300 m cutoff) then rounds the kinks into vertical curves. Grade is never
   clipped; beyond +-``max_abs_grade_pct`` (literature.md 3.3: hiking/scrambling) a warning says
   so. The altitude noise and the window used are in the provenance.
4. **Classes** uphill / flat / downhill with a flat band (Runalyze 2 %, Elevate +-1.6 %;
   research/peers.md 15.5), a hysteresis dead band and a minimum segment length; segments table.
5. **Elevation gain / loss** by hysteresis (persistence) counting of the turning points of the
   altitude profile: barometric altitude counted as a watch counts it, in time order (pauses
   and standstills included, so a climb made with the timer stopped counts) after a 4 s
   low-pass, 1 m hysteresis (``gain.gain_in_time``), or the trend
   filter's own profile for GPS (it keeps hill tops and valley floors at full height; 4 m
   hysteresis). Swings smaller than the hysteresis are removed, so the noise cannot accumulate
   gain (GoldenCheetah#1536-class bugs) while full hill amplitudes count. Steep climbs are kept,
   and the climb across a data gap counts (a straight bridge), as in device and gpxpy totals.
   When the file states the device's total ascent, the provenance compares and, beyond 5 %,
   names the threshold, smoothing or re-calibration that explains the difference.
6. **Climbs** (:func:`find_climbs`, run after the load stage): climbs and descents of >= 20 m
   at >= 3 % mean grade, with VAM and the load of the steps on them.

Known incline (treadmill; a constant, a schedule, or the recording's ``incline`` channel)
overrides altitude; a treadmill file without one is level. Without altitude, a foot IMU's strapdown stride rise and length give grade,
its drift removed where the foot's track closes on itself, else grades within its resolution floor taken as level
(``imu_drift``).
"""

from __future__ import annotations

from ..geodesy import haversine_m  # re-exported: terrain.haversine_m is public
from .altitude import clean_altitude
from .classes import classify_grade
from .climbs import ClimbOptions, climb_totals, find_climbs
from .compute import compute_terrain
from .distance import cumulative_distance, recording_speed
from .gain import elevation_gain_loss
from .options import TerrainOptions, TerrainResult
from .smoothing import l1_trend_filter, local_linear_fit, whittaker_smooth

__all__ = [
    "TerrainOptions",
    "TerrainResult",
    "compute_terrain",
    "cumulative_distance",
    "recording_speed",
    "haversine_m",
    "local_linear_fit",
    "whittaker_smooth",
    "l1_trend_filter",
    "classify_grade",
    "elevation_gain_loss",
    "clean_altitude",
    "find_climbs",
    "climb_totals",
    "ClimbOptions",
]
