"""Quality and inspection pages: audit rounds (open one, draw its sample), the case audit (each key question's
prompts with the record's evidence beside them, and the auditor's judgements), the ratings of a round (case
standards from the judgements, the others by an inspector, the overall score and a rating panel's override), the
league table with a chart of ratings over time, and the serious further offence register.

The same services and selectors as the API (``quality.services``, ``quality.selectors``): the same access rules
(readers: SPOs, heads of service, quality assurance, administrators; audits and ratings by quality assurance only;
case detail only for cases the reader may see), the same checks and the same audit trail.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openprobation.core import clock
from openprobation.organisation.roles import AUDITORS, has_role
from openprobation.quality import selectors, services
from openprobation.rules import case_audit
from openprobation.rules.dates import long_date
from openprobation.rules.ratings import KEY_QUESTION_WORDS, KEY_QUESTIONS, RATING_WORDS, RATINGS, rating_policy
from openprobation.rules.serious_further_offences import ROSH_ROWS, sfo_policy
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.work_forms import FormField

STANDARD_WORDS = {
    "leadership": "Leadership",
    "staff": "Staff",
    "services": "Services",
    "information_and_facilities": "Information and facilities",
    "assessment": "Assessment",
    "planning": "Planning",
    "implementation_and_delivery": "Implementation and delivery",
    "reviewing": "Reviewing",
    "unpaid_work": "Unpaid work",
    "through_the_gate": "Through the Gate",
    "court_reports_and_allocation": "Court reports and allocation",
    "statutory_victim_work": "Statutory victim work",
    "court_work": "Court work",
}
LEVEL_WORDS = {"provider": "Providers", "region": "Regions", "pdu": "Probation delivery units"}
ROSH_WORDS = {"very_high": "Very high", "high": "High", "medium": "Medium", "low": "Low", "unknown": "None recorded",
              "": "None recorded"}  # fmt: skip
RATING_OPTIONS = [(r, RATING_WORDS[r]) for r in RATINGS]
JUDGEMENT_OPTIONS = (("sufficient", "Sufficient"), ("insufficient", "Insufficient"))
TEXT_LIMIT = services.TEXT_LIMIT


def _page(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """A quality form (``form_pages.form_page``): the service ``save`` calls checks the role, and nothing is saved on
    an error."""
    return form_page(request, **{"template": "web/quality_form.html", **kwargs}, writers_only=False)


def _round_url(round_id: int) -> str:
    return reverse("web:audit-round", args=[round_id])


@staff_page
def quality_home(request: HttpRequest) -> HttpResponse:
    rounds = selectors.audit_round_list(actor=request.user)
    ratings = selectors.ratings_for_rounds(rounds)
    rows = [(r, selectors.scope_of(r), ratings[r.pk]) for r in rounds]
    return render(request, "web/quality_home.html", {"rows": rows, "auditor": has_role(request.user, *AUDITORS),
                                                     "nav": "audits"})  # fmt: skip


@staff_page
def round_new(request: HttpRequest) -> HttpResponse:
    selectors.require_reader(request.user)
    schemes = rating_policy().schemes
    fields = [
        FormField("name", "Name of the round", "text", max_length=services.NAME_LIMIT,
                  hint="For example, Camden and Islington, spring 2026", missing="Enter a name for the round"),
        FormField("scope", "What the round covers", "select", options=selectors.scope_choices(),
                  missing="Choose the provider, region or PDU"),
        FormField("scheme", "Standards (rating scheme)", "select", required=False,
                  options=[("", "The usual scheme: the PDU scheme for a PDU, otherwise the policy's default")]
                  + [(name, s.title) for name, s in schemes.items()]),
        FormField("starts_on", "Start date", "date", missing="Enter the start date"),
        FormField("ends_on", "End date", "date", missing="Enter the end date"),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        level, _, code = values["scope"].partition(":")
        made = services.audit_round_create(actor=request.user, name=values["name"], scope_level=level,
                                           scope_code=code, starts_on=values["starts_on"], ends_on=values["ends_on"],
                                           scheme=values["scheme"] or None)  # fmt: skip
        made_ids.append(made.pk)
        return f"Audit round {made.name} opened: draw its sample next"

    made_ids: list[int] = []
    return _page(request, fields=fields, save=save, done_url=reverse("web:quality"),
                 success_url=lambda: _round_url(made_ids[0]),
                 context={"heading": "Open an audit round", "submit": "Open the round", "nav": "audits"})  # fmt: skip


@staff_page
def audit_round(request: HttpRequest, round_id: int) -> HttpResponse:
    found = selectors.audit_round_get(actor=request.user, round_id=round_id)
    ratings = selectors.round_ratings(found)
    cases = selectors.round_cases(actor=request.user, audit_round=found)
    scheme = rating_policy().schemes[found.scheme]
    standards = [
        {"name": s.standard, "words": STANDARD_WORDS.get(s.standard, s.standard), "result": s,
         "questions": [(KEY_QUESTION_WORDS[kq], s.counts.get(kq)) for kq in KEY_QUESTIONS]
         if s.source == "cases" else []}
        for s in ratings.standards
    ]  # fmt: skip
    return render(request, "web/audit_round.html", {
        "round": found, "scope": selectors.scope_of(found), "ratings": ratings, "standards": standards,
        "cases": cases, "scheme": scheme, "auditor": has_role(request.user, *AUDITORS), "rosh_words": ROSH_WORDS,
        "largest_sample": case_audit.case_audit_policy().largest_sample, "nav": "audits",
        "unverified": rating_policy().unverified,
    })  # fmt: skip


@staff_page
def sample_draw(request: HttpRequest, round_id: int) -> HttpResponse:
    found = selectors.audit_round_get(actor=request.user, round_id=round_id)
    fields = [
        FormField("size", "How many cases to sample", "number", missing="Enter the number of cases to sample",
                  hint=f"From 1 to {case_audit.case_audit_policy().largest_sample}. The sample is drawn at random "
                  "from the cases a team holds in the round's scope, in proportion to each team and RoSH level."),
        FormField("seed", "Random seed (optional)", "number", required=False,
                  hint="Leave empty for a random one. The seed is kept, so the same draw can be repeated."),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        drawn = services.audit_sample_draw(actor=request.user, round_id=found.pk, size=values["size"],
                                           seed=values["seed"])  # fmt: skip
        return f"{len(drawn)} cases drawn for the sample"

    return _page(request, fields=fields, save=save, done_url=_round_url(found.pk),
                 context={"heading": "Draw the sample", "submit": "Draw the sample", "caption": found.name,
                          "nav": "audits"})  # fmt: skip


@staff_page
def audit_case(request: HttpRequest, round_id: int, crn: str) -> HttpResponse:
    found = selectors.audit_round_get(actor=request.user, round_id=round_id)
    the_case = selectors.audit_case_get(actor=request.user, audit_round=found, crn=crn,
                                        audit_view=request.method == "GET")  # fmt: skip
    evidence = selectors.audit_evidence(person=the_case.person, standards=selectors.case_standards_of(found.scheme))
    judged = selectors.judgements_of(the_case)
    fields: list[FormField] = []
    initial: dict[str, str] = {}
    for standard in evidence:
        for q in standard.questions:
            words = f"{standard.title.lower()}, {KEY_QUESTION_WORDS[q.key_question]}"
            fields.append(FormField(q.name, "Judgement", "radios", options=JUDGEMENT_OPTIONS, inline=True,
                                    missing=f"Say whether {words} was sufficient"))  # fmt: skip
            fields.append(FormField(f"{q.name}.notes", "Notes", "textarea", required=False, max_length=TEXT_LIMIT,
                                    hint="Required when insufficient: what was missing"))  # fmt: skip
            if (j := judged.get((q.standard, q.key_question))) is not None:
                initial[q.name] = "sufficient" if j.sufficient else "insufficient"
                initial[f"{q.name}.notes"] = j.notes
    names = [f.name for f in fields if f.kind == "radios"]

    def save(values: dict[str, Any]) -> str:
        judgements = {n: {"sufficient": values[n] == "sufficient", "notes": values[f"{n}.notes"]} for n in names}
        services.audit_case_record(actor=request.user, round_id=found.pk, crn=the_case.person.crn,
                                   version=posted_version(request), judgements=judgements)  # fmt: skip
        return f"Audit of {the_case.person.name} ({the_case.person.crn}) recorded"

    response = _page(request, fields=fields, save=save, done_url=_round_url(found.pk), initial=initial,
                     template="web/audit_case.html", hidden={"version": str(the_case.version)},
                     context={"round": found, "audit_case": the_case, "person": the_case.person,
                              "evidence": evidence, "auditor": has_role(request.user, *AUDITORS),
                              "rosh_words": ROSH_WORDS, "nav": "audits"})  # fmt: skip
    return response


@staff_page
def standard_rate(request: HttpRequest, round_id: int, standard: str) -> HttpResponse:
    found = selectors.audit_round_get(actor=request.user, round_id=round_id)
    if standard not in selectors.inspector_standards_of(found.scheme):
        raise Http404(f"No standard {standard} rated by an inspector in this round")
    current = selectors.round_ratings(found).get(standard)
    fields = [
        FormField("rating", "Rating", "radios", options=RATING_OPTIONS, missing="Choose the rating"),
        FormField("evidence", "Evidence", "textarea", max_length=TEXT_LIMIT,
                  missing="Enter the evidence for the rating",
                  hint="What the rating rests on: interviews, documents, data"),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        services.standard_rate(actor=request.user, round_id=found.pk, standard=standard, rating=values["rating"],
                               evidence=values["evidence"])  # fmt: skip
        return f"{STANDARD_WORDS.get(standard, standard)} rated {RATING_WORDS[values['rating']].lower()}"

    return _page(request, fields=fields, save=save, done_url=_round_url(found.pk),
                 initial={"rating": current.rating or "", "evidence": current.evidence},
                 context={"heading": f"Rate the standard: {STANDARD_WORDS.get(standard, standard)}",
                          "submit": "Save the rating", "caption": found.name, "nav": "audits"})  # fmt: skip


@staff_page
def rating_override(request: HttpRequest, round_id: int) -> HttpResponse:
    found = selectors.audit_round_get(actor=request.user, round_id=round_id)
    overall = selectors.round_ratings(found).overall
    fields = [
        FormField("rating", "The rating panel's overall rating", "radios", options=RATING_OPTIONS,
                  missing="Choose the rating"),
        FormField("reason", "Reason", "textarea", max_length=TEXT_LIMIT,
                  missing="Enter the rating panel's reason for the override",
                  hint="Why the panel's rating replaces the calculated one. The calculated rating is kept beside it."),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        services.rating_override(actor=request.user, round_id=found.pk, version=posted_version(request),
                                 rating=values["rating"], reason=values["reason"])  # fmt: skip
        return "The rating panel's rating recorded"

    intro = (f"Calculated: {RATING_WORDS[overall.calculated_rating]}, {overall.points} of {overall.maximum_points} "
             "points." if overall else "Not every standard is rated yet: the panel's rating will stand beside the "
             "calculated one once they are.")  # fmt: skip
    return _page(request, fields=fields, save=save, done_url=_round_url(found.pk),
                 hidden={"version": str(found.version)},
                 initial={"rating": found.override_rating, "reason": found.override_reason},
                 context={"heading": "Override the overall rating", "submit": "Record the panel's rating",
                          "caption": found.name, "intro": intro, "nav": "audits"})  # fmt: skip


# ---- league table and chart ------------------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_TOP, CHART_RIGHT = 640, 260, 48, 40, 12, 16
# GOV.UK colours, told apart by shape too (each line's markers have their own shape).
CHART_COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#5694ca", "#912b88", "#85994b", "#28a197",
                 "#6f72af")  # fmt: skip


def _chart(trends: list[selectors.Trend]) -> dict[str, Any] | None:
    """Each unit's overall score (as a share of its scheme's maximum) at each round's end date, as SVG coordinates.
    Attributes only (no inline style), so the page keeps to the content security policy."""
    points = [p for t in trends for p in t.points]
    if not points:
        return None
    first, last = min(p.ends_on for p in points), max(p.ends_on for p in points)
    span = max((last - first).days, 1)
    inner_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    inner_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    def x(day: Any) -> float:
        return round(CHART_LEFT + (inner_w * (day - first).days / span if last != first else inner_w / 2), 1)

    def y(score: int, maximum: int) -> float:
        return round(CHART_TOP + inner_h * (1 - score / maximum), 1)

    lines = []
    for i, t in enumerate(trends):
        marks = [{"x": x(p.ends_on), "y": y(p.score, p.maximum),
                  "title": f"{t.name}, {p.round_name}: {p.score} of {p.maximum} ({RATING_WORDS[p.rating]})"}
                 for p in t.points]  # fmt: skip
        lines.append({"name": t.name, "colour": CHART_COLOURS[i % len(CHART_COLOURS)], "marks": marks,
                      "points": " ".join(f"{m['x']},{m['y']}" for m in marks)})  # fmt: skip
    grid = [{"y": y(share, 100), "label": f"{share}%"} for share in (0, 25, 50, 75, 100)]
    dates = sorted({p.ends_on for p in points})
    ticks = [{"x": x(d), "label": d.strftime("%b %Y")} for d in dates]
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "lines": lines, "grid": grid, "ticks": ticks,
            "left": CHART_LEFT, "right": CHART_WIDTH - CHART_RIGHT, "axis_y": CHART_HEIGHT - CHART_BOTTOM,
            "tick_label_y": CHART_HEIGHT - CHART_BOTTOM + 18}  # fmt: skip


@staff_page
def league_table(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "pdu")
    if level not in LEVEL_WORDS:
        level = "pdu"
    rows = selectors.league_table(actor=request.user, level=level)
    trends = selectors.rating_trends(actor=request.user, level=level)
    standards: list[str] = []
    for row in rows:
        standards += [s.standard for s in row.ratings.standards if s.standard not in standards]
    table = [
        {"row": row, "cells": [
            (row.ratings.get(s) if s in [r.standard for r in row.ratings.standards] else None, row.standard_change(s)
             if s in [r.standard for r in row.ratings.standards] else None) for s in standards]}
        for row in rows
    ]  # fmt: skip
    return render(request, "web/league_table.html", {
        "level": level, "levels": LEVEL_WORDS, "level_words": LEVEL_WORDS[level], "table": table,
        "standards": [(s, STANDARD_WORDS.get(s, s)) for s in standards],
        "chart": _chart(trends), "trends": trends, "nav": "league",
    })  # fmt: skip


# ---- serious further offences -----------------------------------------------------------------------------------


@staff_page
def sfo_register(request: HttpRequest) -> HttpResponse:
    sfos = selectors.sfo_list(actor=request.user)
    stats = selectors.sfo_statistics(actor=request.user)
    policy = sfo_policy()
    return render(request, "web/sfo_register.html", {
        "sfos": sfos, "stats": stats, "by_rosh": [(ROSH_WORDS[level], stats.by_rosh[level]) for level in ROSH_ROWS],
        "offences": policy.offences, "rosh_words": ROSH_WORDS, "today": clock.today(), "policy": policy, "nav": "sfo",
    })  # fmt: skip


@staff_page
def sfo_new(request: HttpRequest) -> HttpResponse:
    selectors.require_reader(request.user)
    fields = [
        FormField("crn", "CRN of the case", "text", max_length=7, missing="Enter the case's CRN"),
        FormField("offence", "Qualifying offence", "select", options=list(sfo_policy().offences.items()),
                  missing="Choose the qualifying offence"),
        FormField("offence_date", "Date of the offence", "date", missing="Enter the date of the offence"),
        FormField("charged_on", "Date charged", "date", missing="Enter the date charged"),
        FormField("notified_on", "Date notified", "date", missing="Enter the date notified"),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        made = services.sfo_notify(actor=request.user, crn=values["crn"].strip().upper(), offence=values["offence"],
                                   offence_date=values["offence_date"], charged_on=values["charged_on"],
                                   notified_on=values["notified_on"])  # fmt: skip
        return f"Serious further offence notified: review due {long_date(made.review_due_on)}"

    today = clock.today()
    return _page(request, fields=fields, save=save, done_url=reverse("web:sfo-register"),
                 initial={"notified_on_day": str(today.day), "notified_on_month": str(today.month),
                          "notified_on_year": str(today.year)},
                 context={"heading": "Notify a serious further offence", "submit": "Record the notification",
                          "nav": "sfo"})  # fmt: skip


@staff_page
def sfo_review(request: HttpRequest, sfo_id: int) -> HttpResponse:
    sfo = selectors.sfo_get(actor=request.user, sfo_id=sfo_id)
    fields = [
        FormField("reviewer", "Reviewer's staff code", "text", max_length=10,
                  missing="Enter the reviewer's staff code"),
        FormField("findings", "Findings", "textarea", required=False, max_length=TEXT_LIMIT),
        FormField("learning_actions", "Learning actions", "textarea", required=False, max_length=TEXT_LIMIT),
        FormField("completed_on", "Date the review was completed", "date", required=False,
                  hint="Leave empty while the review is in progress. For example, 27 3 2026"),
    ]  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        services.sfo_review_record(actor=request.user, sfo_id=sfo.pk, version=posted_version(request),
                                   reviewer=values["reviewer"].strip(), findings=values["findings"],
                                   learning_actions=values["learning_actions"],
                                   completed_on=values["completed_on"])  # fmt: skip
        return "Review recorded"

    initial = {"reviewer": sfo.reviewer.code if sfo.reviewer else "", "findings": sfo.findings,
               "learning_actions": sfo.learning_actions}  # fmt: skip
    if sfo.review_completed_on:
        d = sfo.review_completed_on
        initial |= {
            "completed_on_day": str(d.day),
            "completed_on_month": str(d.month),
            "completed_on_year": str(d.year),
        }
    intro = (f"{sfo_policy().offences.get(sfo.offence, sfo.offence)} on case {sfo.person.crn}, notified "
             f"{long_date(sfo.notified_on)}; review due {long_date(sfo.review_due_on)}.")  # fmt: skip
    return _page(request, fields=fields, save=save, done_url=reverse("web:sfo-register"), initial=initial,
                 hidden={"version": str(sfo.version)},
                 context={"heading": "Serious further offence review", "submit": "Save the review", "intro": intro,
                          "caption": sfo.person.name, "nav": "sfo"})  # fmt: skip
