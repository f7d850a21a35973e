"""The places where Snowflake and Snowpark local testing differ, each behind one
small interface; everything else is shared code.

- Staging load: Snowflake runs `COPY INTO` from the external stage; local testing has no
  COPY, no `session.sql` and cannot read Parquet, so the local side reads the Parquet files
  with pyarrow into the session. Both read the manifest `select_manifest` picks for the
  RUN_DATE. Installed as a Snowflake Native App, the pipeline has no stage: it copies the
  consumer's staging tables, bound to the app's references (app/manifest.yml), into its own
  STAGING tables (`NATIVE_APP`, registered by the app's handlers: a deploy-time choice).
  The Snowpark project may read the stage through external tables instead of COPY
  (`ExternalTableStagingReader`, env `staging_load: external_table`, passed to the procedures
  as STAGING_LOAD): a deploy-time choice too, `backend_for_staging_load`.
- Table writes: Snowflake runs one `MERGE` per table (`Table.merge`); locally a `MERGE`
  builds a cross join in pandas (181 s at 10k rows), so the local side rewrites the table:
  rows whose key is untouched, plus the new rows.
- Transactions: Snowflake `BEGIN`/`COMMIT`/`ROLLBACK`; locally the session is in memory and
  the runner saves it only after a successful run, so discarding it is the rollback.
- Evaluation (the `Engine` half of each writer): local testing has no optimiser and
  re-evaluates a lazy plan for every action (even to learn a schema), and runs group_by
  one group at a time; so the local side caches shared intermediate results
  (`materialize`), aggregates in pandas (`aggregate`, `distinct`) and computes its
  hottest joins as one pandas merge (`join`), and builds a view's query only when the
  view is first read (`create_view`). In Snowflake a shared intermediate result is
  materialized too (`cache_result`, a temporary table): otherwise every statement that
  reuses it inlines its whole plan again (one DIM_CUSTOMER MERGE was 514 KB of SQL); a
  cheap one is inlined (`reuse`: a temporary table costs two statements). Snowpark's own
  temporary objects do not commit the open transaction (snowpark-python PRs #279 and #3502);
  aggregates stay plain group_by, windows are LAG/LEAD/ROW_NUMBER (`window`, pandas locally),
  NULL-safe equality is EQUAL_NULL (`equal_null`, which local testing lacks), and the
  data-quality counts are one SELECT (`count_rows`; local testing counts frame by frame).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import weakref
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Protocol, Sequence

from snowflake.snowpark import Column, DataFrame, Session, Window
from snowflake.snowpark import functions as F
from snowflake.snowpark.exceptions import SnowparkSQLException

from telco360 import contract, lake
from telco360.warehouse.tables import column_list, database, qualified_name

DELETE_FLAG = "_C360_DELETE"
LATEST_RANK = "_C360_LATEST_RANK"
COPY_FILES_LIMIT = 1000  # file names one COPY ... FILES = (...) may list


def stage() -> str:
    """The external stage over the lake's staging/, in the located database."""
    return f"@{database()}.{contract.STAGING_SCHEMA}.{contract.STAGING_STAGE}"


def manifest_file_format() -> str:
    return f"{database()}.{contract.STAGING_SCHEMA}.{contract.MANIFEST_FILE_FORMAT}"
# STAGING_RUN_ID of a load from references: bound tables carry no Job B run id.
REFERENCE_RUN_ID = "REFERENCES"


class StagingError(RuntimeError):
    """The staging snapshot cannot be loaded; the message says which file and what to do."""


@dataclass(frozen=True)
class WriteResult:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0


class StagingReader(Protocol):
    """`read_manifest` and `load_table` run inside the pipeline's transaction; `prepare` runs
    before BEGIN, for what a reader must send as DDL (which would commit the transaction: an
    external table's refresh). COPY, the references and the local reader prepare nothing."""

    def prepare(self, session: Session, run_date: str) -> None: ...

    def read_manifest(self, session: Session, run_date: str) -> dict: ...

    def load_table(self, session: Session, table: str, entry: dict) -> int: ...


