# The successor of the old pipeline's timing_log.txt: the DAG's benchmark files aggregated per rule and stage.


rule timing_report:
    input:
        # the benchmark file of every job of this DAG (plan.benchmark_files): each job's own, none stale
        benchmarks=plan.benchmark_files(config),
    output:
        tsv=report("results/timing_report.tsv", caption="../report/timing_tsv.rst", category="Timing"),
        png=report("results/timing_report.png", caption="../report/timing_png.rst", category="Timing"),
    log:
        "logs/timing_report.log",
    benchmark:
        "benchmarks/timing_report/all.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    message:
        "timing_report: the timing report of every job"
    script:
        "../scripts/timing_report.py"


rule tradeoff:
    # Not part of `all`: `snakemake --cores 2 tradeoff` makes every run's (`runs`) validation of the
    # first target in this DAG (sharing the loads the runs agree on) and tabulates its accuracy
    # against its summed job time.
    input:
        validation=expand("results/runs/{name}/{target}/validation.json", name=list(config["runs"]), target=TARGETS[0]),
        experts=expand("results/runs/{name}/{target}/experts.parquet", name=list(config["runs"]), target=TARGETS[0]),
        # a function, so a run's config is resolved only when the trade-off is asked for
        benchmarks=lambda wc: [f for name in config["runs"] for f in run_benchmarks(name)],
    output:
        tsv=report("results/tradeoff/tradeoff.tsv", caption="../report/tradeoff_tsv.rst", category="Timing"),
        png=report("results/tradeoff/tradeoff.png", caption="../report/tradeoff_png.rst", category="Timing"),
    log:
        "logs/tradeoff.log",
    benchmark:
        "benchmarks/tradeoff/all.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        engines=lambda wc: {name: run_config(f"runs/{name}/")["training"]["engine"] for name in config["runs"]},
    message:
        "tradeoff: the runs' accuracy against their job time"
    script:
        "../scripts/tradeoff.py"
