"""The executing Snowflake backend of the tests: fakesnow (DuckDB-backed Snowflake, pinned in
pyproject.toml) in server mode, a real Snowpark session over its connection, the DDL of
snowpark/sql/20_tables.sql rendered with snowflake.yml's env, and the product's Snowflake
side of every seam (MergeWriter, SnowflakeTransaction, the staging reader's DELETE).

fakesnow's gaps are shimmed here and only here, one line each, on the statement text the
Snowpark session sends (the statement log keeps the text as Snowflake would receive it).
What fakesnow cannot run at all (COPY from an S3 stage, a file read from a stage) is
replaced by `InsertStagingReader`, which reads the stage's files from the lake folder and
fills the staging tables by INSERT; which manifest a RUN_DATE loads is the product's choice.
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from snowflake.snowpark import Session

from telco360.warehouse import seams
from telco360.warehouse.tables import ALL_TABLES, qualified_name

if TYPE_CHECKING:
    from snowflake.connector import SnowflakeConnection

REPO = Path(__file__).resolve().parents[2]
TABLES_SQL = REPO / "snowpark" / "sql" / "20_tables.sql"
# Statements of 20_tables.sql that need an account (fakesnow has no roles or grants).
ACCOUNT_ONLY = ("USE ROLE", "GRANT ")


def _merge_source_alias(sql: str) -> str:
    """`MERGE INTO t USING (subquery) ON` -> `USING (subquery) AS _SRC ON`: fakesnow needs
    the alias Snowpark omits; the subquery is found by balancing its parentheses."""
    start = sql.find("USING (")
    if not sql.lstrip().upper().startswith("MERGE") or start < 0:
        return sql
    depth, i = 0, start + len("USING ")
    for i in range(start + len("USING "), len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        if depth == 0:
            break
    return f"{sql[: i + 1]} AS _SRC{sql[i + 1:]}"


def _date_trunc_of_date(sql: str) -> str:
    """`date_trunc('MONTH', to_date(x))` -> `CAST(date_trunc('MONTH', to_date(x)) AS DATE)`:
    Snowflake keeps a DATE a DATE, DuckDB returns a TIMESTAMP; the call is found by
    balancing its parentheses."""
    out, at = [], 0
    for match in re.finditer(r"(?i)\bdate_trunc\(\s*'[a-z]+'\s*,\s*to_date\(", sql):
        if match.start() < at:
            continue
        depth, end = 0, match.start()
        for end in range(match.start() + len("date_trunc"), len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                break
        out.append(f"{sql[at:match.start()]}CAST({sql[match.start():end + 1]} AS DATE)")
        at = end + 1
    return "".join(out) + sql[at:]


def _count_if_of_no_rows_is_zero(sql: str) -> str:
    """`COUNT_IF(x)` -> `COALESCE(COUNT_IF(x), 0)`: DuckDB answers NULL over no rows, Snowflake 0;
    each call's end is found by balancing its parentheses."""
    start = sql.upper().rfind("COUNT_IF(")
    while start >= 0:
        depth = 0
        for end in range(start + len("COUNT_IF"), len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                break
        sql = f"{sql[:start]}COALESCE({sql[start:end + 1]}, 0){sql[end + 1:]}"
        start = sql.upper().rfind("COUNT_IF(", 0, start)
    return sql


# One line each: (what fakesnow lacks, the rewrite of a statement's text).
SHIMS = (
    # `$n` over `FROM VALUES`: DuckDB reads `$n` as a bind parameter; VALUES names its columns COLUMNn.
    ("$n over VALUES", lambda sql: re.sub(r"\$(\d+)\b", r'"COLUMN\1"', sql) if re.search(r"FROM\s+VALUES", sql) else sql),
    ("MERGE source without alias", _merge_source_alias),
    ("COUNT_IF over no rows", _count_if_of_no_rows_is_zero),
    # A statement that begins `(SELECT ...) UNION ALL (...)` does not parse: select from it.
    ("leading parenthesized set operation", lambda sql: f"SELECT * FROM ({sql})" if sql.lstrip().startswith("(") else sql),
    ("date_trunc on a DATE returns TIMESTAMP", _date_trunc_of_date),
    # Snowpark's cache_result table: DuckDB knows neither SCOPED nor a TEMPORARY table in a named database.
    ("CREATE SCOPED TEMPORARY TABLE", lambda sql: re.sub(r"^\s*CREATE\s+SCOPED\s+TEMPORARY\s+TABLE", "CREATE TABLE", sql, flags=re.I)),
    # A MERGE inside BEGIN fails (fakesnow's MERGE writes a second database): the transaction
    # statements do not run; tests check what runs between them from the statement log.
    ("MERGE in a transaction", lambda sql: "SELECT 'fakesnow: no transaction'" if sql.strip().upper() in ("BEGIN", "COMMIT", "ROLLBACK") else sql),
    # External tables are not emulated: a refresh is logged, not run (tests stand a view in for the table).
    ("ALTER EXTERNAL TABLE", lambda sql: "SELECT 'fakesnow: no external tables'" if re.match(r"\s*ALTER\s+EXTERNAL\s+TABLE", sql, re.I) else sql),
    # Session.close() cancels the session's queries with a system function fakesnow lacks.
    ("SYSTEM$CANCEL_ALL_QUERIES", lambda sql: re.sub(r"(?i)system\$cancel_all_queries\([^)]*\)", "1", sql)),
)


def shimmed(sql: str) -> str:
    for _, rewrite in SHIMS:
        sql = rewrite(sql)
    return sql


def _timestamps_keep_nulls(convert):
    """fakesnow sends a NULL timestamp in a result as 1970-01-01 (its epoch/fraction struct
    has no null mask): the same struct with the column's nulls."""
    import pyarrow as pa

    def converted(ts):
        struct = convert(ts)
        ts = ts.combine_chunks() if isinstance(ts, pa.ChunkedArray) else ts
        return pa.StructArray.from_arrays(struct.flatten(), fields=list(struct.type), mask=ts.is_null())

    return converted


@dataclass
class Statement:
    text: str  # as the session sent it, before the shims
    describe_only: bool
    seconds: float


# The statement log: every statement sent while `shims_installed` is active, in order.
STATEMENT_LOG: list[Statement] = []


@contextlib.contextmanager
def statement_log() -> Iterator[list[Statement]]:
    """The statements sent inside the `with` block."""
    start = len(STATEMENT_LOG)
    logged: list[Statement] = []
    try:
        yield logged
    finally:
        logged.extend(STATEMENT_LOG[start:])


@contextlib.contextmanager
def shims_installed() -> Iterator[None]:
    """Every statement the connector sends (executed or only described) passes the shims
    and is logged."""
    import fakesnow.arrow
    from snowflake.connector.cursor import SnowflakeCursor

    original = SnowflakeCursor.execute
    original_timestamps = fakesnow.arrow.timestamp_to_sf_struct
    fakesnow.arrow.timestamp_to_sf_struct = _timestamps_keep_nulls(original_timestamps)

    def execute(self, command, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, shimmed(command), *args, **kwargs)
        finally:
            STATEMENT_LOG.append(Statement(command, bool(kwargs.get("_describe_only")), time.perf_counter() - started))

    SnowflakeCursor.execute = execute
    try:
        yield
    finally:
        SnowflakeCursor.execute = original
        fakesnow.arrow.timestamp_to_sf_struct = original_timestamps


def ddl_statements(env: dict[str, str]) -> list[str]:
    """20_tables.sql rendered like `snow sql -f` with snowflake.yml's env plus `env`."""
    from snowflake.connector.util_text import split_statements

    from telco360.deploy.snowflake import load_project, render_sql

    sql = render_sql(load_project(REPO, env), TABLES_SQL, {})
    statements = [s for s, _ in split_statements(io.StringIO(sql), remove_comments=True)]
    return [s for s in statements if not s.upper().startswith(ACCOUNT_ONLY)]


class InsertStagingReader(seams.SnowflakeStagingReader):
    """The Snowflake staging reader (its manifest choice and DELETE included) with a file read
    from the stage replaced by a read from `staging_dir`, and COPY by an INSERT of the same Parquet files, read from a local lake's staging/, straight into
    fakesnow's DuckDB (fakesnow has no S3 stage; SQL VALUES of 100k rows would take minutes).
    `sent_copies` and `sent_stage_reads` keep the COPY and stage-read texts Snowflake would have
    received, for the statement log."""

    def __init__(self, staging_dir: Path):
        self.staging_dir = Path(staging_dir)
        self.sent_copies: list[str] = []
        self.sent_stage_reads: list[str] = []

    def read_stage_json(self, session: Session, name: str) -> dict | None:
        self.sent_stage_reads.append(self.stage_json_query(name))
        path = self.staging_dir / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def copy_files(self, session: Session, table: str, entry: dict) -> int:
        import fakesnow.server

        from telco360.warehouse.local.arrow import read_parquet_files

        self.sent_copies.extend(self.copy_statements(table, entry))
        data = read_parquet_files([self.staging_dir / entry["path"] / n for n in seams.file_names(entry)], table)
        with fakesnow.server.shared_fs.duck_conn.cursor() as duck:
            duck.register("staged_batch", data)
            duck.execute(f"INSERT INTO {qualified_name(table)} BY NAME SELECT * FROM staged_batch")
        return data.num_rows


def fakesnow_backend(staging_dir: Path) -> seams.Backend:
    return seams.Backend(InsertStagingReader(staging_dir), seams.MergeWriter(), seams.SnowflakeTransaction())


# The running server's connection arguments (set inside `fakesnow_session`).
SERVER: dict = {}


@contextlib.contextmanager
def fakesnow_session(env: dict[str, str] | None = None) -> Iterator[Session]:
    """A fakesnow server (its own thread) and a Snowpark session over it, in a warehouse
    created by the DDL for `env` (snowflake.yml's env with these overrides)."""
    import fakesnow

    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "fakesnow"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with fakesnow.server() as connection_args, shims_installed():
        SERVER.update(connection_args)
        session = warehouse_session(env or {})
        try:
            yield session
        finally:
            session.close()
            SERVER.clear()


def connect() -> SnowflakeConnection:
    """A connector connection to the running server (inside `fakesnow_session`).

    fakesnow's own network_timeout (1 s) is its way to fail fast (no retries); a slow
    statement needs the socket to wait longer. Its login returns no master token, without
    which the connector's close() cannot delete the session and returns before it marks
    itself closed: Snowpark's exit hook would then cancel queries on the stopped server (a
    thread traceback after the test run). The session token serves as the master token.
    """
    import snowflake.connector

    connection = snowflake.connector.connect(**{**SERVER, "socket_timeout": 600})
    connection.rest.update_tokens(connection.rest.token, master_token=connection.rest.token)
    return connection


def warehouse_session(env: dict[str, str]) -> Session:
    """A new Snowpark session on the running server, its warehouse created by the DDL for
    `env`, its current schema the DW schema (where the procedures of that env run)."""
    session = Session.builder.configs({"connection": connect()}).create()
    project_env = {"database": "TELCO_DB", "staging_schema": "STAGING", "dw_schema": "DW", **env}
    database = project_env["database"]
    session.sql(f"CREATE DATABASE IF NOT EXISTS {database}").collect()
    for schema in (project_env["staging_schema"], project_env["dw_schema"]):
        session.sql(f"CREATE SCHEMA IF NOT EXISTS {database}.{schema}").collect()
    for statement in ddl_statements(env):
        session.sql(statement).collect()
    session.sql(f"USE SCHEMA {database}.{project_env['dw_schema']}").collect()
    return session


def empty_tables(session: Session) -> None:
    """Every table of the DDL emptied (a fresh warehouse without re-running the DDL)."""
    for table in ALL_TABLES:
        session.sql(f"DELETE FROM {qualified_name(table)}").collect()
