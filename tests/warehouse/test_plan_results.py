"""The local plan-result cache (`telco360.warehouse.local.plan_results`): results are reused, and
never outlive a change to a table or view they read."""
from __future__ import annotations

import pytest
from snowflake.snowpark import Session
from snowflake.snowpark import functions as F
from snowflake.snowpark.mock._snowflake_data_type import TableEmulator

from telco360.warehouse.local import plan_results
from telco360.warehouse.local.session import local_session


@pytest.fixture()
def session():
    session = local_session()
    yield session
    session.close()


def cache_of(session: Session) -> plan_results.PlanResults:
    return plan_results.plan_results(session._conn.entity_registry)


def ids(frame) -> list:
    return sorted(r["ID"] for r in frame.collect())


def test_a_step_built_on_a_frame_reuses_its_result(session):
    session.create_dataframe([(1, "a"), (2, "b"), (3, "c")], ["ID", "NAME"]).write.save_as_table("T_ROWS")
    base = session.table("T_ROWS").filter(F.col("ID") > F.lit(1)).select("ID", F.upper("NAME").alias("UPPER_NAME"))
    assert ids(base) == [2, 3]
    hits = cache_of(session).hits

    derived = base.filter(F.col("UPPER_NAME") == F.lit("C"))

    assert ids(derived) == [3]
    assert cache_of(session).hits > hits


def test_a_write_to_a_table_drops_the_results_that_read_it(session):
    session.create_dataframe([(1,), (2,)], ["ID"]).write.save_as_table("T_IDS")
    session.create_dataframe([(10,)], ["ID"]).write.save_as_table("T_OTHER")
    query = session.table("T_IDS").filter(F.col("ID") > F.lit(0))
    other = session.table("T_OTHER").select("ID")
    assert ids(query) == [1, 2] and ids(other) == [10]
    kept = len(cache_of(session).entries)

    session.create_dataframe([(3,)], ["ID"]).write.save_as_table("T_IDS", mode="append")

    assert ids(query) == [1, 2, 3]
    session.table("T_IDS").delete(F.col("ID") == F.lit(1))
    assert ids(query) == [2, 3]
    session.table("T_IDS").update({"ID": F.lit(5)}, F.col("ID") == F.lit(2))
    assert ids(query) == [3, 5]
    # The result that read only T_OTHER survived every one of those writes.
    assert len(cache_of(session).entries) >= 1 and kept >= 1
    assert any("T_OTHER" in entry.names and "T_IDS" not in entry.names for entry in cache_of(session).entries.values())


def test_a_view_reads_the_current_rows_of_its_table(session):
    session.create_dataframe([(1,), (2,)], ["ID"]).write.save_as_table("T_IDS")
    session.table("T_IDS").filter(F.col("ID") >= F.lit(2)).create_or_replace_view("V_IDS")
    over_view = session.table("V_IDS").select((F.col("ID") * F.lit(10)).alias("ID"))
    assert ids(over_view) == [20]

    session.create_dataframe([(4,)], ["ID"]).write.save_as_table("T_IDS", mode="append")
    assert ids(over_view) == [20, 40]

    session.table("T_IDS").filter(F.col("ID") == F.lit(1)).create_or_replace_view("V_IDS")
    assert ids(session.table("V_IDS").select((F.col("ID") * F.lit(10)).alias("ID"))) == [10]


def test_a_dropped_and_recreated_table_is_read_again(session):
    session.create_dataframe([(1,)], ["ID"]).write.save_as_table("T_IDS")
    query = session.table("T_IDS").select("ID")
    assert ids(query) == [1]

    session.table("T_IDS").drop_table()
    session.create_dataframe([(7,)], ["ID"]).write.save_as_table("T_IDS")

    assert ids(query) == [7]


