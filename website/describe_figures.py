"""IPython start-up code for the site's lecture runs: a matplotlib figure's plain-text form says what it shows.

The site build copies this file into the ``startup`` folder of an IPython profile of its own and runs the
lectures with ``IPYTHONDIR`` pointing there, so every kernel runs it before the first cell. When a figure is
displayed, its ``text/plain`` form (beside the PNG) becomes a sentence made from the figure itself: its titles,
the kind of each panel (lines, bars, points, an image), the axis labels and ranges and the legend. The site uses
that sentence as the image's alt text. Nothing else in the kernel changes (``matplotlib.figure`` is imported a
little earlier than the notebook would): no name is left in the notebook's namespace, and a figure the describer
cannot read falls back to matplotlib's own form.
"""


def _mlip_site_register():
    limit = 700

    def text(t):
        return " ".join(str(t).split())

    def number(x):
        return f"{x:.3g}"

    def ticks(ax_axis):
        # the formatter's labels for the ticks, as drawn (tick label texts are empty until a figure is drawn)
        words = [text(w) for w in ax_axis.get_major_formatter().format_ticks(ax_axis.get_majorticklocs())]
        words = [w for w in words if w]
        if not words or any("$" in w for w in words) or all(w.replace(".", "", 1).replace("\u2212", "").replace("-", "").isdigit()
                            for w in words):
            return ""
        shown = ", ".join(words[:8])
        return shown + (f" and {len(words) - 8} more" if len(words) > 8 else "")

    def axis(name, label, lim, tick_words, scale):
        parts = [f"{name} axis"]
        if label:
            parts.append(f"\u201c{label}\u201d")
        if tick_words:
            parts.append(f"({tick_words})")
        elif lim is not None:
            parts.append(f"from {number(min(lim))} to {number(max(lim))}")
        if scale not in ("linear", None):
            parts.append(f"on a {scale} scale")
        return " ".join(parts)

    def kinds(ax):
        from matplotlib.collections import PathCollection, PolyCollection
        from matplotlib.container import BarContainer

        found = []
        lines = [ln for ln in ax.get_lines() if ln.get_visible() and len(ln.get_xdata()) > 1]
        if lines:
            found.append(f"{len(lines)} line{'s' if len(lines) > 1 else ''}")
        bars = sum(len(c.patches) for c in ax.containers if isinstance(c, BarContainer))
        if bars:
            found.append(f"{bars} bars")
        points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
        if points:
            found.append(f"{points} points")
        if any(isinstance(c, PolyCollection) for c in ax.collections):
            found.append("shaded areas")
        if ax.images:
            found.append("an image or heat map")
        if not found and ax.patches:
            found.append(f"{len(ax.patches)} shapes")
        if ax.texts:
            found.append(f"{len(ax.texts)} text labels")
        return ", ".join(found)

    def panel(ax):
        title = " / ".join(t for t in (text(ax.get_title(loc)) for loc in ("left", "center", "right")) if t)
        what = kinds(ax)
        bits = []
        if title:
            bits.append(f"\u201c{title}\u201d")
        if what:
            bits.append(what)
        if ax.name == "rectilinear" and ax.axison:
            xl, yl = text(ax.get_xlabel()), text(ax.get_ylabel())
            bits.append(axis("x", xl, ax.get_xlim(), ticks(ax.xaxis), ax.get_xscale()))
            bits.append(axis("y", yl, ax.get_ylim(), ticks(ax.yaxis), ax.get_yscale()))
        legend = ax.get_legend()
        if legend is not None:
            entries = [text(t.get_text()) for t in legend.get_texts() if text(t.get_text())]
            if entries:
                bits.append("legend: " + ", ".join(entries))
        return "; ".join(bits)

    def describe(fig):
        axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
        head = text(fig._suptitle.get_text()) if getattr(fig, "_suptitle", None) is not None else ""
        if not axes:
            return f"Figure: {head}" if head else "Figure without axes"
        if len(axes) == 1:
            body = "Plot: " + panel(axes[0])
        else:
            body = f"Plot of {len(axes)} panels. " + " ".join(
                f"Panel {i}: {panel(ax)}." for i, ax in enumerate(axes, 1))
        out = (f"\u201c{head}\u201d. " if head else "") + body
        return out if len(out) <= limit else out[:limit - 1].rstrip() + "\u2026"

    def pretty(fig, p, cycle):
        try:
            p.text(describe(fig))
        except Exception:  # never a traceback on stderr for the sake of an alt text
            p.text(repr(fig))

    # A printer registered with IPython's text/plain formatter does not last: matplotlib's inline backend removes
    # every formatter's entry for Figure when pyplot is imported. A _repr_pretty_ on the class is what IPython's
    # pretty printer falls back on then, so it is set there.
    from matplotlib.figure import Figure

    Figure._repr_pretty_ = pretty


_mlip_site_register()
del _mlip_site_register
