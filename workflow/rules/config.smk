# The config, resolved and checked once when the workflow is parsed, and the names every rule file
# shares (targets, sources, the conda environment). Each job's own config and params: runs.smk.
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
# The demo's truth lies on the product grid: only the grid's keys, so changing a prediction radius or
# the blending does not regenerate the synthetic inputs.
DEMO_GRID = {k: config["prediction"][k] for k in ("grid_spacing", "extent")}
SOURCES = icegp_config.sources(config)
GRIDDED = [n for n, s in SOURCES.items() if s["type"] in registry.GRIDDED]
ALONG_TRACK = [n for n, s in SOURCES.items() if s["type"] not in registry.GRIDDED]
FETCHED = [n for n in GRIDDED if "url" in SOURCES[n]]
# The demo's truth holds thickness and freeboard: only those products are compared with it.
HAS_TRUTH = plan.has_truth(config)


def _alternatives(names, variants=False):
    # a regex that matches none of the source names when the list is empty; with `variants`, also a
    # name followed by a run's settings digest (config.runs.source_key)
    if not names:
        return "(?!x)x"
    return f"(?:{'|'.join(names)})(?:~[0-9a-f]{{8}})?" if variants else "|".join(names)


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
