"""Cross-key checks of a resolved config that the schema cannot express."""

from __future__ import annotations

from icegp.config.settings import sources, targets
from icegp.gp.hyper import Space
from icegp.sources import download, registry
from icegp.util import timestamps


def _ordered(pair, key: str) -> None:
    if not pair[0] < pair[1]:
        raise ValueError(f"config key {key}: min {pair[0]} is not below max {pair[1]}")


def chunks_refused(config: dict) -> str | None:
    """Why `hyperparameters_from.chunk_days` cannot be honoured (None where it can, or is not set):
    chunks slide the fast engine's SGPR statistics over data days that every window holds alike."""
    ref = config["hyperparameters_from"]
    if not (isinstance(ref, dict) and ref.get("chunk_days")):
        return None
    training = config["training"]
    if training["model_type"] != "SGPR" or training["engine"] != "fast":
        return (
            "chunks slide the SGPR bound's statistics, so they need training.model_type: SGPR and "
            f"training.engine: fast (not {training['model_type']}, {training['engine']})"
        )
    day_only = [name for name, src in sources(config).items() if src["use_prediction_day_only"]]
    if day_only:
        return (
            f"a chunk's data days must be the same in every window, but sources {day_only} have "
            "use_prediction_day_only: true"
        )
    return None


def check(config: dict) -> list[str]:
    """Checks across keys that the schema cannot express, run when the workflow is parsed: before
    any job runs and before Snakemake deletes any output for re-running. Impossible settings raise;
    lossy ones are returned as warnings."""
    targets(config)
    if isinstance(config["hyperparameters_from"], str):
        timestamps.parse_day(config["hyperparameters_from"])
    Space.from_config(config["training"])  # bounds low < high, init inside them
    for section in ("experts", "prediction"):
        if not config[section]["locations_file"]:
            _ordered(config[section]["extent"][0:2], f"{section}.extent (x)")
            _ordered(config[section]["extent"][2:4], f"{section}.extent (y)")
    for src in sources(config).values():
        registry.source_time_stamps(src)
        if "url" in src:
            try:
                download.cache_path(src, targets(config)[0])
            except download.DownloadError as err:
                raise ValueError(f"config key sources.{src['name']}.url: {err}") from None
    warnings = []
    refused = chunks_refused(config)
    if refused:
        warnings.append(
            f"config key hyperparameters_from.chunk_days: {refused}; the days between anchors run as daily jobs"
        )
    spacing, radius = config["experts"]["expert_spacing"], config["prediction"]["radius"]
    if not config["experts"]["locations_file"] and radius < spacing / 2**0.5:
        warnings.append(
            f"config key prediction.radius: {radius} m is below experts.expert_spacing / sqrt(2) "
            f"({spacing / 2**0.5:.0f} m): locations midway between four experts are predicted by none"
        )
    return warnings
