"""The citizen's consent recorded with each dossier (``dossiers.consent``, encrypted JSON like
``fields``; issue 17). Existing dossiers have none (they were filed before consent was asked).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Applies this revision."""
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Reverts this revision."""
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("consent")
