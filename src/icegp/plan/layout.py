"""Where the DAG's files live: every path under results/, logs/ and benchmarks/ as a Snakemake
pattern, a job's log and benchmark file, and the files a chunk writes."""

from __future__ import annotations

import re

from snakemake.io import expand

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
