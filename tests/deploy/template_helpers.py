"""Helpers for reading aws/template.yaml in the deploy tests (a module of its own: every test
folder has a conftest.py, so `from conftest import` would pick whichever was imported first)."""
from __future__ import annotations


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def role_statements(template: dict, role: str) -> list[dict]:
    """Every statement of the IAM role's inline policies."""
    policies = template["Resources"][role]["Properties"]["Policies"]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]
