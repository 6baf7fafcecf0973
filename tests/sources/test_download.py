"""The fetched-source download path against a real HTTP server on 127.0.0.1 started by the test,
which sends what data portals really send: HTML login pages with HTTP 200, cut transfers, huge
answers, 5xx, 404, Basic-auth challenges answered from a netrc file. Nothing that is not a file the
source's reader accepts may enter the cache, and no credential may be written down."""

import base64
import http.server
import json
import logging
import sys
import threading

import pytest

from icegp import config
from icegp.config import rerun
from icegp.jobs import load
from icegp.sources import loading
from icegp.sources.download import DownloadError, cache_name, fetch
from icegp.util.urls import redact

DAY = "2019-04-15"
USER, PASSWORD = "icegp-user", "s3cret-pw"
KW = dict(retries=3, backoff_s=0.01, max_bytes=50 * 2**20)


class Handler(http.server.BaseHTTPRequestHandler):
    """Each path misbehaves in its own way for its first `fails` requests, then serves BODY (a real
    Bremen SMOS/SMAP file)."""

    hits: dict = {}
    BODY = b""
    fixed: set = set()

    def log_message(self, *args):
        pass

    def send_body(self, body, content_type="application/x-netcdf", length=True):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        name = self.path.strip("/").split("/")[0].split("?")[0]
        n = Handler.hits[name] = Handler.hits.get(name, 0) + 1
        body = Handler.BODY
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
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.close()
        elif name == "cut" and n <= 2:  # no Content-Length: only the reader can tell the file is short
            self.send_body(body[: len(body) // 2], length=False)
            self.connection.close()
        elif name == "login" and name not in Handler.fixed:  # an expired login: HTML with HTTP 200
            self.send_body(b"<!DOCTYPE html><html><body>Please log in to continue</body></html>", "text/html")
        elif name == "notnetcdf":
            self.send_body(b"CDF\x01" + b"\0" * 400)
        elif name == "huge":
            self.send_body(body + b"\0" * (60 * 2**20 - len(body)))
        elif name == "auth" and self.headers.get("Authorization") != "Basic " + base64.b64encode(
            f"{USER}:{PASSWORD}".encode()
        ).decode("ascii"):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="portal"')
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_body(body)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that stops reading a refused answer breaks the pipe: expected here, not reported."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture
def server(demo_days):
    Handler.hits, Handler.fixed = {}, set()
    with open(demo_days[1][DAY]["smap"], "rb") as fh:
        Handler.BODY = fh.read()
    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def smap(url, **settings):
    return config.source("smap", {"type": "bremen_smos_smap", "url": url, "backoff_s": 0.01, **settings})


def reader(path):
    return loading.load_gridded(smap("http://x/y.nc"), DAY, path)


def test_download_then_cache_then_offline(server, tmp_path):
    dest = tmp_path / "cache" / "20190415_north_mix_sit_v300.nc"
    info = fetch(f"{server}/ok/x.nc", dest, **KW, check=reader)
    assert dest.read_bytes() == Handler.BODY and not info["cached"] and info["attempts"] == 1
    again = fetch(f"{server}/ok/x.nc", dest, **KW, check=reader)
    assert again["cached"] and Handler.hits["ok"] == 1
    offline = fetch("http://127.0.0.1:9/unreachable.nc", dest, **{**KW, "retries": 0})  # nothing on port 9
    assert offline["cached"] and offline["sha256"] == info["sha256"]


@pytest.mark.parametrize("path", ["error500", "drop", "truncated", "cut"])
def test_transient_failures_are_retried(server, tmp_path, path):
    dest = tmp_path / "f.nc"
    info = fetch(f"{server}/{path}/f.nc", dest, **KW, check=reader)
    assert dest.read_bytes() == Handler.BODY
    assert info["attempts"] > 1


def test_a_cut_file_without_content_length_never_enters_the_cache(server, tmp_path):
    dest = tmp_path / "f.nc"
    with pytest.raises(DownloadError, match=r"cut/f.nc: failed after 2 attempts: the file does not read: InputError"):
        fetch(f"{server}/cut/f.nc", dest, **{**KW, "retries": 1}, check=reader)
    assert list(tmp_path.iterdir()) == []


def test_an_html_login_page_is_a_named_error_not_a_cached_file(server, tmp_path):
    """HTTP 200 with an HTML page: the error names the URL, the day, the content type and the first
    bytes; it is not retried (a login page does not fix itself) and leaves nothing in the cache; a
    rerun after the server is fixed succeeds with no hand-editing."""
    src = smap(server + "/login/{YYYYMMDD}_north_mix_sit_v300.nc")
    cache, manifest = tmp_path / "cache" / "f.nc", tmp_path / "m.json"
    kw = dict(source=src, day=DAY, cache=str(cache), manifest=str(manifest), missing_days="skip")
    with pytest.raises(DownloadError) as err:
        load.fetch_gridded(**kw)
    message = str(err.value)
    assert f"day {DAY}" in message and "/login/20190415_north_mix_sit_v300.nc" in message
    assert "Content-Type 'text/html'" in message and "<!DOCTYPE html>" in message
    assert Handler.hits["login"] == 1 and not err.value.missing
    assert not cache.exists() and not manifest.exists() and list((tmp_path / "cache").iterdir()) == []
    Handler.fixed.add("login")
    assert load.fetch_gridded(**kw)["status"] == "ok" and cache.read_bytes() == Handler.BODY


def test_a_file_with_a_netcdf_signature_that_the_reader_refuses_is_not_cached(server, tmp_path):
    with pytest.raises(DownloadError, match="notnetcdf/f.nc: failed after 2 attempts: the file does not read"):
        fetch(f"{server}/notnetcdf/f.nc", tmp_path / "f.nc", **{**KW, "retries": 1}, check=reader)
    assert list(tmp_path.iterdir()) == []


def test_answers_over_the_size_limit_are_refused(server, tmp_path):
    with pytest.raises(DownloadError, match="huge/f.nc: .*over the limit"):
        fetch(f"{server}/huge/f.nc", tmp_path / "f.nc", **KW, check=reader)
    assert Handler.hits["huge"] == 1 and list(tmp_path.iterdir()) == []
    src = smap(server + "/huge/{YYYYMMDD}.nc", max_download_mb=1)
    with pytest.raises(DownloadError, match="over the limit of 1048576"):
        load.fetch_gridded(source=src, day=DAY, cache=str(tmp_path / "g.nc"), manifest=str(tmp_path / "m.json"),
                           missing_days="error")  # fmt: skip


def test_a_cached_file_that_no_longer_reads_is_reported_and_fetched_again(server, tmp_path, caplog):
    dest = tmp_path / "f.nc"
    fetch(f"{server}/ok/f.nc", dest, **KW, check=reader)
    dest.write_bytes(Handler.BODY[: len(Handler.BODY) // 2])  # truncated on disk
    with caplog.at_level(logging.WARNING):
        info = fetch(f"{server}/ok/f.nc", dest, **KW, check=reader)
    assert f"cached file {dest} no longer reads" in caplog.text
    assert not info["cached"] and dest.read_bytes() == Handler.BODY and Handler.hits["ok"] == 2


def test_a_cached_file_edited_after_its_fetch_is_refused_with_the_command_that_refreshes_it(server, tmp_path):
    src = smap(server + "/ok/{YYYYMMDD}_north_mix_sit_v300.nc")
    cache, manifest = tmp_path / "f.nc", tmp_path / "m.json"
    load.fetch_gridded(source=src, day=DAY, cache=str(cache), manifest=str(manifest), missing_days="error")
    cache.write_bytes(cache.read_bytes()[:-1] + b"\1")
    with pytest.raises(
        loading.InputError, match=rf"{cache} has changed since .*`rm {cache} && snakemake --forcerun {manifest}`"
    ):
        loading.load_day(src, DAY, "EPSG:3411", [str(manifest)])


def test_404_fails_at_once_and_leaves_nothing(server, tmp_path):
    dest = tmp_path / "f.nc"
    with pytest.raises(DownloadError, match="404") as err:
        fetch(f"{server}/missing/f.nc", dest, **KW)
    assert err.value.missing and Handler.hits["missing"] == 1
    assert list(tmp_path.iterdir()) == []


def test_persistent_failure_leaves_no_partial_file(server, tmp_path):
    dest = tmp_path / "f.nc"
    with pytest.raises(DownloadError, match="after 3 attempts"):
        fetch(f"{server}/always500/f.nc", dest, **{**KW, "retries": 2})
    with pytest.raises(DownloadError):
        fetch(f"{server}/truncated/f.nc", dest, **{**KW, "retries": 1})
    assert list(tmp_path.iterdir()) == []


def test_credentials_come_from_netrc_and_are_never_written_down(server, tmp_path, monkeypatch, caplog):
    """requests answers the portal's Basic challenge from the netrc file; a token in the URL reaches
    the server but not the manifest, the log, an error or the product's recorded config."""
    url = server + "/auth/{YYYYMMDD}_north_mix_sit_v300.nc?token=tok-123&v=3"
    src = smap(url, retries=0)
    kw = dict(source=src, day=DAY, cache=str(tmp_path / "c.nc"), missing_days="error")
    monkeypatch.setenv("NETRC", str(tmp_path / "absent"))
    with pytest.raises(DownloadError, match=r"HTTP 401; credentials come from ~/.netrc") as err:
        load.fetch_gridded(**kw, manifest=str(tmp_path / "m0.json"))
    assert "tok-123" not in str(err.value) and "token=***" in str(err.value)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with caplog.at_level(logging.INFO):  # the level jobs log at (jobs.setup_logging)
        info = load.fetch_gridded(**kw, manifest=str(tmp_path / "m.json"))
    assert info["status"] == "ok" and (tmp_path / "c.nc").read_bytes() == Handler.BODY
    written = (tmp_path / "m.json").read_text() + caplog.text
    assert "tok-123" not in written and PASSWORD not in written and "token=***&v=3" in written
    with_password = smap("https://me:pw-456@portal.example/{YYYYMMDD}.nc?access_token=abc")
    recorded = json.dumps(rerun.provenance({**config.resolve(config.MINIMAL), "sources": {"smap": with_password}}))
    assert "pw-456" not in recorded and "abc" not in recorded and "https://***@portal.example/" in recorded


@pytest.mark.parametrize(
    "url",
    ["http://h/a/..", "http://h/a/..%2F..%2Fetc%2Fpasswd", "http://h/dir/", "http://h/.hidden", "http://h/%2Fetc"],
)
def test_cache_names_never_leave_the_cache_directory(url):
    with pytest.raises(DownloadError, match="does not end in a file name"):
        cache_name(url)


def test_cache_names_drop_the_query_and_only_http_is_fetched():
    assert cache_name("https://h/x/20190415.nc?token=abc") == "20190415.nc"
    assert redact("https://u:p@h/x.nc?key=1&v=2") == "https://***@h/x.nc?key=***&v=2"
    for url in ("file:///etc/passwd", "ftp://h/x.nc", "/local/x.nc"):
        with pytest.raises(DownloadError, match="only http and https"):
            cache_name(url)
    with pytest.raises(ValueError, match="config key sources.smap.url: .*only http and https"):
        config.check(
            config.resolve(
                {"targets": [DAY], "sources": {"smap": {"type": "bremen_smos_smap", "url": "file:///d/{YYYYMMDD}.nc"}}}
            )
        )


def test_fetch_day_manifest_and_missing_day_policy(server, tmp_path):
    src = smap(server + "/{YYYY}/{YYYYMMDD}_north_mix_sit_v300.nc")
    manifest, m2 = tmp_path / "m.json", str(tmp_path / "m2.json")
    info = load.fetch_gridded(
        source=src, day=DAY, cache=str(tmp_path / "c.nc"), manifest=str(manifest), missing_days="error"
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
