"""The vectorised caseload calculation gives exactly what the scalar calculators give, case by case."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from openprobation.rules import case_record as cr
from openprobation.rules import vectorised as vec
from openprobation.rules.calculators import CalculationInputError, calculate
from openprobation.rules.offences import offence_table
from tests.rules.examples import OGRS3, SNSV

AS_OF = dt.date(2026, 11, 24)
OFFENCES = sorted(offence_table())[::7]  # a spread of codes, including ones the predictors cannot score
SENTENCES = ["community_order", "suspended_sentence_order", "custody", "licence", "post_sentence_supervision"]
REGISTRATIONS = ["RVHR", "RHRH", "RMRH", "RLRH", "IIOM", "ADVP", "RCPR", "RMDO", "ALSH", "PRC", "HREG", "STRG"]


def dates(start: int, end: int) -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(start, 1, 1), dt.date(end, 12, 31))


def maybe(strategy, p_none: float = 0.1):
    return st.one_of(st.none(), strategy) if p_none else strategy


def rarely(strategy, value=None):
    """Mostly ``strategy``, about one time in forty ``value`` (a gap or a bad value the calculators refuse).

    The gap is a middle draw, not 0: Hypothesis starts from (and leans to) the smallest choices, which made gaps
    far commoner than intended and left most cases for the scalar path."""
    return st.integers(0, 39).flatmap(lambda i: st.just(value) if i == 23 else strategy)


def _scores(code: str) -> bool:
    """Whether OGRS3 and SNSV accept the offence code (some codes need the exact offence or carry no weight)."""
    payload = {**SNSV, "offence_code": code}
    try:
        calculate("ogrs3", {k: payload[k] for k in OGRS3})
        calculate("snsv", payload)
    except CalculationInputError:
        return False
    return True


SCORABLE = [code for code in OFFENCES if _scores(code)]
REFUSED = [code for code in OFFENCES if code not in SCORABLE]


@st.composite
def case_facts(draw) -> cr.CaseFacts:
    born = draw(dates(1940, 2006))
    # Now and then convicted at 12-17 (OVP refuses anyone under 18 at the start of follow-up); mostly an adult.
    youth = draw(rarely(st.just(False), True))
    earliest, latest = (12, 18) if youth else (18, 80)
    conviction = draw(
        st.dates(
            born + dt.timedelta(days=int(365.25 * earliest) + 1),
            min(born + dt.timedelta(days=int(365.25 * latest)), dt.date(2026, 11, 1)),
        )
    )
    age_at_conviction = conviction.year - born.year - 1
    sentence_type = draw(st.sampled_from(SENTENCES))
    sentence_date = conviction + dt.timedelta(days=draw(st.integers(0, 90)))
    release = None
    if sentence_type not in ("community_order", "suspended_sentence_order"):
        release = draw(rarely(st.just(sentence_date + dt.timedelta(days=draw(st.integers(0, 2000))))))
    event = draw(
        rarely(
            st.just(
                cr.CurrentEvent(
                    offence_code=draw(rarely(st.sampled_from(SCORABLE), draw(st.sampled_from(REFUSED)))),
                    conviction_date=conviction,
                    sentence_date=sentence_date,
                    sentence_type=sentence_type,
                    release_date=release,
                )
            )
        )
    )
    total = draw(rarely(st.integers(1, 40), draw(st.sampled_from([None, 0]))))
    count = st.integers(0, 4)
    sexual = draw(st.integers(0, 3)) == 0
    history = draw(
        rarely(
            st.just(
                cr.CriminalHistory(
                    total_sanctions=total,
                    age_at_first_sanction=draw(rarely(st.integers(10, max(age_at_conviction, 10)), 9)),
                    violent_sanctions=draw(
                        rarely(st.integers(0, min(total or 0, 20)), draw(st.sampled_from([None, 50])))
                    ),
                    contact_adult_sexual_sanctions=draw(rarely(count)) if sexual else 0,
                    contact_child_sexual_sanctions=draw(rarely(count)) if sexual else 0,
                    non_contact_sexual_sanctions=draw(rarely(count)) if sexual else 0,
                    indecent_image_sanctions=draw(rarely(count)) if sexual else 0,
                    stranger_victim=draw(rarely(st.booleans())),
                    last_sexual_sanction_date=draw(st.one_of(st.none(), st.dates(born, dt.date(2026, 11, 30)))),
                    most_recent_offence_date=draw(st.one_of(st.none(), st.dates(born, dt.date(2026, 11, 30)))),
                    most_recent_sexual_offence_date=draw(st.one_of(st.none(), st.dates(born, dt.date(2026, 11, 30)))),
                    recent_breach_or_recall=draw(rarely(st.booleans())),
                )
            )
        )
    )
    assessment = None
    if draw(st.integers(0, 3)) != 2:  # three in four have an assessment, three in four of them complete
        dynamic = draw(st.integers(0, 3)) != 2
        answers = {
            name: draw(
                (rarely if not dynamic else (lambda s: s))(st.booleans() if kind == cr.YES_NO else st.integers(0, 2))
            )
            for name, kind in cr.OASYS_ANSWERS.items()
        }
        assessment = cr.Assessment(
            completed_date=draw(dates(2024, 2026).filter(lambda d: d <= AS_OF)),
            layer=draw(st.sampled_from(["layer1", "layer3", "layer3", "standalone"])),
            status=draw(st.sampled_from(["complete", "locked_incomplete"])),
            kind=draw(st.sampled_from(["oasys", "san"])),
            answers=answers,
            section_scores={s: draw(rarely(st.integers(0, 12))) for s in cr.NEED_SECTIONS}
            if draw(st.integers(0, 9)) != 5
            else {},
        )
    codes = draw(st.lists(st.sampled_from(REGISTRATIONS), max_size=4, unique=True))
    registrations = [cr.ActiveRegistration(code=c) for c in codes]
    if draw(st.integers(0, 4)) == 0:
        registrations.insert(
            draw(st.integers(0, len(registrations))),
            cr.ActiveRegistration(
                code="MAPP",  # now and then without its level or category: the tier refuses that
                level=draw(rarely(st.sampled_from(["M1", "M2", "M3"]), "")),
                category=draw(rarely(st.sampled_from(["M1", "M2", "M3", "M4"]), "")),
            ),
        )
    return cr.CaseFacts(
        gender=draw(rarely(st.sampled_from(["male", "female"]), "other")),
        date_of_birth=born,
        event=event,
        active_sentence_types=(sentence_type,) if event else (),
        active_requirement_types=tuple(
            draw(st.lists(st.sampled_from(["unpaid_work", "rar", "curfew", "drug_treatment"]), max_size=2))
        )
        if event
        else (),
        history=history,
        assessment=assessment,
        registrations=tuple(registrations),
    )


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis (6.13x on) now and then draws a constant found in the source of the modules already imported, so
    derandomised examples still changed with whatever else the session had imported (these cases differed between
    ``pytest tests/rules`` and a run with the database tests first). Draw without those constants."""
    try:
        from hypothesis.internal.conjecture import providers

        original = providers._get_local_constants
    except (ImportError, AttributeError):  # a Hypothesis without local constants: nothing to do
        yield
        return
    providers._get_local_constants = providers.Constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def fixed_random_cases(n: int) -> list[cr.CaseFacts]:
    """``n`` random cases, the same ones every run (derandomised, without Hypothesis's local constants), so
    coverage checks cannot flake."""
    cases: list[cr.CaseFacts] = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case_facts())
    def collect(case: cr.CaseFacts) -> None:
        cases.append(case)

    with _without_local_constants():
        collect()
    return cases


