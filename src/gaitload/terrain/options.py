"""Options and result of the terrain stage (:func:`gaitload.terrain.compute_terrain`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import OptionError


@dataclass
class TerrainOptions:
    """Tuning of :func:`compute_terrain`. Every default says where it comes from.

    Attributes
    ----------
    grid_step_m : float
        Spacing of the distance grid, m (5 m: finer than any window, ~2 strides).
    window_m_barometric : float
        Grade window for barometric altitude, m. literature.md 4.3: barometer sigma_h ~ 0.5 m
        gives sigma_grade ~ 0.7 % at 100 m.
    window_m_gps : float
        Grade window for GPS altitude with ``gps_smoother="local_linear"``, m. literature.md
        4.3: sigma_h ~ 5 m needs 200-400 m
        (1.8 % at 400 m). 400 m: on simulated GPS altitude (sigma 5 m, correlated over 60 s)
        the grade RMSE was 2.5 points at 300 m and 2.2 at 400 m, with hills >= 300 m long.
    gps_smoother : str
        How GPS-like altitude becomes grade: ``"trend_filter"`` (default: L1 trend filter +
        light Whittaker pass, :func:`l1_trend_filter`) or ``"local_linear"`` (the windowed
        regression used for barometric altitude, with ``window_m_gps``). On synthetic courses
        built like roads (constant-grade stretches of 250-1800 m, grades to 12 %, 40 m
        transitions) with GPS altitude noise of 3-5 m correlated over 30-60 s, the trend filter
        gave grade RMSE 1.5-1.8 points and class agreement 0.92-0.93 (mean of 4 loops) against
        1.8-2.6 and 0.77-0.88 for the 400 m local linear fit (tests/terrain/test_terrain.py). The local
        linear fit is better on courses that are sums of sinusoids with no straight grade
        (simulate_run's "hilly": RMSE 2.5 against 3.0 points).
    trend_filter_lambda_m : float
        Kink penalty of the L1 trend filter on a 5 m grid, m. Tuned on the synthetic road
        loops above at sigma_h 4 m over 60 s: 1000 -> RMSE 1.89 / agreement 0.87, 3000 ->
        1.70 / 0.92, 10000 -> 1.98 / 0.91 (kinks missed); 3000 is the minimum of the RMSE.
    trend_filter_noise_ref_m : float or None
        Residual altitude noise (robust std of altitude minus the first trend-filter pass, m)
        at which ``trend_filter_lambda_m`` applies; below it the penalty of a second pass is
        scaled by (noise / this)^2, down to x0.25 (the tuning courses with sigma_h 4 m over 60 s
        leave 2.5-2.9 m of residual; with sigma_h 1.5 m the grade RMSE falls from 1.31 to 1.10
        points). Never raised: the residual also holds terrain curvature that the straight
        pieces miss. ``None``: one pass with the fixed penalty.
    gps_polish_cutoff_m : float
        Half-power wavelength of the Whittaker pass after the trend filter, m (turns its kinks
        into the ~100-300 m vertical curves of real roads; 300 m gave the lowest RMSE of
        200-500 m).
    window_m_unknown : float or None
        Window for altitude of unknown source. ``None`` (default): estimate the high-frequency
        noise of the altitude on the grid (robust std of the residual of a 50 m local linear fit)
        and use the barometric window when it is below ``barometric_noise_max_m``, else the GPS
        window (unknown is treated as GPS unless the data look barometric).
    barometric_noise_max_m : float
        High-frequency residual std (m) below which unknown altitude is treated as barometric
        (barometers: ~0.1-0.5 m; GPS: several metres). Judgement between the two.
    kernel : str
        Weights of the local linear regression over the window: ``"epanechnikov"`` (default;
        on simulated GPS altitude it gave 2.3-2.4 points RMSE at 400 m against 2.2-2.6 for
        plain least squares, and the same with a barometer) or ``"boxcar"`` (Savitzky-Golay).
    window_m_imu : float
        Window for foot-IMU strapdown grade, m (brief: 20-50 m; IMU rise has no GPS noise but
        drifts per stride, so a short window suffices). A recording shorter than the window
        gets one fit over all of it.
    imu_closure_frac : float
        A foot's strap-down track is closed where its end comes back within this fraction of
        the distance walked of its start (or its start of its end); its summed rise there is
        then drift, removed in proportion to distance (:mod:`gaitload.terrain.imu_drift`).
        0.15: judgement from the real out-and-back walks (Voisard: stand, 10 m, U-turn, back),
        whose tracks end 0.1-2.5 m from their start after 17-22 m (people stop about where they
        set off; the first stride and the turn's are not integrated); a straight walk ends a
        full track length away. 0 turns the correction off.
    imu_closure_max_m : float
        A closed track's end must also lie within this many metres of its start, m. A real climb across the gap between the track's
        end and its start would be taken for drift: at most (grade there) x gap / (distance
        walked). Judgement: 30 m, 3 m of climb at 10 %, 1.5 % over a 200 m loop, 0.15 % over
        2 km. On 15-min simulated hilly runs whose random track ended 180-280 m from its start
        after 2.7-2.8 km, the fraction alone took the course's own climb for drift (grade RMSE
        0.25 -> 0.66 points on one).
    imu_closure_min_m : float
        Least distance walked over a closed stretch, m (judgement: ~8 strides, enough for the
        summed rise to average the stride-to-stride scatter of 1-2 cm).
    imu_stride_outlier_pct : float
        A strap-down stride whose grade departs by more than this from the median of the five
        strides of its foot around it is left out of the grade, grade points
        (:func:`~gaitload.terrain.imu_drift.stride_outliers`). Judgement: level strides scatter
        by ~1.5 points and stair strides by ~15 (gaitmap); a walk's stopping stride integrated
        -29 cm of rise over 30 cm (Voisard 10-3, right foot: -97 %).
    imu_grade_floor_pct : float
        Without a closed track, foot strap-down grades within +- this are taken as level (a note
        says so), %. Measured (benchmarks/validate_terrain.py, "FOOT-IMU LEVEL WALKS"): over
        105 feet of real level walks (Voisard's Xsens, gaitmap's shoe IMUs) the uncorrected
        grade offset (summed rise / summed length) has median 2.0 %, 95th percentile 4.5 %,
        maximum 5.8 %; 5 covers all but the worst few. Physically a tilt error of the
        zero-velocity attitude of ~1-3 deg (rise error = tilt x stride length). 0 turns it off.
    flat_band_pct : float
        |grade| below this is flat, % (Runalyze 2 %; Elevate uses 1.6 %; peers.md 15.5).
    hysteresis_pct : float
        Width of the dead band centred on +-``flat_band_pct``, %: a class changes only when the
        grade crosses the far edge (judgement: ~ the grade noise with a barometer).
    min_segment_m : float
        Terrain runs shorter than this are merged into their neighbours, m. Judgement: half the
        barometric window (a shorter run is below what the grade resolves); on simulated hilly
        courses 100 m cost 5-8 points of class agreement with the truth, 50 m 1-2.
    max_abs_grade_pct : float
        Grade beyond which a warning says hiking/scrambling terrain, % (literature.md 3.3: +-25 %).
        Grade is never clipped to it (the load model bounds its own modifiers); altitude cleaning
        takes twice this as the steepest ground a step between samples can be.
    adaptive_window : bool
        Let the grade window of barometric-like altitude adapt per point between
        ``min_window_m`` and the source's window (intersection of confidence intervals rule,
        Katkovnik 1999): long on steady grades and noise, short at a short steep pitch. On the
        Strava stream of tests/validate_terrain it lowered the RMSE against ``grade_smooth``;
        a 50 m pitch at 30 % reads ~30 % instead of ~20 % (tests/terrain/test_terrain_grade.py).
    min_window_m : float
        Shortest grade window, m (20 m: 5 cells of the grid, ~8 running strides; judgement).
    ici_gamma : float
        Half-width of the ICI confidence intervals in slope stds (Katkovnik 1999 uses 1-3;
        2 keeps a flat road's noise flat on the tests' simulated barometer; judgement).
    altitude_noise_floor_m : float
        Smallest altitude noise assumed, m, below the larger of the measured noise (second
        differences on the grid) and the rounding of the stored altitude (quantum / sqrt(12):
        0.06 m for FIT's 0.2 m steps). 0.01 m: judgement, only guards a noiseless input.
    standstill_speed_mps : float
        Below this speed a sample is standing, not moving, m/s (slow walking ~1 m/s).
    max_speed_mps : float
        GPS position jumps implying a faster speed are rejected, m/s (brief: 12 m/s, faster than
        any runner's sustained speed).
    gps_pause_drift_m : float
        Across a sampling gap, a GPS fix that moved less than this is a pause (wander of a
        standing receiver, 2-5 m CEP, plus the first metres after the restart), not running;
        20 m: judgement (heartandsole's short run: its three pauses move the fix 1-13 m).
    gps_track_cutoff_s : float
        Half-power period of the smoother applied to GPS positions before their track length
        is summed, s (0: the raw fixes). Judgement calibrated on the 20 real runs of
        ../shared/data whose records carry the device's distance and positions
        (benchmarks/validate_terrain.py, GPS-ONLY DISTANCE): with the pauses of
        ``gps_pause_speed_ratio`` left out, 8 s puts 7 of 20 within 1 % of the device's distance
        and 16 within 3 %, against 7 and 13 for the raw fixes; 12 s begins to cut the corners of
        1-6 s tracks (the TomTom run -0.7 %, a 6 s Garmin track -1.3 %, a 3 s walk -8.6 %).
        A cutoff set per record from its measured jitter (the MSE-optimal constant-velocity
        smoother: white fix noise and acceleration noise from the lag-0 and lag-1 covariance
        of the second differences, 1.0-1.5 m and cutoffs of 10-25 s) put 11 within 1 % but only
        13 within 3 % (5-6 s tracks -2 to -4.5 %, the 3 s walk -13 %): the least-squares-best
        track is not the length-unbiased one. A cubic smoothing spline on the fixes' own times
        (the same smoother with the true intervals in place of the median one) did no better:
        7 within 1 %, 15 within 3 %, median |error| 1.66 % against 1.41 %.
    gps_pause_speed_ratio : float
        Across a sampling gap, a GPS fix that moved slower than this fraction of the track's
        speed in the minute on either side is a pause (the watch stopped while the runner stood
        or walked), however far it moved; a faster move is a lost fix while running, which
        counts (0: only ``gps_pause_drift_m`` decides). 0.5: judgement (a runner keeps about his
        pace through a lost fix, and the straight line across it is at most his path). On the
        20 real records of GPS-ONLY DISTANCE (benchmarks/validate_terrain.py), 9 gaps moved the
        fix 30-120 m at 4-45 % of the pace around them and the device counted 0-11 m across
        each; 11 gaps of a paddling record sampled every 30-50 s and one at a run's start moved
        at 57-145 % of it and the device counted them. Two walks of 85 and 460 m with the watch
        stopped (57 and 63 %, the device counting 0) stay counted: the positions cannot tell
        them from a slow stretch without a fix.
    spike_window_m : float
        Length of the running median that GPS altitude spikes are measured against, m.
    spike_k_sigma : float
        A sample whose |altitude - running median| exceeds this many robust sigmas (MAD x 1.4826)
        and ``spike_min_m`` is a spike and is dropped.
    spike_min_m : float
        Smallest residual, m, that can be a spike (a barometer's sigma is ~0.1 m, so k sigmas
        alone would flag real terrain texture).
    pause_min_s : float
        A gap between consecutive moving samples longer than this (and than 3 median sample
        intervals) is a pause, across which an altitude step is pressure drift, s (auto-pause
        and smart recording leave gaps of tens of seconds; 1 Hz and smart-recording intervals
        are 1-7 s).
    max_vertical_speed_mps : float
        Fastest climb on foot, m/s: an altitude change across a pause faster than this is no
        climb (0.5 m/s = 1800 m/h, above the vertical-kilometre record pace of ~1 km in 29 min;
        judgement).
    drift_max_mph : float
        Fastest barometric drift from weather, m per hour: 25 m/h ~ 3 hPa/h, beyond the WMO's
        "rapid" pressure tendency (2 hPa/h); a change across a pause slower than this may be
        weather and is not counted as climbing (judgement).
    step_min_m : float
        Smallest altitude jump between consecutive moving samples, m, that can be a step (a jump
        steeper than ``max_abs_grade_pct`` over the distance covered by more than this).
    max_gap_m : float
        Altitude gaps (in distance) up to this long are interpolated; longer ones stay unknown, m.
    gain_window_m_barometric, gain_window_m_gps : float
        Light smoothing before gain/loss counting, m (short: a window attenuates hill amplitude,
        hysteresis does the rest).
    gain_hysteresis_m_barometric, gain_hysteresis_m_gps : float
        Minimum vertical swing counted as climb or descent, m. Barometric (or barometric-looking,
        or a GPS altitude the device already filtered: see ``gain_gps_in_time``) 1 m, counted as
        a watch counts: on the recorded altitude in time order after a ``gain_sigma_s`` /
        ``gain_sigma_s_foot`` low-pass (:func:`gaitload.terrain.gain.gain_in_time`). Strava
        documents the same scheme without its numbers ("a gain must exceed a threshold in order
        to be counted. The elevation data ... is smoothed before", support.strava.com article
        216917087); Garmin documents none. The numbers are judgement calibrated on the 17 FIT
        files of ../shared/data whose sessions state a total ascent of >= 20 m
        (benchmarks/validate_terrain.py, GAIN): no single threshold fits all (a Fenix 2 and a
        Forerunner 920XT file match only swings of >= 2-3 m, the Garmin Edge 500 files
        >= 0.5 m). A threshold adapted to each file's altitude noise (k robust std of the 1 s
        altitude about its 30 s mean) was measured and not kept: the file that wants the
        largest threshold (Forerunner 920XT, 3 m) has the least noise (0.12 m), and over k = 2-8
        it put 6-10 of 16 activities within 5 % and 8-13 within 10 %, against 7 and 15 for
        the fixed 1 m. GPS 4 m applies to a noisy GPS altitude, counted on the trend-filtered
        profile: the noise left is in a few long, low swings; on the road-like test loops
        (sigma_h 3-5 m) 2, 4 and 8 m gave worst-case gain errors of 5.2, 5.8 and 7.3 % (4 m: no
        bias at sigma_h 4 m). Used with ``gps_smoother="local_linear"`` a GPS hysteresis near
        2 sigma_h (10 m) is needed, as the smoothed profile keeps more of the noise.
    gain_sigma_s, gain_sigma_s_foot : float
        Gaussian low-pass of the recorded altitude before it is counted in time, s (an
        altimeter's own filter; 0 counts the samples as recorded): ``gain_sigma_s_foot`` when
        the recording's median speed is at most ``gain_foot_speed_mps``, else ``gain_sigma_s``.
        Measured on the same files (up to 4 s the count before): the wrist watches on foot match
        their device with more low-pass than the bike computers, so 6 s on foot put 6 of the 7
        running activities with a device ascent (benchmarks/validate_totals.py: a triathlon's
        run, a GPS Forerunner, the Fenix 2 and Forerunner 920XT runs, three activities of a
        Fenix 2 multisport file) within 10 %, against 4 with 4 s; choosing sigma and threshold
        on all but one and testing on that one (8 folds: the triathlon file is in the data twice)
        picked 6 s / 1 m in 6 folds and put 5 of the 8 held-out counts within 10 %. Cycling
        stays at 4 s: 6 s moved three Edge files from within 5 % to -6 to -8 %, and a
        Forerunner 255's bike leg (107 m) to -21 % (-7 % at 4 s).
    gain_foot_speed_mps : float
        Median speed between samples (m/s) up to which a recording is on foot for
        ``gain_sigma_s_foot``: 18 km/h, faster than all but elite race pace, slower than the
        median of every cycling file in ../shared/data (6.4-10 m/s, but one mountain-bike file
        at 2.4 m/s whose count is the same either way); judgement.
    gain_gps_in_time : bool
        When the file states the device's own total ascent, count a GPS altitude in time like a
        barometric one if it is as smooth at high frequency (below ``barometric_noise_max_m``):
        the device filtered it and counted its total on it, its wander and its steps across
        pauses included. On the three GPS FIT files with a device ascent the error went from
        -10.4, -28.4 and -4.9 % (trend-filtered profile) to -0.9, -10.2 and +14.5 % (the last a
        Zwift ride, whose altitude is the game's, not a measurement). Without a device total
        the trend-filtered profile stays: GPS wander correlated over 30-60 s is as smooth at
        high frequency, and counting it in time overstated the simulated courses' true climb
        by up to 30 % (tests/terrain/test_terrain.py, GPS gain tests).
    """

    grid_step_m: float = 5.0
    window_m_barometric: float = 100.0
    window_m_gps: float = 400.0
    window_m_unknown: float | None = None
    gps_smoother: str = "trend_filter"
    trend_filter_lambda_m: float = 3000.0
    trend_filter_noise_ref_m: float | None = 2.7
    gps_polish_cutoff_m: float = 300.0
    barometric_noise_max_m: float = 1.0
    window_m_imu: float = 30.0
    imu_closure_frac: float = 0.15
    imu_closure_min_m: float = 10.0
    imu_closure_max_m: float = 30.0
    imu_stride_outlier_pct: float = 25.0
    imu_grade_floor_pct: float = 5.0
    kernel: str = "epanechnikov"
    flat_band_pct: float = 2.0
    hysteresis_pct: float = 0.5
    min_segment_m: float = 50.0
    max_abs_grade_pct: float = 25.0
    adaptive_window: bool = True
    min_window_m: float = 20.0
    ici_gamma: float = 2.0
    altitude_noise_floor_m: float = 0.01
    standstill_speed_mps: float = 0.5
    max_speed_mps: float = 12.0
    gps_pause_drift_m: float = 20.0
    gps_track_cutoff_s: float = 8.0
    gps_pause_speed_ratio: float = 0.5
    spike_window_m: float = 40.0
    spike_k_sigma: float = 5.0
    spike_min_m: float = 3.0
    pause_min_s: float = 10.0
    step_min_m: float = 1.0
    max_vertical_speed_mps: float = 0.5
    drift_max_mph: float = 25.0
    max_gap_m: float = 200.0
    gain_window_m_barometric: float = 30.0
    gain_window_m_gps: float = 150.0
    gain_hysteresis_m_barometric: float = 1.0
    gain_hysteresis_m_gps: float = 4.0
    gain_sigma_s: float = 4.0
    gain_sigma_s_foot: float = 6.0
    gain_foot_speed_mps: float = 5.0
    gain_gps_in_time: bool = True

    def validate(self) -> None:
        """Raise :class:`OptionError` for a value no computation can use."""
        positive = ["grid_step_m", "window_m_barometric", "window_m_gps", "window_m_imu", "imu_closure_min_m",
                    "imu_closure_max_m", "imu_stride_outlier_pct",
                    "max_abs_grade_pct", "max_speed_mps", "spike_window_m", "spike_k_sigma",
                    "gain_window_m_barometric", "gain_window_m_gps", "trend_filter_lambda_m",
                    "gps_polish_cutoff_m", "min_window_m", "max_vertical_speed_mps", "ici_gamma", "altitude_noise_floor_m",
                    "gain_foot_speed_mps"]
        for name in positive:
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise OptionError(f"terrain option {name} must be a positive number, got {value!r}")
        nonneg = ["flat_band_pct", "hysteresis_pct", "min_segment_m", "standstill_speed_mps",
                  "spike_min_m", "step_min_m", "pause_min_s", "max_gap_m", "barometric_noise_max_m",
                  "gain_hysteresis_m_barometric", "gain_hysteresis_m_gps", "gain_sigma_s", "gain_sigma_s_foot",
                  "gps_track_cutoff_s", "drift_max_mph", "gps_pause_drift_m", "gps_pause_speed_ratio",
                  "imu_grade_floor_pct", "imu_closure_frac"]
        for name in nonneg:
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise OptionError(f"terrain option {name} must be a number >= 0, got {value!r}")
        if self.trend_filter_noise_ref_m is not None and not (
                np.isfinite(self.trend_filter_noise_ref_m) and self.trend_filter_noise_ref_m > 0):
            raise OptionError("terrain option trend_filter_noise_ref_m must be positive or None, "
                              f"got {self.trend_filter_noise_ref_m!r}")
        if self.window_m_unknown is not None and not (np.isfinite(self.window_m_unknown) and self.window_m_unknown > 0):
            raise OptionError(f"terrain option window_m_unknown must be positive or None, got {self.window_m_unknown!r}")
        if self.gps_smoother not in ("trend_filter", "local_linear"):
            raise OptionError(f"terrain option gps_smoother must be 'trend_filter' or 'local_linear', "
                              f"got {self.gps_smoother!r}")
        if self.kernel not in ("epanechnikov", "boxcar"):
            raise OptionError(f"terrain option kernel must be 'epanechnikov' or 'boxcar', got {self.kernel!r}")
        if self.hysteresis_pct >= 2 * self.flat_band_pct and self.flat_band_pct > 0:
            raise OptionError("terrain option hysteresis_pct must be smaller than twice flat_band_pct")


@dataclass
class TerrainResult:
    """What :func:`compute_terrain` returns.

    Attributes
    ----------
    steps : DataFrame
        Copy of the steps with ``distance_m``, ``altitude_m``, ``grade_pct``, ``terrain`` and
        ``speed_mps`` filled.
    segments : DataFrame
        Columns of :data:`gaitload.schema.SEGMENT_COLUMNS`.
    profile : DataFrame
        The distance grid: ``distance_m``, ``time_s``, ``altitude_m`` (smoothed), ``grade_pct``,
        ``terrain``, ``gain_altitude_m`` (the cleaned profile the totals are counted on: its
        rises sum to ``elevation_gain_m``, its falls to ``elevation_loss_m``).
    distance_m, elevation_gain_m, elevation_loss_m : float
        Totals (NaN when unknown).
    provenance : dict
        ``distance``, ``altitude``, ``grade`` sources and ``window_m`` used (the median of the
        adaptive windows, ``window_m_range`` their least and largest; for the GPS trend filter:
        the cutoff of its rounding pass), ``altitude_noise_m`` (the altitude's noise, m),
        ``incline`` (given incline, or a treadmill taken as level) and, when the file states the
        device's totals, ``gain_vs_device`` (:func:`gaitload.terrain.gain.explain_gain`).
    warnings : list of str
    """

    steps: pd.DataFrame
    segments: pd.DataFrame
    profile: pd.DataFrame
    distance_m: float
    elevation_gain_m: float
    elevation_loss_m: float
    provenance: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
