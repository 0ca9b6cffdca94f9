"""Imports, their case rows and the audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

The case columns are written out here on purpose: a revision records the schema as it was
when it was written. When ``ingest.schema.CASE_DTYPES`` changes, add a new revision; the
test that compares the migrated database with ``store.tables`` fails until you do.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("report_month", sa.String(7), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("replaced_by", Id, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
        sa.ForeignKeyConstraint(
            ["replaced_by"], ["imports.id"], name="fk_imports_replaced_by_imports"
        ),
    )
    op.create_index("ix_imports_sha256", "imports", ["sha256"])
    # At most one current snapshot per project and month, enforced by the database.
    op.create_index(
        "uq_imports_current_project_month",
        "imports",
        ["project", "report_month"],
        unique=True,
        sqlite_where=sa.text("status = 'current'"),
        postgresql_where=sa.text("status = 'current'"),
    )

    op.create_table(
        "cases",
        sa.Column("import_id", Id, nullable=False),
        sa.Column("row_no", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("municipality", sa.String(), nullable=False),
        sa.Column("municipality_code", sa.String(), nullable=True),
        sa.Column("district", sa.String(), nullable=True),
        sa.Column("gender", sa.String(), nullable=False),
        sa.Column("age", sa.BigInteger(), nullable=True),
        sa.Column("age_group", sa.String(), nullable=True),
        sa.Column("born_abroad", sa.Boolean(), nullable=True),
        sa.Column("education", sa.String(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("months_on_aid", sa.BigInteger(), nullable=True),
        sa.Column("diagnosis_group", sa.String(), nullable=True),
        sa.Column("sick_note", sa.Boolean(), nullable=True),
        sa.Column("joint_plan", sa.Boolean(), nullable=True),
        sa.Column("sip_meetings", sa.BigInteger(), nullable=True),
        sa.Column("income_start", sa.String(), nullable=True),
        sa.Column("active_start", sa.Boolean(), nullable=True),
        sa.Column("step_start", sa.BigInteger(), nullable=True),
        sa.Column("income_end", sa.String(), nullable=True),
        sa.Column("aid_end", sa.String(), nullable=True),
        sa.Column("active_end", sa.Boolean(), nullable=True),
        sa.Column("step_end", sa.BigInteger(), nullable=True),
        sa.Column("exit_reason", sa.String(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("import_id", "row_no", name="pk_cases"),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name="fk_cases_import_id_imports", ondelete="CASCADE"
        ),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("cases")
    op.drop_index("uq_imports_current_project_month", table_name="imports")
    op.drop_index("ix_imports_sha256", table_name="imports")
    op.drop_table("imports")
