"""The validator's file-level checks (DATA_CONTRACT.md sections 1 and 3): `validate_stream`
reads a byte stream in large chunks, decompresses `.gz` on the fly, never holds more than one
chunk plus one line in memory, and gives a `Verdict`; `classify_raw_key` judges a key by its
name alone. Standard library + msgspec and orjson only: it ships in the Lambda zip.
"""
from __future__ import annotations

import csv
import gzip
import json
import re
import zlib
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO, Iterator, Optional

import msgspec
import orjson
from msgspec.structs import astuple

from telco360 import contract, lake

CHUNK_BYTES = 1 << 20
# A line longer than this cannot be a customer, plan or activity record; refusing it keeps
# memory bounded whatever the file holds.
MAX_LINE_BYTES = 16 << 20
# A gzip may inflate at most this many times the compressed bytes read so far: NDJSON and CSV
# inflate 5-20x, a bomb (1 MB of gzip -> 1 GiB of newlines) ~1000x. Below
# MIN_INFLATED_BYTES_CHECKED inflated, no file is refused, so small repetitive files pass.
MAX_INFLATION_RATIO = 100
MIN_INFLATED_BYTES_CHECKED = 64 << 20
UTF8_BOM = b"\xef\xbb\xbf"
# A valid line nested deeper than the contract allows holds more than MAX_JSON_NESTING opening
# brackets and as many closing ones: only a line longer than this needs its depth measured.
NESTING_CHECK_BYTES = 2 * contract.MAX_JSON_NESTING + 1
# The fast path (msgspec) takes lines up to this long; a longer one goes to the careful path,
# so msgspec never meets a line nested deeper than the contract allows (it accepts ~1000
# levels), nor an integer of more digits than the stdlib parser converts (4300), which the
# careful path refuses and msgspec's skipping of an unknown field would not.
FAST_PATH_LINE_BYTES = NESTING_CHECK_BYTES
# A JSON string (an unterminated one too): brackets inside it are data, not nesting.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))



@dataclass(frozen=True)
class Verdict:
    """Outcome of the file-level checks: accepted when `reason` is None."""

    reason: Optional[str] = None  # a key of contract.REJECTION_REASONS
    detail: str = ""
    records: int = 0  # data records read (lines, or CSV rows without the header)

    @property
    def accepted(self) -> bool:
        return self.reason is None


