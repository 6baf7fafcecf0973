# Config validation and the helpers that turn the config into file lists (logic lives in icegp.plan).
import functools
import os

from icegp import config as icegp_config
from icegp import plan
from icegp.config import rerun, runs
from icegp.demo import layout
from icegp.sources import download, registry

# The config is resolved once, here: old spellings renamed, validated against src/icegp/config/schema.yaml,
# every default filled in (the code has no defaults of its own), made canonical (sorted keys, ISO
# dates: params are compared as written), and checked across keys, before any job runs and before
# any output is deleted for re-running.
try:
    _resolved = icegp_config.resolve(config)
    _warnings = icegp_config.check(_resolved)
except ValueError as err:
    raise WorkflowError(f"invalid configuration: {err}") from None
config.clear()
config.update(_resolved)
for _warning in _warnings:
    logger.warning(f"warning: {_warning}")

# One environment for every rule (the rules run the icegp package), for --software-deployment-method conda.
CONDA_ENV = "../../envs/icegp.yaml"

TARGETS = icegp_config.targets(config)
SEASON = plan.season_name(config)  # None for a single target: no season product
SEASON_MONTHS = plan.months(TARGETS)
PLOTTED = plan.plotted_targets(config)  # the targets with a daily plot set
CONCENTRATION = plan.concentration_files(config)  # day -> concentration file, for the monthly file
COMPARED = sorted(config["validation"]["compare"])  # the other products each day is compared with
# Runs (`runs`): the DAG's target-level rules write under results/{run}{target}/, where {run} is ""
# for this config and runs/{name}/ for a run; a run's config is resolved when one of its files is
# asked for, so a run that does not fit another config costs nothing until it is used.
RUN = r"(runs/[A-Za-z0-9_-]+/)?"


@functools.cache
def run_config(prefix):
    return config if not prefix else icegp_config.run_config(config, prefix[len("runs/") : -1])


def cfg(wildcards):
    """The config of the job's run."""
    return run_config(wildcards.run)


def setting(*keys):
    """A param: the run's config value at `keys` (e.g. setting("training", "training_radius"))."""

    def value(wildcards):
        out = cfg(wildcards)
        for key in keys:
            out = out[key]
        return out

    return value


# What a fitted expert depends on (config.rerun.model): execution settings (threads, memory, device) and the
# shard count are left out, so changing threads, memory or device re-runs nothing. Changing `shards`
# re-assigns the experts (the experts rule), so experts, train, smooth, predict and everything after
# them re-run; loads and observations are kept. A product records config.rerun.provenance (every key but
# those that cannot change it) as a param, so the record is never stale and adding a target re-runs
# no other product.
# The demo's truth lies on the product grid: only the grid's keys, so changing a prediction radius or
# the blending does not regenerate the synthetic inputs.
DEMO_GRID = {k: config["prediction"][k] for k in ("grid_spacing", "extent")}
SOURCES = icegp_config.sources(config)
GRIDDED = [n for n, s in SOURCES.items() if s["type"] in registry.GRIDDED]
ALONG_TRACK = [n for n, s in SOURCES.items() if s["type"] not in registry.GRIDDED]
FETCHED = [n for n in GRIDDED if "url" in SOURCES[n]]


def _alternatives(names, variants=False):
    # a regex that matches none of the source names when the list is empty; with `variants`, also a
    # name followed by a run's settings digest (config.runs.source_key)
    if not names:
        return "(?!x)x"
    return f"(?:{'|'.join(names)})(?:~[0-9a-f]{{8}})?" if variants else "|".join(names)


def source_settings(key):
    """A load job's source: this config's, or a run's variant of it (config.runs.source_key)."""
    if key in SOURCES:
        return SOURCES[key]
    for name in config["runs"]:
        for src in icegp_config.sources(run_config(f"runs/{name}/")).values():
            if runs.source_key(config, src) == key:
                return src
    raise WorkflowError(f"no source or run variant of a source is called {key!r}")


wildcard_constraints:
    day=r"\d{4}-\d{2}-\d{2}",
    target=r"\d{4}-\d{2}-\d{2}",
    shard=r"\d+",
    run=RUN,


_ref = config["hyperparameters_from"]
# a single date must exist already or be a target; monthly reference days are trained by the DAG
if isinstance(_ref, str) and _ref not in TARGETS and not os.path.exists(f"results/{_ref}/hyperparameters.parquet"):
    raise WorkflowError(
        f"config key hyperparameters_from: date {_ref} was never trained "
        f"(results/{_ref}/hyperparameters.parquet does not exist and {_ref} is not among the targets)"
    )


def window_files(wildcards):
    """Per-day observation files of a target's window (shared by all targets, and all runs, that
    cover a day with the same source settings)."""
    run = cfg(wildcards)
    return [
        f"results/obs/{runs.source_key(config, src)}/{day}.parquet"
        for src in icegp_config.sources(run).values()
        for day in plan.source_window(run, src, wildcards.target)
    ]


def hyperparameters_for(wildcards):
    """The smoothed hyperparameters a target predicts with: its own, a trained day's, or (stride mode)
    those interpolated between its two anchors."""
    days = plan.hyperparameter_days(cfg(wildcards), wildcards.target)
    if len(days) == 2:
        return f"results/{wildcards.run}{wildcards.target}/hyperparameters_interpolated.parquet"
    return f"results/{wildcards.run}{days[0]}/hyperparameters.parquet"


def anchors_for(wildcards):
    """The smoothed hyperparameters of the two anchors around a target (stride mode)."""
    return [
        f"results/{wildcards.run}{day}/hyperparameters.parquet"
        for day in plan.hyperparameter_days(cfg(wildcards), wildcards.target)
    ]


def warm_start_for(wildcards):
    """With training.warm_start, the smoothed hyperparameters of the trained day before this one."""
    day = plan.warm_start_day(cfg(wildcards), wildcards.target)
    return [f"results/{wildcards.run}{day}/hyperparameters.parquet"] if day else []


def shard_files(kind):
    """An input function: the run's shard files of `kind` (train or predict) for a target."""
    return lambda wc: [f"results/{wc.run}{wc.target}/{kind}/{shard}.parquet" for shard in plan.shards(cfg(wc), kind)]


# The demo's truth holds thickness and freeboard: only those products are compared with it.
HAS_TRUTH = plan.has_truth(config)


def truth_for(wildcards):
    """The demo's truth for a target (none for real data)."""
    return [layout.demo_files(config, wildcards.target)["truth"]] if HAS_TRUTH else []


def final_outputs():
    outs = []
    for t in TARGETS:
        outs += [f"results/{t}/product.nc", f"results/{t}/validation.json"]
    outs += [f"results/{t}/plots/product.png" for t in PLOTTED]
    if SEASON:
        outs += [f"results/season/{SEASON}.nc", f"results/season/{SEASON}/monthly.nc"]
    outs.append("results/timing_report.tsv")
    return outs


def compare_for(wildcards):
    """The target's file of each product it is compared with, in the order of COMPARED."""
    return list(plan.compare_files(cfg(wildcards), wildcards.target).values())


def run_benchmarks(name):
    """The benchmark files of a run's own jobs for the trade-off's day (its shared loads not counted)."""
    return plan.product_benchmark_files(run_config(f"runs/{name}/"), TARGETS[0], run=f"runs/{name}/")
