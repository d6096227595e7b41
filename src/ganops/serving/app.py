"""The REST app ``ganops serve`` runs under uvicorn (``build``): MLflow's scoring server (the app
``mlflow models serve`` runs) for the model copied to ``$__pyfunc_model_path__``, behind a
bound on the request body that holds before any of it is read.

A body must say its length (``Content-Length``; a chunked one is answered 411) and be at
most ``GANOPS_MAX_REQUEST_BYTES`` (default ``MAX_REQUEST_BYTES``; more is answered 413), so
no request costs more than that much memory before ganops' own checks (rows, pixels) run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

MAX_REQUEST_BYTES = 32 << 20  # 256 PNG rows or a 2048x2048 image as a JSON array fit within
LIMIT_VARIABLE = "GANOPS_MAX_REQUEST_BYTES"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class BoundedBody:
    """ASGI middleware: a request body of unknown length (411) or over ``limit`` bytes (413)
    is refused from its headers, before the app reads it."""

    def __init__(self, app: Callable[..., Awaitable[None]], limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"").decode("latin-1")
        if not length.isdigit():
            return await refuse(send, 411, "give the request body's Content-Length")
        if int(length) > self.limit:
            message = f"the request body is {int(length)} bytes, over {self.limit}"
            return await refuse(send, 413, message)
        return await self.app(scope, receive, send)


async def refuse(send: Send, status: int, message: str) -> None:
    """An MLflow-style JSON error answer."""
    body = json.dumps({"error_code": "INVALID_PARAMETER_VALUE", "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def request_limit() -> int:
    """``GANOPS_MAX_REQUEST_BYTES`` if set, else ``MAX_REQUEST_BYTES``."""
    return int(os.environ.get(LIMIT_VARIABLE, MAX_REQUEST_BYTES))


def build() -> BoundedBody:
    """The app (``uvicorn --factory ganops.serving.app:build``)."""
    from mlflow.pyfunc import scoring_server

    path = os.environ[scoring_server._SERVER_MODEL_PATH]
    model = scoring_server.load_model_with_mlflow_config(path)
    return BoundedBody(scoring_server.init(model), request_limit())
