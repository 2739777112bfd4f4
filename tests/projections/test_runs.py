"""Projection runs as data: stored reproducibly with calibrated intervals, small districts
flagged, published only when calibrated and, under four eyes, by a second person."""

import numpy as np
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from atlas.permissions import PLANNERS
from core import changes
from districts.models import Level
from indicators.models import Indicator
from indicators.read.rows import level_values
from projections.model import GROUPS, SCENARIOS
from projections.models import ProjectionRun, RunResult
from projections.selectors import need_of, published_run, quantiles_of, register_of
from projections.services import queue, runs
from projections.services.publication import (
    publish_run,
    request_publication,
    request_withdrawal,
    withdraw_run,
)
from projections.services.queue import claim_next, queue_run, requeue_interrupted, work_off
from projections.services.runs import SMALL_AREA, run_projection

pytestmark = pytest.mark.django_db
SMALL = {"horizon": 3, "trajectories": 20, "backtest_trajectories": 10,
         "scenarios": SCENARIOS[:1]}  # fmt: skip


def planner(name: str) -> User:
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name=PLANNERS))
    return user


# The tests that read ``computed`` run on one worker, which computes it once.
SHARED = pytest.mark.xdist_group("projection-runs")


@pytest.fixture(scope="module")
def computed(django_db_setup, django_db_blocker):
    """Dry runs (nothing written) on the demo register, computed once for the module; "raw"
    is "run" without calibration (its intervals as simulated)."""
    with django_db_blocker.unblock():
        done = {
            "run": run_projection(seed=3, dry_run=True, **SMALL),
            "again": run_projection(seed=3, dry_run=True, **SMALL),
            "other": run_projection(seed=4, dry_run=True, **SMALL),
        }
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(runs, "calibrate", lambda quantiles, *factors: quantiles)
            done["raw"] = run_projection(seed=3, dry_run=True, **SMALL)
    return done


@pytest.fixture
def run():
    """A stored draft whose backtest calibrated it (no computation)."""
    return ProjectionRun.objects.create(
        base_year=2024, horizon=1, trajectories=10, backtest_trajectories=10, seed=0,
        calibration={"passed": True, "problems": [], "factors": {"1": {"80": 1.1, "95": 1.2}}},
    )  # fmt: skip


def test_the_same_inputs_and_seed_store_the_same_results_byte_for_byte(settings):
    run = run_projection(seed=3, **SMALL)
    again = run_projection(seed=3, **SMALL)
    first, second = RunResult.objects.get(run=run), RunResult.objects.get(run=again)
    assert first.digest == second.digest
    assert bytes(first.quantiles) == bytes(second.quantiles)
    assert bytes(first.need) == bytes(second.need)
    assert run.inputs_digest == again.inputs_digest


@SHARED
def test_another_seed_gives_other_results(computed):
    run, again, other = computed["run"], computed["again"], computed["other"]
    assert again.result.digest == run.result.digest
    assert other.result.digest != run.result.digest
    assert other.inputs_digest != run.inputs_digest


def test_a_dry_run_stores_nothing():
    before = ProjectionRun.objects.count(), RunResult.objects.count()
    call_command("run_projection", "--dry-run", "--horizon=2", "--trajectories=10",
                 "--backtest-trajectories=10")  # fmt: skip
    assert (ProjectionRun.objects.count(), RunResult.objects.count()) == before


@SHARED
def test_results_hold_districts_stadtbezirke_and_the_city_with_ordered_quantiles(computed):
    run = computed["run"]
    axes = run.result.axes
    levels = [level for level, _, _ in axes["areas"]]
    assert levels.count("statistischer-bezirk") == 17
    assert levels.count("stadtbezirk") == 3
    assert levels[-1] == "stadt"
    quantiles = quantiles_of(run.result)
    assert quantiles.shape == (1, 3, 21, 8, 7)
    assert (np.diff(quantiles, axis=-1) >= 0).all()


@SHARED
def test_stored_intervals_are_widened_by_the_backtest_s_factors(computed):
    """The city's 95 % interval in the first year, around the median: the raw half-widths
    (a run without calibration) times the backtest's factor of the total for one year ahead."""
    run = computed["run"]
    raw = quantiles_of(computed["raw"].result)[0, 0, -1, -1]
    stored = quantiles_of(run.result)[0, 0, -1, -1]
    factor = run.calibration["group_factors"]["total"]["1"]["95"]
    assert factor != 1
    median = raw[3]
    assert stored[3] == median
    assert stored[-1] - median == pytest.approx(factor * (raw[-1] - median), rel=1e-4)
    assert median - stored[0] == pytest.approx(factor * (median - raw[0]), rel=1e-4)


