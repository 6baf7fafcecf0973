# Input functions: the files a job reads, from its run's config (logic in icegp.plan).


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


def truth_for(wildcards):
    """The demo's truth for a target (none for real data)."""
    return [layout.demo_files(config, wildcards.target)["truth"]] if HAS_TRUTH else []


def compare_inputs(wildcards):
    """The target's file of each product it is compared with, as the named input compare_<name>."""
    return {f"compare_{name}": path for name, path in plan.compare_files(cfg(wildcards), wildcards.target).items()}


def final_outputs():
    outs = expand([plan.PRODUCT, plan.VALIDATION], root=plan.RESULTS, target=TARGETS)
    outs += expand(plan.PLOT, root=plan.RESULTS, target=PLOTTED, name="product")
    if SEASON:
        outs += [plan.fill(plan.SEASON, season=SEASON), plan.fill(plan.SEASON_FILE, season=SEASON, name="monthly.nc")]
    return outs + [plan.fill(plan.TIMING_REPORT, ext="tsv")]
