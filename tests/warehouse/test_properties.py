"""Property test: random customer timelines, loaded whole or split into random daily
batches in random order, satisfy invariants 1-4 of the contract's section 4."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import HIGH, customer, rows, stage
from telco360.warehouse import steps
from telco360.warehouse.local.session import open_local_warehouse

TRACKED = ("PLAN_ID", "STATUS", "EMAIL", "PHONE", "ADDRESS_LINE1", "CITY", "STATE", "POSTAL_CODE", "COUNTRY")

record_strategy = st.tuples(
    st.sampled_from(["C0000001", "C0000002"]),
    st.integers(min_value=0, max_value=6),          # day of January 2024 (ties happen)
    st.sampled_from(["ACTIVE", "SUSPENDED"]),
    st.sampled_from(["PLN-A", "PLN-B"]),
    st.sampled_from([None, "+15550000001"]),
)


def to_rows(draws):
    return [
        customer(cid, f"2024-01-{10 + day:02d} 10:00", source_file=f"customers_202401{20 + n // 3:02d}.ndjson",
                 line=n + 1, STATUS=status, PLAN_ID=plan_id, PHONE=phone)
        for n, (cid, day, status, plan_id, phone) in enumerate(draws)
    ]


def load_batches(session, batches):
    for batch in batches:
        stage(session, customers=batch)
        steps.load_dim_customer(session, "2024-01-31")


def history(session):
    found = [r for r in rows(session, "DIM_CUSTOMER") if r["CUSTOMER_SK"] != -1]
    return sorted((r["CUSTOMER_ID"], r["EFFECTIVE_FROM"], r["EFFECTIVE_TO"], r["IS_CURRENT"], *[r[c] for c in TRACKED])
                  for r in found)


def assert_invariants_1_and_2(session):
    by_customer = {}
    for version in history(session):
        by_customer.setdefault(version[0], []).append(version)
    for versions in by_customer.values():
        assert [v[3] for v in versions].count(True) == 1 and versions[-1][2] == HIGH
        for earlier, later in zip(versions, versions[1:]):
            assert earlier[2] == later[1], "versions overlap or leave a gap"
            assert earlier[4:] != later[4:], "consecutive versions do not differ"


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draws=st.lists(record_strategy, min_size=1, max_size=6), split=st.integers(min_value=1, max_value=5),
       data=st.data())
def test_random_timelines_keep_invariants_whatever_the_split(tmp_path_factory, draws, split, data):
    records = to_rows(draws)
    whole = open_local_warehouse(tmp_path_factory.mktemp("whole"))
    load_batches(whole, [records])
    assert_invariants_1_and_2(whole)

    shuffled = data.draw(st.permutations(records))
    batches = [shuffled[i::split] for i in range(split) if shuffled[i::split]]
    parts = open_local_warehouse(tmp_path_factory.mktemp("parts"))
    load_batches(parts, batches)
    assert_invariants_1_and_2(parts)
    assert history(parts) == history(whole)  # invariant 3

    before = rows(parts, "DIM_CUSTOMER")
    load_batches(parts, batches[:1])
    assert rows(parts, "DIM_CUSTOMER") == before  # invariant 4
