"""URLs as they may be written down: in logs, errors, manifests and a product's provenance."""

from __future__ import annotations

import re
import urllib.parse

#: Query parameters whose values are credentials: redacted wherever a URL is written down.
SECRET_QUERY = re.compile(r"token|key|pass|secret|sig|auth|session|cred|code", re.IGNORECASE)


def redact(url: str) -> str:
    """`url` without credentials: a user:password and the values of token-like query parameters
    become ***."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "&".join(
        f"{k}=***" if SECRET_QUERY.search(k) else (f"{k}={v}" if v else k)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
