# The successor of the old pipeline's timing_log.txt: every benchmark file aggregated per rule and stage.


rule timing_report:
    input:
        expand("results/{target}/product.nc", target=TARGETS),
        expand("results/{target}/validation.json", target=TARGETS),
        expand("results/{target}/plots/product.png", target=PLOTTED),
        [f"results/season/{SEASON}.nc", f"results/season/{SEASON}/monthly.nc"] if SEASON else [],
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
