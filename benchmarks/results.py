"""What a benchmark run found: one row per path, its service figure, its limit, the ratio.

A `Side` is one measured figure (a rate and/or latencies); a `Row` sets the service's side
next to the same work sent to the component beneath (or, for the single-model row, next to
the alternative), with the ratio and the path's target. `table()` renders the rows as
fixed-width text for the terminal and as Markdown for RESULTS.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from benchmarks.loadgen import LoadResult, percentile


@dataclass
class Side:
    rate: float | None = None
    unit: str = "/s"
    latencies: list[float] = field(default_factory=list, repr=False)
    errors: int = 0
    reasons: Counter[str] = field(default_factory=Counter, repr=False)
    text_override: str | None = None  # a figure that is not a rate (memory, freshness)
    detail: str = ""  # appended in brackets: sizes, counts

    @classmethod
    def from_load(cls, result: LoadResult, unit: str) -> Side:
        return cls(result.rate, unit, result.latencies, result.errors, result.reasons)

    @classmethod
    def fixed(cls, text: str) -> Side:
        return cls(text_override=text)

    def ms(self, q: float) -> float | None:
        value = percentile(self.latencies, q)
        return None if value is None else value * 1000

    def text(self) -> str:
        if self.text_override is not None:
            parts = [self.text_override]
        else:
            parts = [f"{number(self.rate)} {self.unit}"] if self.rate is not None else []
            if self.latencies:
                parts.append(f"p50 {millis(self.ms(0.5))}, p99 {millis(self.ms(0.99))}")
        if self.errors:
            parts.append(f"{self.errors} failed")
        if self.detail:
            parts.append(self.detail)
        return "; ".join(parts)


@dataclass
class Row:
    section: str
    path: str
    service: Side
    limit: Side | None = None
    ratio: float | None = None
    ratio_text: str | None = None
    target: str = ""
    met: bool | None = None  # None: no target, or not measurable

    def ratio_cell(self) -> str:
        if self.ratio_text is not None:
            return self.ratio_text
        return "-" if self.ratio is None else f"{self.ratio:.2f}"

    def target_cell(self) -> str:
        if not self.target:
            return ""
        mark = {True: "met", False: "MISSED", None: ""}[self.met]
        return f"{self.target} {mark}".strip()


def ratio(service: float | None, limit: float | None) -> float | None:
    if not service or not limit:
        return None
    return service / limit


def at_least(value: float | None, floor: float) -> bool | None:
    return None if value is None else value >= floor


def at_most(value: float | None, ceiling: float) -> bool | None:
    return None if value is None else value <= ceiling


def number(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def millis(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 10:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


HEADERS = ("path", "service", "limit (single model: the SQL alternative)", "ratio", "target")


def cells(row: Row) -> tuple[str, str, str, str, str]:
    limit = row.limit.text() if row.limit is not None else "-"
    return (
        f"{row.section}: {row.path}",
        row.service.text(),
        limit,
        row.ratio_cell(),
        row.target_cell(),
    )


def table(rows: list[Row]) -> str:
    """Fixed-width text, one row per path (wide cells wrap nowhere: terminals scroll)."""
    body = [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in [HEADERS, *body]) for i in range(len(HEADERS))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for line in body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row)) + " |")
    return "\n".join(lines)


def failures(rows: list[Row]) -> list[str]:
    """One line per side that had failed requests, with the most frequent reasons."""
    found = []
    for row in rows:
        for name, side in (("service", row.service), ("limit", row.limit)):
            if side is not None and side.errors:
                top = "; ".join(f"{n}x {reason}" for reason, n in side.reasons.most_common(3))
                found.append(f"{row.section}: {row.path} ({name}): {side.errors} failed: {top}")
    return found
