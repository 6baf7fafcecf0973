"""What the DAG needs to know from the config: where its files live, targets, data days, shards, inputs.

Pure functions of the config (no TensorFlow, no data reads beyond globbing), used by the Snakefile,
the jobs and the benchmark tools.
"""

from __future__ import annotations

import calendar
import re

from snakemake.io import expand

from icegp.config import sources, targets
from icegp.config.checks import chunks_refused
from icegp.config.runs import source_key
from icegp.demo import layout
from icegp.sources import loading, registry
from icegp.util import timestamps
from icegp.util.paths import expand_template
from icegp.util.time_window import TimeWindow

# The layout: every path under results/, logs/ and benchmarks/, as Snakemake patterns. A target's
# files lie under a root: results/ for the config itself, results/runs/{name}/ for a run (`runs`);
# the `{root}` wildcard is never empty and the root is a directory of its own.
RESULTS = "results"
LOGS = "logs"
BENCHMARKS = "benchmarks"
RUNS = f"{RESULTS}/runs"
#: A run's name (as the schema's `runs` allows) and the `{root}` wildcard's constraint.
RUN_NAME = r"[A-Za-z0-9_-]+"
ROOT = rf"{RESULTS}(?:/runs/{RUN_NAME})?"
FETCH_MANIFEST = "results/fetch/{source}/{day}.json"
OBS_DAY = "results/obs/{source}/{day}.parquet"
GRID = "{root}/grid/{name}"
OBSERVATIONS = "{root}/{target}/observations.parquet"
OBSERVATIONS_REPORT = "{root}/{target}/observations.json"
EXPERTS = "{root}/{target}/experts.parquet"
TRAIN = "{root}/{target}/train/{shard}.parquet"
HYPERPARAMETERS = "{root}/{target}/hyperparameters.parquet"
INTERPOLATED = "{root}/{target}/hyperparameters_interpolated.parquet"
PREDICT = "{root}/{target}/predict/{shard}.parquet"
PRODUCT = "{root}/{target}/product.nc"
VALIDATION = "{root}/{target}/validation.json"
PLOT = "{root}/{target}/plots/{name}.png"
#: A chunk's record of where its time went, per day and stage (`hyperparameters_from.chunk_days`).
CHUNK_STAGES = "{root}/chunks/{first}_{last}.tsv"
SEASON = "results/season/{season}.nc"
SEASON_FILE = "results/season/{season}/{name}"
TIMING_REPORT = "results/timing_report.{ext}"
TRADEOFF = "results/tradeoff/tradeoff.{ext}"
#: The benchmark tools' numbers (python -m icegp.bench), outside the DAG.
BENCH = "results/bench"


def fill(pattern: str, **wildcards) -> str:
    """`pattern` with the given wildcards (one value each) filled in and the others left for Snakemake
    to match: Snakemake's expand(..., allow_missing=True) of one file."""
    (path,) = expand(pattern, allow_missing=True, **{k: [v] for k, v in wildcards.items()})
    return path


def root(run: str | None = None) -> str:
    """The directory a run's target files lie under (`run` None: the config's own)."""
    return RESULTS if run is None else f"{RUNS}/{run}"


def run_of(path: str) -> str | None:
    """The run a path under a run's root belongs to (a benchmark's or log's job path too), None for
    the config's own."""
    match = re.search(rf"(?:^|/){RUNS}/({RUN_NAME})(?:/|$)", str(path))
    return match.group(1) if match else None


#: The wildcards' paths of the jobs that make a root's grids, a target's files and a target's shards.
GRID_JOB = "{root}/all"
TARGET_JOB = "{root}/{target}"
SHARD_JOB = "{root}/{target}/{shard}"
CHUNK_JOB = "{root}/{first}_{last}"
#: ... and of the jobs every root shares.
DAY_JOB = "{source}/{day}"


def log(rule: str, job: str = "all") -> str:
    """A job's log: `logs/<rule>/<job>.log`, `job` the wildcards' path."""
    return f"{LOGS}/{rule}/{job}.log"