def _check(cases: list[cr.CaseFacts]) -> dict[str, int]:
    df, scalar = vec.calculate_caseload(vec.frame_from_facts(cases), AS_OF)
    calculated = dict.fromkeys(cr.TOOLS, 0)
    for row in df.iter_rows(named=True):
        expected = cr.case_calculate(cases[row["row"]], AS_OF)
        if row["row"] in scalar:
            got = {t: (o.status, o.result_key) for t, o in scalar[row["row"]].items()}
            # handed over only when the scalar calculator refused an input on its own checks
            record_gaps = {field for field, _ in cr.MISSING.values()}
            assert any(
                o.status == "not_calculated" and o.reasons[0]["field"] not in record_gaps for o in expected.values()
            )
        else:
            got = {t: (row[f"{t}_status"], row[f"{t}_key"]) for t in cr.TOOLS}
            for t in cr.TOOLS:
                calculated[t] += row[f"{t}_status"] == "calculated"
            full = vec.outcomes_for_row(row, AS_OF)
            for tool in cr.TOOLS:
                assert full[tool].inputs == expected[tool].inputs, (tool, cases[row["row"]])
                assert full[tool].result == expected[tool].result, (tool, cases[row["row"]])
        assert got == {t: (o.status, o.result_key) for t, o in expected.items()}, cases[row["row"]]
    return calculated


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(st.lists(case_facts(), min_size=30, max_size=40))
def test_vectorised_equals_scalar_on_thousands_of_random_cases(cases):
    _check(cases)  # 50 examples x 30-40 cases (with the test below, over 2,000 random cases a run)


