"""comment once keys: the same comment form sent twice writes one comment (app/once.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 04:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = (("comment", "uq_comment_once"), ("outcome_comment", "uq_outcome_comment_once"))


def upgrade():
    for table, name in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('once_key', sa.String(length=32), nullable=True))
            batch_op.create_unique_constraint(name, ['author_id', 'once_key'])


def downgrade():
    for table, name in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_='unique')
            batch_op.drop_column('once_key')
