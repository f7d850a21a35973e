"""A first day whose only customer record is quarantined still loads its plan catalog: an
empty customer batch is an ordinary load, not a warehouse failure (issue 24)."""
from __future__ import annotations

import pandas as pd
import pytest

from telco360.cli import main as c360

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PLANS_CSV = (
    b"plan_id,plan_name,plan_type,monthly_fee,currency,data_allowance_gb,voice_minutes,"
    b"sms_allowance,contract_months,updated_at\n"
    b'PLN-POST-20,"Unlimited, 20",POSTPAID,20.00,USD,,100,,12,2024-01-01T00:00:00Z\n'
    b"PLN-PRE-5,Prepaid 5,PREPAID,5.00,USD,2.5,60,100,0,2024-01-02T00:00:00Z\n"
)
GONE_CUSTOMER = (
    b'{"customerId":"C0000042","firstName":"Ada","lastName":"Okafor","planId":"PLN-POST-20",'
    b'"status":"GONE","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:12:44+01:00"}\n'
)


@pytest.fixture(scope="module")
def quarantined_only_day(spark, tmp_path_factory):
    lake = tmp_path_factory.mktemp("quarantined_only") / "lake"
    (lake / "raw" / "plans").mkdir(parents=True)
    (lake / "raw" / "customers").mkdir(parents=True)
    (lake / "raw" / "plans" / "plans_20240115.csv").write_bytes(PLANS_CSV)
    (lake / "raw" / "customers" / "customers_20240115.ndjson").write_bytes(GONE_CUSTOMER)
    run_exit = c360(["run", "--lake", str(lake), "--date", "2024-01-16", "--quiet"])
    out = lake.parent / "out"
    export_exit = c360(["export", "--lake", str(lake), "--out", str(out)])
    return {"exits": (run_exit, export_exit), "out": out}


def test_run_with_only_a_quarantined_customer_exits_zero(quarantined_only_day):
    assert quarantined_only_day["exits"] == (0, 0)


def test_dim_plan_holds_the_catalog_when_no_customer_loads(quarantined_only_day):
    dim_plan = pd.read_parquet(quarantined_only_day["out"] / "DW" / "DIM_PLAN.parquet")
    assert sorted(dim_plan["PLAN_ID"]) == ["PLN-POST-20", "PLN-PRE-5"]
    assert not dim_plan["IS_INFERRED"].any()


def test_dim_customer_holds_only_the_unknown_member(quarantined_only_day):
    dim_customer = pd.read_parquet(quarantined_only_day["out"] / "DW" / "DIM_CUSTOMER.parquet")
    assert list(dim_customer["CUSTOMER_SK"]) == [-1]
