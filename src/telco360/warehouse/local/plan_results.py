"""Local testing only: each query plan's result kept until a table it read changes.

Snowpark local testing learns a DataFrame's schema by computing it, so every `select`,
`filter` or `join` recomputes its whole input, and each input recomputes its own: a chain
of n steps costs n(n+1)/2 steps. Snowflake compiles a schema without running anything.
This cache stores the result of each plan node (a select, set operation, aggregate,
projection or join) per session. The next step that reads the same node gets a copy instead
of a recomputation. The copies are lazy (`compat` turns on pandas copy-on-write): a column
is copied only when the emulator writes to it on one side.

A cached result stays valid while the tables and views it read are unchanged. Each entry
records the names it read, and a write, drop or view replacement of such a name removes it.
Names are compared by their last part, upper-cased: two schemas with the same table name
only cause an extra recomputation. The emulator records column aliases while it computes a
node (`expr_to_alias`), so each entry keeps the aliases it added and replays them on a hit,
and a hit requires the aliases it was computed under, or those plus the ones it added.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, NamedTuple, Optional

from snowflake.snowpark.mock import _connection, _plan
from snowflake.snowpark.mock._snowflake_data_type import TableEmulator

CACHED_NODES = (_plan.MockSelectStatement, _plan.MockSetStatement, _plan.Aggregate, _plan.Project, _plan.Join)
# Rows x columns kept per session, least recently used dropped first. A cell is an 8-byte
# pointer, plus its value when only the cache still holds it. Measured on the demo's day 6:
# 2M cells keep 234 of the 250 hits of 16M (0.54 GB peak instead of 0.69); at 100k customers
# / 1M events, 4M cells took the benchmark's peak from 5.9 GB to 6.15 GB.
MAX_CELLS = 2_000_000


class Entry(NamedTuple):
    node: object
    aliases_before: dict  # the aliases the node was computed under
    aliases_added: dict  # those its computation added or changed
    aliases_after: dict
    names: frozenset  # short names of the tables and views it read
    table: TableEmulator


class PlanResults:
    """One session's cached plan results, in least-recently-used order."""

    def __init__(self, max_cells: int = MAX_CELLS) -> None:
        self.max_cells = max_cells
        self.cells = 0
        self.entries: OrderedDict[int, Entry] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self._reading = threading.local()

    def result(self, node, aliases: dict, compute: Callable[[], object]):
        """`compute()`'s result for `node`, or a copy of the one computed before."""
        reading = self._reading_stack()
        entry = self.entries.get(id(node))
        # Equal aliases before the node was computed, or the same ones it then added: a
        # DataFrame's schema is computed first and its rows next, under the same aliases.
        if entry is not None and entry.node is node and aliases in (entry.aliases_before, entry.aliases_after):
            self.hits += 1
            self.entries.move_to_end(id(node))
            aliases.update(entry.aliases_added)
            for outer in reading:
                outer.update(entry.names)
            return entry.table.copy(deep=False)
        self.misses += 1
        before = dict(aliases)
        names: set[str] = set()
        reading.append(names)
        try:
            result = compute()
        finally:
            reading.pop()
        for outer in reading:
            outer.update(names)
        if isinstance(result, TableEmulator):
            added = {key: value for key, value in aliases.items() if key not in before or before[key] != value}
            self._store(Entry(node, before, added, dict(aliases), frozenset(names), result.copy(deep=False)))
        return result

    def record_read(self, name) -> None:
        """A table or view named `name` is read by every node being computed."""
        short = short_name(name)
        for names in self._reading_stack():
            names.add(short)

    def forget(self, name) -> None:
        """`name` changed: drop every result that read it."""
        short = short_name(name)
        for key in [key for key, entry in self.entries.items() if short in entry.names]:
            self._drop(key)

    def _store(self, entry: Entry) -> None:
        cells = entry.table.size
        if cells > self.max_cells:
            return
        if id(entry.node) in self.entries:
            self._drop(id(entry.node))
        while self.entries and self.cells + cells > self.max_cells:
            self._drop(next(iter(self.entries)))
        self.entries[id(entry.node)] = entry
        self.cells += cells

    def _drop(self, key: int) -> None:
        self.cells -= self.entries.pop(key).table.size

    def _reading_stack(self) -> list:
        if not hasattr(self._reading, "stack"):
            self._reading.stack = []
        return self._reading.stack


def short_name(name) -> str:
    last = name[-1] if isinstance(name, (list, tuple)) else name.rsplit(".", 1)[-1]
    return last.strip('"').upper()


def plan_results(registry) -> PlanResults:
    """The cache of the session that owns `registry` (created on first use)."""
    cache = registry.__dict__.get("_plan_results")
    if cache is None:
        cache = registry.__dict__.setdefault("_plan_results", PlanResults())
    return cache


def forget_all(registry) -> None:
    """Drop every cached result of the session that owns `registry` (it is closing)."""
    registry.__dict__.pop("_plan_results", None)


def node_and_analyzer(plan) -> tuple[object, Optional[object]]:
    """The logical plan node `execute_mock_plan` runs for `plan`, and its analyzer: the emulator
    passes either an execution plan or a bare node (whose analyzer it reads from the node)."""
    if isinstance(plan, (_plan.MockExecutionPlan, _plan.SnowflakePlan)):
        return plan.source_plan, plan.session._analyzer
    return plan, getattr(plan, "analyzer", None)


def cached_execution(execute: Callable) -> Callable:
    """`execute` (the emulator's `execute_mock_plan`) with the cache in front of it."""

    def execute_with_cache(plan, expr_to_alias: Optional[dict] = None):
        node, analyzer = node_and_analyzer(plan)
        if expr_to_alias is None and node is not plan:
            expr_to_alias = plan.expr_to_alias
        if analyzer is None or expr_to_alias is None:
            return execute(plan, expr_to_alias)
        cache = plan_results(analyzer.session._conn.entity_registry)
        if isinstance(node, _plan.MockSelectableEntity):
            cache.record_read(node.entity.name)
        if not isinstance(node, CACHED_NODES):
            return execute(plan, expr_to_alias)
        return cache.result(node, expr_to_alias, lambda: execute(plan, expr_to_alias))

    return execute_with_cache


def install(execute: Callable) -> Callable:
    """Make the registry's writes, drops and view replacements forget what they change;
    returns `execute` with the cache in front of it."""
    registry = _connection.MockServerConnection.TabularEntityRegistry
    write_table, drop_table, create_or_replace_view = (
        registry.write_table, registry.drop_table, registry.create_or_replace_view
    )

    def write_table_forgetting(self, name, *args, **kwargs):
        plan_results(self).forget(name)
        return write_table(self, name, *args, **kwargs)

    def drop_table_forgetting(self, name, **kwargs):
        plan_results(self).forget(name)
        return drop_table(self, name, **kwargs)

    def create_or_replace_view_forgetting(self, execution_plan, name, replace):
        plan_results(self).forget(name)
        return create_or_replace_view(self, execution_plan, name, replace)

    registry.write_table = write_table_forgetting
    registry.drop_table = drop_table_forgetting
    registry.create_or_replace_view = create_or_replace_view_forgetting
    return cached_execution(execute)
