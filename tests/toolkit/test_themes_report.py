"""The benefit and barrier themes in the report: the themes page, summary.json's "themes", the
themes, benefits and barriers CSV files, and the admin's filter by theme, each agreeing with the
returns' rows as counted here; the 2017 round's Tables 1 and 2 under their themes."""

import html
import json
import re

import pytest
from django.urls import reverse

from boroughs.models import Borough
from reports.models import ThemeStatement
from reports.queries import REPORT_ORDER
from surveys.models import Barrier, Benefit, Publication, ScopingReturn
from surveys.publications import freeze
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from tests.reports.helpers import body, csv_rows, page
from tests.reports.synthetic import synthetic_round
from toolkit.choices import Kind, Theme

pytestmark = pytest.mark.django_db

LABELS = dict(Theme.choices)

# Per borough (by place in the report's order): its benefits and barriers, (text, themes).
# The fifth borough's return is a draft: its rows are not counted.
ROWS = [
    {
        "benefits": [
            ("Care closer to home", "access"),
            ("Fewer referrals to secondary care", "access,integration"),
            ("Shared care notes", "communication"),
        ],
        "barriers": [("No clinic rooms", "care-environment")],
    },
    {
        "benefits": [("GPs more confident", "workforce,access")],
        "barriers": [
            ("No rooms in the practices", "care-environment"),
            ("Funding for one year only", "sustainability,care-environment"),
        ],
    },
    {
        "benefits": [("Joint meetings with the CMHT", "integration")],
        "barriers": [("Staff turnover", "workforce")],
    },
    {"benefits": [], "barriers": []},
    {
        "benefits": [("Not counted: a draft", "sustainability")],
        "barriers": [("Not counted either", "outcome-measures")],
    },
]
COUNTED = 4


@pytest.fixture
def boroughs():
    return list(Borough.objects.select_related("stp").order_by(*REPORT_ORDER)[: len(ROWS)])


@pytest.fixture
def published_round(boroughs, reviewer):
    """A toolkit round, published: four accepted returns with the rows above, one draft."""
    survey_round = SurveyRoundFactory(toolkit=True)
    for place, (borough, rows) in enumerate(zip(boroughs, ROWS, strict=True)):
        state = "accepted" if place < COUNTED else "draft"
        scoping_return = complete_return(survey_round=survey_round, borough=borough, state=state)
        for text, themes in rows["benefits"]:
            Benefit.objects.create(scoping_return=scoping_return, text=text, themes=themes)
        for text, themes in rows["barriers"]:
            Barrier.objects.create(scoping_return=scoping_return, text=text, themes=themes)
    # The round's own statements, entered out of order: the report keeps their `order`.
    ThemeStatement.objects.create(
        survey_round=survey_round, kind="benefit", theme="workforce", text="Upskilled GPs", order=2
    )
    ThemeStatement.objects.create(
        survey_round=survey_round, kind="benefit", theme="access", text="Faster access", order=1
    )
    ThemeStatement.objects.create(
        survey_round=survey_round, kind="barrier", theme="workforce", text="Few staff", order=1
    )
    return close_and_publish(survey_round, reviewer)


def expected_boroughs(kind: str) -> dict[str, set[int]]:
    """Theme → the places of the counted boroughs with a row of `kind` carrying it."""
    found = {code: set() for code in Theme.values}
    for place, rows in enumerate(ROWS[:COUNTED]):
        for _, themes in rows[kind]:
            for code in themes.split(","):
                found[code].add(place)
    return found


def expected_ranking(kind: str) -> list[str]:
    counts = {code: len(places) for code, places in expected_boroughs(kind).items()}
    return sorted(Theme.values, key=lambda code: (-counts[code], Theme.values.index(code)))


def themes_url(survey_round) -> str:
    return reverse("reports:themes", args=[survey_round.slug])


def section(text: str, kind: str) -> str:
    """The page's part for one kind (the benefits' or the barriers')."""
    start = text.index(f'id="{kind}-themes-heading"')
    end = text.find('id="barrier-themes-heading"') if kind == "benefit" else len(text)
    return text[start:end]


def theme_blocks(part: str) -> list[tuple[str, list[tuple[str, str, str]], list[str]]]:
    """(theme, [(profile link, borough, words)], [the round's statements]) per theme shown."""
    blocks = []
    for chunk in part.split('<div class="pcmh-theme" data-theme="')[1:]:
        theme = chunk[: chunk.index('"')]
        own, _, stated = chunk.partition("states, for London as a whole:")
        boroughs = [
            (href, html.unescape(name), html.unescape(words.strip()))
            for href, name, words in re.findall(
                r'<li><a class="govuk-link" href="([^"]+)">([^<]+)</a>: ([^<]+)</li>', own
            )
        ]
        statements = [html.unescape(t.strip()) for t in re.findall(r"<li>([^<]+)</li>", stated)]
        blocks.append((theme, boroughs, statements))
    return blocks


