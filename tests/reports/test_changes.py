"""What changed since the previous round: the status matrix, the answers that moved, the
headline figures and care-role WTE side by side, changes.csv and summary.json."""

import csv
import io
import random

import pytest

from boroughs.models import Borough
from surveys import workflow
from surveys.models import CareRole
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return

pytestmark = pytest.mark.django_db

STATUSES = ["established", "pilot", "planned", "not_applicable"]
ANSWERS = ["yes", "no", "planned", "not_stated"]


def _round_of(answers_by_borough, *, slug, previous=None, by, lead_of):
    """A round whose boroughs' returns hold the given answers, submitted (and accepted)."""
    survey_round = SurveyRoundFactory(name=f"Round {slug}", slug=slug, previous_round=previous)
    for borough, answers in answers_by_borough.items():
        scoping_return = complete_return(borough=borough, survey_round=survey_round, **answers)
        CareRole.objects.create(scoping_return=scoping_return, role="psychologist", wte=1)
        workflow.submit(scoping_return=scoping_return, by=lead_of, notify=False)
    return survey_round


@pytest.fixture
def two_rounds(reviewer):
    """A published previous round and an open round after it, with a seeded spread of answers
    and changes; what each borough answered, for the test to count on its own."""
    rng = random.Random(7)
    boroughs = list(Borough.objects.order_by("pk"))
    before, after = {}, {}
    for borough in boroughs[:24]:
        before[borough] = {"status": rng.choice(STATUSES), "training": rng.choice(ANSWERS)}
    for borough in boroughs[4:30]:  # four boroughs drop out, six join
        old = before.get(borough)
        changed = old is None or rng.random() < 0.4
        after[borough] = (
            {"status": rng.choice(STATUSES), "training": rng.choice(ANSWERS)} if changed else old
        )
    previous = _round_of(
        before,
        slug="then",
        by=reviewer,
        lead_of=reviewer,
    )
    for scoping_return in previous.returns.all():
        workflow.accept(scoping_return=scoping_return, by=reviewer, notify=False)
    close_and_publish(previous, reviewer)
    current = _round_of(after, slug="now", previous=previous, by=reviewer, lead_of=reviewer)
    return previous, current, before, after


def _expected_matrix(before, after, name):
    counts = {}
    for borough in Borough.objects.all():
        then = before[borough][name] if borough in before else "no_return"
        now = after[borough][name] if borough in after else "no_return"
        counts.setdefault(then, {}).setdefault(now, 0)
        counts[then][now] += 1
    return counts


def test_summary_json_gives_the_transitions_counted_independently(client, reviewer, two_rounds):
    previous, current, before, after = two_rounds
    client.force_login(reviewer)
    data = client.get(f"/reports/{current.slug}/summary.json").json()
    assert data["previous_round"] == previous.slug
    assert data["changes"]["status"] == _expected_matrix(before, after, "status")
    assert data["changes"]["training"] == _expected_matrix(before, after, "training")


def test_the_changes_page_shows_the_matrix_moves_and_headlines(client, reviewer, two_rounds):
    previous, current, before, after = two_rounds
    client.force_login(reviewer)
    page = client.get(f"/reports/{current.slug}/changes/")
    assert page.status_code == 200
    comparison = page.context["comparison"]
    expected = _expected_matrix(before, after, "status")
    for (then, now), transition in comparison.status.cells.items():
        assert transition.count == expected[then][now]
    moved = sum(n for then, row in expected.items() for now, n in row.items() if then != now)
    assert len([b for t in comparison.changed_status for b in t.boroughs]) == moved
    html = page.content.decode()
    for transition in comparison.changed_status:
        assert f'href="#{transition.anchor}"' in html and f'id="{transition.anchor}"' in html
    established = [h for h in comparison.headlines if h.label == "Established services"][0]
    assert established.before == sum(1 for a in before.values() if a["status"] == "established")
    assert established.after == sum(1 for a in after.values() if a["status"] == "established")


def test_changes_csv_lists_every_changed_field(client, reviewer, two_rounds):
    previous, current, before, after = two_rounds
    client.force_login(reviewer)
    response = client.get(f"/reports/{current.slug}/changes.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    status_rows = {
        (r["borough"], r["previous"], r["current"]) for r in rows if r["field"] == "status"
    }
    labels = dict(zip(STATUSES, ["Established", "Pilot", "Planned", "Not applicable"], strict=True))
    expected = set()
    for borough in Borough.objects.all():
        then = labels[before[borough]["status"]] if borough in before else "No return"
        now = labels[after[borough]["status"]] if borough in after else "No return"
        if then != now:
            expected.add((borough.slug, then, now))
    assert status_rows == expected


def test_a_round_without_a_previous_one_says_so(client, reviewer):
    survey_round = SurveyRoundFactory(slug="alone")
    client.force_login(reviewer)
    page = client.get(f"/reports/{survey_round.slug}/changes/")
    assert page.status_code == 200 and "has no previous round to compare with" in (
        page.content.decode()
    )
    assert client.get(f"/reports/{survey_round.slug}/changes.csv").status_code == 404
    assert client.get(f"/reports/{survey_round.slug}/summary.json").json()["changes"] is None


def _changes_page_queries(client, reviewer, size, slug) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    boroughs = list(Borough.objects.order_by("pk"))[:size]
    previous = _round_of({b: {"status": "pilot"} for b in boroughs}, slug=f"{slug}-a",
                         by=reviewer, lead_of=reviewer)  # fmt: skip
    for scoping_return in previous.returns.all():
        workflow.accept(scoping_return=scoping_return, by=reviewer, notify=False)
    close_and_publish(previous, reviewer)
    current = _round_of({b: {"status": "established"} for b in boroughs}, slug=f"{slug}-b",
                        previous=previous, by=reviewer, lead_of=reviewer)  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/reports/{current.slug}/changes/").status_code == 200
    return len(queries)


def test_the_changes_page_asks_the_same_queries_at_any_size(client, reviewer):
    client.force_login(reviewer)
    small = _changes_page_queries(client, reviewer, 4, "small")
    large = _changes_page_queries(client, reviewer, 32, "large")
    assert small == large
    # Three of the page's own (the round, the boroughs' rows of both rounds, the care roles)
    # beside what every signed-in page costs today (session, user, groups, limits, the
    # session's save: the fast-at-national-size issue brings those down).
    assert large <= 12


def test_care_role_wte_then_and_now_counts_posts_in_post_only(client, reviewer, two_rounds):
    previous, current, before, after = two_rounds
    planned = current.returns.first()
    CareRole.objects.create(
        scoping_return=planned, role="psychologist", wte=5, post_status="planned"
    )
    CareRole.all_rows.filter(scoping_return__survey_round__in=[previous, current]).exclude(
        post_status="planned"
    ).update(post_status="in_post")
    client.force_login(reviewer)
    roles = {r.key: r for r in client.get(f"/reports/{current.slug}/changes/").context[
        "comparison"].roles}  # fmt: skip
    assert roles["psychologist"].wte_before == len(before)  # 1 WTE in post each
    assert roles["psychologist"].wte_after == len(after)  # the planned 5 WTE left out
