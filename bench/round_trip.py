"""9. The statistician's round trip in the admin: list, draft, preview, publish, withdraw, export.

    DATABASE_URL=postgis://…/atlas_bench .venv/bin/python bench/round_trip.py

Django's test client in this process (production settings, DEBUG off, signed in through the
admin's login form with password and TOTP code, as a member of the group "Statistik") asks for
what a statistician opens in a year's round: the release list, the start page, a draft's page,
the upload preview ("Prüfen"), the publish and withdraw confirmations and their buttons, and
the export of all values public now; after each publish and withdrawal the first request of the
values API and of /daten/, which must show the new state. Side-effect free requests: median of
--repeat; publish and withdraw: once per correction draft (median of --cycles).

Two data sets, each in a scratch database beside the benchmark database
(atlas_bench_roundtrip, dropped afterwards):

- demo: the Bottrop demo data, as bench/database.sh loads it; corrections of two 2023 values.
- million: 10,000 synthetic districts × 10 indicators × 10 years (1,000,000 values) imported
  and published as the base; corrections of five values, then a full re-upload of 1,000,000
  changed values as the draft that is published and withdrawn.

Targets (the issue): list, draft page, preview ≤ 300 ms; publish and withdraw ≤ 1 s; export
≤ 1 s.
"""

import argparse
import cProfile
import logging
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import PYTHON, Result, collect_static, django_setup, parser, production_env, report

PAGE_S = 0.3
ACTION_S = 1.0
EXPORT_S = 1.0
HOST = "localhost"
PASSWORD = "benchmark-only-password-31415"
MILLION_LEVEL = "synthetische-gemeinde"
MILLION_YEARS = range(2015, 2025)
MILLION_INDICATORS = 10
# What each publish-and-withdraw cycle measures once, with its target.
CYCLE = {
    "publish": ACTION_S,
    "withdraw": ACTION_S,
    "api after publish": None,
    "/daten/ after publish": None,
    "api after withdraw": None,
    "/daten/ after withdraw": None,
}


def main(argv=None) -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--repeat", type=int, default=5, help="runs per page (median)")
    arguments.add_argument("--cycles", type=int, default=3, help="correction drafts per set")
    arguments.add_argument(
        "--only", choices=["demo", "million"], help="one data set (default: both)"
    )
    arguments.add_argument(
        "--areas", type=int, default=10_000, help="districts of the synthetic level"
    )
    arguments.add_argument(
        "--profile", action="store_true", help="print where each request over its target spends"
        " its time (the profiler slows every request down)",
    )  # fmt: skip
    arguments.add_argument("--child", choices=["demo", "million"], help=argparse.SUPPRESS)
    args = arguments.parse_args(argv)
    if args.child:
        _child(args)
        return

    from synthetic import scratch_database

    print("load average before the run:", Path("/proc/loadavg").read_text().split()[:3])
    for dataset in [args.only] if args.only else ["demo", "million"]:
        print(f"\n-- {dataset}", flush=True)
        with scratch_database("_roundtrip") as url, tempfile.TemporaryDirectory() as scratch:
            env = {
                **production_env(url),
                # Files of its own: the publishes here must not prune other benchmarks' files.
                "DJANGO_MEDIA_ROOT": scratch,
                "ATLAS_PUBLIC_DATA_ROOT": str(Path(scratch) / "public-data"),
                "ATLAS_ADMIN_REQUIRE_OTP": "1",
                # One statistician uploads, publishes and withdraws: the time of the pages and
                # actions, not the second person's approval, which production asks for.
                "ATLAS_FOUR_EYES": "0",
            }
            if dataset == "million":
                # 1,000,000 rows are 40 MB and 5 million cells, above the site's upload limits.
                env.update(
                    ATLAS_UPLOAD_MAX_BYTES=str(1024**3),
                    ATLAS_UPLOAD_MAX_CELLS=str(10**9),
                    ATLAS_UPLOAD_CPU_SECONDS="900",
                    ATLAS_UPLOAD_WALL_SECONDS="900",
                    ATLAS_UPLOAD_MEMORY_BYTES=str(4 * 1024**3),
                )
            # Pages link the collected, content-hashed static files (manifest storage).
            collect_static(env)
            command = [PYTHON, __file__, "--child", dataset, "--repeat", str(args.repeat),
                       "--cycles", str(args.cycles), "--areas", str(args.areas)]  # fmt: skip
            command += ["--results", str(args.results)] if args.results else []
            command += ["--profile"] if args.profile else []
            if subprocess.run(command, env=env).returncode:
                sys.exit(f"the {dataset} round trip failed")


