"""Where a source's files of a day are on disk: what the DAG's input functions list and a load job
reads. Apart from the readers, so that the Snakefile's parse does not import them (xarray, pyproj)."""

from __future__ import annotations

import glob
import os

from icegp.util import timestamps
from icegp.util.paths import expand_template


def is2sitdat4_day_files(root: str, day: str, beams) -> list[str]:
    """All IS2SITDAT4 files of `day` (ISO) for `beams` under `root` (any depth), sorted."""
    ymd = timestamps.parse_day(day).strftime("%Y%m%d")
    found = set()
    for beam in beams:
        found.update(glob.glob(os.path.join(root, "**", f"IS2SITDAT4_01_{ymd}*{beam}*sm.nc"), recursive=True))
    return sorted(found)


def day_files(source: dict, day: str) -> list[str]:
    """A source's files of a day as found on disk: its IS2SITDAT4 files, the day's file of a path
    template, or its table (empty when there are none). A fetched source's day is its manifest,
    which only the DAG knows (`results/fetch/...`)."""
    if "url" in source:
        return []
    if source["type"] == "is2sitdat4":
        return is2sitdat4_day_files(source["path"], day, source["beams"])
    path = source["path"] if source["type"] == "table" else expand_template(source["path"], day)
    return [path] if os.path.exists(path) else []
