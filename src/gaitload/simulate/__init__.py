"""Synthetic running recordings with ground truth: :func:`simulate_run`.

The simulator is a small, physically grounded model of a runner on a course, used to test every
stage of gaitload against known truth (foot strikes, contact times, strike angles, grade, stride
length) and to ship the example files of ``sample_data/``.

Model, in the order it is computed (all vectorised; nothing loops per sample or per step):

1. **Course** (:class:`Course`): altitude on a 1 m grid; grade is its derivative.
2. **Speed** follows the Strava 2017 grade-adjusted-pace factor table (Robb 2017, literature
   section 1e) so that effort is constant: ``v(d) = v_flat / F(grade)`` (slower uphill, a little
   faster downhill), with slow random fluctuations and a 15 m smoothing for the runner's inertia.
   Distance against time follows by integrating ``1 / v`` along the course.
3. **Cadence** rises with effort speed (+10 % from 3.5 to 5.2 m/s, Dorn et al. 2012) and with
   uphill grade (+4 % at +7 %, Padulo et al. 2013), falls a little downhill (Vernillo et al. 2017).
   Foot contacts are the integer crossings of the step phase ``Phi(t) = integral cadence/60 dt``
   plus a small per-step jitter, so the number of steps equals the integral of cadence.
4. **Contact time** about 245 ms at 3.3 m/s, shorter with speed (exponent -0.6), per-step noise.
5. **Strike**: ``auto`` makes a latent foot-strike angle that is high (heel first) on the flat and
   downhill and falls with uphill grade (article: "Running uphill requires switching to a midfoot
   or forefoot strike"; Vernillo et al. 2017), correlated from step to step. The pattern follows
   Mo et al. (2021) cut-offs (forefoot < -0.8 deg, rearfoot > 7.4 deg) and the angle is then drawn
   inside the pattern's band (rearfoot 10-21 deg, midfoot 1-5.8 deg, forefoot -12..-4 deg).
6. **Sensor signals** per placement, from segment kinematics (see :func:`simulate_run`): the
   foot rolls on heel and forefoot, its landing point is stopped within 16-30 ms at initial
   contact, toe-off is at the pitch-rate minimum (Falbriard et al. 2018), and every angle curve
   and the swing path are C2.

Terrain rule of the truth table: ``uphill`` when the true grade under the contact is > +2 %,
``downhill`` when < -2 %, otherwise ``flat``.
"""

from __future__ import annotations

# the names the single-module simulator exposed, from the stage modules that define them
from ..pace import gap_speed_factor
from .course import COURSES, Course
from .numeric import G
from .result import SimulatedRun
from .run import PLACEMENTS_SIMULATED, SAMPLE_FILES, simulate_run, write_sample_data
from .timeline import MO_FOREFOOT_BELOW_DEG, MO_REARFOOT_ABOVE_DEG, STRIKES

__all__ = ["Course", "SimulatedRun", "simulate_run", "write_sample_data",
           "gap_speed_factor", "COURSES", "PLACEMENTS_SIMULATED"]
