"""Long tables and lists built in one pass: the national risk quality report shows a row of counts for each of some
650 teams and offers every team in its filter, and the template language takes tens of milliseconds to loop over so
many rows (its loops resolve every variable through the context). These tags write the same markup directly, each
value escaped as the template would escape it."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def escape(value: Any) -> str:
    """As the template language escapes a value (``django.utils.html.escape``, without its lazy-string wrapper)."""
    return html.escape(str(value))


NUMERIC_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">'


@register.simple_tag
def select_options(choices: Iterable[Sequence[Any]], selected: Any) -> SafeString:
    """``<option>`` for each ``(value, label)``, the one equal to ``selected`` marked selected."""
    parts = []
    for value, label in choices:
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return mark_safe("".join(parts))  # every value escaped above


@register.simple_tag
def count_rows(rows: Iterable[Any], *, codes: bool = False, link: str = "") -> SafeString:
    """A table row for each count row (``risk.quality.CountRow``): its name (with its code, for ``codes``; a link to
    ``link`` followed by its code, for ``link``), then the RSR, tier, allocation, all, unverified and cannot-check
    counts."""
    parts = []
    for row in rows:
        code = f' <span class="govuk-body-s">({escape(row.code)})</span>' if codes and row.code else ""
        name = escape(row.name)
        if link and row.code:
            name = f'<a class="govuk-link" href="{escape(link + row.code)}">{name}</a>'

        cell = f"</td>{NUMERIC_CELL}"
        numbers = (row.rsr, row.tier, row.allocation, row.total, row.unverified, row.cannot_check)
        cells = f"{NUMERIC_CELL}{cell.join(str(int(n)) for n in numbers)}</td>"
        parts.append(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{name}{code}</th>'
            f"{cells}</tr>"
        )
    return mark_safe("\n".join(parts))  # every value escaped above
