"""Server time zone: US-DST switches, offsets, account fields, conversions, parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from MetaTrader5.server.clock import (
    DEFAULT_TIMEZONE,
    ServerClock,
    ServerTimezone,
    parse_timezone,
    us_dst_bounds,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC).timestamp())


def test_us_dst_dates_2026() -> None:
    # 2026: second Sunday of March = 8th, first Sunday of November = 1st.
    assert us_dst_bounds(2026) == (utc(2026, 3, 8, 7), utc(2026, 11, 1, 6))
    assert us_dst_bounds(2025) == (utc(2025, 3, 9, 7), utc(2025, 11, 2, 6))


def test_default_offsets_around_the_switches() -> None:
    tz = DEFAULT_TIMEZONE
    assert tz.offset_seconds(utc(2026, 1, 15, 12)) == 7200
    assert tz.offset_seconds(utc(2026, 7, 1, 12)) == 10800
    assert tz.offset_seconds(utc(2026, 3, 8, 6, 59, 59)) == 7200
    assert tz.offset_seconds(utc(2026, 3, 8, 7)) == 10800
    assert tz.offset_seconds(utc(2026, 11, 1, 5, 59, 59)) == 10800
    assert tz.offset_seconds(utc(2026, 11, 1, 6)) == 7200


@pytest.mark.parametrize("when", [utc(2026, 1, 15), utc(2026, 6, 1), utc(2026, 12, 24)])
def test_account_fields_sum_to_the_offset(when: int) -> None:
    shift, daylight = DEFAULT_TIMEZONE.account_fields(when)
    assert shift == 7200
    assert daylight in (0, 1)
    assert shift + 3600 * daylight == DEFAULT_TIMEZONE.offset_seconds(when)
    assert shift % 3600 == 0


def test_fixed_and_utc_zones() -> None:
    fixed = parse_timezone("+3")
    assert fixed == ServerTimezone(3, False)
    assert fixed.offset_seconds(utc(2026, 7, 1)) == 10800
    assert fixed.account_fields(utc(2026, 7, 1)) == (10800, 0)
    assert parse_timezone("utc").offset_seconds(utc(2026, 7, 1)) == 0
    assert parse_timezone("-5").offset_seconds(utc(2026, 7, 1)) == -18000
    assert parse_timezone("us-dst") == DEFAULT_TIMEZONE
    assert parse_timezone("US-DST+1") == ServerTimezone(1, True)
    assert parse_timezone("utc+3") == fixed


@pytest.mark.parametrize("text", ["", "+2:30", "abc", "us-dst+99", "+15", "utc+"])
def test_bad_zones_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timezone(text)


@pytest.mark.parametrize(
    "tz", [DEFAULT_TIMEZONE, ServerTimezone(3, False), ServerTimezone(0, False),
           ServerTimezone(-4, True)]
)
def test_describe_roundtrips(tz: ServerTimezone) -> None:
    assert parse_timezone(tz.describe()) == tz


def test_clock_uses_the_injected_source() -> None:
    now = [utc(2026, 7, 1, 12) * 1000 + 123]
    clock = ServerClock(DEFAULT_TIMEZONE, lambda: now[0])
    assert clock.now_server_ms() == now[0] + 10_800_000
    now[0] = utc(2026, 12, 1, 12) * 1000
    assert clock.now_server_ms() == now[0] + 7_200_000
    assert (clock.timezone_shift, clock.daylight_mode) == (7200, 0)


def test_to_server_and_back() -> None:
    clock = ServerClock(DEFAULT_TIMEZONE, lambda: 0)
    for t in (utc(2026, 1, 1), utc(2026, 6, 30, 23, 59), utc(2026, 3, 8, 7), utc(2026, 11, 1, 7)):
        assert clock.to_utc(clock.to_server(t)) == t


def test_autumn_ambiguity_takes_the_first_occurrence() -> None:
    clock = ServerClock(DEFAULT_TIMEZONE, lambda: 0)
    # 05:30 UTC (server 08:30, DST) and 06:30 UTC (server 08:30, standard) share a server time.
    first, second = utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)
    assert clock.to_server(first) == clock.to_server(second)
    assert clock.to_utc(clock.to_server(second)) == first


def test_spring_gap_uses_the_standard_offset() -> None:
    clock = ServerClock(DEFAULT_TIMEZONE, lambda: 0)
    # Server 09:30 on 2026-03-08 never happens (09:00 standard jumps to 10:00 daylight).
    missing = utc(2026, 3, 8, 9, 30)
    assert clock.to_utc(missing) == missing - 7200
    assert clock.to_server(missing - 7200) == missing + 3600