def benchmark(rule: str, job: str = "all") -> str:
    """A job's benchmark file: `benchmarks/<rule>/<job>.tsv`, `job` the wildcards' path."""
    return f"{BENCHMARKS}/{rule}/{job}.tsv"


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


def load_inputs(config, src: dict, day: str) -> list[str]:
    """Input files of one load job: the demo's files, the fetch manifest, or what exists on disk
    (:func:`icegp.sources.loading.day_files`)."""
    kind = src["type"]
    if "url" in src:
        return [fill(FETCH_MANIFEST, source=src["name"], day=day)]
    if layout.is_demo_source(config, src):
        if kind == "is2sitdat4":
            return [f for f in layout.demo_files(config, day)["is2"] if any(f"_{b}_" in f for b in src["beams"])]
        if kind in registry.GRIDDED:
            return [layout.demo_files(config, day)["smap" if kind == "bremen_smos_smap" else "sic"]]
    return loading.day_files(src, day)


def locations_file(config: dict, section: str) -> list[str]:
    """The locations file of `experts` or `prediction`, as the grids job's input (editing it re-runs
    the grids): [] when the section grids its own locations."""
    path = config[section]["locations_file"]
    return [path] if path else []


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


def chunks(config) -> list[list[str]]:
    """With `hyperparameters_from.chunk_days` C (stride mode), the targets between two anchors, C at a
    time in order: each list is mapped by one chunk job. Empty without chunks, and where the config
    cannot have them (config.checks.chunks_refused: the check warns)."""
    if not is_stride(config) or not config["hyperparameters_from"]["chunk_days"] or chunks_refused(config):
        return []
    size, marks = config["hyperparameters_from"]["chunk_days"], set(anchors(config))
    out: list[list[str]] = []
    between: list[str] = []
    for day in targets(config):  # the last target is an anchor: every run between anchors is closed
        if day not in marks:
            between.append(day)
            continue
        out += [between[k : k + size] for k in range(0, len(between), size)]
        between = []
    return out


def chunk_of(config, day: str) -> list[str] | None:
    """The chunk that maps `day`, or None where daily jobs do."""
    return next((days for days in chunks(config) if day in days), None)


def chunk_weight(config, days: list[str]) -> float:
    """Where a chunk's hyperparameters lie between its two anchors (0: the first's, 1: the second's):
    at its middle day, so no day of it is further than half a chunk from its own interpolation."""
    t0, t1 = (timestamps.day_to_t(d) for d in hyperparameter_days(config, days[0]))
    middle = (timestamps.day_to_t(days[0]) + timestamps.day_to_t(days[-1])) / 2
    return (middle - t0) / (t1 - t0)


def chunk_rule(root: str, days: list[str]) -> str:
    """The name of the rule that maps a chunk under `root`: chunk_<first>_<last>, the run's name after
    `chunk_` for a run's."""
    run = run_of(root)
    return "_".join(["chunk", *([run] if run else []), days[0], days[-1]])


def chunk_outputs(root: str, days: list[str]) -> dict[str, dict[str, str]]:
    """What a chunk job writes for each of its days, as the daily jobs would: the product, its
    validation, the window's report and the hyperparameters it predicted with."""
    kinds = {
        "product": PRODUCT,
        "validation": VALIDATION,
        "report": OBSERVATIONS_REPORT,
        "hyperparameters": INTERPOLATED,
    }
    return {day: {kind: fill(pattern, root=root, target=day) for kind, pattern in kinds.items()} for day in days}


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
        elif layout.is_demo_source(config, src):
            demo_days |= set(window)
    days = targets(config)
    if has_truth(config):
        demo_days |= set(days)
    demo_days |= {d for d, path in concentration_files(config).items() if layout.is_demo_file(config, path)}
    demo_days |= {d for d in days for path in compare_files(config, d).values() if layout.is_demo_file(config, path)}
    regions = season_name(config) and layout.is_demo_file(config, config["monthly"]["regions"])
    files += [benchmark("demo_inputs", d.replace("-", "")) for d in sorted(demo_days)]
    files += [benchmark("demo_regions")] if regions else []
    files += [benchmark("demo_ocean_mask")] if demo_days or regions else []
    if season_name(config):
        files += [benchmark("season"), benchmark("monthly")]
    return files
