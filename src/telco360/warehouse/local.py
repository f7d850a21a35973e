"""The embedded warehouse: a Snowpark local-testing session whose tables persist in the lake
folder as `<lake>/_warehouse/<SCHEMA>/<TABLE>.parquet`, so daily local runs build on each
other. Saving is atomic: the new state is written to a temporary folder that then replaces
`_warehouse/`, so a failed run (never saved) or a crash mid-save leaves the previous state.
"""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pyarrow.parquet as pq
from snowflake.snowpark import Session

from telco360 import contract
from telco360.warehouse import compat
from telco360.warehouse.local_tables import arrow_schema, read_arrow_table, write_arrow_table
from telco360.warehouse.seams import register_local_backend
from telco360.warehouse.tables import ALL_TABLES, schema_of

WAREHOUSE_DIR = "_warehouse"
PREVIOUS_DIR = "_warehouse.previous"
# Staging tables are transient (reloaded by every run): only DW tables persist.
PERSISTED_TABLES = tuple(t for t in ALL_TABLES if schema_of(t) == contract.DW_SCHEMA)


def table_path(warehouse_dir: Path, table: str) -> Path:
    return warehouse_dir / schema_of(table) / f"{table}.parquet"


def local_session() -> Session:
    """A Snowpark local-testing session, with the emulator fixes of `compat` installed."""
    compat.install()
    return Session.builder.config("local_testing", True).create()


def open_local_warehouse(lake_dir) -> Session:
    """A local-testing session with every warehouse table: DW tables restored from
    `<lake>/_warehouse/` (empty when absent), staging tables empty, and the staging seam
    reading `<lake>/staging/`."""
    lake = Path(lake_dir)
    warehouse = _current_warehouse_dir(lake)
    session = local_session()
    for table in ALL_TABLES:
        path = table_path(warehouse, table)
        if table in PERSISTED_TABLES and path.is_file():
            data = pq.read_table(path, schema=arrow_schema(table))
        else:
            data = arrow_schema(table).empty_table()
        write_arrow_table(session, table, data)
    register_local_backend(session, lake / contract.STAGING)
    return session


def save_local_warehouse(session: Session, lake_dir) -> Path:
    """Write every DW table to `<lake>/_warehouse/` atomically; returns that folder."""
    lake = Path(lake_dir)
    target = lake / WAREHOUSE_DIR
    scratch = lake / f"{WAREHOUSE_DIR}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        for table in PERSISTED_TABLES:
            path = table_path(scratch, table)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(read_arrow_table(session, table), path)
        previous = lake / PREVIOUS_DIR
        if previous.exists():
            shutil.rmtree(previous)
        if target.exists():
            target.rename(previous)
        scratch.rename(target)
        if previous.exists():
            shutil.rmtree(previous)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch)
    return target


def _current_warehouse_dir(lake: Path) -> Path:
    """`_warehouse/`, or the previous state if a save stopped between its two renames."""
    target = lake / WAREHOUSE_DIR
    previous = lake / PREVIOUS_DIR
    return previous if not target.exists() and previous.exists() else target
