"""The OpenAPI 3.1 document for every route, served at `/openapi.json`.

Written as data next to the routes it describes; a test checks that every route of the app has
an operation here and that no operation names a route that does not exist.
"""

from __future__ import annotations

from typing import Any

from bastion._version import __version__

JSON = dict[str, Any]

_MSG: JSON = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string"}},
}


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: JSON, description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> JSON:
    text = {
        400: "Invalid request: `message` names the field and the fix",
        401: "Missing, invalid or revoked API key",
        404: "Not found",
        413: "Request body over the limit",
        429: "Rate limited; see Retry-After",
        500: "Refused or failed; `message` says why",
        503: "Queue full or sandbox unavailable; see Retry-After",
    }
    return {str(c): _json(_ref("Message"), text[c]) for c in codes}


_LIMIT = {"type": "number", "description": "ms for timeouts/cpu_time, bytes for memory limits"}

SCHEMAS: JSON = {
    "Message": _MSG,
    "Runtime": {
        "type": "object",
        "required": ["language", "version", "aliases"],
        "properties": {
            "language": {"type": "string"},
            "version": {"type": "string"},
            "aliases": {"type": "array", "items": {"type": "string"}},
            "runtime": {
                "type": "string",
                "description": "providing package, when it provides several",
            },
        },
    },
    "File": {
        "type": "object",
        "required": ["content"],
        "properties": {
            "name": {"type": "string", "description": "relative path; default file${i}.code"},
            "content": {"type": "string"},
            "encoding": {"enum": ["utf8", "base64", "hex"], "default": "utf8"},
        },
    },
    "ExecuteRequest": {
        "type": "object",
        "required": ["language", "version", "files"],
        "properties": {
            "language": {"type": "string", "description": "name or alias"},
            "version": {"type": "string", "description": "npm semver range, e.g. 3.x or *"},
            "files": {
                "type": "array",
                "items": _ref("File"),
                "description": "first is the main file",
            },
            "stdin": {
                "type": "string",
                "default": "",
                "description": "a trailing newline is added if missing",
            },
            "args": {"type": "array", "items": {"type": "string"}, "default": []},
            **{
                f"{s}_{c}": _LIMIT
                for s in ("compile", "run")
                for c in ("timeout", "cpu_time", "memory_limit")
            },
        },
    },
    "Stage": {
        "type": "object",
        "properties": {
            "stdout": {"type": "string"},
            "stderr": {"type": "string"},
            "output": {"type": "string", "description": "stdout and stderr interleaved"},
            "code": {"type": ["integer", "null"]},
            "signal": {"type": ["string", "null"]},
            "message": {"type": ["string", "null"]},
            "status": {"enum": ["RE", "SG", "TO", "OL", "EL", "XX", None]},
            "cpu_time": {"type": "number", "description": "ms"},
            "wall_time": {"type": "number", "description": "ms"},
            "memory": {"type": "number", "description": "Piston's unit: peak KiB x 1000"},
            "memory_bytes": {"type": "integer", "description": "peak, in bytes (Bastion extra)"},
            "oom_killed": {"type": "boolean"},
            "stdout_truncated": {"type": "boolean"},
            "stderr_truncated": {"type": "boolean"},
        },
    },
    "ExecuteResponse": {
        "type": "object",
        "required": ["run", "language", "version"],
        "properties": {
            "compile": _ref("Stage"),
            "run": _ref("Stage"),
            "language": {"type": "string"},
            "version": {"type": "string"},
        },
    },
    "Package": {
        "type": "object",
        "properties": {
            "language": {"type": "string"},
            "language_version": {"type": "string"},
            "installed": {"type": "boolean"},
        },
    },
    "PackageRequest": {
        "type": "object",
        "required": ["language", "version"],
        "properties": {"language": {"type": "string"}, "version": {"type": "string"}},
    },
    "Session": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "created_at": {"type": "number"},
            "idle_timeout": {"type": "number"},
            "max_lifetime": {"type": "number"},
            "expires_at": {"type": "number"},
            "runs": {"type": "integer"},
        },
    },
    "SessionRequest": {
        "type": "object",
        "properties": {
            "idle_timeout": {"type": "number", "description": "seconds"},
            "max_lifetime": {"type": "number", "description": "seconds"},
            "memory_limit": {"type": "integer", "description": "bytes"},
        },
    },
    "SessionExecute": {
        "type": "object",
        "required": ["language", "code"],
        "properties": {
            "language": {"type": "string"},
            "code": {"type": "string"},
            "timeout": {"type": "number", "description": "ms"},
        },
    },
}


