import threading

import pytest
from django.db import IntegrityError, connection, transaction

from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import CareRole, ReturnComment, ReturnEvent, ScopingReturn
from tests.factories import (
    ScopingReturnFactory,
    SurveyRoundFactory,
    close_and_publish,
    complete_return,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(camden, lead):
    scoping_return = complete_return(borough=camden)
    return workflow.submit(scoping_return=scoping_return, by=lead)


INVALID = [
    ("draft", "accept", {}, "Only a submitted return can be accepted"),
    ("draft", "request_changes", {"comment": "x"}, "Changes can only be requested"),
    ("draft", "reopen", {"reason": "x"}, "Only an accepted return can be reopened"),
    ("submitted", "submit", {}, "A submitted return cannot be submitted"),
    ("submitted", "reopen", {"reason": "x"}, "Only an accepted return can be reopened"),
    ("accepted", "submit", {}, "An accepted return cannot be submitted"),
    ("accepted", "accept", {}, "Only a submitted return can be accepted"),
    ("accepted", "request_changes", {"comment": "x"}, "Changes can only be requested"),
    ("changes_requested", "accept", {}, "Only a submitted return can be accepted"),
    ("changes_requested", "request_changes", {"comment": "x"}, "Changes can only be requested"),
    ("changes_requested", "reopen", {"reason": "x"}, "Only an accepted return can be reopened"),
]


@pytest.mark.parametrize(("state", "action", "kwargs", "message"), INVALID)
def test_each_invalid_transition_is_refused_and_changes_nothing(
    camden, reviewer, state, action, kwargs, message
):
    scoping_return = complete_return(borough=camden, state=state)
    with pytest.raises(workflow.WorkflowError, match=f"^{message}"):
        getattr(workflow, action)(scoping_return=scoping_return, by=reviewer, **kwargs)
    fresh = ScopingReturn.objects.get(pk=scoping_return.pk)
    assert fresh.state == state and fresh.version == scoping_return.version
    assert not ReturnEvent.objects.exists()


def test_accept_request_changes_and_reopen_need_their_words(submitted, reviewer):
    with pytest.raises(workflow.WorkflowError, match="cannot be empty"):
        workflow.request_changes(scoping_return=submitted, by=reviewer, comment="  ")
    accepted = workflow.accept(scoping_return=submitted, by=reviewer)
    assert accepted.state == ReturnState.ACCEPTED and accepted.accepted_by == reviewer
    with pytest.raises(workflow.WorkflowError, match="Give a reason"):
        workflow.reopen(scoping_return=accepted, by=reviewer, reason="")
    reopened = workflow.reopen(scoping_return=accepted, by=reviewer, reason="Wrong figures")
    assert reopened.state == ReturnState.CHANGES_REQUESTED and reopened.accepted_at is None
    assert list(reopened.events.values_list("to_state", "comment")) == [
        ("submitted", ""),
        ("accepted", ""),
        ("changes_requested", "Wrong figures"),
    ]


def test_a_closed_round_refuses_submission(camden, lead):
    scoping_return = complete_return(
        borough=camden, survey_round=SurveyRoundFactory(state="closed")
    )
    with pytest.raises(workflow.WorkflowError, match="closed"):
        workflow.submit(scoping_return=scoping_return, by=lead)


def test_one_return_per_borough_per_round_is_a_database_rule(camden):
    scoping_return = ScopingReturnFactory(borough=camden)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScopingReturn.objects.create(survey_round=scoping_return.survey_round, borough=camden)


@pytest.mark.parametrize(
    "fields",
    [{"min_age": 30, "max_age": 18}, {"min_age": -1}, {"max_age": 500}],
)
def test_age_ranges_are_database_rules(camden, fields):
    scoping_return = ScopingReturnFactory(borough=camden)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScopingReturn.objects.filter(pk=scoping_return.pk).update(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"current_situation": "x" * 10_001},  # a narrative longer than the form allows
        {"training": "maybe"},  # not an answer
        {"status": "Established"},  # a label, not the stored value
        {"state": "deleted"},
    ],
)
def test_text_lengths_and_answer_sets_are_database_rules(camden, fields):
    scoping_return = ScopingReturnFactory(borough=camden)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScopingReturn.objects.filter(pk=scoping_return.pk).update(**fields)


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (CareRole, {"role": "psychologist", "wte": "1000"}),
        (CareRole, {"role": "wizard"}),
        (ReturnComment, {"text": "x" * 5001}),
    ],
)
def test_child_rows_are_checked_by_the_database_too(camden, model, fields):
    scoping_return = ScopingReturnFactory(borough=camden)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create([model(scoping_return=scoping_return, **fields)])


