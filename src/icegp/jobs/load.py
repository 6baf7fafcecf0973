"""Jobs of workflow/rules/load.smk: fetch a gridded day, load a day of one source, merge a window."""

from __future__ import annotations

import logging

from icegp.sources import loading, tables
from icegp.sources.download import DownloadError, fetch
from icegp.util.atomic import write_json, write_parquet
from icegp.util.checks import InputError
from icegp.util.paths import expand_template
from icegp.util.urls import redact

log = logging.getLogger(__name__)


def fetch_gridded(*, source: dict, day: str, cache: str, manifest: str, missing_days: str) -> dict:
    """Fetch (or find cached) a day that the source's reader accepts, and write the manifest; a missing
    day is fatal unless missing_days=skip."""
    url = expand_template(source["url"], day)
    try:
        info = fetch(
            url,
            cache,
            retries=source["retries"],
            backoff_s=source["backoff_s"],
            max_bytes=int(source["max_download_mb"] * 2**20),
            check=lambda path: loading.load_gridded(source, day, path),
        )
        info["status"] = "ok"
        log.info("%s: %s (%d bytes, %s)", day, cache, info["bytes"], "cached" if info["cached"] else "downloaded")
    except DownloadError as err:
        if not (err.missing and missing_days == "skip"):
            raise DownloadError(f"source {source['name']!r}, day {day}: {err}", err.missing) from None
        log.warning("day %s skipped: %s", day, err)
        info = {"url": redact(url), "path": cache, "status": "missing", "reason": str(err)}
    write_json(info, manifest)
    return info


def load_day(*, source: dict, day: str, crs: str, inputs, output: str, missing_days: str) -> dict:
    """The day's table of one source from the files the DAG gave the job (`inputs`); a missing or
    unreadable day fails, or, with missing_days=skip, is written empty and flagged with the reason."""
    try:
        df = loading.load_day(source, day, crs, list(inputs))
        meta = loading.status_metadata(source, day, df)
    except InputError as err:  # absent, or there and unreadable (named in the reason)
        if missing_days != "skip":
            raise
        log.warning("skipping: %s", err)
        df = tables.empty()
        meta = loading.status_metadata(source, day, df, err)
    write_parquet(df, output, meta)
    log.info("%s %s: %d rows -> %s", source["name"], day, len(df), output)
    return meta


def observations(
    *,
    day_files,
    target: str,
    crs: str,
    observations: dict,
    preferred,
    dropped,
    missing_days: str,
    table: str,
    report: str,
) -> dict:
    """Merge the window's `day_files`, prefer along-track data, bin (the `observations` settings); the
    table and its JSON report."""
    from icegp import merging  # here: load jobs (hundreds in a season) start without scipy

    binning = observations["binning"]
    df, summary = merging.build_window(
        day_files,
        target,
        crs,
        preferred=preferred if observations["is2_pref"] else (),
        dropped=dropped if observations["is2_pref"] else (),
        pref_radius=observations["is2_pref_radius"],
        bin_spacing=binning["grid_spacing"] if binning["enabled"] else None,
        allow_missing=missing_days == "skip",
    )
    write_parquet(df, table, {"target": target, "crs": crs})
    write_json(summary, report)
    return summary
