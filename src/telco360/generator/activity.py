"""Network source of the generator: usage events and their at-least-once delivery in gzip parts.

`daily_events` makes a day's new events (each event once); `deliver_events` turns them into the
day's part files, adding what at-least-once delivery does: events of the previous day sent
again, and duplicates within one part. Keeping the two apart lets one day be generated alone:
it needs only the previous day's new events, not that day's files.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter


from telco360.generator.base import (
    SECONDS_PER_DAY,
    TimestampRenderer,
    at_least_one,
    day_epoch,
    draw_offset,
    interleave,
    json_line,
    stream,
)

LATE_EVENT_RATE = 0.02  # events first delivered 1-3 days after they happened
EVENTS_AFTER_SIGNUP = 2  # per new customer, on the signup day
EVENTS_BEFORE_SIGNUP = 1  # per new customer, the day before the signup date
REDELIVERY_RATE = 0.003  # of the previous day's events, sent again
SAME_PART_DUPLICATE_RATE = 0.005
EVENTS_PER_PART = 50_000
MEAN_DATA_MB = 45.0
MEAN_CALL_SECONDS = 170.0


@dataclasses.dataclass
class ActivityDay:
    lines: list[bytes]  # the day's new events, one line each
    counts: Counter


def daily_events(seed: int, day: int, day_date: dt.date, count: int,
                 population: list[str], signups: list[tuple[str, int, bool]]) -> ActivityDay:
    """`count` new events: most by customers active at the start of the day, some by the day's
    new customers (after signup, and a few the day before their signup date), some late."""
    rng = stream(seed, "activity", day)
    counts: Counter = Counter()
    day_start = day_epoch(day_date)
    # (customer id, instant, case) of the special cases, capped so they never exceed `count`.
    special: list[tuple[str, int, str]] = []
    for customer_id, signup_instant, record_late in signups:
        case = "events_of_customers_not_delivered_yet" if record_late else "events_of_new_customers"
        for _ in range(EVENTS_AFTER_SIGNUP):
            instant = signup_instant + rng.randrange(day_start + SECONDS_PER_DAY - signup_instant)
            special.append((customer_id, instant, case))
        for _ in range(EVENTS_BEFORE_SIGNUP):
            special.append((customer_id, day_start - 1 - rng.randrange(6 * 3600), "events_before_signup"))
    special = special[:count]
    counts.update(case for _, _, case in special)
    late_count = min(count - len(special), at_least_one(count, LATE_EVENT_RATE))
    regular_count = count - len(special) - late_count
    population = population or [customer_id for customer_id, _, _ in signups]
    if not population:
        return ActivityDay([], counts)
    pick = len(population)
    random_unit = rng.random
    for _ in range(late_count):
        days_late = 1 + rng.randrange(3)
        special.append((population[int(random_unit() * pick)],
                        day_start - days_late * SECONDS_PER_DAY + int(random_unit() * SECONDS_PER_DAY), "late_events"))
    counts["late_events"] = late_count
    seconds = sorted(int(random_unit() * SECONDS_PER_DAY) for _ in range(regular_count))
    who_when = [(population[int(random_unit() * pick)], day_start + s) for s in seconds]
    who_when.extend((customer_id, instant) for customer_id, instant, _ in special)

    renderer = TimestampRenderer()
    date_key = day_date.strftime("%Y%m%d")
    expovariate = rng.expovariate
    lines = []
    for number, (customer_id, instant) in enumerate(who_when, start=1):
        kind = random_unit()
        millis = int(random_unit() * 1000) if random_unit() < 0.3 else None
        record = {
            "event_id": f"EV-{date_key}-{number:07d}",
            "customer_id": customer_id,
            "event_type": "DATA" if kind < 0.55 else "VOICE" if kind < 0.85 else "SMS",
            "event_ts": renderer.render(instant, draw_offset(rng), millis),
        }
        if kind < 0.55:
            record["data_mb"] = round(expovariate(1 / MEAN_DATA_MB), 3)
        elif kind < 0.85:
            record["duration_sec"] = int(expovariate(1 / MEAN_CALL_SECONDS))
        case = random_unit()
        if case < 0.05:
            record["event_type"] = record["event_type"].lower() if case < 0.03 else record["event_type"].title()
        if random_unit() < 0.9:
            record["cell_id"] = f"CELL-{int(random_unit() * 5000):05d}"
        if random_unit() < 0.7:
            record["roaming"] = random_unit() < 0.06
        lines.append(json_line(record))
    counts["events"] = len(lines)
    return ActivityDay(lines, counts)


def deliver_events(seed: int, day: int, events: list[bytes], previous_events: list[bytes]) -> tuple[list[list[bytes]], Counter]:
    """The day's part files: its events plus some of yesterday's again, split into parts of at
    most EVENTS_PER_PART lines (at least two parts when there are two lines), each part
    with a few of its own lines duplicated."""
    rng = stream(seed, "activity-delivery", day)
    counts: Counter = Counter()
    again = rng.sample(previous_events, min(len(previous_events), at_least_one(len(previous_events), REDELIVERY_RATE)))
    counts["redelivered_from_previous_day"] = len(again)
    lines = interleave(rng, events, again)
    if not lines:
        return [], counts
    part_count = max(min(2, len(lines)), math.ceil(len(lines) / EVENTS_PER_PART))
    size = math.ceil(len(lines) / part_count)
    parts = []
    for begin in range(0, len(lines), size):
        part = lines[begin:begin + size]
        duplicates = [part[rng.randrange(len(part))] for _ in range(at_least_one(len(part), SAME_PART_DUPLICATE_RATE))]
        counts["duplicates_in_same_part"] += len(duplicates)
        parts.append(interleave(rng, part, duplicates))
    counts["lines"] = sum(len(part) for part in parts)
    return parts, counts

