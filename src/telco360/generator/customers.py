"""CRM source of the generator: a simulated customer base and its daily change extracts.

Each customer has a true state that changes through the day (plan changes, suspensions and
resumptions, churn and reactivation, contact and address changes, name and birth-date
corrections, changes to fields outside the contract). Each change is delivered as the full
state at its `updatedAt`, rendered the way a real CRM export varies: offsets, e-mail case and
spaces, status case, address members missing or null. Deliveries also carry exact duplicates,
redeliveries of earlier files, same-instant redeliveries written with another offset, and
records held back and delivered days late.
"""
from __future__ import annotations

import dataclasses
import functools
import datetime as dt
import random
import unicodedata
from collections import Counter


from telco360.generator.base import (
    OFFSETS,
    SECONDS_PER_DAY,
    TimestampRenderer,
    at_least_one,
    day_epoch,
    draw_offset,
    interleave,
    json_line,
    stream,
)
from telco360.generator.plans import LAUNCH_DAY, LAUNCHED_PLAN, initial_plan_choices, plans_customers_can_choose

FIRST_NAMES = (
    "Ada", "Chinedu", "Ngozi", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sofía", "José", "Zoë",
    "Björn", "Aisha", "Wei", "Priya", "Arjun", "Fatima", "Lucas", "Mia", "Hiroshi", "Yuki", "Omar",
    "Léa", "Chloé", "Tomás", "Søren", "Ananya", "Kwame", "Amara", "Elif", "Grace", "Daniel",
)
LAST_NAMES = (
    "Okafor", "Smith", "Müller", "García", "Nguyen", "Kowalski", "Rossi", "Dubois", "Yılmaz",
    "Ivanova", "Haddad", "Mensah", "Tanaka", "O'Brien", "Silva", "Novák", "Jensen", "Patel", "Kim",
    "Andersson", "López", "Schmidt", "Adeyemi", "Brown", "Wilson", "Martin", "Costa", "Chen",
)
EMAIL_DOMAINS = ("example.com", "mail.example.org", "inbox.example.net", "example.co.uk")
STREETS = ("Marina Rd", "High St", "Main St", "Hauptstraße", "Rue de la Paix", "Park Ave", "MG Road", "Allen Ave")

# country -> (phone country code, subscriber digits, states or () when the country has none,
#             cities, postal code digits or a fixed-format template)
COUNTRIES = {
    "US": ("1", 10, ("CA", "NY", "TX", "WA"), ("Austin", "Seattle", "Albany", "San Jose"), 5),
    "GB": ("44", 10, (), ("London", "Leeds", "Bristol"), "SW{n} {n}AA"),
    "NG": ("234", 10, ("LA", "AB", "KN"), ("Lagos", "Abuja", "Kano"), 6),
    "DE": ("49", 10, (), ("Berlin", "Köln", "München"), 5),
    "IN": ("91", 10, ("MH", "KA"), ("Mumbai", "Bengaluru"), 6),
}
COUNTRY_CODES = tuple(COUNTRIES)

INITIAL_STATUS_WEIGHTS = (("ACTIVE", 90), ("SUSPENDED", 4), ("CHURNED", 6))
CHANGES_BY_STATUS = {
    "ACTIVE": (
        ("plan_change", 25), ("suspend", 10), ("churn", 6), ("email_change", 14), ("phone_change", 10),
        ("address_change", 10), ("name_correction", 10), ("birth_date_correction", 4), ("untracked_change", 11),
    ),
    "SUSPENDED": (
        ("resume", 50), ("churn", 10), ("email_change", 10), ("phone_change", 10), ("address_change", 5),
        ("name_correction", 5), ("untracked_change", 10),
    ),
    "CHURNED": (("reactivate", 60), ("name_correction", 10), ("untracked_change", 30)),
}

DAILY_CHANGE_RATE = 0.08  # share of the existing base that changes on a day
DAILY_SIGNUP_RATE = 0.01  # new customers a day, as a share of the day-0 base
LATE_CHANGE_RATE = 0.03  # change records held back 1-3 days
LATE_SIGNUP_RATE = 0.25  # new customers whose first record arrives a day after their events
DUPLICATE_RATE = 0.01  # exact duplicate lines in the same file
REDELIVERY_RATE = 0.005  # lines of yesterday's file delivered again
SAME_INSTANT_RATE = 0.005  # same state and instant, written with another offset and casing


