"""The API's OpenAPI description, assembled from the areas of the application.

Each module in `app.AREAS` that serves API routes has `OPENAPI`, a mapping of its paths (OpenAPI
3.1 path items); this module adds the info, the servers and the shared components (the problem
document) and serves the whole at /api/v1/openapi.json.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details, with every problem in the words of the command line",
    "required": ["type", "title", "status", "detail", "code", "problems"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "the message code of the first problem (docs/legal-staff.md)",
        },
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "severity", "message", "todo", "location", "rendered"],
                "properties": {
                    "code": {"type": "string"},
                    "severity": {"enum": ["error", "warning"]},
                    "message": {"type": "string"},
                    "todo": {"type": "string"},
                    "location": {
                        "type": ["object", "null"],
                        "properties": {
                            "file": {"type": "string"},
                            "line": {"type": ["integer", "null"]},
                            "column": {"type": ["integer", "null"]},
                            "text": {"type": "string"},
                        },
                    },
                    "field": {"type": ["string", "null"]},
                    "article": {"type": ["string", "null"]},
                    "rendered": {"type": "string"},
                },
            },
        },
    },
}


INTERNAL = {
    "description": "a bug in the server: a problem document without details (the server's log has them)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _completed(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    """Every operation has an id (from its method and path when its area gives none) and names the
    500 answer every route can give (the catch-all for a bug)."""
    words = re.findall(r"[a-z]+", path.removeprefix("/api/v1/"))
    return {
        "operationId": operation.get("operationId") or "_".join([method, *words]),
        **operation,
        "responses": {**operation["responses"], "500": operation["responses"].get("500", INTERNAL)},
    }


def document(areas: list[Any]) -> dict[str, Any]:
    """The OpenAPI document of the application's API."""
    paths: dict[str, Any] = {}
    for area in areas:
        for path, item in getattr(area, "OPENAPI", {}).items():
            paths[path] = {method: _completed(path, method, op) for method, op in item.items()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "convenant",
            "version": version("convenant"),
            "description": (
                "Rules-as-code for the Dutch covenants on Beschermd Wonen and Maatschappelijke Opvang: "
                "the commands of `convenant` as an HTTP API. Errors are RFC 9457 problem documents."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Problem": PROBLEM},
            "responses": {
                code: {
                    "description": text,
                    "content": {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                }
                for code, text in (
                    ("Problem400", "the request is wrong"),
                    ("Problem403", "no access token, or a request from another website"),
                    ("Problem404", "unknown covenant, run or kenmerk"),
                    ("Problem413", "the upload is too large"),
                    ("Problem415", "the upload is not of an accepted kind"),
                    ("Problem422", "the facts or the rules are refused, with the command line's messages"),
                )
            },
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
