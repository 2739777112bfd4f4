"""Choropleth classes on the server: mapclassify for the breaks, ColorBrewer for the colours."""

import functools
import importlib
import itertools
import logging
import warnings
from dataclasses import dataclass

import numpy as np
from plotly.colors import colorbrewer

# Fisher-Jenks on a few hundred areas is fast without numba; its absence is not news.
warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)

logger = logging.getLogger(__name__)

# Method → mapclassify's classifier of that name.
METHODS = {
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
    "natural_breaks": "FisherJenks",
    "std_mean": "StdMean",
}


@functools.cache
def _classifier(name: str):
    """mapclassify's classifier ``name``. mapclassify is imported with the first legend, not
    with this module: it brings scipy.stats and scikit-learn, which took every process that
    starts Django (web worker, management command) more than a second."""
    return getattr(importlib.import_module("mapclassify"), name)


# Standard-deviation class limits (multiples of σ around the mean) giving k classes.
STD_MULTIPLES = {
    2: [0],
    3: [-1, 1],
    4: [-1, 0, 1],
    5: [-2, -1, 1, 2],
    6: [-2, -1, 0, 1, 2],
    7: [-3, -2, -1, 1, 2, 3],
}
# Steps of σ tried in turn until every limit lies inside the data (see _std_limits).
STD_STEPS = (1, 1 / 2, 1 / 3, 1 / 4)
# Methods whose limits do not come from where the values lie; a class of theirs may be empty,
# and the legend shows it with its count (0).
EMPTY_CLASSES_DEFINED = {"equal_interval", "std_mean", "manual"}
SEQUENTIAL = {
    "Blues", "BuGn", "BuPu", "GnBu", "Greens", "Greys", "OrRd", "Oranges", "PuBu", "PuBuGn",
    "PuRd", "Purples", "RdPu", "Reds", "YlGn", "YlGnBu", "YlOrBr", "YlOrRd",
}  # fmt: skip


@dataclass(frozen=True)
class Classes:
    method: str
    breaks: list[float]  # upper bound of each class
    lower: float
    colors: list[str]
    counts: list[int]
    bins: list[int]  # class of each input value, in input order


def palette(name: str, k: int) -> list[str]:
    """``k`` colours spread over the 9-class ColorBrewer scheme (light to dark)."""
    scheme = getattr(colorbrewer, name if name in SEQUENTIAL else "YlOrRd")
    # The lightest tone is nearly white and would read as "no data", so the scale starts one in.
    picks = np.linspace(1, len(scheme) - 1, k).round().astype(int)
    return [_hex(scheme[i]) for i in picks]


