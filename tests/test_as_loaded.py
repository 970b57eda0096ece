"""``models.base.as_loaded`` (the hot paths' objects made from Core rows) gives what a query
would: persistent and clean, the session's own object for that row, the rest loaded on access,
changes flushed like any loaded object's."""

from __future__ import annotations

from sqlalchemy import inspect, select

from bwq_lab.extensions import db
from bwq_lab.models import Instrument, Provider
from bwq_lab.models.base import as_loaded


def test_as_loaded_is_persistent_clean_and_the_sessions_own(ctx, create_instrument):
    instrument_id = create_instrument(name="X 射线衍射仪").id
    provider_id = db.session.get(Instrument, instrument_id).provider_id
    db.session.expunge_all()
    made = as_loaded(db.session, Instrument, {"id": instrument_id, "provider_id": provider_id, "name": "X 射线衍射仪"})
    state = inspect(made)
    assert state.persistent and made in db.session and not db.session.dirty and not db.session.new
    assert db.session.get(Instrument, instrument_id) is made  # no second object for the row
    assert as_loaded(db.session, Instrument, {"id": instrument_id, "name": "other"}) is made
    assert "model" in state.unloaded and made.model == "SU8010"  # a column not given loads when read
    assert isinstance(made.provider, Provider) and made.provider.id == provider_id  # so does a relationship
    made.name = "改名"
    db.session.commit()
    db.session.expunge_all()
    assert db.session.execute(select(Instrument.name).where(Instrument.id == instrument_id)).scalar_one() == "改名"
