"""Shared matplotlib figures, sized and labelled for projecting in class.

``plot_timeline`` is the course's workhorse: one or more daily series, an alert threshold, and vertical markers for
what happened (the true shift day from ``SCENARIOS``) and what monitoring saw (the day an alarm fired).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd

FIGSIZE = (10, 4)
#: Vertical event lines differ by colour *and* line style, so that they stay apart in grey or on a projector.
EVENT_COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:olive"]
EVENT_STYLES = [":", "-.", (0, (6, 2)), (0, (1, 3))]

plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
                     "axes.spines.right": False, "font.size": 11})


def plot_timeline(
    frame: pd.DataFrame,
    x: str,
    ys: str | list[str],
    *,
    title: str = "",
    ylabel: str = "",
    threshold: float | None = None,
    threshold_label: str = "alert threshold",
    events: Mapping[str, object] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Line plot of ``ys`` against ``x`` with an optional horizontal threshold and labelled vertical events.

    Args:
        frame: the data, one row per period.
        x: the column for the horizontal axis (a date or a day number).
        ys: one column or several to draw as lines.
        threshold: draws a dashed horizontal line at this value.
        events: ``{label: x position}``; each draws a labelled vertical line (e.g. "true shift starts": day 90).
        ax: draw into this axes instead of a new figure.

    Returns:
        The matplotlib axes (the figure is ``ax.figure``).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE)
    for column in [ys] if isinstance(ys, str) else ys:
        ax.plot(frame[x], frame[column], label=column, linewidth=1.6)
    if threshold is not None:
        ax.axhline(threshold, color="black", linestyle="--", linewidth=1, label=f"{threshold_label} ({threshold:g})")
    for colour, style, (label, position) in zip(EVENT_COLOURS, EVENT_STYLES, (events or {}).items()):
        ax.axvline(position, color=colour, linestyle=style, linewidth=2, label=label)
    ax.set_title(title)
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=9)
    ax.figure.tight_layout()
    return ax


def show(fig: plt.Figure, save_as: str | None = None) -> None:
    """Display ``fig`` as a PNG in a notebook whatever the matplotlib backend, then close it.

    Under a non-interactive backend (``MPLBACKEND=Agg``, e.g. on a server) ``plt.show()`` and a figure left at the end
    of a cell draw nothing into the notebook; this embeds the image explicitly, exactly once, with any backend.
    ``save_as``: also write the PNG to ``build/figures/<save_as>`` (e.g. "01_daily_drift.png"), to review or project.
    """
    import io

    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    if save_as is not None:
        from helpers.paths import build_path

        build_path("figures", save_as).write_bytes(buffer.getvalue())
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png"))
