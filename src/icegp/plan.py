"""What the DAG needs to know from the config: targets, data days, shards, input files.

Pure functions of the config (no TensorFlow, no data reads beyond globbing), used by the Snakefile.
"""

from __future__ import annotations

import calendar

from icegp.config import sources, targets
from icegp.config.runs import source_key
from icegp.demo import layout
from icegp.sources import loading, registry
from icegp.sources.download import expand_template
from icegp.util import timestamps


def expert_time_stamps(config) -> str:
    """How a locations file's `t`/`date` is read: as set, else as whole days when every source's
    stamps are whole days (GPSat's day numbers), else as exact times."""
    given = config["experts"]["time_stamps"]
    if given:
        return given
    kinds = {registry.source_time_stamps(s) for s in sources(config).values()}
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
    return timestamps.day_range(target, config["num_days_before_after"])


def load_inputs(config, src: dict, day: str) -> list[str]:
    """Input files of one load job: the demo's files, the fetch manifest, or what exists on disk
    (:func:`icegp.sources.loading.day_files`)."""
    kind = src["type"]
    if "url" in src:
        return [f"results/fetch/{src['name']}/{day}.json"]
    if layout.is_demo_source(config, src):
        if kind == "is2sitdat4":
            return [f for f in layout.demo_files(config, day)["is2"] if any(f"_{b}_" in f for b in src["beams"])]
        if kind in registry.GRIDDED:
            return [layout.demo_files(config, day)["smap" if kind == "bremen_smos_smap" else "sic"]]
    return loading.day_files(src, day)


def locations_files(config: dict) -> list[str]:
    """The expert and prediction location files the grids are read from (inputs: editing one re-runs them)."""
    return [f for f in (config["experts"]["locations_file"], config["prediction"]["locations_file"]) if f]


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
        day = timestamps.parse_day(target)
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


def concentration_files(config) -> dict[str, str]:
    """The daily concentration file of each target day for the monthly file (`monthly.concentration`),
    by day; empty without one."""
    template = config["monthly"]["concentration"]
    return {day: expand_template(template, day) for day in targets(config)} if template else {}


def compare_files(config, target: str) -> dict[str, str]:
    """The file of each product a target is compared with (`validation.compare`), by name."""
    return {
        name: expand_template(other["path"], target) for name, other in sorted(config["validation"]["compare"].items())
    }


def has_truth(config) -> bool:
    """Whether the demo's truth scores and draws the product (the demo, for thickness or freeboard)."""
    return config["demo"]["enabled"] and config["variable"] in ("sea_ice_thickness", "sea_ice_freeboard")


def mapped_days(config) -> list[str]:
    """Every day the DAG makes an observation window and experts for: the targets and the days
    trained for them (monthly reference days)."""
    return sorted(set(targets(config)) | set(trained_days(config)))


def product_benchmark_files(config, day: str, *, run: str = "") -> list[str]:
    """The benchmark files (`benchmarks/<rule>/<wildcards>.tsv`) of the jobs that make and validate
    `day`'s product in run `run` (runs/{name}/, "" for the config): the grids, its window, experts,
    the training of the days it takes hyperparameters from, prediction, product and validation."""
    trained = hyperparameter_days(config, day)
    files = [f"benchmarks/grids/{run}all.tsv"]
    for d in sorted({day, *trained}):
        files += [f"benchmarks/observations/{run}{d}.tsv", f"benchmarks/experts/{run}{d}.tsv"]
    for d in trained:
        files += [f"benchmarks/train/{run}{d}/{s}.tsv" for s in shards(config)] + [f"benchmarks/smooth/{run}{d}.tsv"]
    if len(trained) == 2:
        files.append(f"benchmarks/interpolate_hyperparameters/{run}{day}.tsv")
    files += [f"benchmarks/predict/{run}{day}/{s}.tsv" for s in shards(config, "predict")]
    return files + [f"benchmarks/product/{run}{day}.tsv", f"benchmarks/validate/{run}{day}.tsv"]


def benchmark_files(config) -> list[str]:
    """The benchmark file of every job of the config's DAG (what the timing report reads: the DAG's
    own jobs, no stale file of an earlier layout)."""
    files = {f for day in targets(config) for f in product_benchmark_files(config, day)}
    files |= {f"benchmarks/plots/{day}.tsv" for day in plotted_targets(config)}
    return sorted(files) + shared_benchmark_files(config)


def shared_benchmark_files(config) -> list[str]:
    """The benchmark files of the jobs every run shares: the demo's, downloads, loads, the season's."""
    files, demo_days = [], set()
    for src in sources(config).values():
        window = sorted({d for day in mapped_days(config) for d in source_window(config, src, day)})
        files += [f"benchmarks/load_day/{source_key(config, src)}/{d}.tsv" for d in window]
        if "url" in src:
            files += [f"benchmarks/fetch_gridded/{src['name']}/{d}.tsv" for d in window]
        elif layout.is_demo_source(config, src):
            demo_days |= set(window)
    days = targets(config)
    if has_truth(config):
        demo_days |= set(days)
    demo_days |= {d for d, path in concentration_files(config).items() if layout.is_demo_file(config, path)}
    demo_days |= {d for d in days for path in compare_files(config, d).values() if layout.is_demo_file(config, path)}
    regions = season_name(config) and layout.is_demo_file(config, config["monthly"]["regions"])
    files += [f"benchmarks/demo_inputs/{d.replace('-', '')}.tsv" for d in sorted(demo_days)]
    files += ["benchmarks/demo_regions/all.tsv"] if regions else []
    files += ["benchmarks/demo_ocean_mask/all.tsv"] if demo_days or regions else []
    if season_name(config):
        files += ["benchmarks/season/all.tsv", "benchmarks/monthly/all.tsv"]
    return files
