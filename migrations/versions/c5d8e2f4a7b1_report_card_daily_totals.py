"""report card: activity and reach added up by day over public engagements, with each engagement's share

Revision ID: c5d8e2f4a7b1
Revises: b7e4c2a9d361
Create Date: 2026-12-03 17:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5d8e2f4a7b1'
down_revision = 'b7e4c2a9d361'
branch_labels = None
depends_on = None

# What engage.reporting.daily.refresh_all does, written out as it was when this migration was made (a migration
# never follows later code): public engagements are those the stored list key `listed` marks.
FILL = [
    "INSERT INTO report_activity_day_shares (engagement_id, day, activities, participants, volunteer_minutes)"
    " SELECT a.engagement_id, a.occurred_on, count(*), sum(a.participants), sum(a.volunteer_minutes)"
    " FROM activities a JOIN engagements e ON e.id = a.engagement_id WHERE e.listed"
    " GROUP BY a.engagement_id, a.occurred_on",
    "INSERT INTO report_activity_days (day, activities, participants, volunteer_minutes)"
    " SELECT day, sum(activities), sum(participants), sum(volunteer_minutes) FROM report_activity_day_shares"
    " GROUP BY day",
    "INSERT INTO report_reach_day_shares (engagement_id, day, community_id, count)"
    " SELECT a.engagement_id, a.occurred_on, r.community_id, sum(r.count)"
    " FROM activity_reach r JOIN activities a ON a.id = r.activity_id JOIN engagements e ON e.id = a.engagement_id"
    " WHERE e.listed GROUP BY a.engagement_id, a.occurred_on, r.community_id",
    "INSERT INTO report_reach_days (day, community_id, count)"
    " SELECT day, community_id, sum(count) FROM report_reach_day_shares GROUP BY day, community_id",
]


def upgrade():
    op.create_table('report_activity_days',
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('activities', sa.Integer(), nullable=False),
                    sa.Column('participants', sa.Integer(), nullable=False),
                    sa.Column('volunteer_minutes', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('day', name=op.f('pk_report_activity_days')))
    op.create_table('report_activity_day_shares',
                    sa.Column('engagement_id', sa.Integer(), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('activities', sa.Integer(), nullable=False),
                    sa.Column('participants', sa.Integer(), nullable=False),
                    sa.Column('volunteer_minutes', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('engagement_id', 'day', name=op.f('pk_report_activity_day_shares')))
    op.create_table('report_reach_days',
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('community_id', sa.Integer(), nullable=False),
                    sa.Column('count', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('day', 'community_id', name=op.f('pk_report_reach_days')))
    op.create_table('report_reach_day_shares',
                    sa.Column('engagement_id', sa.Integer(), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('community_id', sa.Integer(), nullable=False),
                    sa.Column('count', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('engagement_id', 'day', 'community_id',
                                            name=op.f('pk_report_reach_day_shares')))
    for statement in FILL:
        op.execute(statement)


def downgrade():
    for name in ('report_reach_day_shares', 'report_reach_days', 'report_activity_day_shares',
                 'report_activity_days'):
        op.drop_table(name)
