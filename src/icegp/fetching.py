"""The fetch_gridded job: cache one day's file from a URL template and record a manifest."""

from __future__ import annotations

import logging

from .io.atomic import write_json
from .io.download import DownloadError, expand_template, fetch

log = logging.getLogger(__name__)


def fetch_day(source: dict, day: str, cache_path: str, manifest: str, missing_days: str) -> dict:
    """Fetch (or find cached) and write the manifest; a missing day is fatal unless missing_days=skip."""
    url = expand_template(source["url"], day)
    try:
        info = fetch(url, cache_path, retries=source["retries"], backoff_s=source["backoff_s"])
        info["status"] = "ok"
        log.info("%s: %s (%d bytes, %s)", day, cache_path, info["bytes"], "cached" if info["cached"] else "downloaded")
    except DownloadError as err:
        if not (err.missing and missing_days == "skip"):
            raise DownloadError(f"source {source['name']!r}, day {day}: {err}", err.missing) from err
        log.warning("day %s skipped: %s", day, err)
        info = {"url": url, "path": cache_path, "status": "missing", "reason": str(err)}
    write_json(info, manifest)
    return info
