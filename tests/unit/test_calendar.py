"""Working-day calendar and due dates on dossier receipts (2026 and 2027 spelled out)."""

from __future__ import annotations

import json
import math
import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from api.dossiers.calendar import (
    CHIEN_THANG,
    DEFAULT_ANNOUNCED_FILE,
    EXTRA_DAY_OFF,
    GIO_TO,
    LAO_DONG,
    QUOC_KHANH,
    TET_DUONG_LICH,
    TET_NGUYEN_DAN,
    WorkCalendar,
    default_quoc_khanh_adjacent,
    default_tet_days,
    gio_to_hung_vuong,
    last_day_of_lunar_year,
    lunar_new_year,
)
from api.dossiers.lunar import lunar_month_length, lunar_to_solar

D = date


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """The shipped calendar: law + data/calendar/announced.json."""
    return WorkCalendar()


@pytest.fixture(scope="module")
def law() -> WorkCalendar:
    """Law and documented defaults only, no announcement."""
    return WorkCalendar(announced={})


# --- lunar dates ---------------------------------------------------------------------------------


def test_tet_nguyen_dan_2026_and_2027():
    assert lunar_new_year(2026) == D(2026, 2, 17)
    assert lunar_new_year(2027) == D(2027, 2, 6)
    for y in (2026, 2027):
        assert lunar_to_solar(1, 1, y) == lunar_new_year(y)


def test_last_day_of_lunar_year_is_the_real_one():
    # Ất Tỵ and Bính Ngọ both end on 29 tháng Chạp: there is no 30 tháng Chạp to take.
    assert last_day_of_lunar_year(2026) == D(2026, 2, 16)
    assert last_day_of_lunar_year(2027) == D(2027, 2, 5)
    for y in (2025, 2026):
        with pytest.raises(ValueError):
            lunar_to_solar(30, 12, y)
    thirties = 0
    for y in range(2000, 2101):
        length = lunar_month_length(12, y - 1)
        assert length in (29, 30)
        assert last_day_of_lunar_year(y) == lunar_to_solar(length, 12, y - 1)
        thirties += length == 30
    assert thirties > 0  # the loop did meet years that end on the 30th


def test_gio_to_hung_vuong_2026_and_2027():
    assert gio_to_hung_vuong(2026) == D(2026, 4, 26)
    assert gio_to_hung_vuong(2026).weekday() == 6  # a Sunday
    assert gio_to_hung_vuong(2027) == D(2027, 4, 16)
    for y in (2026, 2027):
        assert gio_to_hung_vuong(y) == lunar_to_solar(10, 3, y)


def test_lunar_dates_are_cached_per_year():
    lunar_new_year.cache_clear()
    lunar_new_year(2031)
    lunar_new_year(2031)
    assert lunar_new_year.cache_info().hits >= 1


# --- holidays ------------------------------------------------------------------------------------


def test_holidays_2026_with_announcements(cal):
    assert cal.holidays(2026) == {
        D(2026, 1, 1): TET_DUONG_LICH,
        D(2026, 1, 2): "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01/2026)",
        D(2026, 2, 16): TET_NGUYEN_DAN,
        D(2026, 2, 17): TET_NGUYEN_DAN,
        D(2026, 2, 18): TET_NGUYEN_DAN,
        D(2026, 2, 19): TET_NGUYEN_DAN,
        D(2026, 2, 20): TET_NGUYEN_DAN,
        D(2026, 4, 26): GIO_TO,
        D(2026, 4, 27): f"Nghỉ bù {GIO_TO}",
        D(2026, 4, 30): CHIEN_THANG,
        D(2026, 5, 1): LAO_DONG,
        D(2026, 8, 31): "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/08/2026)",
        D(2026, 9, 1): QUOC_KHANH,
        D(2026, 9, 2): QUOC_KHANH,
    }


