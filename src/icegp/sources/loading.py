"""Per-day loading: one source, one day, into the observation contract (projected once)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd

from icegp.sources import bremen, is2sitdat4, nsidc_cdr, registry, tables
from icegp.sources.files import day_files
from icegp.util import timestamps
from icegp.util.checks import InputError
from icegp.util.paths import expand_template, sha256


class DayMissing(InputError):
    """No input for a day: the files are absent or the server has none."""


def day_window(df: pd.DataFrame, day: str) -> pd.DataFrame:
    """Rows whose time falls on `day` (UTC)."""
    t0 = timestamps.day_to_t(day)
    return df[(df["t"] >= t0) & (df["t"] < t0 + 1.0)]


#: A per-day file may spill over midnight; losing more of its rows than this to the day is an error.
MAX_OUTSIDE_DAY = 0.5


def whole_day(df: pd.DataFrame, day: str, path: str) -> pd.DataFrame:
    """The rows of a per-day file that fall on `day`; a file whose rows mostly lie on other days is an
    error (wrong time units or the wrong file), never a silently empty day."""
    kept = day_window(df, day)
    if len(df) and len(df) - len(kept) > MAX_OUTSIDE_DAY * len(df):
        span = timestamps.t_to_datetime([df["t"].min(), df["t"].max()])
        raise InputError(
            f"day {day}: {len(df) - len(kept)} of {len(df)} rows of {path} lie outside that day "
            f"(their times run from {span[0]} to {span[1]}); check the time column and its units"
        )
    return kept


def load_is2sitdat4(source: dict, day: str, files: list[str]) -> pd.DataFrame:
    if not files:
        raise DayMissing(
            f"source {source['name']!r}, day {day}: no IS2SITDAT4 files for beams "
            f"{source['beams']} under {source['path']}"
        )
    frames = [is2sitdat4.read_file(f, source["variable"], source["N_subsample"]) for f in files]
    return pd.concat(frames, ignore_index=True)


def load_gridded(source: dict, day: str, path: str) -> pd.DataFrame:
    """A daily map's cells, stamped at the centre of the day the map stands for."""
    if source["type"] == "bremen_smos_smap":
        df = bremen.read_file(path, tuple(source["thickness_range"]), source["coarsen"])
    else:
        df = nsidc_cdr.read_file(path, source["sic_cutoff"], source["coarsen"])
    df["t"] = timestamps.day_centre(day)
    return df


def load_along_track_table(source: dict, day: str, files: list[str]) -> pd.DataFrame:
    if not files:
        raise DayMissing(f"source {source['name']!r}, day {day}: file {expand_template(source['path'], day)} not found")
    columns = source["columns"]
    table = tables.read_along_track_table(
        files[0], columns["value"], source["kind"], registry.source_time_stamps(source), columns["time_units"]
    )
    return whole_day(table, day, files[0])


def load_xyt_table(source: dict, day: str, crs: str, files: list[str]) -> pd.DataFrame:
    """The rows of a many-day table on `day`; a day the table does not cover is a missing day."""
    if not files:
        raise DayMissing(f"source {source['name']!r}, day {day}: table {source['path']} not found")
    whole = tables.read_xyt_table(
        files[0], crs, time_stamps=registry.source_time_stamps(source), time_units=source["columns"]["time_units"]
    )
    rows = day_window(whole, day)
    if rows.empty:
        span = timestamps.t_to_datetime([whole["t"].min(), whole["t"].max()]) if len(whole) else ["-", "-"]
        raise DayMissing(
            f"source {source['name']!r}, day {day}: no rows of {source['path']} fall on that day "
            f"(its times run from {span[0]} to {span[1]})"
        )
    return rows


def gridded_file(source: dict, day: str, files: list[str]) -> str:
    """The daily gridded file of a day: the file itself, or the one its fetch manifest (url sources)
    names, checked against the manifest."""
    if not files:
        expected = expand_template(source["path"], day) if "path" in source else "its fetch manifest"
        raise DayMissing(f"source {source['name']!r}, day {day}: file {expected} not found")
    if not files[0].endswith(".json"):
        return files[0]
    manifest = files[0]
    with open(manifest) as fh:
        info = json.load(fh)
    if info.get("status") != "ok":
        raise DayMissing(f"source {source['name']!r}, day {day}: {info.get('reason', 'download failed')}")
    refresh = f"snakemake --forcerun {manifest}"
    if not os.path.exists(info["path"]):
        raise InputError(
            f"source {source['name']!r}, day {day}: cached file {info['path']} listed in {manifest} has gone; "
            f"fetch it again with `{refresh}`"
        )
    if sha256(info["path"]) != info["sha256"]:
        raise InputError(
            f"source {source['name']!r}, day {day}: cached file {info['path']} has changed since it was "
            f"fetched from {info['url']} (its sha256 is not the one in {manifest}); fetch it again with "
            f"`rm {info['path']} && {refresh}`"
        )
    return info["path"]


def load_day(source: dict, day: str, crs: str, files: list[str] | None = None) -> pd.DataFrame:
    """One source's observations for one day in the observation contract, from `files` (a load job's
    inputs, as the DAG declared them), else from :func:`day_files`."""
    files = day_files(source, day) if files is None else [str(f) for f in files]
    kind = source["type"]
    if kind == "is2sitdat4":
        df = load_is2sitdat4(source, day, files)
    elif kind in registry.GRIDDED:
        df = load_gridded(source, day, gridded_file(source, day, files))
    elif kind == "along_track_csv":
        df = load_along_track_table(source, day, files)
    elif kind == "table":
        df = load_xyt_table(source, day, crs, files)
    else:
        raise InputError(f"source {source['name']!r}: unknown type {kind!r}")
    if df.empty:
        return tables.empty()
    return tables.finish(df, source["name"], crs)


def status_metadata(source: dict, day: str, df: pd.DataFrame, error: Exception | None = None) -> dict:
    meta = {"source": source["name"], "day": day, "rows": int(len(df))}
    if error is not None:
        meta.update(status="missing", reason=str(error))
    else:
        meta["status"] = "ok"
        if len(df):
            meta["obs_mean"] = float(np.mean(df["obs"]))
    return meta
