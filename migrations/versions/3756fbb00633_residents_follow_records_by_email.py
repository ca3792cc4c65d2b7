"""residents follow an engagement, an area or a theme by e-mail; extra headers and private recipients on the outbox

Revision ID: 3756fbb00633
Revises: c3f5a8e1b7d2
Create Date: 2026-11-23 23:27:50.297623

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3756fbb00633'
down_revision = 'c3f5a8e1b7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_requests'))
    )
    with op.batch_alter_table('follow_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_requests_key_hash'), ['key_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_requests_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.Enum('engagement', 'area', 'theme', name='follow_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
    sa.Column('confirm_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsubscribe_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("(kind = 'engagement' AND engagement_id IS NOT NULL AND area_id IS NULL AND theme_id IS NULL) OR (kind = 'area' AND area_id IS NOT NULL AND engagement_id IS NULL AND theme_id IS NULL) OR (kind = 'theme' AND theme_id IS NOT NULL AND engagement_id IS NULL AND area_id IS NULL)", name=op.f('ck_follows_follows_one_target')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_follows_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_follows_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_follows_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('confirm_token_hash', name=op.f('uq_follows_confirm_token_hash')),
    sa.UniqueConstraint('email', 'target', name='one_follow_per_address_and_target'),
    sa.UniqueConstraint('reference', name=op.f('uq_follows_reference')),
    sa.UniqueConstraint('unsubscribe_hash', name=op.f('uq_follows_unsubscribe_hash'))
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follows_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follows_confirm_expires_at'), ['confirm_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follows_confirmed_at'), ['confirmed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follows_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follows_theme_id'), ['theme_id'], unique=False)

    op.create_table('follow_sent_versions',
    sa.Column('follow_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['follow_id'], ['follows.id'], name=op.f('fk_follow_sent_versions_follow_id_follows'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['published_versions.id'], name=op.f('fk_follow_sent_versions_version_id_published_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follow_id', 'version_id', name=op.f('pk_follow_sent_versions'))
    )
    with op.batch_alter_table('follow_sent_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_sent_versions_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        # List-Unsubscribe and List-Unsubscribe-Post on followers' e-mails.
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))
        # Messages already queued are to people with accounts.
        batch_op.add_column(sa.Column('private_recipient', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('private_recipient')
        batch_op.drop_column('headers')

    with op.batch_alter_table('follow_sent_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_sent_versions_version_id'))

    op.drop_table('follow_sent_versions')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follows_theme_id'))
        batch_op.drop_index(batch_op.f('ix_follows_engagement_id'))
        batch_op.drop_index(batch_op.f('ix_follows_confirmed_at'))
        batch_op.drop_index(batch_op.f('ix_follows_confirm_expires_at'))
        batch_op.drop_index(batch_op.f('ix_follows_area_id'))

    op.drop_table('follows')
    with op.batch_alter_table('follow_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_requests_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_follow_requests_key_hash'))

    op.drop_table('follow_requests')
