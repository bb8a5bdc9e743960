"""push attempts; notifications outlive their subscription

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FK = "fk_push_notifications_subscription_id_push_subscriptions"


def upgrade() -> None:
    # A subscription the push service reports gone is deleted; its notifications stay as history.
    with op.batch_alter_table("push_notifications") as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.alter_column("subscription_id", existing_type=BIG_ID, nullable=True)
        batch_op.create_foreign_key(FK, "push_subscriptions", ["subscription_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "push_attempts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("notification_id", BIG_ID, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("http_status", sa.SmallInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["push_notifications.id"],
            name=op.f("fk_push_attempts_notification_id_push_notifications"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_attempts")),
    )
    op.create_index(op.f("ix_push_attempts_notification_id"), "push_attempts", ["notification_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_push_attempts_notification_id"), table_name="push_attempts")
    op.drop_table("push_attempts")
    op.execute("DELETE FROM push_notifications WHERE subscription_id IS NULL")
    with op.batch_alter_table("push_notifications") as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.alter_column("subscription_id", existing_type=BIG_ID, nullable=False)
        batch_op.create_foreign_key(FK, "push_subscriptions", ["subscription_id"], ["id"], ondelete="CASCADE")
