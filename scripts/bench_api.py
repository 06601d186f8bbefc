"""The read-only API (api/) measured against the database of DATABASE_URL (e.g. after `generate_network`).

For a regional administrator (the first region's) and for the superuser, each list endpoint is requested
--repeat times with a token (in-process, Django's test client: the cost of the view, its SQL and JSON, not of
the network): median and p95 in ms and the SQL queries of one page. Then the whole region's people are read
page by page through `next` (the cursor), to show that a far page costs what the first one does.

    DATABASE_URL=postgres://… python scripts/bench_api.py [--repeat 20] [--page-size 100]

Writes nothing but its own tokens (deleted at the end) and the 152-ФЗ journal rows that reading people writes.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from api.models import ApiToken  # noqa: E402
from orgunits.access import access_for  # noqa: E402
from orgunits.models import OrgUnit  # noqa: E402

LISTS = [
    "unit",
    "person",
    "membership",
    "campaign",
    "plan",
    "report",
    "meeting",
    "order",
    "event",
    "monitoring-campaign",
    "monitoring-result",
]


def regional_admin():
    User = get_user_model()
    for user in User.objects.filter(is_active=True, is_superuser=False, groups__name__endswith=":administrator"):
        access = access_for(user)
        if access.regions("manage"):
            return user
    return None


def measure(client, url, repeat):
    times, queries = [], 0
    for i in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        if i == repeat - 1:
            queries = len(captured)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, queries, len(response.json()["results"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_user": "1000000/hour"}}
    User = get_user_model()
    users = [u for u in (regional_admin(), User.objects.filter(is_superuser=True).first()) if u is not None]
    print(f"units: {OrgUnit.objects.count()}, people: {django.apps.apps.get_model('people.Person').objects.count()}")
    for user in users:
        _token, key = ApiToken.issue(user)
        client = Client(HTTP_AUTHORIZATION=f"Token {key}")
        client.get(reverse("api:unit-list"))  # the first request of a key notes its use
        print(f"\n{user.username}: page of {args.page_size}, {args.repeat} requests each")
        print(f"{'endpoint':<22}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'rows':>6}")
        for name in LISTS:
            url = reverse(f"api:{name}-list") + f"?page_size={args.page_size}"
            median, p95, queries, rows = measure(client, url, args.repeat)
            print(f"{name:<22}{median:>10.1f}{p95:>9.1f}{queries:>9}{rows:>6}")
        pages, worst, url = 0, 0.0, reverse("api:person-list") + f"?page_size={args.page_size}"
        started = time.perf_counter()
        while url and pages < 200:
            t = time.perf_counter()
            body = client.get(url).json()
            worst = max(worst, (time.perf_counter() - t) * 1000)
            url, pages = body["next"], pages + 1
        total = (time.perf_counter() - started) * 1000
        print(f"people through the cursor: {pages} pages, {total / pages:.1f} ms a page, slowest {worst:.1f} ms")
        ApiToken.objects.filter(user=user).delete()


if __name__ == "__main__":
    main()
