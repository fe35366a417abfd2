"""The STP tables as the appendix prints them: the words beside a classification under it, the
key, and Bexley's footnote; a borough profile says whether each care role is in post."""

import pytest
from django.urls import reverse

from tests.reports.helpers import label_of, page

pytestmark = pytest.mark.django_db

KEY = (
    "Key: N/A = not applicable, SMI = serious mental illness (only), SMI+ = serious mental "
    "illness and common mental health difficulties"
)
BEXLEY_FOOTNOTE = (
    "Bexley currently offers a Mental Health Recovery College, an IAPT service and personal "
    "health budgets on a case by case basis"
)


def _rows(response):
    return {
        row[0]: row
        for t in page(response).tables
        if t["caption"].endswith("summary of the boroughs' returns")
        for row in t["rows"][1:]
    }


@pytest.mark.parametrize("name", ["stp_tables", "report"])
def test_the_words_beside_a_classification_are_shown_under_it(client, round_2017, name):
    response = client.get(reverse(f"reports:{name}", args=["2017"]))
    rows = _rows(response)
    harrow = rows["Harrow"]
    assert label_of(harrow[8]) == "Yes"  # recurrent funding, counted as Yes
    assert harrow[8].endswith("Yes - funding secured 2017/2018")
    assert rows["West London"][3].endswith("SMI+ 16yrs+")
    assert label_of(rows["Islington"][7]) == "No"
    assert rows["Islington"][7].endswith(
        "No - but planned primary care-based mental health team pharmacist"
    )
    assert rows["Central London"][3] == "SMI+"  # a bare classification: nothing under it


@pytest.mark.parametrize("name", ["stp_tables", "report"])
def test_the_tables_show_the_appendixs_key_and_bexleys_footnote(client, round_2017, name):
    html = client.get(reverse(f"reports:{name}", args=["2017"])).content.decode()
    assert KEY in html
    assert BEXLEY_FOOTNOTE in html
    rows = _rows(client.get(reverse(f"reports:{name}", args=["2017"])))
    assert rows["Bexley"][1].startswith("Not applicable*")
    assert "*" not in rows["Camden"][1]


def test_a_profile_says_whether_each_care_role_is_in_post_and_about_an_approximate_wte(
    client, round_2017
):
    response = client.get(reverse("reports:borough", args=["2017", "west-london"]))
    table = page(response).table("Care roles in West London")
    rows = {row[0]: row for row in table["rows"][1:]}
    therapist = rows["Step 2 and Step 3 Talking Therapist"]
    assert therapist[1:3] == ["In post", "about 45"]
    assert rows["Employment adviser"][1:3] == ["Planned or proposed", "5"]
    harrow = page(client.get(reverse("reports:borough", args=["2017", "harrow"])))
    roles = {row[0]: row for row in harrow.table("Care roles in Harrow")["rows"][1:]}
    assert roles["Psychiatrist (grade not stated)"][1] == "Planned or proposed"


def test_summary_json_gives_each_care_roles_wte_in_post_and_planned(client, round_2017):
    roles = client.get(reverse("reports:summary_json", args=["2017"])).json()["care_roles"]
    other = roles["other"]
    assert (other["wte"], other["wte_approximate"]) == (45.0, True)  # in post
    # Planned: Brent's allied health professionals, Ealing's social care worker, Enfield's Link
    # Worker (2.5WTE), Haringey's voluntary sector workers and consultant specialist, Lewisham's
    # support workers.
    assert other["planned"] == {"boroughs": 5, "lines": 6, "wte": 2.5, "wte_approximate": False}
    assert roles["psychiatrist"]["in_post"]["boroughs"] == 2
