"""How much of its tolerance each numeric assertion uses, per call site: the measurement behind the
numeric-variants lane (`.ci/numeric-variants.sh`, README "Tests on every CPU").

As a pytest plugin (`-p tolerance_probe`, with ICEGP_TOLERANCE_REPORT naming a JSON file) it wraps
`pytest.approx` and `numpy.testing.assert_allclose` and records, at every test-file line that calls
them, the largest `|actual - expected| / allowed` seen (1 is the edge of the tolerance). Run once per
numeric environment, the reports are merged by `python tests/tolerance_probe.py REPORT...`, which
fails when a site's tolerance lacks a 10x margin over what the environments moved it: the largest use
plus ten times the spread of the uses between environments must stay below 1.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

TESTS = Path(__file__).resolve().parent
MARGIN = 10  # the spread between environments a tolerance must absorb, ten times over
_uses: dict[str, float] = {}
# the one approx that compares a single number; taken from an instance, as its module moved in pytest 9.2
ApproxScalar = type(pytest.approx(0.0))


def _site() -> str:
    """The test file and line that made the comparison (the first frame in tests/ outside this file)."""
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path != Path(__file__) and TESTS in path.parents:
            return f"{path.relative_to(TESTS.parent)}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def _record(site: str, use: float) -> None:
    if np.isfinite(use) or use == np.inf:
        _uses[site] = max(_uses.get(site, 0.0), float(use))


def _ratio(diff, allowed) -> float:
    """max(diff / allowed) over finite pairs; a difference where nothing is allowed is infinite use."""
    diff, allowed = np.broadcast_arrays(np.asarray(diff, float), np.asarray(allowed, float))
    ok = np.isfinite(diff)
    if not ok.any():
        return 0.0
    d, a = diff[ok], allowed[ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(a > 0, d / a, np.where(d > 0, np.inf, 0.0))
    return float(r.max())


class _Probed:
    """A pytest.approx that records how close `actual` comes to its tolerance, then compares as it."""

    __array_ufunc__ = None  # numpy defers `array == approx(...)` to us, as to pytest's own
    __array_priority__ = 100

    def __init__(self, inner, site):
        self._inner, self._site = inner, site

    def __eq__(self, actual):
        inner = self._inner
        try:
            scalar = isinstance(inner, ApproxScalar)
            pairs = [(actual, inner.expected)] if scalar else list(inner._yield_comparisons(actual))
            uses = [
                _ratio(abs(float(a) - float(e)), (inner if scalar else inner._approx_scalar(e)).tolerance)
                for a, e in pairs
            ]
            _record(self._site, max(uses, default=0.0))
        except (TypeError, ValueError, AttributeError):
            pass  # not numbers (a dict of strings, say): nothing to measure
        return self._inner == actual

    def __ne__(self, actual):  # `!= approx(...)` asserts a difference: nothing of a tolerance to measure
        return not self._inner == actual

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self):
        return repr(self._inner)


def pytest_configure(config):
    if not os.environ.get("ICEGP_TOLERANCE_REPORT"):
        return
    approx, allclose = pytest.approx, np.testing.assert_allclose

    def probed_approx(*args, **kwargs):
        return _Probed(approx(*args, **kwargs), _site())

    def probed_allclose(actual, desired, rtol=1e-7, atol=0, equal_nan=True, *args, **kwargs):
        try:
            a, d = np.asarray(actual, float), np.asarray(desired, float)
            _record(_site(), _ratio(np.abs(a - d), atol + rtol * np.abs(d)))
        except (TypeError, ValueError):
            pass
        return allclose(actual, desired, rtol, atol, equal_nan, *args, **kwargs)

    pytest.approx, np.testing.assert_allclose = probed_approx, probed_allclose


def pytest_unconfigure(config):
    path = os.environ.get("ICEGP_TOLERANCE_REPORT")
    if path and _uses:
        Path(path).write_text(json.dumps(dict(sorted(_uses.items())), indent=0))


def verdict(reports: dict[str, dict[str, float]]) -> list[tuple[str, float, float, bool]]:
    """Per site measured in every environment: its largest use, the spread of its uses, and whether
    use + MARGIN x spread stays below 1."""
    sites = sorted(set.intersection(*(set(r) for r in reports.values())))
    rows = []
    for site in sites:
        uses = [r[site] for r in reports.values()]
        top, spread = max(uses), max(uses) - min(uses)
        rows.append((site, top, spread, top + MARGIN * spread < 1))
    return rows


def main(paths: list[str]) -> int:
    reports = {Path(p).stem: json.loads(Path(p).read_text()) for p in paths}
    rows = verdict(reports)
    print(f"{'site':60s} {'largest use':>12s} {'spread':>10s}  ({len(reports)} environments: {', '.join(reports)})")
    for site, top, spread, ok in sorted(rows, key=lambda r: -(r[1] + MARGIN * r[2])):
        print(f"{site:60s} {top:12.3g} {spread:10.3g}  {'' if ok else 'NO 10x MARGIN'}")
    short = [r for r in rows if not r[3]]
    print(f"{len(rows)} sites, {len(short)} without a {MARGIN}x margin over the spread between environments")
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