def test_the_themes_are_ranked_by_the_boroughs_reporting_each_a_borough_once_per_theme(
    client, published_round, boroughs
):
    response = client.get(themes_url(published_round))
    assert response.status_code == 200
    shown = page(response)
    total = Borough.objects.filter(
        pk__in=ScopingReturn.all_rows.filter(survey_round=published_round).values("borough")
    ).count()
    for kind, title in (("benefit", "Benefits seen"), ("barrier", "Barriers met")):
        table = shown.table(f"{title}: themes ranked by the boroughs reporting them")
        places = expected_boroughs(f"{kind}s")
        ranking = expected_ranking(f"{kind}s")
        assert [row[1] for row in table["rows"][1:]] == [LABELS[code] for code in ranking]
        assert [int(row[2]) for row in table["rows"][1:]] == [len(places[code]) for code in ranking]
        assert table["rows"][1][3].startswith(f"{len(places[ranking[0]])} of {total} boroughs")
        # The chart draws the same counts, in the same order, with the table beside it.
        chart = next(
            svg
            for svg in shown.svgs
            if svg.get("aria-labelledby", "").startswith(f"chart-{kind}-themes-title")
        )
        assert chart["role"] == "img"


def test_each_theme_lists_the_boroughs_words_linked_to_their_profiles_and_the_rounds(
    client, published_round, boroughs
):
    text = body(client.get(themes_url(published_round))).decode("utf-8")
    for kind in ("benefit", "barrier"):
        blocks = theme_blocks(section(text, kind))
        assert [theme for theme, _, _ in blocks] == expected_ranking(f"{kind}s")
        for theme, shown_rows, statements in blocks:
            expected = [
                (
                    reverse("reports:borough", args=[published_round.slug, borough.slug]),
                    borough.name,
                    words,
                )
                for borough, rows in zip(boroughs[:COUNTED], ROWS, strict=False)
                for words, themes in rows[f"{kind}s"]
                if theme in themes.split(",")
            ]
            assert shown_rows == expected, theme
            assert statements == list(
                ThemeStatement.objects.filter(
                    survey_round=published_round, kind=kind, theme=theme
                ).values_list("text", flat=True)
            )
    assert "Not counted" not in text
    # A theme no borough reports says so in words.
    assert "No borough reports this theme as a benefit." in section(text, "benefit")


def test_summary_json_gives_every_theme_a_count_and_the_rounds_statements_in_order(
    client, published_round
):
    data = json.loads(
        body(client.get(reverse("reports:summary_json", args=[published_round.slug])))
    )
    for kind in ("benefits", "barriers"):
        places = expected_boroughs(kind)
        assert data["themes"][kind] == {code: len(places[code]) for code in Theme.values}
        assert data["themes"]["statements"][kind] == [
            {"theme": s.theme, "text": s.text}
            for s in ThemeStatement.objects.filter(
                survey_round=published_round, kind=kind[:-1]
            ).order_by("order")
        ]
    assert [s["text"] for s in data["themes"]["statements"]["benefits"]] == [
        "Faster access",
        "Upskilled GPs",
    ]


def test_the_csv_files_give_each_boroughs_statement_and_each_themes_counts(
    client, published_round, boroughs
):
    slug = published_round.slug
    for kind in ("benefits", "barriers"):
        rows = csv_rows(client.get(reverse("reports:data_csv", args=[slug, kind])))
        header = rows[0]
        got = [(row[header.index("borough")], row[header.index("text")]) for row in rows[1:]]
        assert got == [
            (borough.slug, words)
            for borough, borough_rows in zip(boroughs[:COUNTED], ROWS, strict=False)
            for words, _ in borough_rows[kind]
        ]
    rows = csv_rows(client.get(reverse("reports:themes_csv", args=[slug])))
    benefits, barriers = expected_boroughs("benefits"), expected_boroughs("barriers")
    assert rows == [
        ["theme", "benefit_boroughs", "barrier_boroughs"],
        *([code, str(len(benefits[code])), str(len(barriers[code]))] for code in Theme.values),
    ]
    # Linked from the page and from the downloads list.
    themes_csv = reverse("reports:themes_csv", args=[slug])
    assert themes_csv in dict(page(client.get(themes_url(published_round))).links)
    assert themes_csv in dict(page(client.get(reverse("reports:summary", args=[slug]))).links)