@dataclass
class Correction:
    """A small correction: the public value of a few cells and the file that changes them."""

    indicator: str
    level: str
    year: int
    cells: dict[str, float]  # district code -> value public before

    def csv(self, path: Path, delta: int) -> Path:
        lines = ["gebiet;ebene;indikator;jahr;wert"]
        lines += [f"{code};{self.level};{self.indicator};{self.year};{value + delta:.0f}"
                  for code, value in self.cells.items()]  # fmt: skip
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


class RoundTrip:
    """The statistician's client, the timings and the figures of one data set."""

    def __init__(self, *, label: str, repeat: int, profile: bool, results: Path | None):
        from django.test import Client

        self.label, self.repeat, self.profile = label, repeat, profile
        self.client = Client(HTTP_HOST=HOST)
        self.results = results
        self.user = _sign_in(self.client)

    def request(self, method: str, url: str, *, expect=(200,), target: float | None = None,
                **data):  # fmt: skip
        """One request, its seconds and its response; a wrong status stops the benchmark."""
        profiler = cProfile.Profile() if self.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        response = getattr(self.client, method)(url, data or None)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        if response.status_code not in expect:
            sys.exit(f"{method.upper()} {url}: {response.status_code}\n{response.content[:2000]}")
        if profiler and target is not None and seconds > target:
            print(f"\n== profile of {method.upper()} {url} ({seconds * 1000:.0f} ms)")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return seconds, response

    def page(self, name: str, url: str, *, target: float | None = PAGE_S, repeat=None,
             method="get", **data):  # fmt: skip
        """A request without side effect: the median of ``repeat`` runs, and the first."""
        times = [self.request(method, url, target=target, **data)[0]
                 for _ in range(repeat or self.repeat)]  # fmt: skip
        self.figure(name, times, target)
        return times

    def figure(self, name: str, times: list[float], target: float | None, *,
               first: bool = True) -> None:  # fmt: skip
        median = statistics.median(times)
        runs = f"median of {len(times)}" if len(times) > 1 else "1 run"
        verdict = median <= target if target is not None else None
        goal = f"<= {target * 1000:g}" if target is not None else ""
        # Printed (and appended) at once: the 1,000,000-value set takes many minutes.
        report([Result(f"9 round trip {self.label}", f"{name} ({runs})",
                        median * 1000, "ms", goal, verdict)], self.results)  # fmt: skip
        if first and len(times) > 1 and times[0] > 1.5 * median:
            report([Result(f"9 round trip {self.label}", f"{name}: first request",
                           times[0] * 1000, "ms")], self.results)  # fmt: skip

    def public_value(self, correction: Correction, code: str) -> float | None:
        seconds, response = self.request("get", "/api/v1/values", indicator=correction.indicator,
                                          level=correction.level, year=correction.year)  # fmt: skip
        values = {v["code"]: v["value"] for v in response.json()["values"]}
        return seconds, values[code]

    def public_side(self, correction: Correction, *, code: str, expected: float, title: str,
                    listed: bool) -> tuple[float, float]:  # fmt: skip
        """The first API and /daten/ request after a change; both must show the new state."""
        api, value = self.public_value(correction, code)
        if value != expected:
            sys.exit(f"the values API shows {value} for {code}, not {expected}")
        daten, response = self.request("get", "/daten/")
        if (title in response.content.decode()) != listed:
            sys.exit(f"/daten/ {'does not list' if listed else 'still lists'} „{title}“")
        return api, daten

    def cycle(self, draft, correction: Correction, *, pages: bool, times: dict) -> None:
        """Publish and withdraw ``draft``; with ``pages`` also the side-effect-free pages."""
        from indicators.models import Observation

        base = f"/admin/indicators/release/{draft.pk}"
        code, old = next(iter(correction.cells.items()))
        new = Observation.objects.get(release=draft, district__code=code,
                                      indicator__slug=correction.indicator,
                                      year=correction.year).value  # fmt: skip
        if pages:
            self.page("release list", "/admin/indicators/release/")
            self.page("admin start page", "/admin/", target=None)
            self.page("draft page", f"{base}/change/")
        # Publish, then withdraw: each a confirmation page (the issue sets no target for it),
        # the action, and the first public requests, which must show the new state.
        for action, path, expected, listed in (
            ("publish", "veroeffentlichen", new, True),
            ("withdraw", "zurueckziehen", old, False),
        ):
            if pages:
                self.page(f"{action} confirmation (GET)", f"{base}/{path}/", target=None)
            seconds, _ = self.request("post", f"{base}/{path}/", expect=(302,), target=ACTION_S)
            times[action].append(seconds)
            api, daten = self.public_side(correction, code=code, expected=expected,
                                          title=draft.title, listed=listed)  # fmt: skip
            times[f"api after {action}"].append(api)
            times[f"/daten/ after {action}"].append(daten)

    def corrections(self, correction: Correction, *, cycles: int, scratch: Path) -> None:
        """Preview a correction file, then publish and withdraw ``cycles`` correction drafts."""
        from indicators.services.import_values import import_values

        n = len(correction.cells)
        path = correction.csv(scratch / "korrektur-0.csv", delta=1)
        times = [self._preview(path) for _ in range(self.repeat)]
        self.figure(f"upload preview, {n} changed values", times, PAGE_S)
        # The process's first public requests import and build what every later one shares;
        # after that, what a publish or withdrawal costs the next request is measured.
        self.public_value(correction, next(iter(correction.cells)))
        self.request("get", "/daten/")
        times = {key: [] for key in CYCLE}
        for i in range(1, cycles + 1):
            path = correction.csv(scratch / f"korrektur-{i}.csv", delta=i)
            draft = import_values(path=path, title=f"Korrektur {i}", user=self.user).release
            self.cycle(draft, correction, pages=i == 1, times=times)
        self.cycle_figures(times, values=n)

    def cycle_figures(self, times: dict, *, values: int) -> None:
        for key, target in CYCLE.items():
            what, after = key.split(" after ") if " after " in key else (key, "")
            name = (
                f"{key} of {values:,} values (POST)" if target else f"{what}, first after {after}"
            )
            self.figure(name, times[key], target, first=False)

    def _preview(self, path: Path) -> float:
        with path.open("rb") as upload:
            seconds, response = self.request(
                "post", "/admin/indicators/release/upload/", target=PAGE_S,
                title="Korrektur", source="", file=upload,
            )  # fmt: skip
        if b'name="confirm"' not in response.content:
            sys.exit(f"the preview of {path.name} offers no confirmation")
        return seconds

    def exports(self, repeat: int) -> None:
        for name in ("xlsx", "csv"):
            self.page(f"export of all values, {name}",
                      f"/admin/indicators/release/export/?format={name}",
                      target=EXPORT_S, repeat=repeat)  # fmt: skip


