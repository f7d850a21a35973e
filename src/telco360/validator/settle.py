"""Deciding where a raw object goes (pure) and moving it there, byte for byte: one algorithm
(`settle_raw_object`) written against the small `RawStore` protocol that the local-folder
adapter (`validator.local`) and the S3 adapter (`validator.s3`) implement.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import BinaryIO, Callable, Optional, Protocol


from telco360 import contract, lake
from telco360.logs import get_logger, log_event
from telco360.validator.checks import Verdict, classify_raw_key, validate_stream


logger = get_logger("telco360.validator")


@dataclass(frozen=True)
class Routing:
    """Where one raw object goes and why."""

    key: str  # raw/<dataset>/<name>, relative to the lake root
    dataset: str  # a contract dataset, or "" when the key is under none
    name: str  # file name (for unknown datasets: the path below raw/, to stay unique)
    verdict: Verdict
    destination: str


# ---------------------------------------------------------------------------------------
# Routing (pure)


def destination_key(dataset: str, name: str, verdict: Verdict, ingest_date: str) -> str:
    if verdict.accepted:
        return lake.archive_key(dataset, ingest_date, name)
    return lake.rejected_key(dataset or lake.UNKNOWN_DATASET, ingest_date, name)


def rejection_reason_key(dataset: str, ingest_date: str, name: str) -> str:
    """The sidecar JSON beside a rejected file: rejected/_reasons/<dataset>/ingest_date=D/<name>.json."""
    return (
        f"{contract.REJECTED}/{lake.REASONS}/{dataset or lake.UNKNOWN_DATASET}/"
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
        "dataset": routing.dataset or lake.UNKNOWN_DATASET,
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
        return log_outcome(_outcome_without_raw(store, key, ingest_date))
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
    return log_outcome(outcome)


def _outcome_without_raw(store: RawStore, key: str, ingest_date: str) -> dict:
    """A repeated event for an object already moved is a no-op; say where it went."""
    dataset, name, _, key_rejection = classify_raw_key(key)
    candidates = [lake.rejected_key(dataset or lake.UNKNOWN_DATASET, ingest_date, name)]
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
            outcomes.append(log_outcome({
                "outcome": "error", "key": key, "error": f"{type(err).__name__}: {err}",
                "detail": f"validator could not move {key}: {err}; it stays in raw/, run again "
                          "once the cause is fixed (moves are safe to repeat)",
            }))
    return outcomes


_LOG_LEVELS = {"rejected": logging.WARNING, "raw_missing": logging.WARNING, "error": logging.ERROR}


def log_outcome(outcome: dict) -> dict:
    message = f"{outcome['outcome']}: {outcome['key']}"
    if outcome.get("detail"):
        message += f": {outcome['detail']}"
    log_event(logger, message, _LOG_LEVELS.get(outcome["outcome"], logging.INFO),
              step="validate", **outcome)
    return outcome


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