# The 400 fixed cases lean to complete, valid records (gaps and refused values about one field in forty), so most
# are calculated on the vectorised path. Measured: 49 of 400 (12%) handed to the scalar path; calculated on the
# vectorised path OGRS3 318, RSR 318, OVP 220, OGP 220 (a quarter have no assessment), tier 336. The limits below sit
# under what freshly random sets of 400 give (measured over 8 sets: 35-84 handed over; OGRS3 275-355, OVP 199-267,
# tier 300-360), so they hold even if a new Hypothesis draws different fixed cases, and still fail if the vectorised
# path stops calculating a tool.
MINIMUM_VECTORISED = {"ogrs3": 220, "rsr": 220, "ovp": 150, "ogp": 150, "tier": 250}
MAXIMUM_SCALAR_SHARE = 0.3


def test_the_random_cases_exercise_every_tool_on_the_vectorised_path():
    cases = fixed_random_cases(400)
    calculated = _check(cases)
    assert all(calculated[tool] >= n for tool, n in MINIMUM_VECTORISED.items()), calculated
    handed_over = len(vec.calculate_caseload(vec.frame_from_facts(cases), AS_OF)[1])
    assert handed_over / len(cases) < MAXIMUM_SCALAR_SHARE, f"{handed_over} of {len(cases)} went to the scalar path"


def _case_with_registrations(*registrations: cr.ActiveRegistration) -> cr.CaseFacts:
    return cr.CaseFacts(
        gender="male",
        date_of_birth=dt.date(1990, 1, 1),
        event=cr.CurrentEvent(
            offence_code="00101",
            conviction_date=dt.date(2025, 1, 1),
            sentence_date=dt.date(2025, 2, 1),
            sentence_type="community_order",
        ),
        registrations=registrations,
    )


def test_a_superseded_rosh_registration_is_not_given_to_the_tier_on_either_path():
    # Newest first: RMRH (medium) supersedes an older, still active RHRH. The record reads RoSH medium; passing
    # RHRH too would disagree with it, which the tier refuses.
    case = _case_with_registrations(cr.ActiveRegistration(code="RMRH"), cr.ActiveRegistration(code="RHRH"),
                                    cr.ActiveRegistration(code="ADVP"))  # fmt: skip
    scalar = cr.case_calculate(case, AS_OF)["tier"]
    assert scalar.status == "calculated", scalar.reasons
    assert scalar.inputs["rosh"] == "medium" and scalar.inputs["registrations"] == ["ADVP", "RMRH"]
    assert scalar.result is not None and scalar.result["protect_points"] == 10  # medium RoSH: 10 points
    df, handed_over = vec.calculate_caseload(vec.frame_from_facts([case]), AS_OF)
    assert not handed_over
    (row,) = df.iter_rows(named=True)
    assert vec.outcomes_for_row(row, AS_OF)["tier"].inputs == scalar.inputs
    _check_stored([case])


