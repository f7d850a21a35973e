"""Data-quality checks that run in the warehouse after every load (Snowpark).

Each check names the row counts it needs (`Check.counts`: a frame and an optional condition
each) and judges them into a `CheckResult`: the number of offending rows and a detail that
says where to look (`Check.judge`, which reads a sample only when the check fails). All
checks of a run are counted together through the engine seam (`seams.count_rows`): one
SELECT in Snowflake, conditional counts over one frame as one aggregate of it; local
testing counts frame by frame. CRITICAL failures fail the pipeline run before COMMIT;
WARNING failures are recorded only. Results are appended to DW.DQ_CHECK_RESULTS.

The checks read whole tables on purpose: they also catch damage no load made (a manual
edit, a restore), which a check of the run's own rows would miss.

All checks join on column names and filter afterwards (no expression joins, no windows), so
they cost the same plan in Snowflake and stay fast in local testing. SCD2 neighbours are
matched on EFFECTIVE_TO = EFFECTIVE_FROM: with unique starts and unique ends per customer,
every non-current version having a successor and exactly one open-ended version, the
versions form one chain without overlap or gap (see `check_no_overlap_or_gap`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Optional

from snowflake.snowpark import Column, DataFrame, Session
from snowflake.snowpark import functions as F
from snowflake.snowpark import types as T

from telco360 import contract
from telco360.warehouse.columns import HIGH_TIMESTAMP, holds, utc_now
from telco360.warehouse.seams import backend_for, count_rows, join
from telco360.warehouse.seams import distinct as distinct_rows
from telco360.warehouse.tables import NTZ, qualified_name, snowpark_type

CRITICAL = "CRITICAL"
WARNING = "WARNING"
PASS = "PASS"
FAIL = "FAIL"
SKIPPED = "SKIPPED"
# Timestamp literals typed NTZ like the columns: an untyped one follows the account's
# TIMESTAMP_TYPE_MAPPING.
DQ_RESULTS_TABLE = "DQ_CHECK_RESULTS"
_MATCHED = "_C360_MATCHED"


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    severity: str
    status: str
    failing_rows: int
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL


@dataclass(frozen=True)
class WarehouseTables:
    """The tables the checks read; a staging table is None when it does not exist."""
    dim_customer: DataFrame
    dim_plan: DataFrame
    fact_activity: DataFrame
    stg_customers: Optional[DataFrame] = None
    stg_plans: Optional[DataFrame] = None
    stg_activity: Optional[DataFrame] = None

    @cached_property
    def versions(self) -> DataFrame:
        """DIM_CUSTOMER without the unknown member: one frame for every check, so their
        conditional counts share one pass over it."""
        return self.dim_customer.filter(F.col("CUSTOMER_SK") != F.lit(contract.UNKNOWN_CUSTOMER_SK))


# What a check counts: a name for each (frame, condition); None counts every row.
Counts = dict[str, tuple[DataFrame, Optional[Column]]]


@dataclass(frozen=True)
class Check:
    """`counts(tables)` names the row counts the check needs; `judge(tables, counted)` turns
    them (name -> int) into its result. Calling a check evaluates it alone."""
    counts: Callable[[WarehouseTables], Counts]
    judge: Callable[[WarehouseTables, dict[str, int]], CheckResult]

    def __call__(self, tables: WarehouseTables) -> CheckResult:
        return evaluate_checks(tables, (self,))[0]


def _result(name: str, severity: str, failing: int, what: str, where: str) -> CheckResult:
    failing = int(failing)  # local testing counts in numpy integers
    if failing:
        return CheckResult(name, severity, FAIL, failing, f"{failing} {what}; {where}")
    return CheckResult(name, severity, PASS, 0, "")


def _versions(tables: WarehouseTables) -> DataFrame:
    return tables.versions


def _without_match(rows: DataFrame, others: DataFrame, key, distinct: bool = False) -> tuple[DataFrame, None]:
    """The count of `rows` (or distinct rows) whose `key` is not in `others`: a left join
    through the engine (`columns.without_matches` with the engine's join)."""
    keys = [key] if isinstance(key, str) else list(key)
    rows = distinct_rows(rows) if distinct else rows
    found = others.select(keys).with_column(_MATCHED, F.lit(True))
    return join(rows, found, keys, "left").filter(holds(F.col(_MATCHED).is_null())), None


def _all(frame: DataFrame) -> tuple[DataFrame, None]:
    return frame, None


def _distinct(frame: DataFrame) -> tuple[DataFrame, None]:
    return distinct_rows(frame), None


def _surplus(counted: dict[str, int], prefix: str = "") -> int:
    """Rows beyond the first of each key: COUNT(*) - COUNT(DISTINCT key), from the counts
    `<prefix>rows` and `<prefix>distinct` (`_surplus_counts`)."""
    return int(counted[f"{prefix}rows"]) - int(counted[f"{prefix}distinct"])


def _surplus_counts(frame: DataFrame, key: list[str], prefix: str = "", condition: Optional[Column] = None) -> Counts:
    """The counts `_surplus` reads for the rows of `frame` meeting `condition`: the rows
    themselves (a count over `frame`, so it shares the frame's pass in Snowflake) and the
    distinct `key`s among them. Counting distinct rows instead of grouping keeps local
    testing fast (it aggregates group by group)."""
    keys = frame if condition is None else frame.filter(condition)
    return {f"{prefix}rows": (frame, condition), f"{prefix}distinct": _distinct(keys.select(*key))}


def _same(tables: WarehouseTables, left: str, right: str) -> Column:
    """`left` equals `right`, two NULLs included (the engine's EQUAL_NULL)."""
    return backend_for(tables.dim_customer.session).writer.equal_null(F.col(left), F.col(right), "VARCHAR")


# --- not null, unique, accepted values --------------------------------------------------


def not_null(table: str, columns: tuple[str, ...], frame_of: Callable[[WarehouseTables], DataFrame]) -> Check:
    def any_null() -> Column:
        condition = F.lit(False)
        for column in columns:
            condition = condition | F.col(column).is_null()
        return condition

    def counts(tables: WarehouseTables) -> Counts:
        return {"bad": (frame_of(tables), any_null())}

    def judge(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
        failing = counted["bad"]
        columns_hit = []
        if failing:
            per_column = count_rows(frame_of(tables).session, {c: (frame_of(tables), F.col(c).is_null()) for c in columns})
            columns_hit = [c for c in columns if per_column[c]]
        return _result(
            f"not_null:{table}", CRITICAL, failing, f"rows with NULL in {', '.join(columns)}",
            f"NULL in {', '.join(columns_hit)} of DW.{table}",
        )
    return Check(counts, judge)


def unique(table: str, key: tuple[str, ...], frame_of: Callable[[WarehouseTables], DataFrame]) -> Check:
    def counts(tables: WarehouseTables) -> Counts:
        return _surplus_counts(frame_of(tables), list(key))

    def judge(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
        failing = _surplus(counted)
        sample = ""
        if failing:
            keys = frame_of(tables).select(*key)
            groups = keys.group_by(*key).agg(F.count(F.lit(1)).alias("N")).filter(F.col("N") > F.lit(1))
            sample = ", ".join(str(tuple(r)[:-1]) for r in groups.limit(3).collect())
        return _result(
            f"unique:{table}.{'+'.join(key)}", CRITICAL, failing, f"surplus rows sharing one {'+'.join(key)}",
            f"duplicated in DW.{table}, e.g. {sample}",
        )
    return Check(counts, judge)


def accepted_values(table: str, column: str, values: tuple[str, ...], frame_of: Callable[[WarehouseTables], DataFrame]) -> Check:
    def outside() -> Column:
        return F.col(column).is_not_null() & ~F.col(column).isin(list(values))

    def counts(tables: WarehouseTables) -> Counts:
        return {"bad": (frame_of(tables), outside())}

    def judge(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
        failing = counted["bad"]
        found = []
        if failing:
            bad = frame_of(tables).filter(outside())
            found = sorted({r[0] for r in bad.select(column).distinct().limit(5).collect()})
        return _result(
            f"accepted_values:{table}.{column}", CRITICAL, failing, f"rows with {column} outside {', '.join(values)}",
            f"found {', '.join(map(str, found))} in DW.{table}",
        )
    return Check(counts, judge)


# --- relationships -----------------------------------------------------------------------


def _fact_customer_version_counts(tables: WarehouseTables) -> Counts:
    facts = tables.fact_activity.filter(F.col("CUSTOMER_SK") != F.lit(contract.UNKNOWN_CUSTOMER_SK))
    return {"orphans": _without_match(facts.select("EVENT_ID", "CUSTOMER_SK"), _versions(tables), "CUSTOMER_SK")}


def _fact_customer_version_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    return _result(
        "relationship:FACT_ACTIVITY.CUSTOMER_SK->DIM_CUSTOMER", CRITICAL, counted["orphans"],
        "facts whose CUSTOMER_SK is not a DIM_CUSTOMER version", "reload FACT_ACTIVITY (SP_LOAD_FACT_ACTIVITY re-keys facts)",
    )


check_fact_customer_version_exists = Check(_fact_customer_version_counts, _fact_customer_version_result)


def _customer_plan_counts(tables: WarehouseTables) -> Counts:
    return {"orphans": _without_match(_versions(tables).select("CUSTOMER_SK", "PLAN_ID"), tables.dim_plan, "PLAN_ID")}


def _customer_plan_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    return _result(
        "relationship:DIM_CUSTOMER.PLAN_ID->DIM_PLAN", CRITICAL, counted["orphans"],
        "customer versions whose PLAN_ID has no DIM_PLAN row (not even inferred)",
        "SP_LOAD_DIM_PLAN must infer a row for every referenced PLAN_ID",
    )


check_customer_plan_exists = Check(_customer_plan_counts, _customer_plan_result)


# --- SCD2 invariants 1-3 ------------------------------------------------------------------


def _is_open() -> Column:
    return F.col("EFFECTIVE_TO") == F.lit(HIGH_TIMESTAMP, NTZ)


def _chain_counts(tables: WarehouseTables) -> Counts:
    """Invariant 1: per customer the versions form one chain [FROM, TO) without overlap or
    gap. Counted: empty or reversed intervals, duplicated starts, duplicated ends, versions
    that end before 9999-12-31 with no version starting where they end, and customers whose
    number of open-ended versions is not exactly one."""
    versions = _versions(tables)
    starts = versions.select("CUSTOMER_ID", F.col("EFFECTIVE_FROM").alias("EFFECTIVE_TO"))
    closed = versions.filter(F.col("EFFECTIVE_TO") != F.lit(HIGH_TIMESTAMP, NTZ)).select("CUSTOMER_ID", "EFFECTIVE_TO")
    return {
        "reversed": (versions, F.col("EFFECTIVE_FROM") >= F.col("EFFECTIVE_TO")),
        **_surplus_counts(versions, ["CUSTOMER_ID", "EFFECTIVE_FROM"], "starts_"),
        **_surplus_counts(versions, ["CUSTOMER_ID", "EFFECTIVE_TO"], "ends_"),
        "no_successor": _without_match(closed, starts, ["CUSTOMER_ID", "EFFECTIVE_TO"]),
        **_not_exactly_one_counts(versions, _is_open()),
    }


def _chain_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    reversed_, no_successor = int(counted["reversed"]), int(counted["no_successor"])
    dup_starts, dup_ends = _surplus(counted, "starts_"), _surplus(counted, "ends_")
    open_ended = _not_exactly_one(counted)
    failing = reversed_ + dup_starts + dup_ends + no_successor + open_ended
    return _result(
        "scd2:no_overlap_or_gap", CRITICAL, failing, "version-chain defects",
        f"DW.DIM_CUSTOMER: {reversed_} empty/reversed intervals, {dup_starts} duplicated starts, "
        f"{dup_ends} duplicated ends, {no_successor} gaps (no version starts where one ends), "
        f"{open_ended} customers without exactly one open-ended version",
    )


check_no_overlap_or_gap = Check(_chain_counts, _chain_result)


def _not_exactly_one_counts(versions: DataFrame, condition: Column) -> Counts:
    """Customers with no version meeting `condition` (`missing`), and the versions meeting it
    against their distinct customers (`meeting_rows`, `meeting_distinct`)."""
    meeting = versions.filter(condition).select("CUSTOMER_ID")
    return {
        "missing": _without_match(versions.select("CUSTOMER_ID"), meeting, "CUSTOMER_ID", distinct=True),
        **_surplus_counts(versions, ["CUSTOMER_ID"], "meeting_", condition),
    }


def _not_exactly_one(counted: dict[str, int]) -> int:
    """Customers with no version meeting the condition, plus surplus versions meeting it."""
    return int(counted["missing"]) + _surplus(counted, "meeting_")


def _current_row_counts(tables: WarehouseTables) -> Counts:
    """Invariant 1: exactly one IS_CURRENT row per customer, and it is the open-ended one."""
    versions = _versions(tables)
    is_open = _is_open()
    return {
        **_not_exactly_one_counts(versions, F.col("IS_CURRENT")),
        "mismatched": (versions, (F.col("IS_CURRENT") & ~is_open) | (~F.col("IS_CURRENT") & is_open)),
    }


def _current_row_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    wrong_count, mismatched = _not_exactly_one(counted), int(counted["mismatched"])
    return _result(
        "scd2:one_current_row", CRITICAL, wrong_count + mismatched, "current-row defects",
        f"DW.DIM_CUSTOMER: {wrong_count} customers without (or surplus) IS_CURRENT rows, "
        f"{mismatched} rows whose IS_CURRENT disagrees with EFFECTIVE_TO = 9999-12-31",
    )


check_one_current_row = Check(_current_row_counts, _current_row_result)


def _repeated_versions(tables: WarehouseTables) -> DataFrame:
    """Versions equal to the one they follow in every tracked attribute (invariant 2)."""
    tracked = contract.TRACKED_CUSTOMER_COLUMNS
    versions = _versions(tables)
    later = versions.select("CUSTOMER_ID", "EFFECTIVE_FROM", *tracked)
    earlier = versions.select(
        "CUSTOMER_ID",
        F.col("EFFECTIVE_TO").alias("EFFECTIVE_FROM"),
        *[F.col(c).alias(f"PREV_{c}") for c in tracked],
    )
    all_same = F.lit(True)
    for column in tracked:
        all_same = all_same & _same(tables, column, f"PREV_{column}")
    return join(later, earlier, ["CUSTOMER_ID", "EFFECTIVE_FROM"]).filter(holds(all_same))


def _repeat_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    failing = counted["repeats"]
    sample = ", ".join(r[0] for r in _repeated_versions(tables).select("CUSTOMER_ID").limit(3).collect()) if failing else ""
    return _result(
        "scd2:consecutive_versions_differ", CRITICAL, failing,
        "versions equal to the previous one in every tracked attribute", f"DW.DIM_CUSTOMER, e.g. {sample}",
    )


check_consecutive_versions_differ = Check(lambda tables: {"repeats": _all(_repeated_versions(tables))}, _repeat_result)


def _containing_version_counts(tables: WarehouseTables) -> Counts:
    """Invariant 3 for facts: CUSTOMER_SK is the version of the same customer whose interval
    contains EVENT_TS and PLAN_ID is its plan; a fact left on -1 has no such version."""
    versions = _versions(tables).select(
        "CUSTOMER_SK",
        F.col("CUSTOMER_ID").alias("V_CUSTOMER_ID"),
        F.col("PLAN_ID").alias("V_PLAN_ID"),
        "EFFECTIVE_FROM",
        "EFFECTIVE_TO",
    )
    facts = tables.fact_activity.select("EVENT_ID", "CUSTOMER_SK", "CUSTOMER_ID", "PLAN_ID", "EVENT_TS")
    misplaced = join(facts, versions, ["CUSTOMER_SK"]).filter(holds(
        (F.col("EVENT_TS") < F.col("EFFECTIVE_FROM"))
        | (F.col("EVENT_TS") >= F.col("EFFECTIVE_TO"))
        | ~_same(tables, "CUSTOMER_ID", "V_CUSTOMER_ID")
        | ~_same(tables, "PLAN_ID", "V_PLAN_ID")
    ))
    unknown = facts.filter(F.col("CUSTOMER_SK") == F.lit(contract.UNKNOWN_CUSTOMER_SK)).drop("CUSTOMER_SK")
    unattached = join(unknown, versions.with_column_renamed("V_CUSTOMER_ID", "CUSTOMER_ID"), ["CUSTOMER_ID"]).filter(
        holds((F.col("EVENT_TS") >= F.col("EFFECTIVE_FROM")) & (F.col("EVENT_TS") < F.col("EFFECTIVE_TO")))
    )
    return {"misplaced": _all(misplaced), "unattached": _all(unattached)}


def _containing_version_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    misplaced, unattached = int(counted["misplaced"]), int(counted["unattached"])
    return _result(
        "scd2:facts_on_containing_version", CRITICAL, misplaced + unattached, "facts on the wrong customer version",
        f"DW.FACT_ACTIVITY: {misplaced} facts whose version does not contain EVENT_TS (or whose "
        f"CUSTOMER_ID/PLAN_ID differ from it), {unattached} facts on -1 although a version contains them; "
        f"rerun SP_LOAD_FACT_ACTIVITY to re-key",
    )


check_facts_on_containing_version = Check(_containing_version_counts, _containing_version_result)


# --- staging -> DW reconciliation ---------------------------------------------------------


def reconciliation(staging: str, target: str, key: str, frame_of, target_of) -> Check:
    name = f"reconciliation:{staging}->{target}"

    def counts(tables: WarehouseTables) -> Counts:
        staged = frame_of(tables)
        if staged is None:
            return {}
        return {
            "staged": _distinct(staged.select(key)),
            "missing": _without_match(staged.select(key), target_of(tables), key, distinct=True),
        }

    def judge(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
        if not counted:
            return CheckResult(name, CRITICAL, SKIPPED, 0, f"STAGING.{staging} does not exist in this session")
        return _result(
            name, CRITICAL, counted["missing"], f"staged {key}s missing from DW.{target}",
            f"of {counted['staged']} staged; the load step for DW.{target} lost them, rerun the pipeline for this RUN_DATE",
        )
    return Check(counts, judge)


# --- warnings ---------------------------------------------------------------------------


def _waiting_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    return _result(
        "warning:facts_without_customer_version", WARNING, counted["waiting"], "facts on the unknown member (-1)",
        "their customer (or the customer's history at EVENT_TS) has not arrived yet; later loads attach them",
    )


check_facts_waiting_for_customer = Check(
    lambda tables: {"waiting": (tables.fact_activity, F.col("CUSTOMER_SK") == F.lit(contract.UNKNOWN_CUSTOMER_SK))},
    _waiting_result,
)


def _inferred_result(tables: WarehouseTables, counted: dict[str, int]) -> CheckResult:
    return _result(
        "warning:inferred_plans", WARNING, counted["inferred"], "inferred DIM_PLAN rows",
        "customers reference plans no catalog has delivered; ask Billing for the catalog",
    )


check_inferred_plans = Check(lambda tables: {"inferred": (tables.dim_plan, F.col("IS_INFERRED"))}, _inferred_result)


CHECKS: tuple[Check, ...] = (
    not_null("DIM_CUSTOMER", ("CUSTOMER_SK", "CUSTOMER_ID", "PLAN_ID", "STATUS", "SIGNUP_DATE",
                              "EFFECTIVE_FROM", "EFFECTIVE_TO", "IS_CURRENT"), _versions),
    not_null("DIM_PLAN", ("PLAN_ID", "IS_ACTIVE", "IS_INFERRED"), lambda t: t.dim_plan),
    not_null("FACT_ACTIVITY", ("EVENT_ID", "CUSTOMER_SK", "CUSTOMER_ID", "EVENT_TYPE", "EVENT_TS", "EVENT_DATE"),
             lambda t: t.fact_activity),
    unique("DIM_CUSTOMER", ("CUSTOMER_SK",), lambda t: t.dim_customer),
    unique("DIM_CUSTOMER", ("CUSTOMER_ID", "EFFECTIVE_FROM"), _versions),
    unique("DIM_PLAN", ("PLAN_ID",), lambda t: t.dim_plan),
    unique("FACT_ACTIVITY", ("EVENT_ID",), lambda t: t.fact_activity),
    accepted_values("DIM_CUSTOMER", "STATUS", contract.CUSTOMER_STATUSES, _versions),
    accepted_values("DIM_PLAN", "PLAN_TYPE", contract.PLAN_TYPES, lambda t: t.dim_plan),
    accepted_values("FACT_ACTIVITY", "EVENT_TYPE", contract.EVENT_TYPES, lambda t: t.fact_activity),
    check_fact_customer_version_exists,
    check_customer_plan_exists,
    check_no_overlap_or_gap,
    check_one_current_row,
    check_consecutive_versions_differ,
    check_facts_on_containing_version,
    reconciliation("STG_ACTIVITY", "FACT_ACTIVITY", "EVENT_ID", lambda t: t.stg_activity, lambda t: t.fact_activity),
    reconciliation("STG_CUSTOMERS", "DIM_CUSTOMER", "CUSTOMER_ID", lambda t: t.stg_customers, lambda t: t.dim_customer),
    reconciliation("STG_PLANS", "DIM_PLAN", "PLAN_ID", lambda t: t.stg_plans, lambda t: t.dim_plan),
    check_facts_waiting_for_customer,
    check_inferred_plans,
)


def evaluate_checks(tables: WarehouseTables, checks: tuple[Check, ...] = CHECKS) -> list[CheckResult]:
    """Every check's result, from one `count_rows` of all their counts (one SELECT in
    Snowflake); a failing check then reads its sample."""
    wanted = [check.counts(tables) for check in checks]
    named = {f"C{i}_{name}": count for i, counts in enumerate(wanted) for name, count in counts.items()}
    counted = count_rows(tables.dim_customer.session, named)
    return [
        check.judge(tables, {name: int(counted[f"C{i}_{name}"]) for name in counts})
        for i, (check, counts) in enumerate(zip(checks, wanted))
    ]


def has_critical_failure(results: list[CheckResult]) -> bool:
    return any(r.failed and r.severity == CRITICAL for r in results)


def describe_failures(results: list[CheckResult]) -> str:
    return "; ".join(f"{r.check_name}: {r.detail}" for r in results if r.failed and r.severity == CRITICAL)


# --- wiring to a session ----------------------------------------------------------------


def read_warehouse_tables(session: Session) -> WarehouseTables:
    return WarehouseTables(
        dim_customer=session.table(qualified_name("DIM_CUSTOMER")),
        dim_plan=session.table(qualified_name("DIM_PLAN")),
        fact_activity=session.table(qualified_name("FACT_ACTIVITY")),
        stg_customers=optional_table(session, qualified_name("STG_CUSTOMERS")),
        stg_plans=optional_table(session, qualified_name("STG_PLANS")),
        stg_activity=optional_table(session, qualified_name("STG_ACTIVITY")),
    )


def optional_table(session: Session, name: str) -> Optional[DataFrame]:
    try:
        frame = session.table(name)
        frame.columns  # resolves the table: fails here when it does not exist
        return frame
    except Exception as exc:  # SnowparkSQLException in Snowflake, its own type in local testing
        if "does not exist" in str(exc):
            return None
        raise


def results_frame(session: Session, run_id: str, results: list[CheckResult], checked_at: dt.datetime) -> DataFrame:
    """DQ_CHECK_RESULTS rows; the run id and time are literals, not repeated in every row of
    the statement's VALUES."""
    columns = contract.ANALYTICS_TABLES[DQ_RESULTS_TABLE]
    per_check = ("CHECK_NAME", "SEVERITY", "STATUS", "FAILING_ROWS", "DETAIL")
    types = {name: snowpark_type(kind) for name, kind, _ in columns}
    schema = T.StructType([T.StructField(name, types[name]) for name in per_check])
    rows = [(r.check_name, r.severity, r.status, r.failing_rows, r.detail) for r in results]
    shared = {"RUN_ID": F.lit(run_id).cast(types["RUN_ID"]), "CHECKED_AT": F.lit(checked_at, NTZ)}
    return session.create_dataframe(rows, schema).select(
        [shared[name].alias(name) if name in shared else F.col(name) for name, _, _ in columns]
    )


def record_results(session: Session, run_id: str, results: list[CheckResult], checked_at: dt.datetime) -> None:
    """Append to DW.DQ_CHECK_RESULTS (created by the DDL in Snowflake, on first use locally)."""
    results_frame(session, run_id, results, checked_at).write.save_as_table(
        qualified_name(DQ_RESULTS_TABLE), mode="append", column_order="name"
    )


def run_dq_checks(session: Session, run_id: str, checked_at: Optional[dt.datetime] = None) -> list[CheckResult]:
    """Evaluate every check on the session's warehouse and record the results under `run_id`."""
    results = evaluate_checks(read_warehouse_tables(session))
    record_results(session, run_id, results, checked_at or utc_now())
    return results


def post_load_check(session: Session, run_date: str, run_id: str) -> dict:
    """The checks in the shape of `telco360.warehouse.pipeline.POST_LOAD_CHECKS`: a run whose
    critical checks fail does not pass, so the pipeline rolls back before COMMIT. "record"
    writes the results under the pipeline's run id; the pipeline calls it inside the
    transaction when the run commits, and after the ROLLBACK when it fails, so operators
    find a failed run's results in DW.DQ_CHECK_RESULTS."""
    results = evaluate_checks(read_warehouse_tables(session))
    checked_at = utc_now()
    return {
        "check": "data_quality",
        "passed": not has_critical_failure(results),
        "failed": describe_failures(results),
        "results": [r.__dict__ for r in results],
        "record": lambda target: record_results(target, run_id, results, checked_at),
    }
