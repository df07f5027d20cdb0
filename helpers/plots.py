"""Shared matplotlib figures, sized and labelled for projecting in class.

``plot_timeline`` is the course's workhorse: one or more daily series, an alert threshold, and vertical markers for
what happened (the true shift day from ``SCENARIOS``) and what monitoring saw (the day an alarm fired).
``plot_alert`` draws one alert rule next to its metric: the alert line, the pending stretches, the firing evaluations.
Figures a notebook draws itself take the course's style from ``plt.style.use("helpers.course")`` in its first cell.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.validation import require_columns, require_number

__all__ = [
    "FIGSIZE", "EVENT_COLOURS", "EVENT_STYLES", "COURSE_STYLE", "plot_timeline", "plot_alert", "show",
]

FIGSIZE = (10, 4)
#: Vertical event lines differ by colour *and* line style, so that they stay apart in grey or on a projector.
EVENT_COLOURS = ["tab:red", "tab:green", "tab:purple", "tab:olive"]  # not blue or orange: the series' colours
EVENT_STYLES = [":", "-.", (0, (6, 2)), (0, (1, 3))]

#: The course's matplotlib style (``helpers/course.mplstyle``): notebooks apply it with ``plt.style.use(COURSE_STYLE)``
#: (importing this module changes no setting); ``plot_timeline`` and ``plot_alert`` draw in it either way.
COURSE_STYLE = "helpers.course"


def _in_course_style(draw):
    """Run a drawing function inside ``plt.style.context(COURSE_STYLE)``: the style lasts for the call only."""
    import functools

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with plt.style.context(COURSE_STYLE):
            return draw(*args, **kwargs)

    return wrapper


@_in_course_style
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
    require_columns(frame, [x, *([ys] if isinstance(ys, str) else ys)], "frame")
    if threshold is not None:
        threshold = require_number(threshold, "threshold")
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


_OP_WORDS = {"<": "below", "<=": "at or below", ">": "above", ">=": "at or above"}


@_in_course_style
def plot_alert(
    ax: plt.Axes | None,
    evaluation: pd.DataFrame,
    rule,
    *,
    x=None,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    metric_label: str | None = None,
) -> plt.Axes:
    """One alert rule next to its metric: the metric, the alert line, pending stretches shaded, firing points marked.

    Args:
        ax: draw into this axes (None: a new figure).
        evaluation: ``helpers.alerts.evaluate(rule, series)`` (columns time, value, state, active_since).
        rule: the ``helpers.alerts.Rule`` that was evaluated (its threshold, op and ``for_`` label the chart).
        x: positions for the horizontal axis, one per evaluation (e.g. day numbers); None uses the times.
        metric_label: the legend's name for the metric (default: the rule's metric name).

    A pending stretch is shaded from its first pending evaluation up to the next evaluation (the condition holds, the
    alert waits for ``for``); firing evaluations are red dots. For an ``absent`` rule, which has no line, the
    evaluations without a sample are marked along the bottom.
    """
    from helpers.alerts import ABSENT

    missing = [c for c in ("time", "value", "state") if c not in evaluation.columns]
    if missing:
        raise ValueError(
            f"evaluation has no column {', '.join(map(repr, missing))}: pass the frame helpers.alerts.evaluate returns"
        )
    positions = list(evaluation["time"] if x is None else x)
    if len(positions) != len(evaluation):
        raise ValueError(f"x has {len(positions)} positions for {len(evaluation)} evaluations: give one per evaluation")
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE)
    values = evaluation["value"].to_numpy(dtype=float)
    states = evaluation["state"].to_numpy()
    ax.plot(positions, values, color="tab:blue", linewidth=1.6, marker=".", markersize=4,
            label=metric_label or rule.metric)
    if rule.op == ABSENT:
        no_data = [p for p, v in zip(positions, values) if np.isnan(v)]
        ax.scatter(no_data, [0.03] * len(no_data), transform=ax.get_xaxis_transform(), marker="|", s=120,
                   color="grey", label="no sample")
        condition = f"fires when there is no sample{_for_words(rule.for_)}"
    else:
        ax.axhline(rule.threshold, color="black", linestyle="--", linewidth=1,
                   label=f"alert line: {_OP_WORDS[rule.op]} {rule.threshold:g}")
        condition = f"fires when {_OP_WORDS[rule.op]} {rule.threshold:g}{_for_words(rule.for_)}"
    _shade_pending(ax, positions, states)
    _mark_firing(ax, positions, values, states, absent=rule.op == ABSENT,
                 where_label=xlabel if x is not None else None)
    ax.set_title(title or f"{rule.name}: {condition}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or metric_label or rule.metric)
    ax.legend(loc="best", fontsize=9)
    ax.figure.tight_layout()
    return ax


def _shade_pending(ax: plt.Axes, positions: list, states) -> None:
    """Shade each pending stretch from its first pending evaluation up to the next evaluation (one legend entry)."""
    from helpers.alerts import PENDING

    shaded = False
    for i, state in enumerate(states):
        if state == PENDING and (i == 0 or states[i - 1] != PENDING):
            end = i
            while end < len(states) and states[end] == PENDING:
                end += 1
            right = positions[end] if end < len(positions) else positions[end - 1]
            ax.axvspan(positions[i], right, color="tab:orange", alpha=0.25, linewidth=0,
                       label=None if shaded else "pending (condition holds, waiting)")
            shaded = True


def _mark_firing(ax: plt.Axes, positions: list, values, states, absent: bool, where_label: str | None) -> None:
    """Red dots at the firing evaluations (along the bottom when there is no value) and a line at the first one,
    labelled with its position when ``where_label`` is not None (the caller gave ``x``)."""
    from helpers.alerts import FIRING

    firing = [i for i, state in enumerate(states) if state == FIRING]
    if not firing:
        return
    y = [values[i] for i in firing]
    if absent or all(np.isnan(y)):
        ax.scatter([positions[i] for i in firing], [0.08] * len(firing), transform=ax.get_xaxis_transform(),
                   color="tab:red", s=30, zorder=3, label="firing")
    else:
        ax.scatter([positions[i] for i in firing], y, color="tab:red", s=30, zorder=3, label="firing")
    where = f" ({where_label + ' ' if where_label else ''}{positions[firing[0]]})" if where_label is not None else ""
    ax.axvline(positions[firing[0]], color="tab:red", linestyle=":", linewidth=2, label=f"first firing{where}")


def _for_words(duration: pd.Timedelta) -> str:
    """A rule's ``for`` in words for a chart title: "" for zero, else " for 2 days" (" for 90 minutes")."""
    if duration == pd.Timedelta(0):
        return ""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return f" for {count} {unit}{'' if count == 1 else 's'}"
    return f" for {duration}"


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
