"""The report's figures, drawn with matplotlib's object API (no pyplot state) and embedded as SVG data URIs."""
from __future__ import annotations

import base64
import io

import pandas as pd

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PASS, FAIL, UNDECIDED = "#0072B2", "#D55E00", "#BBBBBB"
STYLE = {"svg.hashsalt": "mlip-report", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
         "axes.titlesize": 10, "axes.titleweight": "bold", "axes.titlelocation": "left", "legend.frameon": False}


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def to_data_uri(fig) -> str:
    """The figure as an SVG ``data:`` URI: sharp at any size, fonts drawn as paths, nothing to fetch."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _percent_axis(ax, axis: str = "y") -> None:
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0))


def pass_over_time(frame: pd.DataFrame, *, due: pd.Timestamp | None, tz) -> object:
    """Small multiples, one panel per automatic spec: the share of students passing it as attempts come in."""
    import math

    import matplotlib as mpl
    import matplotlib.dates as mdates

    with mpl.rc_context(STYLE):
        n = len(frame.columns)
        cols = min(3, n)
        rows = math.ceil(n / cols)
        fig = _figure(7.2, 1.75 * rows + 0.3)
        axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
        times = list(frame.index.tz_convert(tz))
        end = max(times[-1], due.tz_convert(tz)) if due is not None else times[-1]
        start = min(times[0], due.tz_convert(tz)) if due is not None else times[0]
        pad = max((end - start) * 0.04, pd.Timedelta(hours=6))
        for ax, spec in zip(axes, frame.columns):
            xs = [start - pad, *times, end + pad]
            ys = [0.0, *frame[spec], frame[spec].iloc[-1]]
            ax.fill_between(xs, ys, step="post", color=PASS, alpha=0.18, linewidth=0)
            ax.step(xs, ys, where="post", color=PASS, linewidth=1.6)
            if due is not None:
                ax.axvline(due.tz_convert(tz), color="#444444", linestyle="--", linewidth=0.9)
            ax.set_title(f"{spec}: {frame[spec].iloc[-1]:.0%}", fontsize=9)
            ax.grid(axis="y", color="#e5e5e5")
            ax.set_ylim(0, 1.05)
            _percent_axis(ax)
            ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4, tz=tz))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d", tz=tz))
            ax.tick_params(labelsize=7.5)
        for ax in axes[n:]:
            ax.set_visible(False)
        if due is not None:
            fig.suptitle("dashed: the due date", fontsize=8, color="#444444", x=0.99, ha="right")
        return fig


def spec_standing(frame: pd.DataFrame) -> object:
    """Stacked bars, failed most on top: the share of students passing, failing and not decided per spec."""
    import matplotlib as mpl

    with mpl.rc_context(STYLE):
        fig = _figure(7.2, 0.45 * len(frame) + 1.1)
        ax = fig.add_subplot()
        labels = [f"{spec} (manual)" if row.kind == "manual" else spec for spec, row in frame.iterrows()]
        y = range(len(frame))
        left = [0.0] * len(frame)
        for column, colour, name in (("failed", FAIL, "failing"), ("undecided", UNDECIDED, "not decided"),
                                     ("passed", PASS, "passing")):
            values = list(frame[column])
            ax.barh(y, values, left=left, color=colour, label=name, height=0.65)
            for yi, (lo, v) in enumerate(zip(left, values)):
                if v >= 0.08:
                    ax.text(lo + v / 2, yi, f"{v:.0%}", ha="center", va="center", fontsize=8,
                            color="white" if column != "undecided" else "#222222")
            left = [a + b for a, b in zip(left, values)]
        ax.set_yticks(list(y), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        _percent_axis(ax, "x")
        ax.set_xlabel("share of students, by their standing now")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=8)
        return fig


def counts(series: pd.Series, *, xlabel: str, ylabel: str = "students", start: int = 0) -> object:
    """A bar per value: how many students made 1, 2, 3 ... attempts (or spent 0, 1, 2 ... tokens)."""
    import matplotlib as mpl
    from matplotlib.ticker import MaxNLocator

    with mpl.rc_context(STYLE):
        fig = _figure(3.5, 2.4)
        ax = fig.add_subplot()
        tally = series.value_counts().sort_index()
        if len(tally):
            tally = tally.reindex(range(min(start, int(tally.index.min())), int(tally.index.max()) + 1), fill_value=0)
        ax.bar([str(i) for i in tally.index], tally.values, color=PASS, width=0.7)
        for x, v in enumerate(tally.values):
            if v:
                ax.text(x, v, str(int(v)), ha="center", va="bottom", fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.margins(y=0.15)
        return fig


def points(series_by_assignment: dict[str, pd.Series], max_points: dict[str, float]) -> object:
    """Each student's points per assignment as dots, the middle half shaded and the median marked."""
    import matplotlib as mpl

    with mpl.rc_context(STYLE):
        names = list(series_by_assignment)
        fig = _figure(7.2, 0.45 * len(names) + 0.9)
        ax = fig.add_subplot()
        data = [(series_by_assignment[n] / (max_points[n] or 1)).tolist() for n in names]
        for i, values in enumerate(data, start=1):
            if not values:
                continue
            q1, median, q3 = pd.Series(values).quantile([0.25, 0.5, 0.75])
            ax.hlines(i, q1, q3, color="#dddddd", linewidth=10, zorder=1)
            jitter = [((j * 0.618) % 1 - 0.5) * 0.3 for j in range(len(values))]
            ax.scatter(values, [i + d for d in jitter], s=12, color=PASS, alpha=0.7, zorder=3)
            ax.plot([median], [i], marker="|", markersize=16, color="#222222", zorder=4)
        ax.set_yticks(range(1, len(names) + 1), names)
        ax.invert_yaxis()
        ax.set_xlim(-0.03, 1.03)
        _percent_axis(ax, "x")
        ax.set_xlabel("points, as a share of the assignment's maximum")
        return fig
