"""Turning wrk's output into the benchmark's table: rates, latencies, ratios to the bare route,
and whether each target was met.

Plain functions on plain values, so the rules can be tested without a server.
"""

import json
from dataclasses import asdict, dataclass, field

BARE = "bare"
# Issue 9's targets: the lowest acceptable ratio of a target's requests/s to the bare route's.
MIN_RATIOS = {
    "search": 0.3,
    "group page": 0.3,
    "group feed": 0.5,
    "personal feed": 0.4,
    "feed 304": 0.85,
}
MAX_QUERIES = 8  # SQL statements per request on any page, whatever the size of the data
# On PostgreSQL each ratio must also be within 20% of the same ratio on SQLite.
POSTGRESQL_TOLERANCE = 0.2
WRK_MARKER = "BENCH-JSON "


@dataclass
class WrkResult:
    """What bench/load.lua's done() reports for one run (times in microseconds)."""

    requests: int
    duration_us: int
    p50_us: int
    p95_us: int
    p99_us: int = 0
    mean_us: float = 0.0
    max_us: int = 0
    status_errors: int = 0  # HTTP status > 399, as wrk counts them
    unexpected: int = 0  # any status not accepted for this target
    last_unexpected_status: int = 0
    connect_errors: int = 0
    read_errors: int = 0
    write_errors: int = 0
    timeouts: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / (self.duration_us / 1_000_000) if self.duration_us else 0.0

    @property
    def bad_responses(self) -> int:
        """Responses that make the run a failure: wrong statuses and requests that timed out."""
        return max(self.status_errors, self.unexpected) + self.timeouts


def parse_wrk_output(output: str) -> WrkResult:
    """The summary line load.lua prints; raises ValueError if wrk printed none."""
    for line in output.splitlines():
        if line.startswith(WRK_MARKER):
            return WrkResult(**json.loads(line.removeprefix(WRK_MARKER)))
    raise ValueError(f"wrk printed no summary line:\n{output}")


@dataclass
class Row:
    """One line of the table."""

    target: str
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    sql_queries: int | None
    errors: int
    error_detail: str = ""
    ratio: float | None = None
    min_ratio: float | None = None
    sqlite_ratio: float | None = None
    query_limit: int | None = MAX_QUERIES
    verdict: str = ""
    missed: list[str] = field(default_factory=list)


def make_row(
    target: str, result: WrkResult, sql_queries: int | None, query_limit: int | None = MAX_QUERIES
) -> Row:
    detail = ""
    if result.bad_responses:
        detail = (
            f"{result.bad_responses} bad response(s), last status "
            f"{result.last_unexpected_status}, timeouts {result.timeouts}"
        )
    return Row(
        target=target,
        requests=result.requests,
        per_second=result.per_second,
        p50_ms=result.p50_us / 1000,
        p95_ms=result.p95_us / 1000,
        sql_queries=sql_queries,
        errors=result.bad_responses,
        error_detail=detail,
        min_ratio=MIN_RATIOS.get(target),
        query_limit=query_limit,
    )


def bare_floor(first: WrkResult, last: WrkResult) -> WrkResult:
    """The bare route is measured first and last; the faster run is the floor (the stricter
    choice: every ratio is taken against the best the server did)."""
    return first if first.per_second >= last.per_second else last


def judge(rows: list[Row], sqlite_ratios: dict[str, float] | None = None) -> list[Row]:
    """Fill in each row's ratio to the bare route and its verdict: "FAIL" (bad responses),
    "miss" (a target not met), "pass", or "floor" for the bare route itself."""
    bare = next(row for row in rows if row.target == BARE)
    for row in rows:
        row.ratio = row.per_second / bare.per_second if bare.per_second else None
        row.missed = []
        if row.min_ratio is not None and (row.ratio is None or row.ratio < row.min_ratio):
            row.missed.append(f"ratio {row.ratio or 0:.3f} < {row.min_ratio}")
        limit = row.query_limit
        if limit is not None and row.sql_queries is not None and row.sql_queries > limit:
            row.missed.append(f"{row.sql_queries} SQL queries > {limit}")
        if sqlite_ratios and row.target in MIN_RATIOS and row.target in sqlite_ratios:
            row.sqlite_ratio = sqlite_ratios[row.target]
            floor = row.sqlite_ratio * (1 - POSTGRESQL_TOLERANCE)
            if row.ratio is not None and row.ratio < floor:
                row.missed.append(
                    f"ratio {row.ratio:.3f} more than 20% below SQLite's {row.sqlite_ratio:.3f}"
                )
        if row.errors:
            row.verdict = "FAIL"
        elif row.missed:
            row.verdict = "miss"
        else:
            row.verdict = "floor" if row.target == BARE else "pass"
    return rows


COLUMNS = [
    "target", "requests", "req/s", "p50 ms", "p95 ms", "SQL/req", "ratio", "target", "errors",
    "result",
]  # fmt: skip


def _cells(row: Row) -> list[str]:
    wanted = f">= {row.min_ratio}" if row.min_ratio is not None else ""
    if row.sqlite_ratio is not None:
        wanted += f" (SQLite {row.sqlite_ratio:.3f})"
    return [
        row.target,
        str(row.requests),
        f"{row.per_second:.0f}",
        f"{row.p50_ms:.1f}",
        f"{row.p95_ms:.1f}",
        "?" if row.sql_queries is None else str(row.sql_queries),
        "" if row.ratio is None else f"{row.ratio:.3f}",
        wanted,
        str(row.errors),
        row.verdict,
    ]


def format_table(rows: list[Row]) -> str:
    """A plain-text table, also valid Markdown (for the README)."""
    lines = [COLUMNS, ["---"] * len(COLUMNS), *(_cells(row) for row in rows)]
    widths = [max(len(line[index]) for line in lines) for index in range(len(COLUMNS))]
    return "\n".join(
        "| "
        + " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        + " |"
        for line in lines
    )


def rows_as_json(rows: list[Row]) -> list[dict]:
    return [asdict(row) for row in rows]
