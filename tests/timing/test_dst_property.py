"""Property tests over every IANA zone, 2020-2030, all three policy kinds.

Each chosen instant is checked against a brute-force oracle that walks the
UTC minute grid (plus ``earliest`` itself) and converts with pytz directly.
Offsets and 2020-2030 transitions are whole minutes, so every boundary a
correct answer can sit on (quiet end, clock change, hour start, earliest) is
on that grid.
"""

import random
from datetime import date, datetime, time, timedelta, timezone

import pytz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossborder_crm.timing import (
    OnlineProfile,
    SendPolicy,
    in_quiet_hours,
    localize,
    next_send_time,
    utc_transitions,
)
from crossborder_crm.timing.localtime import to_local

UTC = timezone.utc
START, END = datetime(2020, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

ZONES = st.sampled_from(pytz.all_timezones)
QUIET = st.one_of(
    st.sampled_from([
        (time(21, 30), time(8, 30)),   # default
        (time(22, 0), time(7, 0)),
        (time(0, 0), time(2, 30)),     # ends inside typical DST gaps
        (time(1, 0), time(3, 0)),
        (time(2, 15), time(2, 45)),
        (time(23, 30), time(0, 30)),
        (time(9, 0), time(17, 0)),     # non-wrapping
        (time(0, 0), time(0, 0)),      # no quiet hours
    ]),
    st.tuples(
        st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
        st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    ),
)


@st.composite
def earliest_in(draw, tz_name):
    """An instant in 2020-2030, often within two days of a clock change."""
    second = draw(st.integers(0, 59))
    changes = utc_transitions(tz_name, START, END)
    if changes and draw(st.booleans()):
        base = draw(st.sampled_from(changes))
        offset = draw(st.integers(-48 * 60, 48 * 60))
        return base + timedelta(minutes=offset, seconds=second)
    minutes = draw(st.integers(0, (END - START) // MINUTE - 3 * 24 * 60))
    return START + timedelta(minutes=minutes, seconds=second)


def profile_for(tz_name: str, seed: int) -> OnlineProfile:
    rnd = random.Random(seed)
    levels = [0.0, 0.1, 0.3, 0.5, 0.8, 1.0]  # few levels -> ties happen
    weights = tuple(rnd.choice(levels) for _ in range(168))
    return OnlineProfile(tz_name, "XX", weights, "learned", 5)


# --- oracle ------------------------------------------------------------------------

def local_of(instant: datetime, tz) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def grid(start: datetime, stop: datetime):
    """``start`` itself, then every whole UTC minute in (start, stop]."""
    yield start
    t = start.replace(second=0, microsecond=0) + MINUTE
    while t <= stop:
        yield t
        t += MINUTE


def sendable(instants, tz, policy):
    for t in instants:
        loc = local_of(t, tz)
        if not in_quiet_hours(loc, policy.quiet_start, policy.quiet_end):
            yield t, loc


def weight(profile, loc: datetime) -> float:
    return profile.weights[loc.weekday() * 24 + loc.hour]


def first_sendable(tz, policy, earliest):
    return next(t for t, _ in sendable(grid(earliest, earliest + timedelta(days=3)), tz, policy))


def sendable_on_day(tz, policy, earliest, day):
    lo = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=15)
    hi = lo + timedelta(hours=15 + 24 + 15)
    if hi < earliest:
        return []
    return [(t, loc) for t, loc in sendable(grid(max(lo, earliest), hi), tz, policy)
            if loc.date() == day]


def check_common(sent, earliest, tz, policy):
    assert sent.utcoffset() == timedelta(0)
    assert sent >= earliest
    loc = local_of(sent, tz)
    assert not in_quiet_hours(loc, policy.quiet_start, policy.quiet_end), loc
    return loc


def check_best_in(profile, sent, options):
    """``sent`` is the best-weighted option; ties -> earliest hour, and within
    the chosen hour the first sendable instant."""
    best = max(weight(profile, loc) for _, loc in options)
    loc = local_of(sent, pytz.timezone(profile.timezone))
    assert weight(profile, loc) == best
    best_hours = sorted({(o.date(), o.hour) for _, o in options if weight(profile, o) == best})
    assert (loc.date(), loc.hour) == best_hours[0]
    same_hour = [t for t, o in options if (o.date(), o.hour) == (loc.date(), loc.hour)]
    assert sent == min(same_hour)


# --- properties ----------------------------------------------------------------------

@SETTINGS
@given(data=st.data(), tz_name=ZONES, quiet=QUIET)
def test_transactional_sends_at_first_non_quiet_instant(data, tz_name, quiet):
    earliest = data.draw(earliest_in(tz_name))
    tz = pytz.timezone(tz_name)
    policy = SendPolicy("transactional", quiet_start=quiet[0], quiet_end=quiet[1])
    sent, _ = next_send_time(profile_for(tz_name, 0), policy, earliest)
    check_common(sent, earliest, tz, policy)
    assert sent == first_sendable(tz, policy, earliest)


@SETTINGS
@given(data=st.data(), tz_name=ZONES, quiet=QUIET, seed=st.integers(0, 10**6),
       day_shift=st.integers(-2, 3), with_target=st.booleans())
def test_marketing_lands_on_target_day_or_documented_next_day(
    data, tz_name, quiet, seed, day_shift, with_target
):
    earliest = data.draw(earliest_in(tz_name))
    tz = pytz.timezone(tz_name)
    earliest_day = local_of(earliest, tz).date()
    target = earliest_day + timedelta(days=day_shift) if with_target else None
    policy = SendPolicy("marketing", quiet_start=quiet[0], quiet_end=quiet[1],
                        target_local_date=target)
    profile = profile_for(tz_name, seed)
    sent, why = next_send_time(profile, policy, earliest)
    loc = check_common(sent, earliest, tz, policy)

    if target is not None:
        on_target = sendable_on_day(tz, policy, earliest, target)
        if on_target:
            assert loc.date() == target
            check_best_in(profile, sent, on_target)
            return
        assert loc.date() > target
        assert "no sendable hour left" in why
        day = max(target + timedelta(days=1), earliest_day)
    else:
        day = earliest_day
    # documented fallback: the first day (from there) that still has a sendable instant
    while not (options := sendable_on_day(tz, policy, earliest, day)):
        day += timedelta(days=1)
    assert loc.date() == day
    check_best_in(profile, sent, options)


@SETTINGS
@given(data=st.data(), tz_name=ZONES, quiet=QUIET, seed=st.integers(0, 10**6),
       deadline_h=st.integers(1, 36), min_score=st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]))
