import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"


@pytest.fixture
def server():
    """A web server on 127.0.0.1 that answers every request and keeps its paths: an upload
    must never make the atlas ask it anything."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"code,name\nX1,intern\n")

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll: shutdown() waits for the loop to look, by default half a second a test.
    serving = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    serving.start()
    yield httpd.server_address[1], requests
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hostile(tmp_path, server):
    """A copy of a hostile file whose URLs point at ``server``."""
    port, _requests = server

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(HOSTILE / name, target)
        target.write_bytes(target.read_bytes().replace(b"PORT", str(port).encode()))
        return target

    return copy


def hosts_lines() -> list[str]:
    lines = Path("/etc/hosts").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def assert_harmless(text: str) -> None:
    """No line of /etc/hosts and no absolute path of the server in a message."""
    for line in hosts_lines():
        assert line not in text
    assert "localhost" not in text
    for folder in ("/tmp", "/etc", "/proc", "/work", "/home", "/data", "/app", "/var"):
        assert folder not in text
