"""The foot / shank detector's parameters: :class:`FootOptions`.

Kept apart from the detector (:mod:`.foot`) so that listing or checking the options imports
neither scipy nor pandas.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from ..errors import OptionError
from .options import DetectorOptions, require_choice, require_positive, require_range

__all__ = ["FootOptions", "IC_METHODS", "PLACEMENT_DEFAULTS"]

#: Initial-contact features of :attr:`FootOptions.ic_method`.
IC_METHODS = ("auto", "zero_crossing", "gyro_min", "impact")

#: Values a ``None`` option takes for each placement (see the fields of :class:`FootOptions`).
PLACEMENT_DEFAULTS: dict[str, dict[str, float]] = {
    "foot": {"min_sampling_rate_hz": 50.0, "stance_quiet_ratio": 0.35, "impact_onset_back_s": 0.02},
    "shank": {"min_sampling_rate_hz": 40.0, "stance_quiet_ratio": 0.8, "impact_onset_back_s": 0.01},
}


@dataclasses.dataclass(frozen=True)
class FootOptions(DetectorOptions):
    """Parameters of :func:`gaitload.events.foot.detect_foot_events` (foot- or shank-mounted IMU).

    Build with ``FootOptions(ic_method="gyro_min")`` or ``FootOptions.from_mapping({...})``
    (unknown names are refused with the valid ones listed); every value is checked. ``None``
    means the placement's default (:data:`PLACEMENT_DEFAULTS`). ``FootOptions()`` shows the
    defaults; ``FootOptions.names()`` lists the names.
    """

    detector: ClassVar[str] = "foot"

    #: Below this sampling rate, Hz, events are not reliable and none are returned (None: 50 Hz
    #: foot, 40 Hz shank; judgement: the 30 ms impact burst needs a few samples).
    min_sampling_rate_hz: float | None = None
    #: Low-pass, Hz, of the sagittal rate whose features give IC and TO (judgement: keeps the
    #: 10-20 ms push-off and landing features, removes sensor noise).
    event_lowpass_hz: float = 25.0
    #: Low-pass, Hz, of the sagittal rate whose peaks mark mid-swing (judgement: the swing lobe
    #: lasts 0.3-0.5 s, Aminian et al. 2002).
    swing_lowpass_hz: float = 5.0
    #: Shortest plausible stride (one foot), s (judgement: 150 strides/min is a sprint).
    min_stride_s: float = 0.4
    #: Longest plausible stride, s (judgement: slow walking is ~1.4 s).
    max_stride_s: float = 3.0
    #: Shorter signals cannot hold two slow strides; no steps are returned, s (judgement).
    min_duration_s: float = 2.0
    #: Absolute floor of a swing peak, rad/s (judgement: the first and last steps of a walk and
    #: the steps of a U-turn swing at 1.0-1.5 rad/s in the Voisard Xsens recordings).
    min_swing_peak_rads: float = 1.0
    #: A swing peak must reach this fraction of the recording's typical (90th percentile) one
    #: (judgement, same data: 0.25 missed 7 % of the reference contacts, 0.2 misses 5 %).
    relative_swing_peak: float = 0.2
    #: Minimum normalised autocorrelation at the stride period; below it the signal is not gait
    #: (judgement).
    min_periodicity: float = 0.25
    #: Swing peaks further apart than this many local stride periods belong to different bouts
    #: (a stop lies between them; judgement).
    bout_gap_factor: float = 1.8
    #: A stance is accepted when its quietest angular-rate norm is below this fraction of the
    #: swing peak (None: 0.35 foot, 0.8 shank, which keeps rotating in stance; judgement).
    stance_quiet_ratio: float | None = None
    #: Half-width, s, of the window around the end of swing searched for the impact (judgement).
    impact_search_s: float = 0.04
    #: Moving-average window, s, of the rate norm whose minimum is mid-stance (judgement).
    quiet_window_s: float = 0.05
    #: Strike-angle cut-offs: "mo" (Mo et al., -0.8 / 7.4 deg), "altman" (Altman & Davis 2012,
    #: -1.6 / 8.0 deg) or a (forefoot_below_deg, rearfoot_above_deg) pair (literature.md).
    strike_thresholds: Any = "mo"
    #: Base one-sigma uncertainty of a strike angle, deg; the IC timing uncertainty times the
    #: pitch rate at IC is added in quadrature (judgement).
    strike_uncertainty_deg: float = 2.5
    #: Compute stride length / rise / speed by strapdown integration (foot only).
    strapdown: bool = True
    #: Initial-contact feature: "auto" (walking: end of the swing lobe, or the landing impact when
    #: clearly later; running: the impact), "zero_crossing" (end of the swing lobe, 5-10 ms vs
    #: motion capture on gaitmap), "gyro_min" (pitch-rate minimum after swing, Falbriard et al.
    #: 2018; ~45 ms late in walking), "impact" (largest acceleration jerk near the end of swing).
    ic_method: str = "auto"
    #: Low-pass, Hz, of the pitch rate whose minimum before swing is the toe-off (and of the
    #: axial acceleration of a running shank); at or above 0.45 x the rate, none (judgement:
    #: toe-off is a sharp corner).
    to_lowpass_hz: float = 50.0
    #: Foot flat begins where the 30 ms rate norm falls below this fraction of the typical swing
    #: peak (judgement).
    flat_level_ratio: float = 0.1
    #: Running when foot-flat to the next push-off spans less than this fraction of the stride
    #: (Novacheck 1998: stance > 50 % of the stride in walking, < 40 % in running).
    running_flat_fraction: float = 0.35
    #: Strides shorter than this, s, are running whatever the duty factor (judgement: walking
    #: strides last about a second or more).
    running_stride_s: float = 0.85
    #: Running: the impact is searched up to this fraction of a stride after the end of the swing
    #: lobe (judgement).
    impact_window_frac: float = 0.3
    #: Span, s, over which the acceleration change of the impact is measured (judgement).
    impact_span_s: float = 0.005
    #: The contact is the first sample whose change reaches this fraction of the burst's largest
    #: (judgement on simulated runs: 0.5 placed ringing heel strikes 10 ms late, 0.35 one sample
    #: late at 100 Hz).
    impact_onset_fraction: float = 0.25
    #: Length, s, of the burst of largest acceleration change (judgement: an impact rings for
    #: 20-40 ms).
    impact_energy_s: float = 0.03
    #: Order of the differences the onset is read on (1 jerk, 2 its change; judgement).
    impact_onset_order: int = 2
    #: The onset is searched from this long before the burst, s (None: 0.02 foot, 0.01 shank;
    #: judgement on simulated runs).
    impact_onset_back_s: float | None = None

    def check(self) -> None:
        """Raise :class:`OptionError` for a value the detector cannot use."""
        require_positive(self, "event_lowpass_hz", "swing_lowpass_hz", "min_stride_s", "max_stride_s",
                         "min_duration_s", "min_swing_peak_rads", "impact_search_s", "quiet_window_s",
                         "strike_uncertainty_deg", "to_lowpass_hz", "running_stride_s", "impact_span_s",
                         "impact_energy_s")
        for name in ("min_sampling_rate_hz", "stance_quiet_ratio"):
            if getattr(self, name) is not None:
                require_positive(self, name)
        if self.impact_onset_back_s is not None:
            require_range(self, "impact_onset_back_s", 0.0, 0.2)
        if self.min_stride_s >= self.max_stride_s:
            raise OptionError(f"foot options need min_stride_s < max_stride_s, got {self.min_stride_s!r} and "
                              f"{self.max_stride_s!r}")
        for name in ("relative_swing_peak", "min_periodicity", "flat_level_ratio", "running_flat_fraction",
                     "impact_window_frac", "impact_onset_fraction"):
            require_range(self, name, 0.0, 1.0)
        require_range(self, "bout_gap_factor", 1.0, 10.0)
        require_choice(self, "ic_method", IC_METHODS)
        require_choice(self, "impact_onset_order", (1, 2, 3))
        if not isinstance(self.impact_onset_order, int) or isinstance(self.impact_onset_order, bool):
            raise OptionError(f"foot option impact_onset_order={self.impact_onset_order!r} must be 1, 2 or 3")
        if not isinstance(self.strapdown, bool):
            raise OptionError(f"foot option strapdown={self.strapdown!r} must be true or false")
        from .strike import strike_cutoffs

        strike_cutoffs(self.strike_thresholds)

    def for_placement(self, placement: str) -> dict[str, Any]:
        """The values by name with every ``None`` replaced by ``placement``'s default."""
        if placement not in PLACEMENT_DEFAULTS:
            raise OptionError(f"placement must be 'foot' or 'shank' for this detector, got {placement!r}")
        values = self.as_dict()
        for name, default in PLACEMENT_DEFAULTS[placement].items():
            if values[name] is None:
                values[name] = default
            else:
                values[name] = float(values[name])
        return values
