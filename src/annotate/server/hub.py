"""``annotate serve --hub``: the class server as a JupyterHub service, signed in by the Hub.

The Hub already knows every student and teacher, so there are no join codes and no
second token: a request carries the user's own Hub token (``Authorization: Bearer``
or ``token``, as ``HubAuth`` reads it), the Hub says whose it is
(``HubAuth.user_for_token``) and, with the service's token, which groups and roles
they hold. A class is a Hub group named with ``--class``; its teachers are the
members of the ``--teachers`` group or role. The class's row and each member's row
are made in the database on first sight, so any worker (or host) answers any request.

>>> class_id_for("period3")
'hub-period3'
>>> class_id_for("Année 3/B").startswith("hub-")
True
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from ..model import now
from .auth import REVEALS, Viewer
from .db import Database, classes, members
from .hub_login import HubRequests, add_login
from .protocol import Problem
from .resources import Credentials, Resources, document

__all__ = ["HubConfig", "HubSetupError", "class_id_for", "hub_environment", "install"]

_SLUG = re.compile(r"[A-Za-z0-9_.-]{1,28}")
_NEEDED = ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL", "JUPYTERHUB_SERVICE_NAME")


class HubSetupError(RuntimeError):
    """``--hub`` without the environment the Hub gives the services it starts."""


def class_id_for(group: str) -> str:
    """The class id of Hub group ``group``: readable when the name allows, else hashed."""
    if _SLUG.fullmatch(group):
        return f"hub-{group}"
    return "hub-" + hashlib.sha256(group.encode("utf-8")).hexdigest()[:16]


def _member_key(class_id: str, name: str) -> str:
    # Stored where join tokens' SHA-256 hex digests go; the colon keeps any token's
    # digest from ever matching it, were this database served without --hub.
    digest = hashlib.sha256(f"{class_id}\0{name}".encode()).hexdigest()
    return f"hub:{digest[:60]}"


@dataclass(frozen=True)
class HubConfig:
    """What ``annotate serve --hub`` was told, and what the Hub's environment says."""

    service: str
    prefix: str
    api_url: str
    api_token: str
    groups: tuple[str, ...]
    teachers: str
    reveal: str = "always"
    cache_seconds: int = 10

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> HubConfig:
        """The configuration ``annotate serve --hub`` left in the environment for its workers.

        >>> HubConfig.from_environment({"ANNOTATE_HUB_CLASSES": "p3"})
        Traceback (most recent call last):
        ...
        annotate.server.hub.HubSetupError: not started by JupyterHub: JUPYTERHUB_API_TOKEN, \
JUPYTERHUB_API_URL, JUPYTERHUB_SERVICE_NAME are not set (add annotate to c.JupyterHub.services)
        """
        env = os.environ if env is None else env
        missing = [k for k in _NEEDED if not env.get(k)]
        if missing:
            raise HubSetupError(
                f"not started by JupyterHub: {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set "
                "(add annotate to c.JupyterHub.services)"
            )
        groups = tuple(g for g in env.get("ANNOTATE_HUB_CLASSES", "").split(",") if g)
        if not groups:
            raise HubSetupError("no class: name the Hub group of each class with --class GROUP")
        reveal = env.get("ANNOTATE_HUB_REVEAL", "always")
        if reveal not in REVEALS:
            raise HubSetupError(f"--reveal must be one of {', '.join(REVEALS)}")
        service = env["JUPYTERHUB_SERVICE_NAME"]
        return cls(
            service=service,
            prefix=env.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{service}/"),
            api_url=env["JUPYTERHUB_API_URL"].rstrip("/"),
            api_token=env["JUPYTERHUB_API_TOKEN"],
            groups=groups,
            teachers=env.get("ANNOTATE_HUB_TEACHERS", "teachers"),
            reveal=reveal,
            cache_seconds=int(env.get("ANNOTATE_HUB_CACHE", "10")),
        )

    def bind(self, env: Mapping[str, str] | None = None) -> tuple[str, int]:
        """Where the Hub expects the service: ``JUPYTERHUB_SERVICE_URL``'s host and port."""
        url = httpx.URL((os.environ if env is None else env).get("JUPYTERHUB_SERVICE_URL", ""))
        if not url.host or url.port is None:
            raise HubSetupError("JUPYTERHUB_SERVICE_URL is not set: give the service a url")
        return url.host, url.port


