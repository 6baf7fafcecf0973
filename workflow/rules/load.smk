# Per-day loading: one job per source and data day, shared by every target whose window covers it.


rule fetch_gridded:
    output:
        manifest="results/fetch/{source}/{day}.json",
    wildcard_constraints:
        source=_alternatives(FETCHED),
    log:
        "logs/fetch_gridded/{source}/{day}.log",
    benchmark:
        "benchmarks/fetch_gridded/{source}/{day}.tsv"
    threads: 1
    resources:
        mem_mb=300,
        runtime=30,
    params:
        source=lambda wc: SOURCES[wc.source],
        cache=lambda wc: plan.cache_path(SOURCES[wc.source], wc.day),
        missing_days=config["missing_days"],
    conda:
        CONDA_ENV
    script:
        "../scripts/fetch_gridded.py"


rule load_along_track:
    input:
        lambda wc: plan.load_inputs(config, SOURCES[wc.source], wc.day),
    output:
        "results/obs/{source}/{day}.parquet",
    wildcard_constraints:
        source=_alternatives(ALONG_TRACK),
    log:
        "logs/load_along_track/{source}/{day}.log",
    benchmark:
        "benchmarks/load_along_track/{source}/{day}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        source=lambda wc: SOURCES[wc.source],
        crs=config["crs"],
        missing_days=config["missing_days"],
    conda:
        CONDA_ENV
    script:
        "../scripts/load_day.py"


rule load_gridded:
    input:
        lambda wc: plan.load_inputs(config, SOURCES[wc.source], wc.day),
    output:
        "results/obs/{source}/{day}.parquet",
    wildcard_constraints:
        source=_alternatives(GRIDDED),
    log:
        "logs/load_gridded/{source}/{day}.log",
    benchmark:
        "benchmarks/load_gridded/{source}/{day}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        source=lambda wc: SOURCES[wc.source],
        crs=config["crs"],
        missing_days=config["missing_days"],
    conda:
        CONDA_ENV
    script:
        "../scripts/load_day.py"


rule observations:
    input:
        window_files,
    output:
        table="results/{target}/observations.parquet",
        report="results/{target}/observations.json",
    log:
        "logs/observations/{target}.log",
    benchmark:
        "benchmarks/observations/{target}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        crs=config["crs"],
        observations=config["observations"],
        preferred=ALONG_TRACK,
        dropped=GRIDDED,
        missing_days=config["missing_days"],
    conda:
        CONDA_ENV
    script:
        "../scripts/observations.py"
