# The daily product, its validation and its plots.


rule product:
    input:
        preds=expand("results/{{target}}/predict/{shard}.parquet", shard=SHARDS),
        obs="results/{target}/observations.parquet",
        locations=rules.grids.output.prediction,
        land=rules.grids.output.land,
    output:
        "results/{target}/product.nc",
    log:
        "logs/product/{target}.log",
    benchmark:
        "benchmarks/product/{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        prediction=config["prediction"],
        variable=config["variable"],
        crs=config["crs"],
        provenance=PROVENANCE,
    script:
        "../scripts/product.py"


rule validate:
    input:
        product="results/{target}/product.nc",
        obs="results/{target}/observations.parquet",
        experts="results/{target}/experts.parquet",
        hyperparameters=hyperparameters_for,
        truth=truth_for,
    output:
        "results/{target}/validation.json",
    log:
        "logs/validate/{target}.log",
    benchmark:
        "benchmarks/validate/{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        training=MODEL,
        validation=config["validation"],
        variable=config["variable"],
        crs=config["crs"],
        num_days=config["num_days_before_after"],
        along_track=ALONG_TRACK,
    script:
        "../scripts/validate.py"


rule plots:
    input:
        product="results/{target}/product.nc",
        experts="results/{target}/experts.parquet",
        hyperparameters=hyperparameters_for,
        truth=truth_for,
    output:
        **(
            {"difference": report("results/{target}/plots/difference.png", category="Product", subcategory="{target}")}
            if HAS_TRUTH
            else {}
        ),
        product=report("results/{target}/plots/product.png", category="Product", subcategory="{target}"),
        std=report("results/{target}/plots/std.png", category="Product", subcategory="{target}"),
        input=report("results/{target}/plots/input.png", category="Product", subcategory="{target}"),
        experts=report("results/{target}/plots/experts.png", category="Experts", subcategory="{target}"),
        hyperparameters=report("results/{target}/plots/hyperparameters.png", category="Experts", subcategory="{target}"),
    log:
        "logs/plots/{target}.log",
    benchmark:
        "benchmarks/plots/{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        variable=config["variable"],
    script:
        "../scripts/plots.py"
