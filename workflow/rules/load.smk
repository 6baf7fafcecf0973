# Per-day loading: one job per source and data day, shared by every target (and run) whose window
# covers it; a run that sets a source apart loads it under its own key (config.runs.source_key).


rule fetch_gridded:
    output:
        manifest=plan.FETCH_MANIFEST,
    log:
        plan.log("fetch_gridded", plan.DAY_JOB),
    benchmark:
        plan.benchmark("fetch_gridded", plan.DAY_JOB)
    wildcard_constraints:
        source=_alternatives(FETCHED),
    conda:
        CONDA_ENV
    resources:
        mem_mb=300,
        runtime=30,
    params:
        source=lambda wc: SOURCES[wc.source],
        cache=lambda wc: download.cache_path(SOURCES[wc.source], wc.day),
        missing_days=config["missing_days"],
    message:
        "fetch_gridded: {wildcards.source} of {wildcards.day} into its cache"
    script:
        "../scripts/fetch_gridded.py"


rule load_day:
    input:
        lambda wc: plan.load_inputs(config, source_settings(wc.source), wc.day),
    output:
        plan.OBS_DAY,
    log:
        plan.log("load_day", plan.DAY_JOB),
    benchmark:
        plan.benchmark("load_day", plan.DAY_JOB)
    wildcard_constraints:
        source=_alternatives(list(SOURCES), variants=True),
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        source=lambda wc: source_settings(wc.source),
        crs=config["crs"],
        missing_days=config["missing_days"],
    message:
        "load_day: {wildcards.source} of {wildcards.day}"
    script:
        "../scripts/load_day.py"


rule observations:
    input:
        window_files,
    output:
        table=plan.OBSERVATIONS,
        report=plan.OBSERVATIONS_REPORT,
    log:
        plan.log("observations", plan.TARGET_JOB),
    benchmark:
        plan.benchmark("observations", plan.TARGET_JOB)
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        crs=config["crs"],
        observations=setting("observations"),
        preferred=ALONG_TRACK,
        dropped=GRIDDED,
        missing_days=config["missing_days"],
    message:
        "observations: the observation window of {wildcards.root}/{wildcards.target}"
    script:
        "../scripts/observations.py"
