"""Serious further offences (SFOs): the qualifying offences, when the review is due, and the statistics by RoSH level.

Policy data: policy/serious_further_offences.toml (sources there). The review is due three calendar months after
the notification (verified); the notification deadline was not found (unverified, not enforced).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from openprobation.rules.dates import add_months
from openprobation.rules.registrations import ROSH_ORDER

UNKNOWN_ROSH = "unknown"
ROSH_ROWS = (*reversed(ROSH_ORDER), UNKNOWN_ROSH)  # very high first, as the published statistics group them


@dataclass(frozen=True)
class SfoPolicy:
    policy_version: str
    review_months: int
    review_unverified: bool
    offences: dict[str, str]  # code -> name
    mandatory: frozenset[str]
    unverified: tuple[str, ...]


@cache
def sfo_policy() -> SfoPolicy:
    text = resources.files(__package__).joinpath("policy/serious_further_offences.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    unverified = [f"{name}: {raw[name]['note']}" for name in ("review", "notification") if raw[name]["unverified"]]
    return SfoPolicy(
        policy_version=raw["policy_version"],
        review_months=int(raw["review"]["months"]),
        review_unverified=bool(raw["review"]["unverified"]),
        offences={code: spec["name"] for code, spec in raw["offences"].items()},
        mandatory=frozenset(code for code, spec in raw["offences"].items() if spec["mandatory"]),
        unverified=tuple(unverified),
    )


def review_due(notified_on: dt.date, policy: SfoPolicy | None = None) -> dt.date:
    """The day the review is due: the policy's months after the notification (the month's last day when the day
    does not exist in it)."""
    policy = policy or sfo_policy()
    return add_months(notified_on, policy.review_months)


def statistics_by_rosh(levels: Iterable[str]) -> dict[str, int]:
    """Notifications counted by the RoSH level at notification (very high first; "unknown" when none was recorded)."""
    counts = Counter(level or UNKNOWN_ROSH for level in levels)
    return {level: counts.get(level, 0) for level in ROSH_ROWS}
