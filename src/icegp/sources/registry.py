"""The registry of source types: for each, whether it is a daily gridded map and what its time
stamps mean. Readers live beside it; defaults live in the config schema (per type)."""

from __future__ import annotations

#: Sources whose time stamps have one meaning whatever the config says.
FIXED_TIME_STAMPS = {"is2sitdat4": "exact", "bremen_smos_smap": "day", "nsidc_cdr_sic": "day"}


#: Daily gridded maps: fetched by URL, read by loading.load_gridded, dropped near along-track data (is2_pref).
GRIDDED = ("bremen_smos_smap", "nsidc_cdr_sic")


def source_time_stamps(src: dict) -> str:
    """What a source's time stamps mean: 'exact' instants or whole 'day's (see icegp.util.timestamps)."""
    fixed, given = FIXED_TIME_STAMPS.get(src["type"]), src["time_stamps"]
    if fixed and given != fixed:
        raise ValueError(
            f"config key sources.{src['name']}.time_stamps: a {src['type']} source's time "
            f"stamps are always {fixed!r}, not {given!r}"
        )
    return given