class _Rejection(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# ---------------------------------------------------------------------------------------
# File-level checks


def classify_raw_key(key: str) -> tuple[str, str, Optional[contract.FileName], Optional[Verdict]]:
    """`raw/<dataset>/<name>` -> (dataset, name, parsed name, rejection or None)."""
    folder, name = lake.split_raw_key(key)
    if folder not in contract.DATASET_SPECS:
        below_raw = f"{folder}/{name}" if folder else name
        return "", below_raw, None, Verdict(
            "unknown_dataset",
            f"{key} is not under raw/<dataset>/ with dataset one of {', '.join(contract.DATASETS)}",
        )
    try:
        parsed = contract.parse_file_name(folder, name)
    except ValueError as err:
        return folder, name, None, Verdict("bad_file_name", str(err))
    if not _is_utf8(name):
        # Only a local folder can hold such a name (S3 keys are UTF-8); Spark and the
        # warehouse could not carry it as SOURCE_FILE.
        return folder, name, None, Verdict("bad_file_name", f"file name {ascii(name)} is not valid UTF-8")
    if ":" in name:
        # Hadoop paths (Glue Job A's reads, locally and on S3) take "a:b" for a URI scheme and
        # cannot read the file; archived, it would fail every Job A run.
        return folder, name, None, Verdict(
            "bad_file_name", f"file name {name!r} holds ':', which Spark (Hadoop paths) cannot read; "
                             "deliver it again without ':'")
    return folder, name, parsed, None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_stream(dataset: str, gzipped: bool, stream: BinaryIO) -> Verdict:
    """Check a raw file's bytes against the contract's file-level rules.

    Reads `stream` once, front to back; stops at the first rule the file breaks.
    """
    spec = contract.DATASET_SPECS[dataset]
    source = _InflationLimit(stream) if gzipped else stream
    try:
        next_line = _NextLine()
        blocks = _line_blocks(source, next_line)
        if spec.format == contract.CSV:
            return _check_csv(spec, blocks, next_line)
        return _check_ndjson(spec, blocks, next_line)
    except _Rejection as rejection:
        return Verdict(rejection.reason, rejection.detail)
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        if not gzipped:
            raise
        return Verdict("bad_gzip", f"gzip does not decompress: {err}")


class _CountingReader:
    def __init__(self, stream: BinaryIO):
        self.stream, self.bytes_read = stream, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.bytes_read += len(data)
        return data


class _InflationLimit:
    """The decompressed bytes of a gzip stream; refuses a decompression bomb as it inflates."""

    def __init__(self, stream: BinaryIO):
        self.compressed = _CountingReader(stream)
        self.inflated = 0
        self.gzip = gzip.GzipFile(fileobj=self.compressed, mode="rb")

    def read(self, size: int = -1) -> bytes:
        data = self.gzip.read(size)
        self.inflated += len(data)
        if (self.inflated > MIN_INFLATED_BYTES_CHECKED
                and self.inflated > MAX_INFLATION_RATIO * self.compressed.bytes_read):
            raise _Rejection(
                "decompression_limit",
                f"gzip inflates more than {MAX_INFLATION_RATIO}x ({self.inflated} bytes from the first "
                f"{self.compressed.bytes_read} compressed): refused as a decompression bomb",
            )
        return data


class _NextLine:
    """The number of the first line of the next block. The reader of each block moves it past
    the block's lines before taking the next block: it splits the block anyway, so the lines
    are counted once, not in a scan of their own."""

    def __init__(self) -> None:
        self.number = 1


def _line_blocks(stream: BinaryIO, next_line: _NextLine) -> Iterator[tuple[int, int, bytes]]:
    """Yield (first line number, byte offset, block of whole lines) over the content.

    Blocks end at a newline except the last; the UTF-8 byte-order mark is dropped but
    counted in offsets. Line numbers are `next_line.number`, which the consumer moves past
    each block's lines before taking the next. Raises _Rejection for an empty file or an
    over-long line.
    """
    bom, chunk = _drop_bom(stream.read(CHUNK_BYTES), stream)
    offset, pending, seen_content = len(bom), b"", False
    while chunk:
        data = pending + chunk if pending else chunk
        seen_content = True
        cut = data.rfind(b"\n") + 1
        pending = data[cut:]
        if len(pending) > MAX_LINE_BYTES:
            long_line = next_line.number + data.count(b"\n", 0, cut)
            raise _Rejection(
                "not_json_object",
                f"line {long_line} is longer than {MAX_LINE_BYTES >> 20} MiB: not a record",
            )
        if cut:
            yield next_line.number, offset, data[:cut]
            offset += cut
        chunk = stream.read(CHUNK_BYTES)
    if pending:
        yield next_line.number, offset, pending
    if not seen_content:
        raise _Rejection("empty_file", "file is empty (no bytes after decompression and BOM)")


def _drop_bom(chunk: bytes, stream: BinaryIO) -> tuple[bytes, bytes]:
    """(BOM bytes dropped, rest of the first chunk)."""
    while len(chunk) < len(UTF8_BOM) and UTF8_BOM.startswith(chunk):
        more = stream.read(CHUNK_BYTES)
        if not more:
            break
        chunk += more
    if chunk.startswith(UTF8_BOM):
        return UTF8_BOM, chunk[len(UTF8_BOM):]
    return b"", chunk


def _check_utf8(block: bytes, line_no: int, offset: int) -> Optional[tuple[int, str]]:
    """None when the block is UTF-8, else (length of its whole lines before the bad byte, detail)."""
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as err:
        bad_line = line_no + block.count(b"\n", 0, err.start)
        good_prefix = block.rfind(b"\n", 0, err.start) + 1
        return good_prefix, f"not UTF-8 at byte {offset + err.start} (line {bad_line})"
    return None


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number",
               bool: "boolean", type(None): "null"}


