"""What the DAG needs to know from the config: targets, data days, shards, input files.

Pure functions of the config (no TensorFlow, no data reads beyond globbing), used by the Snakefile.
"""
from __future__ import annotations

import calendar
import datetime as dt
import os

from . import timeutil
from .io import bremen, is2sitdat4, nsidc_cdr
from .io.download import expand_template


def canonical(value):
    """The config as its meaning: mapping keys sorted, YAML dates as ISO strings, integral floats as
    ints, so Snakemake's params (compared as written) do not change with key order or spelling."""
    if isinstance(value, dict):
        return {str(k): canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _ordered(pair, key: str) -> None:
    if not pair[0] < pair[1]:
        raise ValueError(f"config key {key}: min {pair[0]} is not below max {pair[1]}")


def check_config(config) -> list[str]:
    """Checks across keys that the schema cannot express, run when the workflow is parsed: before
    any job runs and before Snakemake deletes any output for re-running. Impossible settings raise;
    lossy ones are returned as warnings."""
    from .gp.hyper import Space

    targets(config)
    if isinstance(config.get("hyperparameters_from"), str):
        timeutil.parse_day(config["hyperparameters_from"])
    Space.from_config(config["training"])  # bounds low < high, init inside them
    for section in ("experts", "prediction"):
        extent = config[section].get("extent")
        if extent is not None and not config[section].get("locations_file"):
            _ordered(extent[0:2], f"{section}.extent (x)")
            _ordered(extent[2:4], f"{section}.extent (y)")
    for src in config["sources"]:
        source_time_stamps(src)
    spacing, radius = config["experts"].get("expert_spacing"), config["prediction"].get("radius")
    if spacing and radius and not config["experts"].get("locations_file") and radius < spacing / 2**0.5:
        return [f"config key prediction.radius: {radius} m is below experts.expert_spacing / sqrt(2) "
                f"({spacing / 2**0.5:.0f} m): locations midway between four experts are predicted by none"]
    return []


def targets(config) -> list[str]:
    """Target dates as ISO strings: a list, or {start, end} inclusive."""
    t = config["targets"]
    if isinstance(t, dict):
        start, end = timeutil.parse_day(t["start"]), timeutil.parse_day(t["end"])
        if end < start:
            raise ValueError(f"config key targets: end {end} is before start {start}")
        return [(start + dt.timedelta(days=k)).isoformat() for k in range((end - start).days + 1)]
    return [timeutil.parse_day(d).isoformat() for d in t]


#: Sources whose time stamps have one meaning whatever the config says.
FIXED_TIME_STAMPS = {"is2sitdat4": "exact", "bremen_smos_smap": "day", "nsidc_cdr_sic": "day"}
#: Daily gridded maps: fetched by URL, loaded by load_gridded, dropped near along-track data (is2_pref).
GRIDDED = ("bremen_smos_smap", "nsidc_cdr_sic")


def source_time_stamps(src: dict) -> str:
    """What a source's time stamps mean: 'exact' instants or whole 'day's (see icegp.timeutil)."""
    fixed = FIXED_TIME_STAMPS.get(src["type"])
    given = src.get("time_stamps")
    if fixed and given and given != fixed:
        raise ValueError(f"config key sources[{src['name']}].time_stamps: a {src['type']} source's time "
                         f"stamps are always {fixed!r}, not {given!r}")
    return fixed or given or "exact"


def expert_time_stamps(config) -> str:
    """How a locations file's `t`/`date` is read: as set, else as whole days when every source's
    stamps are whole days (GPSat's day numbers), else as exact times."""
    given = config.get("experts", {}).get("time_stamps")
    if given:
        return given
    kinds = {source_time_stamps(s) for s in config["sources"]}
    return "day" if kinds == {"day"} else "exact"


def season_name(config) -> str | None:
    """The season product's name (`season_name`, else first_last target), or None for one target."""
    days = targets(config)
    if len(days) < 2:
        return None
    return config.get("season_name") or f"{days[0]}_{days[-1]}"


def months(days) -> list[str]:
    """The calendar months (YYYY-MM) the days fall in, in order."""
    return sorted({d[:7] for d in days})


def prediction_day_only(src: dict) -> bool:
    """Load the source on the target day only: `use_prediction_day_only` (`smap_use_prediction_day_only`
    for SMOS/SMAP, its old name); by default only SIC, as the old pipeline."""
    default = src["type"] == "nsidc_cdr_sic"
    return bool(src.get("use_prediction_day_only", src.get("smap_use_prediction_day_only", default)))


def source_window(config, src: dict, target: str) -> list[str]:
    """The data days of `src` that the observations of `target` use."""
    if prediction_day_only(src):
        return [target]
    return timeutil.day_range(target, config["num_days_before_after"])


def is_demo_source(config, src: dict) -> bool:
    """A source whose files the demo generator writes (demo enabled and its path under demo.out)."""
    demo = config.get("demo", {})
    if not demo.get("enabled") or "path" not in src:
        return False
    out = os.path.abspath(demo["out"])
    return os.path.commonpath([os.path.abspath(src["path"]), out]) == out


def demo_beams(config) -> list[str]:
    return sorted({b for s in config["sources"] if s["type"] == "is2sitdat4" for b in s.get("beams", [])}) \
        or ["bnum1", "bnum3", "bnum5"]


def demo_files(config, day: str) -> dict:
    """Files demo_inputs writes for one day, by kind."""
    out = config["demo"]["out"]
    ymd = day.replace("-", "")
    beams = demo_beams(config)
    return {
        "is2": [os.path.join(out, "is2", ymd, is2sitdat4.file_name(day, b)) for b in beams],
        "smap": os.path.join(out, "smap", bremen.file_name(day)),
        "sic": os.path.join(out, "sic", nsidc_cdr.file_name(day)),
        "truth": os.path.join(out, "truth", f"{ymd}.nc"),
    }


def load_inputs(config, src: dict, day: str) -> list[str]:
    """Input files of one load job: the demo's files, the fetch manifest, or what exists on disk."""
    kind = src["type"]
    demo = is_demo_source(config, src)
    if kind == "is2sitdat4":
        if demo:
            beams = src.get("beams", [])
            return [f for f in demo_files(config, day)["is2"] if any(f"_{b}_" in f for b in beams)]
        return is2sitdat4.day_files(src["path"], day, src.get("beams", ["bnum1", "bnum3", "bnum5"]))
    if kind in GRIDDED:
        if "url" in src:
            return [f"results/fetch/{src['name']}/{day}.json"]
        if demo:
            return [demo_files(config, day)["smap" if kind == "bremen_smos_smap" else "sic"]]
    if kind == "table":
        return [src["path"]] if os.path.exists(src["path"]) else []
    path = expand_template(src["path"], day)
    return [path] if os.path.exists(path) else []


def cache_path(src: dict, day: str) -> str:
    """Where a fetched day is cached: the URL's file name in the source's `cache` directory."""
    default = "resources/smap" if src["type"] == "bremen_smos_smap" else "resources/sic"
    return os.path.join(src.get("cache", default), os.path.basename(expand_template(src["url"], day)))


def shards(config) -> list[str]:
    return [str(k) for k in range(config["training"]["shards"])]


def hyperparameter_target(config, target: str) -> str:
    """The day whose smoothed hyperparameters `target` predicts with: itself, one fixed date, or its
    month's reference day (`{mode: monthly, day: D}`; the month's last day when it has no day D)."""
    ref = config.get("hyperparameters_from")
    if not ref:
        return target
    if isinstance(ref, dict):
        day = timeutil.parse_day(target)
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=min(int(ref.get("day", 15)), last)).isoformat()
    return ref
