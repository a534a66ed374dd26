"""Registration (risk flag) types by nDelius code, and the RoSH level a set of registrations implies.

Policy data: ``policy/registration_types.toml`` (source cited there).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

ROSH_ORDER = ("low", "medium", "high", "very_high")
MAPPA_CODE = "MAPP"


@dataclass(frozen=True)
class RegistrationType:
    code: str
    name: str
    group: str
    rosh: str | None = None
    levels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistrationPolicy:
    policy_version: str
    source: str
    types: dict[str, RegistrationType]


@cache
def registration_policy() -> RegistrationPolicy:
    raw = tomllib.loads(resources.files(__package__).joinpath("policy/registration_types.toml").read_text())
    types = {
        code: RegistrationType(
            code=code,
            name=spec["name"],
            group=spec["group"],
            rosh=spec.get("rosh"),
            levels=tuple(spec.get("levels", ())),
            categories=tuple(spec.get("categories", ())),
        )
        for code, spec in raw["types"].items()
    }
    return RegistrationPolicy(policy_version=raw["policy_version"], source=raw["source"], types=types)


def registration_type(code: str) -> RegistrationType | None:
    return registration_policy().types.get(code)


def rosh_codes() -> dict[str, str]:
    """nDelius code -> RoSH level, e.g. ``RHRH`` -> ``high``."""
    return {t.code: t.rosh for t in registration_policy().types.values() if t.rosh}


def rosh_level(active_codes_newest_first: Iterable[str]) -> str | None:
    """The RoSH level from active registrations: the newest RoSH registration wins (as nDelius does)."""
    levels = rosh_codes()
    for code in active_codes_newest_first:
        if code in levels:
            return levels[code]
    return None