def test_the_years_beyond_the_backtest_are_widened_by_its_extrapolated_factors(monkeypatch):
    """A run to 2040 from 2024: 2035–2040 are 11–16 years ahead, beyond the backtest's 10.
    Their factors are stored, never fall, and are the ones their intervals were widened by."""
    long = {**SMALL, "horizon": 16}
    run = run_projection(seed=3, dry_run=True, **long)
    factors = run.calibration["factors"]
    assert sorted(factors, key=int) == [str(h) for h in range(1, 17)]
    for level in ("80", "95"):
        assert all(factors[str(h)][level] <= factors[str(h + 1)][level] for h in range(9, 16))
    total = run.calibration["group_factors"]["total"]
    assert sorted(total, key=int) == [str(h) for h in range(1, 17)]
    monkeypatch.setattr(runs, "calibrate", lambda quantiles, *factors: quantiles)
    raw = quantiles_of(run_projection(seed=3, dry_run=True, **long).result)[0, :, -1, -1]
    stored = quantiles_of(run.result)[0, :, -1, -1]
    assert run.result.axes["years"][10:] == list(range(2035, 2041))
    for h in range(11, 17):
        median, factor = raw[h - 1, 3], total[str(h)]["95"]
        assert stored[h - 1, -1] - median == pytest.approx(
            factor * (raw[h - 1, -1] - median), rel=1e-4
        )


@SHARED
def test_districts_under_5000_inhabitants_are_flagged(computed):
    axes = computed["run"].result.axes
    districts = [i for i, (level, _, _) in enumerate(axes["areas"]) if level != "stadtbezirk"][:17]
    flagged = {i for i in districts if axes["small"][i]}
    small = {i for i in districts if axes["base_population"][i] < SMALL_AREA}
    assert flagged == small
    assert flagged, "the demo has districts under 5,000 inhabitants"
    assert not any(axes["small"][17:])


def test_publication_is_refused_when_calibration_failed(run):
    run.calibration = {**run.calibration, "passed": False,
                       "problems": ["Die 80-%-Intervalle decken 61.0 % der Fälle ab."]}  # fmt: skip
    run.save()
    with pytest.raises(ValueError, match=r"nicht kalibriert.*61\.0 %"):
        publish_run(run=run)
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.DRAFT


def test_publication_is_refused_without_calibration_factors(run):
    run.calibration = {"factors": {}}
    run.save()
    with pytest.raises(ValueError, match="Kalibrierung fehlt"):
        publish_run(run=run)


def test_without_four_eyes_a_planner_publishes_and_withdraws(run, settings):
    settings.ATLAS_FOUR_EYES = False
    anna = planner("anna")
    publish_run(run=run, user=anna)
    assert published_run() == run
    withdraw_run(run=run, user=anna)
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.WITHDRAWN


def test_under_four_eyes_the_person_who_started_the_run_cannot_approve_it(run, settings):
    settings.ATLAS_FOUR_EYES = True
    anna, ben, carl = planner("anna"), planner("ben"), planner("carl")
    run.created_by = anna
    run.save()
    with pytest.raises(PermissionDenied):
        publish_run(run=run, user=ben)  # directly: only as an approval
    change = request_publication(run=run, user=ben)
    with pytest.raises(PermissionDenied):
        changes.approve(change=change, user=ben)  # who asked
    with pytest.raises(PermissionDenied):
        changes.approve(change=change, user=anna)  # who started the run
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.DRAFT
    changes.approve(change=change, user=carl)
    run.refresh_from_db()
    assert (run.status, run.published_by) == (ProjectionRun.Status.PUBLISHED, carl)


def test_under_four_eyes_a_withdrawal_waits_for_a_second_person(run, settings):
    publish_run(run=run)
    settings.ATLAS_FOUR_EYES = True
    anna, ben = planner("anna"), planner("ben")
    change = request_withdrawal(run=run, user=anna)
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.PUBLISHED
    changes.approve(change=change, user=ben)
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.WITHDRAWN