def _race(target, count=2):
    """Run `target` in `count` threads at once; each returns 'won' or an exception's text."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - the loser's error is the result
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_section_saves_have_exactly_one_winner(camden, lead):
    scoping_return = ScopingReturnFactory(borough=camden)
    version = scoping_return.version

    def save():
        workflow.save_changes(
            scoping_return=scoping_return,
            version=version,
            by=lead,
            fields={"service_name": threading.current_thread().name},
            section="service",
        )
        return "won"

    assert _race(save) == ["StaleVersion", "won"]
    fresh = ScopingReturn.objects.get(pk=scoping_return.pk)
    assert fresh.version == version + 1
    assert fresh.history.count() == 2  # created + the one winning save


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_submits_have_exactly_one_winner(camden, lead):
    scoping_return = complete_return(borough=camden)

    def submit():
        workflow.submit(scoping_return=scoping_return, by=lead)
        return "won"

    assert _race(submit) == ["WorkflowError", "won"]
    assert ReturnEvent.objects.filter(to_state="submitted").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_accepting_the_same_return_have_exactly_one_winner(
    camden, lead, reviewer, make_user
):
    second = make_user("reviewer-2", steering=True)
    scoping_return = workflow.submit(scoping_return=complete_return(borough=camden), by=lead)
    reviewers = iter([reviewer, second])
    lock = threading.Lock()

    def accept():
        with lock:
            by = next(reviewers)
        workflow.accept(scoping_return=scoping_return, by=by)
        return "won"

    assert _race(accept) == ["WorkflowError", "won"]
    assert ReturnEvent.objects.filter(to_state="accepted").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requesting_changes_while_the_lead_resubmits_has_exactly_one_winner(camden, lead, reviewer):
    scoping_return = workflow.submit(scoping_return=complete_return(borough=camden), by=lead)
    scoping_return = workflow.request_changes(
        scoping_return=scoping_return, by=reviewer, comment="Add contacts"
    )
    workflow.submit(scoping_return=scoping_return, by=lead)
    scoping_return = workflow.request_changes(
        scoping_return=scoping_return, by=reviewer, comment="Once more"
    )
    # The lead resubmits while a reviewer, who read the return before that, asks for changes.
    seen = scoping_return.version
    actions = iter(["submit", "request"])
    lock = threading.Lock()

    def act():
        with lock:
            action = next(actions)
        if action == "submit":
            workflow.submit(scoping_return=scoping_return, by=lead, version=seen)
        else:
            workflow.request_changes(
                scoping_return=scoping_return, by=reviewer, comment="x", version=seen
            )
        return action

    outcome = _race(act)
    assert outcome in (["StaleVersion", "submit"], ["WorkflowError", "submit"])
    fresh = ScopingReturn.objects.get(pk=scoping_return.pk)
    assert fresh.state == ReturnState.SUBMITTED
    assert list(fresh.events.values_list("to_state", flat=True)) == [
        "submitted",
        "changes_requested",
        "submitted",
        "changes_requested",
        "submitted",
    ]
    assert fresh.history.filter(state="submitted").count() == 3


def test_each_transition_leads_where_the_table_says_from_the_states_it_allows(camden, reviewer):
    for action, (sources, target, _) in workflow.TRANSITIONS.items():
        for state in sources:
            scoping_return = complete_return(borough=camden, state=state)
            kwargs = {"comment": "x"} if action == "request_changes" else {}
            kwargs |= {"reason": "x"} if action == "reopen" else {}
            moved = getattr(workflow, action)(scoping_return=scoping_return, by=reviewer, **kwargs)
            assert moved.state == target, (action, state)
            assert action in workflow.allowed_actions(scoping_return)
            scoping_return.delete()


def test_starting_a_return_twice_makes_one_return_with_its_history(camden, lead):
    survey_round = SurveyRoundFactory()
    first, created = workflow.start_return(survey_round=survey_round, borough=camden, by=lead)
    again, created_again = workflow.start_return(survey_round=survey_round, borough=camden, by=lead)
    assert (created, created_again) == (True, False) and first.pk == again.pk
    assert ScopingReturn.objects.filter(survey_round=survey_round).count() == 1
    record = first.history.get()
    assert record.history_user == lead and record.history_type == "+"
    assert first.state == ReturnState.DRAFT and first.updated_by == lead


@pytest.mark.parametrize(
    ("state", "round_state", "is_lead", "refusal"),
    [
        ("draft", "open", True, None),
        ("changes_requested", "open", True, None),
        ("submitted", "open", True, "This return has been submitted and is waiting for review"),
        ("accepted", "open", True, "This return has been accepted: it must be reopened"),
        ("draft", "closed", True, "is closed: you can read this return but not change it"),
        ("draft", "open", False, "Only the borough's leads can change this return."),
    ],
)
def test_one_function_says_whether_a_lead_may_change_a_return_and_why_not(
    camden, lead, other_lead, state, round_state, is_lead, refusal
):
    scoping_return = ScopingReturnFactory(
        borough=camden, state=state, survey_round=SurveyRoundFactory(state=round_state)
    )
    said = workflow.edit_refusal(scoping_return, lead if is_lead else other_lead)
    assert said is None if refusal is None else refusal in said


@pytest.mark.parametrize(
    ("state", "changeable"),
    [("draft", True), ("submitted", True), ("changes_requested", True), ("accepted", False)],
)
def test_reviewing_only_an_accepted_return_is_refused(camden, reviewer, state, changeable):
    scoping_return = ScopingReturnFactory(borough=camden, state=state)
    refusal = workflow.edit_refusal(scoping_return, reviewer, reviewing=True)
    assert (refusal is None) == changeable


def test_a_return_sent_back_comes_first_on_the_leads_pages_until_resubmitted(
    client, submitted, lead, reviewer, other_lead
):
    client.force_login(lead)
    for path in ("/", "/returns/"):
        assert "Needs your action" not in client.get(path).content.decode()
    returned = workflow.request_changes(scoping_return=submitted, by=reviewer, comment="Fix it.")
    for path in ("/", "/returns/"):
        html = client.get(path).content.decode()
        banner = html.index("Needs your action")
        assert banner < html.index("<h1")
        assert f'href="{returned.get_absolute_url()}"' in html[banner:]
        assert "has asked for changes" in html[banner:]
    client.force_login(other_lead)  # another borough's lead is not asked
    assert "Needs your action" not in client.get("/returns/").content.decode()
    workflow.submit(scoping_return=returned, by=lead)
    client.force_login(lead)
    assert "Needs your action" not in client.get("/returns/").content.decode()


def test_a_copy_of_a_return_is_for_its_leads_and_the_steering_group_until_published(
    client, submitted, lead, other_lead, reviewer
):
    path = f"/reports/{submitted.survey_round.slug}/boroughs/camden/print/"
    assert client.get(path).status_code == 404  # not published: not for the public
    client.force_login(other_lead)
    assert client.get(path).status_code == 404
    for person in (lead, reviewer):
        client.force_login(person)
        html = client.get(path).content.decode()
        assert "Camden's scoping return" in html and "Submitted" in html
        assert "Dr A Lead" in html  # its child rows too
        assert "Change" not in html
    accepted = workflow.accept(scoping_return=submitted, by=reviewer)
    close_and_publish(accepted.survey_round, reviewer)
    client.logout()
    html = client.get(path).content.decode()
    assert "Accepted" in html and "by reviewer" in html
    profile = client.get(path.removesuffix("print/")).content.decode()
    assert f'href="{path}"' in profile
    assert client.get(path.replace("camden", "croydon")).status_code == 404
