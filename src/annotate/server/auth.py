"""Who is asking: classes, bearer tokens, roles, join codes and the join rate limit.

Tokens and join codes are shown once and stored only as SHA-256 hashes: they are
random (256 and 40 bits), so a plain hash is enough and a lookup stays one index read.

>>> normalise_code(" abcd-efgh ")
'ABCDEFGH'
"""

from __future__ import annotations

import hashlib
import secrets
import time
import unicodedata
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import now
from .db import Database, classes, join_failures, members
from .protocol import Problem

__all__ = ["JOIN_ATTEMPTS", "JOIN_WINDOW", "NewClass", "Viewer", "create_class", "join", "viewer"]

REVEALS = ("always", "after-own")
# Wrong join codes one client address may try per window, in seconds.
JOIN_ATTEMPTS = 10
JOIN_WINDOW = 600
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in class


@dataclass(frozen=True)
class Viewer:
    """The member a token belongs to, and their class's reveal setting."""

    member_id: int
    class_id: str
    name: str
    role: str
    reveal: str

    @property
    def teacher(self) -> bool:
        return self.role == "teacher"


@dataclass(frozen=True)
class NewClass:
    """What ``annotate class create`` prints: the secrets exist only here."""

    class_id: str
    teacher_token: str
    join_code: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    """A join code as stored: upper case, without the dash or spaces people type."""
    return "".join(c for c in code.upper() if c not in "- ")


def _new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise Problem(400, "Name missing", "give a name (text) to join with")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise Problem(400, "Bad name", "a name has 1 to 100 characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise Problem(400, "Bad name", "a name has no control characters")
    return name


def _add_member(conn: Connection, class_id: str, name: str, role: str) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(
        members.insert().values(
            class_id=class_id, name=name, role=role, token_hash=_hash(token), created=now()
        )
    )
    return token


def create_class(
    db: Database, name: str, reveal: str = "always", teacher: str = "Teacher"
) -> NewClass:
    """Create a class with its teacher; returns the teacher's token and the join code."""
    if reveal not in REVEALS:
        raise ValueError(f"reveal must be one of {', '.join(REVEALS)}")
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise ValueError("a class name has 1 to 200 characters")
    class_id = uuid.uuid4().hex[:12]
    code = _new_code()
    with db.write() as conn:
        conn.execute(
            classes.insert().values(
                id=class_id,
                name=name,
                reveal=reveal,
                join_code_hash=_hash(normalise_code(code)),
                created=now(),
            )
        )
        token = _add_member(conn, class_id, teacher, "teacher")
    return NewClass(class_id, token, code)


def join(db: Database, code: object, name: object, address: str) -> tuple[str, str]:
    """A new student's ``(token, class_id)``; ``Problem`` 400, 404 or 429 otherwise."""
    if not isinstance(code, str) or not code.strip():
        raise Problem(400, "Join code missing", "give the code your teacher shows")
    student = _check_name(name)
    moment = time.time()
    with db.write() as conn:
        since = moment - JOIN_WINDOW
        tries = conn.execute(
            sa.select(sa.func.count(), sa.func.min(join_failures.c.at)).where(
                join_failures.c.address == address, join_failures.c.at > since
            )
        ).one()
        if tries[0] >= JOIN_ATTEMPTS:
            wait = max(1, int(tries[1] + JOIN_WINDOW - moment) + 1)
            raise Problem(
                429, "Too many wrong join codes", "wait and try again", {"Retry-After": str(wait)}
            )
        class_id = conn.execute(
            sa.select(classes.c.id).where(
                classes.c.join_code_hash == _hash(normalise_code(code[:64]))
            )
        ).scalar()
        if class_id is None:
            conn.execute(
                join_failures.delete().where(
                    join_failures.c.address == address, join_failures.c.at <= since
                )
            )
            conn.execute(join_failures.insert().values(address=address[:64], at=moment))
        else:
            return _add_member(conn, class_id, student, "student"), class_id
    raise Problem(404, "No class has this join code", "check the code with your teacher")


def viewer(conn: Connection, token: str) -> Viewer | None:
    """The member whose token this is, or None."""
    row = conn.execute(
        sa.select(
            members.c.id, members.c.class_id, members.c.name, members.c.role, classes.c.reveal
        )
        .join(classes, classes.c.id == members.c.class_id)
        .where(members.c.token_hash == _hash(token))
    ).first()
    if row is None:
        return None
    return Viewer(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]))