def test_conversation_first_likely_online_slot_within_deadline(
    data, tz_name, quiet, seed, deadline_h, min_score
):
    earliest = data.draw(earliest_in(tz_name))
    tz = pytz.timezone(tz_name)
    deadline = timedelta(hours=deadline_h)
    policy = SendPolicy("conversation", quiet_start=quiet[0], quiet_end=quiet[1],
                        deadline=deadline, min_score=min_score)
    profile = profile_for(tz_name, seed)
    sent, why = next_send_time(profile, policy, earliest)
    check_common(sent, earliest, tz, policy)

    window = list(sendable(grid(earliest, earliest + deadline), tz, policy))
    if not window:
        assert "quiet hours" in why
        assert sent == first_sendable(tz, policy, earliest)
        return
    assert sent <= earliest + deadline
    threshold = min_score * max(profile.weights)
    likely = [t for t, loc in window if weight(profile, loc) >= threshold]
    if likely:
        assert sent == min(likely)
    else:
        check_best_in(profile, sent, window)


@settings(max_examples=500, deadline=None)
@given(tz_name=ZONES, minutes=st.integers(0, (END - START) // MINUTE))
def test_localize_inverts_to_local_except_in_second_occurrences(tz_name, minutes):
    instant = START + timedelta(minutes=minutes)
    naive = to_local(instant, tz_name).replace(tzinfo=None)
    resolved = localize(naive, tz_name)
    assert resolved <= instant  # first occurrence never later
    assert to_local(resolved, tz_name).replace(tzinfo=None) == naive


@settings(max_examples=500, deadline=None)
@given(tz_name=ZONES, data=st.data())
def test_localize_of_nonexistent_time_is_first_instant_after_gap(tz_name, data):
    changes = utc_transitions(tz_name, START, END)
    if not changes:
        return
    change = data.draw(st.sampled_from(changes))
    before = local_of(change - MINUTE, pytz.timezone(tz_name)) + MINUTE
    after = local_of(change, pytz.timezone(tz_name))
    if after <= before:
        return  # fall-back or offset-preserving change: no gap
    offset = data.draw(st.integers(0, (after - before) // MINUTE - 1))
    naive = before + timedelta(minutes=offset)  # inside the gap [before, after)
    assert localize(naive, tz_name) == change