@dataclass(frozen=True)
class HubUser:
    name: str
    groups: frozenset[str]
    roles: frozenset[str]


class HubMembers:
    """Hub users as class members: who a token belongs to, and in which classes."""

    def __init__(self, db: Database, config: HubConfig) -> None:
        from jupyterhub.services.auth import HubOAuth

        self.db = db
        self.config = config
        self.classes = {class_id_for(g): g for g in config.groups}
        # HubOAuth checks tokens as HubAuth does, and signs browsers in (hub_login).
        self.auth = HubOAuth(
            api_token=config.api_token,
            api_url=config.api_url,
            cache_max_age=config.cache_seconds,
            access_scopes={f"access:services!service={config.service}"},
        )
        self._http = httpx.Client(
            timeout=httpx.Timeout(10.0, connect=3.0),
            headers={"Authorization": f"token {config.api_token}"},
        )
        self._lock = threading.Lock()
        self._groups: dict[str, tuple[float, HubUser]] = {}

    def user(self, credentials: HTTPAuthorizationCredentials | None) -> HubUser:
        """The Hub user whose token this is (with access to this service); 401/403 if not."""
        if credentials is None or not credentials.credentials:
            raise Problem(
                401,
                "Token missing",
                "send your JupyterHub token: Authorization: Bearer TOKEN",
                {"WWW-Authenticate": "Bearer"},
            )
        try:
            model = self.auth.user_for_token(credentials.credentials[:200])
        except Exception as err:  # tornado's HTTPError when the Hub cannot be asked
            raise Problem(
                503, "JupyterHub unavailable", str(err)[:200], {"Retry-After": "5"}
            ) from err
        if not model or model.get("kind", "user") != "user":
            raise Problem(
                401,
                "Unknown, expired or revoked token",
                "sign in to JupyterHub again",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if not self.auth.check_scopes(self.auth.access_scopes, model):
            raise Problem(
                403,
                "This token may not use the annotate service",
                f"it needs the scope access:services!service={self.config.service}",
            )
        return self._with_groups(str(model["name"]))

    def _with_groups(self, name: str) -> HubUser:
        # Asked with the service's own token: a user's server token cannot read groups.
        moment = time.monotonic()
        with self._lock:
            cached = self._groups.get(name)
        if cached and moment - cached[0] < self.config.cache_seconds:
            return cached[1]
        try:
            r = self._http.get(f"{self.config.api_url}/users/{quote(name, safe='')}")
        except httpx.TransportError as err:
            raise Problem(
                503, "JupyterHub unavailable", type(err).__name__, {"Retry-After": "5"}
            ) from err
        if r.status_code != 200:
            raise Problem(
                503,
                "JupyterHub did not say which groups you are in",
                f"the service needs the scopes read:users:groups and read:roles:users "
                f"({r.status_code})",
                {"Retry-After": "5"},
            )
        data = r.json()
        user = HubUser(
            name, frozenset(data.get("groups") or ()), frozenset(data.get("roles") or ())
        )
        with self._lock:
            self._groups[name] = (moment, user)
        return user

    def role(self, user: HubUser, group: str) -> str | None:
        """``teacher``, ``student``, or None for a user outside the class."""
        if self.config.teachers in user.groups or self.config.teachers in user.roles:
            return "teacher"
        return "student" if group in user.groups else None

    def viewer(self, credentials: HTTPAuthorizationCredentials | None, class_id: str) -> Viewer:
        """``Resources.viewer`` for Hub users: the member row, made on first sight."""
        user = self.user(credentials)
        group = self.classes.get(class_id)
        role = self.role(user, group) if group is not None else None
        if group is None or role is None:
            # The same answer as for a class that does not exist: nothing to learn.
            raise Problem(404, "No such container")
        key = _member_key(class_id, user.name)
        with self.db.read() as conn:
            found = _find(conn, key)
        if found is None or found.role != role:
            with self.db.write() as conn:
                self._ensure(conn, class_id, group, user.name, role, key)
                found = _find(conn, key)
        assert found is not None
        return found

    def _ensure(
        self, conn: Connection, class_id: str, group: str, name: str, role: str, key: str
    ) -> None:
        insert = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        conn.execute(
            insert(classes)
            .values(
                id=class_id,
                name=group[:200],
                reveal=self.config.reveal,
                join_code_hash=f"hub:{class_id}"[:64],  # no code joins a Hub class
                created=now(),
            )
            .on_conflict_do_nothing()
        )
        conn.execute(
            insert(members)
            .values(class_id=class_id, name=name[:200], role=role, token_hash=key, created=now())
            .on_conflict_do_nothing()
        )
        # A student made a teacher on the Hub (or back) is one here too.
        conn.execute(members.update().where(members.c.token_hash == key).values(role=role))


def _find(conn: Connection, key: str) -> Viewer | None:
    row = conn.execute(
        sa.select(
            members.c.id, members.c.class_id, members.c.name, members.c.role, classes.c.reveal
        )
        .join(classes, classes.c.id == members.c.class_id)
        .where(members.c.token_hash == key)
    ).first()
    if row is None:
        return None
    return Viewer(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]))


