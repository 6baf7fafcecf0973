# Each job's config and params: this config's, or a run's (`runs`). The DAG's target-level rules
# write under {root}/{target}/, where {root} is results
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


def source_settings(key):
    """A load job's source: this config's, or a run's variant of it (config.runs.source_key)."""
    if key in SOURCES:
        return SOURCES[key]
    for name in config["runs"]:
        for src in icegp_config.sources(run_config(plan.root(name))).values():
            if runs.source_key(config, src) == key:
                return src
    raise WorkflowError(f"no source or run variant of a source is called {key!r}")


def run_benchmarks(name):
    """The benchmark files of a run's own jobs for the trade-off's day (its shared loads not counted)."""
    root = plan.root(name)
    return plan.product_benchmark_files(run_config(root), TARGETS[0], root=root)
