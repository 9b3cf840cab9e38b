"""The reader's (or teacher's) own settings folder: ``~/.annotate``.

``ANNOTATE_HOME`` names another folder. Files written here that hold secrets
(the pseudonym key, a class token) are private to the user (mode 0600) and are
never part of an export or a report.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> key = secret("pseudonym.key", folder)
>>> key == secret("pseudonym.key", folder), len(key)
(True, 32)
>>> oct(folder.joinpath("pseudonym.key").stat().st_mode & 0o777)
'0o600'
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["home", "secret"]


def home() -> Path:
    """``ANNOTATE_HOME`` if set, else ``~/.annotate``."""
    configured = os.environ.get("ANNOTATE_HOME")
    return Path(configured) if configured else Path.home() / ".annotate"


def secret(name: str, folder: Path | None = None) -> bytes:
    """The 32-byte secret kept in ``folder/name`` (default ``home()``), made (0600) on first use."""
    path = (home() if folder is None else folder) / name
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except ValueError as err:
        raise ValueError(f"{path}: not a key this kit wrote ({err})") from err
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # O_EXCL: two reports started at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return secret(name, folder)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    return key
