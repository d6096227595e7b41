"""A served generator under load: a seeded mix of valid and hostile requests sent to the
model server (``serving.rest``) from a few threads, with each answer's status, reason and
latency.

Used by the serving soak (``make soak``) and ``make bench`` (p50/p99 latency, requests/s).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import random
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ganops.serving.images import encode_png
from ganops.serving.rest import LOOPBACK, start_server

MAX_BODY = 4 << 20  # bytes of the oversized request: more images than a request may ask for


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(folder: Path, tracking_uri: str, model_uri: str, wait: float = 180) -> Iterator[str]:
    """The server of ``model_uri`` on a free loopback port with the project's settings
    (``rest.start_server``: pickle loading off, the environment's packages), up and
    answering ``/ping``; yields its base URL and stops it on exit (its log:
    ``folder/serve.log``)."""
    port, log = free_port(), Path(folder) / "serve.log"
    with log.open("w") as out:
        proc = start_server(
            model_uri, tracking_uri, port, stdout=out, stderr=subprocess.STDOUT, cwd=folder
        )
    base = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + wait
        while not answers_ping(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the model server did not start: {log.read_text()[-3000:]}")
            time.sleep(1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def answers_ping(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/ping", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


@dataclass(frozen=True)
class Request:
    kind: str  # "valid", or what is wrong with it
    body: bytes
    images: int = 0  # images a valid request asks for


@dataclass(frozen=True)
class Answer:
    kind: str
    status: int
    seconds: float
    reason: str  # the server's message (4xx/5xx), else ""
    images: int  # images answered


def table(columns: list[str], rows: list[list]) -> bytes:
    return json.dumps({"dataframe_split": {"columns": columns, "data": rows}}).encode()


def valid(rng: random.Random, latent_dim: int) -> Request:
    """Seeded rows (``n``, ``seed``) or latent vectors (``z``)."""
    if rng.random() < 0.5:
        n = rng.randint(1, 16)
        return Request("valid", table(["n", "seed"], [[n, rng.randint(0, 10**6)]]), n)
    rows = [[[rng.gauss(0, 1) for _ in range(latent_dim)]] for _ in range(rng.randint(1, 8))]
    return Request("valid", table(["z"], rows), len(rows))


def hostile(rng: random.Random, latent_dim: int) -> Request:
    """A request the server must refuse with a 4xx and a reason."""
    nan_z = "[[[" + ", ".join(["NaN"] * latent_dim) + "]]]"
    kinds = {
        "huge n": lambda: table(["n", "seed"], [[10**9, 0]]),
        "negative n": lambda: table(["n", "seed"], [[-3, 0]]),
        "n not a number": lambda: table(["n", "seed"], [["many", 0]]),
        "seed not an integer": lambda: table(["n", "seed"], [[2, "x"]]),
        "NaN latent": lambda: (
            '{"dataframe_split": {"columns": ["z"], "data": ' + nan_z + "}}"
        ).encode(),
        "latent of the wrong size": lambda: table(["z"], [[[0.1] * (latent_dim + 3)]]),
        "missing column": lambda: table(["seed"], [[1]]),
        "label for an unconditional model": lambda: table(["n", "seed", "label"], [[1, 0, 3]]),
        "not JSON": lambda: b"{this is not json",
        "oversized body": lambda: table(["z"], [[[0.5] * latent_dim]] * (MAX_BODY // 40)),
    }
    kind = rng.choice(sorted(kinds))
    return Request(kind, kinds[kind]())


def valid_image(rng: random.Random, size: int, channels: int) -> Request:
    """1 to 4 images of the training size: PNG files (gray or colour, converted by the
    server) or ``pixels`` arrays in [0, 1]."""
    generator, rows = np.random.default_rng(rng.randint(0, 10**6)), rng.randint(1, 4)
    if rng.random() < 0.5:
        shape = (size, size, 3 if rng.random() < 0.5 else 1)
        files = [encode_png(generator.random(shape)) for _ in range(rows)]
        return Request("valid", table(["image"], [[f] for f in files]), rows)
    arrays = [generator.random((size, size, channels)).round(3).tolist() for _ in range(rows)]
    return Request("valid", table(["pixels"], [[a] for a in arrays]), rows)


def image_file(image: np.ndarray, fmt: str) -> str:
    """An image in [0, 1] as the base64 text of a file in Pillow's format ``fmt``."""
    buffer = io.BytesIO()
    Image.fromarray(np.uint8(np.asarray(image) * 255)).save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def hostile_image(rng: random.Random, size: int, channels: int) -> Request:
    """A request a translation model must refuse with a 4xx and a reason."""
    picture = base64.b64decode(encode_png(np.zeros((size, size, 1))))
    bomb_png = encode_png(np.zeros((1024, 1024, 1)))

    def pixels(value: float, shape: tuple[int, ...] = (size, size, channels)) -> list:
        return np.full(shape, value).tolist()

    kinds = {
        "not base64": lambda: table(["image"], [["%%%"]]),
        "not an image file": lambda: table(["image"], [[base64.b64encode(b"GIF8 no").decode()]]),
        "truncated PNG": lambda: table(
            ["image"], [[base64.b64encode(picture[: len(picture) // 2]).decode()]]
        ),
        "NaN pixels": lambda: table(["pixels"], [[pixels(float("nan"))]]),
        "pixels out of range": lambda: table(["pixels"], [[pixels(2.0)]]),
        "wrong channels": lambda: table(["pixels"], [[pixels(0.5, (size, size, channels + 2))]]),
        "rows of different sizes": lambda: table(
            ["pixels"], [[pixels(0.5)], [pixels(0.5, (size + 4, size, channels))]]
        ),
        "too many pixels": lambda: table(["image"], [[encode_png(np.zeros((2100, 2100, 1)))]]),
        # 256 black 1024x1024 PNGs: ~0.5 MB sent, a gigabyte decoded (refused from the headers)
        "a decompression bomb": lambda: table(["image"], [[bomb_png]] * 256),
        "a TIFF file": lambda: table(["image"], [[image_file(np.zeros((size, size)), "TIFF")]]),
        "a thin strip": lambda: table(["image"], [[encode_png(np.zeros((2, 2000, 1)))]]),
        "a latent for a translation model": lambda: table(["z"], [[[0.1, 0.2]]]),
        "not JSON": lambda: b"{this is not json",
    }
    kind = rng.choice(sorted(kinds))
    return Request(kind, kinds[kind]())


def requests_mix(
    count: int,
    latent_dim: int = 0,
    image: tuple[int, int] | None = None,
    hostile_share: float = 0.3,
    seed: int = 0,
) -> list[Request]:
    """``count`` requests, about ``hostile_share`` of them hostile, in a seeded order: for a
    translation model taking ``image`` = (size, channels) images, else for a sampling model
    with latents of ``latent_dim``."""
    rng = random.Random(seed)
    args = image if image else (latent_dim,)
    make_valid, make_hostile = (valid_image, hostile_image) if image else (valid, hostile)
    return [
        (make_hostile if rng.random() < hostile_share else make_valid)(rng, *args)
        for _ in range(count)
    ]


def send(url: str, request: Request, timeout: float = 120) -> Answer:
    """POST one request; its status, latency, reason and the number of images answered."""
    http = urllib.request.Request(url, request.body, {"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as err:
        body, status = err.read(), err.code
    seconds = time.perf_counter() - start
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {"message": body[:200].decode(errors="replace")}
    if status == 200:
        return Answer(request.kind, status, seconds, "", len(answer["predictions"]))
    return Answer(request.kind, status, seconds, str(answer.get("message", "")), 0)


def hammer(url: str, requests: list[Request], workers: int = 4) -> tuple[list[Answer], float]:
    """Send every request from ``workers`` threads; the answers (in order) and the seconds."""
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(lambda r: send(url, r), requests))
    return answers, time.perf_counter() - start


def figures(answers: list[Answer], seconds: float) -> dict[str, float]:
    """Latency percentiles of the valid requests (ms), requests per second, and the count of
    each status."""
    latencies = np.array([a.seconds for a in answers if a.kind == "valid"]) * 1000
    statuses: dict[str, int] = {}
    for answer in answers:
        statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
    return {
        "requests": len(answers),
        "requests_per_second": round(len(answers) / seconds, 1),
        "valid_p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "valid_p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "statuses": statuses,
    }
