# Grids, experts, sharded GP training, hyperparameter smoothing and sharded prediction. Every path
# carries the run ({run}: "" for this config, runs/{name}/ for a run) and every param is the run's.


rule grids:
    input:
        locations=lambda wc: plan.locations_files(cfg(wc)),
    output:
        candidates="results/{run}grid/expert_candidates.parquet",
        prediction="results/{run}grid/prediction_locations.parquet",
        land="results/{run}grid/land_mask.nc",
        background="results/{run}grid/map_background.nc",
    log:
        "logs/{run}grids.log",
    benchmark:
        "benchmarks/grids/{run}all.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        experts=setting("experts"),
        expert_time_stamps=lambda wc: plan.expert_time_stamps(cfg(wc)),
        prediction=setting("prediction"),
        crs=config["crs"],
    message:
        "grids: the expert and prediction grids: results/{wildcards.run}grid/"
    script:
        "../scripts/grids.py"


rule experts:
    input:
        obs="results/{run}{target}/observations.parquet",
        candidates=rules.grids.output.candidates,
    output:
        "results/{run}{target}/experts.parquet",
    log:
        "logs/experts/{run}{target}.log",
    benchmark:
        "benchmarks/experts/{run}{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        experts=setting("experts"),
        crs=config["crs"],
        num_days=setting("num_days_before_after"),
        radius=setting("training", "training_radius"),
        shards=setting("training", "shards"),
    message:
        "experts: the experts of {wildcards.run}{wildcards.target}"
    script:
        "../scripts/experts.py"


rule train:
    input:
        obs="results/{run}{target}/observations.parquet",
        experts="results/{run}{target}/experts.parquet",
        warm=warm_start_for,
    output:
        "results/{run}{target}/train/{shard}.parquet",
    log:
        "logs/train/{run}{target}/{shard}.log",
    benchmark:
        "benchmarks/train/{run}{target}/{shard}.tsv"
    conda:
        CONDA_ENV
    threads: config["training"]["threads"]
    resources:
        mem_mb=lambda wc, attempt: config["training"]["mem_mb"] * attempt,
        runtime=120,
        gpu=1 if config["training"]["device"] == "gpu" else 0,
    params:
        training=lambda wc: rerun.model(cfg(wc)),
        num_days=setting("num_days_before_after"),
        min_obs=setting("experts", "min_obs"),
    message:
        "train: shard {wildcards.shard} of {wildcards.run}{wildcards.target}"
    script:
        "../scripts/train.py"


rule interpolate_hyperparameters:
    # stride mode: a target between two anchors predicts with their hyperparameters interpolated in time
    input:
        experts="results/{run}{target}/experts.parquet",
        anchors=anchors_for,
    output:
        "results/{run}{target}/hyperparameters_interpolated.parquet",
    log:
        "logs/interpolate_hyperparameters/{run}{target}.log",
    benchmark:
        "benchmarks/interpolate_hyperparameters/{run}{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        days=lambda wc: plan.hyperparameter_days(cfg(wc), wc.target),
        smoothing=setting("smoothing"),
        training=lambda wc: rerun.model(cfg(wc)),
        crs=config["crs"],
    message:
        "interpolate_hyperparameters: hyperparameters of {wildcards.run}{wildcards.target} interpolated between its anchors"
    script:
        "../scripts/interpolate_hyperparameters.py"


rule smooth:
    input:
        shard_files("train"),
    output:
        "results/{run}{target}/hyperparameters.parquet",
    log:
        "logs/smooth/{run}{target}.log",
    benchmark:
        "benchmarks/smooth/{run}{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        smoothing=setting("smoothing"),
        training=lambda wc: rerun.model(cfg(wc)),
        crs=config["crs"],
    message:
        "smooth: the hyperparameters of {wildcards.run}{wildcards.target}"
    script:
        "../scripts/smooth.py"


rule predict:
    input:
        obs="results/{run}{target}/observations.parquet",
        experts="results/{run}{target}/experts.parquet",
        hyperparameters=hyperparameters_for,
        locations=rules.grids.output.prediction,
    output:
        "results/{run}{target}/predict/{shard}.parquet",
    log:
        "logs/predict/{run}{target}/{shard}.log",
    benchmark:
        "benchmarks/predict/{run}{target}/{shard}.tsv"
    conda:
        CONDA_ENV
    threads: config["training"]["threads"]
    resources:
        mem_mb=lambda wc, attempt: config["training"]["mem_mb"] * attempt,
        runtime=60,
        gpu=1 if config["training"]["device"] == "gpu" else 0,
    params:
        training=lambda wc: rerun.model(cfg(wc)),
        prediction=setting("prediction"),
        shards=lambda wc: len(plan.shards(cfg(wc), "predict")),
        crs=config["crs"],
        num_days=setting("num_days_before_after"),
    message:
        "predict: shard {wildcards.shard} of {wildcards.run}{wildcards.target}"
    script:
        "../scripts/predict.py"
