"""The Native App's staging side: the consumer's tables bound to the app's references are copied
into STAGING through the same seam, so the loads after it run unchanged."""
from __future__ import annotations

import pyarrow as pa
import pytest

from conftest import customer, event, plan, rows
from telco360 import contract
from telco360.warehouse import pipeline, steps
from telco360.warehouse.local.arrow import arrow_schema
from telco360.warehouse.local.backend import LocalRewriteWriter, LocalTransaction
from telco360.warehouse.seams import (
    REFERENCE_RUN_ID,
    Backend,
    ReferenceStagingReader,
    StagingError,
)
from telco360.warehouse.tables import STG_ACTIVITY, STG_CUSTOMERS, STG_PLANS

C1 = "C0000001"


def consumer_table(session, table: str, records, extra_column: bool = False):
    """A consumer's table as the app sees it through reference(): the contract's columns, in
    another order, optionally with a column of their own."""
    data = pa.Table.from_pylist(list(records), schema=arrow_schema(table)).to_pandas()
    data = data[list(reversed(data.columns))]
    if extra_column:
        data["CONSUMER_NOTE"] = "theirs"
    return session.create_dataframe(data)


def bound(session, customers=(), plans=(), activity=(), extra_column=False):
    """A reference reader whose references resolve to these rows."""
    frames = {
        contract.STAGING_REFERENCES[STG_CUSTOMERS]: consumer_table(session, STG_CUSTOMERS, customers, extra_column),
        contract.STAGING_REFERENCES[STG_PLANS]: consumer_table(session, STG_PLANS, plans, extra_column),
        contract.STAGING_REFERENCES[STG_ACTIVITY]: consumer_table(session, STG_ACTIVITY, activity, extra_column),
    }
    return ReferenceStagingReader(source=lambda _session, reference: frames[reference])


def reference_backend(reader) -> Backend:
    return Backend(reader, LocalRewriteWriter(), LocalTransaction())


ONE_DAY = dict(customers=[customer(C1, "2024-01-10 10:00")], plans=[plan("PLN-A")],
               activity=[event("E1", C1, "2024-01-11 00:00"), event("E2", C1, "2024-01-12 00:00")])


def test_every_staging_table_of_the_contract_has_a_reference():
    assert set(contract.STAGING_REFERENCES) == set(contract.STAGING_TABLES)


def test_reference_load_copies_each_bound_table_into_staging(wh):
    summary = steps.load_staging(wh, "2024-01-15", backend=reference_backend(bound(wh, **ONE_DAY)))
    assert (summary["staging_run_id"], summary["rows"]) == (
        REFERENCE_RUN_ID, {STG_CUSTOMERS: 1, STG_PLANS: 1, STG_ACTIVITY: 2})
    assert sorted(r["EVENT_ID"] for r in rows(wh, STG_ACTIVITY)) == ["E1", "E2"]


def test_reference_load_ignores_consumer_columns_outside_the_contract(wh):
    steps.load_staging(wh, "2024-01-15", backend=reference_backend(bound(wh, **ONE_DAY, extra_column=True)))
    assert rows(wh, STG_PLANS)[0]["PLAN_ID"] == "PLN-A"


def test_reference_load_replaces_the_previous_rows_on_rerun(wh):
    backend = reference_backend(bound(wh, **ONE_DAY))
    steps.load_staging(wh, "2024-01-15", backend=backend)
    steps.load_staging(wh, "2024-01-15", backend=backend)
    assert len(rows(wh, STG_ACTIVITY)) == 2


def test_bound_table_missing_a_contract_column_names_the_reference_and_columns(wh):
    frame = consumer_table(wh, STG_PLANS, ONE_DAY["plans"]).drop("MONTHLY_FEE", "CURRENCY")
    reader = ReferenceStagingReader(source=lambda _session, _reference: frame)
    with pytest.raises(StagingError, match=r"STG_PLANS: the table bound to reference 'stg_plans' lacks columns MONTHLY_FEE, CURRENCY"):
        reader.load_table(wh, STG_PLANS, {"reference": "stg_plans"})


def test_pipeline_through_references_builds_the_same_dw_as_through_the_lake(wh, tmp_path):
    from conftest import write_staging
    from telco360.warehouse.local.session import open_local_warehouse

    pipeline.run_pipeline(wh, "2024-01-15", backend=reference_backend(bound(wh, **ONE_DAY)), run_id="R")
    write_staging(tmp_path, "R1", **ONE_DAY)
    lake = open_local_warehouse(tmp_path)
    pipeline.run_pipeline(lake, "2024-01-15", run_id="R")

    def dw(session):
        ignored = {"LOADED_AT", "CUSTOMER_SK"}
        return {table: sorted(tuple(sorted((k, str(v)) for k, v in r.items() if k not in ignored)) for r in rows(session, table))
                for table in ("DIM_PLAN", "DIM_CUSTOMER", "FACT_ACTIVITY")}
    assert dw(wh) == dw(lake)


def test_bound_column_named_in_lower_case_is_not_the_contract_column(wh):
    data = pa.Table.from_pylist(ONE_DAY["plans"], schema=arrow_schema(STG_PLANS)).to_pandas()
    frame = wh.create_dataframe(data.rename(columns={"MONTHLY_FEE": "monthly_fee"}))
    reader = ReferenceStagingReader(source=lambda _session, _reference: frame)
    with pytest.raises(StagingError, match=r"lacks columns MONTHLY_FEE;"):
        reader.load_table(wh, STG_PLANS, {"reference": "stg_plans"})
