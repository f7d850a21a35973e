"""The demo's summary as rich tables: per day and stage, then the business answers."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table


def _by_reason_table(title: str, days: list[dict], key: str) -> Table:
    """Rows: reasons; columns: days; cells: counts."""
    table = Table(title=title)
    table.add_column("reason")
    for day in days:
        table.add_column(day["run_date"], justify="right", no_wrap=True)
    for reason in sorted({r for day in days for r in day[key]}):
        table.add_row(reason, *(str(day[key].get(reason, 0) or "-") for day in days))
    return table


def print_demo_summary(result: dict, console: Console) -> None:
    days = result["days"]
    overview = Table(title="Telco Customer 360 demo: what each daily run did")
    columns = ("day", "files archived", "files rejected", "records clean", "records quarantined",
               "STG_CUSTOMERS", "STG_PLANS", "STG_ACTIVITY", "versions opened", "facts loaded", "facts re-keyed")
    for column in columns:
        overview.add_column(column, justify="left" if column == "day" else "right", no_wrap=column == "day", overflow="fold")
    for day in days:
        staged = day["staging_rows"]
        overview.add_row(
            day["run_date"], str(day["files_archived"]), str(day["files_rejected"]), str(day["records_clean"]),
            str(day["records_quarantined"]), *(str(staged.get(t, 0)) for t in ("STG_CUSTOMERS", "STG_PLANS", "STG_ACTIVITY")),
            str(day["versions_opened"]), str(day["facts_inserted"]), str(day["facts_rekeyed"]),
        )
    console.print(overview)
    console.print(_by_reason_table("Files rejected by the validator, by reason", days, "rejection_reasons"))
    console.print(_by_reason_table("Records quarantined by Glue Job A, by reason", days, "quarantine_reasons"))

    timings = Table(title="Seconds per stage (one machine: local[2] Spark, Snowpark local testing)")
    stages = list(days[0]["seconds"]) if days else []
    timings.add_column("day", no_wrap=True)
    for stage in stages:
        timings.add_column(stage, justify="right")
    for day in days:
        timings.add_row(day["run_date"], *(f"{day['seconds'].get(s, 0.0):.1f}" for s in stages))
    totals = [sum(d["seconds"].get(s, 0.0) for d in days) for s in stages]
    timings.add_row("all days", *(f"{t:.1f}" for t in totals), style="bold")
    console.print(timings)
    console.print(f"Exported {len(result['export']['tables'])} tables to {result['export']['out']} "
                  f"({result['export']['seconds']:.1f} s).")
    console.print(f"Run report (open in a browser, works offline): {result['report']['path']} "
                  f"({result['report']['seconds']:.1f} s).")

    answers = result["answers"]
    history = answers["plan_at_each_activity"]
    if history:
        versions = Table(title=f"Which plan was customer {history['customer_id']} on at each activity? Their versions:")
        for column in ("CUSTOMER_SK", "PLAN_ID", "STATUS", "EFFECTIVE_FROM", "EFFECTIVE_TO", "activities"):
            versions.add_column(column, no_wrap=True)
        for v in history["versions"]:
            versions.add_row(str(v["customer_sk"]), v["plan_id"], v["status"], v["effective_from"], v["effective_to"], str(v["activities"]))
        console.print(versions)
        activity = Table(title="... and some of their activities, with the plan in force at EVENT_TS")
        for column in ("EVENT_TS", "EVENT_TYPE", "PLAN_ID", "CUSTOMER_SK"):
            activity.add_column(column, no_wrap=True)
        for a in history["activities"]:
            activity.add_row(a["event_ts"], a["event_type"], str(a["plan_id"]), str(a["customer_sk"]))
        console.print(activity)

    usage = answers["usage_by_plan_per_day"]
    day_names = sorted({u["day"] for u in usage})
    usage_table = Table(title="Usage by plan per day (EVENT_DATE): events / data GB")
    usage_table.add_column("PLAN_ID", no_wrap=True)
    for day in day_names:
        usage_table.add_column(day, justify="right", no_wrap=True)
    for plan in sorted({u["plan_id"] for u in usage}):
        cells = {u["day"]: f"{u['events']} / {u['data_gb']}" for u in usage if u["plan_id"] == plan}
        usage_table.add_row(plan, *(cells.get(day, "-") for day in day_names))
    console.print(usage_table)

    churn = Table(title="Churn by plan (the plan in force when the customer churned)")
    for column in ("PLAN_ID", "customers ever on it", "churned on it", "churn rate"):
        churn.add_column(column, justify="left" if column == "PLAN_ID" else "right", no_wrap=True)
    for row in answers["churn_by_plan"]:
        churn.add_row(row["plan_id"], str(row["customers"]), str(row["churned"]), f"{row['churn_rate']:.1%}")
    console.print(churn)