def _sign_in(client):
    """A statistician with a TOTP device, signed in through the admin's login form."""
    from django.contrib.auth.models import Group, User
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from atlas.permissions import STATISTICIANS

    user = User.objects.create_user("statistik-bench", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    code = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits))
    response = client.post("/admin/login/?next=/admin/", {
        "username": user.username, "password": PASSWORD, "otp_token": code.zfill(device.digits),
    })  # fmt: skip
    if response.status_code != 302:
        sys.exit(f"signing in failed: {response.status_code}")
    return user


def _child(args) -> None:
    # The request log (a line per request) would bury the figures; warnings stay.
    logging.disable(logging.INFO)
    django_setup(os.environ["DATABASE_URL"])
    with tempfile.TemporaryDirectory() as scratch:
        if args.child == "demo":
            _demo(args, Path(scratch))
        else:
            _million(args, Path(scratch))


def _demo(args, scratch: Path) -> None:
    from atlas.demo import load_demo_data
    from indicators.models import Observation

    started = time.perf_counter()
    load_demo_data(trajectories=50)  # the projection is not what this measures
    print(f"  demo data loaded in {time.perf_counter() - started:.0f} s "
          f"({Observation.objects.count():,} values)", flush=True)  # fmt: skip
    cells = dict(
        Observation.objects.published()
        .filter(indicator__slug="einwohner", district__level__slug="statistischer-bezirk",
                year=2023, district__code__in=["11", "12"])
        .values_list("district__code", "value")
    )  # fmt: skip
    trip = RoundTrip(label="demo", repeat=args.repeat, profile=args.profile, results=args.results)
    correction = Correction("einwohner", "statistischer-bezirk", 2023, cells)
    trip.corrections(correction, cycles=args.cycles, scratch=scratch)
    trip.exports(args.repeat)


