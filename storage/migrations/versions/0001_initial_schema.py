"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 01:56:29.243194
"""

from alembic import op
import sqlalchemy as sa



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('playbook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('function', sa.String(length=80), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('kpi_name', sa.String(length=80), nullable=False),
    sa.Column('kpi_unit', sa.String(length=20), nullable=False),
    sa.Column('kpi_direction', sa.String(length=4), nullable=False),
    sa.Column('kpi_baseline', sa.Float(), nullable=False),
    sa.Column('kpi_target', sa.Float(), nullable=False),
    sa.Column('guardrail_name', sa.String(length=80), nullable=True),
    sa.Column('guardrail_min', sa.Float(), nullable=True),
    sa.Column('guardrail_max', sa.Float(), nullable=True),
    sa.Column('rubric_threshold', sa.Float(), nullable=False),
    sa.Column('exception_cap', sa.Float(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('outputs', sa.JSON(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kpi_direction IN ('up', 'down')", name=op.f('ck_playbook_kpi_direction')),
    sa.CheckConstraint("status IN ('draft', 'active', 'paused', 'retired')", name=op.f('ck_playbook_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook')),
    sa.UniqueConstraint('slug', name=op.f('uq_playbook_slug'))
    )
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playbook_channel_id'), ['channel_id'], unique=False)

    op.create_table('role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('granted_by', sa.String(length=32), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('curator')", name=op.f('ck_role_grant_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grant')),
    sa.UniqueConstraint('user_id', 'role', name='uq_role_grant_user_role')
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('updated_by', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('started_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_cycle_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle')),
    sa.UniqueConstraint('playbook_id', 'number', name='uq_cycle_playbook_number')
    )
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_playbook_id'), ['playbook_id'], unique=False)

    op.create_table('kpi_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('reported_by', sa.String(length=32), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_kpi_reading_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_reading'))
    )
    with op.batch_alter_table('kpi_reading', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_reading_week', ['playbook_id', 'week_start', 'id'], unique=False)

    op.create_table('step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("mode IN ('human-led', 'collaborative', 'ai-led')", name=op.f('ck_step_mode')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_step_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step')),
    sa.UniqueConstraint('playbook_id', 'name', name='uq_step_playbook_name')
    )
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_playbook_id'), ['playbook_id'], unique=False)

    op.create_table('case_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('reported_by', sa.String(length=32), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cases >= 0', name=op.f('ck_case_count_nonnegative')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_case_count_playbook_id_playbook')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_case_count_step_id_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_count'))
    )
    with op.batch_alter_table('case_count', schema=None) as batch_op:
        batch_op.create_index('ix_case_count_week', ['playbook_id', 'week_start', 'step_id', 'id'], unique=False)

    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('attestation', sa.String(length=10), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("attestation = 'followed' OR step_id IS NOT NULL", name=op.f('ck_checkin_deviation_step')),
    sa.CheckConstraint("attestation IN ('followed', 'deviated')", name=op.f('ck_checkin_attestation')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_checkin_playbook_id_playbook')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_checkin_step_id_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin'))
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_week_member', ['playbook_id', 'week_start', 'user_id', 'id'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=True),
    sa.Column('playbook_id', sa.Integer(), nullable=True),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('week_start', sa.Date(), nullable=True),
    sa.Column('from_mode', sa.String(length=16), nullable=True),
    sa.Column('to_mode', sa.String(length=16), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_decision_playbook_id_playbook')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_decision_step_id_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_playbook', ['playbook_id', 'id'], unique=False)

    op.create_table('exception_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.String(length=32), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_exception_report_playbook_id_playbook')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_exception_report_step_id_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exception_report'))
    )
    with op.batch_alter_table('exception_report', schema=None) as batch_op:
        batch_op.create_index('ix_exception_report_week', ['playbook_id', 'week_start', 'step_id'], unique=False)

    op.create_table('rubric_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reported_by', sa.String(length=32), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 1', name=op.f('ck_rubric_score_range')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_rubric_score_playbook_id_playbook')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_rubric_score_step_id_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_score'))
    )
    with op.batch_alter_table('rubric_score', schema=None) as batch_op:
        batch_op.create_index('ix_rubric_score_week', ['playbook_id', 'week_start', 'step_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rubric_score', schema=None) as batch_op:
        batch_op.drop_index('ix_rubric_score_week')

    op.drop_table('rubric_score')
    with op.batch_alter_table('exception_report', schema=None) as batch_op:
        batch_op.drop_index('ix_exception_report_week')

    op.drop_table('exception_report')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_playbook')

    op.drop_table('decision')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_week_member')

    op.drop_table('checkin')
    with op.batch_alter_table('case_count', schema=None) as batch_op:
        batch_op.drop_index('ix_case_count_week')

    op.drop_table('case_count')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_playbook_id'))

    op.drop_table('step')
    with op.batch_alter_table('kpi_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_reading_week')

    op.drop_table('kpi_reading')
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_playbook_id'))

    op.drop_table('cycle')
    op.drop_table('setting')
    op.drop_table('role_grant')
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playbook_channel_id'))

    op.drop_table('playbook')
