"""Loading the procedure handler modules of `snowpark/procedures/` for local use.

In Snowflake the handlers are top-level modules of the procedure artifact (`load_staging`,
`run_pipeline`, ...). Locally (editable install of this repository) the folder is not a
package, so this imports a handler module from its file."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PROCEDURES_DIR = Path(__file__).resolve().parents[3] / "snowpark" / "procedures"
HANDLERS = {
    "SP_LOAD_STAGING": ("load_staging", "sp_load_staging"),
    "SP_LOAD_DIM_PLAN": ("load_dim_plan", "sp_load_dim_plan"),
    "SP_LOAD_DIM_CUSTOMER": ("load_dim_customer", "sp_load_dim_customer"),
    "SP_LOAD_FACT_ACTIVITY": ("load_fact_activity", "sp_load_fact_activity"),
    "SP_RUN_CUSTOMER360_PIPELINE": ("run_pipeline", "sp_run_customer360_pipeline"),
}


def load_procedure_module(module_name: str) -> ModuleType:
    qualified = f"telco360_procedures.{module_name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    path = PROCEDURES_DIR / f"{module_name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no procedure handler {path}; is this an editable install of the repository?")
    spec = importlib.util.spec_from_file_location(qualified, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


def load_procedure(name: str):
    """The handler `(session, run_date) -> str` of a procedure, by its Snowflake name
    (`SP_RUN_CUSTOMER360_PIPELINE`) or module name (`run_pipeline`)."""
    module_name, function = HANDLERS.get(name.upper(), (name, None))
    module = load_procedure_module(module_name)
    if function is None:
        function = {m: f for m, f in HANDLERS.values()}[module_name]
    return getattr(module, function)
