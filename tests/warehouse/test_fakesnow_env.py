"""A deployment to another env (`--env database=TELCO_DB_DEV`) reads and writes that env's
database only: the procedures name their tables after the database and schema they run in
(telco360.warehouse.tables.locate_in_session), executed on fakesnow."""
from __future__ import annotations

import pytest

from conftest import customer, event, plan, write_staging
from fakesnow_shims import fakesnow_backend, warehouse_session
from telco360.warehouse import steps
from telco360.runner import handlers
from telco360.warehouse.tables import locate, locate_in_session

DEV = {"database": "TELCO_DB_DEV"}


@pytest.fixture
def dev_session(fakesnow_wh):
    session = warehouse_session(DEV)
    yield session
    session.close()
    locate()


def test_procedures_of_a_dev_deployment_load_the_dev_database_only(dev_session, fakesnow_wh, tmp_path):
    write_staging(tmp_path, "R1", customers=[customer("C0000001", "2024-01-10 10:00")], plans=[plan("PLN-A")],
                  activity=[event("E1", "C0000001", "2024-01-11 00:00")])
    locate_in_session(dev_session)
    steps.load_staging(dev_session, "2024-01-15", backend=fakesnow_backend(tmp_path / "staging"))
    locate()  # a new procedure call starts from the contract's names
    for module in ("load_dim_plan", "load_dim_customer", "load_fact_activity"):
        handlers.procedure(f"{module}.py", f"sp_{module}")(dev_session, "2024-01-15")
    handlers.procedure("analytics.py", "sp_run_dq_checks")(dev_session, "2024-01-15")
    counts = {db: {t: dev_session.table(f"{db}.DW.{t}").count() for t in ("DIM_PLAN", "DIM_CUSTOMER", "FACT_ACTIVITY")}
              for db in ("TELCO_DB_DEV", "TELCO_DB")}
    assert counts == {"TELCO_DB_DEV": {"DIM_PLAN": 1, "DIM_CUSTOMER": 2, "FACT_ACTIVITY": 1},
                      "TELCO_DB": {"DIM_PLAN": 0, "DIM_CUSTOMER": 0, "FACT_ACTIVITY": 0}}
    assert dev_session.table("TELCO_DB_DEV.DW.DQ_CHECK_RESULTS").count() > 0
    assert fakesnow_wh.table("TELCO_DB.DW.DQ_CHECK_RESULTS").count() == 0


def test_a_session_without_a_current_database_is_refused_with_what_to_do(fakesnow_wh):
    class NoDatabase:
        def get_current_database(self):
            return None

        def get_current_schema(self):
            return None

    with pytest.raises(RuntimeError, match=r"USE SCHEMA <database>.<dw_schema>"):
        locate_in_session(NoDatabase())
