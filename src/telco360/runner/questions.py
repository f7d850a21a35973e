"""Business questions answered from the exported warehouse tables (pandas over Parquet)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

UNKNOWN_PLAN = "(customer not known yet)"


def read_exported(out_dir: Path, schema: str, table: str) -> pd.DataFrame:
    return pd.read_parquet(Path(out_dir) / schema / f"{table}.parquet")


def plan_at_each_activity(customers: pd.DataFrame, facts: pd.DataFrame, limit: int = 12) -> dict:
    """One customer whose plan changed, their versions, and the plan recorded on each of their
    activities (the plan in force at EVENT_TS)."""
    known = customers[customers["CUSTOMER_SK"] != -1]
    plans_per_customer = known.groupby("CUSTOMER_ID")["PLAN_ID"].nunique()
    active = set(facts.loc[facts["CUSTOMER_SK"] != -1, "CUSTOMER_ID"])
    changed = [c for c in plans_per_customer[plans_per_customer > 1].index if c in active]
    candidates = changed or [c for c in plans_per_customer.index if c in active]
    if not candidates:
        return {}
    customer_facts = facts[facts["CUSTOMER_ID"].isin(candidates)]
    per_plan = customer_facts.groupby("CUSTOMER_ID")["PLAN_ID"].nunique()
    customer_id = per_plan.sort_values(ascending=False, kind="stable").index[0]
    versions = known[known["CUSTOMER_ID"] == customer_id].sort_values("EFFECTIVE_FROM")
    activity = facts[facts["CUSTOMER_ID"] == customer_id].sort_values("EVENT_TS")
    # Show the activities around each plan change, not just the first few.
    shown = activity.groupby("CUSTOMER_SK", group_keys=False).head(max(1, limit // max(1, len(versions))))
    return {
        "customer_id": customer_id,
        "versions": [
            {"customer_sk": int(v.CUSTOMER_SK), "plan_id": v.PLAN_ID, "status": v.STATUS,
             "effective_from": str(v.EFFECTIVE_FROM), "effective_to": str(v.EFFECTIVE_TO),
             "activities": int((activity["CUSTOMER_SK"] == v.CUSTOMER_SK).sum())}
            for v in versions.itertuples()
        ],
        "activities": [
            {"event_ts": str(a.EVENT_TS), "event_type": a.EVENT_TYPE, "plan_id": a.PLAN_ID, "customer_sk": int(a.CUSTOMER_SK)}
            for a in shown.sort_values("EVENT_TS").itertuples()
        ],
    }


def usage_by_plan_per_day(facts: pd.DataFrame) -> list[dict]:
    frame = facts.assign(PLAN=facts["PLAN_ID"].fillna(UNKNOWN_PLAN))
    grouped = frame.groupby(["EVENT_DATE", "PLAN"]).agg(
        events=("EVENT_ID", "count"),
        data_mb=("DATA_MB", lambda s: float(s.dropna().astype(float).sum())),
        voice_minutes=("DURATION_SEC", lambda s: float(s.dropna().astype(float).sum()) / 60.0),
    ).reset_index()
    return [
        {"day": str(r.EVENT_DATE), "plan_id": r.PLAN, "events": int(r.events),
         "data_gb": round(r.data_mb / 1024.0, 2), "voice_minutes": round(r.voice_minutes, 1)}
        for r in grouped.itertuples()
    ]


def churn_by_plan(customers: pd.DataFrame) -> list[dict]:
    """Per plan: customers ever on it, customers who churned while on it (their current
    version is CHURNED with that plan), and the rate."""
    known = customers[customers["CUSTOMER_SK"] != -1]
    ever_on = known.groupby("PLAN_ID")["CUSTOMER_ID"].nunique()
    current = known[known["IS_CURRENT"]]
    churned = current[current["STATUS"] == "CHURNED"].groupby("PLAN_ID")["CUSTOMER_ID"].nunique()
    rows = []
    for plan_id, customers_on_plan in ever_on.items():
        lost = int(churned.get(plan_id, 0))
        rows.append({"plan_id": plan_id, "customers": int(customers_on_plan), "churned": lost,
                     "churn_rate": round(lost / customers_on_plan, 4) if customers_on_plan else 0.0})
    return sorted(rows, key=lambda r: (-r["churn_rate"], r["plan_id"]))


def answer_business_questions(out_dir: Path) -> dict:
    customers = read_exported(out_dir, "DW", "DIM_CUSTOMER")
    facts = read_exported(out_dir, "DW", "FACT_ACTIVITY")
    return {
        "plan_at_each_activity": plan_at_each_activity(customers, facts),
        "usage_by_plan_per_day": usage_by_plan_per_day(facts),
        "churn_by_plan": churn_by_plan(customers),
    }