def test_a_request_for_an_uncalibrated_run_is_refused_at_once(run, settings):
    settings.ATLAS_FOUR_EYES = True
    run.calibration = {**run.calibration, "passed": False, "problems": ["zu schmal"]}
    run.save()
    with pytest.raises(ValueError, match="zu schmal"):
        request_publication(run=run, user=planner("anna"))


def test_the_admin_starts_a_run_and_shows_its_calibration(client, settings):
    settings.ATLAS_FOUR_EYES = False
    anna = planner("anna")
    client.force_login(anna)
    response = client.post(
        "/admin/projections/projectionrun/starten/",
        {"base_year": 2024, "horizon": 2, "trajectories": 10, "seed": 5},
    )
    run = ProjectionRun.objects.get(created_by=anna)
    assert response.status_code == 302
    assert run.status == ProjectionRun.Status.QUEUED
    listing = client.get("/admin/projections/projectionrun/").content.decode()
    assert "wartet" in listing
    call_command("run_projections", "--once", "--workers=1")
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.DRAFT
    page = client.get(f"/admin/projections/projectionrun/{run.pk}/change/").content.decode()
    assert "Abdeckung der kalibrierten Intervalle" in page
    assert "Veröffentlichen …" in page
    client.post(f"/admin/projections/projectionrun/{run.pk}/veroeffentlichen/")
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.PUBLISHED
    assert need_of(run.result)["kita_shortfall"].shape == (len(SCENARIOS), 3, 2, 17)


@SHARED
def test_a_run_keeps_the_weights_of_what_it_publishes(computed):
    """The districts' totals are a weighted average of the cohort model, the linear trend and
    the constant population, with weights from the run's own backtest, one set per horizon."""
    backtest = computed["run"].backtest
    assert backtest["combined"] == ["cohort", "linear", "constant"]
    assert backtest["weights"]
    for weights in backtest["weights"].values():
        assert len(weights) == 3 and sum(weights) == pytest.approx(1.0)
        assert min(weights) >= 0
    assert "MAPE cohort" in backtest["by_horizon"][0]


def test_the_housing_scenario_holds_the_planned_dwellings_occupants():
    """The demo pipeline plans 240 dwellings in Batenbrock-Süd (42) in 2026 and 2027: about
    500 more inhabitants there in 2027 than in the trend, none elsewhere without plans."""
    housing = next(s for s in SCENARIOS if s.housing)
    run = run_projection(seed=3, dry_run=True, **{**SMALL, "scenarios": (SCENARIOS[0], housing)})
    axes = run.result.axes
    assert axes["scenarios"] == ["trend", "wohnungsbau"]
    codes = [code for _, code, _ in axes["areas"]]
    median = quantiles_of(run.result)[:, 2, :, -1, 3]  # (S, area) in 2027, total, median
    assert 350 < median[1, codes.index("42")] - median[0, codes.index("42")] < 650
    assert abs(median[1, codes.index("11")] - median[0, codes.index("11")]) < 150
    assert run.inputs["housing"]["dwellings"][1][codes.index("42")] == 120


def test_a_queued_run_is_computed_by_the_worker_into_the_same_row():
    run = queue_run(base_year=2024, horizon=2, trajectories=10, seed=3)
    assert run.status == ProjectionRun.Status.QUEUED and not RunResult.objects.filter(run=run)
    assert work_off() == 1
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.DRAFT
    assert run.inputs_digest and run.started_at is not None
    direct = run_projection(base_year=2024, horizon=2, trajectories=10, seed=3, dry_run=True)
    assert RunResult.objects.get(run=run).digest == direct.result.digest
    assert work_off() == 0


def test_the_worker_takes_runs_in_the_order_they_were_queued():
    first = queue_run(base_year=2024, horizon=1, trajectories=10)
    second = queue_run(base_year=2024, horizon=1, trajectories=10)
    assert claim_next() == first
    assert claim_next() == second
    assert claim_next() is None
    assert ProjectionRun.objects.get(pk=first.pk).status == ProjectionRun.Status.RUNNING


def test_a_run_that_fails_keeps_its_reason_and_the_worker_goes_on(monkeypatch):
    broken = queue_run(base_year=2024, horizon=1, trajectories=10)
    fine = queue_run(base_year=2024, horizon=1, trajectories=10)

    def fail_first(**options):
        if options["into"].pk == broken.pk:
            raise ValueError("kaputt")
        return run_projection(**options)

    monkeypatch.setattr(queue, "run_projection", fail_first)
    assert work_off() == 2
    broken.refresh_from_db(), fine.refresh_from_db()
    assert broken.status == ProjectionRun.Status.FAILED
    assert broken.error == "ValueError: kaputt"
    assert fine.status == ProjectionRun.Status.DRAFT


