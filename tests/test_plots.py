"""helpers.plots: event lines a reader can tell apart, and figures saved for review under build/figures/."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from helpers.paths import BUILD_DIR  # noqa: E402
from helpers.plots import plot_timeline, show  # noqa: E402


def test_event_lines_differ_by_style_as_well_as_colour():
    frame = pd.DataFrame({"day": range(10), "score": range(10)})
    ax = plot_timeline(frame, "day", "score", events={"a": 3, "b": 4, "c": 5})
    events = [line for line in ax.get_lines() if line.get_label() in {"a", "b", "c"}]
    assert len({line.get_linestyle() for line in events}) == 3  # distinct in grey, on a projector
    assert len({line.get_color() for line in events}) == 3


def test_show_can_save_the_png_below_build(capsys):
    frame = pd.DataFrame({"day": range(5), "score": range(5)})
    target = BUILD_DIR / "figures" / "test_plots_saved.png"
    target.unlink(missing_ok=True)
    show(plot_timeline(frame, "day", "score").figure, save_as="test_plots_saved.png")
    assert target.read_bytes().startswith(b"\x89PNG")
