"""The demo's summary as rich tables: per day and stage, then the business answers.

A table that does not fit its console is shrunk by rich, which folds or cuts cells: 22134
became "221" over "34", a date "2024-01-…". So no column here is narrower than its widest
cell. The per-day tables of the default 7-day demo fit 80 columns (headers on two lines, day
columns headed by the day of the month); a wider one (usage by plan per event date) is cut at
a narrower terminal's edge, never inside a cell. Where the output is not a terminal (a log,
CI, a pipe) `console.summary_console` is wide enough for every table.
"""
from __future__ import annotations

from typing import Iterable, Optional

from rich.console import Console
from rich.table import Table

from telco360.commands.console import widest

STAGE_HEADERS = {"job_a_clean": "Job A\nclean", "job_b_staging": "Job B\nstaging"}


def sized_table(title: str, headers: Iterable[str], rows: Iterable[Iterable[str]], text_columns: int = 1,
                last_row_style: Optional[str] = None) -> Table:
    """A table whose columns are at least as wide as their widest cell (and header word).

    The first `text_columns` columns are left-aligned, the others (numbers) right-aligned."""
    headers, rows = list(headers), [list(row) for row in rows]
    table = Table(title=title)
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index < text_columns else "right",
                         min_width=widest(header, [row[index] for row in rows]))
    for number, row in enumerate(rows, 1):
        table.add_row(*row, style=last_row_style if number == len(rows) else None)
    return table


def _date_headers(dates: list[str]) -> tuple[list[str], str]:
    """Column headers for ISO dates and the period to put in the title: the day of the month
    within one month (`15`, "2024-01"), else MM-DD within one year, else the dates."""
    for prefix in (7, 4):
        periods = {d[:prefix] for d in dates}
        if len(periods) == 1:
            return [d[prefix + 1:] for d in dates], periods.pop()
    return list(dates), ""


def _titled(title: str, period: str) -> str:
    return f"{title} ({period})" if period else title


def _by_reason_table(title: str, days: list[dict], key: str) -> Table:
    """Rows: reasons; columns: days; cells: counts."""
    dates = [day["run_date"] for day in days]
    rows = [
        [reason, *(str(day[key].get(reason, 0) or "-") for day in days)]
        for reason in sorted({r for day in days for r in day[key]})
    ]
    headers, period = _date_headers(dates)
    return sized_table(_titled(title, period), ["reason", *headers], rows)


def print_demo_summary(result: dict, console: Console) -> None:
    days = result["days"]
    console.print(sized_table(
        "Telco Customer 360 demo, each daily run: files routed, records cleaned",
        ["day", "files\narchived", "files\nrejected", "records\nclean", "records\nquarantined"],
        ([d["run_date"], str(d["files_archived"]), str(d["files_rejected"]), str(d["records_clean"]),
          str(d["records_quarantined"])] for d in days),
    ))
    console.print(sized_table(
        "... rows staged (STG_CUSTOMERS, STG_PLANS, STG_ACTIVITY) and loaded",
        ["day", "customers\nstaged", "plans\nstaged", "events\nstaged", "versions\nopened", "facts\nloaded",
         "facts\nre-keyed"],
        ([d["run_date"], *(str(d["staging_rows"].get(t, 0)) for t in ("STG_CUSTOMERS", "STG_PLANS", "STG_ACTIVITY")),
          str(d["versions_opened"]), str(d["facts_inserted"]), str(d["facts_rekeyed"])] for d in days),
    ))
    console.print(_by_reason_table("Files rejected by the validator, by reason", days, "rejection_reasons"))
    console.print(_by_reason_table("Records quarantined by Glue Job A, by reason", days, "quarantine_reasons"))

    stages = list(days[0]["seconds"]) if days else []
    totals = [sum(d["seconds"].get(s, 0.0) for d in days) for s in stages]
    timings = sized_table(
        "Seconds per stage (one machine: local[2] Spark, Snowpark local testing)",
        ["day", *(STAGE_HEADERS.get(stage, stage) for stage in stages)],
        [*([d["run_date"], *(f"{d['seconds'].get(s, 0.0):.1f}" for s in stages)] for d in days),
         ["all days", *(f"{t:.1f}" for t in totals)]],
        last_row_style="bold",
    )
    console.print(timings)
    if result.get("started_ahead"):
        console.print(f"Before day 1's run: local Spark started in the background, the warehouse's modules "
                      f"imported ({result['started_ahead']['seconds']:.1f} s).")
    console.print(f"Exported {len(result['export']['tables'])} tables to {result['export']['out']} "
                  f"({result['export']['seconds']:.1f} s).")
    console.print(f"Run report (open in a browser, works offline): {result['report']['path']} "
                  f"({result['report']['seconds']:.1f} s).")

    answers = result["answers"]
    history = answers["plan_at_each_activity"]
    if history:
        console.print(sized_table(
            f"Which plan was customer {history['customer_id']} on at each activity? Their versions:",
            ["CUSTOMER_SK", "PLAN_ID", "STATUS", "EFFECTIVE_FROM", "EFFECTIVE_TO", "activities"],
            ([str(v["customer_sk"]), v["plan_id"], v["status"], v["effective_from"], v["effective_to"],
              str(v["activities"])] for v in history["versions"]),
            text_columns=5,
        ))
        console.print(sized_table(
            "... and some of their activities, with the plan in force at EVENT_TS",
            ["EVENT_TS", "EVENT_TYPE", "PLAN_ID", "CUSTOMER_SK"],
            ([a["event_ts"], a["event_type"], str(a["plan_id"]), str(a["customer_sk"])] for a in history["activities"]),
            text_columns=4,
        ))

    usage = answers["usage_by_plan_per_day"]
    day_names = sorted({u["day"] for u in usage})
    cells = {(u["plan_id"], u["day"]): f"{u['events']} / {u['data_gb']}" for u in usage}
    headers, period = _date_headers(day_names)
    console.print(sized_table(
        _titled("Usage by plan per day (EVENT_DATE): events / data GB", period),
        ["PLAN_ID", *headers],
        ([plan, *(cells.get((plan, day), "-") for day in day_names)] for plan in sorted({u["plan_id"] for u in usage})),
    ))
    console.print(sized_table(
        "Churn by plan (the plan in force when the customer churned)",
        ["PLAN_ID", "customers\never on it", "churned\non it", "churn\nrate"],
        ([row["plan_id"], str(row["customers"]), str(row["churned"]), f"{row['churn_rate']:.1%}"]
         for row in answers["churn_by_plan"]),
    ))
