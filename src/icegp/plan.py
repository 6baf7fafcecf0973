"""What the DAG needs to know from the config: targets, data days, shards, input files.

Pure functions of the config (no TensorFlow, no data reads beyond globbing), used by the Snakefile.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import os

from . import timeutil
from .config import sources
from .io import bremen, is2sitdat4, nsidc_cdr
from .io.download import cache_name, expand_template, redact


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
#: Daily gridded maps: fetched by URL, read by loading.load_gridded, dropped near along-track data (is2_pref).
GRIDDED = ("bremen_smos_smap", "nsidc_cdr_sic")


def source_time_stamps(src: dict) -> str:
    """What a source's time stamps mean: 'exact' instants or whole 'day's (see icegp.timeutil)."""
    fixed, given = FIXED_TIME_STAMPS.get(src["type"]), src["time_stamps"]
    if fixed and given != fixed:
        raise ValueError(
            f"config key sources.{src['name']}.time_stamps: a {src['type']} source's time "
            f"stamps are always {fixed!r}, not {given!r}"
        )
    return given


def expert_time_stamps(config) -> str:
    """How a locations file's `t`/`date` is read: as set, else as whole days when every source's
    stamps are whole days (GPSat's day numbers), else as exact times."""
    given = config["experts"]["time_stamps"]
    if given:
        return given
    kinds = {source_time_stamps(s) for s in sources(config).values()}
    return "day" if kinds == {"day"} else "exact"


def season_name(config) -> str | None:
    """The season product's name (`season_name`, else first_last target), or None for one target."""
    days = targets(config)
    if len(days) < 2:
        return None
    return config["season_name"] or f"{days[0]}_{days[-1]}"


def months(days) -> list[str]:
    """The calendar months (YYYY-MM) the days fall in, in order."""
    return sorted({d[:7] for d in days})


def source_window(config, src: dict, target: str) -> list[str]:
    """The data days of `src` that the observations of `target` use."""
    if src["use_prediction_day_only"]:
        return [target]
    return timeutil.day_range(target, config["num_days_before_after"])


def is_demo_source(config, src: dict) -> bool:
    """A source whose files the demo generator writes (demo enabled and its path under demo.out)."""
    demo = config["demo"]
    if not demo["enabled"] or "path" not in src:
        return False
    out = os.path.abspath(demo["out"])
    return os.path.commonpath([os.path.abspath(src["path"]), out]) == out


def demo_beams(config) -> list[str]:
    """The beams the demo writes: those of its IS-2 sources (all three strong beams when it has none)."""
    return sorted({b for s in sources(config).values() if s["type"] == "is2sitdat4" for b in s["beams"]}) or [
        "bnum1",
        "bnum3",
        "bnum5",
    ]


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
            return [f for f in demo_files(config, day)["is2"] if any(f"_{b}_" in f for b in src["beams"])]
        return is2sitdat4.day_files(src["path"], day, src["beams"])
    if kind in GRIDDED:
        if "url" in src:
            return [f"results/fetch/{src['name']}/{day}.json"]
        if demo:
            return [demo_files(config, day)["smap" if kind == "bremen_smos_smap" else "sic"]]
    if kind == "table":
        return [src["path"]] if os.path.exists(src["path"]) else []
    path = expand_template(src["path"], day)
    return [path] if os.path.exists(path) else []


#: Keys of `training` that say how a job runs, not what it computes: changing them re-runs nothing.
EXECUTION = ("threads", "mem_mb", "device", "shards")


def model(config: dict) -> dict:
    """What a fitted expert depends on: `training` without the execution settings and the shard count."""
    return {k: v for k, v in config["training"].items() if k not in EXECUTION}


def provenance(config: dict) -> dict:
    """What a product records as the config that made it: every key but those that cannot change it
    (other targets, the season's name, validation, runs, execution settings), with no credential in
    a URL."""
    kept = {k: v for k, v in config.items() if k not in ("targets", "season_name", "validation", "runs")}
    shown = {name: src | ({"url": redact(src["url"])} if "url" in src else {}) for name, src in kept["sources"].items()}
    return kept | {"training": model(config), "sources": shown}


#: Source keys that choose a target's days, not what a day's file holds.
WINDOW_ONLY = ("use_prediction_day_only",)


def source_key(config: dict, src: dict) -> str:
    """The name of a source's day files (`results/obs/{key}/`): its name, with a digest of the
    settings that shape a day's table where a run sets them apart from the config's, so runs share
    the loads they agree on."""

    def loaded(settings: dict) -> dict:
        return {k: v for k, v in settings.items() if k not in WINDOW_ONLY}

    if loaded(src) == loaded(sources(config).get(src["name"], {})):
        return src["name"]
    return f"{src['name']}~{hashlib.sha256(json.dumps(loaded(src), sort_keys=True).encode()).hexdigest()[:8]}"


def locations_files(config: dict) -> list[str]:
    """The expert and prediction location files the grids are read from (inputs: editing one re-runs them)."""
    return [f for f in (config["experts"]["locations_file"], config["prediction"]["locations_file"]) if f]


def cache_path(src: dict, day: str) -> str:
    """Where a fetched day is cached: the URL's file name in the source's `cache` directory (never
    outside it)."""
    return os.path.join(src["cache"], cache_name(expand_template(src["url"], day)))


def shards(config, kind: str = "train") -> list[str]:
    """The shard names of a target's train or predict jobs."""
    n = config["training"]["shards"] if kind == "train" else config["prediction"]["shards"]
    return [str(k) for k in range(n or config["training"]["shards"])]


def hyperparameter_target(config, target: str) -> str:
    """The day whose smoothed hyperparameters `target` predicts with, outside stride mode: itself, one
    fixed date, or its month's reference day (`{mode: monthly, day: D}`; the month's last day when it
    has no day D)."""
    ref = config["hyperparameters_from"]
    if not ref:
        return target
    if isinstance(ref, dict):
        day = timeutil.parse_day(target)
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=min(int(ref["day"]), last)).isoformat()
    return ref


def is_stride(config) -> bool:
    ref = config["hyperparameters_from"]
    return isinstance(ref, dict) and ref["mode"] == "stride"


def anchors(config) -> list[str]:
    """Stride mode's trained days: the first target, every K-th after it, and the last (K = `every`, or
    `num_days_before_after` when it is null)."""
    days = targets(config)
    every = config["hyperparameters_from"]["every"] or max(1, config["num_days_before_after"])
    return sorted(set(days[::every]) | {days[-1]})


def hyperparameter_days(config, target: str) -> list[str]:
    """The trained days whose smoothed hyperparameters `target` predicts with: one day, or in stride
    mode the two anchors around a target that is not one (its hyperparameters are interpolated)."""
    if not is_stride(config):
        return [hyperparameter_target(config, target)]
    marks = anchors(config)
    if target in marks:
        return [target]
    return [max(a for a in marks if a < target), min(a for a in marks if a > target)]


def trained_days(config) -> list[str]:
    """Every day the DAG trains, in order."""
    return sorted({d for t in targets(config) for d in hyperparameter_days(config, t)})


def warm_start_day(config, day: str) -> str | None:
    """With `training.warm_start`, the trained day before `day` whose smoothed hyperparameters its fits
    start from (None for the first, and without warm starts)."""
    if not config["training"]["warm_start"]:
        return None
    earlier = [d for d in trained_days(config) if d < day]
    return earlier[-1] if earlier else None


def plotted_targets(config) -> list[str]:
    """The targets that get the daily plot set: the first and every `plots.daily_every`-th after it."""
    every = config["plots"]["daily_every"]
    return targets(config)[::every] if every else []
