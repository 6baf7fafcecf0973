"""The SMOS/SMAP download path against a real HTTP server on 127.0.0.1 started by the test."""

import http.server
import json
import threading

import pytest

from icegp import config
from icegp.io.download import DownloadError, fetch
from icegp.jobs import load

BODY = b"CDF-like payload " * 2000


class Handler(http.server.BaseHTTPRequestHandler):
    """Each path misbehaves in its own way for its first `fails` requests, then serves BODY."""

    hits: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        name = self.path.strip("/").split("/")[0]
        n = Handler.hits[name] = Handler.hits.get(name, 0) + 1
        if name == "missing":
            self.send_error(404)
        elif name == "error500" and n <= 2:
            self.send_error(500)
        elif name == "always500":
            self.send_error(503)
        elif name == "drop" and n <= 1:
            self.connection.close()  # no response at all
        elif name == "truncated" and n <= 2:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 3])
            self.wfile.flush()
            self.connection.close()
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)


@pytest.fixture
def server():
    Handler.hits = {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_then_cache_then_offline(server, tmp_path):
    dest = tmp_path / "cache" / "20190415_north_mix_sit_v300.nc"
    info = fetch(f"{server}/ok/x.nc", dest, backoff_s=0.01)
    assert dest.read_bytes() == BODY and not info["cached"] and info["attempts"] == 1
    again = fetch(f"{server}/ok/x.nc", dest, backoff_s=0.01)
    assert again["cached"] and Handler.hits["ok"] == 1
    offline = fetch("http://127.0.0.1:9/unreachable.nc", dest, retries=0)  # nothing listens on port 9
    assert offline["cached"] and offline["sha256"] == info["sha256"]


@pytest.mark.parametrize("path", ["error500", "drop", "truncated"])
def test_transient_failures_are_retried(server, tmp_path, path):
    dest = tmp_path / "f.nc"
    info = fetch(f"{server}/{path}/f.nc", dest, retries=3, backoff_s=0.01)
    assert dest.read_bytes() == BODY
    assert info["attempts"] > 1


def test_404_fails_at_once_and_leaves_nothing(server, tmp_path):
    dest = tmp_path / "f.nc"
    with pytest.raises(DownloadError, match="404") as err:
        fetch(f"{server}/missing/f.nc", dest, retries=3, backoff_s=0.01)
    assert err.value.missing and Handler.hits["missing"] == 1
    assert list(tmp_path.iterdir()) == []


def test_persistent_failure_leaves_no_partial_file(server, tmp_path):
    dest = tmp_path / "f.nc"
    with pytest.raises(DownloadError, match="after 3 attempts"):
        fetch(f"{server}/always500/f.nc", dest, retries=2, backoff_s=0.01)
    with pytest.raises(DownloadError):
        fetch(f"{server}/truncated/f.nc", dest, retries=1, backoff_s=0.01)
    assert list(tmp_path.iterdir()) == []


def test_fetch_day_manifest_and_missing_day_policy(server, tmp_path):
    src = config.source(
        "smap",
        {"type": "bremen_smos_smap", "url": server + "/{YYYY}/{YYYYMMDD}_north_mix_sit_v300.nc", "backoff_s": 0.01},
    )
    manifest, m2 = tmp_path / "m.json", str(tmp_path / "m2.json")
    info = load.fetch_gridded(
        source=src, day="2019-04-15", cache=str(tmp_path / "c.nc"), manifest=str(manifest), missing_days="error"
    )
    assert info["url"].endswith("/2019/20190415_north_mix_sit_v300.nc") and info["status"] == "ok"
    missing = {**src, "url": server + "/missing/{YYYYMMDD}.nc"}
    with pytest.raises(DownloadError, match="day 2019-04-16"):
        load.fetch_gridded(
            source=missing, day="2019-04-16", cache=str(tmp_path / "d.nc"), manifest=m2, missing_days="error"
        )
    assert not (tmp_path / "m2.json").exists()
    load.fetch_gridded(source=missing, day="2019-04-16", cache=str(tmp_path / "d.nc"), manifest=m2, missing_days="skip")
    assert json.loads((tmp_path / "m2.json").read_text())["status"] == "missing"
