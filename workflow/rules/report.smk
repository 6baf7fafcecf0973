# The successor of the old pipeline's timing_log.txt: the DAG's benchmark files aggregated per rule and stage.


rule timing_report:
    input:
        # the benchmark file of every job of this DAG (plan.benchmark_files): each job's own, none stale
        benchmarks=plan.benchmark_files(config),
    output:
        tsv=report(plan.fill(plan.TIMING_REPORT, ext="tsv"), caption="../report/timing_tsv.rst", category="Timing"),
        png=report(plan.fill(plan.TIMING_REPORT, ext="png"), caption="../report/timing_png.rst", category="Timing"),
    log:
        plan.log("timing_report"),
    benchmark:
        plan.benchmark("timing_report")
    # a table and a plot of the benchmark files: on a cluster it runs where snakemake runs (no sbatch)
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=500,
        runtime=5,
    message:
        "timing_report: the timing report of every job"
    script:
        "../scripts/timing_report.py"


rule tradeoff:
    input:
        validation=expand(plan.VALIDATION, root=RUN_ROOTS, target=TARGETS[0]),
        experts=expand(plan.EXPERTS, root=RUN_ROOTS, target=TARGETS[0]),
        # a function, so a run's config is resolved only when the trade-off is asked for
        benchmarks=lambda wc: [f for name in config["runs"] for f in run_benchmarks(name)],
    output:
        tsv=report(plan.fill(plan.TRADEOFF, ext="tsv"), caption="../report/tradeoff_tsv.rst", category="Timing"),
        png=report(plan.fill(plan.TRADEOFF, ext="png"), caption="../report/tradeoff_png.rst", category="Timing"),
    log:
        plan.log("tradeoff"),
    benchmark:
        plan.benchmark("tradeoff")
    # Not part of `all`: `snakemake --cores 2 tradeoff` makes every run's (`runs`) validation of the
    # first target in this DAG (sharing the loads the runs agree on) and tabulates its accuracy
    # against its summed job time. A table and a plot: on a cluster it runs where snakemake runs.
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        engines=lambda wc: {name: run_config(plan.root(name))["training"]["engine"] for name in config["runs"]},
    message:
        "tradeoff: the runs' accuracy against their job time"
    script:
        "../scripts/tradeoff.py"
