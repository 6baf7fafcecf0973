"""The time window of one target day: GPSat's `num_days_before_after` as one object.

Plan asks it which data days to load, the experts and the GP which observations are local in time, and
the product which time span it covers; one definition keeps the three in step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icegp.util import timestamps


@dataclass(frozen=True)
class TimeWindow:
    """The data days target - N .. target + N (N = `num_days_before_after`, both edges inclusive)."""

    target: str
    num_days_before_after: int

    @classmethod
    def of(cls, config: dict, target: str, source: dict | None = None) -> TimeWindow:
        """The window a resolved config gives `target`; for a source with `use_prediction_day_only`, the
        target day alone."""
        one_day = source is not None and source["use_prediction_day_only"]
        return cls(target, 0 if one_day else config["num_days_before_after"])

    @property
    def days(self) -> list[str]:
        """The window's data days, ISO, in order."""
        centre, n = timestamps.parse_day(self.target), self.num_days_before_after
        return [(centre + dt.timedelta(days=k)).isoformat() for k in range(-n, n + 1)]

    @property
    def half_width(self) -> float:
        """|t - t_expert| <= N + 0.5 around an expert at the centre of the target day covers exactly the
        data days (both edges inclusive); for whole-day stamps (at the centres of their days) it is
        GPSat's |day - expert day| <= N."""
        return self.num_days_before_after + 0.5

    @property
    def bounds(self) -> tuple[float, float]:
        """The time covered, as days since 1970: the first data day's start to the last one's end."""
        t = timestamps.day_to_t(self.target)
        return t - self.num_days_before_after, t + self.num_days_before_after + 1.0
