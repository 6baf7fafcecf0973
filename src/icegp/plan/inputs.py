"""What a job reads: a load job's files, the locations, concentration and compared products' files,
and the benchmark files of every job (the timing report's inputs)."""

from __future__ import annotations

from icegp.config import sources, targets
from icegp.config.runs import source_key
from icegp.demo.layout import demo_files, is_demo_file, is_demo_source
from icegp.plan.layout import (
    CHUNK_JOB,
    DAY_JOB,
    FETCH_MANIFEST,
    GRID_JOB,
    RESULTS,
    SHARD_JOB,
    TARGET_JOB,
    benchmark,
    fill,
)
from icegp.plan.schedule import chunk_of, hyperparameter_days, mapped_days, plotted_targets, season_name, shards
from icegp.sources import files, registry
from icegp.util.paths import expand_template
from icegp.util.time_window import TimeWindow


def expert_time_stamps(config) -> str:
    """How a locations file's `t`/`date` is read: as set, else as whole days when every source's
    stamps are whole days (GPSat's day numbers), else as exact times."""
    given = config["experts"]["time_stamps"]
    if given:
        return given
    kinds = {registry.source_time_stamps(s) for s in sources(config).values()}
    return "day" if kinds == {"day"} else "exact"


def load_inputs(config, src: dict, day: str) -> list[str]:
    """Input files of one load job: the demo's files, the fetch manifest, or what exists on disk
    (:func:`icegp.sources.files.day_files`)."""
    kind = src["type"]
    if "url" in src:
        return [fill(FETCH_MANIFEST, source=src["name"], day=day)]
    if is_demo_source(config, src):
        if kind == "is2sitdat4":
            return [f for f in demo_files(config, day)["is2"] if any(f"_{b}_" in f for b in src["beams"])]
        if kind in registry.GRIDDED:
            return [demo_files(config, day)["smap" if kind == "bremen_smos_smap" else "sic"]]
    return files.day_files(src, day)


def locations_file(config: dict, section: str) -> list[str]:
    """The locations file of `experts` or `prediction`, as the grids job's input (editing it re-runs
    the grids): [] when the section grids its own locations."""
    path = config[section]["locations_file"]
    return [path] if path else []


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


def product_benchmark_files(config, day: str, *, root: str = RESULTS) -> list[str]:
    """The benchmark files of the jobs that make and validate `day`'s product under `root` (a run's,
    or the config's own): the grids, its window, experts, the training of the days it takes
    hyperparameters from, prediction, product and validation."""
    trained = hyperparameter_days(config, day)
    chunk = chunk_of(config, day)

    def of(rule, job=TARGET_JOB, **wildcards):
        return fill(benchmark(rule, job), root=root, **wildcards)

    files = [of("grids", GRID_JOB)]
    for d in sorted(set(trained) if chunk else {day, *trained}):
        files += [of("observations", target=d), of("experts", target=d)]
    for d in trained:
        files += [of("train", SHARD_JOB, target=d, shard=s) for s in shards(config)] + [of("smooth", target=d)]
    if chunk:
        return files + [of("chunk", CHUNK_JOB, first=chunk[0], last=chunk[-1])]
    if len(trained) == 2:
        files.append(of("interpolate_hyperparameters", target=day))
    files += [of("predict", SHARD_JOB, target=day, shard=s) for s in shards(config, "predict")]
    return files + [of("product", target=day), of("validate", target=day)]


def benchmark_files(config) -> list[str]:
    """The benchmark file of every job of the config's DAG (what the timing report reads: the DAG's
    own jobs, no stale file of an earlier layout)."""
    files = {f for day in targets(config) for f in product_benchmark_files(config, day)}
    files |= {fill(benchmark("plots", TARGET_JOB), root=RESULTS, target=day) for day in plotted_targets(config)}
    return sorted(files) + shared_benchmark_files(config)


def shared_benchmark_files(config) -> list[str]:
    """The benchmark files of the jobs every run shares: the demo's, downloads, loads, the season's."""
    files, demo_days = [], set()
    for src in sources(config).values():
        window = sorted({d for day in mapped_days(config) for d in TimeWindow.of(config, day, src).days})
        key = source_key(config, src)
        files += [fill(benchmark("load_day", DAY_JOB), source=key, day=d) for d in window]
        if "url" in src:
            files += [fill(benchmark("fetch_gridded", DAY_JOB), source=src["name"], day=d) for d in window]
        elif is_demo_source(config, src):
            demo_days |= set(window)
    days = targets(config)
    if has_truth(config):
        demo_days |= set(days)
    demo_days |= {d for d, path in concentration_files(config).items() if is_demo_file(config, path)}
    demo_days |= {d for d in days for path in compare_files(config, d).values() if is_demo_file(config, path)}
    regions = season_name(config) and is_demo_file(config, config["monthly"]["regions"])
    files += [benchmark("demo_inputs", d.replace("-", "")) for d in sorted(demo_days)]
    files += [benchmark("demo_regions")] if regions else []
    files += [benchmark("demo_ocean_mask")] if demo_days or regions else []
    if season_name(config):
        files += [benchmark("season"), benchmark("monthly")]
    return files
