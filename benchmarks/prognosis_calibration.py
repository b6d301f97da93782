"""How often the prognosis's 80 % intervals hold the outcome, on a cohort simulated from a published course.

    python benchmarks/prognosis_calibration.py [--patients 1000] [--seed 0]

The cohort follows the persistent low-back pain course of Menezes Costa et al. 2012 (pooled mean pain,
0-100, read on the 0-10 NPRS); the spread between patients and the measurement noise are our
assumptions (``reeducate.planning.calibration.CohortSettings``), since the source gives only means.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from reeducate.planning import calibration, courses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--clinic", type=int, default=300, help="past episodes the clinic basis draws on")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    course = courses.get("lbp-persistent-pain-costa-2012")
    settings = calibration.CohortSettings()
    cohort = calibration.simulate(course, 20000, settings, np.random.default_rng(args.seed))
    weeks = [p.week for p in course.points]
    print(f"Course: {course.short}, {course.population}")
    print("Mean course (NPRS), published vs simulated:",
          ", ".join(f"week {w:g}: {p.mean:.1f} vs {m:.2f}"
                    for w, p, m in zip(weeks, course.points, cohort.mean_course(weeks), strict=True)))
    print(f"Assumed (not published): {settings}")
    for drop in (1.0, 2.0, 3.0):
        goal = replace(settings, goal_drop=drop)
        print(f"Goal: {drop:g} points better than the first score; prognosis after {goal.early_days} days "
              f"of weekly check-ins; {args.patients} simulated patients (those already at the goal left out)")
        for coverage in (calibration.own_trend_coverage(course, args.patients, goal, args.seed),
                         calibration.clinic_coverage(course, args.patients, args.clinic, goal, args.seed)):
            width = "n/a" if coverage.median_width_days is None else f"{coverage.median_width_days:.0f} days"
            print(f"  {coverage.basis.value}: {coverage.held}/{coverage.patients} held = {coverage.rate:.1%} "
                  f"(80% intended); median width of closed intervals {width}; open-ended "
                  f"{coverage.open_ended}; outcomes not within a year {coverage.never}")


if __name__ == "__main__":
    main()
