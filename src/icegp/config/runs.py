"""Runs (`runs`): a run's config on top of the main one, what every run must share, and which
loads runs share (source keys)."""

from __future__ import annotations

import hashlib
import json

from icegp.config.checks import check
from icegp.config.settings import merged, resolve, sources

#: What a run (`runs`) may change, by section; the rest (targets, demo, crs, variable, missing_days,
#: the product grid, execution settings, the sources' names and types) every run of a DAG shares.
RUN_SECTIONS = (
    "sources",
    "observations",
    "experts",
    "training",
    "smoothing",
    "prediction",
    "validation",
    "num_days_before_after",
)


SHARED_IN_RUNS = {
    "validation": ("compare",),  # the plots' outputs are named by the products compared with
    "prediction": ("grid_spacing", "extent", "min_lat", "locations_file"),
    "training": ("threads", "mem_mb", "device"),
}


def run_config(config: dict, name: str) -> dict:
    """Run `name` of `config["runs"]`: its overlay files, then its inline overlay, on top of the
    (resolved) config; resolved and checked, and refused where it changes what runs share."""
    from snakemake.exceptions import WorkflowError

    if name not in config["runs"]:
        raise ValueError(f"config key runs: no run {name!r} (runs: {sorted(config['runs'])})")
    run = config["runs"][name]
    try:
        resolved = resolve(merged({**config, "runs": {}}, *run["configfiles"], run["config"]))
        check(resolved)
    except (ValueError, WorkflowError) as err:
        raise ValueError(f"config key runs.{name}: {err}") from None
    changed = shared_changes(config, resolved)
    if changed:
        raise ValueError(f"config key runs.{name}: a run cannot change {', '.join(changed)} (every run shares them)")
    return resolved


def shared_changes(config: dict, run: dict) -> list[str]:
    """The keys that `run` changes but every run must share with `config`."""
    changed = []
    for key in config:
        if key == "runs":
            continue
        if key not in RUN_SECTIONS:
            changed += [key] if config[key] != run[key] else []
            continue
        changed += [f"{key}.{sub}" for sub in SHARED_IN_RUNS.get(key, ()) if config[key][sub] != run[key][sub]]
    ours, runs = sources(config), sources(run)
    if {name: src["type"] for name, src in ours.items()} != {name: src["type"] for name, src in runs.items()}:
        changed.append("sources (which are enabled, and their types)")
        return changed
    for name, src in ours.items():  # a download is fetched once, under the source's name
        theirs = runs[name]
        if "url" in src or "url" in theirs:
            changed += [f"sources.{name}.{k}" for k in ("url", "cache") if src.get(k) != theirs.get(k)]
    return changed


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
