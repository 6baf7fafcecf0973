"""Cached, atomic, retried, checked HTTP downloads (the fetched gridded sources).

Nothing enters the cache that is not what it claims: a body is streamed to a temporary name, held
to a size limit, checked for the format's signature and by the caller's reader, and only then
renamed into the cache. A cached file is checked again before it is trusted. Credentials come from
``~/.netrc`` (requests' own support, as NASA Earthdata and other portals use); a password or token
in a URL is never written to a log, an error, a manifest or a product (:func:`redact`).
"""

from __future__ import annotations

import logging
import os
import time
import urllib.parse
from pathlib import Path
from typing import Callable

import requests

from icegp.util.atomic import atomic_path
from icegp.util.paths import expand_template, sha256
from icegp.util.urls import redact

log = logging.getLogger(__name__)

#: The first bytes of the files the fetched sources serve: netCDF classic (CDF-1, CDF-2, CDF-5) and
#: netCDF-4 (HDF5).
NETCDF_SIGNATURES = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n")
SCHEMES = ("http", "https")


class DownloadError(RuntimeError):
    """A download that failed for good; `missing` is True when the server says the file does not exist."""

    def __init__(self, message: str, missing: bool = False):
        super().__init__(message)
        self.missing = missing


class BadAnswer(Exception):
    """A response that is not the file it claims to be; `retry` where another attempt can help (a
    cut transfer), not where the server sends something else (a login or quota page)."""

    def __init__(self, message: str, retry: bool):
        super().__init__(message)
        self.retry = retry


def _scrub(text: str, url: str) -> str:
    """`text` (an error from the HTTP library) with every spelling of `url` in it redacted."""
    parts = urllib.parse.urlsplit(url)
    safe = urllib.parse.urlsplit(redact(url))
    for raw, clean in (
        (url, redact(url)),
        (f"{parts.path}?{parts.query}", f"{safe.path}?{safe.query}"),
        (parts.netloc, safe.netloc),
    ):
        if raw and raw != clean:
            text = text.replace(raw, clean)
    return text


def check_url(url: str) -> None:
    """Only http and https URLs are fetched."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise DownloadError(f"{redact(url)}: only http and https URLs are fetched, not {scheme or 'a bare path'!r}")


def cache_name(url: str) -> str:
    """The file name a download is cached under: the last segment of the URL's path (never its query,
    which may hold a token), refused where it could leave the cache directory or name nothing."""
    check_url(url)
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    if name in ("", ".", "..") or any(c in name for c in "/\\\0") or name.startswith("."):
        raise DownloadError(f"{redact(url)}: the URL's path does not end in a file name to cache ({name!r})")
    return name


def describe(resp: requests.Response, head: bytes) -> str:
    """What a server sent instead of the file: its content type and first bytes."""
    return f"Content-Type {resp.headers.get('Content-Type', 'not given')!r}, first bytes {head[:64]!r}"


def _get_once(url: str, dest: Path, *, timeout: float, max_bytes: int, signatures) -> None:
    """One attempt: stream to `dest`, within `max_bytes`, starting with one of `signatures`; a body
    shorter than Content-Length is an error."""
    with requests.get(url, stream=True, timeout=timeout) as resp:
        if resp.status_code == 404:
            raise DownloadError(f"{redact(url)}: HTTP 404 not found", missing=True)
        resp.raise_for_status()
        expected = resp.headers.get("Content-Length")
        if expected is not None and int(expected) > max_bytes:
            raise DownloadError(f"{redact(url)}: {expected} bytes announced, over the limit of {max_bytes}")
        n, head = 0, b""
        with open(dest, "wb") as fh:
            for chunk in resp.iter_content(1 << 16):
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                    if len(head) >= 8 and not head.startswith(signatures):
                        raise BadAnswer(f"HTTP {resp.status_code} but not a netCDF file: {describe(resp, head)}", False)
                n += len(chunk)
                if n > max_bytes:
                    raise DownloadError(f"{redact(url)}: more than {max_bytes} bytes sent, over the limit")
                fh.write(chunk)
    if expected is not None and not resp.headers.get("Content-Encoding") and n != int(expected):
        raise requests.exceptions.ChunkedEncodingError(f"truncated body, {n} of {expected} bytes")
    if n == 0:
        raise requests.exceptions.ContentDecodingError("empty body")
    if not head.startswith(signatures):
        raise BadAnswer(f"HTTP {resp.status_code} but not a netCDF file: {describe(resp, head)}", False)


def _usable(path: Path, signatures, check: Callable[[str], object] | None) -> str | None:
    """Why the file at `path` is not what it should be (None when it is)."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    if not head.startswith(signatures):
        return f"not a netCDF file (first bytes {head[:32]!r})"
    if check is not None:
        try:
            check(str(path))
        except Exception as err:
            return f"{type(err).__name__}: {err}"
    return None


