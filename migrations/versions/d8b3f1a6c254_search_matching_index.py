"""search: a narrow index that full-text matches are joined back through, instead of each document's row

The index holds kind, id and the columns the insight search filters and sorts on.

Revision ID: d8b3f1a6c254
Revises: 5e1a7c3b9d20
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8b3f1a6c254'
down_revision = '5e1a7c3b9d20'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite's full-text query names this index (INDEXED BY), so it exists on every database the models do.
    op.create_index('ix_search_documents_matching', 'search_documents',
                    ['kind', 'id', 'engagement_id', 'published_at', 'position', 'lens', 'blocker'])


def downgrade():
    op.drop_index('ix_search_documents_matching', table_name='search_documents')
