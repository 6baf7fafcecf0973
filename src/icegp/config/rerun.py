"""What re-runs when the config changes: what a fitted expert depends on (not the execution
settings) and what a product records as the config that made it."""

from __future__ import annotations

from icegp.util.urls import redact

#: Keys of `training` that say how a job runs, not what it computes: changing them re-runs nothing.
EXECUTION = ("threads", "mem_mb", "device", "shards")


def model(config: dict) -> dict:
    """What a fitted expert depends on: `training` without the execution settings and the shard count."""
    return {k: v for k, v in config["training"].items() if k not in EXECUTION}


def provenance(config: dict) -> dict:
    """What a product records as the config that made it: every key but those that cannot change it
    (other targets, the season's name, validation, plots, runs, execution settings), with no
    credential in a URL."""
    kept = {k: v for k, v in config.items() if k not in ("targets", "season_name", "validation", "plots", "runs")}
    shown = {name: src | ({"url": redact(src["url"])} if "url" in src else {}) for name, src in kept["sources"].items()}
    return kept | {"training": model(config), "sources": shown}
