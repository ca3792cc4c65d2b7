"""report card: covering indexes for adding up activity and reach in a date range

Revision ID: b4d1c0a7e9f2
Revises: e7c2eedc70ac
Create Date: 2026-11-23 22:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b4d1c0a7e9f2'
down_revision = 'e7c2eedc70ac'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_report_card',
                              ['occurred_on', 'engagement_id', 'participants', 'volunteer_minutes'], unique=False)
    with op.batch_alter_table('activity_reach', schema=None) as batch_op:
        batch_op.create_index('ix_activity_reach_report_card', ['activity_id', 'community_id', 'count'], unique=False)


def downgrade():
    with op.batch_alter_table('activity_reach', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_reach_report_card')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_report_card')
