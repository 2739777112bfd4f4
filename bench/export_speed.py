"""8. Export for correction: the values public now in the upload layout, as XLSX and German CSV.

    DATABASE_URL=postgis://…/atlas_bench .venv/bin/python bench/export_speed.py

What the admin's page "Werte exportieren" does for a download (indicators.services.export:
the rows of the current public state, then the file), for all values of the demo data and for
the latest year alone. Each figure is the median of --repeat runs in this process, after one
run to warm up. Target: at most 1 s for all values in either format.
"""

import statistics
import time

from common import Result, django_setup, parser, report

TARGET_S = 1.0


def main(argv=None) -> list[Result]:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    args = arguments.parse_args(argv)
    django_setup()
    from indicators.models import Observation
    from indicators.services.export import FORMATS, export_rows

    year = Observation.objects.published().order_by("-year").values_list("year", flat=True)[0]
    results = []
    for label, years in (("all values", ()), (f"year {year}", (year,))):
        for name, (render, _media, _extension) in FORMATS.items():
            times = []
            for _ in range(args.repeat + 1):
                started = time.perf_counter()
                rows = list(export_rows(years=years))
                content = render(rows)
                times.append(time.perf_counter() - started)
            seconds = statistics.median(times[1:])
            target = f"<= {TARGET_S:g}" if not years else ""
            met = seconds <= TARGET_S if not years else None
            results += [
                Result("8 export", f"{label}, {name}: rows", f"{len(rows):,}"),
                Result("8 export", f"{label}, {name}: time", seconds, "s", target, met),
                Result("8 export", f"{label}, {name}: size", f"{len(content):,}", "bytes"),
            ]
    report(results, args.results)
    return results


if __name__ == "__main__":
    main()
