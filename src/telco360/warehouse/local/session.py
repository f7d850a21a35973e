"""The embedded warehouse: a Snowpark local-testing session whose tables persist in the lake
folder as `<lake>/_warehouse/<SCHEMA>/<TABLE>.parquet`, so daily local runs build on each
other. Saving is atomic: the new state is written to a temporary folder that then replaces
`_warehouse/`, so a failed run (never saved) or a crash mid-save leaves the previous state.
The state before the last save stays in `_warehouse.previous/`. Every saved file's SHA-256 is
kept in `_warehouse/_checksums.json` and checked when it is read: a damaged file stops the
run with its name and the way back, never loads as data.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from pathlib import Path
from typing import Optional

import pyarrow as pa
import pyarrow.parquet as pq
from snowflake.snowpark import Session

from telco360 import contract
from telco360 import lake as lake_layout
from telco360.warehouse.local import compat
from telco360.warehouse.local.arrow import arrow_schema, read_arrow_table, release_temporary_tables, write_arrow_table
from telco360.warehouse.local.backend import register_local_backend
from telco360.warehouse.tables import ALL_TABLES, schema_of

WAREHOUSE_DIR = lake_layout.WAREHOUSE
PREVIOUS_DIR = lake_layout.PREVIOUS_WAREHOUSE
# Staging tables are transient (reloaded by every run): only DW tables persist.
PERSISTED_TABLES = tuple(t for t in ALL_TABLES if schema_of(t) == contract.DW_SCHEMA)


class WarehouseStateError(RuntimeError):
    """A saved warehouse file is damaged or unreadable; the message names it and the way back."""


def table_path(warehouse_dir: Path, table: str) -> Path:
    return warehouse_dir / schema_of(table) / f"{table}.parquet"


def local_session() -> Session:
    """A Snowpark local-testing session, with the emulator fixes of `compat` installed, whose
    temporary tables leave memory once unread and whose tables all do when it closes."""
    compat.install()
    session = Session.builder.config("local_testing", True).create()
    release_temporary_tables(session)
    register_local_backend(session, None)
    return session


def read_saved_table(lake_dir, table: str) -> Optional[pa.Table]:
    """A persisted DW table as saved (contract schema), checked against its checksum; None
    when no save holds it. Raises WarehouseStateError for a damaged or unreadable file."""
    lake = Path(lake_dir)
    warehouse = _current_warehouse_dir(lake)
    path = table_path(warehouse, table)
    if not path.is_file():
        return None
    checksums = _saved_checksums(lake, warehouse)
    if checksums is not None:
        expected = checksums.get(path.relative_to(warehouse).as_posix())
        actual = _sha256(path)
        if expected != actual:
            found = (f"its SHA-256 {actual[:12]}... differs from the {expected[:12]}... saved with it" if expected
                     else f"{lake_layout.WAREHOUSE_CHECKSUMS} has no checksum for it")
            raise WarehouseStateError(_damaged(lake, path, found))
    try:
        return pq.read_table(path, schema=arrow_schema(table))
    except (pa.ArrowException, OSError) as error:
        raise WarehouseStateError(_damaged(lake, path, f"it cannot be read ({error})")) from None


def _damaged(lake: Path, path: Path, found: str) -> str:
    return (
        f"saved warehouse file {path} is damaged: {found}. Nothing was loaded from it. Either restore "
        f"the state saved before it (move {lake / WAREHOUSE_DIR} aside and rename {lake / PREVIOUS_DIR} "
        f"to {WAREHOUSE_DIR}, if it is there), or rebuild from the lake (move {lake / WAREHOUSE_DIR} "
        f"aside); then run `c360 run` again: it first loads every staging snapshot Job B committed "
        f"that the warehouse lacks"
    )


def _saved_checksums(lake: Path, warehouse: Path) -> Optional[dict]:
    """{file relative to the warehouse folder: SHA-256}; None for a save made before checksums."""
    path = warehouse / lake_layout.WAREHOUSE_CHECKSUMS
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise WarehouseStateError(_damaged(lake, path, f"it is not JSON ({error})")) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_local_warehouse(lake_dir) -> Session:
    """A local-testing session with every warehouse table: DW tables restored from
    `<lake>/_warehouse/` (empty when absent), staging tables empty, and the staging seam
    reading `<lake>/staging/`."""
    lake = Path(lake_dir)
    saved = {table: read_saved_table(lake, table) for table in PERSISTED_TABLES}
    session = local_session()
    for table in ALL_TABLES:
        data = saved.get(table)
        write_arrow_table(session, table, arrow_schema(table).empty_table() if data is None else data)
    register_local_backend(session, lake / contract.STAGING)
    return session


def save_local_warehouse(session: Session, lake_dir) -> Path:
    """Write every DW table and their checksums to `<lake>/_warehouse/` atomically; the state
    it replaces becomes `_warehouse.previous/`. Returns the new folder."""
    lake = Path(lake_dir)
    target = lake / WAREHOUSE_DIR
    scratch = lake / f"{lake_layout.WAREHOUSE_SCRATCH_PREFIX}{uuid.uuid4().hex[:8]}"
    try:
        checksums = {}
        for table in PERSISTED_TABLES:
            path = table_path(scratch, table)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(read_arrow_table(session, table), path)
            checksums[path.relative_to(scratch).as_posix()] = _sha256(path)
        (scratch / lake_layout.WAREHOUSE_CHECKSUMS).write_text(json.dumps(checksums, indent=2, sort_keys=True))
        previous = lake / PREVIOUS_DIR
        if target.exists():
            if previous.exists():
                shutil.rmtree(previous)
            target.rename(previous)
        scratch.rename(target)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch)
    return target


def _current_warehouse_dir(lake: Path) -> Path:
    """`_warehouse/`, or the previous state if a save stopped between its two renames."""
    target = lake / WAREHOUSE_DIR
    previous = lake / PREVIOUS_DIR
    return previous if not target.exists() and previous.exists() else target
