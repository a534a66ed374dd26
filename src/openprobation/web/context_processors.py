from django.conf import settings
from django.http import HttpRequest

from openprobation.mi.selectors import MI_READERS
from openprobation.organisation.choices import Role
from openprobation.organisation.roles import QUALITY_READERS
from openprobation.people.access import TEAM_VIEWERS, staff_for
from openprobation.risk.quality import REPORT_READERS


def service(request: HttpRequest) -> dict[str, object]:
    """The service's name and mode, and which navigation links the signed-in user's role may follow."""
    staff = staff_for(getattr(request, "user", None))
    return {
        "service_name": "OpenProbation",
        "demo_mode": settings.DEMO_MODE,
        "current_staff": staff,
        "nav_team": staff is not None and staff.role in TEAM_VIEWERS,
        "nav_quality": staff is not None and staff.role in REPORT_READERS,
        "nav_mi": staff is not None and staff.role in MI_READERS,
        "nav_audits": staff is not None and staff.role in QUALITY_READERS,
        "nav_admin": staff is not None and staff.role == Role.ADMINISTRATOR,
    }
