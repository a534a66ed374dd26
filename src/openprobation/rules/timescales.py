"""Operating timescales: which work items an event in a case record makes due, by when, and for whom.

Policy is data: one TOML preset per regime in ``policy/timescales_<preset>.toml`` (National Standards 2007, the
2014-2021 contract service levels, and the Probation Service levels from 2021, the default), each rule citing its
source and an evidence label; values no retrieved source gives are flagged ``unverified``. See docs/timescales.md.

The contract for a service: when something happens in the record, build a :class:`TriggerEvent` and call
:func:`items_due`; store each :class:`DueItem` (its due date, rule id, policy version and reason). When a recurring
item is done, :func:`next_occurrence` gives the next one. Whether an item is overdue is worked out when it is read,
with :func:`is_overdue`. Day counting is the working-day convention of :mod:`openprobation.rules.calendar`.

Facts that a rule's conditions need but the event does not give (the tier, the RoSH level, ...) never drop work:
the rule is applied, and where two rules for the same kind of item compete (tier 1-3 or tier 4, say) the earliest
due date wins. The reason text says which fact was missing.

This module gathers the public names of the modules that hold each part: the terms (:mod:`.timescale_types`),
applying the rules (:mod:`.timescale_engine`), the words of a reason (:mod:`.timescale_wording`) and the preset
files (:mod:`.timescale_presets`).
"""

from __future__ import annotations

from openprobation.rules.timescale_engine import items_due, next_occurrence
from openprobation.rules.timescale_presets import (
    DEFAULT_PRESET,
    parse_policy,
    timescale_policy,
    timescale_policy_for,
    timescale_policy_in_force,
    timescale_presets,
)
from openprobation.rules.timescale_types import (
    LOCAL_TIME,
    CaseFacts,
    Condition,
    DueItem,
    ItemKind,
    Owner,
    Period,
    Provider,
    RecordTerm,
    RecordTerms,
    SentenceType,
    Source,
    TimescalePolicy,
    TimescalePolicyError,
    TimescaleRule,
    Trigger,
    TriggerEvent,
    Unit,
    is_overdue,
)

__all__ = [
    "DEFAULT_PRESET",
    "LOCAL_TIME",
    "CaseFacts",
    "Condition",
    "DueItem",
    "ItemKind",
    "Owner",
    "Period",
    "Provider",
    "RecordTerm",
    "RecordTerms",
    "SentenceType",
    "Source",
    "TimescalePolicy",
    "TimescalePolicyError",
    "TimescaleRule",
    "Trigger",
    "TriggerEvent",
    "Unit",
    "is_overdue",
    "items_due",
    "next_occurrence",
    "parse_policy",
    "timescale_policy",
    "timescale_policy_for",
    "timescale_policy_in_force",
    "timescale_presets",
]
