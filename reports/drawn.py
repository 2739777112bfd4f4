"""Charts and maps drawn once for the same input.

A drawing is a function of its input alone (reports/charts.py: the same input gives the same
bytes), and a report, a fact sheet and their PDF and Word file ask for the same drawings again:
after a newer release a report is built at its own state and the current one, most of its
charts alike. ``kept_drawing`` keeps a drawing under an exact copy of its input, bounded by
bytes; an input holding anything but plain values, geometries and dataclasses of them is
drawn anew every time.
"""

import dataclasses
import functools

import shapely

from indicators.readcache import LRU

DRAWN = LRU(256, max_bytes=32 * 2**20, weigh=lambda chart: len(chart.svg) + len(chart.png))


class _Unkeyable(Exception):
    pass


def _frozen(value):
    """A hashable copy of ``value`` that equals another's only where the drawings would."""
    if value is None or isinstance(value, bool | int | str):
        return (type(value), value)
    if isinstance(value, float):
        # By its bits: -0.0 equals 0.0 but may be written "−0".
        return (type(value), value.hex())
    if isinstance(value, list | tuple):
        return (type(value), tuple(_frozen(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, shapely.Geometry):
        return (type(value), value.wkb)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value), tuple(_frozen(getattr(value, field.name)) for field in fields))
    raise _Unkeyable


def kept_drawing(draw):
    """``draw`` (returning a ``Chart``) that gives the kept drawing for an input it drew."""

    @functools.wraps(draw)
    def kept(*args, **kwargs):
        try:
            key = (draw.__module__, draw.__qualname__, _frozen(args), _frozen(kwargs))
        except _Unkeyable:
            return draw(*args, **kwargs)
        chart = DRAWN.get(key)
        if chart is None:
            chart = draw(*args, **kwargs)
            DRAWN.put(key, chart)
        return chart

    return kept
