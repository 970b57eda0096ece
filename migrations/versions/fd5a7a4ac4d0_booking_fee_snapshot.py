"""booking fee snapshot

Bookings get the fee snapshot (tier, hourly price, fee in fen, basis); instruments say whether
they charge by the actual use. Existing approved, in-use, completed and no-show bookings get a
snapshot from today's prices and their booked hours (by use for completed ones whose use was
recorded, when the instrument charges by use: none yet, the column is new).

Revision ID: fd5a7a4ac4d0
Revises: 800765061aab
Create Date: 2026-12-01 21:35:05.363703

"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fd5a7a4ac4d0'
down_revision = '800765061aab'
branch_labels = None
depends_on = None


def _instant(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_tier', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('unit_price_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fee_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fee_basis', sa.String(length=10), nullable=True))

    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('charge_by_use', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.alter_column('charge_by_use', server_default=None)

    # data: a snapshot for the bookings that already hold (or held) approved time
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT b.id, b.start_at, b.end_at, u.provider_id, i.provider_id, i.price_internal_fen, i.price_external_fen"
        " FROM bookings b JOIN users u ON u.id = b.user_id JOIN instruments i ON i.id = b.instrument_id"
        " WHERE b.status IN ('approved', 'in_use', 'completed', 'no_show')"
    )).all()
    update = sa.text(
        "UPDATE bookings SET price_tier = :tier, unit_price_fen = :unit, fee_fen = :fee, fee_basis = 'booked'"
        " WHERE id = :id"
    )
    for booking_id, start_at, end_at, user_provider, provider, internal, external in rows:
        tier = "internal" if user_provider is not None and user_provider == provider else "external"
        unit = internal if tier == "internal" else external
        minutes = int((_instant(end_at) - _instant(start_at)).total_seconds() // 60)
        fee = (unit * minutes * 2 + 60) // 120
        conn.execute(update, {"tier": tier, "unit": unit, "fee": fee, "id": booking_id})


def downgrade():
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_column('charge_by_use')

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('fee_basis')
        batch_op.drop_column('fee_fen')
        batch_op.drop_column('unit_price_fen')
        batch_op.drop_column('price_tier')
