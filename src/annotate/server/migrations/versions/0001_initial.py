"""The first schema: classes, members, annotations, events, join failures.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written out, not imported from db.py: a migration is a snapshot that must not change.
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("reveal", sa.String(16), nullable=False),
        sa.Column("join_code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.String(32), nullable=False),
    )
    op.create_table(
        "members",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("class_id", sa.String(32), sa.ForeignKey("classes.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.String(32), nullable=False),
    )
    op.create_table(
        "annotations",
        sa.Column("seq", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("class_id", sa.String(32), sa.ForeignKey("classes.id"), nullable=False),
        sa.Column("author_id", SERIAL, sa.ForeignKey("members.id"), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("root_id", sa.String(36), nullable=True),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("etag", sa.String(40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("annotations_page", "annotations", ["class_id", "source", "seq"])
    op.create_index("annotations_author", "annotations", ["class_id", "author_id", "source"])
    op.create_index("annotations_thread", "annotations", ["root_id"])
    op.create_table(
        "events",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("class_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("annotation_id", sa.String(36), nullable=False),
        sa.Column("author_id", SERIAL, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("root_id", sa.String(36), nullable=True),
        sa.Column("audience", sa.String(16), nullable=False),
        # The thread root's author and audience, kept: the root may be gone by the time
        # a subscriber reads the event, and who may see the event must not change.
        sa.Column("root_author_id", SERIAL, nullable=True),
        sa.Column("root_audience", sa.String(16), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
    )
    op.create_index("events_class", "events", ["class_id", "id"])
    op.create_table(
        "join_failures",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("join_failures_address", "join_failures", ["address", "at"])


def downgrade() -> None:
    for table in ("join_failures", "events", "annotations", "members", "classes"):
        op.drop_table(table)
