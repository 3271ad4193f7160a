"""guidance requests: a keyed hash of the sender's IP, for the form's rate limit

Revision ID: 5b1d0c2e7a41
Revises: 89615667b60b
Create Date: 2026-11-29 09:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1d0c2e7a41"
down_revision = "89615667b60b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guidance_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_guidance_requests_client_hash"), ["client_hash"], unique=False
        )


def downgrade():
    with op.batch_alter_table("guidance_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guidance_requests_client_hash"))
        batch_op.drop_column("client_hash")
