"""``annotate class export``: a class on the server as today's class file.

The file is the one ``annotate merge`` writes (``classroom.class_file.write_class``), so
``annotate report``, the CSV and every file-based flow read it unchanged. It holds
what the teacher may see (no private notes) and no token. Replies name their
thread's root by its ``urn:uuid`` id, as the file's annotations are named.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..model import Annotation
from .db import Database, annotation_rows, classes

__all__ = ["class_annotations", "export_class"]


def class_annotations(db: Database, class_id: str) -> list[Annotation]:
    """The class's annotations the teacher may see, oldest first; ``KeyError`` if no class."""
    with db.read() as conn:
        if conn.execute(sa.select(classes.c.id).where(classes.c.id == class_id)).first() is None:
            raise KeyError(f"no class {class_id} in this database")
        rows = conn.execute(
            sa.select(annotation_rows.c.data)
            .where(annotation_rows.c.class_id == class_id, annotation_rows.c.audience != "private")
            .order_by(annotation_rows.c.seq)
        ).all()
    found = []
    for (text,) in rows:
        ann = Annotation.from_w3c(json.loads(text))
        if ann.reply_to is not None:
            path = urlsplit(ann.reply_to).path.rstrip("/")
            ann = replace(ann, reply_to=f"urn:uuid:{path.rsplit('/', 1)[-1]}")
        found.append(ann)
    return found


def export_class(db: Database, class_id: str, output: str | Path) -> int:
    """Write the class file for ``class_id`` to ``output``; returns how many annotations."""
    from ..classroom.merge import write_class

    found = class_annotations(db, class_id)
    write_class(output, found)
    return len(found)
