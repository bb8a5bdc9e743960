"""one-stop desk: volunteers, sessions, handoffs, call-backs, feedback; chat review labels

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "volunteers",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("seen_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers")),
        sa.UniqueConstraint("username", name=op.f("uq_volunteers_username")),
    )
    op.create_table(
        "volunteer_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("volunteer_id", BIG_ID, nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"],
                                name=op.f("fk_volunteer_sessions_volunteer_id_volunteers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_sessions")),
    )
    op.create_index(op.f("ix_volunteer_sessions_volunteer_id"), "volunteer_sessions", ["volunteer_id"])
    op.create_table(
        "handoffs",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("taken_at", TS, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("volunteer_id", BIG_ID, nullable=True),
        sa.Column("volunteer_name", sa.String(length=100), nullable=True),
        sa.Column("closed_by", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"],
                                name=op.f("fk_handoffs_volunteer_id_volunteers"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    op.create_index(op.f("ix_handoffs_sender_id"), "handoffs", ["sender_id"])
    op.create_index("ix_handoffs_state_requested", "handoffs", ["state", "requested_at"])
    op.create_table(
        "shared_dossiers",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("handoff_id", BIG_ID, nullable=False),
        sa.Column("dossier_code", sa.String(length=60), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"],
                                name=op.f("fk_shared_dossiers_handoff_id_handoffs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_dossiers")),
    )
    op.create_index(op.f("ix_shared_dossiers_handoff_id"), "shared_dossiers", ["handoff_id"])
    op.create_table(
        "callback_requests",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("done_at", TS, nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
    )
    op.create_table(
        "chat_feedback",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_feedback")),
    )
    op.create_index(op.f("ix_chat_feedback_sender_id"), "chat_feedback", ["sender_id"])
    with op.batch_alter_table("chat_messages") as batch_op:
        batch_op.add_column(sa.Column("review", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("procedure_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("author", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("label_intent", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("label_procedure", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("labelled_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("labelled_at", TS, nullable=True))
        batch_op.create_index("ix_chat_messages_review", ["review"])


def downgrade() -> None:
    with op.batch_alter_table("chat_messages") as batch_op:
        batch_op.drop_index("ix_chat_messages_review")
        for column in ("labelled_at", "labelled_by", "label_procedure", "label_intent", "author",
                       "procedure_code", "review"):
            batch_op.drop_column(column)
    op.drop_table("chat_feedback")
    op.drop_table("callback_requests")
    op.drop_index(op.f("ix_shared_dossiers_handoff_id"), table_name="shared_dossiers")
    op.drop_table("shared_dossiers")
    op.drop_index("ix_handoffs_state_requested", table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_sender_id"), table_name="handoffs")
    op.drop_table("handoffs")
    op.drop_index(op.f("ix_volunteer_sessions_volunteer_id"), table_name="volunteer_sessions")
    op.drop_table("volunteer_sessions")
    op.drop_table("volunteers")
