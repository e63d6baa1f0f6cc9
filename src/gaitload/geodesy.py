"""Great-circle distance on a spherical Earth: the one implementation readers and terrain share.

DESIGN.md's data flow runs one way (``io -> events -> terrain -> load``): the readers know
nothing of terrain, and terrain knows nothing of the readers. Both need the distance between
GPS fixes (the GPX/TCX readers derive a ``distance`` channel; terrain measures GPS distance
when a file has no device distance), so the formula lives here, below both, and depends on
numpy only.

The sphere is the IUGG mean Earth radius R1 = 6371.0088 km (Moritz 2000, "Geodetic Reference
System 1980", J. Geodesy 74:128). Against the WGS 84 ellipsoid the spherical distance errs by
at most about 0.5 %, far below what 1 Hz GPS positions resolve at running speed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_M", "haversine_m", "cumulative_distance_m"]

#: Mean Earth radius R1 of the IUGG (GRS 80), m: the usual sphere for great-circle distance.
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1_deg, lon1_deg, lat2_deg, lon2_deg, *, radius_m: float = EARTH_RADIUS_M) -> np.ndarray:
    """Great-circle distance between points, m (haversine formula).

    Haversine formula (Sinnott 1984, "Virtues of the haversine", Sky & Telescope 68:159), which
    stays accurate for the metre-scale legs between 1 Hz GPS fixes where the spherical law of
    cosines loses precision. Vectorised: the inputs broadcast together.

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : array_like
        Latitudes and longitudes of the two points, degrees.
    radius_m : float
        Sphere radius, m (default :data:`EARTH_RADIUS_M`).

    Returns
    -------
    ndarray
        Distance in metres, NaN where any coordinate is NaN.
    """
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=np.float64))
                              for a in (lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    a = np.sin((lat2 - lat1) / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    return 2.0 * float(radius_m) * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def cumulative_distance_m(latitude_deg: np.ndarray, longitude_deg: np.ndarray) -> np.ndarray:
    """Distance along a track, m, from consecutive great-circle legs.

    Samples without a position carry the distance of the last fix forward (the leg to the next
    fix spans the gap), so the result is non-decreasing; it is NaN before the first fix.

    Parameters
    ----------
    latitude_deg, longitude_deg : ndarray
        Positions in degrees, NaN where the device had no fix.

    Returns
    -------
    ndarray
        Cumulative distance in metres, same length as the inputs.
    """
    lat = np.asarray(latitude_deg, dtype=np.float64)
    lon = np.asarray(longitude_deg, dtype=np.float64)
    out = np.full(lat.shape, np.nan)
    valid = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if valid.size == 0:
        return out
    legs = haversine_m(lat[valid[:-1]], lon[valid[:-1]], lat[valid[1:]], lon[valid[1:]])
    out[valid] = np.concatenate([[0.0], np.cumsum(legs)])
    # forward-fill the samples without a fix from the previous fix
    idx = np.where(np.isfinite(out), np.arange(out.size), 0)
    np.maximum.accumulate(idx, out=idx)
    filled = out[idx]
    filled[: valid[0]] = np.nan
    return filled
