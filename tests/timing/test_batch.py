from datetime import date, time

from crossborder_crm.timing import (
    OnlineProfile,
    SendPolicy,
    default_profile,
    engine,
    next_send_time,
    next_send_times,
)

from . import make_profile, utc

EARLIEST = utc(2024, 3, 4, 9, 0)
POLICY = SendPolicy("marketing", target_local_date=date(2024, 3, 6))


def _rows():
    madrid = default_profile("ES", "Europe/Madrid")
    tokyo = default_profile("JP", "Asia/Tokyo")
    learned = make_profile("America/Chicago", peaks={10: 1.0}, country="US")
    transactional = SendPolicy("transactional")
    return [
        (madrid, POLICY, EARLIEST),
        (tokyo, POLICY, EARLIEST),
        (madrid, POLICY, EARLIEST),
        (learned, POLICY, EARLIEST),
        (madrid, transactional, utc(2024, 3, 4, 23, 0)),
        (tokyo, POLICY, EARLIEST),
    ]


def test_batch_matches_per_row_results_in_order():
    rows = _rows()
    assert next_send_times(rows) == [next_send_time(*row) for row in rows]


def test_batch_computes_once_per_distinct_key(monkeypatch):
    calls = []
    real = engine.next_send_time

    def counting(profile, policy, earliest):
        calls.append((profile.timezone, policy.kind))
        return real(profile, policy, earliest)

    monkeypatch.setattr(engine, "next_send_time", counting)
    rows = _rows() * 1000
    results = next_send_times(rows)
    assert len(results) == 6000
    assert len(calls) == 4  # madrid/marketing, tokyo, learned, madrid/transactional


def test_batch_shares_work_between_equal_profile_objects(monkeypatch):
    calls = []
    real = engine.next_send_time
    monkeypatch.setattr(engine, "next_send_time", lambda *a: calls.append(a) or real(*a))
    weights = tuple([0.5] * 168)
    rows = [(OnlineProfile("Europe/Paris", "FR", weights), POLICY, EARLIEST) for _ in range(50)]
    next_send_times(rows)
    assert len(calls) == 1


def test_batch_distinguishes_policies_and_earliest():
    profile = make_profile(peaks={20: 1.0})
    a = SendPolicy("transactional")
    b = SendPolicy("transactional", quiet_start=time(22, 0), quiet_end=time(7, 0))
    late = utc(2024, 3, 4, 21, 0)  # 22:00 Madrid
    results = next_send_times([(profile, a, late), (profile, b, late), (profile, a, EARLIEST)])
    assert results[0][0] == utc(2024, 3, 5, 7, 30)
    assert results[1][0] == utc(2024, 3, 5, 6, 0)
    assert results[2][0] == EARLIEST


def test_batch_accepts_any_iterable():
    assert next_send_times(iter(_rows())) == next_send_times(_rows())


def test_batch_of_nothing_is_empty():
    assert next_send_times([]) == []
