"""warm_report_cache puts a published round's pages and downloads in the cache before anyone
asks for them: the first reader then waits for nothing."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boroughs.models import Borough

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(queries)


def test_every_page_profile_and_download_is_cached_before_the_first_reader(client, round_2017):
    cache.clear()
    out = StringIO()
    call_command("warm_report_cache", "--round", "2017", stdout=out)
    assert "pages and downloads in the cache" in out.getvalue()
    urls = [
        reverse("reports:summary", args=["2017"]),
        reverse("reports:stp_tables", args=["2017"]),
        reverse("reports:map", args=["2017"]),
        reverse("reports:report", args=["2017"]),
        reverse("reports:tables_csv", args=["2017"]),
        reverse("reports:summary_json", args=["2017"]),
        *[reverse("reports:borough", args=["2017", b.slug]) for b in Borough.objects.all()],
    ]
    assert {url: _queries(client, url) for url in urls} == dict.fromkeys(urls, 0)


def test_a_round_not_published_is_refused_by_name(round_2017):
    with pytest.raises(CommandError, match="No published round with the slug nowhere"):
        call_command("warm_report_cache", "--round", "nowhere")
