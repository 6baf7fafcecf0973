# A target range as one season: the daily products stacked in time with each day's calibration, the
# season's series and calibration figure; the monthly file (one time step per month), its regional
# table and the monthly maps.
# Defined only with two or more targets (SEASON is None otherwise).


if SEASON:

    rule season:
        input:
            products=expand(plan.PRODUCT, root=plan.RESULTS, target=TARGETS),
            validations=expand(plan.VALIDATION, root=plan.RESULTS, target=TARGETS),
        output:
            nc=plan.fill(plan.SEASON, season=SEASON),
            series=report(
                plan.fill(plan.SEASON_FILE, season=SEASON, name="timeseries.png"),
                caption="../report/season_series.rst",
                category="Season",
            ),
            calibration=report(
                plan.fill(plan.SEASON_FILE, season=SEASON, name="calibration.png"),
                caption="../report/season_calibration.rst",
                category="Season",
            ),
            calibration_table=plan.fill(plan.SEASON_FILE, season=SEASON, name="calibration.csv"),
        log:
            plan.log("season"),
        benchmark:
            plan.benchmark("season")
        conda:
            CONDA_ENV
        resources:
            mem_mb=4000,
            runtime=20,
        params:
            variable=config["variable"],
        message:
            "season: the season file, its series and calibration: {output.nc}"
        script:
            "../scripts/season.py"

    rule monthly:
        input:
            **{f"concentration_{day}": path for day, path in CONCENTRATION.items()},
            season=plan.fill(plan.SEASON, season=SEASON),
            regions=[config["monthly"]["regions"]] if config["monthly"]["regions"] else [],
            background=plan.fill(plan.GRID, root=plan.RESULTS, name="map_background.nc"),
        output:
            **{
                f"mean_{m}": report(
                    plan.fill(plan.SEASON_FILE, season=SEASON, name=f"mean_{m}.png"),
                    caption="../report/season_month.rst",
                    category="Season",
                )
                for m in SEASON_MONTHS
            },
            nc=plan.fill(plan.SEASON_FILE, season=SEASON, name="monthly.nc"),
            table=report(
                plan.fill(plan.SEASON_FILE, season=SEASON, name="regions.csv"),
                caption="../report/monthly_regions_csv.rst",
                category="Season",
            ),
            png=report(
                plan.fill(plan.SEASON_FILE, season=SEASON, name="regions.png"),
                caption="../report/monthly_regions_png.rst",
                category="Season",
            ),
        log:
            plan.log("monthly"),
        benchmark:
            plan.benchmark("monthly")
        conda:
            CONDA_ENV
        resources:
            mem_mb=4000,
            runtime=20,
        params:
            variable=config["variable"],
            crs=config["crs"],
            days=list(CONCENTRATION),
            months=SEASON_MONTHS,
            exclude=config["monthly"]["exclude_regions"],
            vmax=config["plots"]["vmax"][config["variable"]],
            window_days=2 * config["num_days_before_after"] + 1,
            correlation_m=config["monthly"]["error_correlation_m"] or config["training"]["training_radius"],
        message:
            "monthly: the monthly file, its regional table and maps: {output.nc}"
        script:
            "../scripts/monthly.py"
