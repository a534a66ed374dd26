"""Deciding a failure to comply from the pages: acceptable (no further action) or unacceptable with a warning (its
type revealed under it) or a breach, the reason and the date. The form offers only what the policy allows (no
warning once the warnings allowed in the period have been given) and calls the same service as the API
(``enforcement.services.enforcement_decision_record``): the same checks, version check and audit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from openprobation.core import clock
from openprobation.enforcement import selectors as enforcement_selectors
from openprobation.enforcement import services as enforcement_services
from openprobation.enforcement.choices import DecisionStatus, EnforcementAction, WarningLetterType
from openprobation.people import selectors as people_selectors
from openprobation.rules.dates import long_date
from openprobation.rules.enforcement import Action
from openprobation.web.case_sections import case_url
from openprobation.web.errors import staff_page
from openprobation.web.form_pages import form_page, posted_version
from openprobation.web.work_forms import FormField

ACTION_OPTIONS = {
    Action.NO_FURTHER_ACTION: "Acceptable: no further action",
    Action.WARNING: "Unacceptable: give a warning",
    Action.BREACH: "Unacceptable: breach the order (on licence, recall initiated)",
}
REASON_LIMIT = enforcement_services.REASON_LIMIT


@staff_page
def enforcement_decision(request: HttpRequest, crn: str, decision_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, crn=crn, audit_view=request.method == "GET")
    decision = enforcement_selectors.enforcement_decision_get(person=person, decision_id=decision_id)
    status = enforcement_selectors.compliance_status(person=person, now=clock.now())
    rule = status.next_failure
    actions = [a for a in Action if not (a is Action.WARNING and rule.breach_required)]
    warning_labels = dict(WarningLetterType.choices)
    warning_type = FormField(
        "warning_type", "Which warning", "radios", missing="Select which warning",
        options=[(w.value, warning_labels[w.value]) for w in rule.warnings_allowed],
    )  # fmt: skip
    given = f"{status.warnings_given} warning{'' if status.warnings_given == 1 else 's'}"
    hint = (
        f"{given} given since {long_date(status.counted_from)}: under the policy an unacceptable failure is now "
        "breached" if rule.breach_required else f"{given} given since {long_date(status.counted_from)}"
    )
    fields = [
        FormField("action", "Decision", "radios", hint=hint, missing="Select the decision",
                  options=[(a.value, ACTION_OPTIONS[a]) for a in actions],
                  conditional=((Action.WARNING.value, warning_type),) if not rule.breach_required else ()),
        FormField("reason", "Reason", "textarea", max_length=REASON_LIMIT, missing="Enter the reason for the decision",
                  hint="The reasons they gave, and why these were or were not accepted"),
        FormField("decided_on", "Date of the decision", "date", missing="Enter the date of the decision"),
    ]  # fmt: skip
    today = clock.today()
    initial = {"decided_on_day": str(today.day), "decided_on_month": str(today.month),
               "decided_on_year": str(today.year)}  # fmt: skip

    def save(values: dict[str, Any]) -> str:
        action = values["action"]
        enforcement_services.enforcement_decision_record(
            actor=request.user, person=person, decision_id=decision.pk, version=posted_version(request),
            acceptable=action == EnforcementAction.NO_FURTHER_ACTION, action=action,
            warning_type=values.get("warning_type") or "", reason=values["reason"], decided_on=values["decided_on"],
        )  # fmt: skip
        return "Decision on the failure to comply recorded"

    return form_page(
        request,
        fields=fields,
        save=save,
        initial=initial,
        hidden={"version": str(decision.version)},
        done_url=case_url(person.crn, "enforcement"),
        template="web/enforcement_decision.html",
        context={"person": person, "heading": "Decide on a failure to comply", "submit": "Record the decision",
                 "decision": decision, "status": status, "decided": decision.status == DecisionStatus.DECIDED},
    )  # fmt: skip
