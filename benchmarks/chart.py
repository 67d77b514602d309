"""A PNG of the latency distributions: one panel per path, the service next to its limit.

Each panel shows the cumulative distribution (share of requests answered within x ms, x
on a log scale) with the p50 and p99 marked, so a tail shows as a late climb. Needs
matplotlib (the `bench` extra); without it the chart is skipped with a note.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.results import Row, Side

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COLUMNS = 3
MAX_POINTS = 2000  # per curve: enough for the eye, cheap to draw


def write_chart(rows: list[Row], path: Path, title: str) -> str | None:
    """Draw the chart into `path`; None on success, else why it was skipped."""
    panels = [row for row in rows if row.service.latencies or (row.limit and row.limit.latencies)]
    if not panels:
        return "no latencies were measured"
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, NullFormatter
    except ImportError:
        return "matplotlib is not installed (pip install -e '.[bench]')"
    count = len(panels)
    lines = math.ceil(count / COLUMNS)
    figure, axes = plt.subplots(lines, COLUMNS, figsize=(6 * COLUMNS, 3.6 * lines), squeeze=False)
    for ax, row in zip(axes.flat, panels, strict=False):
        _panel(ax, row)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    figure.suptitle(title)
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return None


def _panel(ax: Axes, row: Row) -> None:
    sides: list[tuple[str, Side | None]] = [
        ("service", row.service),
        (_limit_label(row), row.limit),
    ]
    for label, side in sides:
        if side is None or not side.latencies:
            continue
        ordered = sorted(x * 1000 for x in side.latencies)
        step = max(1, len(ordered) // MAX_POINTS)
        picked = [*range(0, len(ordered), step), len(ordered) - 1]
        values = [ordered[i] for i in picked]
        shares = [(i + 1) / len(ordered) for i in picked]
        p50, p99 = side.ms(0.5) or 0.0, side.ms(0.99) or 0.0
        (line,) = ax.plot(values, shares, label=f"{label}: p50 {p50:.1f}, p99 {p99:.1f} ms")
        for value, share in ((p50, 0.5), (p99, 0.99)):
            ax.plot([value], [share], marker="o", color=line.get_color())
    ax.set_xscale("log")
    ax.set_xlabel("latency (ms, log scale)")
    ax.set_ylabel("share answered")
    ax.set_title(f"{row.section}: {row.path}", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")


def _limit_label(row: Row) -> str:
    return "SQL alternative" if row.section == "single model" else "limit"
