from django.urls import path

from openprobation.web.views import auth, caseload, cases, search, team

app_name = "web"
urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("sign-in/", auth.sign_in, name="sign-in"),
    path("sign-out/", auth.sign_out, name="sign-out"),
    path("case/<str:crn>/", cases.case, name="case"),
    path("case/<str:crn>/contacts/new/", cases.record_contact, name="record-contact"),
    path("case/<str:crn>/audit/", cases.audit_history, name="audit"),
    path("team/", team.teams, name="team"),
    path("team/<str:code>/", team.team, name="team-detail"),
    path("search/", search.search, name="search"),
]