def _million(args, scratch: Path) -> None:
    from synthetic import indicators, long_csv, square_districts

    from indicators.models import Observation
    from indicators.services.import_values import import_values

    codes = square_districts(MILLION_LEVEL, args.areas)
    slugs = indicators(MILLION_INDICATORS)
    base_file, draft_file = scratch / "werte.csv", scratch / "werte-neu.csv"
    rows = long_csv(base_file, level_slug=MILLION_LEVEL, codes=codes, slugs=slugs,
                    years=MILLION_YEARS)  # fmt: skip
    long_csv(draft_file, level_slug=MILLION_LEVEL, codes=codes, slugs=slugs,
             years=MILLION_YEARS, seed=2)  # fmt: skip
    started = time.perf_counter()
    import_values(path=base_file, title="Basis", publish=True)
    print(f"  {rows:,} values imported and published as the base in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    label = f"{rows // 1000:,}k" if rows < 1_000_000 else f"{rows / 1e6:g}M"
    trip = RoundTrip(label=label, repeat=args.repeat, profile=args.profile, results=args.results)
    year = MILLION_YEARS[-1]
    cells = dict(
        Observation.objects.published()
        .filter(indicator__slug=slugs[0], year=year, district__code__in=codes[:5])
        .values_list("district__code", "value")
    )  # fmt: skip
    correction = Correction(slugs[0], MILLION_LEVEL, year, cells)
    trip.corrections(correction, cycles=args.cycles, scratch=scratch)
    trip.exports(1)

    # The whole level again, every value changed: the draft is the 1,000,000-value release.
    started = time.perf_counter()
    draft = import_values(path=draft_file, title="Neuberechnung", user=trip.user).release
    print(f"  {rows:,} values imported as a draft in {time.perf_counter() - started:.0f} s",
          flush=True)  # fmt: skip
    whole = Correction(slugs[0], MILLION_LEVEL, year, {codes[0]: cells[codes[0]]})
    times = {key: [] for key in CYCLE}
    trip.label = f"{label}, draft of {rows:,}"
    trip.repeat = min(args.repeat, 3)
    trip.cycle(draft, whole, pages=True, times=times)
    trip.cycle_figures(times, values=rows)


if __name__ == "__main__":
    main(sys.argv[1:])