class Engine(Protocol):
    """How the transforms evaluate: `materialize` (see module doc) and `aggregate`, a
    `group_by(keys).agg(...)` where `aggregations` maps an output column to
    (max|min|sum|count|count_distinct, input column; "*" with count counts rows). Local
    testing runs a group_by one group at a time in Python (~6 ms a group: 60 s at 10k
    customers; DISTINCT is a group_by too), so its side aggregates in pandas. `join` is
    `left.join(right, on=keys, how=...)` (inner or left; the sides share no other column).
    `latest_per_key` keeps, per `keys`, the row greatest by `order` (compared column by column,
    a null below any value); the order must tell every two rows of a key apart.
    `window` adds, per `keys` in `order` (which must tell every two rows of a key apart), a
    column per entry of `columns`: ("previous" | "next", column), the value of that column
    in the row before or after (NULL at the edge), or ("row_number", "*"), 1, 2, ... .
    `equal_null(left, right, sql_type)` is a never-NULL equality where two NULLs are equal.
    `reuse` marks a result that several later steps read and that is cheap to compute:
    local testing caches it (it re-runs a plan for every action), Snowflake inlines it (a
    temporary table costs two statements). `count_rows` counts, for each name, the rows of a frame that meet a condition (every row
    when it is None), all in one go where the engine can."""

    def materialize(self, df: DataFrame) -> DataFrame: ...

    def aggregate(self, df: DataFrame, keys: Sequence[str], aggregations: dict[str, tuple[str, str]]) -> DataFrame: ...

    def distinct(self, df: DataFrame, columns: Sequence[str]) -> DataFrame: ...

    def join(self, left: DataFrame, right: DataFrame, keys: Sequence[str], how: str = "inner") -> DataFrame: ...

    def latest_per_key(self, df: DataFrame, keys: Sequence[str], order: Sequence[str]) -> DataFrame: ...

    def create_view(self, session: Session, name: str, build: Callable[[], DataFrame]) -> None: ...

    def count_rows(self, counts: Mapping[str, tuple[DataFrame, Optional[Column]]]) -> dict[str, int]: ...

    def window(self, df: DataFrame, keys: Sequence[str], order: Sequence[str], columns: dict[str, tuple[str, str]]) -> DataFrame: ...

    def reuse(self, df: DataFrame) -> DataFrame: ...

    def equal_null(self, left: Column, right: Column, sql_type: str) -> Column: ...