def _manifest(url: str, dest: Path, *, cached: bool, attempts: int) -> dict:
    """What a fetch records of the file now at `dest` (url without credentials)."""
    size, digest = dest.stat().st_size, sha256(dest)
    return {"url": url, "path": str(dest), "bytes": size, "sha256": digest, "cached": cached, "attempts": attempts}


def fetch(
    url: str,
    dest,
    *,
    retries: int,
    backoff_s: float,
    max_bytes: int,
    timeout_s: float = 60.0,
    signatures: tuple[bytes, ...] = NETCDF_SIGNATURES,
    check: Callable[[str], object] | None = None,
) -> dict:
    """Download `url` to `dest` unless a usable copy is there; never leaves a partial or unchecked
    file at `dest`.

    `check(path)` (the source's reader) must accept the file before it is renamed into the cache,
    and a cached file before it is trusted; a cached file that fails is reported and fetched again.
    Connection errors, HTTP 5xx, truncated bodies and files that do not read are retried with
    exponential backoff (backoff_s, 2*backoff_s, ...); a 404 fails at once with
    ``DownloadError(missing=True)``, and so, without the missing flag, does any other 4xx, a body
    over `max_bytes` or an answer that is not a netCDF file (a login or quota page). Returns a
    manifest dict (url without credentials, path, bytes, sha256, cached, attempts).
    """
    dest = Path(dest)
    check_url(url)
    shown = redact(url)
    if dest.exists():
        why = _usable(dest, signatures, check)
        if why is None:
            return _manifest(shown, dest, cached=True, attempts=0)
        log.warning("cached file %s no longer reads (%s); fetching it again from %s", dest, why, shown)
        dest.unlink()
    last = ""
    for attempt in range(1, retries + 2):
        try:
            with atomic_path(dest, ".download") as tmp:
                _get_once(url, tmp, timeout=timeout_s, max_bytes=max_bytes, signatures=signatures)
                why = _usable(tmp, signatures, check)
                if why is not None:
                    raise BadAnswer(f"the file does not read: {why.replace(str(tmp), 'it')}", True)
            return _manifest(shown, dest, cached=False, attempts=attempt)
        except DownloadError:
            raise
        except BadAnswer as err:
            if not err.retry:
                raise DownloadError(f"{shown}: {err}") from None
            last = str(err)
        except requests.exceptions.HTTPError as err:
            status = err.response.status_code if err.response is not None else None
            if status is not None and status < 500:
                hint = "; credentials come from ~/.netrc" if status in (401, 403) else ""
                raise DownloadError(f"{shown}: HTTP {status}{hint}") from None
            last = _scrub(str(err), url)
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as err:
            last = _scrub(f"{type(err).__name__}: {err}", url)
        if attempt <= retries:
            wait = backoff_s * 2 ** (attempt - 1)
            log.warning("download of %s failed (%s); retry %d/%d in %.1fs", shown, last, attempt, retries, wait)
            time.sleep(wait)
    raise DownloadError(f"{shown}: failed after {retries + 1} attempts: {last}")


def cache_path(src: dict, day: str) -> str:
    """Where a fetched day is cached: the URL's file name in the source's `cache` directory (never
    outside it)."""
    return os.path.join(src["cache"], cache_name(expand_template(src["url"], day)))
