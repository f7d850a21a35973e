"""`c360 export`: every warehouse table as Parquet, `OUT/<SCHEMA>/<TABLE>.parquet`.

DW tables come from the local warehouse's saved state; STAGING tables (transient, reloaded by
every run) from the staging snapshot the last successful pipeline run loaded, read the way
SP_LOAD_STAGING reads it. Columns are the contract's upper-case names and types; timestamps
are microsecond UTC without a zone (TIMESTAMP_NTZ), so 9999-12-31 survives.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from telco360 import contract
from telco360.lake import manifest_key


class ExportError(RuntimeError):
    """Nothing to export; the message says what to run first."""


def export_warehouse(lake_dir: Path | str, out_dir: Path | str) -> dict:
    """Write every table; returns {"<SCHEMA>.<TABLE>": rows}."""
    from telco360.warehouse.local.session import PERSISTED_TABLES, WAREHOUSE_DIR, read_saved_table
    from telco360.warehouse.local.arrow import arrow_schema, read_parquet_files
    from telco360.warehouse.tables import ALL_TABLES, schema_of

    lake, out = Path(lake_dir), Path(out_dir)
    warehouse = lake / WAREHOUSE_DIR
    if not warehouse.is_dir():
        raise ExportError(f"c360 export: {lake} has no warehouse yet ({warehouse} is missing); run `c360 run --lake {lake}` first")
    tables: dict[str, pa.Table] = {}
    for table in PERSISTED_TABLES:
        saved = read_saved_table(lake, table)
        tables[table] = arrow_schema(table).empty_table() if saved is None else saved
    staging_entries = loaded_staging_manifest(lake, tables.get("PIPELINE_RUN_LOG")).get("tables", {})
    staging_dir = lake / contract.STAGING
    for table in contract.STAGING_TABLE_OF_DATASET.values():
        entry = staging_entries.get(table)
        paths = [staging_dir / entry["path"] / name for name in entry.get("files", [])] if entry else []
        tables[table] = read_parquet_files(paths, table)
    written = {}
    for table in ALL_TABLES:
        if table not in tables:
            continue
        target = out / schema_of(table) / f"{table}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_suffix(".parquet.tmp")
        pq.write_table(tables[table], scratch)
        scratch.replace(target)
        written[f"{schema_of(table)}.{table}"] = tables[table].num_rows
    return written


def loaded_staging_manifest(lake: Path, run_log: pa.Table | None) -> dict:
    """The manifest of the staging run the latest successful pipeline run loaded ({} if none)."""
    if run_log is None or run_log.num_rows == 0:
        return {}
    succeeded = [r for r in run_log.to_pylist() if r["STEP"] == "PIPELINE" and r["STATUS"] == "SUCCEEDED"]
    if not succeeded:
        return {}
    latest = max(succeeded, key=lambda r: r["FINISHED_AT"])
    path = lake / manifest_key(contract.STAGING, latest['STAGING_RUN_ID'])
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
