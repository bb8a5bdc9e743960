"""postal codes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('postal_codes',
    sa.Column('ward_code', sa.String(length=5), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ward_code', name=op.f('pk_postal_codes'))
    )


def downgrade() -> None:
    op.drop_table('postal_codes')
