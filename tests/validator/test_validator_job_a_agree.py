"""Differential property: the validator and Job A read the same bytes the same way
(DATA_CONTRACT.md sections 1 and 3).

Generated customers files mix valid records (JSON whitespace including bare CR and tab between
tokens, `\\u` escapes including unpaired surrogates, fields named twice, blank required text,
unknown fields nested up to the limit), blank lines, LF and CRLF line ends, a BOM at the start,
sometimes gzip; some files also hold a line that is not a record (broken JSON, an array, a BOM
on a later line, nesting past 512 levels). Then:
- the validator rejects a file exactly when it holds a line that is not a record (or none);
- for every file it archives, Job A yields exactly as many records as the validator counted,
  on the generated records' line numbers, none split, merged or dropped, each clean or
  quarantined with the reason its generated defect calls for.
"""
from __future__ import annotations

import gzip
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from telco360 import contract
from telco360.spark import standardize
from telco360.validator.checks import validate_stream

pytestmark = pytest.mark.spark

# Each example is one Spark read of up to three files (about 2 s on 2 shared cores, the first
# one more while the JVM warms up): 20 examples keep this test under a minute in CI.
EXAMPLES = 20
BOM = "\ufeff"
WHITESPACE = st.sampled_from(["", "", " ", "\t", "\r", " \r\t"])
# JSON text of pieces of a string's content: text, escapes, Unicode spaces, and surrogate
# escapes that stay unpaired or pair up with their neighbour.
STRING_PIECES = st.sampled_from([
    "Ada", "O'Neil, Jr.", "\\u00e9", "\\ud83d\\ude00", "\\\\ud800", "\\\"", "?", BOM,
    "\\u2028", "\u2028", "\u00a0", "\\ud800", "\\uDFFF", "\\udc00\\ud800",
])


@dataclass
class Line:
    text: str
    record: bool  # a line the validator must count (a JSON object within the nesting limit)
    not_a_record: bool = False  # a non-blank line that is not a record: the file is rejected
    reason: str | None = None  # Job A's first quarantine reason for a record, None when clean


@st.composite
def json_string(draw) -> str:
    return '"' + "".join(draw(st.lists(STRING_PIECES, min_size=1, max_size=3))) + '"'


def has_unpaired_surrogate(token: str) -> bool:
    """The stdlib decodes a surrogate pair to one character and keeps an unpaired one."""
    return any(0xD800 <= ord(c) <= 0xDFFF for c in json.loads(token))


@st.composite
def record_line(draw) -> Line:
    ws = lambda: draw(WHITESPACE)  # noqa: E731 - whitespace between two tokens
    first_name = draw(json_string())
    last_name = draw(st.sampled_from(['"Okafor"', '"Okafor"', '""', '" \\t "']))
    statuses = [draw(st.sampled_from(["active", "CHURNED", "Suspended", "GONE"]))
                for _ in range(draw(st.integers(1, 2)))]
    fields = [
        ("customerId", f'"C{draw(st.integers(0, 9_999_999)):07d}"'),
        ("firstName", first_name),
        ("lastName", last_name),
        ("planId", '"PLN-POST-20"'),
        *[("status", f'"{status}"') for status in statuses],
        ("signupDate", '"2023-02-01"'),
        ("updatedAt", '"2024-01-15T09:12:44+01:00"'),
    ]
    depth = 1
    if draw(st.booleans()):
        nesting = draw(st.sampled_from([0, 1, 3, 510, 511]))
        unknown = draw(json_string())
        value = "[" * nesting + unknown + "]" * nesting
        fields.insert(draw(st.integers(0, len(fields))), ("x", value))
        depth += nesting
    fields = draw(st.permutations(fields)) if draw(st.booleans()) else fields
    body = ("," + ws()).join(f"{ws()}\"{name}\"{ws()}:{ws()}{value}{ws()}" for name, value in fields)
    last_status = next(f[1].strip('"') for f in reversed(fields) if f[0] == "status")
    reason = None
    if has_unpaired_surrogate(first_name):
        reason = "bad_type:firstName"
    elif not json.loads(first_name).strip():
        reason = "missing_required:firstName"
    elif last_name != '"Okafor"':
        reason = "missing_required:lastName"
    elif last_status.upper() not in contract.CUSTOMER_STATUSES:
        reason = "bad_domain:status"
    assert depth <= contract.MAX_JSON_NESTING
    return Line(ws() + "{" + body + "}" + ws(), record=True, reason=reason)


bad_line = st.sampled_from([
    Line("[1]", False, True), Line('{"customerId":', False, True), Line("42", False, True),
    Line(BOM + '{"customerId":"C0000001"}', False, True),
    Line('{"x":' + "[" * 512 + "]" * 512 + "}", False, True),
    Line('{"a":1}\r{"b":2}', False, True),
])
blank_line = st.sampled_from([Line("", False), Line("  ", False), Line("\t", False)])


@st.composite
def customers_file(draw) -> tuple[bytes, list[Line], bool]:
    lines = draw(st.lists(st.one_of(record_line(), record_line(), blank_line), min_size=1, max_size=6))
    if draw(st.integers(0, 3)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(bad_line))
    ends = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    if draw(st.booleans()):
        ends[-1] = ""
    # A BOM-led line first is a bad line only after the file's own BOM.
    bom = draw(st.booleans()) or lines[0].text.startswith(BOM)
    text = (BOM if bom else "") + "".join(line.text + end for line, end in zip(lines, ends))
    return text.encode("utf-8"), lines, draw(st.booleans())


def job_a_records(spark, paths: list[Path]) -> dict[str, dict[int, str | None]]:
    """{file name: {source_line: first reason or None}} as Job A reads the archived files."""
    lines = standardize.read_archived_lines(spark, [str(p) for p in paths])
    records = standardize.parse_json_lines(standardize.number_lines(lines), contract.CUSTOMERS)
    found: dict[str, dict[int, str | None]] = {}
    for row in standardize.standardize_records(records, contract.CUSTOMERS).collect():
        found.setdefault(row["source_file"], {})[row["source_line"]] = row["reason"]
    return found


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=st.lists(customers_file(), min_size=1, max_size=3))
def test_validator_and_job_a_read_the_same_records(spark, files):
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "archive" / "customers" / "ingest_date=2024-01-16"
        archive.mkdir(parents=True)
        archived, expected = [], {}
        for part, (data, lines, gzipped) in enumerate(files):
            stored = gzip.compress(data, mtime=0) if gzipped else data
            verdict = validate_stream(contract.CUSTOMERS, gzipped, io.BytesIO(stored))
            records = {number: line.reason for number, line in enumerate(lines, start=1) if line.record}
            should_reject = any(line.not_a_record for line in lines) or not records
            assert verdict.accepted is not should_reject, (verdict, data)
            if verdict.accepted:
                name = f"customers_20240115_part-{part}.ndjson" + (".gz" if gzipped else "")
                (archive / name).write_bytes(stored)
                archived.append(archive / name)
                assert verdict.records == len(records)
                expected[name] = records
        if archived:
            assert job_a_records(spark, archived) == expected
