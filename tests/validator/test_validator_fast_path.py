"""The NDJSON fast path (msgspec, issue #25) never changes a verdict: every file gets the same
reason, detail and record count as from the careful path (orjson, then the stdlib) alone."""
from __future__ import annotations

import io
import json

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from telco360 import contract
from telco360.validator import checks

REQUIRED = contract.ACTIVITY_DATASET.required_fields
GOOD = b'{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T09:00:00Z"}'
# Lines msgspec and the careful path could judge apart, each beside the reason it must not
# change: JSON msgspec accepts and the contract refuses, valid JSON msgspec refuses, and
# lines orjson and msgspec parse but read differently.
EDGE_LINES = [
    b'{"event_id":"E2","x":' + b"[" * 600 + b"]" * 600 + b"}",  # deeper than 512, msgspec takes ~1000
    b'{"event_id":"E3","x":' + b"7" * 5000 + b"}",  # an integer the stdlib will not convert
    b'{"event_id":"E4","x":' + b"[" * 5000 + b"]" * 5000 + b"}",  # past msgspec's recursion limit
    GOOD + b" " + GOOD,  # two objects on one line
    GOOD + GOOD,
    b'{"event_id":"\\ud800","customer_id":"C0000001","event_type":"SMS","event_ts":"2024"}',  # lone surrogate
    b'{"event_id":"E5","x":"\\udc00"}',
    b'{"event_id":1e400,"x":1e400}',  # beyond double range: the stdlib reads inf
    b'{"event_id":12345678901234567890123}',
    b'{"event_id":"E6","event_id":null}',  # the last of duplicate keys counts
    b'{"event_id":null,"event_id":"E7"}',
    b'{"event\\u005fid":"E8"}',  # an escaped key is the same name
    b'{"event_id":NaN}', b'{"x":Infinity}', b'{"x":-Infinity}',
    b'{"x":"a\tb"}', b'{"x":"\\x"}', b'{"x":01}', b'{"x":1.}', b'{"x":[1,]}', b'{"x":1,}',
    b'{"x":tru}', b"[1, 2]", b'"text"', b"null", b"12",
    b"\xef\xbb\xbf" + GOOD,  # U+FEFF on a later line is data, not whitespace
    b"\x0c" + GOOD, GOOD + b"\x0b", GOOD + b"\r", b" \t" + GOOD + b" \r",
    b"", b"\r", b" ", b"\t\r",
    b'{"event_id":"\xc3\xa9\xe2\x80\xa8","x":"\\u0000\x7f"}',
]


def careful_only(monkeypatch) -> None:
    monkeypatch.setattr(checks, "_common_lines", lambda *args: None)


def verdict(data: bytes) -> tuple:
    result = checks.validate_stream("activity_logs", False, io.BytesIO(data))
    return result.reason, result.detail, result.records


def verdict_both_ways(data: bytes) -> tuple[tuple, tuple]:
    with pytest.MonkeyPatch.context() as patch:
        careful_only(patch)
        careful = verdict(data)
    return verdict(data), careful


def record(draw_fields: dict) -> bytes:
    return json.dumps(draw_fields, separators=(",", ":")).encode()


RECORDS = st.dictionaries(
    st.sampled_from([*REQUIRED, "cell_id", "roaming"]),
    st.one_of(st.none(), st.text(max_size=8), st.integers(), st.booleans(),
              st.floats(allow_nan=False, allow_infinity=False)),
).map(record)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.one_of(RECORDS, RECORDS, st.sampled_from(EDGE_LINES)), max_size=12),
       line_end=st.sampled_from([b"\n", b"\r\n"]), last_end=st.booleans(),
       chunk=st.sampled_from([64, 256, 1 << 20]))
def test_fast_path_gives_the_careful_paths_verdict(lines, line_end, last_end, chunk):
    data = line_end.join(lines) + (line_end if last_end else b"")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "CHUNK_BYTES", chunk)  # many blocks: fast and careful ones mixed
        fast, careful = verdict_both_ways(data)

    assert fast == careful


@pytest.mark.parametrize("line", EDGE_LINES, ids=range(len(EDGE_LINES)))
def test_each_edge_line_between_good_lines_gets_the_careful_paths_verdict(line):
    fast, careful = verdict_both_ways(b"\n".join([GOOD, line, GOOD]) + b"\n")

    assert fast == careful


def test_line_nested_deeper_than_the_contract_allows_is_rejected():
    reason, detail, _ = verdict(GOOD + b"\n" + EDGE_LINES[0] + b"\n")

    assert (reason, detail) == ("not_json_object", "line 2 is nested deeper than 512 levels: not a record")


def test_integer_the_stdlib_will_not_convert_is_rejected_as_the_careful_path_does():
    reason, detail, _ = verdict(GOOD + b"\n" + EDGE_LINES[1] + b"\n")

    assert (reason, detail.split(":")[0]) == ("not_json_object", "line 2 is not JSON")


def test_required_field_null_in_its_last_duplicate_counts_as_absent():
    line = b'{"event_id":"E1","customer_id":"C1","event_type":"SMS","event_ts":"T","event_id":null}\n'

    assert verdict(line * 3) == (
        "required_field_absent", "required field(s) event_id absent (or null) in all 3 records", 3)


def test_common_lines_are_not_parsed_one_by_one_by_orjson(monkeypatch):
    parsed = []
    loads = orjson.loads
    monkeypatch.setattr(orjson, "loads", lambda line: parsed.append(line) or loads(line))

    result = verdict((GOOD + b"\n") * 1000)

    assert (result, len(parsed)) == ((None, "", 1000), 0)


def test_required_fields_need_not_be_python_names():
    never_seen = {"first-name", "class", "a b"}

    found = checks._common_lines(("first-name", "class", "a b"), [b'{"first-name":1,"class":null}', b""], never_seen)

    assert (found, never_seen) == (1, {"class", "a b"})
