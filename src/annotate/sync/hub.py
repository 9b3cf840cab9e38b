"""The reader's class on a JupyterHub: found from the server's environment, no join code.

Inside a user's server the Hub sets ``JUPYTERHUB_API_TOKEN`` (that user's own token)
and the public URLs; the annotate service lives under ``/services/NAME/`` there.
The service's ``/me`` answers which of its classes the user is in. The token is
only ever sent to that service, and never written to disk.

>>> env = {"JUPYTERHUB_API_TOKEN": "t", "JUPYTERHUB_API_URL": "http://hub:8081/hub/api",
...        "JUPYTERHUB_BASE_URL": "/", "JUPYTERHUB_PUBLIC_HUB_URL": "https://hub.example/hub/"}
>>> service_url(env)
'https://hub.example/services/annotate'
>>> service_url({**env, "ANNOTATE_HUB_SERVICE_URL": "http://annotate:8765/"})
'http://annotate:8765'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .membership import Membership, MembershipError

if TYPE_CHECKING:  # httpx loads only on a Hub: a widget outside any class never needs it
    import httpx

__all__ = ["hub_membership", "service_url"]

TIMEOUT = (5.0, 3.0)  # seconds: a request, and connecting


def service_url(env: Mapping[str, str]) -> str | None:
    """The annotate service's URL through the Hub's proxy, or None if it cannot be told.

    ``ANNOTATE_HUB_SERVICE_URL`` wins; else the Hub's public URL (set
    ``c.JupyterHub.public_url``), its base URL and the service's name
    (``ANNOTATE_HUB_SERVICE``, default ``annotate``).
    """
    explicit = env.get("ANNOTATE_HUB_SERVICE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    name = env.get("ANNOTATE_HUB_SERVICE", "annotate")
    base = "/" + env.get("JUPYTERHUB_BASE_URL", "/").strip("/")
    for key in ("JUPYTERHUB_PUBLIC_HUB_URL", "JUPYTERHUB_PUBLIC_URL"):
        parts = urlsplit(env.get(key, ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}{base.rstrip('/')}/services/{name}"
    return None


def joined() -> Membership | None:
    """The reader's class: the one joined with ``annotate join``, else, on a JupyterHub
    with the annotate service, the Hub's (the Hub already signed the reader in)."""
    return Membership.load() or hub_membership()


def hub_membership(
    env: Mapping[str, str] | None = None, transport: httpx.BaseTransport | None = None
) -> Membership | None:
    """The reader's class from the Hub (None when this is not a Hub server with the service).

    A reader in several classes chooses one with ``ANNOTATE_CLASS`` (the Hub group).
    """
    env = os.environ if env is None else env
    token = env.get("JUPYTERHUB_API_TOKEN", "")
    if not token or not env.get("JUPYTERHUB_API_URL"):
        return None
    server = service_url(env)
    if server is None:
        raise MembershipError(
            "on JupyterHub, but the annotate service's address is unknown: "
            "set c.JupyterHub.public_url, or ANNOTATE_HUB_SERVICE_URL in c.Spawner.environment"
        )
    import httpx

    timeout = httpx.Timeout(TIMEOUT[0], connect=TIMEOUT[1])
    try:
        with httpx.Client(timeout=timeout, transport=transport) as http:
            r = http.get(f"{server}/me", headers={"Authorization": f"Bearer {token}"})
    except httpx.TransportError as err:
        raise MembershipError(f"the class service at {server} did not answer ({err})") from err
    if r.status_code == 404:
        return None  # no annotate service on this Hub
    if r.status_code != 200:
        try:
            reason = str(r.json().get("title", r.reason_phrase))
        except ValueError:
            reason = r.reason_phrase
        raise MembershipError(f"the class service at {server} said {r.status_code} {reason}")
    data = r.json()
    mine = data.get("classes") or []
    wanted = env.get("ANNOTATE_CLASS", "")
    if wanted:
        mine = [c for c in mine if wanted in (c.get("group"), c.get("class_id"))]
    if not mine:
        raise MembershipError(
            f"{data.get('name', 'you')} is in no class on this Hub"
            + (f" named {wanted}" if wanted else "")
        )
    if len(mine) > 1:
        names = ", ".join(str(c.get("group")) for c in mine)
        raise MembershipError(f"you are in several classes ({names}): set ANNOTATE_CLASS")
    chosen = mine[0]
    return Membership(
        server,
        str(chosen["class_id"]),
        str(chosen["container"]),
        token,
        str(data["name"]),
        hub=True,
    )