def test_a_round_without_any_benefit_or_barrier_says_so(client, reviewer):
    survey_round = SurveyRoundFactory()
    client.force_login(reviewer)
    text = body(client.get(themes_url(survey_round))).decode("utf-8")
    assert "did not use the self-assessment toolkit" in text
    assert "No borough's counted return reports a benefit." in text
    assert "No borough's counted return reports a barrier." in text
    assert '<div class="pcmh-theme"' not in text


def test_the_admin_filters_rows_by_one_theme_of_several(client, superuser, published_round):
    client.force_login(superuser)
    url = reverse("admin:surveys_benefit_changelist")
    for code in ("access", "integration", "communication", "outcome-measures"):
        response = client.get(url, {"theme": code})
        shown = {row.text for row in response.context["cl"].queryset}
        expected = {
            words
            for rows in ROWS
            for words, themes in rows["benefits"]
            if code in themes.split(",")
        }
        assert shown == expected, code


def _add_rows(survey_round):
    """Two benefits and a barrier on every return, themes varied by position (in bulk)."""
    returns = list(survey_round.returns.all())
    codes = Theme.values
    Benefit.objects.bulk_create(
        Benefit(scoping_return=r, text=f"Benefit {i}.{k}", themes=f"{codes[(i + k) % 8]},access")
        for i, r in enumerate(returns)
        for k in range(2)
    )
    Barrier.objects.bulk_create(
        Barrier(scoping_return=r, text=f"Barrier {i}", themes=codes[i % 8])
        for i, r in enumerate(returns)
    )


def test_the_themes_page_and_downloads_keep_to_ten_queries_from_32_to_1000_returns(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (32, 1000):
        survey_round, _ = synthetic_round(size, toolkit=True)
        _add_rows(survey_round)
        freeze(Publication.objects.create(survey_round=survey_round, version=1))
        slug = survey_round.slug
        urls = [
            reverse("reports:themes", args=[slug]),
            reverse("reports:themes_csv", args=[slug]),
            reverse("reports:summary_json", args=[slug]),
        ]
        counts[size] = []
        for url in urls:
            with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as seen:
                response = client.get(url)
                body(response)
            assert response.status_code == 200
            counts[size].append(len(seen))
        data = json.loads(body(client.get(urls[2])))
        assert data["themes"]["benefits"]["access"] == size  # every borough, once
    assert counts[1000] == counts[32]


# The 2017 round last: once loaded, it stays for the module's later tests.


def counted_boroughs(survey_round, model) -> dict[str, set[int]]:
    """Theme → the boroughs whose return counted in the round's current publication has a row
    of `model` carrying it, read row by row."""
    publication = survey_round.publications.order_by("-version").first()
    returns = ScopingReturn.all_rows.filter(publication=publication, state="accepted")
    found = {code: set() for code in Theme.values}
    rows = model.all_rows.filter(scoping_return__in=returns)
    for borough, themes in rows.values_list("scoping_return__borough", "themes"):
        for code in themes.split(","):
            found[code].add(borough)
    return found


def test_the_2017_themes_page_lists_tables_1_and_2_under_their_themes_in_the_reports_order(
    client, round_2017
):
    text = body(client.get(themes_url(round_2017))).decode("utf-8")
    for kind, model in ((Kind.BENEFIT, Benefit), (Kind.BARRIER, Barrier)):
        statements = list(
            ThemeStatement.objects.filter(survey_round=round_2017, kind=kind).order_by("order")
        )
        assert statements
        grouped: dict[str, list[str]] = {}
        for statement in statements:
            grouped.setdefault(statement.theme, []).append(statement.text)
        counts = {code: len(b) for code, b in counted_boroughs(round_2017, model).items()}
        if any(counts.values()):  # the boroughs' own words, quoted: ranked by them
            order = sorted(Theme.values, key=lambda c: (-counts[c], Theme.values.index(c)))
        else:  # Tables 1 and 2 alone: the themes as the tables print them
            order = list(grouped)
        blocks = theme_blocks(section(text, kind))
        assert [theme for theme, _, _ in blocks] == order
        for theme, own, said in blocks:
            assert said == grouped.get(theme, [])  # each theme's statements in the tables' order
            assert len({name for _, name, _ in own}) == counts[theme]


def test_the_2017_summary_json_gives_tables_1_and_2_and_the_boroughs_counts(client, round_2017):
    data = json.loads(body(client.get(reverse("reports:summary_json", args=["2017"]))))
    for kind, model in (("benefits", Benefit), ("barriers", Barrier)):
        assert data["themes"][kind] == {
            code: len(b) for code, b in counted_boroughs(round_2017, model).items()
        }
        assert data["themes"]["statements"][kind] == [
            {"theme": theme, "text": text}
            for theme, text in ThemeStatement.objects.filter(
                survey_round=round_2017, kind=kind[:-1]
            )
            .order_by("order")
            .values_list("theme", "text")
        ]
