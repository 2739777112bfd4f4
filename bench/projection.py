"""10. Population projection: a full run and the backtest, on the demo register.

    .venv/bin/python bench/projection.py [--trajectories 1000] [--workers 2]

A full run as the issue sizes it: 17 districts × 101 ages × 2 sexes × 16 years (base 2024, to
2040) × 1,000 trajectories × every scenario (6: the issue's 5 and the housing pipeline, with the
demo's planned dwellings), from estimating the rates to the quantiles of every
district, the city and every planning age group (projections.rates.estimate,
projections.model.project, one process per core). Then the rolling-origin backtest (base years
2014–2019, horizons 1–10, 200 trajectories each; projections.backtest): MAPE of the districts'
totals by horizon for the model and the three naive benchmarks, bias, and the out-of-sample
coverage of the calibrated 80 % and 95 % intervals. The register is read from the demo files
(fixtures/bottrop/register/), no database. Target: the full run in at most 60 s. Its CPU time
(this process and its workers) is printed beside the wall time, since on a shared machine the
wall time says more about the neighbours than about the run.
"""

import os
import resource
import time

import numpy as np
import pandas as pd
from common import ROOT, Result, parser, report

TARGET_S = 60.0
HOUSING = ROOT / "fixtures" / "bottrop" / "housing" / "wohnungsbau-demo.csv"
HORIZON = 16


def cpu_seconds() -> float:
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def demo_dwellings(codes, base: int):
    """The demo's housing pipeline (fixtures/bottrop/housing/) as (years ahead, districts)."""
    table = pd.read_csv(HOUSING, sep=";", dtype={"Gebiet": str})
    dwellings = np.zeros((HORIZON, len(codes)))
    for row in table.itertuples():
        if 0 < row.Jahr - base <= HORIZON:
            dwellings[row.Jahr - base - 1, codes.index(row.Gebiet)] += row.Wohnungen
    return dwellings


def main(argv=None) -> list[Result]:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--trajectories", type=int, default=1000)
    arguments.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    arguments.add_argument("--backtest-trajectories", type=int, default=200)
    args = arguments.parse_args(argv)
    import sys

    sys.path.insert(0, str(ROOT))
    from projections.backtest import district_totals, run_backtest
    from projections.model import SCENARIOS, project
    from projections.rates import estimate
    from projections.register import read_register_files

    register = read_register_files(ROOT / "fixtures" / "bottrop" / "register")
    started, cpu = time.perf_counter(), cpu_seconds()
    base = int(register.years[-1])
    rates = estimate(register, base)
    projection = project(
        rates=rates,
        base=register.population[-1],
        horizon=HORIZON,
        trajectories=args.trajectories,
        seed=1,
        scenarios=SCENARIOS,
        workers=args.workers,
        dwellings=demo_dwellings(register.codes, base),
    )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    cells = len(register.codes) * 101 * 2 * HORIZON * args.trajectories * len(SCENARIOS)
    results = [
        Result("10 projection", "full run: cells × trajectories", f"{cells:,}"),
        Result("10 projection", f"full run, {args.workers} processes", seconds, "s",
               f"<= {TARGET_S:g}", seconds <= TARGET_S),
        Result("10 projection", "full run, CPU time of all processes", cpu, "s"),
    ]  # fmt: skip
    # One figure to look at: children under 3 in Batenbrock-Süd (42) in 2030, trend scenario.
    district, year = projection.codes.index("42"), 2030 - base - 1
    low, high = (bound[0, year, district, 0] for bound in projection.interval(80))
    median = projection.median()[0, year, district, 0]
    results.append(
        Result("10 projection", "Batenbrock-Süd, under 3, 2030: median [80 %]",
               f"{median:.0f} [{low:.0f}–{high:.0f}] (uncalibrated)")
    )  # fmt: skip

    started = time.perf_counter()
    backtest = run_backtest(register, trajectories=args.backtest_trajectories)
    results.append(
        Result("10 projection", "backtest (6 origins)", time.perf_counter() - started, "s")
    )
    table = district_totals(backtest)
    for h, row in table.iterrows():
        benchmarks = " / ".join(
            f"{row[f'MAPE {b}']:.2f}" for b in ("constant", "linear", "share", "hamilton-perry")
        )
        results.append(
            Result(
                "10 projection",
                f"h={h}: MAPE published (cohort) | const/linear/share/HP; bias; cover 80/95",
                f"{row['MAPE model']:.2f} ({row['MAPE cohort']:.2f}) | {benchmarks}; "
                f"{row['MALPE model']:+.2f}; {row['coverage 80']:.0f}/{row['coverage 95']:.0f}",
                "%",
            )
        )
    report(results, args.results)
    return results


if __name__ == "__main__":
    main()
