# The successor of the old pipeline's timing_log.txt: every benchmark file aggregated per rule and stage.


rule timing_report:
    input:
        expand("results/{target}/product.nc", target=TARGETS),
        expand("results/{target}/validation.json", target=TARGETS),
        expand("results/{target}/plots/product.png", target=TARGETS),
        [f"results/season/{SEASON}.nc"] if SEASON else [],
    output:
        tsv=report("results/timing_report.tsv", category="Timing"),
        png=report("results/timing_report.png", category="Timing"),
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
    script:
        "../scripts/timing_report.py"


rule tradeoff:
    # Not part of `all`: `snakemake --cores 2 tradeoff` runs each preset's demo with each engine in
    # results/tradeoff/<preset>-<engine>/ and tabulates wall time against accuracy.
    output:
        tsv=report("results/tradeoff/tradeoff.tsv", category="Timing"),
        png=report("results/tradeoff/tradeoff.png", category="Timing"),
    log:
        "logs/tradeoff.log",
    benchmark:
        "benchmarks/tradeoff/all.tsv"
    conda:
        CONDA_ENV
    threads: 2
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        target=TARGETS[0],
    script:
        "../scripts/tradeoff.py"
