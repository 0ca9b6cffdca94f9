"""Goals, each report month's evaluated goal status, and the log of goal edits.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.String(60), nullable=False),
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("metric", sa.String(), nullable=True),
        sa.Column("direction", sa.String(16), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("yellow", sa.Text(), nullable=True),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("assessed", sa.Date(), nullable=True),
        sa.Column("removed", sa.Date(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_goals"),
    )
    op.create_index("ix_goals_project", "goals", ["project"])

    op.create_table(
        "goal_statuses",
        sa.Column("goal_id", sa.String(60), nullable=False),
        sa.Column("report_month", sa.String(7), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.BigInteger(), nullable=True),
        sa.Column("denominator", sa.BigInteger(), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("goal_id", "report_month", name="pk_goal_statuses"),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name="fk_goal_statuses_goal_id_goals", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "goal_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("goal_id", sa.String(60), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_goal_changes"),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name="fk_goal_changes_goal_id_goals", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_goal_changes_goal_id", "goal_changes", ["goal_id"])


def downgrade() -> None:
    op.drop_index("ix_goal_changes_goal_id", table_name="goal_changes")
    op.drop_table("goal_changes")
    op.drop_table("goal_statuses")
    op.drop_index("ix_goals_project", table_name="goals")
    op.drop_table("goals")
