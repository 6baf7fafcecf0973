"""Which days the DAG maps, trains and draws: targets' seasons and months, the anchors of stride mode
and their chunks, the days a target takes its hyperparameters from, shards."""

from __future__ import annotations

import calendar

from icegp.config import targets
from icegp.config.checks import chunks_refused
from icegp.util import timestamps


def season_name(config) -> str | None:
    """The season product's name (`season_name`, else first_last target), or None for one target."""
    days = targets(config)
    if len(days) < 2:
        return None
    return config["season_name"] or f"{days[0]}_{days[-1]}"


def months(days) -> list[str]:
    """The calendar months (YYYY-MM) the days fall in, in order."""
    return sorted({d[:7] for d in days})


def shards(config, kind: str = "train") -> list[str]:
    """The shard names of a target's train or predict jobs."""
    n = config["training"]["shards"] if kind == "train" else config["prediction"]["shards"]
    return [str(k) for k in range(n or config["training"]["shards"])]


def hyperparameter_target(config, target: str) -> str:
    """The day whose smoothed hyperparameters `target` predicts with, outside stride mode: itself, one
    fixed date, or its month's reference day (`{mode: monthly, day: D}`; the month's last day when it
    has no day D)."""
    ref = config["hyperparameters_from"]
    if not ref:
        return target
    if isinstance(ref, dict):
        day = timestamps.parse_day(target)
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=min(int(ref["day"]), last)).isoformat()
    return ref


def is_stride(config) -> bool:
    ref = config["hyperparameters_from"]
    return isinstance(ref, dict) and ref["mode"] == "stride"


def anchors(config) -> list[str]:
    """Stride mode's trained days: the first target, every K-th after it, and the last (K = `every`, or
    `num_days_before_after` when it is null)."""
    days = targets(config)
    every = config["hyperparameters_from"]["every"] or max(1, config["num_days_before_after"])
    return sorted(set(days[::every]) | {days[-1]})


def hyperparameter_days(config, target: str) -> list[str]:
    """The trained days whose smoothed hyperparameters `target` predicts with: one day, or in stride
    mode the two anchors around a target that is not one (its hyperparameters are interpolated)."""
    if not is_stride(config):
        return [hyperparameter_target(config, target)]
    marks = anchors(config)
    if target in marks:
        return [target]
    return [max(a for a in marks if a < target), min(a for a in marks if a > target)]


def chunks(config) -> list[list[str]]:
    """With `hyperparameters_from.chunk_days` C (stride mode), the targets between two anchors, C at a
    time in order: each list is mapped by one chunk job. Empty without chunks, and where the config
    cannot have them (config.checks.chunks_refused: the check warns)."""
    if not is_stride(config) or not config["hyperparameters_from"]["chunk_days"] or chunks_refused(config):
        return []
    size, marks = config["hyperparameters_from"]["chunk_days"], set(anchors(config))
    out: list[list[str]] = []
    between: list[str] = []
    for day in targets(config):  # the last target is an anchor: every run between anchors is closed
        if day not in marks:
            between.append(day)
            continue
        out += [between[k : k + size] for k in range(0, len(between), size)]
        between = []
    return out


def chunk_of(config, day: str) -> list[str] | None:
    """The chunk that maps `day`, or None where daily jobs do."""
    return next((days for days in chunks(config) if day in days), None)


def chunk_weight(config, days: list[str]) -> float:
    """Where a chunk's hyperparameters lie between its two anchors (0: the first's, 1: the second's):
    at its middle day, so no day of it is further than half a chunk from its own interpolation."""
    t0, t1 = (timestamps.day_to_t(d) for d in hyperparameter_days(config, days[0]))
    middle = (timestamps.day_to_t(days[0]) + timestamps.day_to_t(days[-1])) / 2
    return (middle - t0) / (t1 - t0)


def trained_days(config) -> list[str]:
    """Every day the DAG trains, in order."""
    return sorted({d for t in targets(config) for d in hyperparameter_days(config, t)})


def warm_start_day(config, day: str) -> str | None:
    """With `training.warm_start`, the trained day before `day` whose smoothed hyperparameters its fits
    start from (None for the first, and without warm starts)."""
    if not config["training"]["warm_start"]:
        return None
    earlier = [d for d in trained_days(config) if d < day]
    return earlier[-1] if earlier else None


def plotted_targets(config) -> list[str]:
    """The targets that get the daily plot set: the first and every `plots.daily_every`-th after it."""
    every = config["plots"]["daily_every"]
    return targets(config)[::every] if every else []


def mapped_days(config) -> list[str]:
    """Every day the DAG makes an observation window and experts for: the targets and the days
    trained for them (monthly reference days)."""
    return sorted(set(targets(config)) | set(trained_days(config)))