def install(app: FastAPI, routes: Resources, config: HubConfig) -> str:
    """Sign requests in through the Hub: ``routes.viewer``, browsers' sign-in, ``GET /me``.

    Returns the name of the browsers' session cookie.
    """
    hub = HubMembers(routes.db, config)
    routes.viewer = hub.viewer  # type: ignore[method-assign]  # one authenticator per app
    app.add_middleware(HubRequests, prefix=config.prefix, cookie=hub.auth.cookie_name)
    add_login(
        app,
        hub.auth,
        lambda token: hub.user(HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)),
        config.prefix,
    )

    @app.get("/me")
    async def me(request: Request, credentials: Credentials) -> Response:
        """The signed-in Hub user's classes here, with their containers (for the widgets)."""
        user = await run_in_threadpool(hub.user, credentials)
        mine = []
        for class_id, group in hub.classes.items():
            role = hub.role(user, group)
            if role is not None:
                container = routes.container_iri(request, class_id)
                mine.append(
                    {"class_id": class_id, "group": group, "role": role, "container": container}
                )
        doc = {"name": user.name, "classes": mine}
        return document(request, 200, doc, {"Cache-Control": "no-store"}, "application/json")

    return str(hub.auth.cookie_name)


def hub_environment(groups: list[str], teachers: str, reveal: str) -> tuple[str, int]:
    """Check the Hub's environment and leave ``--hub``'s options in it for the workers.

    Returns where to listen; ``HubSetupError`` (one line) when this is not a Hub service.
    """
    try:
        import jupyterhub.services.auth  # noqa: F401  (the service runs beside the Hub)
    except ImportError as err:
        raise HubSetupError("jupyterhub is not installed here (pip install jupyterhub)") from err
    os.environ["ANNOTATE_HUB"] = "1"
    os.environ["ANNOTATE_HUB_CLASSES"] = ",".join(g.strip() for g in groups if g.strip())
    os.environ["ANNOTATE_HUB_TEACHERS"] = teachers
    os.environ["ANNOTATE_HUB_REVEAL"] = reveal
    config = HubConfig.from_environment()
    return config.bind()
