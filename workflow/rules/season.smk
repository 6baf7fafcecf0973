# A target range as one season: the daily products stacked in time and the season's series; the
# monthly file (one time step per month), its regional table and the monthly maps.
# Defined only with two or more targets (SEASON is None otherwise).


if SEASON:

    rule season:
        input:
            expand("results/{target}/product.nc", target=TARGETS),
        output:
            nc=f"results/season/{SEASON}.nc",
            series=report(
                f"results/season/{SEASON}/timeseries.png", caption="../report/season_series.rst", category="Season"
            ),
        log:
            "logs/season.log",
        benchmark:
            "benchmarks/season/all.tsv"
        conda:
            CONDA_ENV
        threads: 1
        resources:
            mem_mb=4000,
            runtime=20,
        params:
            variable=config["variable"],
        message:
            "season: the season file and its series: {output.nc}"
        script:
            "../scripts/season.py"

    rule monthly:
        input:
            season=f"results/season/{SEASON}.nc",
            concentration=list(CONCENTRATION.values()),
            regions=[config["monthly"]["regions"]] if config["monthly"]["regions"] else [],
            background="results/grid/map_background.nc",
        output:
            nc=f"results/season/{SEASON}/monthly.nc",
            table=report(
                f"results/season/{SEASON}/regions.csv", caption="../report/monthly_regions_csv.rst", category="Season"
            ),
            png=report(
                f"results/season/{SEASON}/regions.png", caption="../report/monthly_regions_png.rst", category="Season"
            ),
            months=[
                report(
                    f"results/season/{SEASON}/mean_{m}.png", caption="../report/season_month.rst", category="Season"
                )
                for m in SEASON_MONTHS
            ],
        log:
            "logs/monthly.log",
        benchmark:
            "benchmarks/monthly/all.tsv"
        conda:
            CONDA_ENV
        threads: 1
        resources:
            mem_mb=4000,
            runtime=20,
        params:
            variable=config["variable"],
            crs=config["crs"],
            days=list(CONCENTRATION),
            exclude=config["monthly"]["exclude_regions"],
            vmax=config["plots"]["vmax"][config["variable"]],
        message:
            "monthly: the monthly file, its regional table and maps: {output.nc}"
        script:
            "../scripts/monthly.py"