def _check_ndjson(spec: contract.Dataset, blocks: Iterator[tuple[int, int, bytes]], next_line: _NextLine) -> Verdict:
    required_fields = spec.required_fields
    never_seen = set(required_fields)
    records = 0
    for line_no, offset, block in blocks:
        if block.isspace():
            next_line.number += block.count(b"\n")
            continue  # a run of blank lines costs a byte scan, not a parse per line
        bad_utf8 = _check_utf8(block, line_no, offset)
        if bad_utf8 is not None:
            block = block[: bad_utf8[0]]
        lines = block.split(b"\n")
        next_line.number += len(lines) - 1
        common = _common_lines(required_fields, lines, never_seen)
        records += common if common is not None else _careful_lines(lines, line_no, never_seen)
        if bad_utf8 is not None:
            raise _Rejection("not_utf8", bad_utf8[1])
    if records == 0:
        return Verdict("empty_file", "no records: every line is blank")
    if never_seen:
        absent = ", ".join(f for f in spec.required_fields if f in never_seen)
        return Verdict(
            "required_field_absent",
            f"required field(s) {absent} absent (or null) in all {records} records",
            records,
        )
    return Verdict(records=records)


def _careful_lines(lines: list[bytes], line_no: int, never_seen: set[str]) -> int:
    """The careful path: each line judged on its own, blank lines skipped, the first line that
    is not a record rejected with its number (`line_no` is the first line's). Returns the
    record count and removes from `never_seen` the fields found present and not null."""
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    records = 0
    for index, line in enumerate(lines):
        if not line or line.isspace():
            continue
        try:
            record = loads(line)
        except decode_error as err:
            if not line.strip():
                continue
            _refuse_deep_nesting(line, line_no + index)
            record = _strict_stdlib_json(line, line_no + index, err)
        else:
            if len(line) > NESTING_CHECK_BYTES:
                _refuse_deep_nesting(line, line_no + index)
        if type(record) is not dict:
            raise _Rejection(
                "not_json_object",
                f"line {line_no + index} is a JSON "
                f"{_JSON_KINDS.get(type(record), 'value')}, not an object",
            )
        records += 1
        if never_seen:
            never_seen.difference_update([f for f in never_seen if record.get(f) is not None])
    return records


def _common_lines(required_fields: tuple[str, ...], lines: list[bytes], never_seen: set[str]) -> Optional[int]:
    """The fast path for a block's lines: their record count when every line is a JSON object
    msgspec decodes and none is longer than FAST_PATH_LINE_BYTES (the fields in `never_seen`
    found present and not null are removed from it); None, with `never_seen` untouched, sends
    the whole block to the careful path, which judges it as if this path did not exist.

    A line decoded here gets the careful path's verdict: msgspec refuses what that path
    refuses (NaN, Infinity, trailing text, bad escapes, control characters, bad numbers,
    anything not an object) and keeps the last of duplicate keys, as a dict does. What it
    refuses that the careful path may accept (blank lines, lone surrogate escapes, numbers
    beyond double range in a required field) goes there."""
    if not lines[-1]:
        lines = lines[:-1]  # the empty piece after the block's last newline
    if not lines or max(map(len, lines)) > FAST_PATH_LINE_BYTES:
        return None
    presence, any_object = _fast_decoders(required_fields)
    try:
        if never_seen:
            found = [astuple(record) for record in map(presence.decode, lines)]
            never_seen.difference_update([name for index, name in enumerate(required_fields)
                                          if any(values[index] is not None for values in found)])
        else:
            deque(map(any_object.decode, lines), maxlen=0)
    except (msgspec.DecodeError, RecursionError):
        return None
    return len(lines)


