# The successor of the old pipeline's timing_log.txt: every benchmark file aggregated per rule and stage.


rule timing_report:
    input:
        expand("results/{target}/product.nc", target=TARGETS),
        expand("results/{target}/validation.json", target=TARGETS),
        expand("results/{target}/plots/product.png", target=TARGETS),
    output:
        tsv=report("results/timing_report.tsv", category="Timing"),
        png=report("results/timing_report.png", category="Timing"),
    log:
        "logs/timing_report.log",
    benchmark:
        "benchmarks/timing_report/all.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/timing_report.py"
