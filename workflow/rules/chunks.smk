# Chunks (hyperparameters_from.chunk_days, stride mode): the days between two anchors mapped C at a
# time by one job each (icegp.jobs.chunks), which writes each day's window report, hyperparameters,
# product and validation as the daily jobs would. One rule per chunk and root, named by
# plan.chunk_rule, so each lists its days' files: a rule without wildcards, which Snakemake prefers
# to the daily rules (observations, interpolate_hyperparameters, product, validate) for the same
# file, so a chunk's days are left to it, and a root without chunks (a run that refuses them, see
# config.checks.chunks_refused) maps those days with the daily rules. A chunk's inputs are the load
# jobs' day files of every window of it, the grids, and its two anchors' smoothed hyperparameters.


def chunk_inputs(root, days):
    """A chunk's input files, by kind."""
    run = run_config(root)
    window = sorted({d for day in days for d in TimeWindow.of(run, day).days})
    return {
        "obs": [
            plan.fill(plan.OBS_DAY, source=runs.source_key(config, src), day=d)
            for src in icegp_config.sources(run).values()
            for d in window
        ],
        "anchor_files": [
            plan.fill(plan.HYPERPARAMETERS, root=root, target=d) for d in plan.hyperparameter_days(run, days[0])
        ],
        "candidates": plan.fill(plan.GRID, root=root, name="expert_candidates.parquet"),
        "locations": plan.fill(plan.GRID, root=root, name="prediction_locations.parquet"),
        "land": plan.fill(plan.GRID, root=root, name="land_mask.nc"),
        "truth": [layout.demo_files(config, day)["truth"] for day in days] if HAS_TRUTH else [],
        "compare": [path for day in days for path in plan.compare_files(run, day).values()],
    }


def chunked_roots():
    """Each root whose config resolves, with its config: a run that does not resolve has no chunks,
    and its error is raised when one of its files is asked for (unused runs cost nothing)."""
    for root in [plan.RESULTS, *RUN_ROOTS]:
        try:
            yield root, run_config(root)
        except ValueError:
            continue


for _root, _run in chunked_roots():
    for _days in plan.chunks(_run):
        _outputs = plan.chunk_outputs(_root, _days)
        _job = plan.fill(plan.CHUNK_JOB, root=_root, first=_days[0], last=_days[-1])

        rule:
            name:
                plan.chunk_rule(_root, _days)
            input:
                **chunk_inputs(_root, _days),
            output:
                stages=plan.fill(plan.CHUNK_STAGES, root=_root, first=_days[0], last=_days[-1]),
                days=[path for files in _outputs.values() for path in files.values()],
            log:
                plan.log("chunk", _job),
            benchmark:
                plan.benchmark("chunk", _job)
            conda:
                CONDA_ENV
            threads: config["training"]["threads"]
            resources:
                mem_mb=lambda wc, attempt: config["training"]["mem_mb"] * attempt,
                runtime=30 * len(_days),
                gpu=0,
            params:
                days=_days,
                anchors=plan.hyperparameter_days(_run, _days[0]),
                weight=plan.chunk_weight(_run, _days),
                truth=({day: layout.demo_files(config, day)["truth"] for day in _days} if HAS_TRUTH else {}),
                compare={day: plan.compare_files(_run, day) for day in _days},
                outputs=_outputs,
                crs=config["crs"],
                variable=config["variable"],
                num_days_before_after=_run["num_days_before_after"],
                observations=_run["observations"],
                preferred=ALONG_TRACK,
                dropped=GRIDDED,
                missing_days=config["missing_days"],
                min_obs=_run["experts"]["min_obs"],
                shards=_run["training"]["shards"],
                training=rerun.model(_run),
                smoothing=_run["smoothing"],
                prediction=_run["prediction"],
                validation=_run["validation"],
                along_track=ALONG_TRACK,
                provenance=rerun.provenance(_run),
            message:
                f"chunk: days {_days[0]} to {_days[-1]} of {_root} from slid statistics"
            script:
                "../scripts/chunk.py"
