"""Time the analyst layer on synthetic DW tables in Snowpark local testing: every mart, the
data-quality checks and the report rendering. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/analytics_bench.py [--customers 2000] [--events 50000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import time

from snowflake.snowpark import DataFrame
from snowflake.snowpark import types as T

from telco360 import contract
from telco360.analytics import marts
from telco360.warehouse import quality
from telco360.warehouse.seams import materialize
from telco360.warehouse.tables import snowpark_type
from telco360.warehouse.local.session import local_session

HIGH = dt.datetime(9999, 12, 31)
START = dt.datetime(2024, 1, 1)
DAYS = 30


def schema(table: str) -> T.StructType:
    return T.StructType([T.StructField(n, snowpark_type(k)) for n, k, _ in contract.DW_TABLES[table]])


def synthetic_rows(customers: int, events: int, seed: int = 7):
    rng = random.Random(seed)
    plans = [(f"P{i}", f"Plan {i}", "POSTPAID", 10.0 * (i + 1), "USD", None, None, None, 12, True, False, START, START)
             for i in range(6)]
    versions, spans, sk = [], {}, 0
    for c in range(customers):
        customer_id = f"C{c:07d}"
        cuts = sorted(rng.sample(range(1, DAYS * 24), rng.randint(0, 3)))
        bounds = [START] + [START + dt.timedelta(hours=h) for h in cuts] + [HIGH]
        plan, status = rng.choice(plans)[0], "ACTIVE"
        spans[customer_id] = []
        for i in range(len(bounds) - 1):
            sk += 1
            if i:
                if rng.random() < 0.5:
                    plan = rng.choice([p[0] for p in plans if p[0] != plan])
                else:
                    status = rng.choice([s for s in contract.CUSTOMER_STATUSES if s != status])
            versions.append((sk, customer_id, "A", "B", f"{customer_id}@x.com", None, None, "Lagos", "LA", None, "NG",
                             None, plan, status, START.date(), bounds[i], bounds[i + 1], bounds[i + 1] == HIGH, START))
            spans[customer_id].append((sk, plan, bounds[i], bounds[i + 1]))
    facts = []
    ids = list(spans)
    for e in range(events):
        customer_id = rng.choice(ids)
        at = START + dt.timedelta(seconds=rng.randrange(DAYS * 86400))
        sk, plan = next((s, p) for s, p, a, b in spans[customer_id] if a <= at < b)
        kind = rng.choice(contract.EVENT_TYPES)
        facts.append((f"E{e}", sk, customer_id, plan, kind, at, at.date(), 60 if kind == "VOICE" else None,
                      1.5 if kind == "DATA" else None, None, False, START))
    return plans, versions, facts


def timed(label: str, action):
    """`action()`, printing its seconds and the rows it gave (a DataFrame's rows counted after)."""
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    size = len(result) if isinstance(result, list) else result.count() if isinstance(result, DataFrame) else result
    print(f"{label:<28} {seconds:7.2f} s   ({size} rows)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--events", type=int, default=50000)
    args = parser.parse_args()
    session = local_session()
    plans, versions, facts = synthetic_rows(args.customers, args.events)
    fact = session.create_dataframe(facts, schema("FACT_ACTIVITY")).cache_result()
    dim_customer = session.create_dataframe(versions, schema("DIM_CUSTOMER")).cache_result()
    dim_plan = session.create_dataframe(plans, schema("DIM_PLAN")).cache_result()
    print(f"{args.customers} customers, {len(versions)} versions, {len(facts)} facts, {DAYS} days (Snowpark local testing)")
    now, as_of = dt.datetime(2024, 2, 1), dt.date(2024, 1, 30)
    timed("V_ACTIVITY_ENRICHED", lambda: marts.activity_enriched(fact, dim_customer, dim_plan).count())
    # The intermediates the refresh shares between the marts (analytics.refresh.build_marts).
    usage = timed("daily usage", lambda: materialize(marts.daily_usage(fact)))
    transitions = timed("version transitions", lambda: materialize(marts.version_transitions(dim_customer)))
    timed("MART_PLAN_USAGE_DAILY", lambda: marts.plan_usage_daily(usage, dim_customer, dim_plan, now).collect())
    timed("MART_CUSTOMER_360", lambda: marts.customer_360(usage, dim_customer, dim_plan, as_of, now, transitions).collect())
    timed("MART_CHURN_BY_PLAN", lambda: marts.churn_by_plan(usage, dim_customer, dim_plan, as_of, now, transitions).collect())
    timed("MART_CUSTOMER_FEATURES", lambda: marts.customer_features(usage, dim_customer, [as_of], now, transitions).collect())
    tables = quality.WarehouseTables(dim_customer, dim_plan, fact)
    timed("DQ checks (all)", lambda: quality.evaluate_checks(tables))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
