"""verdicts proposals cycle results registry

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:31:53.206167
"""

from alembic import op
import sqlalchemy as sa



revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registry_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('function', sa.String(length=80), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('cycle_results', sa.JSON(), nullable=False),
    sa.Column('scale_rule_held', sa.Boolean(), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_registry_version_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_version')),
    sa.UniqueConstraint('playbook_id', 'version', name='uq_registry_version_playbook_version')
    )
    op.create_table('cycle_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('kpi_weeks', sa.Integer(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('hit', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_cycle_result_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_result')),
    sa.UniqueConstraint('playbook_id', 'cycle', name='uq_cycle_result_playbook_cycle')
    )
    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('from_mode', sa.String(length=16), nullable=True),
    sa.Column('to_mode', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("kind IN ('promotion', 'scale')", name=op.f('ck_proposal_kind')),
    sa.CheckConstraint("status IN ('open', 'approved', 'rejected', 'withdrawn', 'published')", name=op.f('ck_proposal_status')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_proposal_playbook_id_playbook')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_proposal_step_id_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal')),
    sa.UniqueConstraint('key', name=op.f('uq_proposal_key'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_open', ['playbook_id', 'status'], unique=False)

    op.create_table('step_verdict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=True),
    sa.Column('exceptions', sa.Integer(), nullable=False),
    sa.Column('rubric', sa.Float(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('PASS', 'FAIL', 'INCONCLUSIVE', 'MISSING')", name=op.f('ck_step_verdict_outcome')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_step_verdict_playbook_id_playbook')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_step_verdict_step_id_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_verdict')),
    sa.UniqueConstraint('step_id', 'week_start', name='uq_step_verdict_step_week')
    )
    with op.batch_alter_table('step_verdict', schema=None) as batch_op:
        batch_op.create_index('ix_step_verdict_playbook_week', ['playbook_id', 'week_start'], unique=False)

    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adopted_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_playbook_adopted_from_id_registry_version'), 'registry_version', ['adopted_from_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_playbook_adopted_from_id_registry_version'), type_='foreignkey')
        batch_op.drop_column('adopted_from_id')

    with op.batch_alter_table('step_verdict', schema=None) as batch_op:
        batch_op.drop_index('ix_step_verdict_playbook_week')

    op.drop_table('step_verdict')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_open')

    op.drop_table('proposal')
    op.drop_table('cycle_result')
    op.drop_table('registry_version')
