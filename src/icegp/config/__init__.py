"""The config: its schema (every key, type and default), resolution, cross-key checks and runs.

`icegp.config.resolve(config)` and the rest of the API below are what the Snakefile and the jobs call.
"""

from icegp.config.checks import check
from icegp.config.runs import run_config, shared_changes
from icegp.config.settings import (
    MINIMAL,
    canonical,
    load,
    merged,
    resolve,
    schema,
    section,
    source,
    sources,
    targets,
)

__all__ = [
    "MINIMAL",
    "canonical",
    "check",
    "load",
    "merged",
    "resolve",
    "run_config",
    "schema",
    "section",
    "shared_changes",
    "source",
    "sources",
    "targets",
]