def test_a_queued_run_is_not_published(run):
    queued = queue_run(base_year=2024, horizon=1, trajectories=10)
    with pytest.raises(ValueError):
        publish_run(run=queued)


def test_a_run_the_register_cannot_serve_is_refused_when_queued():
    with pytest.raises(ValueError, match="Basisjahr 2031"):
        queue_run(base_year=2031)
    assert not ProjectionRun.objects.filter(status=ProjectionRun.Status.QUEUED).exists()


def test_a_run_left_running_by_a_stopped_worker_is_queued_again():
    run = queue_run(base_year=2024, horizon=1, trajectories=10)
    claim_next()
    assert requeue_interrupted() == 1
    run.refresh_from_db()
    assert run.status == ProjectionRun.Status.QUEUED


def test_a_stadtbezirk_is_projected_from_its_districts_with_the_atlas_s_roll_up_weights():
    """The projected Bezirk continues its published series: its districts weighted as the
    read path rolls them up give the Bezirk's published inhabitants in the base year, also
    where a district lies only partly in it."""
    register = register_of(level=runs.LEVEL)
    areas = runs.areas_of(register.codes, 2024)
    totals = register.until(2024).population[-1].sum(axis=(1, 2))  # (D,)
    einwohner = Indicator.objects.get(slug="einwohner")
    published = {
        area.code: area.cell.value
        for area in level_values(
            indicator=einwohner, level=Level.objects.get(slug="stadtbezirk"), year=2024
        ).areas
    }
    bezirke = [code for level, code, _name in areas.labels if level == "stadtbezirk"]
    assert ((areas.bezirk_of > 0) & (areas.bezirk_of < 1)).any()  # some lie partly in one
    for b, code in enumerate(bezirke):
        assert totals @ areas.bezirk_of[:, b] == pytest.approx(published[code], abs=1)


@SHARED
def test_each_age_group_s_interval_is_widened_by_its_own_factor(computed):
    """Children under 3 and the total of the city, in the first year: each group's 80 %
    half-width is its raw one times its own factor, and the two factors differ."""
    run = computed["run"]
    raw = quantiles_of(computed["raw"].result)[0, 0, -1]
    stored = quantiles_of(run.result)[0, 0, -1]
    group_factors = run.calibration["group_factors"]
    names = [g[0] for g in GROUPS]
    factors = [group_factors[name]["1"]["80"] for name in ("0-2", "total")]
    assert factors[0] != factors[1]
    for name, factor in zip(("0-2", "total"), factors, strict=True):
        g = names.index(name)
        median = raw[g, 3]
        assert stored[g, 5] - median == pytest.approx(factor * (raw[g, 5] - median), rel=1e-4)


@pytest.mark.parametrize(("name", "quota", "over_three"), [("0-2", 1.0, 0.0), ("3-5", 0.0, 1.0)])
def test_places_at_a_group_s_published_90_percent_quantile_are_short_in_about_10_percent(
    name, quota, over_three, monkeypatch
):
    """A need of one age group alone, against places at that group's published (calibrated)
    90 % quantile in the last year: short in one trajectory of ten in every district, as the
    group's interval says, not as the factor of all groups together would have it."""
    monkeypatch.setattr(runs.need, "KITA_QUOTAS", (quota,))
    monkeypatch.setattr(runs.need, "OVER_THREE_QUOTA", over_three)
    settings = {**SMALL, "trajectories": 200}
    first = run_projection(seed=3, dry_run=True, **settings)
    codes = [code for level, code, _name in first.result.axes["areas"]][:17]
    g = [group for group, _, _ in GROUPS].index(name)
    at_90 = quantiles_of(first.result)[0, -1, :17, g, 5]
    monkeypatch.setattr(
        runs.need, "kita_places", lambda **kw: dict(zip(codes, at_90.tolist(), strict=True))
    )
    shortfall = need_of(run_projection(seed=3, dry_run=True, **settings).result)["kita_shortfall"]
    # 20 of 200 trajectories above the places; one more or fewer would be 0.005 off.
    assert shortfall[0, 0, -1] == pytest.approx(np.full(17, 0.1), abs=0.003)
