"""The OpenAPI schema (drf-spectacular) and the server-rendered page that lists what it describes."""

from functools import cache

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema

METHODS = ("get", "post", "put", "patch", "delete")


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Ключ со страницы портала «Доступ к API» в виде «Token <ключ>».",
        }


def described(summary: str, description: str):
    return extend_schema(summary=summary, description=description)


@cache
def schema_dict() -> dict:
    """The schema of this code (it changes only with a release): generated once per process."""
    return SchemaGenerator().get_schema(request=None, public=True)


def endpoints(schema: dict) -> list[dict]:
    """Each operation of the schema, for the docs page: path, method, summary, description, query parameters."""
    rows = []
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            rows.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": {"query": "запрос", "path": "путь"}.get(p["in"], p["in"]),
                            "type": p.get("schema", {}).get("type", ""),
                            "choices": p.get("schema", {}).get("enum", []),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                }
            )
    return rows
