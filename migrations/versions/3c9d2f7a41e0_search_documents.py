"""search documents for full-text search over public engagements and insights

Revision ID: 3c9d2f7a41e0
Revises: 1b570bc7e151
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9d2f7a41e0'
down_revision = '1b570bc7e151'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('lens', sa.String(length=30), nullable=True),
    sa.Column('blocker', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('record_sha256', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_search_documents_engagement_id_engagements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('engagement_id', 'kind', 'position', name='one_document_per_place')
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_kind'), ['kind'], unique=False)

    op.create_table('search_document_themes',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['search_documents.id'], name=op.f('fk_search_document_themes_document_id_search_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_search_document_themes_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'theme_id', name=op.f('pk_search_document_themes'))
    )

    # The full-text index itself differs by database and is not a model (migrations/env.py leaves it out
    # of the comparison with the models).
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        # An external-content FTS5 table over the documents, kept in step by triggers.
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', "
                   "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
                   "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")
        op.execute("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
                   "END")
        op.execute("CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
                   "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")
    elif dialect == 'postgresql':
        # The same expression the search queries use, so PostgreSQL can answer them from the index.
        op.execute("CREATE INDEX ix_search_documents_fulltext ON search_documents "
                   "USING GIN (to_tsvector('english', title || ' ' || body))")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('search_documents_au', 'search_documents_ad', 'search_documents_ai'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_documents_fulltext")

    op.drop_table('search_document_themes')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_kind'))
        batch_op.drop_index(batch_op.f('ix_search_documents_engagement_id'))
        batch_op.drop_index(batch_op.f('ix_search_documents_changed_at'))

    op.drop_table('search_documents')
