"""The four load steps behind SP_LOAD_STAGING, SP_LOAD_DIM_PLAN, SP_LOAD_DIM_CUSTOMER and
SP_LOAD_FACT_ACTIVITY: each wires tables to the pure transforms and writes through the
seams. Each returns a JSON-able summary; the number of DataFrame actions is fixed, whatever
the data size."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from snowflake.snowpark import Session

from telco360 import contract
from telco360.warehouse import customers, facts, plans
from telco360.warehouse.columns import utc_now, without_matches
from telco360.warehouse.seams import Backend, StagingError, backend_for
from telco360.warehouse.tables import (
    CUSTOMER_STATE_HISTORY,
    DIM_CUSTOMER,
    DIM_PLAN,
    FACT_ACTIVITY,
    STG_ACTIVITY,
    STG_CUSTOMERS,
    STG_PLANS,
    qualified_name,
)


class LoadError(RuntimeError):
    """A load step met input it must not guess about; the message says what to do."""


def _table(session: Session, table: str):
    return session.table(qualified_name(table))


def load_staging(session: Session, run_date: str, backend: Optional[Backend] = None, **_) -> dict:
    """Replace STG_CUSTOMERS, STG_PLANS and STG_ACTIVITY with the run named in the staging
    manifest, and check every table received the rows the manifest announces."""
    backend = backend or backend_for(session)
    manifest = backend.staging.read_manifest(session, run_date)
    entries = manifest.get("tables", {})
    absent = [t for t in contract.STAGING_TABLE_OF_DATASET.values() if t not in entries]
    if absent:
        raise StagingError(
            f"staging load: the manifest of run {manifest.get('run_id')} lacks tables "
            f"{', '.join(absent)}; rerun Job B"
        )
    rows = {}
    for table in contract.STAGING_TABLE_OF_DATASET.values():
        rows[table] = backend.staging.load_table(session, table, entries[table])
        expected = entries[table].get("rows")
        if expected is not None and int(expected) != rows[table]:
            raise StagingError(
                f"staging load: {table} received {rows[table]} rows but the manifest of run "
                f"{manifest.get('run_id')} announces {expected}; rerun Job B for that run"
            )
    return {
        "step": "SP_LOAD_STAGING",
        "run_date": run_date,
        "staging_run_id": manifest.get("run_id"),
        "rows_in": sum(rows.values()),
        "rows": rows,
    }


def load_dim_plan(
    session: Session, run_date: str, backend: Optional[Backend] = None, loaded_at: Optional[dt.datetime] = None, **_
) -> dict:
    """Type 1 upsert of DIM_PLAN from STG_PLANS, plus inferred rows for plans that
    STG_CUSTOMERS references and no catalog has delivered."""
    backend = backend or backend_for(session)
    loaded_at = loaded_at or utc_now()
    dim_plan = _table(session, DIM_PLAN)
    delivered = plans.delivered_plans(_table(session, STG_PLANS))
    inferred = plans.inferred_plans(_table(session, STG_CUSTOMERS).select("PLAN_ID"), dim_plan, delivered, backend.writer)
    upserts = plans.plan_dimension_upserts(delivered, inferred, dim_plan, loaded_at, backend.writer)
    result = backend.writer.apply_changes(session, DIM_PLAN, ["PLAN_ID"], upserts)
    return {
        "step": "SP_LOAD_DIM_PLAN",
        "run_date": run_date,
        "rows_inserted": result.inserted,
        "rows_updated": result.updated,
    }


def load_dim_customer(
    session: Session, run_date: str, backend: Optional[Backend] = None, loaded_at: Optional[dt.datetime] = None, **_
) -> dict:
    """SCD2 load of DIM_CUSTOMER: record the batch in CUSTOMER_STATE_HISTORY, rebuild the
    versions of the customers it touches from all their records, write what changed."""
    backend = backend or backend_for(session)
    writer = backend.writer
    loaded_at = loaded_at or utc_now()
    batch = writer.reuse(customers.normalize_customer_records(_table(session, STG_CUSTOMERS)))
    received = writer.append(
        session,
        CUSTOMER_STATE_HISTORY,
        customers.new_history_records(batch, _table(session, CUSTOMER_STATE_HISTORY), loaded_at, writer),
    )
    touched = writer.distinct(batch, [customers.CUSTOMER_ID])
    records = writer.join(_table(session, CUSTOMER_STATE_HISTORY), touched, [customers.CUSTOMER_ID])
    existing = writer.join(_table(session, DIM_CUSTOMER), touched, [customers.CUSTOMER_ID])
    versions = writer.materialize(
        customers.assign_surrogate_keys(customers.build_customer_versions(records, writer), existing, writer)
    )
    upserts, deletes = customers.customer_dimension_changes(versions, existing, loaded_at, writer)
    # The unknown member rides in the same write, inserted only while it is absent.
    unknown = without_matches(
        customers.unknown_member(session, loaded_at), _table(session, DIM_CUSTOMER), customers.CUSTOMER_SK
    )
    result = writer.apply_changes(
        session, DIM_CUSTOMER, [customers.CUSTOMER_SK], upserts.union_all_by_name(unknown), deletes
    )
    return {
        "step": "SP_LOAD_DIM_CUSTOMER",
        "run_date": run_date,
        "records_received": received,
        "rows_inserted": result.inserted,
        "rows_updated": result.updated,
        "rows_deleted": result.deleted,
    }


def load_fact_activity(
    session: Session, run_date: str, backend: Optional[Backend] = None, loaded_at: Optional[dt.datetime] = None, **_
) -> dict:
    """Append the batch's new events attached to their versions, and re-key the facts of
    customers whose history this run may have re-shaped."""
    backend = backend or backend_for(session)
    writer = backend.writer
    loaded_at = loaded_at or utc_now()
    events = writer.reuse(facts.staged_events(_table(session, STG_ACTIVITY), writer))
    counted = writer.count_rows({"rows": (events, None), "ids": (writer.distinct(events, [facts.EVENT_ID]), None)})
    if counted["rows"] != counted["ids"]:
        raise LoadError(
            f"fact load: STG_ACTIVITY holds {counted['rows'] - counted['ids']} rows that differ from "
            f"another row with the same EVENT_ID; Job B must deliver one row per EVENT_ID: fix "
            f"Job B's output for this run and rerun the pipeline"
        )
    fact_table = _table(session, FACT_ACTIVITY)
    versions = writer.reuse(facts.customer_versions(_table(session, DIM_CUSTOMER)))
    touched = _table(session, STG_CUSTOMERS).select(facts.CUSTOMER_ID)
    rekey_ids = writer.reuse(facts.customers_to_rekey(touched, fact_table, versions, writer))
    inserted = facts.new_facts(events, fact_table, versions, loaded_at, writer)
    rekeyed = facts.rekeyed_facts(fact_table, rekey_ids, versions, loaded_at, writer)
    result = writer.apply_changes(session, FACT_ACTIVITY, [facts.EVENT_ID], inserted.union_all_by_name(rekeyed))
    return {
        "step": "SP_LOAD_FACT_ACTIVITY",
        "run_date": run_date,
        "rows_inserted": result.inserted,
        "rows_rekeyed": result.updated,
    }


STEPS = (
    ("SP_LOAD_STAGING", load_staging),
    ("SP_LOAD_DIM_PLAN", load_dim_plan),
    ("SP_LOAD_DIM_CUSTOMER", load_dim_customer),
    ("SP_LOAD_FACT_ACTIVITY", load_fact_activity),
)
