"""Files named by day and known by content: a day's path or URL template filled, a file's digest."""

from __future__ import annotations

import hashlib


def expand_template(template: str, day: str) -> str:
    """Fill {YYYY}, {MM}, {DD}, {YYYYMMDD} and {day} in a URL or path template."""
    ymd = day.replace("-", "")
    return template.format(YYYY=ymd[:4], MM=ymd[4:6], DD=ymd[6:], YYYYMMDD=ymd, day=day)


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
