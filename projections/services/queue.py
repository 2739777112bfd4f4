"""Projection runs in the background: the admin queues a run, a worker computes it.

There is no task broker in the stack; the queue is the table of runs itself. ``queue_run``
stores a run as ``queued`` with its parameters, checked at once. The worker
(``manage.py run_projections``, one process) claims the oldest queued run, marks it
``running``, computes it with ``run_projection`` into the same row (a draft, as a run
computed at once would be) or, if that fails, marks it ``failed`` with the reason. One run at
a time: a run takes a minute and both cores.
"""

import logging

from django.db import transaction
from django.utils import timezone

from core.audit import record
from projections.model import SCENARIOS
from projections.models import ProjectionRun
from projections.selectors import register_of
from projections.services.runs import LEVEL, checked, run_projection

log = logging.getLogger(__name__)
Status = ProjectionRun.Status


@transaction.atomic
def queue_run(
    *,
    base_year: int | None = None,
    horizon: int = 16,
    trajectories: int = 1000,
    seed: int = 0,
    user=None,
    is_demo: bool = False,
) -> ProjectionRun:
    """Store a run for the worker to compute; refused (ValueError) as ``run_projection``
    would refuse it."""
    base_year, backtest_trajectories = checked(
        register_of(level=LEVEL), base_year, horizon, trajectories, None
    )
    run = ProjectionRun.objects.create(
        base_year=base_year,
        horizon=horizon,
        scenarios=[s.slug for s in SCENARIOS],
        trajectories=trajectories,
        backtest_trajectories=backtest_trajectories,
        seed=seed,
        created_by=user,
        is_demo=is_demo,
        status=Status.QUEUED,
    )
    record(user=user, obj=run, message="zur Berechnung eingereiht", added=True)
    return run


@transaction.atomic
def claim_next() -> ProjectionRun | None:
    """The oldest queued run, marked running (a second worker skips it), or None."""
    run = (
        ProjectionRun.objects.select_for_update(skip_locked=True)
        .filter(status=Status.QUEUED)
        .order_by("created_at", "pk")
        .first()
    )
    if run is not None:
        run.status, run.started_at = Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    return run


def compute_queued(run: ProjectionRun, *, workers: int = 1) -> ProjectionRun:
    """Compute a claimed run into its row; a failure is kept on the run, not raised."""
    try:
        return run_projection(
            base_year=run.base_year,
            horizon=run.horizon,
            trajectories=run.trajectories,
            seed=run.seed,
            backtest_trajectories=run.backtest_trajectories,
            workers=workers,
            user=run.created_by,
            is_demo=run.is_demo,
            into=run,
        )
    except Exception as problem:  # the worker must go on with the next run
        log.exception("projection run %s failed", run.pk)
        run.status, run.error = Status.FAILED, f"{type(problem).__name__}: {problem}"
        run.save(update_fields=["status", "error"])
        return run


def work_off(*, workers: int = 1) -> int:
    """Compute queued runs one after another until none is left; how many were taken."""
    taken = 0
    while (run := claim_next()) is not None:
        compute_queued(run, workers=workers)
        taken += 1
    return taken


def requeue_interrupted() -> int:
    """Runs left ``running`` by a worker that stopped: queued again (one worker computes at a
    time, so at its start no other run is really running)."""
    return ProjectionRun.objects.filter(status=Status.RUNNING).update(
        status=Status.QUEUED, started_at=None
    )
