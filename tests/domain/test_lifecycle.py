"""The shared state machine (no app)."""

from enum import StrEnum

import pytest

from bwq_lab.domain.lifecycle import StateMachine, TransitionError


class S(StrEnum):
    OPEN = "open"
    DONE = "done"


class A(StrEnum):
    FINISH = "finish"


MACHINE = StateMachine("thing", S, A, {S.OPEN: {A.FINISH: S.DONE}, S.DONE: {}})


def test_allowed_transition_gives_the_next_status():
    assert MACHINE.next("open", "finish") is S.DONE
    assert MACHINE.can(S.OPEN, A.FINISH)
    assert MACHINE.actions_from("open") == {A.FINISH}


@pytest.mark.parametrize(("status", "action"), [("done", "finish"), ("open", "nonsense"), ("nonsense", "finish")])
def test_forbidden_or_unknown_transition_is_refused_with_its_params(status, action):
    assert not MACHINE.can(status, action)
    with pytest.raises(TransitionError) as caught:
        MACHINE.next(status, action)
    assert caught.value.params == {"kind": "thing", "status": status, "action": action}


def test_final_status_has_no_actions_and_every_status_must_be_listed():
    assert MACHINE.is_final("done") and not MACHINE.is_final("open")
    with pytest.raises(ValueError):
        StateMachine("thing", S, A, {S.OPEN: {}})
