"""The demo's quality and inspection: past audit rounds made through the services, so the league table and trends
are there at once, with ratings that differ between PDUs, and a few serious further offences."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from openprobation.quality import selectors
from openprobation.quality.models import AuditCase, AuditJudgement, SeriousFurtherOffence
from tests.demo.test_demo_data import load


@pytest.mark.django_db
def test_demo_has_audited_rounds_a_ranked_league_table_trends_and_sfos():
    result = load(people=1_000, seed=3)
    assert result.status == "loaded"
    assert result.counts["audit_rounds"] >= 4 and result.counts["serious_further_offences"] >= 4
    qa = get_user_model().objects.get(username="qa")
    table = selectors.league_table(actor=qa, level="pdu")
    assert len(table) >= 2 and all(row.rank is not None for row in table)
    assert len({row.score for row in table}) >= 2  # ratings differ between PDUs
    assert all(row.change is not None for row in table)  # each has an earlier round to compare with
    trends = selectors.rating_trends(actor=qa, level="pdu")
    assert all(len(t.points) == 2 for t in trends)
    audited = AuditCase.objects.filter(status="audited")
    assert audited.exists() and AuditJudgement.objects.count() == 12 * audited.count()
    assert SeriousFurtherOffence.objects.filter(review_completed_on__isnull=False).exists()
    assert any(row.ratings.overall.overridden for row in table if row.ratings.overall)
