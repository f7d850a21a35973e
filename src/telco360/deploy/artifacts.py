"""What each deployable artifact carries of the telco360 package, as folder lists.

Every artifact gets the root modules (contract, lake, logs: standard library only) and the
folders of its own stage, nothing else: the Lambda zip the validator, the Glue package the
Spark jobs, the Snowflake `src.zip` the warehouse and analytics code without its local-only
part. `tests/test_layers.py` keeps each stage's imports inside what its artifact carries.

`python -m telco360.deploy.artifacts snowflake src.zip` narrows the `src.zip` that
`snow snowpark build` made from all of `src/` (snowflake-cli zips a folder whole) to the
Snowflake list, in place; `c360 deploy snowflake` runs it between build and deploy.
"""
from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path, PurePosixPath

PACKAGE = "telco360"
# Root modules that belong to no artifact: the local command line.
LOCAL_ROOT_MODULES = ("cli.py",)
ARTIFACT_FOLDERS = {
    "lambda": ("validator",),
    "glue": ("spark",),
    "snowflake": ("warehouse", "analytics"),
}
# Parts of an artifact's folders that stay local: the Snowpark local-testing stand-ins and the
# HTML run report.
LOCAL_ONLY = ("warehouse/local/", "analytics/report.py", "analytics/charts.py")


def ships(artifact: str, package_path: PurePosixPath) -> bool:
    """Whether the file at `package_path` (relative to the package folder) belongs in `artifact`."""
    parts = package_path.parts
    if len(parts) == 1:
        return parts[0] not in LOCAL_ROOT_MODULES
    if str(package_path).startswith(LOCAL_ONLY):
        return False
    return parts[0] in ARTIFACT_FOLDERS[artifact]


def package_files(package_dir: Path, artifact: str, suffixes: tuple[str, ...] = (".py",)) -> dict[str, Path]:
    """Archive name (`telco360/...`) -> file, for every file of `artifact` under `package_dir`."""
    files = {}
    for path in sorted(package_dir.rglob("*")):
        relative = PurePosixPath(path.relative_to(package_dir).as_posix())
        if path.is_file() and path.suffix in suffixes and "__pycache__" not in relative.parts and ships(artifact, relative):
            files[f"{PACKAGE}/{relative}"] = path
    return files


def narrow_zip(zip_path: Path, artifact: str) -> list[str]:
    """Rewrite `zip_path` keeping only the package files of `artifact`; returns what it kept."""
    scratch = zip_path.with_suffix(".narrowing")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as target:
        kept = []
        for info in source.infolist():
            name = PurePosixPath(info.filename)
            if info.is_dir() or name.parts[0] != PACKAGE or not ships(artifact, PurePosixPath(*name.parts[1:])):
                continue
            target.writestr(info, source.read(info))
            kept.append(info.filename)
    os.replace(scratch, zip_path)
    return kept


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ARTIFACT_FOLDERS:
        print(f"usage: python -m telco360.deploy.artifacts {{{'|'.join(ARTIFACT_FOLDERS)}}} ZIP", file=sys.stderr)
        return 2
    kept = narrow_zip(Path(argv[1]), argv[0])
    print(f"{argv[1]}: {len(kept)} files of the {argv[0]} artifact kept")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
