"""Each insats's budget and outcome (utfall) per year, and the log of their changes.

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("budget_sek", sa.BigInteger(), nullable=True),
        sa.Column("outcome_sek", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("project", "year", name="pk_budgets"),
    )

    op.create_table(
        "budget_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_budget_changes"),
    )
    op.create_index("ix_budget_changes_project_year", "budget_changes", ["project", "year"])


def downgrade() -> None:
    op.drop_index("ix_budget_changes_project_year", table_name="budget_changes")
    op.drop_table("budget_changes")
    op.drop_table("budgets")
