# The daily product, its validation and its plots (per run, as in gp.smk).


rule product:
    input:
        preds=shard_files("predict"),
        obs="results/{run}{target}/observations.parquet",
        locations=rules.grids.output.prediction,
        land=rules.grids.output.land,
    output:
        "results/{run}{target}/product.nc",
    log:
        "logs/product/{run}{target}.log",
    benchmark:
        "benchmarks/product/{run}{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        prediction=setting("prediction"),
        variable=config["variable"],
        crs=config["crs"],
        provenance=lambda wc: rerun.provenance(cfg(wc)),
    message:
        "product: the product of {wildcards.run}{wildcards.target}"
    script:
        "../scripts/product.py"


rule validate:
    input:
        product="results/{run}{target}/product.nc",
        obs="results/{run}{target}/observations.parquet",
        experts="results/{run}{target}/experts.parquet",
        hyperparameters=hyperparameters_for,
        truth=truth_for,
        compare=compare_for,
    output:
        "results/{run}{target}/validation.json",
    log:
        "logs/validate/{run}{target}.log",
    benchmark:
        "benchmarks/validate/{run}{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        training=lambda wc: rerun.model(cfg(wc)),
        validation=setting("validation"),
        variable=config["variable"],
        crs=config["crs"],
        num_days=setting("num_days_before_after"),
        along_track=ALONG_TRACK,
    message:
        "validate: the product of {wildcards.run}{wildcards.target} against held-out tracks, the truth and other products"
    script:
        "../scripts/validate.py"


rule plots:
    input:
        product="results/{run}{target}/product.nc",
        hyperparameters=hyperparameters_for,
        truth=truth_for,
        background="results/{run}grid/map_background.nc",
        compare=compare_for,
    output:
        **{
            f"compare_{name}": report(
                f"results/{{run}}{{target}}/plots/compare_{name}.png",
                caption="../report/compare.rst",
                category="Product",
                subcategory="{target}",
            )
            for name in COMPARED
        },
        **(
            {
                "difference": report(
                    "results/{run}{target}/plots/difference.png",
                    caption="../report/difference.rst",
                    category="Product",
                    subcategory="{target}",
                )
            }
            if HAS_TRUTH
            else {}
        ),
        product=report(
            "results/{run}{target}/plots/product.png",
            caption="../report/product.rst",
            category="Product",
            subcategory="{target}",
        ),
        std=report(
            "results/{run}{target}/plots/std.png",
            caption="../report/std.rst",
            category="Product",
            subcategory="{target}",
        ),
        input=report(
            "results/{run}{target}/plots/input.png",
            caption="../report/input.rst",
            category="Product",
            subcategory="{target}",
        ),
        experts=report(
            "results/{run}{target}/plots/experts.png",
            caption="../report/experts.rst",
            category="Experts",
            subcategory="{target}",
        ),
        hyperparameters=report(
            "results/{run}{target}/plots/hyperparameters.png",
            caption="../report/hyperparameters.rst",
            category="Experts",
            subcategory="{target}",
        ),
    log:
        "logs/plots/{run}{target}.log",
    benchmark:
        "benchmarks/plots/{run}{target}.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        variable=config["variable"],
        vmax=config["plots"]["vmax"][config["variable"]],
        std_vmax=config["plots"]["std_vmax"][config["variable"]],
        compare=setting("validation", "compare"),
        crs=config["crs"],
    message:
        "plots: the maps of {wildcards.run}{wildcards.target}"
    script:
        "../scripts/plots.py"
