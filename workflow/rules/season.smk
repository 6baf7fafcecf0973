# A target range as one season: the daily products stacked in time, monthly means, season plots.
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
            months=[
                report(
                    f"results/season/{SEASON}/mean_{m}.png", caption="../report/season_month.rst", category="Season"
                )
                for m in SEASON_MONTHS
            ],
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
            "season: the season file, monthly maps and series: {output.nc}"
        script:
            "../scripts/season.py"
