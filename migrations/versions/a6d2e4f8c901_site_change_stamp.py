"""the site's change stamp, which the page cache keys on

Revision ID: a6d2e4f8c901
Revises: 984d71f481df
Create Date: 2026-11-23 23:55:00.000000

"""
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6d2e4f8c901'
down_revision = '984d71f481df'
branch_labels = None
depends_on = None


def upgrade():
    site_changes = op.create_table('site_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_changes'))
    )
    now = datetime.now(timezone.utc)
    if op.get_bind().dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)  # stored naive in UTC on SQLite, as the models do
    op.bulk_insert(site_changes, [{'id': 1, 'stamp': secrets.token_hex(16), 'changed_at': now}])


def downgrade():
    op.drop_table('site_changes')
