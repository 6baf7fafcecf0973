"""The workflow's configuration: one schema, resolved once, read everywhere without fallbacks.

`schema.yaml` beside this module is the one home of every key's type, range, default and meaning:
Snakemake's ``validate()`` checks a config against it and fills in every default (per source type
too), config/README.md's tables are generated from it (:mod:`icegp.config.doc`), and the code reads
the resolved config with plain ``cfg[key]``. The workflow resolves its config when it is parsed;
benchmarks and tests resolve theirs with :func:`resolve`, or one section with :func:`section`
and one source with :func:`source`.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import yaml

from icegp.util import timestamps

SCHEMA = Path(__file__).with_name("schema.yaml")
#: Spellings of the old pipeline's config that keep working: old source key -> current key.
RENAMED_SOURCE_KEYS = {"smap_use_prediction_day_only": "use_prediction_day_only"}
#: GPSat's model class names (as its configs spell `model_type`) for the models they are.
GPSAT_MODELS = {"GPflowGPRModel": "GPR", "GPflowSGPRModel": "SGPR"}
#: GPSat models we do not offer (yet), and why SGPR stands in for them.
UNOFFERED_MODELS = {
    "GPflowVFFModel": "variational Fourier features (VFF) are not built yet",
    "GPflowASVGPModel": "the additive sparse variational GP (ASVGP) is not built yet",
}


def canonical(value):
    """The config as its meaning: mapping keys sorted, YAML dates as ISO strings, integral floats as
    ints, so Snakemake's params (compared as written) do not change with key order or spelling."""
    if isinstance(value, dict):
        return {str(k): canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _renamed(config: dict) -> dict:
    """Old spellings in their current form (source keys, GPSat's model names); a `sources` list (the
    layout before sources were keyed by name) is an error that shows the new layout."""
    sources = config.get("sources")
    if isinstance(sources, list):
        raise ValueError(
            "config key sources: sources are a mapping from name to settings, not a list; write "
            "`sources: {is2: {type: is2sitdat4, path: ...}, smap: {...}}` (each `name:` becomes "
            "the key)"
        )
    out = copy.deepcopy(config)
    training = out.get("training")
    if isinstance(training, dict) and "model_type" in training:
        training["model_type"] = model_type(training["model_type"])
    for src in (out.get("sources") or {}).values():
        for old, new in RENAMED_SOURCE_KEYS.items():
            if isinstance(src, dict) and old in src:
                src.setdefault(new, src.pop(old))
    return out


def model_type(name):
    """`training.model_type` as we name it: GPSat's class names accepted; its models we do not offer
    refused with what to use instead."""
    if name in UNOFFERED_MODELS:
        raise ValueError(
            f"config key training.model_type: {name!r}: {UNOFFERED_MODELS[name]}. Use SGPR (GPSat's "
            "GPflowSGPRModel) with `inducing_method: kmeans`: it is the sparse model the recommended "
            "preset measured at the exact GP's accuracy (config/presets/recommended.yaml), or GPR for exact fits"
        )
    return GPSAT_MODELS.get(name, name)


def resolve(config: dict) -> dict:
    """The config as every job reads it: old spellings renamed, validated against the schema, every
    default filled in, canonical. Raises snakemake's WorkflowError (a schema violation, naming the
    key) or ValueError."""
    from snakemake.utils import validate

    resolved = canonical(_renamed(config))
    validate(resolved, str(SCHEMA))
    return canonical(resolved)


MINIMAL = {"targets": ["2000-01-01"], "sources": {"placeholder": {"type": "table", "path": "-"}}}


def section(name: str, settings: dict | None = None) -> dict:
    """One config section resolved from partial `settings` (nested defaults filled in as for a whole
    config): for library users, benchmarks and tests that call the code without the workflow."""
    return resolve({**MINIMAL, name: settings or {}})[name]


def source(name: str, settings: dict) -> dict:
    """One source resolved from partial `settings`, with its `name`."""
    return sources(resolve({**MINIMAL, "sources": {name: settings}}))[name]


def merged(base: dict, *overlays) -> dict:
    """A copy of `base` with each overlay (a file path or a mapping) merged on top in order, as
    Snakemake merges `--configfile`s: later ones override nested keys."""
    from snakemake.utils import update_config

    out = copy.deepcopy(base)
    for overlay in overlays:
        data = overlay if isinstance(overlay, dict) else yaml.safe_load(Path(overlay).read_text())
        update_config(out, copy.deepcopy(data or {}))
    return out


def load(*paths) -> dict:
    """Config files merged as Snakemake merges `--configfile`s, resolved."""
    return resolve(merged({}, *paths))


def schema() -> dict:
    return yaml.safe_load(SCHEMA.read_text())


def sources(config: dict) -> dict[str, dict]:
    """The enabled sources by name, each with its `name` (the key) among its settings."""
    chosen = {name: {**src, "name": name} for name, src in config["sources"].items() if src["enabled"]}
    if not chosen:
        raise ValueError("config key sources: every source has enabled: false")
    return chosen


def targets(config) -> list[str]:
    """Target dates as ISO strings: a list, or {start, end} inclusive."""
    t = config["targets"]
    if isinstance(t, dict):
        start, end = timestamps.parse_day(t["start"]), timestamps.parse_day(t["end"])
        if end < start:
            raise ValueError(f"config key targets: end {end} is before start {start}")
        return [(start + dt.timedelta(days=k)).isoformat() for k in range((end - start).days + 1)]
    return [timestamps.parse_day(d).isoformat() for d in t]
