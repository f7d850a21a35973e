"""The ingestion validator: decide each raw file's fate and move it, byte for byte, to
archive/ or rejected/ (DATA_CONTRACT.md sections 1 and 3).

Standard library + orjson only: this module ships in the Lambda zip. It holds

- the file-level checks (`validate_stream`), which read a byte stream in large chunks,
  decompress `.gz` on the fly and never hold more than one chunk plus one line in memory;
- the pure routing decision (`route_raw_object`, `destination_key`);
- the move algorithm (`settle_raw_object`), written once against the small `RawStore`
  protocol that the local-folder adapter here and the S3 adapter in
  `telco360.validation_s3` implement;
- `validate_lake`, the local entry point the runner and `c360 validate` call.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import re
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Optional, Protocol

import orjson

from telco360 import contract, lake
from telco360.logs import get_logger, log_event

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
# A JSON string (an unterminated one too): brackets inside it are data, not nesting.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
REASONS_FOLDER = "_reasons"
UNKNOWN_DATASET_FOLDER = "_unknown"

logger = get_logger("telco360.validation")


@dataclass(frozen=True)
class Verdict:
    """Outcome of the file-level checks: accepted when `reason` is None."""

    reason: Optional[str] = None  # a key of contract.REJECTION_REASONS
    detail: str = ""
    records: int = 0  # data records read (lines, or CSV rows without the header)

    @property
    def accepted(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Routing:
    """Where one raw object goes and why."""

    key: str  # raw/<dataset>/<name>, relative to the lake root
    dataset: str  # a contract dataset, or "" when the key is under none
    name: str  # file name (for unknown datasets: the path below raw/, to stay unique)
    verdict: Verdict
    destination: str


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
        blocks = _line_blocks(source)
        if spec.format == contract.CSV:
            return _check_csv(spec, blocks)
        return _check_ndjson(spec, blocks)
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


def _line_blocks(stream: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """Yield (first line number, byte offset, block of whole lines) over the content.

    Blocks end at a newline except the last; the UTF-8 byte-order mark is dropped but
    counted in offsets. Raises _Rejection for an empty file or an over-long line.
    """
    bom, chunk = _drop_bom(stream.read(CHUNK_BYTES), stream)
    line_no, offset, pending, seen_content = 1, len(bom), b"", False
    while chunk:
        data = pending + chunk if pending else chunk
        seen_content = True
        cut = data.rfind(b"\n") + 1
        pending = data[cut:]
        if len(pending) > MAX_LINE_BYTES:
            long_line = line_no + data.count(b"\n", 0, cut)
            raise _Rejection(
                "not_json_object",
                f"line {long_line} is longer than {MAX_LINE_BYTES >> 20} MiB: not a record",
            )
        if cut:
            block = data[:cut]
            yield line_no, offset, block
            line_no += block.count(b"\n")
            offset += cut
        chunk = stream.read(CHUNK_BYTES)
    if pending:
        yield line_no, offset, pending
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


def _check_ndjson(spec: contract.Dataset, blocks: Iterator[tuple[int, int, bytes]]) -> Verdict:
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    never_seen = set(spec.required_fields)
    records = 0
    for line_no, offset, block in blocks:
        if block.isspace():
            continue  # a run of blank lines costs a byte scan, not a parse per line
        bad_utf8 = _check_utf8(block, line_no, offset)
        if bad_utf8 is not None:
            block = block[: bad_utf8[0]]
        for index, line in enumerate(block.split(b"\n")):
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


def _decoded_lines(blocks: Iterator[tuple[int, int, bytes]]) -> Iterator[str]:
    """Physical lines, newline kept (the csv module needs it for quoted newlines)."""
    for line_no, offset, block in blocks:
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


def _check_csv(spec: contract.Dataset, blocks: Iterator[tuple[int, int, bytes]]) -> Verdict:
    reader = csv.reader(_decoded_lines(blocks), strict=True)
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


# ---------------------------------------------------------------------------------------
# Routing (pure)


def destination_key(dataset: str, name: str, verdict: Verdict, ingest_date: str) -> str:
    if verdict.accepted:
        return lake.archive_key(dataset, ingest_date, name)
    return lake.rejected_key(dataset or UNKNOWN_DATASET_FOLDER, ingest_date, name)


def rejection_reason_key(dataset: str, ingest_date: str, name: str) -> str:
    """The sidecar JSON beside a rejected file: rejected/_reasons/<dataset>/ingest_date=D/<name>.json."""
    return (
        f"{contract.REJECTED}/{REASONS_FOLDER}/{dataset or UNKNOWN_DATASET_FOLDER}/"
        f"ingest_date={ingest_date}/{name}.json"
    )


def redelivery_name(name: str, token: str) -> str:
    """A distinct name for a file re-delivered under an already-used name with other content.

    The token goes before the first dot of the last path segment, so a contract name stays
    a contract name (it lands in the optional `_<suffix>`).
    """
    folder, _, base = name.rpartition("/")
    stem, dot, extensions = base.partition(".")
    renamed = f"{stem}_redelivery-{token}{dot}{extensions}"
    return f"{folder}/{renamed}" if folder else renamed


def route_raw_object(key: str, open_stream: Callable[[], BinaryIO], ingest_date: str) -> Routing:
    """Decide where a raw object goes; reads its bytes only when its key fits the contract."""
    dataset, name, parsed, key_rejection = classify_raw_key(key)
    if key_rejection is not None:
        verdict = key_rejection
    else:
        with open_stream() as stream:
            verdict = validate_stream(dataset, parsed.gzipped, stream)
    return Routing(key, dataset, name, verdict, destination_key(dataset, name, verdict, ingest_date))


def rejection_record(routing: Routing, size: int, ingest_date: str) -> dict:
    """What is stored beside a rejected file and published as the alert."""
    return {
        "dataset": routing.dataset or UNKNOWN_DATASET_FOLDER,
        "key": routing.key,
        "reason": routing.verdict.reason,
        "reason_text": {**contract.REJECTION_REASONS, **contract.GUARD_REJECTION_REASONS}[routing.verdict.reason],
        "detail": routing.verdict.detail,
        "size": size,
        "destination": routing.destination,
        "ingest_date": ingest_date,
        "next_step": (
            f"fix the file at the source and deliver it again to raw/{routing.dataset or '<dataset>'}/; "
            "the rejected copy stays where it is"
        ),
    }


# ---------------------------------------------------------------------------------------
# Moving bytes: one algorithm over two storage adapters


class RawStore(Protocol):
    """The few storage operations the move needs; keys are relative to the lake root."""

    def describe(self, key: str) -> Optional[int]:
        """Size in bytes, or None when the object does not exist."""

    def open(self, key: str) -> BinaryIO: ...

    def same_content(self, raw_key: str, other_key: str) -> bool: ...

    def content_token(self, key: str) -> str:
        """A short content-derived token (for redelivery names)."""

    def copy_verified(self, raw_key: str, destination: str, routing: Routing) -> None:
        """Copy byte for byte and check the copy; raise when the check fails."""

    def write_json(self, key: str, payload: dict) -> None: ...

    def delete(self, key: str) -> None: ...

    def publish_alert(self, message: dict) -> None: ...


def settle_raw_object(store: RawStore, key: str, ingest_date: str) -> dict:
    """Validate one raw object and move it to exactly one zone; safe to repeat.

    Order: reason sidecar -> copy -> verify -> alert -> delete raw. A crash anywhere leaves
    the raw object in place, and the retry finishes the move (an alert may then be sent
    twice; never zero times). Returns the outcome, also logged as one JSON line.
    """
    size = store.describe(key)
    if size is None:
        return _log_outcome(_outcome_without_raw(store, key, ingest_date))
    routing = route_raw_object(key, lambda: store.open(key), ingest_date)
    outcome = {
        "outcome": "archived" if routing.verdict.accepted else "rejected",
        "key": key,
        "dataset": routing.dataset,
        "destination": routing.destination,
        "reason": routing.verdict.reason,
        "detail": routing.verdict.detail,
        "records": routing.verdict.records,
        "size": size,
        "ingest_date": ingest_date,
    }
    copy_needed = True
    if store.describe(routing.destination) is not None:
        if store.same_content(key, routing.destination):
            copy_needed = False
            outcome["note"] = "destination already held these bytes (earlier move interrupted)"
        else:
            name = redelivery_name(routing.name, store.content_token(key))
            routing = replace(routing, name=name, destination=destination_key(
                routing.dataset, name, routing.verdict, ingest_date))
            outcome["destination"] = routing.destination
            outcome["note"] = "name already used by other content this ingest date: renamed"
            copy_needed = (store.describe(routing.destination) is None
                           or not store.same_content(key, routing.destination))
    if not routing.verdict.accepted:
        record = rejection_record(routing, size, ingest_date)
        store.write_json(rejection_reason_key(routing.dataset, ingest_date, routing.name), record)
    if copy_needed:
        store.copy_verified(key, routing.destination, routing)
    if not routing.verdict.accepted:
        store.publish_alert(record)
    store.delete(key)
    return _log_outcome(outcome)


def _outcome_without_raw(store: RawStore, key: str, ingest_date: str) -> dict:
    """A repeated event for an object already moved is a no-op; say where it went."""
    dataset, name, _, key_rejection = classify_raw_key(key)
    candidates = [lake.rejected_key(dataset or UNKNOWN_DATASET_FOLDER, ingest_date, name)]
    if key_rejection is None:
        candidates.insert(0, lake.archive_key(dataset, ingest_date, name))
    for candidate in candidates:
        if store.describe(candidate) is not None:
            return {"outcome": "already_routed", "key": key, "dataset": dataset,
                    "destination": candidate, "ingest_date": ingest_date}
    return {"outcome": "raw_missing", "key": key, "dataset": dataset, "ingest_date": ingest_date,
            "detail": "raw object is gone and is not in archive/ or rejected/ for this ingest date; "
                      "nothing to move (was it deleted by hand?)"}


def settle_each(store: RawStore, keys: list[str], ingest_date_of: Callable[[str], str],
                settle: Callable[[RawStore, str, str], dict] = settle_raw_object) -> list[dict]:
    """Settle every key; one failing object is logged as an error and the others go on."""
    outcomes = []
    for key in keys:
        try:
            outcomes.append(settle(store, key, ingest_date_of(key)))
        except Exception as err:  # noqa: BLE001 - reported per file, the batch goes on
            outcomes.append(_log_outcome({
                "outcome": "error", "key": key, "error": f"{type(err).__name__}: {err}",
                "detail": f"validator could not move {key}: {err}; it stays in raw/, run again "
                          "once the cause is fixed (moves are safe to repeat)",
            }))
    return outcomes


_LOG_LEVELS = {"rejected": logging.WARNING, "raw_missing": logging.WARNING, "error": logging.ERROR}


def _log_outcome(outcome: dict) -> dict:
    message = f"{outcome['outcome']}: {outcome['key']}"
    if outcome.get("detail"):
        message += f": {outcome['detail']}"
    log_event(logger, message, _LOG_LEVELS.get(outcome["outcome"], logging.INFO),
              step="validate", **outcome)
    return outcome


# ---------------------------------------------------------------------------------------
# Local lake folder


class LocalRawStore:
    """The lake as a local folder laid out like the bucket."""

    def __init__(self, lake_dir: Path | str):
        self.root = Path(lake_dir)
        self.alerts: list[dict] = []

    def _path(self, key: str) -> Path:
        return self.root / key

    def describe(self, key: str) -> Optional[int]:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb", buffering=0)

    def same_content(self, raw_key: str, other_key: str) -> bool:
        raw, other = self._path(raw_key), self._path(other_key)
        if raw.stat().st_size != other.stat().st_size:
            return False
        with open(raw, "rb") as a, open(other, "rb") as b:
            while True:
                left, right = a.read(CHUNK_BYTES), b.read(CHUNK_BYTES)
                if left != right:
                    return False
                if not left:
                    return True

    def content_token(self, key: str) -> str:
        digest = hashlib.sha256()
        with open(self._path(key), "rb") as f:
            for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
                digest.update(chunk)
        return digest.hexdigest()[:12]

    def copy_verified(self, raw_key: str, destination: str, routing: Routing) -> None:
        source, target = self._path(raw_key), self._path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = self._temp_path()
        try:
            with open(source, "rb") as src, open(partial, "wb") as dst:
                for chunk in iter(lambda: src.read(CHUNK_BYTES), b""):
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            if partial.stat().st_size != source.stat().st_size:
                raise OSError(f"copy of {raw_key} to {destination} has the wrong size; raw file kept")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        _fsync_dir(target.parent)

    def write_json(self, key: str, payload: dict) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._temp_path()
        try:
            # backslashreplace: a local file name that is not UTF-8 is kept as a \udcXX escape.
            partial.write_bytes(json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace"))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def _temp_path(self) -> Path:
        """Outside every zone, so a temp file never shares a folder (or a name) with a
        delivered file."""
        path = self._path(lake.validator_temp_key())
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def delete(self, key: str) -> None:
        self._path(key).unlink()

    def publish_alert(self, message: dict) -> None:
        self.alerts.append(message)

    def raw_keys(self) -> list[str]:
        """Regular files under raw/, links never followed (see `raw_links`)."""
        return sorted(key for key, is_link in self._raw_entries() if not is_link)

    def raw_links(self) -> list[str]:
        """Symbolic links under raw/, to files or folders, dangling or not."""
        return sorted(key for key, is_link in self._raw_entries() if is_link)

    def _raw_entries(self) -> Iterator[tuple[str, bool]]:
        raw = self.root / contract.RAW
        for folder, subfolders, files in os.walk(raw, followlinks=False):
            for name in subfolders + files:
                path = Path(folder) / name
                if path.is_symlink() or path.is_file():
                    yield path.relative_to(self.root).as_posix(), path.is_symlink()

    def move_link(self, key: str, destination: str) -> None:
        """Move the link itself (never what it points to) into its zone."""
        target = self._path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self._path(key), target)
        _fsync_dir(target.parent)

    def read_link(self, key: str) -> str:
        return os.readlink(self._path(key))

    def link_exists(self, key: str) -> bool:
        return os.path.lexists(self._path(key))


def reject_symlink(store: LocalRawStore, key: str, ingest_date: str) -> dict:
    """A link in a local raw/ is moved, unfollowed, to rejected/ with reason `symlink`: its
    target may lie outside the lake (S3 has no links, so this is local only). Safe to
    repeat: a crash before the move leaves the link in raw/ for the next run."""
    dataset, name, _, _ = classify_raw_key(key)
    pointed_to = store.read_link(key)
    verdict = Verdict("symlink", f"{key} is a symbolic link to {pointed_to}; links are never followed: "
                                 "deliver the file itself")
    routing = Routing(key, dataset, name, verdict, destination_key(dataset, name, verdict, ingest_date))
    if store.link_exists(routing.destination):
        token = hashlib.sha256(os.fsencode(pointed_to)).hexdigest()[:12]
        name = redelivery_name(name, token)
        routing = replace(routing, name=name, destination=destination_key(dataset, name, verdict, ingest_date))
    record = rejection_record(routing, len(os.fsencode(pointed_to)), ingest_date)
    store.write_json(rejection_reason_key(dataset, ingest_date, routing.name), record)
    store.move_link(key, routing.destination)
    store.publish_alert(record)
    return _log_outcome({
        "outcome": "rejected", "key": key, "dataset": dataset, "destination": routing.destination,
        "reason": verdict.reason, "detail": verdict.detail, "records": 0, "size": record["size"],
        "ingest_date": ingest_date,
    })


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def validate_lake(lake_dir: Path | str, ingest_date: Optional[str | dt.date] = None) -> dict:
    """Validate and route every file under `<lake_dir>/raw/`; the local runner's entry point.

    `ingest_date` (YYYY-MM-DD or a date) defaults to today in UTC. Returns a JSON-able summary.
    """
    if ingest_date is None:
        ingest_date = dt.datetime.now(dt.timezone.utc).date()
    try:
        ingest_date = dt.date.fromisoformat(str(ingest_date)).isoformat()
    except ValueError:
        raise ValueError(f"validate: ingest date {ingest_date!r} is not a date YYYY-MM-DD") from None
    store = LocalRawStore(lake_dir)
    outcomes = settle_each(store, store.raw_links(), lambda _key: ingest_date, settle=reject_symlink)
    outcomes += settle_each(store, store.raw_keys(), lambda _key: ingest_date)
    return summarize(outcomes, lake=str(lake_dir), ingest_date=ingest_date)


def summarize(outcomes: list[dict], **context) -> dict:
    by_outcome = {"archived": [], "rejected": [], "already_routed": [], "raw_missing": [], "error": []}
    for outcome in outcomes:
        by_outcome[outcome["outcome"]].append(outcome)
    return {
        **context,
        "files": len(outcomes),
        "counts": {name: len(items) for name, items in by_outcome.items()},
        "archived": by_outcome["archived"],
        "rejected": by_outcome["rejected"],
        "errors": by_outcome["error"],
        "other": by_outcome["already_routed"] + by_outcome["raw_missing"],
    }
