"""Mappings of projects' own spreadsheets onto the export format, one row per version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "mappings",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mappings"),
        sa.UniqueConstraint("project", "version", name="uq_mappings_project_version"),
    )
    op.create_index("ix_mappings_project", "mappings", ["project"])


def downgrade() -> None:
    op.drop_index("ix_mappings_project", table_name="mappings")
    op.drop_table("mappings")
