"""list cards: the few fields of each published version the public lists show, so they never read whole records

Revision ID: b7e4c2a9d361
Revises: f3a9c2d7e815
Create Date: 2026-12-03 17:20:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4c2a9d361'
down_revision = 'f3a9c2d7e815'
branch_labels = None
depends_on = None

# engage.site.cards.CARD_FIELDS when this migration was written: a migration never follows later code.
CARD_FIELDS = ("slug", "title", "summary", "status", "step", "level", "published_at", "lead_organisation",
               "area", "themes", "get_involved")
BATCH = 500


def upgrade():
    cards = op.create_table(
        'published_cards',
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('card', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['published_versions.id'],
                                name=op.f('fk_published_cards_version_id_published_versions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('version_id', name=op.f('pk_published_cards')),
    )
    # Every version published so far gets its card, in batches so memory stays bounded.
    versions = sa.table('published_versions', sa.column('id', sa.Integer()), sa.column('record', sa.JSON()))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(sa.select(versions.c.id, versions.c.record).where(versions.c.id > last)
                                  .order_by(versions.c.id).limit(BATCH)).all()
        if not rows:
            break
        records = [(version_id, json.loads(record) if isinstance(record, str) else record)
                   for version_id, record in rows]
        connection.execute(cards.insert(), [
            {"version_id": version_id, "card": {name: record[name] for name in CARD_FIELDS if name in record}}
            for version_id, record in records])
        last = rows[-1][0]


def downgrade():
    op.drop_table('published_cards')
