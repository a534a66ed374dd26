"""Long tables and lists built in one pass: the national risk quality report shows a row of counts for each of some
650 teams, offers every team in its filter and lists a page of cases, and the template language takes tens of
milliseconds to loop over so many rows (its loops resolve every variable through the context). These tags write the
same markup directly, each value escaped as the template would escape it."""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def escape(value: Any) -> str:
    """As the template language escapes a value (``django.utils.html.escape``, without its lazy-string wrapper)."""
    return html.escape(str(value))


NUMERIC_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">'


@register.simple_tag
def select_options(choices: Iterable[Sequence[Any]], selected: Any) -> SafeString:
    """``<option>`` for each ``(value, label)``, the one equal to ``selected`` marked selected. The markup is a pure
    function of the choices and the selection, kept for the last few of them (the same 651 teams on every national
    report), so it can never differ from what the choices would give."""
    return _options(tuple((value, label) for value, label in choices), selected)


@functools.lru_cache(maxsize=32)
def _options(choices: tuple[tuple[Any, Any], ...], selected: Any) -> SafeString:
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


CELL = '<td class="govuk-table__cell">'


@register.simple_tag
def disagreement_rows(rows: Iterable[Any]) -> SafeString:
    """A table row for each row of the risk quality report (``risk.quality.Disagreement``): the case (a link to its
    risk scores, its CRN and practitioner), its team and region, the check, the recorded and calculated or expected
    values, and the difference with its reason."""
    parts = []
    case = reverse("web:case", args=["0"])  # a plain CRN (letters and digits) takes the place of "0" as it stands
    for row in rows:
        crn = str(row.crn)
        link = escape(f"{case[:-2]}{crn}/" if crn.isascii() and crn.isalnum() else reverse("web:case", args=[crn]))
        practitioner = f", {escape(row.practitioner)}" if row.practitioner else ""
        region = f'<br><span class="govuk-body-s">{escape(row.region_name)}</span>' if row.region_name else ""
        parts.append(
            f'<tr class="govuk-table__row">{CELL}<a class="govuk-link" href="{link}#risk-scores">{escape(row.name)}</a>'
            f'<br><span class="govuk-body-s">{escape(row.crn)}{practitioner}</span></td>'
            f"{CELL}{escape(row.team_name or 'Unallocated')}{region}</td>"
            f"{CELL}{escape(row.kind_label)}</td>{CELL}{escape(row.recorded)}</td>{CELL}{escape(row.calculated)}</td>"
            f'{CELL}{escape(row.difference)}<br><span class="govuk-body-s">{escape(row.reason)}</span></td></tr>'
        )
    return mark_safe("\n".join(parts))  # every value escaped above
