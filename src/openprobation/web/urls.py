from django.urls import path

from openprobation.web.views import access, auth, caseload, cases, quality, risk, search, team, work

app_name = "web"
urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("sign-in/", auth.sign_in, name="sign-in"),
    path("sign-out/", auth.sign_out, name="sign-out"),
    path("case/<str:crn>/", cases.case, name="case"),
    path("case/<str:crn>/personal-details/", cases.personal_details, name="case-personal"),
    path("case/<str:crn>/risk/", cases.risk, name="case-risk"),
    path("case/<str:crn>/sentence/", cases.sentence, name="case-sentence"),
    path("case/<str:crn>/activity/", cases.activity, name="case-activity"),
    path("case/<str:crn>/compliance/", cases.compliance, name="case-compliance"),
    path("case/<str:crn>/work/", cases.work, name="case-work"),
    path("case/<str:crn>/contacts/new/", cases.record_contact, name="record-contact"),
    path("case/<str:crn>/contacts/<int:contact_id>/outcome/", cases.contact_outcome, name="contact-outcome"),
    path("case/<str:crn>/audit/", cases.audit_history, name="audit"),
    path("team/", team.teams, name="team"),
    path("team/<str:code>/", team.team, name="team-detail"),
    path("search/", search.search, name="search"),
    path("access-lists/", access.access_lists_page, name="access-lists"),
    path("access-lists/<int:entry_id>/remove/", access.access_entry_remove, name="access-entry-remove"),
    path("access-lists/audit/<str:crn>/", access.access_case_audit, name="access-case-audit"),
    path("access-lists/lift/<str:crn>/", access.access_lift, name="access-lift"),
    path("quality/risk/", quality.risk_report, name="quality-risk"),
    path("quality/risk.csv", quality.risk_report_csv, name="quality-risk-csv"),
    path("whats-due/", work.whats_due, name="whats-due"),
    path("team/<str:code>/queue/", work.team_queue, name="team-queue"),
    path("work-items/<int:item_id>/<str:action>/", work.work_item_action, name="work-item-action"),
    path("case/<str:crn>/safeguarding/new/", work.check_new, name="check-new"),
    path("case/<str:crn>/safeguarding/<int:check_id>/<str:action>/", work.check_action, name="check-action"),
    path("case/<str:crn>/rosh-assessments/new/", work.rosh_assessment_new, name="rosh-assessment-new"),
    path(
        "case/<str:crn>/rosh-assessments/<int:assessment_id>/complete/",
        work.rosh_assessment_complete,
        name="rosh-assessment-complete",
    ),
    path("case/<str:crn>/reporting/<int:change_id>/decision/", work.reporting_decision, name="reporting-decision"),
    path("case/<str:crn>/risk/criminal-history/", risk.criminal_history, name="risk-criminal-history"),
    path("case/<str:crn>/risk/recorded-scores/new/", risk.recorded_score_new, name="risk-recorded-score-new"),
    path("case/<str:crn>/risk/oasys-assessments/new/", risk.oasys_assessment_new, name="risk-oasys-assessment-new"),
]
