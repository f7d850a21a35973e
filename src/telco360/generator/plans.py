"""Billing source of the generator: the plan catalog, its day-by-day changes and its CSV snapshots.

The catalog's story is fixed by day index (independent of seed and run length), so every run of
three days or more shows each case the warehouse must handle:
- day 1: a plan is renamed (type 1 overwrite);
- day 1: customers start moving to `PLN-5G-ULTRA`, which the catalog only delivers on day 2
  (inferred plan row first, real row later);
- day 2: `PLN-PRE-LEGACY` is missing from the snapshot (retired, keeps its row inactive);
- day 3: a fee change.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import random

from telco360 import contract
from telco360.generator.base import interleave, stream

RENAME_DAY = 1
LAUNCH_DAY = 2  # customers may already reference the launched plan the day before
RETIRE_DAY = 2
FEE_CHANGE_DAY = 3

RENAMED_PLAN = "PLN-POST-40"
LAUNCHED_PLAN = "PLN-5G-ULTRA"
RETIRED_PLAN = "PLN-PRE-LEGACY"
FEE_CHANGED_PLAN = "PLN-PRE-10"

COLUMNS = tuple(f.name for f in contract.PLANS_DATASET.fields)
EXTRA_COLUMN = "legacy_code"  # unknown extra column that some snapshots carry


@dataclasses.dataclass(frozen=True)
class Plan:
    plan_id: str
    plan_name: str
    plan_type: str
    monthly_fee: str
    currency: str
    data_allowance_gb: str  # "" = unlimited
    voice_minutes: str
    sms_allowance: str
    contract_months: str
    updated_at: str

    def as_row(self) -> dict[str, str]:
        return dataclasses.asdict(self)


_BASE_CATALOG = (
    Plan("PLN-PRE-5", "Prepaid Starter", "PREPAID", "5.00", "EUR", "1", "100", "100", "0", "2023-06-01T00:00:00Z"),
    Plan("PLN-PRE-10", "Prepaid Smart, 5GB", "PREPAID", "10.00", "EUR", "5", "300", "", "0", "2023-06-01T00:00:00Z"),
    Plan("PLN-PRE-20", "Prepaid Max", "PREPAID", "20.00", "EUR", "20", "", "", "0", "2023-09-12T08:30:00Z"),
    Plan(RETIRED_PLAN, "Prepaid Classic (legacy)", "PREPAID", "7.50", "EUR", "0.5", "200", "200", "0", "2021-01-04T00:00:00Z"),
    Plan("PLN-PRE-DATA", "Data Only, 10GB", "PREPAID", "8.99", "EUR", "10", "0", "0", "0", "2023-03-15T12:00:00+01:00"),
    Plan("PLN-POST-15", "Essential 15", "POSTPAID", "15.00", "EUR", "10", "500", "", "12", "2023-06-01T00:00:00Z"),
    Plan("PLN-POST-20", "Unlimited Talk, Text & 20GB", "POSTPAID", "20.00", "EUR", "20", "", "", "12", "2023-06-01T00:00:00Z"),
    Plan("PLN-POST-30", "Plus 30GB", "POSTPAID", "30.00", "EUR", "30", "", "", "24", "2023-06-01T00:00:00Z"),
    Plan(RENAMED_PLAN, "Unlimited 40GB, Talk & Text", "POSTPAID", "40.00", "EUR", "40", "", "", "24", "2023-06-01T00:00:00Z"),
    Plan("PLN-POST-UNL", "Unlimited Everything", "POSTPAID", "55.00", "EUR", "", "", "", "24", "2023-10-01T00:00:00Z"),
    Plan("PLN-FAM-4", "Family Share, 4 lines", "POSTPAID", "70.00", "EUR", "100", "", "", "24", "2023-06-01T00:00:00Z"),
    Plan("PLN-BIZ-50", "Business 50, EU roaming", "POSTPAID", "50.00", "EUR", "50", "", "", "36", "2023-07-20T09:00:00Z"),
    Plan("PLN-SIM-ONLY", "SIM Only Flex", "POSTPAID", "12.50", "EUR", "8", "1000", "1000", "1", "2023-06-01T00:00:00Z"),
    Plan("PLN-SENIOR", "Senior Talk", "PREPAID", "6.00", "EUR", "0.25", "600", "100", "0", "2022-11-30T00:00:00-05:00"),
)
_LAUNCHED = Plan(LAUNCHED_PLAN, "5G Ultra, Unlimited", "POSTPAID", "65.00", "EUR", "", "", "", "24", "")


def _at(start: dt.date, day: int, hhmm: str) -> str:
    return f"{(start + dt.timedelta(days=day)).isoformat()}T{hhmm}:00Z"


def catalog_for_day(start: dt.date, day: int) -> list[Plan]:
    """The full catalog as of extract day `day` (0-based from `start`)."""
    plans = []
    for plan in _BASE_CATALOG:
        if plan.plan_id == RETIRED_PLAN and day >= RETIRE_DAY:
            continue
        if plan.plan_id == RENAMED_PLAN and day >= RENAME_DAY:
            plan = dataclasses.replace(plan, plan_name="Max 40GB, Talk & Text", updated_at=_at(start, RENAME_DAY, "03:00"))
        if plan.plan_id == FEE_CHANGED_PLAN and day >= FEE_CHANGE_DAY:
            plan = dataclasses.replace(plan, monthly_fee="12.00", updated_at=_at(start, FEE_CHANGE_DAY, "01:15"))
        plans.append(plan)
    if day >= LAUNCH_DAY:
        plans.append(dataclasses.replace(_LAUNCHED, updated_at=_at(start, LAUNCH_DAY, "00:30")))
    return plans


def plans_customers_can_choose(day: int) -> tuple[str, ...]:
    """Plans sold on `day`: the launched plan is sold a day before the catalog delivers it."""
    chosen = [p.plan_id for p in _BASE_CATALOG if not (p.plan_id == RETIRED_PLAN and day >= RETIRE_DAY)]
    if day >= LAUNCH_DAY - 1:
        chosen.append(LAUNCHED_PLAN)
    return tuple(chosen)


def initial_plan_choices() -> tuple[str, ...]:
    return tuple(p.plan_id for p in _BASE_CATALOG)


def _header_variant(rng: random.Random, name: str) -> str:
    """Header names are case-insensitive and may carry spaces (contract section 2)."""
    draw = rng.random()
    if draw < 0.6:
        return name
    if draw < 0.75:
        return name.upper()
    if draw < 0.85:
        return name.title()
    return f" {name} "


def _type_variant(rng: random.Random, plan_type: str) -> str:
    draw = rng.random()
    return plan_type if draw < 0.8 else plan_type.lower() if draw < 0.9 else plan_type.title()


def render_plans_csv(seed: int, day: int, plans: list[Plan], bad_rows: list[dict[str, str]],
                     defect_rng: random.Random | None) -> bytes:
    """One catalog snapshot. Day 0 has the canonical layout; later days reorder the columns,
    vary header case and spacing, shuffle rows, sometimes add an unknown column, a UTF-8 BOM
    or bare-LF line ends. `bad_rows` (defects) are placed by `defect_rng` so the good rows'
    bytes do not depend on them."""
    rng = stream(seed, "plans", day)
    columns = list(COLUMNS)
    with_extra = False
    if day > 0:
        rng.shuffle(columns)
        with_extra = rng.random() < 0.4
        if with_extra:
            columns.insert(rng.randrange(len(columns) + 1), EXTRA_COLUMN)
    header = [name if day == 0 else _header_variant(rng, name) for name in columns]
    with_bom = day > 0 and rng.random() < 0.3
    line_end = "\n" if day > 0 and rng.random() < 0.3 else "\r\n"
    rows = [plan.as_row() for plan in plans]
    if day > 0:
        rng.shuffle(rows)
    for row in rows:
        row["plan_type"] = _type_variant(rng, row["plan_type"])
        row[EXTRA_COLUMN] = f"L{rng.randrange(1000, 9999)}"
    if bad_rows and defect_rng is not None:
        rows = interleave(defect_rng, rows, [{**row, EXTRA_COLUMN: "L0000"} for row in bad_rows])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows([row[column] for column in columns] for row in rows)
    return (b"\xef\xbb\xbf" if with_bom else b"") + out.getvalue().encode("utf-8")
