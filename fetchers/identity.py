"""Stable entry identity: guid/id, else the canonical link, else a hash of title and date."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = ("utm_", "fbclid", "gclid", "mc_", "ocid", "at_", "cmpid", "ref", "xtor", "_ga", "igshid")


def canonical_url(url: str) -> str:
    """Lower-case host, no fragment, no tracking parameters, no default port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)]
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))


def entry_identity(guid: str | None, link: str | None, title: str, published: str | None) -> str:
    if guid and guid.strip():
        return guid.strip()
    if link and link.strip():
        return canonical_url(link)
    digest = hashlib.sha256(f"{title.strip()}|{published or ''}".encode()).hexdigest()[:24]
    return f"hash:{digest}"
