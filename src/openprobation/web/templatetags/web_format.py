"""Template filters that show dates, ages, RoSH levels and registration names the way the pages need them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import dateformat, timezone

from openprobation.core import clock
from openprobation.rules.dates import age_in_years
from openprobation.rules.registrations import registration_type, rosh_codes
from openprobation.safeguarding.choices import RiskGroup
from openprobation.sentences.choices import REQUIREMENT_UNITS
from openprobation.web import audit_words, risk_words

register = template.Library()
RISK_GROUP_LABELS = dict(RiskGroup.choices)

ROSH_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}
# GOV.UK tag colours, darker for a higher risk of serious harm.
ROSH_TAG_CLASSES = {
    "low": "govuk-tag--green",
    "medium": "govuk-tag--yellow",
    "high": "govuk-tag--orange",
    "very_high": "govuk-tag--red",
}


@register.filter
def uk_date(value: dt.date | dt.datetime | None) -> str:
    """``3 Feb 2026``; a date and time is shown in UK local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return dateformat.format(value.date(), "j M Y")
    return dateformat.format(value, "j M Y")


@register.filter
def uk_datetime(value: dt.datetime | None) -> str:
    """``3 Feb 2026, 14:05`` in UK local time."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{dateformat.format(local.date(), 'j M Y')}, {local:%H:%M}"


@register.filter
def age(date_of_birth: dt.date | None) -> int | str:
    return age_in_years(date_of_birth, clock.today()) if date_of_birth else ""


@register.filter
def rosh_label(level: str | None) -> str:
    return ROSH_LABELS.get(level or "", "Not recorded")


@register.filter
def rosh_tag_class(level: str | None) -> str:
    return ROSH_TAG_CLASSES.get(level or "", "govuk-tag--grey")


@register.filter
def is_rosh_code(code: str) -> bool:
    """Whether a registration code is a RoSH level (shown as the RoSH tag, not again as a flag)."""
    return code in rosh_codes()


@register.filter
def registration_name(code: str) -> str:
    kind = registration_type(code)
    return kind.name if kind is not None else f"Unknown registration type {code}"


@register.filter
def requirement_unit(requirement_type: str) -> str:
    return REQUIREMENT_UNITS.get(requirement_type, "")


@register.filter
def plural(count: int, word: str) -> str:
    """``1 case``, ``57 cases``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@register.filter
def page_links(page: Any) -> list[tuple[int, str]]:
    """The page numbers the pagination shows, each ``current``, ``link`` or ``ellipsis``: the first and last pages,
    two either side of the current one, and an ellipsis in place of the second or the last but one when they are
    not shown. Worked out from the numbers shown, not by visiting every page (a national report has hundreds)."""
    last, current = page.paginator.num_pages, page.number
    numbers = sorted(n for n in {1, 2, last - 1, last, *range(current - 2, current + 3)} if 1 <= n <= last)
    return [
        (n, "current" if n == current else "link" if n in (1, last) or abs(n - current) <= 2 else "ellipsis")
        for n in numbers
    ]


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters changed, e.g. for pagination links."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def audit_action(action: str) -> str:
    return audit_words.action_words(action)


@register.filter
def audit_values(values: Any) -> list[tuple[str, str]]:
    return audit_words.values_in_words(values)


@register.filter
def audit_who(event: Any) -> str:
    return audit_words.who(event)


@register.filter
def risk_groups(codes: list[str]) -> str:
    """Who is at risk, in words: "children and staff"."""
    names = [RISK_GROUP_LABELS.get(code, code).lower() for code in codes or []]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


@register.filter
def term_name(code: str) -> str:
    return risk_words.name_words(str(code))


@register.filter
def term_value(value: Any) -> str:
    return risk_words.value_words(value)


@register.filter
def risk_sentence(text: str) -> str:
    return risk_words.sentence_words(str(text))
