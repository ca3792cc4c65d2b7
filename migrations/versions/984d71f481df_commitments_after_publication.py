"""commitments after publication

Revision ID: 984d71f481df
Revises: b4d1c0a7e9f2
Create Date: 2026-11-23 23:21:25.332058

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '984d71f481df'
down_revision = 'b4d1c0a7e9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=300), nullable=False),
    sa.Column('responsible_organisation_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'not_going_ahead', name='commitment_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('progress_percent', sa.Integer(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name=op.f('ck_commitments_done_has_date')),
    sa.CheckConstraint("status <> 'not_going_ahead' OR reason <> ''", name=op.f('ck_commitments_not_going_ahead_has_reason')),
    sa.CheckConstraint('progress_percent IS NULL OR (progress_percent >= 0 AND progress_percent <= 100)', name=op.f('ck_commitments_progress_is_a_percentage')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_commitments_created_by_id_users')),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_commitments_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_organisation_id'], ['organisations.id'], name=op.f('fk_commitments_responsible_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_responsible_organisation_id'), ['responsible_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_status'), ['status'], unique=False)

    op.create_table('commitment_ideas',
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_ideas_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_commitment_ideas_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commitment_id', 'idea_id', name=op.f('pk_commitment_ideas'))
    )
    op.create_table('commitment_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status_from', sa.Enum('planned', 'in_progress', 'done', 'not_going_ahead', name='commitment_update_status_from', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('status_to', sa.Enum('planned', 'in_progress', 'done', 'not_going_ahead', name='commitment_update_status_to', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('progress_percent', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_commitment_updates_author_id_users')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_updates_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_updates'))
    )
    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_updates_commitment_id'), ['commitment_id'], unique=False)

    op.create_table('commitment_insights',
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('insight_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_insights_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['insight_id'], ['insights.id'], name=op.f('fk_commitment_insights_insight_id_insights'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commitment_id', 'insight_id', name=op.f('pk_commitment_insights'))
    )


def downgrade():
    op.drop_table('commitment_insights')
    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_updates_commitment_id'))

    op.drop_table('commitment_updates')
    op.drop_table('commitment_ideas')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_status'))
        batch_op.drop_index(batch_op.f('ix_commitments_responsible_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_engagement_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_due_date'))

    op.drop_table('commitments')
