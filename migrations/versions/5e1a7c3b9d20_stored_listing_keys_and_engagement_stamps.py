"""the public lists' keys stored on each engagement, and a change stamp for each engagement

Revision ID: 5e1a7c3b9d20
Revises: 3a8df362cc9e
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c3b9d20'
down_revision = '3a8df362cc9e'
branch_labels = None
depends_on = None

# The keys as publication/listing.py works them out, for the engagements already there.
_FILL = """
UPDATE engagements SET
  listed = CASE WHEN current_step <> 'challenge' AND NOT held_back
                 AND (current_step <> 'completed'
                      OR EXISTS (SELECT 1 FROM published_versions v WHERE v.engagement_id = engagements.id))
           THEN {true} ELSE {false} END,
  last_public_change_at = COALESCE(
    (SELECT max(v.published_at) FROM published_versions v WHERE v.engagement_id = engagements.id),
    (SELECT max(s.occurred_at) FROM step_changes s WHERE s.engagement_id = engagements.id),
    created_at),
  first_published_at = (SELECT v.published_at FROM published_versions v
                        WHERE v.engagement_id = engagements.id AND v.number = 1)
"""


def upgrade():
    # Columns added in place (SQLite can add a column with a constant default): copying the engagements
    # table, as a batch operation would, is not needed.
    op.add_column('engagements', sa.Column('listed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('engagements', sa.Column('last_public_change_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('engagements', sa.Column('first_published_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_engagements_listing', 'engagements',
                    ['listed', 'last_public_change_at', 'id', 'current_step', 'level', 'area_id',
                     'lead_organisation_id'], unique=False)
    op.create_index(op.f('ix_engagements_first_published_at'), 'engagements', ['first_published_at'], unique=False)
    op.create_index(op.f('ix_engagements_start_date'), 'engagements', ['start_date'], unique=False)
    op.add_column('site_changes', sa.Column('shared_stamp', sa.String(length=32), server_default='', nullable=False))
    op.create_table('engagement_changes',
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('engagement_id', name=op.f('pk_engagement_changes'))
    )
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.execute(_FILL.format(true='true' if postgres else '1', false='false' if postgres else '0'))


def downgrade():
    op.drop_table('engagement_changes')
    op.drop_column('site_changes', 'shared_stamp')
    op.drop_index(op.f('ix_engagements_start_date'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_first_published_at'), table_name='engagements')
    op.drop_index('ix_engagements_listing', table_name='engagements')
    op.drop_column('engagements', 'first_published_at')
    op.drop_column('engagements', 'last_public_change_at')
    op.drop_column('engagements', 'listed')
