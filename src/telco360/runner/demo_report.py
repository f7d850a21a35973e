"""The demo's summary as rich tables: per day and stage, then the business answers."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table


def _reasons(counts: dict) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items())) or "-"


def print_demo_summary(result: dict, console: Console) -> None:
    days = Table(title="Telco Customer 360 demo: what each daily run did", show_lines=True)
    for column in ("day", "files archived", "files rejected (reasons)", "records clean",
                   "records quarantined (reasons)", "staging rows", "versions opened",
                   "facts loaded", "facts re-keyed"):
        days.add_column(column, overflow="fold")
    for day in result["days"]:
        days.add_row(
            day["run_date"], str(day["files_archived"]),
            f"{day['files_rejected']} ({_reasons(day['rejection_reasons'])})",
            str(day["records_clean"]),
            f"{day['records_quarantined']} ({_reasons(day['quarantine_reasons'])})",
            "\n".join(f"{t} {n}" for t, n in day["staging_rows"].items()),
            str(day["versions_opened"]), str(day["facts_inserted"]), str(day["facts_rekeyed"]),
        )
    console.print(days)

    timings = Table(title="Seconds per stage (one machine, local[2] Spark, Snowpark local testing)")
    stages = list(result["days"][0]["seconds"]) if result["days"] else []
    timings.add_column("day")
    for stage in stages:
        timings.add_column(stage, justify="right")
    for day in result["days"]:
        timings.add_row(day["run_date"], *(f"{day['seconds'].get(s, 0.0):.1f}" for s in stages))
    totals = [sum(d["seconds"].get(s, 0.0) for d in result["days"]) for s in stages]
    timings.add_row("all days", *(f"{t:.1f}" for t in totals), style="bold")
    console.print(timings)
    console.print(f"Exported {len(result['export']['tables'])} tables to {result['export']['out']} "
                  f"({result['export']['seconds']:.1f} s).")

    answers = result["answers"]
    history = answers["plan_at_each_activity"]
    if history:
        versions = Table(title=f"Which plan was customer {history['customer_id']} on at each activity? Their versions:")
        for column in ("CUSTOMER_SK", "PLAN_ID", "STATUS", "EFFECTIVE_FROM", "EFFECTIVE_TO", "activities"):
            versions.add_column(column)
        for v in history["versions"]:
            versions.add_row(str(v["customer_sk"]), v["plan_id"], v["status"], v["effective_from"], v["effective_to"], str(v["activities"]))
        console.print(versions)
        activity = Table(title="... and some of their activities, with the plan in force at EVENT_TS")
        for column in ("EVENT_TS", "EVENT_TYPE", "PLAN_ID", "CUSTOMER_SK"):
            activity.add_column(column)
        for a in history["activities"]:
            activity.add_row(a["event_ts"], a["event_type"], str(a["plan_id"]), str(a["customer_sk"]))
        console.print(activity)

    usage = answers["usage_by_plan_per_day"]
    day_names = sorted({u["day"] for u in usage})
    usage_table = Table(title="Usage by plan per day: events (data GB)")
    usage_table.add_column("PLAN_ID")
    for day in day_names:
        usage_table.add_column(day, justify="right")
    for plan in sorted({u["plan_id"] for u in usage}):
        cells = {u["day"]: f"{u['events']} ({u['data_gb']})" for u in usage if u["plan_id"] == plan}
        usage_table.add_row(plan, *(cells.get(day, "-") for day in day_names))
    console.print(usage_table)

    churn = Table(title="Churn by plan (plan in force when the customer churned)")
    for column in ("PLAN_ID", "customers ever on it", "churned on it", "churn rate"):
        churn.add_column(column, justify="right" if column != "PLAN_ID" else "left")
    for row in answers["churn_by_plan"]:
        churn.add_row(row["plan_id"], str(row["customers"]), str(row["churned"]), f"{row['churn_rate']:.1%}")
    console.print(churn)
