"""Every `snow` command the README and docs show works as a user types it, in a copy of the
project with no Snowflake connection configured: the offline ones succeed (a plain
`snow snowpark build` would resolve pyproject.toml's whole toolchain through a connection;
the docs say `--skip-dependencies`); the others need an account, so each of their commands'
`--help` is asked once and must list every option the docs give it."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from deploy_helpers import copy_snowflake_project

DOCUMENTS = ("README.md", "docs/*.md", "app/README.md")
# Runs without an account; in this order (the bundle packs what the build made).
OFFLINE = ("snow snowpark build", "snow app bundle", "snow --help")
# Mentions of a family of commands, not commands.
FAMILIES = {"snow", "snow app", "snow app …", "snow sql -f snowpark/sql/…"}
# Asks its questions on the terminal.
INTERACTIVE = {"snow connection add"}


def documented_commands(repo_root: Path) -> dict[str, str]:
    """Each `snow …` command of the documents (inline code, and lines of code blocks without
    their comments; `;` separates commands) -> the first document showing it."""
    commands: dict[str, str] = {}
    for pattern in DOCUMENTS:
        for path in sorted(repo_root.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            blocks = re.findall(r"```[^\n]*\n(.*?)```", text, re.S)
            spans = re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
            candidates = [line.split("#", 1)[0] for block in blocks for line in block.splitlines()] + spans
            for candidate in candidates:
                for part in " ".join(candidate.split()).split(";"):
                    command = part.strip()
                    if command.split(" ", 1)[0] == "snow" and command not in FAMILIES | INTERACTIVE:
                        commands.setdefault(command, str(path.relative_to(repo_root)))
    return commands


def run(arguments: list[str], project: Path, env: dict) -> subprocess.CompletedProcess:
    snow = str(Path(sys.executable).with_name("snow"))
    return subprocess.run([snow, *arguments], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def command_path(command: str) -> tuple[str, ...]:
    """`snow app run --version V1` -> ("app", "run"): the words before the first option (a
    positional such as `set default` stays: `--help` after it still asks `set`'s help)."""
    words = command.split()[1:]
    return tuple(w for w in words[: next((i for i, w in enumerate(words) if w.startswith("-")), len(words))])


def options(command: str) -> set[str]:
    return {w.split("=", 1)[0] for w in command.split() if w.startswith("-")}


@pytest.fixture(scope="module")
def project_env(tmp_path_factory, repo_root) -> tuple[Path, dict]:
    project = copy_snowflake_project(tmp_path_factory.mktemp("documented"), repo_root, "snowpark/sql", "app")
    return project, {**os.environ, "SNOWFLAKE_HOME": str(tmp_path_factory.mktemp("snowflake_home"))}


@pytest.fixture(scope="module")
def commands(repo_root) -> dict[str, str]:
    return documented_commands(repo_root)


def test_docs_show_the_project_build_and_bundle_commands(commands):
    assert {"snow snowpark build --skip-dependencies", "snow app bundle"} <= set(commands)


def test_offline_commands_succeed_as_typed_without_a_connection(commands, project_env):
    offline = sorted((c for c in commands if c.startswith(OFFLINE)),
                     key=lambda c: next(i for i, prefix in enumerate(OFFLINE) if c.startswith(prefix)))
    failed = {}
    for command in offline:
        completed = run(command.split()[1:], *project_env)
        if completed.returncode:
            failed[command] = f"{commands[command]}: {completed.stdout[-500:]}{completed.stderr[-500:]}"
    assert failed == {}


def test_commands_needing_an_account_exist_with_every_option_the_docs_give(commands, project_env):
    online = [c for c in commands if not c.startswith(OFFLINE)]
    wanted: dict[tuple[str, ...], set[str]] = {}
    for command in online:
        wanted.setdefault(command_path(command), set()).update(options(command))
    with ThreadPoolExecutor(max_workers=2) as pool:
        helps = dict(zip(wanted, pool.map(lambda path: run([*path, "--help"], *project_env), wanted)))
    unknown = {" ".join(path): sorted(o for o in wanted[path] if o not in helps[path].stdout)
               for path in wanted if helps[path].returncode or any(o not in helps[path].stdout for o in wanted[path])}
    assert unknown == {}
