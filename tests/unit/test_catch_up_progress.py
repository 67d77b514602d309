"""The catch-up progress line: share, rate and time left, at most every few seconds."""

from __future__ import annotations

from projections.catch_up import REPORT_INTERVAL, CatchUp


def test_a_line_is_due_only_after_the_interval() -> None:
    progress = CatchUp("customers", total=10_000, started=0.0, reported=0.0)
    assert progress.advance(2_000, now=REPORT_INTERVAL / 2) is None
    line = progress.advance(2_000, now=REPORT_INTERVAL * 2)
    assert line is not None
    assert line.startswith("projection customers catching up [########            ]")
    assert "4,000/10,000 events (40%)" in line
    assert "400 events/s, about 15 s left" in line
    assert progress.advance(1_000, now=REPORT_INTERVAL * 2 + 1) is None


def test_events_arriving_meanwhile_never_show_more_than_all() -> None:
    progress = CatchUp("sales", total=1_000, started=0.0, reported=0.0)
    line = progress.advance(1_500, now=REPORT_INTERVAL * 3)
    assert line is not None and "1,500/1,500 events (100%)" in line and "about 0 s left" in line
