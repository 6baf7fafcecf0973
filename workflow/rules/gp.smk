# Grids, experts, sharded GP training, hyperparameter smoothing and sharded prediction.


rule grids:
    output:
        candidates="results/grid/expert_candidates.parquet",
        prediction="results/grid/prediction_locations.parquet",
        land="results/grid/land_mask.nc",
    log:
        "logs/grids.log",
    benchmark:
        "benchmarks/grids/all.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        experts=config["experts"],
        expert_time_stamps=plan.expert_time_stamps(config),
        prediction=config["prediction"],
        crs=config["crs"],
    script:
        "../scripts/grids.py"


rule experts:
    input:
        obs="results/{target}/observations.parquet",
        candidates=rules.grids.output.candidates,
    output:
        "results/{target}/experts.parquet",
    log:
        "logs/experts/{target}.log",
    benchmark:
        "benchmarks/experts/{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        experts=config["experts"],
        crs=config["crs"],
        num_days=config["num_days_before_after"],
        radius=config["training"]["training_radius"],
        shards=config["training"]["shards"],
    script:
        "../scripts/experts.py"


rule train:
    input:
        obs="results/{target}/observations.parquet",
        experts="results/{target}/experts.parquet",
    output:
        "results/{target}/train/{shard}.parquet",
    log:
        "logs/train/{target}/{shard}.log",
    benchmark:
        "benchmarks/train/{target}/{shard}.tsv"
    conda:
        CONDA_ENV
    threads: config["training"]["threads"]
    resources:
        mem_mb=lambda wc, attempt: config["training"]["mem_mb"] * attempt,
        runtime=120,
        gpu=1 if config["training"]["device"] == "gpu" else 0,
    params:
        training=MODEL,
        num_days=config["num_days_before_after"],
        min_obs=config["experts"]["min_obs"],
    script:
        "../scripts/train.py"


rule smooth:
    input:
        expand("results/{{target}}/train/{shard}.parquet", shard=SHARDS),
    output:
        "results/{target}/hyperparameters.parquet",
    log:
        "logs/smooth/{target}.log",
    benchmark:
        "benchmarks/smooth/{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        smoothing=config["smoothing"],
        training=MODEL,
        crs=config["crs"],
    script:
        "../scripts/smooth.py"


rule predict:
    input:
        obs="results/{target}/observations.parquet",
        experts="results/{target}/experts.parquet",
        hyperparameters=hyperparameters_for,
        locations=rules.grids.output.prediction,
    output:
        "results/{target}/predict/{shard}.parquet",
    log:
        "logs/predict/{target}/{shard}.log",
    benchmark:
        "benchmarks/predict/{target}/{shard}.tsv"
    conda:
        CONDA_ENV
    threads: config["training"]["threads"]
    resources:
        mem_mb=lambda wc, attempt: config["training"]["mem_mb"] * attempt,
        runtime=60,
        gpu=1 if config["training"]["device"] == "gpu" else 0,
    params:
        training=MODEL,
        prediction=config["prediction"],
        crs=config["crs"],
        num_days=config["num_days_before_after"],
    script:
        "../scripts/predict.py"
