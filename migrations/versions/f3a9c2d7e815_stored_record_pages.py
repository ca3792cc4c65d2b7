"""stored record pages: the body of a published version's page and its JSON, kept once built

Revision ID: f3a9c2d7e815
Revises: d8b3f1a6c254
Create Date: 2026-12-03 12:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a9c2d7e815'
down_revision = 'd8b3f1a6c254'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_record_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('variant', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['published_versions.id'],
                                name=op.f('fk_stored_record_pages_version_id_published_versions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_record_pages')),
        sa.UniqueConstraint('version_id', 'kind', 'variant', 'fingerprint', name='one_stored_page_per_key'),
    )


def downgrade():
    op.drop_table('stored_record_pages')
