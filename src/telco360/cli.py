"""The `c360` console command: one subcommand per module in `telco360.commands`."""
from __future__ import annotations

import argparse
import importlib
import sys

# Each module defines register(subparsers); the parser it adds sets `func(args) -> int`.
COMMAND_MODULES = (
    "telco360.commands.validate",
    "telco360.commands.glue",
    "telco360.commands.deploy",
    "telco360.commands.generate",
    "telco360.commands.check",
    "telco360.commands.report",
    "telco360.commands.run",
    "telco360.commands.export",
    "telco360.commands.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="c360", description="Telco Customer 360 pipeline: local runs, data generation, deploys."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
