"""Cached, atomic, retried HTTP downloads (the SMOS/SMAP fetch path)."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import requests

from .atomic import atomic_path

log = logging.getLogger(__name__)


class DownloadError(RuntimeError):
    """A download that failed for good; `missing` is True when the server says the file does not exist."""

    def __init__(self, message: str, missing: bool = False):
        super().__init__(message)
        self.missing = missing


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _get_once(url: str, dest: Path, timeout: float) -> int:
    """One attempt: stream to `dest`; a body shorter than Content-Length is an error."""
    with requests.get(url, stream=True, timeout=timeout) as resp:
        if resp.status_code == 404:
            raise DownloadError(f"{url}: HTTP 404 not found", missing=True)
        resp.raise_for_status()
        expected = resp.headers.get("Content-Length")
        n = 0
        with open(dest, "wb") as fh:
            for chunk in resp.iter_content(1 << 16):
                fh.write(chunk)
                n += len(chunk)
    if expected is not None and not resp.headers.get("Content-Encoding") and n != int(expected):
        raise requests.exceptions.ChunkedEncodingError(f"{url}: truncated body, {n} of {expected} bytes")
    if n == 0:
        raise requests.exceptions.ContentDecodingError(f"{url}: empty body")
    return n


def fetch(url: str, dest, retries: int = 4, backoff_s: float = 1.0, timeout_s: float = 60.0) -> dict:
    """Download `url` to `dest` unless it is already there; never leaves a partial file at `dest`.

    Connection errors, HTTP 5xx and truncated bodies are retried with exponential backoff
    (backoff_s, 2*backoff_s, ...); a 404 fails at once with ``DownloadError(missing=True)``.
    Returns a manifest dict (url, path, bytes, sha256, cached).
    """
    dest = Path(dest)
    if dest.exists() and dest.stat().st_size > 0:
        return {
            "url": url,
            "path": str(dest),
            "bytes": dest.stat().st_size,
            "sha256": sha256(dest),
            "cached": True,
            "attempts": 0,
        }
    last: Exception | None = None
    for attempt in range(1, retries + 2):
        try:
            with atomic_path(dest, ".download") as tmp:
                n = _get_once(url, tmp, timeout_s)
            return {
                "url": url,
                "path": str(dest),
                "bytes": n,
                "sha256": sha256(dest),
                "cached": False,
                "attempts": attempt,
            }
        except DownloadError:
            raise
        except requests.exceptions.HTTPError as err:
            status = err.response.status_code if err.response is not None else None
            if status is not None and status < 500:
                raise DownloadError(f"{url}: HTTP {status}") from err
            last = err
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as err:
            last = err
        if attempt <= retries:
            wait = backoff_s * 2 ** (attempt - 1)
            log.warning("download of %s failed (%s); retry %d/%d in %.1fs", url, last, attempt, retries, wait)
            time.sleep(wait)
    raise DownloadError(f"{url}: failed after {retries + 1} attempts: {last}")


def expand_template(template: str, day: str) -> str:
    """Fill {YYYY}, {MM}, {DD}, {YYYYMMDD} and {day} in a URL or path template."""
    ymd = day.replace("-", "")
    return template.format(YYYY=ymd[:4], MM=ymd[4:6], DD=ymd[6:], YYYYMMDD=ymd, day=day)
