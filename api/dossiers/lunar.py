"""Vietnamese lunar calendar → solar dates, computed astronomically for UTC+7.

The Vietnamese calendar differs from the Chinese one only by its time zone (UTC+7 instead
of UTC+8), which now and then moves a new moon — and so Tết — by a day. The method is the
standard one: new moons from Meeus' series (Astronomical Algorithms, ch. 49), the sun's
longitude for the winter solstice (month 11 contains it) and for leap months (the first
month without a major solar term is the leap month).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import lru_cache

TIME_ZONE = 7.0
_EPOCH = date(1, 1, 1).toordinal() - 1721426  # date.toordinal() ↔ Julian day number


def _jd(d: date) -> int:
    return d.toordinal() - _EPOCH


def _from_jd(jd: int) -> date:
    return date.fromordinal(jd + _EPOCH)


def _new_moon(k: int) -> float:
    """Julian day (UT) of the k-th new moon after 1900-01-01."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 -= 0.4068 * math.sin(mpr * dr) - 0.0161 * math.sin(dr * 2 * mpr)
    c1 -= 0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 -= 0.0074 * math.sin(dr * (m - mpr)) - 0.0004 * math.sin(dr * (2 * f + m))
    c1 -= 0.0004 * math.sin(dr * (2 * f - m)) + 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        deltat = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        deltat = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - deltat


def _new_moon_day(k: int) -> int:
    """The local (UTC+7) day of the k-th new moon."""
    return int(_new_moon(k) + 0.5 + TIME_ZONE / 24)


def _sun_longitude_sector(jd: int) -> int:
    """Which 30° sector (0–11) of the ecliptic the sun is in at local midnight starting day ``jd``."""
    t = (jd - 2451545.5 - TIME_ZONE / 24) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    longitude = (l0 + dl) * dr
    longitude -= math.pi * 2 * math.floor(longitude / (math.pi * 2))  # floor: negative before 2000
    return int(longitude / math.pi * 6)


def _month_11(year: int) -> int:
    """Julian day of the first day of lunar month 11 of ``year`` (the month with the winter solstice)."""
    off = _jd(date(year, 12, 31)) - 2415021
    k = int(off / 29.530588853)
    nm = _new_moon_day(k)
    if _sun_longitude_sector(nm) >= 9:
        nm = _new_moon_day(k - 1)
    return nm


def _leap_month_offset(a11: int) -> int:
    k = int((a11 - 2415021.076998695) / 29.530588853 + 0.5)
    i, last = 1, 0
    arc = _sun_longitude_sector(_new_moon_day(k + i))
    while True:
        last = arc
        i += 1
        arc = _sun_longitude_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


@lru_cache(maxsize=1024)
def lunar_to_solar(day: int, month: int, lunar_year: int, leap: bool = False) -> date:
    """The solar date of ``day``/``month``/``lunar_year`` âm lịch (``leap`` for a leap month)."""
    if month < 11:
        a11, b11 = _month_11(lunar_year - 1), _month_11(lunar_year)
    else:
        a11, b11 = _month_11(lunar_year), _month_11(lunar_year + 1)
    k = int(0.5 + (a11 - 2415021.076998695) / 29.530588853)
    off = month - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365:  # a leap year: thirteen months between the two months 11
        leap_off = _leap_month_offset(a11)
        leap_month = (leap_off - 2) % 12
        if leap and month != leap_month:
            raise ValueError(f"{lunar_year} has no leap month {month}")
        if leap or off >= leap_off:
            off += 1
    elif leap:
        raise ValueError(f"{lunar_year} has no leap month")
    month_start = _new_moon_day(k + off)
    next_start = _new_moon_day(k + off + 1)
    if not 1 <= day <= next_start - month_start:
        raise ValueError(f"lunar date {day}/{month}/{lunar_year} does not exist")
    return _from_jd(month_start + day - 1)


def lunar_month_length(month: int, lunar_year: int) -> int:
    start = lunar_to_solar(1, month, lunar_year)
    following = lunar_to_solar(1, month + 1, lunar_year) if month < 12 else lunar_to_solar(1, 1, lunar_year + 1)
    return (following - start).days


__all__ = ["lunar_month_length", "lunar_to_solar", "timedelta"]