@dataclasses.dataclass
class CrmDay:
    lines: list[bytes]  # the day's extract, in file order
    active_at_start: list[str]  # customers ACTIVE at 00:00 UTC (who generate activity)
    signups: list[tuple[str, int, bool]]  # (customer id, signup instant, first record late)
    counts: Counter


@functools.lru_cache(maxsize=None)
def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class CrmSimulation:
    """Advance with `run_day(0)`, `run_day(1)`, … in order; each call returns that day's extract."""

    def __init__(self, seed: int, base_customers: int, start: dt.date) -> None:
        self._seed = seed
        self._base_customers = base_customers
        self._start = start
        self._states: dict[str, dict] = {}
        self._next_number = 1
        self._held_back: dict[int, list[bytes]] = {}
        self._previous_lines: list[bytes] = []
        self._renderer = TimestampRenderer()

    def run_day(self, day: int) -> CrmDay:
        rng = stream(self._seed, "crm", day)
        counts: Counter = Counter()
        active_at_start = [cid for cid, s in self._states.items() if s["status"] == "ACTIVE"]
        day_start = day_epoch(self._start + dt.timedelta(days=day))
        on_time: list[tuple[int, bytes]] = []
        rerenderable: list[tuple[dict, int, int]] = []  # (state, instant, offset) of on-time changes
        signups: list[tuple[str, int, bool]] = []

        if day == 0:
            for _ in range(self._base_customers):
                state = self._new_customer(rng, day, signup=None)
                instant = day_start + rng.randrange(SECONDS_PER_DAY)
                on_time.append((instant, self._render(rng, state, instant, draw_offset(rng))))
            active_at_start = [cid for cid, s in self._states.items() if s["status"] == "ACTIVE"]
            counts["initial_records"] = len(on_time)
        else:
            existing = list(self._states)
            for number in range(at_least_one(self._base_customers, DAILY_SIGNUP_RATE)):
                instant = day_start + rng.randrange(SECONDS_PER_DAY)
                state = self._new_customer(rng, day, signup=self._start + dt.timedelta(days=day))
                line = self._render(rng, state, instant, draw_offset(rng))
                # The first sign-up of a day always arrives late: its events come before it.
                late = rng.random() < LATE_SIGNUP_RATE or number == 0
                signups.append((state["customerId"], instant, late))
                if late:
                    self._hold_back(day + 1, line)
                    counts["late_signups"] += 1
                else:
                    on_time.append((instant, line))
                counts["signup_records"] += 1
            scripted = self._scripted_changes(rng, day, existing)
            others = [cid for cid in existing if cid not in scripted]
            changers = rng.sample(others, min(len(others), at_least_one(len(existing), DAILY_CHANGE_RATE)))
            for position, (cid, kinds) in enumerate([*scripted.items(), *((cid, None) for cid in changers)]):
                state = self._states[cid]
                draw = rng.random()
                change_count = len(kinds) if kinds else 1 + (draw < 0.35) + (draw < 0.12)
                if change_count > 1:
                    counts["customers_with_several_changes"] += 1
                for number, second in enumerate(sorted(rng.sample(range(SECONDS_PER_DAY), change_count))):
                    instant = day_start + second
                    kind = self._apply_change(rng, state, day, kinds[number] if kinds else None)
                    counts[f"change:{kind}"] += 1
                    offset = draw_offset(rng)
                    line = self._render(rng, state, instant, offset)
                    # Scripted changes and the first changer are on time, so no extract is ever empty.
                    if not kinds and position > 0 and rng.random() < LATE_CHANGE_RATE:
                        self._hold_back(day + 1 + rng.randrange(3), line)
                        counts["changes_held_back"] += 1
                    else:
                        on_time.append((instant, line))
                        rerenderable.append((dict(state), instant, offset))

        on_time.sort(key=lambda pair: pair[0])
        fresh = [line for _, line in on_time]
        extras = [fresh[rng.randrange(len(fresh))] for _ in range(at_least_one(len(fresh), DUPLICATE_RATE))]
        counts["exact_duplicates_same_file"] = len(extras)
        if rerenderable:
            for state, instant, offset in rng.sample(
                rerenderable, min(len(rerenderable), at_least_one(len(rerenderable), SAME_INSTANT_RATE))
            ):
                other_offset = (offset + 1 + rng.randrange(len(OFFSETS) - 1)) % len(OFFSETS)
                extras.append(self._render(rng, state, instant, other_offset))
                counts["same_instant_other_offset"] += 1
        if self._previous_lines:
            redelivered = rng.sample(
                self._previous_lines,
                min(len(self._previous_lines), at_least_one(len(self._previous_lines), REDELIVERY_RATE)),
            )
            extras.extend(redelivered)
            counts["redelivered_from_previous_file"] = len(redelivered)
        late = self._held_back.pop(day, [])
        extras.extend(late)
        counts["late_records"] = len(late)
        rng.shuffle(extras)
        lines = interleave(rng, fresh, extras)
        counts["records"] = len(lines)
        self._previous_lines = fresh
        return CrmDay(lines, active_at_start, signups, counts)

    def _scripted_changes(self, rng: random.Random, day: int, existing: list[str]) -> dict[str, list[str]]:
        """Every day shows the status round trips, whatever the base size: a suspension and
        resumption within the day, a churn, a reactivation; on the day before the launched plan
        reaches the catalog, a customer moves to it (the inferred plan case). Delivered on time."""
        by_status: dict[str, list[str]] = {status: [] for status in CHANGES_BY_STATUS}
        for cid in existing:
            by_status[self._states[cid]["status"]].append(cid)
        wanted = [("ACTIVE", ["suspend", "resume"]), ("ACTIVE", ["churn"]), ("CHURNED", ["reactivate"])]
        if day == LAUNCH_DAY - 1:
            wanted.append(("ACTIVE", ["move_to_launched_plan"]))
        scripted: dict[str, list[str]] = {}
        for status, kinds in wanted:
            candidates = [cid for cid in by_status[status] if cid not in scripted]
            if candidates:
                scripted[rng.choice(candidates)] = kinds
        return scripted

    def _hold_back(self, delivery_day: int, line: bytes) -> None:
        self._held_back.setdefault(delivery_day, []).append(line)

    def _new_customer(self, rng: random.Random, day: int, signup: dt.date | None) -> dict:
        customer_id = f"C{self._next_number:07d}"
        self._next_number += 1
        country = rng.choice(COUNTRY_CODES)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if signup is None:
            signup = self._start - dt.timedelta(days=1 + rng.randrange(9 * 365))
            status = rng.choices(*zip(*INITIAL_STATUS_WEIGHTS))[0]
            plan = rng.choice(initial_plan_choices())
        else:
            status = "ACTIVE"
            plan = rng.choice(plans_customers_can_choose(day))
        # A typo in the first name that a later name correction fixes (a type 1 change).
        typo = len(first) > 3 and rng.random() < 0.08
        state = {
            "customerId": customer_id,
            "firstName": first[:2] + first[3:] if typo else first,
            "trueFirstName": first,
            "lastName": last,
            "email": self._new_email(rng, first, last) if rng.random() < 0.9 else None,
            "phone": self._new_phone(rng, country) if rng.random() < 0.92 else None,
            "address": self._new_address(rng, country) if rng.random() < 0.88 else None,
            "dateOfBirth": self._new_birth_date(rng) if rng.random() < 0.8 else None,
            "planId": plan,
            "status": status,
            "signupDate": signup.isoformat(),
            "country": country,
            "marketingOptIn": rng.random() < 0.5,
        }
        self._states[customer_id] = state
        return state

    @staticmethod
    def _new_email(rng: random.Random, first: str, last: str) -> str:
        return f"{_ascii_slug(first)}.{_ascii_slug(last)}{rng.randrange(1000)}@{rng.choice(EMAIL_DOMAINS)}"

    @staticmethod
    def _new_phone(rng: random.Random, country: str) -> str:
        code, digits, *_ = COUNTRIES[country]
        return f"+{code}{rng.randrange(10 ** (digits - 1), 10 ** digits)}"

    @staticmethod
    def _new_address(rng: random.Random, country: str) -> dict:
        _, _, states, cities, postal = COUNTRIES[country]
        if isinstance(postal, int):
            postal_code = str(rng.randrange(10 ** (postal - 1), 10 ** postal))
        else:
            postal_code = postal.format(n=rng.randrange(1, 10))
        address = {
            "line1": f"{rng.randrange(1, 300)} {rng.choice(STREETS)}",
            "city": rng.choice(cities),
            "state": rng.choice(states) if states else None,
            "postalCode": postal_code,
            "country": country,
        }
        for member in ("line1", "postalCode"):
            if rng.random() < 0.05:
                address[member] = None
        return address

    @staticmethod
    def _new_birth_date(rng: random.Random) -> str:
        return (dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(65 * 365))).isoformat()

    def _apply_change(self, rng: random.Random, state: dict, day: int, kind: str | None) -> str:
        if kind is None:
            kinds, weights = zip(*CHANGES_BY_STATUS[state["status"]])
            kind = rng.choices(kinds, weights)[0]
        if kind == "move_to_launched_plan":
            state["planId"] = LAUNCHED_PLAN
        elif kind == "plan_change":
            state["planId"] = rng.choice([p for p in plans_customers_can_choose(day) if p != state["planId"]])
        elif kind == "suspend":
            state["status"] = "SUSPENDED"
        elif kind == "churn":
            state["status"] = "CHURNED"
        elif kind in ("resume", "reactivate"):
            state["status"] = "ACTIVE"
            if kind == "reactivate" and rng.random() < 0.5:
                state["planId"] = rng.choice(plans_customers_can_choose(day))
        elif kind == "email_change":
            state["email"] = self._new_email(rng, state["trueFirstName"], state["lastName"])
        elif kind == "phone_change":
            state["phone"] = self._new_phone(rng, state["country"])
        elif kind == "address_change":
            state["address"] = self._new_address(rng, state["country"])
        elif kind == "name_correction":
            if state["firstName"] != state["trueFirstName"]:
                state["firstName"] = state["trueFirstName"]
            else:
                state["lastName"] = rng.choice([n for n in LAST_NAMES if n != state["lastName"]])
        elif kind == "birth_date_correction":
            state["dateOfBirth"] = self._new_birth_date(rng)
        else:  # untracked_change: only a field outside the contract changes
            state["marketingOptIn"] = not state["marketingOptIn"]
        return kind

    def _render(self, rng: random.Random, state: dict, instant: int, offset: int) -> bytes:
        record = {"customerId": state["customerId"], "firstName": state["firstName"], "lastName": state["lastName"]}
        if state["email"] is not None:
            record["email"] = _email_variant(rng, state["email"])
        elif rng.random() < 0.5:
            record["email"] = None
        if state["phone"] is not None:
            record["phone"] = state["phone"]
        if state["address"] is not None:
            record["address"] = {
                member: value for member, value in state["address"].items() if value is not None or rng.random() < 0.5
            }
        elif rng.random() < 0.5:
            record["address"] = None
        if state["dateOfBirth"] is not None:
            record["dateOfBirth"] = state["dateOfBirth"]
        record["planId"] = state["planId"]
        record["status"] = _case_variant(rng, state["status"])
        record["signupDate"] = state["signupDate"]
        record["updatedAt"] = self._renderer.render(instant, offset)
        record["marketingOptIn"] = state["marketingOptIn"]
        return json_line(record)


def _case_variant(rng: random.Random, value: str) -> str:
    draw = rng.random()
    return value if draw < 0.8 else value.lower() if draw < 0.9 else value.title()


def _email_variant(rng: random.Random, email: str) -> str:
    """The same address as the CRM front end may write it: mixed case, stray spaces."""
    draw = rng.random()
    if draw < 0.7:
        return email
    local, domain = email.split("@")
    if draw < 0.85:
        return f"{local.title()}@{domain.title()}"
    if draw < 0.95:
        return f"{email} "
    return f" {email.upper()}"