def test_holidays_2027_use_the_defaults(cal):
    # No announcement for 2027 was confirmed: Tết = 29 tháng Chạp + mùng 1–4, the weekend
    # days among them made up after the break; 3/9 joins 2/9 (a Thursday) to the weekend.
    assert cal.holidays(2027) == {
        D(2027, 1, 1): TET_DUONG_LICH,
        D(2027, 2, 5): TET_NGUYEN_DAN,
        D(2027, 2, 6): TET_NGUYEN_DAN,
        D(2027, 2, 7): TET_NGUYEN_DAN,
        D(2027, 2, 8): TET_NGUYEN_DAN,
        D(2027, 2, 9): TET_NGUYEN_DAN,
        D(2027, 2, 10): f"Nghỉ bù {TET_NGUYEN_DAN}",
        D(2027, 2, 11): f"Nghỉ bù {TET_NGUYEN_DAN}",
        D(2027, 4, 16): GIO_TO,
        D(2027, 4, 30): CHIEN_THANG,
        D(2027, 5, 1): LAO_DONG,
        D(2027, 5, 3): f"Nghỉ bù {LAO_DONG}",
        D(2027, 9, 2): QUOC_KHANH,
        D(2027, 9, 3): QUOC_KHANH,
    }
    assert default_tet_days(2027) == tuple(D(2027, 2, d) for d in range(5, 10))


def test_law_alone_2026_matches_the_announced_tet_and_2_9(law, cal):
    # The announcement chose exactly the default Tết days and 1/9; only the swaps differ.
    assert default_tet_days(2026) == tuple(D(2026, 2, d) for d in range(16, 21))
    assert default_quoc_khanh_adjacent(2026) == D(2026, 9, 1)
    diff = set(cal.holidays(2026)) ^ set(law.holidays(2026))
    assert diff == {D(2026, 1, 2), D(2026, 8, 31)}
    assert law.is_working_day(D(2026, 1, 2)) and not law.is_working_day(D(2026, 1, 10))


@pytest.mark.parametrize(
    ("year", "weekday", "adjacent"),
    [
        (2024, "Mon", D(2024, 9, 3)),
        (2025, "Tue", D(2025, 9, 1)),
        (2026, "Wed", D(2026, 9, 1)),
        (2027, "Thu", D(2027, 9, 3)),
        (2022, "Fri", D(2022, 9, 1)),
        (2023, "Sat", D(2023, 9, 1)),
        (2029, "Sun", D(2029, 9, 3)),
    ],
)
def test_default_day_next_to_2_9(year, weekday, adjacent):
    assert D(year, 9, 2).strftime("%a") == weekday
    assert default_quoc_khanh_adjacent(year) == adjacent


def test_compensatory_days_for_weekend_holidays(law):
    h2028 = law.holidays(2028)  # 1/1/2028 is a Saturday
    assert D(2028, 1, 1).weekday() == 5 and h2028[D(2028, 1, 3)] == f"Nghỉ bù {TET_DUONG_LICH}"
    h2023 = law.holidays(2023)  # 2/9/2023 a Saturday: 1/9 off, made up on Monday 4/9
    assert h2023[D(2023, 9, 1)] == QUOC_KHANH and h2023[D(2023, 9, 4)] == f"Nghỉ bù {QUOC_KHANH}"
    h2029 = law.holidays(2029)  # 2/9/2029 a Sunday: 3/9 off, made up on Tuesday 4/9
    assert h2029[D(2029, 9, 3)] == QUOC_KHANH and h2029[D(2029, 9, 4)] == f"Nghỉ bù {QUOC_KHANH}"


@pytest.mark.parametrize("year", range(2025, 2061))
def test_every_year_has_eleven_weekdays_off_under_the_law(law, year):
    # Điều 112: 11 days; every one on a weekend is made up on a weekday (Điều 111).
    weekdays_off = [d for d in law.holidays(year) if d.weekday() < 5]
    assert len(weekdays_off) == 11
    assert all(d.year == year for d in law.holidays(year))


