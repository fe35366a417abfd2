import pytest
from django.contrib.auth.models import AnonymousUser

from boroughs.models import Borough

pytestmark = pytest.mark.django_db


def test_a_lead_sees_only_their_boroughs(make_user, camden, croydon):
    lead = make_user("two-boroughs", boroughs=[camden, croydon])
    assert set(Borough.objects.for_user(lead)) == {camden, croydon}


def test_a_user_with_no_membership_sees_none(make_user):
    assert not Borough.objects.for_user(make_user("nobody")).exists()


def test_the_steering_group_sees_all(reviewer, superuser):
    assert Borough.objects.for_user(reviewer).count() == 32
    assert Borough.objects.for_user(superuser).count() == 32


def test_a_limited_reviewer_sees_only_their_stp(limited_reviewer):
    names = set(Borough.objects.for_user(limited_reviewer).values_list("name", flat=True))
    assert names == {"Barnet", "Camden", "Enfield", "Haringey", "Islington"}


def test_an_anonymous_user_sees_none():
    assert not Borough.objects.for_user(AnonymousUser()).exists()
