# The grids every target of a run shares: candidate expert locations, prediction locations, the
# product grid's land mask and the maps' background, made once per run root ({root}).


rule grids:
    input:
        expert_locations=lambda wc: plan.locations_file(cfg(wc), "experts"),
        prediction_locations=lambda wc: plan.locations_file(cfg(wc), "prediction"),
    output:
        candidates=plan.fill(plan.GRID, name="expert_candidates.parquet"),
        prediction=plan.fill(plan.GRID, name="prediction_locations.parquet"),
        land=plan.fill(plan.GRID, name="land_mask.nc"),
        background=plan.fill(plan.GRID, name="map_background.nc"),
    log:
        plan.log("grids", plan.GRID_JOB),
    benchmark:
        plan.benchmark("grids", plan.GRID_JOB)
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        # the grids' keys only: a prediction radius or min_obs re-runs no grid (and nothing after it)
        experts=settings("experts", "extent", "expert_spacing", "min_lat"),
        expert_time_stamps=lambda wc: plan.expert_time_stamps(cfg(wc)),
        prediction=settings("prediction", "extent", "grid_spacing", "min_lat", "locations_file"),
        crs=config["crs"],
    message:
        "grids: the expert and prediction grids: {wildcards.root}/grid/"
    script:
        "../scripts/grids.py"
