"""Signed download links: a short-lived capability to read one version (pure).

A link is ``<payload>.<signature>``: the payload names the tenant, document, version and
expiry; the signature is an HMAC-SHA256 with the service's secret, so a changed byte is
refused. A media player (``<video src>``) cannot send a bearer token; the link is the
credential instead, which is why it expires within minutes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from chassis.errors import Forbidden
from documents.domain.errors import Gone


@dataclass(frozen=True)
class LinkGrant:
    tenant_id: str
    document_id: str
    version: int
    expires_at: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(grant: LinkGrant, secret: bytes) -> str:
    payload = _b64(
        json.dumps(
            [grant.tenant_id, grant.document_id, grant.version, grant.expires_at],
            separators=(",", ":"),
        ).encode()
    )
    signature = _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def verify(token: str, secret: bytes, now: float) -> LinkGrant:
    """The grant of a link, or 403 (not ours, or changed) / 410 (expired)."""
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        raise Forbidden("this link is not valid (it was changed or not issued by us)")
    try:
        tenant_id, document_id, version, expires_at = json.loads(_unb64(payload))
    except (ValueError, binascii.Error, TypeError):
        raise Forbidden("this link is not valid") from None
    if now >= expires_at:
        raise Gone("this link has expired: ask for a new one")
    return LinkGrant(str(tenant_id), str(document_id), int(version), int(expires_at))