def test_weekends_and_announced_working_saturdays(cal):
    assert not cal.is_working_day(D(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(D(2026, 3, 8))  # Sunday
    assert cal.is_working_day(D(2026, 3, 9))
    assert cal.is_working_day(D(2026, 1, 10))  # Saturday worked for 2/1
    assert cal.is_working_day(D(2026, 8, 22))  # Saturday worked for 31/8
    assert not cal.is_working_day(D(2026, 2, 14))  # the Saturday before Tết
    assert not cal.is_working_day(D(2026, 4, 26))  # Giỗ Tổ on a Sunday
    assert not cal.is_working_day(datetime(2026, 4, 27, 10))  # its nghỉ bù, given as a datetime
    assert cal.is_working_day(D(2026, 4, 28))
    for d in cal.holidays(2026):
        assert not cal.is_working_day(d)


# --- due dates -----------------------------------------------------------------------------------


def test_due_date_across_tet_2026(cal):
    assert cal.due_date(at(2026, 2, 12), 1) == D(2026, 2, 13)
    assert cal.due_date(at(2026, 2, 12), 2) == D(2026, 2, 23)
    assert cal.due_date(at(2026, 2, 13), 3) == D(2026, 2, 25)
    assert cal.due_date(at(2026, 2, 18), 0) == D(2026, 2, 23)  # received during Tết
    assert cal.due_date(at(2026, 2, 13, 17, 5), 0) == D(2026, 2, 23)  # after hours on the eve


def test_due_date_across_tet_2027_default(cal):
    assert cal.due_date(at(2027, 2, 4), 1) == D(2027, 2, 12)
    assert cal.due_date(at(2027, 2, 3), 5) == D(2027, 2, 17)  # 4/2, 12/2, 15/2, 16/2, 17/2


def test_due_date_across_gio_to_and_30_4_2026(cal):
    assert cal.due_date(at(2026, 4, 24), 1) == D(2026, 4, 28)  # skips Sat, Sun, nghỉ bù Mon
    assert cal.due_date(at(2026, 4, 29), 1) == D(2026, 5, 4)
    assert cal.due_date(at(2026, 4, 29), 2) == D(2026, 5, 5)
    assert cal.due_date(at(2026, 4, 24), 5) == D(2026, 5, 6)  # 28/4, 29/4, 4/5, 5/5, 6/5


def test_due_date_across_30_4_2027_with_nghi_bu(cal):
    assert cal.due_date(at(2027, 4, 29), 1) == D(2027, 5, 4)


def test_due_date_across_2_9(cal):
    assert cal.due_date(at(2026, 8, 28), 1) == D(2026, 9, 3)  # 31/8 swapped, 1/9 and 2/9 off
    assert cal.due_date(at(2026, 8, 21), 1) == D(2026, 8, 22)  # the Saturday worked
    assert cal.due_date(at(2026, 8, 22, 10), 0) == D(2026, 8, 22)
    assert cal.due_date(at(2027, 9, 1), 1) == D(2027, 9, 6)


def test_due_date_after_office_hours(cal):
    assert cal.due_date(at(2026, 1, 15, 16, 59), 0) == D(2026, 1, 15)
    assert cal.due_date(at(2026, 1, 15, 17, 0), 0) == D(2026, 1, 16)
    assert cal.due_date(at(2026, 1, 15, 17, 30), 1) == D(2026, 1, 19)
    assert cal.due_date(at(2026, 1, 16, 18, 0), 0) == D(2026, 1, 19)  # Friday evening -> Monday
    early = WorkCalendar(office_closes_at=time(16, 30))
    assert early.due_date(at(2026, 1, 15, 16, 45), 0) == D(2026, 1, 16)
    assert early.due_date(at(2026, 1, 15, 16, 15), 0) == D(2026, 1, 15)


def test_due_date_received_on_a_saturday(cal):
    assert cal.received_working_day(at(2026, 3, 7, 9)) == D(2026, 3, 9)
    assert cal.due_date(at(2026, 3, 7, 9), 0) == D(2026, 3, 9)
    assert cal.due_date(at(2026, 3, 7, 9), 1) == D(2026, 3, 10)
    assert cal.due_date(at(2026, 1, 10, 9), 0) == D(2026, 1, 10)  # a Saturday that is worked


def test_due_date_zero_and_fractional_days(cal):
    assert cal.due_date(at(2026, 3, 10), 0) == D(2026, 3, 10)
    assert cal.due_date(at(2026, 3, 10), 0.5) == D(2026, 3, 11)
    assert cal.due_date(at(2026, 3, 10), 2.5) == D(2026, 3, 13)
    assert cal.due_date(at(2026, 3, 13), 0.25) == D(2026, 3, 16)
    assert cal.due_date(at(2026, 3, 10), 2.0000000001) == D(2026, 3, 12)  # float noise
    assert cal.due_date(at(2026, 3, 10), Decimal("1.5")) == D(2026, 3, 12)
    assert cal.due_date(D(2026, 3, 10), 1) == D(2026, 3, 11)  # a plain date: during office hours


def test_due_date_reads_aware_datetimes_in_vietnam_time(cal):
    utc = datetime(2026, 3, 10, 10, 30, tzinfo=timezone.utc)  # 17:30 in Hà Nội
    assert cal.due_date(utc, 0) == D(2026, 3, 11)
    paris = datetime(2026, 3, 9, 20, 0, tzinfo=timezone(timedelta(hours=1)))  # 02:00 on 10/3 ICT
    assert cal.due_date(paris, 0) == D(2026, 3, 10)


@pytest.mark.parametrize("bad", [-1, -0.5, float("nan"), float("inf")])
def test_due_date_rejects_bad_durations(cal, bad):
    with pytest.raises(ValueError):
        cal.due_date(at(2026, 3, 10), bad)


@pytest.mark.parametrize("bad", [True, "3", None])
def test_due_date_rejects_non_numbers(cal, bad):
    with pytest.raises(TypeError):
        cal.due_date(at(2026, 3, 10), bad)


# --- overrides from the deployment ---------------------------------------------------------------


def test_extra_days_from_the_environment(monkeypatch):
    monkeypatch.setenv("DVC_EXTRA_DAYS_OFF", "2027-02-04, 2027-02-12,")
    monkeypatch.setenv("DVC_EXTRA_WORKING_DAYS", "2027-02-20")
    c = WorkCalendar.from_settings()
    assert not c.is_working_day(D(2027, 2, 4)) and not c.is_working_day(D(2027, 2, 12))
    assert c.holidays(2027)[D(2027, 2, 4)] == EXTRA_DAY_OFF
    assert c.is_working_day(D(2027, 2, 20))  # a Saturday
    assert D(2027, 2, 20) not in c.holidays(2027)
    assert c.due_date(at(2027, 2, 3), 1) == D(2027, 2, 15)
    assert c.due_date(at(2027, 2, 19), 1) == D(2027, 2, 20)


def test_environment_overrides_announcements_and_law():
    # Say 2027's announcement picks 1/9 instead of the default 3/9, and a swap is cancelled.
    c = WorkCalendar.from_settings(
        {"DVC_EXTRA_DAYS_OFF": "2027-09-01,2026-01-10", "DVC_EXTRA_WORKING_DAYS": "2027-09-03"}
    )
    assert not c.is_working_day(D(2027, 9, 1)) and c.is_working_day(D(2027, 9, 3))
    assert D(2027, 9, 3) not in c.holidays(2027)
    assert not c.is_working_day(D(2026, 1, 10))  # the deployment wins over the file
    assert WorkCalendar.from_settings({}).holidays(2027) == WorkCalendar().holidays(2027)


def test_environment_typos_fail_loudly():
    with pytest.raises(ValueError, match="DVC_EXTRA_DAYS_OFF"):
        WorkCalendar.from_settings({"DVC_EXTRA_DAYS_OFF": "2027-02-30"})
    with pytest.raises(ValueError, match="DVC_EXTRA_WORKING_DAYS"):
        WorkCalendar.from_settings({"DVC_EXTRA_WORKING_DAYS": "20/02/2027"})
    with pytest.raises(ValueError, match="both off and working"):
        WorkCalendar.from_settings({"DVC_EXTRA_DAYS_OFF": "2027-02-20", "DVC_EXTRA_WORKING_DAYS": "2027-02-20"})


def test_announcements_from_a_dict_or_a_file(tmp_path):
    data = {
        "years": {
            "2027": {
                "tet": ["2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"],
                "quoc_khanh_adjacent": "2027-09-01",
                "days_off": [{"date": "2027-02-11", "name": "Nghỉ hoán đổi"}],
                "working_days": [{"date": "2027-02-20", "name": "Làm bù"}],
            }
        }
    }
    path = tmp_path / "announced.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    for c in (WorkCalendar(data), WorkCalendar(path), WorkCalendar(str(path))):
        h = c.holidays(2027)
        assert [d for d, n in h.items() if n == TET_NGUYEN_DAN] == [
            D(2027, 2, 4), D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10)
        ]
        assert f"Nghỉ bù {TET_NGUYEN_DAN}" not in h.values()  # every announced Tết day is a weekday
        assert h[D(2027, 2, 11)] == "Nghỉ hoán đổi" and c.is_working_day(D(2027, 2, 20))
        assert h[D(2027, 9, 1)] == QUOC_KHANH and D(2027, 9, 3) not in h


@pytest.mark.parametrize(
    "entry",
    [
        {"tet": ["2027-02-05"]},
        {"tet": ["2027-02-05"] * 5},
        {"quoc_khanh_adjacent": "2027-09-05"},
        {"days_off": [{"date": "2027-13-01", "name": "x"}]},
        {"days_off": [{"date": "2027-02-20", "name": "x"}], "working_days": [{"date": "2027-02-20", "name": "y"}]},
    ],
)
def test_bad_announcements_are_rejected(entry):
    with pytest.raises(ValueError):
        WorkCalendar({"years": {"2027": entry}})


def test_shipped_file_records_only_sourced_facts():
    data = json.loads(DEFAULT_ANNOUNCED_FILE.read_text(encoding="utf-8"))
    assert set(data["years"]) == {"2026"}  # nothing confirmed for 2027 yet
    for entry in data["years"].values():
        assert entry["checked"] == "2026-11-25"
        assert entry["sources"] and all(s["url"].startswith("https://") for s in entry["sources"])


# --- properties ----------------------------------------------------------------------------------


def test_due_date_properties_random_loop():
    rng = random.Random(20261125)
    c = WorkCalendar(extra_days_off=[D(2026, 6, 15), D(2027, 2, 12)], extra_working_days=[D(2027, 2, 20)])
    start = datetime(2025, 12, 1)
    for _ in range(3000):
        received = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 800))
        n = rng.choice([0, 0.5, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 45, rng.uniform(0, 40)])
        due = c.due_date(received, n)
        assert c.is_working_day(due)
        assert due >= received.date()
        first = c.received_working_day(received)
        assert first >= received.date() and c.is_working_day(first)
        # exactly ceil(n) working days after the received working day, none skipped
        worked = sum(1 for k in range(1, (due - first).days + 1) if c.is_working_day(first + timedelta(k)))
        assert worked == math.ceil(round(n, 6))
        assert c.due_date(received, n + 1) > due


def test_own_lunar_conversion_gives_the_known_tet_dates():
    from datetime import date as _date

    from api.dossiers.lunar import lunar_to_solar

    known = {1985: _date(1985, 1, 21), 2007: _date(2007, 2, 17), 2023: _date(2023, 1, 22),
             2024: _date(2024, 2, 10), 2025: _date(2025, 1, 29), 2026: _date(2026, 2, 17), 2027: _date(2027, 2, 6)}
    for year, tet in known.items():
        assert lunar_to_solar(1, 1, year) == tet, year
    assert lunar_to_solar(10, 3, 2026) == _date(2026, 4, 26)
