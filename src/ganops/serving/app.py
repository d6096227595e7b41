"""The REST app ``ganops serve`` runs under uvicorn (``build``): MLflow's scoring server (the
app ``mlflow models serve`` runs) for the model copied to ``$__pyfunc_model_path__``, behind
bounds that hold before MLflow reads the request.

- A body must say its length (``Content-Length``; a chunked one is answered 411) and be at
  most the model's bound (413): ``GANOPS_MAX_REQUEST_BYTES`` if set, else
  ``MAX_REQUEST_BYTES`` for a translation model (images) and ``latent_bytes`` for the others
  (at most ``MAX_IMAGES`` latent vectors in full precision).
- A JSON table of more than ``MAX_IMAGES`` rows is answered 400 from a plain parse, before
  MLflow turns it into a DataFrame and checks it against the signature (the costly part).

So no hostile request costs the server much more than a valid one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

MAX_REQUEST_BYTES = 32 << 20  # 256 PNG rows or a 2048x2048 image as a JSON array fit within
LIMIT_VARIABLE = "GANOPS_MAX_REQUEST_BYTES"
DRAINED_BYTES = 64 << 20  # a body over the bound but under this is read (not kept) first
BYTES_PER_NUMBER = 32  # a float in JSON at full precision, with its separator, and slack
WARM_UP_SIZES = (1, 2, 3, 4, 7, 16)  # request sizes answered at start (Keras settles after a few)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Bounded:
    """ASGI middleware: a request body of unknown length (411) or over ``limit`` bytes (413)
    is refused from its headers; a JSON table of more than ``max_rows`` rows (400) from a
    plain parse; anything else goes to ``app`` as it came."""

    def __init__(self, app: Callable[..., Awaitable[None]], limit: int, max_rows: int):
        self.app, self.limit, self.max_rows = app, limit, max_rows

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"").decode("latin-1")
        if not length.isdigit():
            return await refuse(send, 411, "give the request body's Content-Length")
        if int(length) > self.limit:
            if int(length) <= DRAINED_BYTES:  # read and dropped, unparsed: the client then
                await read_body(receive)  # reads the answer instead of a broken pipe
            message = f"the request body is {int(length)} bytes, over {self.limit}"
            return await refuse(send, 413, message)
        body = await read_body(receive)
        rows = table_rows(body)
        if rows is not None and rows > self.max_rows:
            message = f"at most {self.max_rows} images per call, asked for {rows} rows"
            return await refuse(send, 400, message)
        return await self.app(scope, replay(body), send)


async def read_body(receive: Receive) -> bytes:
    """The whole request body (its length already checked)."""
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A ``receive`` that gives ``body`` once, then waits for the client to go."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def table_rows(body: bytes) -> int | None:
    """The rows of a JSON request table (``dataframe_split``, ``dataframe_records``,
    ``instances`` or ``inputs``); None when it is no such JSON (MLflow answers that)."""
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(request, dict):
        return None
    split = request.get("dataframe_split")
    table = split.get("data") if isinstance(split, dict) else request.get("dataframe_records")
    for given in (table, request.get("instances"), request.get("inputs")):
        if isinstance(given, list):
            return len(given)
        if isinstance(given, dict):  # columns: the longest
            return max((len(v) for v in given.values() if isinstance(v, list)), default=None)
    return None


async def refuse(send: Send, status: int, message: str) -> None:
    """An MLflow-style JSON error answer."""
    body = json.dumps({"error_code": "INVALID_PARAMETER_VALUE", "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def latent_bytes(latent_dim: int, max_rows: int) -> int:
    """The largest valid request of a latent model: ``max_rows`` latent vectors and a few
    other columns, every number in full precision, and 64 KiB to spare."""
    return max_rows * (latent_dim + 8) * BYTES_PER_NUMBER + (64 << 10)


def request_limit(generator: Any, max_rows: int) -> int:
    """``GANOPS_MAX_REQUEST_BYTES`` if set; else the bound for ``generator``'s requests."""
    from ganops.sampling import Inputs

    if LIMIT_VARIABLE in os.environ:
        return int(os.environ[LIMIT_VARIABLE])
    inputs = Inputs.of(generator)
    if inputs.image is not None:
        return MAX_REQUEST_BYTES
    return latent_bytes(inputs.latent_dim, max_rows)


def warm_up(model: Any, generator: Any) -> None:
    """Answer a few requests before the first client does: the model's first calls (Keras
    traces its predict function per batch size until it settles on any size) would
    otherwise cost the first clients half a second each."""
    import pandas as pd

    from ganops.sampling import Inputs
    from ganops.serving.pyfunc import input_example

    spec = Inputs.of(generator)
    if spec.image is not None:
        model.predict(input_example(generator))
        return
    for n in WARM_UP_SIZES:  # seeded rows, then latent rows
        model.predict(pd.DataFrame({"n": [n], "seed": [0]}))
        model.predict(pd.DataFrame({"z": [[0.0] * spec.latent_dim] * n}))


def build() -> Bounded:
    """The app (``uvicorn --factory ganops.serving.app:build``), warmed up."""
    from mlflow.pyfunc import scoring_server

    from ganops.serving.pyfunc import MAX_IMAGES

    model = scoring_server.load_model_with_mlflow_config(
        os.environ[scoring_server._SERVER_MODEL_PATH]
    )
    generator = model.unwrap_python_model().generator
    warm_up(model, generator)
    return Bounded(scoring_server.init(model), request_limit(generator, MAX_IMAGES), MAX_IMAGES)
