"""The package's layers only point down: every `telco360` import, at module level or inside a
function, of every module and deployable entry point is checked against `MAY_IMPORT`."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "telco360"

# The root modules are standard library only; a stage package sees the root and itself; the
# runner wires the stages; the commands and the CLI sit on top.
ROOT = {"telco360", "telco360.contract", "telco360.lake", "telco360.logs"}
STAGES = ("validator", "spark", "generator", "warehouse")
MAY_IMPORT: dict[str, set[str]] = {
    "root": ROOT,
    **{stage: ROOT | {stage} for stage in STAGES},
    "analytics": ROOT | {"warehouse", "analytics"},
    "deploy": ROOT | {"deploy"},
    "runner": ROOT | {*STAGES, "analytics", "deploy", "runner"},
    "commands": ROOT | {*STAGES, "analytics", "deploy", "runner", "commands"},
    "cli": ROOT | {"commands"},
    # The deployable entry points: each ships with only its own stage.
    "lambda": ROOT | {"validator"},
    "glue": ROOT | {"spark"},
    "procedures": ROOT | {"warehouse", "analytics"},
}
ENTRY_POINTS = {"lambda": REPO / "lambda", "glue": REPO / "glue", "procedures": REPO / "snowpark" / "procedures"}


def layer_of_module(name: str) -> str:
    if name in ROOT:
        return "root"
    return name.split(".")[1]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "telco360")
    return {n for n in names if n == "telco360" or n.startswith("telco360.")}


def allowed(importer_layer: str, module: str) -> bool:
    permitted = MAY_IMPORT[importer_layer]
    return module in ROOT & permitted or layer_of_module(module) in permitted


def package_modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(p for p in parts if p != "__init__") if parts[-1] == "__init__" else ".".join(parts)] = path
    return modules


SOURCES = [(layer_of_module(name), path) for name, path in package_modules().items()] + [
    (layer, path) for layer, folder in ENTRY_POINTS.items() for path in sorted(folder.rglob("*.py"))]


def test_every_package_module_belongs_to_a_known_layer():
    assert {layer for layer, _ in SOURCES} <= set(MAY_IMPORT)


@pytest.mark.parametrize("layer, path", SOURCES, ids=[str(p.relative_to(REPO)) for _, p in SOURCES])
def test_imports_point_down(layer, path):
    wrong = sorted(m for m in imported_modules(path) if not allowed(layer, m))
    assert not wrong, f"{path.relative_to(REPO)} ({layer}) imports {wrong}"


def test_the_check_catches_an_import_pointing_up(tmp_path):
    module = tmp_path / "up.py"
    module.write_text("def f():\n    from telco360.runner.day_run import run_lake_day\n")
    assert not allowed("warehouse", next(iter(imported_modules(module))))
