"""a job run left running by a scheduler that died is marked abandoned when another takes the lease over

Revision ID: 3a8df362cc9e
Revises: 3756fbb00633
Create Date: 2026-11-24 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3a8df362cc9e'
down_revision = '3756fbb00633'
branch_labels = None
depends_on = None

BEFORE = ('running', 'succeeded', 'failed')
AFTER = (*BEFORE, 'abandoned')


def _allow(values):
    # The enum's CHECK constraint lists the allowed values: replaced by one with the new list ("abandoned" is no
    # longer than "succeeded", so the column keeps its length).
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_job_runs_job_run_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_job_runs_job_run_status'),
                                         sa.column('status').in_(values))


def upgrade():
    _allow(AFTER)


def downgrade():
    # Runs marked abandoned read as failed once the status no longer exists.
    op.execute("UPDATE job_runs SET status = 'failed' WHERE status = 'abandoned'")
    _allow(BEFORE)
