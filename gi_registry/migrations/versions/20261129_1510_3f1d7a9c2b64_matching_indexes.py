"""matching: candidate indexes by product or category, newest first and by region

Revision ID: 3f1d7a9c2b64
Revises: c69372c412b7
Create Date: 2026-11-29 15:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f1d7a9c2b64'
down_revision = 'c69372c412b7'
branch_labels = None
depends_on = None

MATCH = ['status', 'kind']


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index('ix_listings_match_product')
        batch_op.drop_index('ix_listings_match_category')
        batch_op.create_index('ix_listings_match_product', [*MATCH, 'product_id', 'published_at'], unique=False)
        batch_op.create_index('ix_listings_match_category', [*MATCH, 'category_id', 'published_at'], unique=False)
        batch_op.create_index(
            'ix_listings_match_product_region', [*MATCH, 'product_id', 'region_code', 'published_at'], unique=False
        )
        batch_op.create_index(
            'ix_listings_match_category_region', [*MATCH, 'category_id', 'region_code', 'published_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index('ix_listings_match_category_region')
        batch_op.drop_index('ix_listings_match_product_region')
        batch_op.drop_index('ix_listings_match_category')
        batch_op.drop_index('ix_listings_match_product')
        batch_op.create_index('ix_listings_match_category', [*MATCH, 'category_id'], unique=False)
        batch_op.create_index('ix_listings_match_product', [*MATCH, 'product_id'], unique=False)
