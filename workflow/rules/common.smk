# Config validation and the helpers that turn the config into file lists (logic lives in icegp.plan).
import os

from icegp import plan
from icegp import config as icegp_config

# The config is resolved once, here: old spellings renamed, validated against src/icegp/schema.yaml,
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

TARGETS = plan.targets(config)
SEASON = plan.season_name(config)  # None for a single target: no season product
SEASON_MONTHS = plan.months(TARGETS)
SHARDS = plan.shards(config)
# What a fitted expert depends on: execution settings (threads, memory, device) and the shard count
# are left out. Changing threads, memory or device re-runs nothing. Changing `shards` re-assigns the
# experts (the experts rule), so experts, train, smooth, predict and everything after them re-run;
# loads and observations are kept.
MODEL = {k: v for k, v in config["training"].items() if k not in ("threads", "mem_mb", "device", "shards")}
# What a product records as the config that made it: every key but those that cannot change it
# (other targets, the season's name, validation, execution settings), as a param, so the record is
# never stale and adding a target re-runs no other product.
PROVENANCE = {k: v for k, v in config.items() if k not in ("targets", "season_name", "validation")} | {
    "training": MODEL
}
# The demo's truth lies on the product grid: only the grid's keys, so changing a prediction radius or
# the blending does not regenerate the synthetic inputs.
DEMO_GRID = {k: config["prediction"][k] for k in ("grid_spacing", "extent")}
SOURCES = icegp_config.sources(config)
GRIDDED = [n for n, s in SOURCES.items() if s["type"] in plan.GRIDDED]
ALONG_TRACK = [n for n, s in SOURCES.items() if s["type"] not in plan.GRIDDED]
FETCHED = [n for n in GRIDDED if "url" in SOURCES[n]]


def _alternatives(names):
    # a regex that matches none of the source names when the list is empty
    return "|".join(names) if names else "(?!x)x"


wildcard_constraints:
    day=r"\d{4}-\d{2}-\d{2}",
    target=r"\d{4}-\d{2}-\d{2}",
    shard=r"\d+",


_ref = config["hyperparameters_from"]
# a single date must exist already or be a target; monthly reference days are trained by the DAG
if isinstance(_ref, str) and _ref not in TARGETS and not os.path.exists(f"results/{_ref}/hyperparameters.parquet"):
    raise WorkflowError(
        f"config key hyperparameters_from: date {_ref} was never trained "
        f"(results/{_ref}/hyperparameters.parquet does not exist and {_ref} is not among the targets)"
    )


def window_files(wildcards):
    """Per-day observation files of a target's window (shared by all targets that cover a day)."""
    return [
        f"results/obs/{name}/{day}.parquet"
        for name, src in SOURCES.items()
        for day in plan.source_window(config, src, wildcards.target)
    ]


def hyperparameters_for(wildcards):
    return f"results/{plan.hyperparameter_target(config, wildcards.target)}/hyperparameters.parquet"


# The demo's truth holds thickness and freeboard: only those products are compared with it.
HAS_TRUTH = config["demo"]["enabled"] and config["variable"] in ("sea_ice_thickness", "sea_ice_freeboard")


def truth_for(wildcards):
    """The demo's truth for a target (none for real data)."""
    return [plan.demo_files(config, wildcards.target)["truth"]] if HAS_TRUTH else []


def final_outputs():
    outs = []
    for t in TARGETS:
        outs += [
            f"results/{t}/product.nc",
            f"results/{t}/validation.json",
            f"results/{t}/plots/product.png",
        ]
    if SEASON:
        outs.append(f"results/season/{SEASON}.nc")
    outs.append("results/timing_report.tsv")
    return outs