def _hex(rgb: str) -> str:
    r, g, b = (int(part) for part in rgb[4:-1].split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def classify(
    values: list[float],
    *,
    method: str,
    k: int,
    palette_name: str,
    breaks: list[float] | None = None,
) -> Classes | None:
    """Classes for the given values; None when there is nothing to classify.

    Every result is checked before it is returned (see ``classification_problem``): limits
    strictly increasing from the smallest to the largest value, no empty class unless the
    method defines one, and one class per value when there are no more values than classes.
    ``method="manual"`` takes the upper class limits from ``breaks``; the last class always
    reaches the largest value.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None
    if method == "manual" and breaks:
        result = _finish("manual", data, [float(b) for b in breaks], palette_name)
    elif np.unique(data).size <= k:
        # Fisher-Jenks and quantiles misbehave when asked for as many classes as there are
        # values (Jenks returned unsorted limits); each value is then a class of its own.
        result = _finish(method, data, [float(v) for v in np.unique(data)], palette_name)
    elif method == "std_mean":
        result = _finish(method, data, _std_limits(data, k), palette_name)
    else:
        classifier = _classifier(METHODS.get(method, "Quantiles"))(data, k=k)
        result = _finish(method, data, [float(b) for b in classifier.bins], palette_name)
    problem = classification_problem(result, values, k=k)
    if problem:
        # Never serve a legend that misstates the data; one class over the range is true.
        logger.error("Klassifikation %s mit %s Klassen verworfen: %s", method, k, problem)
        result = _finish(method, data, [float(data.max())], palette_name)
    return result


def _std_limits(data: np.ndarray, k: int) -> list[float]:
    """Limits at multiples of σ around the mean, in steps of 1, ½, ⅓ or ¼ σ.

    With whole σ the outer limits of a small, compact set often lie beyond its smallest or
    largest value, which left empty and inverted classes. The largest step that fills every
    class wins, else the largest whose limits all lie inside the data (as GIS software offers
    fractional σ); the legend then shows an empty class with its count (0).
    """
    low, high = float(data.min()), float(data.max())
    candidates = []
    for step in STD_STEPS:
        multiples = [m * step for m in STD_MULTIPLES[k]]
        cuts = [float(c) for c in _classifier("StdMean")(data, multiples=multiples).bins]
        if low < cuts[0] and cuts[len(multiples) - 1] < high:
            bins = np.searchsorted([*cuts[: len(multiples)], high], data, side="left")
            if np.bincount(bins, minlength=k).all():
                return cuts
            candidates.append(cuts)
    return candidates[0] if candidates else cuts


def _finish(method: str, data: np.ndarray, limits: list[float], palette_name: str) -> Classes:
    """Classes (lower, upper] from upper limits, cut to the data's range; a value on a limit
    belongs to the class below it, the smallest value to the first class.
    """
    low, high = float(data.min()), float(data.max())
    limits = sorted({b for b in limits if low <= b < high} | {high})
    bins = np.searchsorted(limits, data, side="left")
    counts = np.bincount(bins, minlength=len(limits))
    if method not in EMPTY_CLASSES_DEFINED:
        # A class between two limits with no value in it says nothing; it joins the next one.
        keep = [i for i, count in enumerate(counts) if count]
        limits = [limits[i] for i in keep]
        bins = np.searchsorted(limits, data, side="left")
        counts = np.bincount(bins, minlength=len(limits))
    return Classes(
        method=method,
        breaks=limits,
        lower=low,
        colors=palette(palette_name, len(limits)),
        counts=[int(c) for c in counts],
        bins=[int(b) for b in bins],
    )


def classification_problem(classes: Classes | None, values: list[float], *, k: int) -> str:
    """What is wrong with ``classes`` as the legend of ``values`` in ``k`` classes, or ""."""
    data = np.asarray(values, dtype=float)
    if classes is None:
        return "" if data.size == 0 else "keine Klassen für vorhandene Werte"
    limits = classes.breaks
    n = len(limits)
    if not (n == len(classes.colors) == len(classes.counts)):
        return "Grenzen, Farben und Anzahlen passen nicht zusammen"
    if any(a >= b for a, b in itertools.pairwise(limits)):
        return f"Klassengrenzen steigen nicht streng: {limits}"
    if classes.lower != float(data.min()) or classes.lower > limits[0]:
        return f"erste Untergrenze {classes.lower} ist nicht der kleinste Wert {data.min()}"
    if limits[-1] != float(data.max()):
        return f"letzte Obergrenze {limits[-1]} ist nicht der größte Wert {data.max()}"
    if classes.method != "manual" and n > k:
        return f"{n} Klassen statt höchstens {k}"
    expected = np.searchsorted(limits, data, side="left")
    if list(expected) != classes.bins:
        return "ein Wert liegt nicht in der Klasse, die seine Grenzen sagen"
    if list(np.bincount(expected, minlength=n)) != classes.counts:
        return "Anzahlen je Klasse stimmen nicht"
    if classes.method not in EMPTY_CLASSES_DEFINED and 0 in classes.counts:
        return f"leere Klasse bei {classes.method}: {classes.counts}"
    distinct = np.unique(data)
    if classes.method != "manual" and distinct.size <= k and limits != [float(v) for v in distinct]:
        return f"{distinct.size} verschiedene Werte, aber nicht eine Klasse je Wert: {limits}"
    return ""


# Change maps: a diverging ColorBrewer scheme centred on "no change". Which end is red follows
# the polarity: an increase of something bad is shown in red, of something good in blue.
DIVERGING = {
    "higher_worse": ("RdBu", True),
    "higher_better": ("RdBu", False),
    "neutral": ("PuOr", False),
}


def diverging_palette(polarity: str, k: int) -> list[str]:
    name, reverse = DIVERGING.get(polarity, DIVERGING["neutral"])
    scheme = getattr(colorbrewer, name)
    # The darkest ends are left out, as for the sequential scales; the middle stays light.
    picks = np.linspace(1, len(scheme) - 2, k).round().astype(int) if k > 1 else [len(scheme) // 2]
    colors = [_hex(scheme[i]) for i in picks]
    return colors[::-1] if reverse else colors


def classify_change(
    values: list[float], *, k: int, polarity: str, method: str = "quantiles"
) -> Classes | None:
    """Classes symmetric around zero, so that the colour says increase or decrease.

    ``equal_interval`` cuts the range ±(largest change) into equal classes; every other method
    takes the limits from quantiles of the absolute changes, so that one outlier does not
    leave everything else in the middle class.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None
    reach = float(np.abs(data).max())
    if reach == 0:
        k, reach = 1, 1.0
    half = k // 2
    if method == "equal_interval" or k == 1:
        width = 2 * reach / k
        limits = [-reach + width * (i + 1) for i in range(k)]
    else:
        # k = 2m + 1: a middle class |x| ≤ t₁ and m classes on each side; k = 2m: zero splits.
        steps = half + 1 if k % 2 else half
        cuts = [float(np.quantile(np.abs(data), j / steps)) for j in range(1, steps)]
        cuts = sorted({c for c in cuts if 0 < c < reach})
        inner = cuts if k % 2 else [0.0, *cuts]
        limits = sorted({*(-c for c in inner if c > 0), *inner, reach})
        if k % 2 and not cuts:
            limits = [reach]
    limits[-1] = reach
    bins = np.minimum(np.searchsorted(limits, data, side="left"), len(limits) - 1)
    return Classes(
        method="change",
        breaks=limits,
        lower=-reach,
        colors=diverging_palette(polarity, len(limits)),
        counts=[int((bins == i).sum()) for i in range(len(limits))],
        bins=[int(b) for b in bins],
    )
