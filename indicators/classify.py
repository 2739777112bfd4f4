"""Choropleth classes on the server: mapclassify for the breaks, ColorBrewer for the colours."""

import warnings
from dataclasses import dataclass

# Fisher-Jenks on a few hundred areas is fast without numba; its absence is not news.
warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)

import mapclassify  # noqa: E402
import numpy as np  # noqa: E402
from plotly.colors import colorbrewer  # noqa: E402

METHODS = {
    "quantiles": mapclassify.Quantiles,
    "equal_interval": mapclassify.EqualInterval,
    "natural_breaks": mapclassify.FisherJenks,
    "std_mean": mapclassify.StdMean,
}
# Standard-deviation class limits (multiples of σ around the mean) giving k classes.
STD_MULTIPLES = {
    2: [0],
    3: [-1, 1],
    4: [-1, 0, 1],
    5: [-2, -1, 1, 2],
    6: [-2, -1, 0, 1, 2],
    7: [-3, -2, -1, 1, 2, 3],
}
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

    ``method="manual"`` takes the upper class limits from ``breaks``; the last class always
    reaches the largest value.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None
    if method == "manual" and breaks:
        return _manual(data, breaks, palette_name)
    distinct = np.unique(data).size
    k = max(1, min(k, distinct))
    if k < 2:
        return Classes(method, [float(data.max())], float(data.min()), palette(palette_name, 1),
                       [int(data.size)], [0] * int(data.size))  # fmt: skip
    if method == "std_mean":
        classifier = mapclassify.StdMean(data, multiples=STD_MULTIPLES[k])
    else:
        classifier = METHODS.get(method, mapclassify.Quantiles)(data, k=k)
    breaks = [float(b) for b in classifier.bins]
    # Standard-deviation classes may extend beyond the data; the legend shows the data's range.
    breaks[-1] = max(breaks[-1], float(data.max()))
    k = len(breaks)
    return Classes(
        method=method,
        breaks=breaks,
        lower=float(data.min()),
        colors=palette(palette_name, k),
        counts=[int(c) for c in classifier.counts],
        bins=[int(b) for b in classifier.yb],
    )


def _manual(data: np.ndarray, breaks: list[float], palette_name: str) -> Classes:
    limits = sorted(float(b) for b in breaks if data.min() < b < data.max())
    limits.append(float(data.max()))
    bins = np.searchsorted(limits, data, side="left")
    return Classes(
        method="manual",
        breaks=limits,
        lower=float(data.min()),
        colors=palette(palette_name, len(limits)),
        counts=[int((bins == i).sum()) for i in range(len(limits))],
        bins=[int(b) for b in bins],
    )


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
