"""Working days of the Vietnamese civil service, for the due date on a dossier receipt.

Processing times of administrative procedures are counted in working days (ngày làm
việc), so the date printed on the receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả)
must skip weekends, public holidays, compensatory days off and the days the
government swaps each year. Three layers decide whether a day is worked:

1. The law. Bộ luật Lao động 2019 (Luật số 45/2019/QH14), Điều 112 khoản 1: Tết
   Dương lịch (1/1), Tết Âm lịch (5 days), Ngày Chiến thắng (30/4), Quốc tế Lao động
   (1/5), Quốc khánh (2/9 and one day next to it, before or after) and Giỗ Tổ Hùng
   Vương (10/3 âm lịch); Điều 111: a holiday falling on the weekly rest day is made
   up on the next working day (nghỉ bù). Public offices rest on Saturday and Sunday.
   Each year the Prime Minister fixes which 5 days of Tết are off and which day joins
   2/9. Until that is announced (and for any year without an announcement) this
   module uses two documented defaults:

   * Tết: the last day of the lunar year (29 or 30 tháng Chạp, whichever really
     ends the year) and mùng 1 to mùng 4 of the new year;
   * Quốc khánh: the neighbour of 2/9 that is a weekday, preferring one that
     touches a weekend (a Monday or a Friday), then the day before (1/9).

2. The announcements, in ``data/calendar/announced.json``: the Tết days and the 2/9
   neighbour actually chosen, and swapped days (hoán đổi: a weekday off, a Saturday
   worked). Only what was confirmed from a public source is recorded there.

3. The deployment: ``extra_days_off`` / ``extra_working_days`` (or, through
   :meth:`WorkCalendar.from_settings`, ``DVC_EXTRA_DAYS_OFF`` /
   ``DVC_EXTRA_WORKING_DAYS``) add what the government announces after a release.
   They are plain overrides: they win over everything else and never move a nghỉ bù.

Lunar dates come from api.dossiers.lunar (astronomical, UTC+7), cached per year.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from api.dossiers.lunar import lunar_to_solar

DEFAULT_ANNOUNCED_FILE = Path(__file__).resolve().parents[2] / "data" / "calendar" / "announced.json"
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")  # no daylight saving time in Viet Nam
OFFICE_CLOSES_AT = time(17, 0)
ENV_EXTRA_DAYS_OFF = "DVC_EXTRA_DAYS_OFF"
ENV_EXTRA_WORKING_DAYS = "DVC_EXTRA_WORKING_DAYS"

TET_DUONG_LICH = "Tết Dương lịch"
TET_NGUYEN_DAN = "Tết Nguyên đán"
GIO_TO = "Giỗ Tổ Hùng Vương"
CHIEN_THANG = "Ngày Chiến thắng"
LAO_DONG = "Quốc tế Lao động"
QUOC_KHANH = "Quốc khánh"
NGHI_BU = "Nghỉ bù"
EXTRA_DAY_OFF = "Ngày nghỉ bổ sung (cấu hình triển khai)"

_ONE_DAY = timedelta(days=1)
# A calendar in which no day is worked for a whole year is a configuration error, not a due date.
_MAX_SEARCH_DAYS = 400


# --- lunar dates -------------------------------------------------------------------------------


def _lunar_to_solar(day: int, month: int, lunar_year: int) -> date:
    return lunar_to_solar(day, month, lunar_year)


@lru_cache(maxsize=512)
def lunar_new_year(year: int) -> date:
    """Mùng 1 Tết of the lunar year that starts in solar ``year`` (always 21/1–20/2)."""
    return _lunar_to_solar(1, 1, year)


@lru_cache(maxsize=512)
def last_day_of_lunar_year(year: int) -> date:
    """The real last day of the lunar year ending in solar ``year`` (29 or 30 tháng Chạp).

    Taken as the eve of the next new year rather than a fixed "30 tháng Chạp", which
    does not exist in years whose twelfth month has 29 days (2026, 2027).
    """
    return lunar_new_year(year) - _ONE_DAY


@lru_cache(maxsize=512)
def gio_to_hung_vuong(year: int) -> date:
    """10/3 âm lịch (of the ordinary, not a leap, third month) in solar ``year``."""
    return _lunar_to_solar(10, 3, year)


def default_tet_days(year: int) -> tuple[date, ...]:
    """Project default for the 5 Tết days: last day of the lunar year + mùng 1 to mùng 4."""
    first = last_day_of_lunar_year(year)
    return tuple(first + timedelta(days=i) for i in range(5))


def default_quoc_khanh_adjacent(year: int) -> date:
    """Project default for the day next to 2/9 when none was announced.

    Law leaves the choice (before or after) to the Prime Minister each year. The default
    takes the neighbour that is a weekday, then one that touches a weekend (Monday or
    Friday, so the break is not split), then the day before.
    """
    qk = date(year, 9, 2)
    before, after = qk - _ONE_DAY, qk + _ONE_DAY

    def rank(d: date) -> tuple[bool, bool, bool]:
        return (d.weekday() < 5, d.weekday() in (0, 4), d == before)

    return max((before, after), key=rank)


# --- parsing -------------------------------------------------------------------------------------


def parse_dates(text: str, *, source: str = "dates") -> list[date]:
    """Comma-separated ISO dates (``2027-02-04, 2027-02-05``); blanks are ignored."""
    out: list[date] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(date.fromisoformat(part))
        except ValueError as exc:  # a typo in deployment config must fail loudly, at start-up
            raise ValueError(f"{source}: {part!r} is not an ISO date (YYYY-MM-DD)") from exc
    return out


def _iso(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise ValueError(f"announced calendar, {where}: expected an ISO date string, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"announced calendar, {where}: {value!r} is not an ISO date") from exc


def _named_days(entries: Any, where: str) -> dict[date, str]:
    days: dict[date, str] = {}
    for i, entry in enumerate(entries or ()):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise ValueError(f"announced calendar, {where}[{i}]: expected {{'date': ..., 'name': ...}}")
        days[_iso(entry.get("date"), f"{where}[{i}]")] = entry["name"]
    return days


# --- the calendar --------------------------------------------------------------------------------


class WorkCalendar:
    """Working days of public offices: law + announcements + deployment overrides."""

    def __init__(
        self,
        announced: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        *,
        office_closes_at: time = OFFICE_CLOSES_AT,
    ) -> None:
        if announced is None:
            announced = DEFAULT_ANNOUNCED_FILE
        if not isinstance(announced, Mapping):
            announced = json.loads(Path(announced).read_text(encoding="utf-8"))
        self._tet: dict[int, tuple[date, ...]] = {}
        self._qk_adjacent: dict[int, date] = {}
        self._announced_off: dict[date, str] = {}
        self._announced_working: dict[date, str] = {}
        self._load_announced(announced)

        self._extra_off = frozenset(extra_days_off)
        self._extra_working = frozenset(extra_working_days)
        both = self._extra_off & self._extra_working
        if both:
            raise ValueError(f"dates both off and working: {sorted(d.isoformat() for d in both)}")
        self.office_closes_at = office_closes_at
        self._base_cache: dict[int, dict[date, str]] = {}

    @classmethod
    def from_settings(
        cls,
        environ: Mapping[str, str] | None = None,
        announced: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        *,
        office_closes_at: time = OFFICE_CLOSES_AT,
    ) -> WorkCalendar:
        """The shipped file plus ``DVC_EXTRA_DAYS_OFF`` / ``DVC_EXTRA_WORKING_DAYS``.

        Lets a deployment follow an announcement made after the release (comma-separated
        ISO dates) without a new version.
        """
        env = os.environ if environ is None else environ
        return cls(
            announced,
            extra_days_off=parse_dates(env.get(ENV_EXTRA_DAYS_OFF, ""), source=ENV_EXTRA_DAYS_OFF),
            extra_working_days=parse_dates(env.get(ENV_EXTRA_WORKING_DAYS, ""), source=ENV_EXTRA_WORKING_DAYS),
            office_closes_at=office_closes_at,
        )

    def _load_announced(self, data: Mapping[str, Any]) -> None:
        years = data.get("years", {})
        if not isinstance(years, Mapping):
            raise ValueError("announced calendar: 'years' must be an object keyed by year")
        for key, entry in years.items():
            year = int(key)
            where = f"years.{key}"
            if "tet" in entry:
                tet = tuple(_iso(v, f"{where}.tet") for v in entry["tet"])
                # Điều 112: Tết Âm lịch is 5 days; anything else given as Tết is a typo.
                if len(tet) != 5 or len(set(tet)) != 5:
                    raise ValueError(f"announced calendar, {where}.tet: expected 5 distinct dates")
                self._tet[year] = tuple(sorted(tet))
            if "quoc_khanh_adjacent" in entry:
                adjacent = _iso(entry["quoc_khanh_adjacent"], f"{where}.quoc_khanh_adjacent")
                if abs((adjacent - date(year, 9, 2)).days) != 1:
                    raise ValueError(f"announced calendar, {where}.quoc_khanh_adjacent: not next to 2/9")
                self._qk_adjacent[year] = adjacent
            self._announced_off.update(_named_days(entry.get("days_off"), f"{where}.days_off"))
            self._announced_working.update(_named_days(entry.get("working_days"), f"{where}.working_days"))
        both = self._announced_off.keys() & self._announced_working.keys()
        if both:
            raise ValueError(f"announced calendar: dates both off and working: {sorted(map(str, both))}")

    # -- holidays --

    def _statutory(self, year: int) -> dict[date, str]:
        days: dict[date, str] = {}

        def add(d: date, name: str) -> None:
            # Two holidays on one date (possible in theory for Giỗ Tổ and 30/4) give one day off:
            # the law makes up for a weekly rest day, not for a holiday that falls on another.
            days[d] = f"{days[d]}, {name}" if d in days else name

        add(date(year, 1, 1), TET_DUONG_LICH)
        for d in self._tet.get(year) or default_tet_days(year):
            add(d, TET_NGUYEN_DAN)
        add(gio_to_hung_vuong(year), GIO_TO)
        add(date(year, 4, 30), CHIEN_THANG)
        add(date(year, 5, 1), LAO_DONG)
        add(date(year, 9, 2), QUOC_KHANH)
        add(self._qk_adjacent.get(year) or default_quoc_khanh_adjacent(year), QUOC_KHANH)
        return days

    def _base(self, year: int) -> dict[date, str]:
        """Statutory holidays, their nghỉ bù and the announced days off of ``year`` (cached)."""
        cached = self._base_cache.get(year)
        if cached is not None:
            return cached
        statutory = self._statutory(year)
        off: dict[date, str] = dict(statutory)
        off.update({d: n for d, n in self._announced_off.items() if d.year == year})
        # Điều 111: a holiday on the weekly rest day (Saturday/Sunday) is made up on the next
        # day that would otherwise be worked; consecutive ones take consecutive days.
        for d in sorted(statutory):
            if d.weekday() < 5:
                continue
            comp = d + _ONE_DAY
            while comp.weekday() >= 5 or comp in off:
                comp += _ONE_DAY
            off[comp] = f"{NGHI_BU} {statutory[d]}"
        base = {d: off[d] for d in sorted(off)}
        self._base_cache[year] = base
        return base

    def holidays(self, year: int) -> dict[date, str]:
        """Non-working days of ``year`` other than ordinary weekends, with Vietnamese names.

        Includes holidays that fall on a weekend (their nghỉ bù is listed too), announced
        swapped days off and the deployment's extra days off; leaves out any day the
        announcements or the deployment make a working day.
        """
        candidates = dict(self._base(year))
        for d in sorted(self._extra_off):
            if d.year == year:
                candidates.setdefault(d, EXTRA_DAY_OFF)
        return {d: name for d, name in sorted(candidates.items()) if not self.is_working_day(d)}

    def is_working_day(self, d: date) -> bool:
        """Whether public offices work on ``d`` (a datetime counts by its date)."""
        if isinstance(d, datetime):
            d = d.date()
        if d in self._extra_working:
            return True
        if d in self._extra_off:
            return False
        if d in self._announced_working:
            return True
        return d.weekday() < 5 and d not in self._base(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _ in range(_MAX_SEARCH_DAYS):
            d += _ONE_DAY
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days after {d.isoformat()}")

    def add_working_days(self, start: date, n: int) -> date:
        """``start`` moved forward by ``n`` working days (``n`` = 0 returns ``start``)."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = start
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    # -- due dates --

    def received_working_day(self, received: datetime | date) -> date:
        """The working day a dossier counts as received on.

        A dossier received on a day off, or at/after the end of office hours
        (``office_closes_at``, 17:00 by default), counts as received on the next working
        day. Aware datetimes are read in Viet Nam time (UTC+7); naive ones are taken as
        Viet Nam time; a plain date counts as received during office hours.
        """
        if isinstance(received, datetime):
            if received.tzinfo is not None:
                received = received.astimezone(VIETNAM_TZ)
            day, after_hours = received.date(), received.time() >= self.office_closes_at
        else:
            day, after_hours = received, False
        if after_hours or not self.is_working_day(day):
            return self.next_working_day(day)
        return day

    def due_date(self, received: datetime | date, working_days: float) -> date:
        """The date to print on the receipt: the received working day + N working days.

        Rule (the project's convention for the one-stop desk, Nghị định 61/2018/NĐ-CP and
        Thông tư 01/2018/TT-VPCP, which define the receipt but not the arithmetic):

        * the dossier counts as received on :meth:`received_working_day` (next working
          day when received on a day off or after office hours);
        * like a term in days under Bộ luật Dân sự 2015, Điều 147–148, the day of
          receipt is not counted and a term never ends on a day off: the result is the
          received working day moved forward by N working days, so 0 means that same day;
        * a fractional N (0.5 day) rounds up to a whole working day; values are rounded
          to 6 decimals first so that float noise (2.0000000001) does not add a day.
        """
        if isinstance(working_days, bool | str | bytes):  # float("3") would hide a caller's bug
            raise TypeError("working_days must be a number")
        value = float(working_days)  # int, float, Decimal (a Numeric column) or Fraction
        if not math.isfinite(value) or value < 0:
            raise ValueError("working_days must be a finite number >= 0")
        n = math.ceil(round(value, 6))
        return self.add_working_days(self.received_working_day(received), n)
