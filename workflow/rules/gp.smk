# Experts, sharded GP training, hyperparameter smoothing and sharded prediction. Every path
# lies under its run's root ({root}: results for this config, results/runs/{name} for a run) and every
# param is the run's.


rule experts:
    input:
        obs=plan.OBSERVATIONS,
        candidates=rules.grids.output.candidates,
    output:
        plan.EXPERTS,
    log:
        plan.log("experts", plan.TARGET_JOB),
    benchmark:
        plan.benchmark("experts", plan.TARGET_JOB)
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        min_obs=setting("experts", "min_obs"),
        crs=config["crs"],
        num_days_before_after=setting("num_days_before_after"),
        radius=setting("training", "training_radius"),
        shards=setting("training", "shards"),
    message:
        "experts: the experts of {wildcards.root}/{wildcards.target}"
    script:
        "../scripts/experts.py"


rule train:
    input:
        obs=plan.OBSERVATIONS,
        experts=plan.EXPERTS,
        warm=warm_start_for,
    output:
        plan.TRAIN,
    log:
        plan.log("train", plan.SHARD_JOB),
    benchmark:
        plan.benchmark("train", plan.SHARD_JOB)
    conda:
        CONDA_ENV
    threads: config["training"]["threads"]
    resources:
        mem_mb=lambda wc, attempt: config["training"]["mem_mb"] * attempt,
        runtime=120,
        gpu=1 if config["training"]["device"] == "gpu" else 0,
    params:
        training=lambda wc: rerun.model(cfg(wc)),
        num_days_before_after=setting("num_days_before_after"),
        min_obs=setting("experts", "min_obs"),
    message:
        "train: shard {wildcards.shard} of {wildcards.root}/{wildcards.target}"
    script:
        "../scripts/train.py"


rule interpolate_hyperparameters:
    # stride mode: a target between two anchors predicts with their hyperparameters interpolated in time
    input:
        experts=plan.EXPERTS,
        anchor_files=anchors_for,
    output:
        plan.INTERPOLATED,
    log:
        plan.log("interpolate_hyperparameters", plan.TARGET_JOB),
    benchmark:
        plan.benchmark("interpolate_hyperparameters", plan.TARGET_JOB)
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        anchors=lambda wc: plan.hyperparameter_days(cfg(wc), wc.target),
        smoothing=setting("smoothing"),
        training=lambda wc: rerun.model(cfg(wc)),
        crs=config["crs"],
    message:
        "interpolate_hyperparameters: hyperparameters of {wildcards.root}/{wildcards.target} interpolated between its anchors"
    script:
        "../scripts/interpolate_hyperparameters.py"


rule smooth:
    input:
        shard_files("train"),
    output:
        plan.HYPERPARAMETERS,
    log:
        plan.log("smooth", plan.TARGET_JOB),
    benchmark:
        plan.benchmark("smooth", plan.TARGET_JOB)
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        smoothing=setting("smoothing"),
        training=lambda wc: rerun.model(cfg(wc)),
        crs=config["crs"],
    message:
        "smooth: the hyperparameters of {wildcards.root}/{wildcards.target}"
    script:
        "../scripts/smooth.py"


rule predict:
    input:
        obs=plan.OBSERVATIONS,
        experts=plan.EXPERTS,
        hyperparameters=hyperparameters_for,
        locations=rules.grids.output.prediction,
    output:
        plan.PREDICT,
    log:
        plan.log("predict", plan.SHARD_JOB),
    benchmark:
        plan.benchmark("predict", plan.SHARD_JOB)
    conda:
        CONDA_ENV
    threads: config["training"]["threads"]
    resources:
        mem_mb=lambda wc, attempt: config["training"]["mem_mb"] * attempt,
        runtime=60,
        gpu=1 if config["training"]["device"] == "gpu" else 0,
    params:
        training=lambda wc: rerun.model(cfg(wc)),
        radius=setting("prediction", "radius"),
        shards=lambda wc: len(plan.shards(cfg(wc), "predict")),
        crs=config["crs"],
        num_days_before_after=setting("num_days_before_after"),
    message:
        "predict: shard {wildcards.shard} of {wildcards.root}/{wildcards.target}"
    script:
        "../scripts/predict.py"