def _piston_paths(base: str) -> JSON:
    return {
        f"{base}/runtimes": {
            "get": {
                "summary": "Installed runtimes",
                "responses": {
                    "200": _json({"type": "array", "items": _ref("Runtime")}, "Runtimes")
                },
            }
        },
        f"{base}/execute": {
            "post": {
                "summary": "Run a job and wait for its result",
                "description": "JSON whatever the Content-Type; urlencoded forms also accepted.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ExecuteRequest")}},
                },
                "responses": {
                    "200": _json(
                        _ref("ExecuteResponse"), "Result (a failed compile is also the run)"
                    ),
                    **_errors(400, 401, 413, 429, 503),
                },
            }
        },
        f"{base}/connect": {
            "get": {
                "summary": "Interactive job over a WebSocket (Piston's protocol)",
                "description": (
                    "Messages: init, runtime, stage, data, signal, exit, error. Close codes "
                    "4000 Already Initialized, 4001 Initialization Timeout, 4002 Notified Error, "
                    "4003 Not yet Initialized, 4004 Can only write to stdin, 4005 Invalid signal, "
                    "4999 Job Completed."
                ),
                "responses": {"101": {"description": "Switching protocols"}, **_errors(401, 429)},
            }
        },
        f"{base}/packages": {
            "get": {
                "summary": "Runtime packages this host can provide",
                "responses": {
                    "200": _json({"type": "array", "items": _ref("Package")}, "Packages")
                },
            },
            "post": {
                "summary": "Enable a package after its test program prints OK",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("PackageRequest")}},
                },
                "responses": {
                    "200": _json(_ref("PackageRequest"), "Installed"),
                    **_errors(400, 404, 500),
                },
            },
            "delete": {
                "summary": "Disable a package",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("PackageRequest")}},
                },
                "responses": {
                    "200": _json(_ref("PackageRequest"), "Uninstalled"),
                    **_errors(400, 404, 500),
                },
            },
        },
    }


def _session_paths() -> JSON:
    p = "/api/v3/sessions"
    sid = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    fpath = [*sid, {"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        p: {
            "post": {
                "summary": "Create a session",
                "requestBody": {
                    "content": {"application/json": {"schema": _ref("SessionRequest")}}
                },
                "responses": {"201": _json(_ref("Session"), "Created"), **_errors(400, 401, 503)},
            },
            "get": {
                "summary": "The caller's sessions",
                "responses": {"200": {"description": "Sessions"}},
            },
        },
        p + "/{id}": {
            "get": {
                "summary": "One session",
                "parameters": sid,
                "responses": {"200": _json(_ref("Session"), "Session"), **_errors(404)},
            },
            "delete": {
                "summary": "Close a session",
                "parameters": sid,
                "responses": {"204": {"description": "Closed"}, **_errors(404)},
            },
        },
        p + "/{id}/execute": {
            "post": {
                "summary": "Run code in the session, streaming output",
                "parameters": sid,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("SessionExecute")}},
                },
                "responses": {
                    "200": {
                        "description": "NDJSON: {type:data,stream,data} lines, then "
                        "{type:result, ...Stage, outputs} or {type:error,message}",
                        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
                    },
                    **_errors(400, 404),
                },
            }
        },
        p + "/{id}/interrupt": {
            "post": {
                "summary": "Interrupt running code",
                "parameters": sid,
                "responses": {"200": {"description": "Interrupted"}, **_errors(404)},
            }
        },
        p + "/{id}/files": {
            "get": {
                "summary": "List files",
                "parameters": [
                    *sid,
                    {"name": "path", "in": "query", "schema": {"type": "string", "default": "."}},
                ],
                "responses": {"200": {"description": "{path, files}"}, **_errors(400, 404)},
            }
        },
        p + "/{id}/files/{path}": {
            "put": {
                "summary": "Upload a file (raw body)",
                "parameters": fpath,
                "requestBody": {
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    }
                },
                "responses": {"200": {"description": "{path, size}"}, **_errors(400, 404, 413)},
            },
            "get": {
                "summary": "Download a file",
                "parameters": fpath,
                "responses": {
                    "200": {
                        "description": "The bytes",
                        "content": {"application/octet-stream": {}},
                    },
                    **_errors(400, 404),
                },
            },
        },
    }


def document() -> JSON:
    paths: JSON = {
        "/": {
            "get": {
                "summary": "Version banner (Piston's shape)",
                "responses": {"200": _json(_ref("Message"), "Banner")},
            }
        },
        "/health": {
            "get": {
                "summary": "Ready when a canary job passes (public)",
                "responses": {"200": {"description": "Ready"}, "503": {"description": "Not ready"}},
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {"200": {"description": "text exposition format"}},
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1"}},
            }
        },
        **_piston_paths("/api/v2"),
        **_piston_paths("/api/v2/piston"),
        **_session_paths(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Bastion exec",
            "version": __version__,
            "description": "Piston v2 compatible code execution on the Bastion sandbox, "
            "plus sessions.",
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"apiKey": []}, {}],
        "paths": paths,
    }