@pytest.mark.parametrize(
    ("level", "category", "field"),
    [("M2", "", "mappa_category"), ("", "M1", "mappa_level"), ("", "", "mappa_level")],
    ids=["level_without_category", "category_without_level", "neither"],
)
def test_a_mappa_registration_missing_its_level_or_category_is_not_calculated_on_either_path(level, category, field):
    case = _case_with_registrations(cr.ActiveRegistration(code="MAPP", level=level, category=category))
    scalar = cr.case_calculate(case, AS_OF)["tier"]
    assert scalar.status == "not_calculated" and field in {r["field"] for r in scalar.reasons}
    _check([case])


def _check_stored(cases: list[cr.CaseFacts]) -> None:
    """What recompute stores from the columns is the same text as the case's own calculation stores: encoded row by
    row from the columns' values, and encoded in columns (``risk.storage.stored_frame``)."""
    from openprobation.risk import storage
    from openprobation.risk.recompute import stored_row

    df = vec.calculate_caseload(vec.frame_from_facts(cases), AS_OF)[0].filter(~pl.col("needs_scalar"))
    assert len(df)
    rows = list(df.iter_rows(named=True))
    expected = [cr.case_calculate(cases[row["row"]], AS_OF) for row in rows]
    for tool in cr.TOOLS:
        stored = vec.stored_columns(df, tool, AS_OF)
        for row, want, got in zip(rows, expected, stored.iter_rows(named=True), strict=True):
            o = want[tool]
            assert got["row"] == row["row"]
            from_columns = stored_row(
                0, tool, got["status"], got["inputs"], got["result"], got["result_key"],
                storage.reasons_for(got["missing"]),
            )  # fmt: skip
            one_by_one = stored_row(0, tool, o.status, o.inputs, o.result, o.result_key, list(o.reasons))
            assert from_columns == one_by_one, (tool, cases[row["row"]])
        in_columns = storage.stored_frame(tool, stored)
        assert in_columns.columns == list(storage.STORED_TEXT)
        for row, want, got in zip(rows, expected, in_columns.iter_rows(), strict=True):
            o = want[tool]
            assert got == storage.stored_text(tool, o.inputs, o.result, list(o.reasons)), (tool, cases[row["row"]])


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(st.lists(case_facts(), min_size=30, max_size=40))
def test_stored_inputs_and_results_from_columns_equal_the_row_by_row_text(cases):
    _check_stored(cases)


def test_stored_text_on_many_random_cases_and_awkward_strings():
    cases = fixed_random_cases(400)
    odd = cr.CaseFacts(
        gender="male", date_of_birth=dt.date(1990, 1, 1),
        event=cr.CurrentEvent(offence_code='A"\\\n\u00e9', conviction_date=dt.date(2020, 1, 1),
                              sentence_date=dt.date(2020, 2, 1), sentence_type="community_order"),
        registrations=(cr.ActiveRegistration(code="X\t\"é"), cr.ActiveRegistration(code="RHRH")),
    )  # fmt: skip
    _check_stored([*cases, odd])


def test_the_stored_headline_read_field_by_field_is_the_headline_of_the_full_result():
    # outcome_for reads only the headline figures of a calculator's result (ResultFields); they are what the full
    # JSON result (what a replay reads) gives, on every tool of the random cases.
    from openprobation.rules.calculators import calculate_fields

    checked = 0
    for case in fixed_random_cases(400):
        for tool, outcome in cr.case_calculate(case, AS_OF).items():
            if outcome.status != "calculated":
                continue
            payload = {k: v for k, v in outcome.inputs.items() if v is not None}
            full = cr.headline(tool, cr.run_tool(tool, outcome.inputs))
            assert cr.headline(tool, calculate_fields(tool, payload)) == full == outcome.result, (tool, case)
            checked += 1
    assert checked > 1000
