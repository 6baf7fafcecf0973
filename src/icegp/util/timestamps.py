"""Time conventions: float days since 1970-01-01 (keeping the time of day) and GPS seconds.

Inside the workflow every `t` is an exact UTC time. A time stamp that stands for a whole day (a daily
map, a table whose `t` is the day number, a date column) becomes the centre of its day, so that it
combines with exact times and an expert at the centre of the target day sees it at whole-day offsets:
the same relative times as GPSat's day-number convention.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

EPOCH = pd.Timestamp("1970-01-01")
GPS_EPOCH = pd.Timestamp("1980-01-06")
#: GPS minus UTC in seconds, from the date each leap second took effect (IERS Bulletin C).
GPS_LEAP_SECONDS = [
    (pd.Timestamp("2009-01-01"), 15),
    (pd.Timestamp("2012-07-01"), 16),
    (pd.Timestamp("2015-07-01"), 17),
    (pd.Timestamp("2017-01-01"), 18),
]


def parse_day(day: str) -> dt.date:
    """A day given as YYYY-MM-DD (the workflow's wildcard form)."""
    try:
        return dt.date.fromisoformat(str(day))
    except ValueError as err:
        raise ValueError(f"day {day!r} is not an ISO date YYYY-MM-DD") from err


def day_to_t(day) -> float:
    """Float days since 1970-01-01 at 00:00 of `day`."""
    return float((pd.Timestamp(parse_day(day)) - EPOCH) / pd.Timedelta(days=1))


def datetime_to_t(values) -> np.ndarray:
    """datetime64 values to float days since 1970-01-01, keeping the time of day."""
    ts = pd.to_datetime(np.asarray(values))
    return np.asarray((ts - EPOCH) / pd.Timedelta(days=1), dtype=float)


#: What a source's time stamps mean: instants, or the whole day they fall on.
TIME_STAMPS = ("exact", "day")


def stamp_times(t, time_stamps: str) -> np.ndarray:
    """Exact times from stamps of the given kind: whole-day stamps go to the centre of their day."""
    t = np.asarray(t, float)
    if time_stamps == "exact":
        return t
    if time_stamps == "day":
        return np.floor(t) + 0.5
    raise ValueError(f"time_stamps {time_stamps!r} is not one of {TIME_STAMPS}")


def day_centre(day) -> float:
    """The exact time at the centre of `day`, where experts of that target sit."""
    return day_to_t(day) + 0.5


#: CF time units pandas can count in, as "<unit> since <reference time>".
CF_UNITS = {
    "seconds": "s",
    "second": "s",
    "s": "s",
    "minutes": "m",
    "minute": "m",
    "hours": "h",
    "hour": "h",
    "h": "h",
    "days": "D",
    "day": "D",
    "d": "D",
}


def text_to_t(values) -> np.ndarray:
    """ISO 8601 date-times (with `Z` or a UTC offset, or none for UTC) to float days since 1970.

    Stamps with and without an offset are parsed apart: pandas 2.3 gives a naive stamp that follows
    one with an offset that offset.
    """
    text = pd.Series(np.asarray(values, dtype=object)).astype(str).str.strip()
    zoned = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).to_numpy()
    t = np.empty(len(text))
    for part in (zoned, ~zoned):
        if part.any():
            ts = pd.to_datetime(text[part], utc=True, format="ISO8601")
            t[part] = (ts - EPOCH.tz_localize("UTC")) / pd.Timedelta(days=1)
    return t


def numbers_to_t(values, units: str) -> np.ndarray:
    """Numeric times in CF units ("seconds since 1970-01-01", "days since 2019-01-01T00:00Z") to float
    days since 1970."""
    unit, sep, ref = str(units).strip().partition(" since ")
    if not sep or unit.strip().lower() not in CF_UNITS:
        raise ValueError(f"time units {units!r} are not '<seconds|minutes|hours|days> since <date>'")
    origin = pd.Timestamp(ref.strip())
    origin = origin.tz_convert(None) if origin.tzinfo else origin
    offset = pd.to_timedelta(np.asarray(values, float), unit=CF_UNITS[unit.strip().lower()])
    return np.asarray((origin + offset - EPOCH) / pd.Timedelta(days=1), dtype=float)


def t_to_datetime(t) -> pd.DatetimeIndex:
    return EPOCH + pd.to_timedelta(np.asarray(t, float), unit="D")


def gps_leap_offset(when) -> np.ndarray:
    """GPS-UTC offset in seconds at each of `when` (datetime-like, scalar or array)."""
    ts = pd.DatetimeIndex(np.atleast_1d(pd.to_datetime(when)))
    offset = np.zeros(len(ts))
    for start, secs in GPS_LEAP_SECONDS:
        offset[ts >= start] = secs
    return offset


def gps_seconds_to_t(gps_seconds) -> np.ndarray:
    """GPS seconds since 1980-01-06 to UTC float days since 1970, removing the leap seconds."""
    naive = GPS_EPOCH + pd.to_timedelta(np.asarray(gps_seconds, float), unit="s")
    return datetime_to_t(naive - pd.to_timedelta(gps_leap_offset(naive), unit="s"))


def t_to_gps_seconds(t) -> np.ndarray:
    """Inverse of :func:`gps_seconds_to_t` (used by the demo generator)."""
    utc = t_to_datetime(t)
    return np.asarray((utc - GPS_EPOCH) / pd.Timedelta(seconds=1), float) + gps_leap_offset(utc)
