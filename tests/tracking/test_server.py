import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ganops.tracking.server import TrackingUnavailable, check_tracking_uri


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_answering_server_passes():
    server = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        check_tracking_uri(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()


def test_an_unreachable_server_is_named():
    uri = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(TrackingUnavailable, match=f"tracking server {uri} is unreachable"):
        check_tracking_uri(uri, timeout=2)


def test_a_sqlite_store_needs_its_folder(tmp_path):
    check_tracking_uri("sqlite:///mlflow.db", tmp_path)
    check_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    with pytest.raises(TrackingUnavailable, match="folder .*nowhere does not exist"):
        check_tracking_uri("sqlite:///nowhere/mlflow.db", tmp_path)