class SnowparkEngine:
    """Plain Snowpark (Snowflake): shared results cached in temporary tables, group_by
    aggregates."""

    def materialize(self, df: DataFrame) -> DataFrame:
        return df.cache_result()

    def aggregate(self, df, keys, aggregations) -> DataFrame:
        functions = {"max": F.max, "min": F.min, "sum": F.sum, "count": F.count, "count_distinct": F.count_distinct}
        return df.group_by(list(keys)).agg(
            [functions[fn](F.lit(1) if column == "*" else F.col(column)).alias(out) for out, (fn, column) in aggregations.items()]
        )

    def distinct(self, df: DataFrame, columns: Sequence[str]) -> DataFrame:
        return df.select(list(columns)).distinct()

    def join(self, left: DataFrame, right: DataFrame, keys: Sequence[str], how: str = "inner") -> DataFrame:
        return left.join(right, on=list(keys), how=how)

    def latest_per_key(self, df: DataFrame, keys: Sequence[str], order: Sequence[str]) -> DataFrame:
        # One window (Snowflake: ROW_NUMBER() OVER (...) and a filter), not a self-join per order
        # column; nulls last, as max() passes over them.
        rank = F.row_number().over(Window.partition_by(list(keys)).order_by([F.col(c).desc_nulls_last() for c in order]))
        return df.with_column(LATEST_RANK, rank).filter(F.col(LATEST_RANK) == F.lit(1)).drop(LATEST_RANK)

    def window(self, df, keys, order, columns) -> DataFrame:
        ordered = Window.partition_by(list(keys)).order_by([F.col(c) for c in order])
        functions = {"previous": F.lag, "next": F.lead, "row_number": lambda _: F.row_number()}
        return df.with_columns(list(columns), [functions[fn](column).over(ordered) for fn, column in columns.values()])

    def reuse(self, df: DataFrame) -> DataFrame:
        return df

    def equal_null(self, left: Column, right: Column, sql_type: str) -> Column:
        # EQUAL_NULL: a tenth of the text of the portable IFF/COALESCE form, once per compared
        # column in every MERGE.
        return F.equal_null(left, right)

    def create_view(self, session: Session, name: str, build: Callable[[], DataFrame]) -> None:
        # COPY GRANTS: a grant made on the view (the Native App's analyst role) survives a refresh.
        build().create_or_replace_view(name, copy_grants=True)

    def count_rows(self, counts: Mapping[str, tuple[DataFrame, Optional[Column]]]) -> dict[str, int]:
        """One SELECT for every count: the counts over one frame (the same SQL) are one
        aggregate of it, COUNT(*) and a COUNT_IF per condition, and the one-row aggregates are
        cross-joined; a statement per count would cost a round trip and a compilation each."""
        if not counts:
            return {}
        passes: dict[str, tuple[DataFrame, dict[str, Optional[Column]]]] = {}
        for name, (frame, condition) in counts.items():
            plan = "\n".join(frame.queries["queries"])
            passes.setdefault(plan, (frame, {}))[1][name] = condition
        columns: dict[str, str] = {}  # count name -> output column
        one_row = None
        for frame, conditions in passes.values():
            aggregates: dict[str, Column] = {}
            every_row = None  # the pass's COUNT(*), shared by its unconditional counts
            for name, condition in conditions.items():
                if condition is None and every_row is not None:
                    columns[name] = every_row
                    continue
                column = columns[name] = f"N{len(columns)}"
                if condition is None:
                    every_row = column
                    aggregates[column] = F.count(F.lit(1))
                else:
                    aggregates[column] = F.call_function("COUNT_IF", condition)
            aggregate = frame.agg([expression.alias(column) for column, expression in aggregates.items()])
            one_row = aggregate if one_row is None else one_row.cross_join(aggregate)
        row = one_row.collect()[0].as_dict()
        return {name: int(row[column]) for name, column in columns.items()}


class TableWriter(Engine, Protocol):

    def append(self, session: Session, table: str, rows: DataFrame) -> int: ...

    def apply_changes(
        self,
        session: Session,
        table: str,
        key: Sequence[str],
        upserts: DataFrame,
        deletes: Optional[DataFrame] = None,
    ) -> WriteResult: ...


class Transaction(Protocol):
    def begin(self, session: Session) -> None: ...

    def commit(self, session: Session) -> None: ...

    def rollback(self, session: Session) -> None: ...


def select_manifest(run_date: str, read: Callable[[str], Optional[dict]], where: str) -> dict:
    """The staging manifest a load of `run_date` loads; `read(name)` returns the manifest
    stored at `name` under the staging root (`where`, for messages), None when there is none.

    The latest manifest when its run was made for `run_date`; else the run date's own
    (`lake.run_date_manifest_name`, written by Job B beside the latest): a retry or backfill of
    an earlier day loads that day's snapshot. A snapshot is never loaded under another day's
    RUN_DATE: with neither, the load fails and says what it found. A latest manifest written
    before Job B recorded run dates (no `run_date`) is loaded whatever the RUN_DATE, as then.
    At most two reads."""
    day = checked_run_date(run_date)
    latest = read(lake.LATEST_MANIFEST)
    if latest is not None and latest.get("run_date", day) == day:
        return latest
    own_name = lake.run_date_manifest_name(day)
    own = read(own_name)
    if own is not None and own.get("run_date") == day:
        return own
    found_latest = (f"{where}/{lake.LATEST_MANIFEST} is run {latest.get('run_id')} made for RUN_DATE "
                    f"{latest.get('run_date')}" if latest is not None else f"{where}/{lake.LATEST_MANIFEST} not found")
    found_own = (f"{where}/{own_name} names RUN_DATE {own.get('run_date')}" if own is not None
                 else f"{where}/{own_name} not found")
    raise StagingError(
        f"staging load for RUN_DATE {day}: {found_latest}, and {found_own}; a snapshot is never loaded "
        f"under another day's RUN_DATE. Run Glue Job B (staging_job) for {day} (a run id beginning "
        f"'{day}_'), then rerun the pipeline"
        + (f", or call it with RUN_DATE {latest.get('run_date')} to load the latest" if latest is not None else "")
    )


