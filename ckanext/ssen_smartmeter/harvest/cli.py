"""``ckan ssen-smartmeter``: operators' commands of the smart meter harvester."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

import click

from ckanext.ssen_smartmeter.harvest import restatement
from ckanext.ssen_smartmeter.harvest.day_plan import DayRange
from ckanext.ssen_smartmeter.pipeline.engine import ProgressLines

__all__ = ["ssen_smartmeter"]

#: (title, report key, numeric); the progress lines use the same status words
_COLUMNS = (
    ("day", "day", False),
    ("status", "status", False),
    ("rows read", "rows_read", True),
    ("accepted", "rows_accepted", True),
    ("rejected", "rows_rejected", True),
    ("other areas", "rows_other_licence_area", True),
    ("P1 cells", "cells_suppressed_p1", True),
    ("P2 cells", "cells_suppressed_p2", True),
    ("files", "files_published", True),
)
#: the column shown only when a day has such rows (a source of some licence areas)
_OTHER_AREAS = "rows_other_licence_area"
#: shown where a count does not apply (a day not aggregated in this job)
NOT_APPLICABLE = "\u2013"
#: seconds between two progress lines when stderr is not a terminal
PLAIN_PROGRESS_EVERY = 10.0


def _date(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param=param) from None


def _cell(row: dict[str, Any], key: str, numeric: bool) -> str:
    value = row.get(key)
    if numeric and not row.get("aggregated", True):
        return NOT_APPLICABLE
    if isinstance(value, list):
        value = len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _without_day(message: str, day: str) -> str:
    """An object error without its leading ``DAY: `` (the line names the day once)."""
    prefix = f"{day}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def format_report(report: dict[str, Any]) -> str:
    """The summary table of a job report (one line a day, then totals and details).

    Columns are as wide as their widest cell; numbers are right-aligned with
    thousands separators; a count that does not apply to a day (not
    aggregated in this job: ``unchanged``, ``late``, most errors) shows
    ``\u2013``. The rows of meters of other licence areas (neither read nor
    rejected) have a column when an aggregated day has any.
    """
    columns = [
        column
        for column in _COLUMNS
        if column[1] != _OTHER_AREAS
        or any(d.get("aggregated", True) and d.get(_OTHER_AREAS, 0) != 0 for d in report["days"])
    ]
    totals = dict(
        report["totals"],
        day="total",
        status=f"{len(report['days']):,} day(s)",
        aggregated=True,
    )
    rows = [[_cell(row, key, numeric) for _, key, numeric in columns] for row in report["days"]]
    total = [_cell(totals, key, numeric) for _, key, numeric in columns]
    widths = [
        max(len(title), *(len(r[i]) for r in [*rows, total]))
        for i, (title, _, _) in enumerate(columns)
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if numeric else cell.ljust(width)
            for cell, width, (_, _, numeric) in zip(cells, widths, columns, strict=True)
        ).rstrip()

    header = line([title for title, _, _ in columns])
    rule = "-" * len(header)
    lines = [header, rule, *(line(r) for r in rows), rule, line(total)]
    lines.append(", ".join(f"{k} {v:,}" for k, v in sorted(report["statuses"].items())))
    for row in report["days"]:
        day = row["day"]
        rejected = {k: v for k, v in row.get("rejected", {}).items() if v}
        if rejected:
            lines.append(
                f"{day} rejected: " + ", ".join(f"{k} {v:,}" for k, v in sorted(rejected.items()))
            )
        if row.get("late"):
            late = row["late"]
            lines.append(
                f"{day} late reads (not applied): {late.get('late_rows', 0):,} "
                f"row(s) in {', '.join(late.get('late_files') or []) or 'no new file'}; "
                f"apply with: ckan ssen-smartmeter restate SOURCE --date {day}"
            )
        if row.get("restatement"):
            lines.append(
                f"{day} restated: {restatement.describe(row['restatement'])}; "
                f"{row.get('restatement_blocks_held') or 0:,} substation half-hour(s) held "
                "by the P3 restatement guard"
            )
        for error in row.get("errors", []):
            lines.append(f"{day} error: {_without_day(error, day)}")
    return "\n".join(lines)


class PlainProgress:
    """Progress of a job's days as plain lines (stderr is not a terminal):
    one at most every ``every`` seconds, and one for the last day."""

    def __init__(self, total: int, every: float = PLAIN_PROGRESS_EVERY) -> None:
        self.total = total
        self.every = every
        self.done = 0
        self.start = time.monotonic()
        self.last = -every

    def update(self, day: str, status: str) -> None:
        self.done += 1
        now = time.monotonic() - self.start
        if now - self.last < self.every and self.done < self.total:
            return
        self.last = now
        left = ""
        if 0 < self.done < self.total:
            left = f", about {(self.total - self.done) * now / self.done:.0f}s left"
        click.echo(f"days {self.done:,}/{self.total:,}{left}; {day} {status}", err=True)


def _run(source: str, asked: DayRange | None) -> None:
    from ckanext.ssen_smartmeter.harvest.report import day_status
    from ckanext.ssen_smartmeter.harvest.sync_run import RunError, harvester, run_job

    bar: Any = None
    plain: PlainProgress | None = None
    plugin = harvester()
    # the pipeline's progress inside a day: a line on stderr at most every 2 seconds
    plugin.progress = ProgressLines(lambda line: click.echo(line, err=True), every=2.0, indent="  ")

    def on_start(ids: list[str]) -> None:
        nonlocal bar, plain
        click.echo(f"{len(ids)} day(s) to process")
        if not sys.stderr.isatty():
            plain = PlainProgress(len(ids))
            return
        bar = click.progressbar(
            length=len(ids), label="days", show_eta=True, show_pos=True, file=sys.stderr
        )
        bar.__enter__()

    def on_object(obj: Any) -> None:
        status = day_status(obj)
        if plain is not None:
            plain.update(obj.guid, status)
        if bar is not None:
            bar.label = f"{obj.guid} {status}"
            bar.update(1)

    try:
        report = run_job(source, asked, on_start=on_start, on_object=on_object)
    except RunError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        plugin.progress = None
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"job {report['job_id']}: {report['status']}")
    click.echo(format_report(report))
    if report["statuses"].get("error"):
        sys.exit(1)


@click.group("ssen-smartmeter", short_help="Smart meter harvest: harvest, restate, report")
def ssen_smartmeter() -> None:
    """Operate smart meter harvest sources."""


@ssen_smartmeter.command("harvest")
@click.argument("source")
@click.option("--date", "date", callback=_date, help="Only this day (YYYY-MM-DD).")
@click.option("--from", "date_from", callback=_date, help="First day of a range.")
@click.option("--to", "date_to", callback=_date, help="Last day of a range.")
def harvest(
    source: str, date: dt.date | None, date_from: dt.date | None, date_to: dt.date | None
) -> None:
    """Run a harvest job of SOURCE now, in this process.

    Without options: every ready day not yet published, and late reads of
    recent published days (reported, not applied). With --date or --from/--to:
    those days only; a published day whose reads did not change is reported
    'unchanged'.
    """
    if date is not None and (date_from or date_to):
        raise click.UsageError("use either --date or --from/--to")
    if (date_from is None) != (date_to is None):
        raise click.UsageError("--from and --to go together")
    asked = None
    try:
        if date is not None:
            asked = DayRange(date, date)
        elif date_from is not None and date_to is not None:
            asked = DayRange(date_from, date_to)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    _run(source, asked)


@ssen_smartmeter.command("restate")
@click.argument("source")
@click.option("--date", "date", callback=_date, required=True, help="The day (YYYY-MM-DD).")
def restate(source: str, date: dt.date) -> None:
    """Republish one day of SOURCE with its current reads (rule P3).

    Rows keep their insert_time; last_modified_time moves where values
    changed. The restatement is recorded on the job and in the log.
    """
    _run(source, DayRange(date, date, restate=True))


@ssen_smartmeter.command("report")
@click.argument("job")
@click.option("--json", "as_json", is_flag=True, help="Print the action's JSON.")
def report(job: str, as_json: bool) -> None:
    """Per-day quality and counts of harvest JOB."""
    import ckan.plugins.toolkit as tk

    from ckanext.ssen_smartmeter.harvest.sync_run import site_context

    try:
        result = tk.get_action("ssen_smartmeter_job_report")(site_context(), {"id": job})
    except tk.ObjectNotFound as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result, indent=2, sort_keys=True))
    else:
        click.echo(f"job {result['job_id']}: {result['status']}")
        click.echo(format_report(result))