@lru_cache(maxsize=None)
def _fast_decoders(required_fields: tuple[str, ...]) -> tuple[msgspec.json.Decoder, msgspec.json.Decoder]:
    """(decoder of an object's required fields in their order, None when absent or null;
    decoder that only checks a line is one JSON object). The second skips every value without
    building it, still validating it, about twice as fast: it serves once every required field
    was seen. The attributes are renamed from the field names, which need not be Python names.
    Not tracked by the garbage collector: a decoded line is dropped at once."""
    names = {f"field_{index}": name for index, name in enumerate(required_fields)}
    presence = msgspec.defstruct("RequiredFields", [(attribute, Any, None) for attribute in names],
                                 rename=names, gc=False)
    any_object = msgspec.defstruct("AnyObject", [], gc=False)
    return msgspec.json.Decoder(presence), msgspec.json.Decoder(any_object)


def _refuse_deep_nesting(line: bytes, line_no: int) -> None:
    """Reject a line nested deeper than the contract allows: orjson accepts up to 1024 levels,
    and the stdlib parser recurses once per level (RecursionError, not a verdict)."""
    if line.count(b"[") + line.count(b"{") <= contract.MAX_JSON_NESTING:
        return
    depth = deepest = 0
    for bracket in _JSON_STRING.sub(b"", line).translate(None, _NOT_A_BRACKET):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    if deepest > contract.MAX_JSON_NESTING:
        raise _Rejection(
            "not_json_object",
            f"line {line_no} is nested deeper than {contract.MAX_JSON_NESTING} levels: not a record",
        )


def _strict_stdlib_json(line: bytes, line_no: int, orjson_error: Exception) -> object:
    """Second opinion for a line orjson refuses: it also refuses some valid JSON (numbers
    beyond double range, lone surrogate escapes) that Job A must see as records.
    NaN and Infinity stay refused: they are not JSON. The line is decoded here (it is UTF-8,
    checked per block) because json.loads of bytes would also drop a BOM at its start, which
    only the file's first bytes may carry."""
    def refuse_constant(name: str):
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(line.decode("utf-8"), parse_constant=refuse_constant)
    except ValueError:
        raise _Rejection("not_json_object", f"line {line_no} is not JSON: {orjson_error}") from None


def _decoded_lines(blocks: Iterator[tuple[int, int, bytes]], next_line: _NextLine) -> Iterator[str]:
    """Physical lines, newline kept (the csv module needs it for quoted newlines)."""
    for line_no, offset, block in blocks:
        next_line.number += block.count(b"\n")
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            good_prefix, detail = _check_utf8(block, line_no, offset)
            yield from _split_keeping_newlines(block[:good_prefix].decode("utf-8"))
            raise _Rejection("not_utf8", detail) from None
        yield from _split_keeping_newlines(text)


def _split_keeping_newlines(text: str) -> Iterator[str]:
    """Split on LF only: str.splitlines would also split inside quoted fields on U+2028 etc."""
    lines = text.split("\n")
    last = lines.pop()
    for line in lines:
        yield line + "\n"
    if last:
        yield last


def _check_csv(spec: contract.Dataset, blocks: Iterator[tuple[int, int, bytes]], next_line: _NextLine) -> Verdict:
    reader = csv.reader(_decoded_lines(blocks, next_line), strict=True)
    try:
        header = next((row for row in reader if row), None)
        if header is None:
            return Verdict("empty_file", "no header: every line is blank")
        columns = {name.strip().lower() for name in header}
        lacking = [name for name in spec.required_fields if name not in columns]
        if lacking:
            return Verdict(
                "missing_required_column",
                f"header (line {reader.line_num}) lacks required column(s) {', '.join(lacking)}",
            )
        rows = 0
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                return Verdict(
                    "field_count_mismatch",
                    f"line {reader.line_num} has {len(row)} fields, the header has {len(header)}",
                    rows,
                )
            rows += 1
    except csv.Error as err:
        return Verdict(
            "field_count_mismatch", f"malformed CSV near line {reader.line_num}: {err}"
        )
    if rows == 0:
        return Verdict("header_only", "header and no data rows")
    return Verdict(records=rows)