def checked_run_date(run_date: str) -> str:
    """`run_date` when it is a YYYY-MM-DD date (it also names a file on the stage)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(run_date)):
            return dt.date.fromisoformat(run_date).isoformat()
    except ValueError:
        pass
    raise StagingError(f"staging load: RUN_DATE {run_date!r} is not a date (YYYY-MM-DD); call the pipeline with one")


def file_names(entry: dict) -> list[str]:
    """Manifest file entries may be bare names or paths under the staging root."""
    return [str(name).rsplit("/", 1)[-1] for name in entry.get("files", [])]


# --- Snowflake side -------------------------------------------------------------------


class SnowflakeStagingReader:
    """`COPY INTO` each staging table from the run's folder on the external stage.

    The manifest names the run folder and its files, so each load replaces the table's
    rows with exactly that run (DELETE, then COPY with FORCE = TRUE). Load metadata is not
    relied on to skip files: a rolled-back run must load the same files again, and loading
    a run twice is harmless because every DW load is idempotent. ON_ERROR = ABORT_STATEMENT:
    a file that does not parse breaks Job B's contract, and loading the rest would silently
    lose records; the run fails and rolls back instead.
    """

    def read_manifest(self, session: Session, run_date: str) -> dict:
        """`select_manifest` over the stage: one statement, two when a later run took the latest."""
        return select_manifest(run_date, lambda name: self.read_stage_json(session, name), stage())

    def read_stage_json(self, session: Session, name: str) -> Optional[dict]:
        """The JSON document at `name` on the stage; None when there is no such file (Snowflake
        answers a query of a missing path with no rows)."""
        rows = session.sql(self.stage_json_query(name)).collect()
        if not rows:
            return None
        value = rows[0][0]
        return json.loads(value) if isinstance(value, str) else dict(value)

    def prepare(self, session: Session, run_date: str) -> None:
        """Nothing: COPY is DML."""

    def stage_json_query(self, name: str) -> str:
        return f"SELECT $1 FROM {stage()}/{name} (FILE_FORMAT => '{manifest_file_format()}')"

    def copy_statements(self, table: str, entry: dict) -> list[str]:
        """One COPY per COPY_FILES_LIMIT files (Snowflake's limit for FILES = (...); Job B
        writes a file per partition)."""
        path = entry["path"].rstrip("/")
        names = file_names(entry)
        return [
            f"COPY INTO {qualified_name(table)} FROM {stage()}/{path}/ "
            f"FILES = ({', '.join(repr(name) for name in names[start:start + COPY_FILES_LIMIT])}) "
            f"FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE) "
            f"MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE ON_ERROR = ABORT_STATEMENT FORCE = TRUE"
            for start in range(0, len(names), COPY_FILES_LIMIT)
        ]

    def load_table(self, session: Session, table: str, entry: dict) -> int:
        session.sql(f"DELETE FROM {qualified_name(table)}").collect()
        if not file_names(entry):
            return 0
        return self.copy_files(session, table, entry)

    def copy_files(self, session: Session, table: str, entry: dict) -> int:
        # A COPY that loads no file answers one row holding only "status".
        return sum(
            int(row.as_dict().get("rows_loaded") or 0)
            for statement in self.copy_statements(table, entry)
            for row in session.sql(statement).collect()
        )


class ExternalTableStagingReader(SnowflakeStagingReader):
    """The staging tables filled from the external tables over the stage
    (contract.EXTERNAL_TABLE_OF_STAGING_TABLE, snowpark/sql/15_external_tables.sql) instead of COPY.

    The manifest is chosen as for COPY. `prepare` refreshes each external table's metadata for
    the manifest's run folder: a refresh is DDL, which commits an open transaction, so it runs
    before BEGIN, and the load reads the manifest it refreshed. `load_table` is then DML only:
    the same DELETE as COPY's, then one INSERT ... SELECT of the external table's typed columns
    where the partition column is the run folder's run id. Unlike COPY, a query of an external
    table skips a file it cannot parse; the manifest's row count (`steps.load_staging`) turns
    that into a failed load.
    """

    def __init__(self):
        self._prepared: "weakref.WeakKeyDictionary[Session, tuple[str, dict]]" = weakref.WeakKeyDictionary()

    def prepare(self, session: Session, run_date: str) -> None:
        try:
            manifest = super().read_manifest(session, run_date)
            refreshes = [self.refresh_statement(table, entry) for table, entry in manifest.get("tables", {}).items()
                         if table in contract.EXTERNAL_TABLE_OF_STAGING_TABLE]
        except StagingError:
            # No snapshot to load: the load meets the same error inside the run, where it is
            # audited in PIPELINE_RUN_LOG, as with COPY.
            return
        for statement in refreshes:
            session.sql(statement).collect()
        self._prepared[session] = (run_date, manifest)

    def read_manifest(self, session: Session, run_date: str) -> dict:
        """The manifest `prepare` refreshed the external tables for (once); else chosen anew."""
        prepared = self._prepared.pop(session, None)
        if prepared is not None and prepared[0] == run_date:
            return prepared[1]
        return super().read_manifest(session, run_date)

    def run_folder(self, table: str, entry: dict) -> str:
        """The run id of the manifest entry's folder, `<dataset>/run_id=<RUN_ID>/` under the
        stage: the only layout the external table over `<dataset>/` partitions by."""
        dataset = next(d for d, t in contract.STAGING_TABLE_OF_DATASET.items() if t == table)
        match = re.fullmatch(rf"{re.escape(dataset)}/{re.escape(contract.STAGING_RUN_FOLDER_PREFIX)}([^/']+)/?",
                             str(entry.get("path", "")))
        if match is None:
            raise StagingError(
                f"staging load: {table}: the manifest's path {entry.get('path')!r} is not "
                f"{dataset}/{contract.STAGING_RUN_FOLDER_PREFIX}<RUN_ID>/, the folders {external_table_name(table)} partitions by; "
                "rerun Job B, or deploy with staging_load copy"
            )
        return match[1]

    def refresh_statement(self, table: str, entry: dict) -> str:
        # The path is relative to the external table's location, the dataset's folder.
        return (f"ALTER EXTERNAL TABLE {external_table_name(table)} "
                f"REFRESH '{contract.STAGING_RUN_FOLDER_PREFIX}{self.run_folder(table, entry)}/'")

    def insert_statement(self, table: str, entry: dict) -> str:
        columns = ", ".join(column_list(table))
        return (f"INSERT INTO {qualified_name(table)} ({columns}) SELECT {columns} FROM {external_table_name(table)} "
                f"WHERE {contract.EXTERNAL_RUN_ID_COLUMN} = '{self.run_folder(table, entry)}'")

    def load_table(self, session: Session, table: str, entry: dict) -> int:
        statement = self.insert_statement(table, entry)
        session.sql(f"DELETE FROM {qualified_name(table)}").collect()
        rows = session.sql(statement).collect()
        return int(rows[0][0]) if rows else 0


def external_table_name(table: str) -> str:
    return f"{database()}.{contract.STAGING_SCHEMA}.{contract.EXTERNAL_TABLE_OF_STAGING_TABLE[table]}"


class ReferenceStagingReader:
    """Native App side: each staging table is replaced with the rows of the consumer table bound
    to its reference, read as `reference('<name>')`.

    `source(session, reference)` returns that table as a DataFrame; tests pass any DataFrame.
    The copy is DELETE + INSERT (DML only, so it stays inside the pipeline's transaction), and
    takes the contract's columns by name, so extra consumer columns are ignored and a missing
    one is an error that names the reference.
    """

    def __init__(self, source: Optional[Callable[[Session, str], DataFrame]] = None):
        self.source = source or (lambda session, reference: session.sql(f"SELECT * FROM reference('{reference}')"))

    def prepare(self, session: Session, run_date: str) -> None:
        """Nothing: the copy is DML."""

    def read_manifest(self, session: Session, run_date: str) -> dict:
        # No "rows": a bound table announces no count, so the load checks none. The bound tables
        # are the consumer's current state: no run date to select.
        return {
            "run_id": REFERENCE_RUN_ID,
            "tables": {table: {"reference": reference} for table, reference in contract.STAGING_REFERENCES.items()},
        }

    def load_table(self, session: Session, table: str, entry: dict) -> int:
        reference = entry["reference"]
        try:
            rows = self.source(session, reference)
            present = {name.strip('"') for name in rows.columns}  # quoted lower-case is another column
        except SnowparkSQLException as exc:
            raise StagingError(
                f"staging load: {table}: reference {reference!r} cannot be read ({exc.message}); bind it "
                f"to a table: CALL <app>.CORE.REGISTER_REFERENCE('{reference}', 'ADD', "
                f"SYSTEM$REFERENCE('TABLE', '<db>.<schema>.<table>', 'PERSISTENT', 'SELECT'))"
            ) from exc
        missing = [name for name in column_list(table) if name not in present]
        if missing:
            raise StagingError(
                f"staging load: {table}: the table bound to reference {reference!r} lacks columns "
                f"{', '.join(missing)}; bind a table with the columns of contract.STAGING_TABLES[{table!r}]"
            )
        target = qualified_name(table)
        session.table(target).delete()
        rows.select(column_list(table)).write.save_as_table(target, mode="append", column_order="name")
        return int(session.table(target).count())


class MergeWriter(SnowparkEngine):
    """One `MERGE` per table write: upsert by key, delete the keys marked for deletion."""

    def append(self, session: Session, table: str, rows: DataFrame) -> int:
        """One insert-only MERGE (ON FALSE), whose result counts the rows: counting first and
        inserting after would evaluate `rows` twice."""
        target = session.table(qualified_name(table))
        columns = column_list(table)
        source = rows.select(columns)
        result = target.merge(source, F.lit(False), [F.when_not_matched().insert({c: source[c] for c in columns})])
        return result.rows_inserted

    def apply_changes(self, session, table, key, upserts, deletes=None) -> WriteResult:
        target = session.table(qualified_name(table))
        columns = column_list(table)
        source = upserts.select(columns)
        clauses = []
        if deletes is not None:
            # Only a write that deletes carries the flag (and its clause): it is text in every MERGE.
            doomed = target.join(deletes.select(list(key)), on=list(key)).select(columns)
            source = source.with_column(DELETE_FLAG, F.lit(False)).union_all_by_name(
                doomed.with_column(DELETE_FLAG, F.lit(True))
            )
            clauses.append(F.when_matched(source[DELETE_FLAG]).delete())
        condition = F.lit(True)
        for name in key:
            condition = condition & (target[name] == source[name])
        result = target.merge(
            source,
            condition,
            [
                *clauses,
                F.when_matched().update({c: source[c] for c in columns if c not in key}),
                F.when_not_matched().insert({c: source[c] for c in columns}),
            ],
        )
        return WriteResult(result.rows_inserted, result.rows_updated, result.rows_deleted)


class SnowflakeTransaction:
    def begin(self, session: Session) -> None:
        session.sql("BEGIN").collect()

    def commit(self, session: Session) -> None:
        session.sql("COMMIT").collect()

    def rollback(self, session: Session) -> None:
        session.sql("ROLLBACK").collect()


# --- choosing a side ------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    staging: StagingReader
    writer: TableWriter
    transaction: Transaction


SNOWFLAKE = Backend(SnowflakeStagingReader(), MergeWriter(), SnowflakeTransaction())
# The Native App's side, chosen at deploy time: the app's setup script names the handlers of
# snowpark/procedures/native_app.py, which register it for their session. Nothing is asked of
# Snowflake at run time (a probe such as SYSTEM$GET_ALL_REFERENCES fails outside an app).
NATIVE_APP = Backend(ReferenceStagingReader(), MergeWriter(), SnowflakeTransaction())
_REGISTERED: "weakref.WeakKeyDictionary[Session, Backend]" = weakref.WeakKeyDictionary()
# snowflake.yml's env staging_load, which the Snowpark project's procedures take as STAGING_LOAD:
# the staging tables are loaded by COPY or from external tables over the same stage.
COPY = "copy"
STAGING_LOADS = {
    COPY: SNOWFLAKE,
    "external_table": Backend(ExternalTableStagingReader(), MergeWriter(), SnowflakeTransaction()),
}


def register_backend(session: Session, backend: Backend) -> Backend:
    """Give `session` another side of every seam (a local-testing session gets the local one,
    `telco360.warehouse.local.backend`, when it is opened)."""
    _REGISTERED[session] = backend
    return backend


def backend_for_staging_load(session: Session, staging_load: str) -> Backend:
    """The side of every seam for a procedure called on `session` with STAGING_LOAD `staging_load`.
    A session with a registered side keeps it (local testing's, opened with it; the Native App's,
    registered by its handlers: the app's procedures take no STAGING_LOAD). Both Snowflake sides
    share the writer and the transaction, so nothing is registered. An unknown value fails
    before any statement."""
    if staging_load not in STAGING_LOADS:
        raise StagingError(
            f"staging load: STAGING_LOAD {staging_load!r} is not one of {', '.join(STAGING_LOADS)}; set "
            "snowflake.yml's env staging_load (or deploy with --env staging_load=...) and redeploy, or call "
            "the procedure with one of them"
        )
    if staging_load == COPY:
        return backend_for(session)
    if session in _REGISTERED:
        raise StagingError(
            f"staging load: STAGING_LOAD {staging_load!r} applies to the Snowpark project's procedures in "
            "Snowflake; this session reads staging through its own side (local testing or the Native App's "
            "references): call it without STAGING_LOAD"
        )
    return STAGING_LOADS[staging_load]


def backend_for(session: Session) -> Backend:
    """The side of every seam for `session`: the one registered for it, else Snowflake's."""
    backend = _REGISTERED.get(session)
    if backend is not None:
        return backend
    from snowflake.snowpark.mock._connection import MockServerConnection

    if isinstance(getattr(session, "_conn", None), MockServerConnection):
        raise RuntimeError("a Snowpark local-testing session without the local backend: open it with "
                           "telco360.warehouse.local.session.local_session() or open_local_warehouse()")
    return SNOWFLAKE


def materialize(frame: DataFrame) -> DataFrame:
    """Compute `frame` once where that pays: local testing re-runs a lazy plan for every
    action and even for schema lookups (joins, `columns`); in Snowflake every statement that
    reuses a lazy plan inlines it again. Both sides cache it (a Snowpark temporary table in
    Snowflake, which does not commit the open transaction). The choice is the writer seam's."""
    return backend_for(frame.session).writer.materialize(frame)


def aggregate(frame: DataFrame, keys, aggregations: dict[str, tuple[str, str]]) -> DataFrame:
    """`frame.group_by(keys).agg(...)` through the writer seam's engine (see
    `Engine.aggregate` for the forms): a plain group_by in Snowflake;
    in local testing one pandas pass instead of the emulator's ~6 ms per group."""
    return backend_for(frame.session).writer.aggregate(frame, list(keys), aggregations)


def count_rows(session: Session, counts: Mapping[str, tuple[DataFrame, Optional[Column]]]) -> dict[str, int]:
    """For each name, the rows of a frame meeting a condition (every row when None), through
    the writer seam's engine: one SELECT in Snowflake, frame by frame in local testing."""
    return backend_for(session).writer.count_rows(counts)


def join(left: DataFrame, right: DataFrame, keys, how: str = "inner") -> DataFrame:
    """`left.join(right, on=keys, how=how)` through the writer seam's engine (see
    `Engine.join`): a plain join in Snowflake, one pandas merge in local testing (whose own
    join cannot plan a timestamp key on an empty side)."""
    return backend_for(left.session).writer.join(left, right, list(keys), how)


def distinct(frame: DataFrame) -> DataFrame:
    """`frame.distinct()` through the writer seam's engine: Snowpark's DISTINCT is a GROUP BY,
    which local testing evaluates one group at a time (4.2 s for the ids of 40k facts)."""
    return backend_for(frame.session).writer.distinct(frame, frame.columns)
