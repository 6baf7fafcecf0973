# Config validation and the helpers that turn the config into file lists (logic lives in icegp.plan).
import functools
import os

from icegp import config as icegp_config
from icegp import plan
from icegp.config import rerun, runs
from icegp.demo import layout
from icegp.sources import download, registry
from icegp.util.time_window import TimeWindow

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
# Runs (`runs`): the DAG's target-level rules write under {root}/{target}/, where {root} is results
# for this config and results/runs/{name} for a run (plan.root); a run's config is resolved when one
# of its files is asked for, so a run that does not fit another config costs nothing until it is used.
RUN_ROOTS = [plan.root(name) for name in config["runs"]]


@functools.cache
def run_config(root):
    """The config whose files lie under `root`: this one, or a run's."""
    name = plan.run_of(root)
    return config if name is None else icegp_config.run_config(config, name)


def cfg(wildcards):
    """The config of the job's run."""
    return run_config(wildcards.root)


def setting(*keys):
    """A param: the run's config value at `keys` (e.g. setting("training", "training_radius"))."""

    def value(wildcards):
        out = cfg(wildcards)
        for key in keys:
            out = out[key]
        return out

    return value


def settings(section, *keys):
    """A param: the `keys` of one section of the run's config that a rule reads, so that editing
    another key of the section re-runs nothing of the rule's (tests/workflow/test_workflow.py)."""

    def value(wildcards):
        part = cfg(wildcards)[section]
        return {key: part[key] for key in keys}

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
        for src in icegp_config.sources(run_config(plan.root(name))).values():
            if runs.source_key(config, src) == key:
                return src
    raise WorkflowError(f"no source or run variant of a source is called {key!r}")


wildcard_constraints:
    day=r"\d{4}-\d{2}-\d{2}",
    target=r"\d{4}-\d{2}-\d{2}",
    shard=r"\d+",
    root=plan.ROOT,


_ref = config["hyperparameters_from"]
# a single date must exist already or be a target; monthly reference days are trained by the DAG
if isinstance(_ref, str) and _ref not in TARGETS:
    _trained = plan.fill(plan.HYPERPARAMETERS, root=plan.RESULTS, target=_ref)
    if not os.path.exists(_trained):
        raise WorkflowError(
            f"config key hyperparameters_from: date {_ref} was never trained "
            f"({_trained} does not exist and {_ref} is not among the targets)"
        )


def window_files(wildcards):
    """Per-day observation files of a target's window (shared by all targets, and all runs, that
    cover a day with the same source settings)."""
    run = cfg(wildcards)
    return [
        plan.fill(plan.OBS_DAY, source=runs.source_key(config, src), day=day)
        for src in icegp_config.sources(run).values()
        for day in TimeWindow.of(run, wildcards.target, src).days
    ]


def hyperparameters_for(wildcards):
    """The smoothed hyperparameters a target predicts with: its own, a trained day's, or (stride mode)
    those interpolated between its two anchors."""
    days = plan.hyperparameter_days(cfg(wildcards), wildcards.target)
    if len(days) == 2:
        return plan.fill(plan.INTERPOLATED, root=wildcards.root, target=wildcards.target)
    return plan.fill(plan.HYPERPARAMETERS, root=wildcards.root, target=days[0])


def anchors_for(wildcards):
    """The smoothed hyperparameters of the two anchors around a target (stride mode)."""
    return [
        plan.fill(plan.HYPERPARAMETERS, root=wildcards.root, target=day)
        for day in plan.hyperparameter_days(cfg(wildcards), wildcards.target)
    ]


def warm_start_for(wildcards):
    """With training.warm_start, the smoothed hyperparameters of the trained day before this one."""
    day = plan.warm_start_day(cfg(wildcards), wildcards.target)
    return [plan.fill(plan.HYPERPARAMETERS, root=wildcards.root, target=day)] if day else []


def shard_files(kind):
    """An input function: the run's shard files of `kind` (train or predict) for a target."""
    pattern = plan.TRAIN if kind == "train" else plan.PREDICT
    return lambda wc: [plan.fill(pattern, root=wc.root, target=wc.target, shard=s) for s in plan.shards(cfg(wc), kind)]


# The demo's truth holds thickness and freeboard: only those products are compared with it.
HAS_TRUTH = plan.has_truth(config)


def truth_for(wildcards):
    """The demo's truth for a target (none for real data)."""
    return [layout.demo_files(config, wildcards.target)["truth"]] if HAS_TRUTH else []


def final_outputs():
    outs = expand([plan.PRODUCT, plan.VALIDATION], root=plan.RESULTS, target=TARGETS)
    outs += expand(plan.PLOT, root=plan.RESULTS, target=PLOTTED, name="product")
    if SEASON:
        outs += [plan.fill(plan.SEASON, season=SEASON), plan.fill(plan.SEASON_FILE, season=SEASON, name="monthly.nc")]
    return outs + [plan.fill(plan.TIMING_REPORT, ext="tsv")]


def compare_inputs(wildcards):
    """The target's file of each product it is compared with, as the named input compare_<name>."""
    return {f"compare_{name}": path for name, path in plan.compare_files(cfg(wildcards), wildcards.target).items()}


def run_benchmarks(name):
    """The benchmark files of a run's own jobs for the trade-off's day (its shared loads not counted)."""
    root = plan.root(name)
    return plan.product_benchmark_files(run_config(root), TARGETS[0], root=root)
