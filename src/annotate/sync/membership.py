"""The reader's class: server, class id, container and token, kept in ``home()/class.json``.

The file is private to the user (mode 0600), like every secret in ``annotate.config``.
The token is never printed (``repr`` leaves it out) and never part of an export.

>>> m = Membership("http://127.0.0.1:8765", "c1", "http://127.0.0.1:8765/classes/c1/annotations/",
...                "secret", "Ana")
>>> "secret" in repr(m)
False
>>> parse_link("http://127.0.0.1:8765/#join=ABCD-EFGH")
('http://127.0.0.1:8765', 'ABCD-EFGH')
>>> parse_link("ABCD-EFGH")
(None, 'ABCD-EFGH')
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..config import home

__all__ = ["FILE_NAME", "Membership", "MembershipError", "parse_link"]

FILE_NAME = "class.json"


class MembershipError(ValueError):
    """No class joined, or a class file or link that cannot be read; says which."""


@dataclass(frozen=True)
class Membership:
    """One class joined: where its server is and the reader's bearer token."""

    server: str
    class_id: str
    container: str
    token: str = field(repr=False)
    name: str = ""
    # Signed in by JupyterHub: ``name`` is the Hub's user name, one person's alone, so
    # notes under it made elsewhere (the book) are the reader's own here too.
    hub: bool = False

    @classmethod
    def load(cls, folder: Path | None = None) -> Membership | None:
        """The class joined with ``annotate join`` (``None`` when the reader joined none)."""
        path = (folder or home()) / FILE_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                **{k: str(data[k]) for k in ("server", "class_id", "container", "token")},
                name=str(data.get("name", "")),
                hub=data.get("hub") is True,
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as err:
            raise MembershipError(f"{path}: not a class file this kit wrote ({err})") from err

    def save(self, folder: Path | None = None) -> Path:
        """Write the class file, private to the user, whole or not at all."""
        folder = folder or home()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / FILE_NAME
        tmp = folder / f".{FILE_NAME}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(asdict(self), out)
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return path


def parse_link(link: str) -> tuple[str | None, str]:
    """``(server URL or None, join code)`` from a class link or a bare join code.

    The class link is the server's URL with the code in the fragment
    (``http://HOST:PORT/#join=CODE``), so the code never reaches a server log.
    """
    link = link.strip()
    if "://" not in link:
        if not link or any(c.isspace() for c in link):
            raise MembershipError(f"{link!r} is neither a class link nor a join code")
        return None, link
    parts = urlsplit(link)
    code = ""
    for item in parts.fragment.split("&"):
        key, _, value = item.partition("=")
        if key == "join":
            code = value
    if parts.scheme not in ("http", "https") or not parts.netloc or not code:
        raise MembershipError(f"{link!r} is not a class link (http://HOST:PORT/#join=CODE)")
    return f"{parts.scheme}://{parts.netloc}", code
