"""Property-based tests of the dossier state machine: no sequence of events reaches an
invalid state, and the history never loses a step."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.dossiers.status import (
    NAMES,
    NEXT_STEP,
    TERMINAL,
    TRANSITIONS,
    InvalidTransition,
    Status,
    check,
    is_overdue,
)


def test_every_status_has_a_vietnamese_name_and_next_step():
    assert [s.value for s in Status] == list(range(1, 11))
    assert set(NAMES) == set(NEXT_STEP) == set(Status)


def test_every_status_is_reachable_from_a_new_dossier():
    reached, frontier = {Status.MOI_DANG_KY}, [Status.MOI_DANG_KY]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(Status)


def test_terminal_statuses():
    assert TERMINAL == {Status.KHONG_DUOC_TIEP_NHAN, Status.CONG_DAN_RUT, Status.DUNG_XU_LY, Status.DA_TRA_KET_QUA}


@given(st.lists(st.sampled_from(list(Status)), max_size=40))
def test_any_sequence_of_events_keeps_a_valid_state_and_full_history(events):
    state, history = Status.MOI_DANG_KY, [Status.MOI_DANG_KY]
    for requested in events:
        try:
            check(state, requested)
        except InvalidTransition as exc:
            assert exc.current == state and requested not in TRANSITIONS[state]
            continue
        state = requested
        history.append(state)
    assert history[0] == Status.MOI_DANG_KY
    for before, after in zip(history, history[1:]):
        assert after in TRANSITIONS[before]
    assert state == history[-1]


def test_an_invalid_transition_is_refused():
    with pytest.raises(InvalidTransition):
        check(Status.DA_TRA_KET_QUA, Status.DANG_XU_LY)


def test_overdue_is_derived_not_stored():
    due = dt.date(2026, 12, 1)
    assert is_overdue(Status.DANG_XU_LY, due, dt.date(2026, 12, 2))
    assert not is_overdue(Status.DANG_XU_LY, due, due)
    assert not is_overdue(Status.DA_TRA_KET_QUA, due, dt.date(2027, 1, 1))
    assert not is_overdue(Status.YEU_CAU_BO_SUNG, due, dt.date(2027, 1, 1))