def queries(session: Session) -> list:
    """Joins, aliases, aggregates and unions over shared inputs: what the warehouse builds."""
    session.create_dataframe(
        [(1, "A", 10), (2, "B", 20), (3, "A", None), (4, None, 5)], ["ID", "KIND", "AMOUNT"]
    ).write.save_as_table("T_FACTS")
    session.create_dataframe([("A", "alpha"), ("B", "beta")], ["KIND", "LABEL"]).write.save_as_table("T_KINDS")
    facts = session.table("T_FACTS").select("ID", "KIND", F.coalesce("AMOUNT", F.lit(0)).alias("AMOUNT"))
    kinds = session.table("T_KINDS").select(F.col("KIND"), F.col("LABEL").alias("KIND_LABEL"))
    joined = facts.join(kinds, on="KIND", how="left")
    renamed = joined.with_column_renamed("KIND_LABEL", "LABEL").select("ID", "LABEL", "AMOUNT")
    totals = joined.group_by("KIND").agg(F.sum("AMOUNT").alias("TOTAL"), F.count("ID").alias("N"))
    both = renamed.select("ID").union_all(facts.select("ID"))
    return [
        sorted(joined.collect(), key=str),
        sorted(renamed.collect(), key=str),
        sorted(totals.collect(), key=str),
        sorted(both.collect(), key=str),
        sorted(renamed.filter(F.col("AMOUNT") > F.lit(5)).collect(), key=str),
    ]


def test_cached_results_equal_uncached_ones(session):
    uncached = local_session()
    try:
        # A cache that can hold nothing: every node is computed.
        uncached._conn.entity_registry.__dict__["_plan_results"] = plan_results.PlanResults(max_cells=0)
        expected = queries(uncached)
        assert cache_of(uncached).hits == 0
    finally:
        uncached.close()

    assert queries(session) == expected
    assert cache_of(session).hits > 0


def test_the_oldest_results_are_dropped_beyond_the_size_limit(session):
    cache = plan_results.PlanResults(max_cells=10)
    session._conn.entity_registry.__dict__["_plan_results"] = cache
    session.create_dataframe([(i, i) for i in range(4)], ["ID", "VALUE"]).write.save_as_table("T_SMALL")
    for bound in range(4):
        ids(session.table("T_SMALL").filter(F.col("ID") >= F.lit(bound)))
        assert cache.cells <= 10
    assert cache.cells == sum(entry.table.size for entry in cache.entries.values())


@pytest.mark.parametrize("name, short", [
    ('"TELCO_DB"."DW"."DIM_PLAN"', "DIM_PLAN"),
    ("telco_db.dw.dim_plan", "DIM_PLAN"),
    (["TELCO_DB", "DW", '"DIM_PLAN"'], "DIM_PLAN"),
    ("T_IDS", "T_IDS"),
])
def test_names_are_compared_by_their_last_part(name, short):
    assert plan_results.short_name(name) == short


def test_a_hit_replays_the_aliases_its_computation_recorded():
    """The emulator records column aliases while it computes a node; a parent node resolves
    its columns through them, so a cached result must leave them as the computation did."""
    cache, node = plan_results.PlanResults(), object()
    computed = []

    def compute(aliases):
        computed.append(1)
        aliases["expr-1"] = '"KEY"'
        return TableEmulator({"KEY": [1]})

    first = {"expr-0": '"ID"'}
    cache.result(node, first, lambda: compute(first))
    second = {"expr-0": '"ID"'}
    result = cache.result(node, second, lambda: compute(second))

    assert computed == [1] and cache.hits == 1
    assert second == {"expr-0": '"ID"', "expr-1": '"KEY"'}
    assert list(result["KEY"]) == [1]
    # Other aliases than the node was computed under: computed again.
    cache.result(node, {"expr-9": '"OTHER"'}, lambda: compute({}))
    assert computed == [1, 1]


def test_a_write_to_a_returned_result_leaves_the_cached_one_unchanged():
    """Results are shared lazily (copy-on-write): neither the computed result nor a later
    hit's copy may write through to what the cache keeps."""
    cache, node = plan_results.PlanResults(), object()
    computed = cache.result(node, {}, lambda: TableEmulator({"KEY": [1, 2]}))
    computed.iloc[0, 0] = 98
    hit = cache.result(node, {}, lambda: pytest.fail("computed again"))
    hit.iloc[1, 0] = 99

    assert list(cache.result(node, {}, lambda: pytest.fail("computed again"))["KEY"]) == [1, 2]
    assert list(hit["KEY"]) == [1, 99]
