"""The saved local warehouse is checked when opened (issue #18 item 4): a damaged file stops
with its name and the way back, never loads as data."""
from __future__ import annotations

import pytest

from conftest import customer, rows, stage
from telco360.warehouse import steps
from telco360.warehouse.local.session import WarehouseStateError, open_local_warehouse, save_local_warehouse

C1 = "C0000001"


@pytest.fixture
def saved_lake(tmp_path):
    session = open_local_warehouse(tmp_path)
    stage(session, customers=[customer(C1, "2024-01-10 10:00", EMAIL="ada@example.com")])
    steps.load_dim_customer(session, "2024-01-15")
    save_local_warehouse(session, tmp_path)
    session.close()
    return tmp_path


def test_saved_warehouse_opens_with_its_rows(saved_lake):
    session = open_local_warehouse(saved_lake)
    assert sorted(r["EMAIL"] for r in rows(session, "DIM_CUSTOMER") if r["CUSTOMER_ID"] == C1) == ["ada@example.com"]


def test_a_flipped_bit_in_a_saved_email_stops_the_open_naming_the_file(saved_lake):
    """Unchecked, this file loaded as data: EMAIL became 'cda@example.com'."""
    path = saved_lake / "_warehouse" / "DW" / "DIM_CUSTOMER.parquet"
    data = bytearray(path.read_bytes())
    data[data.index(b"ada@example.com")] ^= 0x02
    path.write_bytes(bytes(data))

    with pytest.raises(WarehouseStateError) as error:
        open_local_warehouse(saved_lake)

    assert str(path) in str(error.value)
    assert "_warehouse.previous" in str(error.value)


def test_previous_state_is_kept_for_recovery(saved_lake):
    session = open_local_warehouse(saved_lake)
    save_local_warehouse(session, saved_lake)
    session.close()

    assert (saved_lake / "_warehouse.previous" / "DW" / "DIM_CUSTOMER.parquet").is_file()
