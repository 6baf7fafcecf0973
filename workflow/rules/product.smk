# The daily product, its validation and its plots (per run, as in gp.smk).


rule product:
    input:
        preds=shard_files("predict"),
        obs=plan.OBSERVATIONS,
        locations=rules.grids.output.prediction,
        land=rules.grids.output.land,
    output:
        plan.PRODUCT,
    log:
        plan.log("product", plan.TARGET_JOB),
    benchmark:
        plan.benchmark("product", plan.TARGET_JOB)
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        prediction=setting("prediction"),
        variable=config["variable"],
        crs=config["crs"],
        provenance=lambda wc: rerun.provenance(cfg(wc)),
    message:
        "product: the product of {wildcards.root}/{wildcards.target}"
    script:
        "../scripts/product.py"


rule validate:
    input:
        unpack(compare_inputs),
        product=plan.PRODUCT,
        obs=plan.OBSERVATIONS,
        experts=plan.EXPERTS,
        hyperparameters=hyperparameters_for,
        truth=truth_for,
    output:
        plan.VALIDATION,
    log:
        plan.log("validate", plan.TARGET_JOB),
    benchmark:
        plan.benchmark("validate", plan.TARGET_JOB)
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        training=lambda wc: rerun.model(cfg(wc)),
        validation=setting("validation"),
        variable=config["variable"],
        crs=config["crs"],
        num_days_before_after=setting("num_days_before_after"),
        along_track=ALONG_TRACK,
    message:
        "validate: the product of {wildcards.root}/{wildcards.target} against held-out tracks, the truth and other products"
    script:
        "../scripts/validate.py"


rule plots:
    input:
        unpack(compare_inputs),
        product=plan.PRODUCT,
        hyperparameters=hyperparameters_for,
        truth=truth_for,
        background=plan.fill(plan.GRID, name="map_background.nc"),
    output:
        **{
            f"compare_{name}": report(
                plan.fill(plan.PLOT, name=f"compare_{name}"),
                caption="../report/compare.rst",
                category="Product",
                subcategory="{target}",
            )
            for name in COMPARED
        },
        **(
            {
                "difference": report(
                    plan.fill(plan.PLOT, name="difference"),
                    caption="../report/difference.rst",
                    category="Product",
                    subcategory="{target}",
                )
            }
            if HAS_TRUTH
            else {}
        ),
        product=report(
            plan.fill(plan.PLOT, name="product"),
            caption="../report/product.rst",
            category="Product",
            subcategory="{target}",
        ),
        std=report(
            plan.fill(plan.PLOT, name="std"),
            caption="../report/std.rst",
            category="Product",
            subcategory="{target}",
        ),
        input=report(
            plan.fill(plan.PLOT, name="input"),
            caption="../report/input.rst",
            category="Product",
            subcategory="{target}",
        ),
        experts=report(
            plan.fill(plan.PLOT, name="experts"),
            caption="../report/experts.rst",
            category="Experts",
            subcategory="{target}",
        ),
        hyperparameters=report(
            plan.fill(plan.PLOT, name="hyperparameters"),
            caption="../report/hyperparameters.rst",
            category="Experts",
            subcategory="{target}",
        ),
    log:
        plan.log("plots", plan.TARGET_JOB),
    benchmark:
        plan.benchmark("plots", plan.TARGET_JOB)
    conda:
        CONDA_ENV
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
        "plots: the maps of {wildcards.root}/{wildcards.target}"
    script:
        "../scripts/plots.py"
