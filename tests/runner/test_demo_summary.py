"""`c360 demo`'s printed summary stays readable: no number is wrapped or cut at 80 columns,
and output that is not a terminal is printed wide enough for every table."""
from __future__ import annotations

import io
import re

from rich.console import Console

from telco360.commands.console import UNLIMITED_WIDTH, summary_console
from telco360.commands.demo_summary import print_demo_summary

DAYS = [f"2024-01-{15 + i}" for i in range(7)]
EVENT_DATES = [f"2024-01-{12 + i}" for i in range(10)]
PLANS = ["PLN-PRE-LEGACY", "PLN-5G-ULTRA", "PLN-POST-UNL"]


def demo_result() -> dict:
    days = [{
        "run_date": date,
        "files_archived": 4, "files_rejected": 10, "records_clean": 22134 + i, "records_quarantined": 51,
        "staging_rows": {"STG_CUSTOMERS": 2000 + i, "STG_PLANS": 14, "STG_ACTIVITY": 20060},
        "versions_opened": 2001, "facts_inserted": 20000, "facts_rekeyed": 77,
        "rejection_reasons": {"missing_required_column": 1}, "quarantine_reasons": {"missing_for_type:duration_sec": 4},
        "seconds": {"generate": 0.4, "validate": 0.1, "job_a_clean": 21.5, "job_b_staging": 4.7, "warehouse": 12.3},
    } for i, date in enumerate(DAYS)]
    usage = [{"day": day, "plan_id": plan, "events": 1234, "data_gb": 56.78} for day in EVENT_DATES for plan in PLANS]
    return {
        "days": days,
        "export": {"out": "/lake/_export", "tables": ["DW/DIM_CUSTOMER"], "seconds": 0.2},
        "report": {"path": "/lake/report.html", "seconds": 0.4},
        "answers": {
            "plan_at_each_activity": {
                "customer_id": "C0000034",
                "versions": [{"customer_sk": 34000001, "plan_id": "PLN-POST-20", "status": "ACTIVE",
                              "effective_from": "2015-07-03 00:00:00", "effective_to": "9999-12-31 00:00:00",
                              "activities": 19}],
                "activities": [{"event_ts": "2024-01-16 22:02:25.411000", "event_type": "DATA",
                                "plan_id": "PLN-POST-20", "customer_sk": 34000001}],
            },
            "usage_by_plan_per_day": usage,
            "churn_by_plan": [{"plan_id": "PLN-SENIOR", "customers": 158, "churned": 16, "churn_rate": 0.101}],
        },
    }


def printed(console_width: int) -> str:
    out = io.StringIO()
    print_demo_summary(demo_result(), Console(file=out, width=console_width))
    return out.getvalue()


def test_at_80_columns_every_daily_figure_is_whole_on_its_days_line():
    text = printed(80)
    for i, date in enumerate(DAYS):
        lake_row = rf"│ {date} │\s+4 │\s+10 │\s+{22134 + i} │\s+51 │"
        warehouse_row = rf"│ {date} │\s+{2000 + i} │\s+14 │\s+20060 │\s+2001 │\s+20000 │\s+77 │"
        timings_row = rf"│ {date} │\s+0\.4 │\s+0\.1 │\s+21\.5 │\s+4\.7 │\s+12\.3 │"
        assert [bool(re.search(p, text)) for p in (lake_row, warehouse_row, timings_row)] == [True, True, True], date
    assert max(len(line) for line in text.splitlines()) <= 80


def test_at_80_columns_reason_names_and_day_headers_are_whole():
    text = printed(80)
    header = r"┃ reason\s+┃ " + " ┃ ".join(d[8:] for d in DAYS) + " ┃"
    assert len(re.findall(header, text)) == 2
    assert re.search(r"│ missing_for_type:duration_sec │" + r"\s+4 │" * 7, text)


def test_output_that_is_not_a_terminal_is_printed_wide_enough_for_every_table():
    out = io.StringIO()
    console = summary_console(out)
    print_demo_summary(demo_result(), console)
    usage_row = r"│ PLN-5G-ULTRA\s+│" + r"\s+1234 / 56\.78 │" * len(EVENT_DATES)
    assert (console.width, bool(re.search(usage_row, out.getvalue()))) == (UNLIMITED_WIDTH, True)
