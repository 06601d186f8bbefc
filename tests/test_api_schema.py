"""The API's OpenAPI schema: generated, valid OpenAPI 3 with every endpoint, published at /api/v1/schema/, equal
to the committed docs/api/openapi.yaml (a change of the API is a deliberate change of that file), and the
server-rendered page /api/v1/docs/ that lists it without any script or style of its own (CSP)."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.validation import validate_schema

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"
# The snapshot is PostgreSQL's (production's): generate it against PostgreSQL.
REGENERATE = "DATABASE_URL=postgres://… .venv/bin/python manage.py spectacular --file docs/api/openapi.yaml"


def without_integer_ranges(node):
    """The schema less the ranges of integer fields: drf-spectacular reads them from the database backend
    (SQLite says int64 for every integer column, PostgreSQL the column's own), and the suite runs on both."""
    if isinstance(node, dict):
        integer = node.get("type") == "integer"
        return {
            k: without_integer_ranges(v)
            for k, v in node.items()
            if not (integer and k in ("maximum", "minimum", "format"))
        }
    if isinstance(node, list):
        return [without_integer_ranges(v) for v in node]
    return node


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def api_routes() -> set[str]:
    """Every data endpoint of the API from the URL resolver, as OpenAPI paths (/api/v1/units/{id}/)."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    routes = set()
    for route in walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or route.endswith(("schema/", "docs/")):
            continue
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<pk>[^)]*\)|<int:pk>", "{id}", route)
        routes.add("/" + route)
    return routes


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # drf-spectacular's check against the OpenAPI 3.0 JSON schema
    openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
    openapi_spec_validator.validate(yaml.safe_load(OpenApiYamlRenderer().render(schema)))


def test_every_endpoint_is_in_the_schema_and_only_reads(schema):
    routes = api_routes()
    assert len(routes) == 23, sorted(routes)  # 11 registers × list and detail, and a campaign's units
    assert set(schema["paths"]) == routes
    for path, operations in schema["paths"].items():
        assert set(operations) - {"parameters"} == {"get"}, path
        get = operations["get"]
        assert get["summary"] and get["description"], path
        assert {"tokenAuth": []} in get["security"], path
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_lists_are_cursor_pages_with_the_pages_filters(schema):
    params = {
        path: {p["name"] for p in ops["get"].get("parameters", [])}
        for path, ops in schema["paths"].items()
        if not path.endswith("{id}/")
    }
    for path, names in params.items():
        assert {"cursor", "page_size"} <= names, path
    assert {"unit", "region", "year", "state", "updated_since"} <= params["/api/v1/plans/"]
    assert {"unit", "region", "year", "status", "updated_since"} <= params["/api/v1/orders/"]
    assert {"unit", "region", "q", "level"} <= params["/api/v1/units/"]
    assert {"unit", "state", "level"} <= params["/api/v1/campaigns/{id}/units/"]


def test_the_schema_is_the_committed_one(schema):
    committed = yaml.safe_load(SNAPSHOT.read_text(encoding="utf-8"))
    generated = yaml.safe_load(OpenApiYamlRenderer().render(schema))
    assert without_integer_ranges(generated) == without_integer_ranges(committed), (
        f"the API changed: review it and regenerate the snapshot — {REGENERATE}"
    )


def test_the_schema_is_published_to_anyone():
    response = Client().get(reverse("api:schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    published = yaml.safe_load(response.content)
    assert published["openapi"].startswith("3.") and "/api/v1/units/" in published["paths"]
    as_json = Client().get(reverse("api:schema") + "?format=json")
    assert as_json.status_code == 200 and as_json.json()["info"]["title"] == "Методсеть API"


def test_the_docs_page_lists_every_endpoint_without_inline_code(schema):
    response = Client().get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    for path in schema["paths"]:
        assert f"GET {path}" in html, path
    assert "Authorization: Token" in html and "Доступ к API" in html
    # CSP: no inline script, no inline style, no handler, nothing from another host
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
