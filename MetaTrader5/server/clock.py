"""The simulated server's clock and time zone (spec 3.3.1 timezone fields, spec 4.3).

Every time the protocol carries is "server wall-clock" epoch time: UTC shifted by the server
offset. The offset is whole hours only (spec 4.3: the Web Terminal misreads anything else) and
travels in the account header as ``timezone_shift`` (seconds) + 3600 x ``daylight_mode``.

Zones (``[server] timezone`` in the config, parsed by :func:`parse_timezone`):

* ``"us-dst+2"`` (default, like most brokers): UTC+2, UTC+3 while US daylight saving is in
  effect, i.e. from the second Sunday of March 07:00 UTC (02:00 New York standard time) to the
  first Sunday of November 06:00 UTC (02:00 New York daylight time). New York 17:00 is then
  always server midnight. ``"us-dst"`` alone means ``"us-dst+2"``; any whole base hour works.
* ``"+3"``, ``"-5"``, ``"utc+3"``: a fixed offset in whole hours, never switching.
* ``"utc"`` (or ``"0"``, ``"none"``): server time is UTC.

A server whose zone switches must re-send the account block (push 14) when it does, because the
client derives its clock from those two fields.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DEFAULT_TIMEZONE", "ServerClock", "ServerTimezone", "parse_timezone", "us_dst_bounds"]

_HOUR = 3600
_TZ_RE = re.compile(r"^(?:(?P<dst>us-dst)|(?:utc|fixed)?)(?P<hours>[+-]?\d{1,2})?$")


@functools.lru_cache(maxsize=256)
def us_dst_bounds(year: int) -> tuple[int, int]:
    """UTC epoch seconds when US daylight saving starts and ends in ``year``.

    Start: second Sunday of March, 02:00 EST = 07:00 UTC. End: first Sunday of November,
    02:00 EDT = 06:00 UTC (rule in force since 2007; applied to every year here).
    """
    march1 = _dt.date(year, 3, 1)
    first_sunday_march = 1 + (6 - march1.weekday()) % 7
    start = _dt.datetime(year, 3, first_sunday_march + 7, 7, tzinfo=_dt.UTC)
    nov1 = _dt.date(year, 11, 1)
    first_sunday_nov = 1 + (6 - nov1.weekday()) % 7
    end = _dt.datetime(year, 11, first_sunday_nov, 6, tzinfo=_dt.UTC)
    return int(start.timestamp()), int(end.timestamp())


@dataclass(frozen=True, slots=True)
class ServerTimezone:
    """A whole-hour server zone: ``base_hours`` from UTC, plus one hour in US DST if ``us_dst``."""

    base_hours: int = 2
    us_dst: bool = True

    def __post_init__(self) -> None:
        if not -12 <= self.base_hours <= 14:
            raise ValueError(f"server time zone offset {self.base_hours} h is out of range")

    def is_dst(self, utc_seconds: int) -> bool:
        """Whether daylight saving is in effect at this UTC instant."""
        if not self.us_dst:
            return False
        year = _dt.datetime.fromtimestamp(utc_seconds, _dt.UTC).year
        start, end = us_dst_bounds(year)
        return start <= utc_seconds < end

    def offset_seconds(self, utc_seconds: int) -> int:
        """Server time minus UTC, in seconds, at this UTC instant."""
        return (self.base_hours + (1 if self.is_dst(utc_seconds) else 0)) * _HOUR

    def account_fields(self, utc_seconds: int) -> tuple[int, int]:
        """``(timezone_shift, daylight_mode)`` for the account header (spec 3.3.1)."""
        return self.base_hours * _HOUR, 1 if self.is_dst(utc_seconds) else 0

    def describe(self) -> str:
        """The config spelling of this zone (inverse of :func:`parse_timezone`)."""
        sign = "+" if self.base_hours >= 0 else "-"
        if self.us_dst:
            return f"us-dst{sign}{abs(self.base_hours)}"
        return "utc" if self.base_hours == 0 else f"{sign}{abs(self.base_hours)}"


#: UTC+2, UTC+3 during US daylight saving.
DEFAULT_TIMEZONE = ServerTimezone(2, True)


def parse_timezone(text: str) -> ServerTimezone:
    """Parse a zone spelling (module docstring).

    Raises:
        ValueError: not a recognised spelling, or an offset outside -12..+14 hours.
    """
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in ("utc", "none", "gmt"):
        return ServerTimezone(0, False)
    match = _TZ_RE.match(cleaned)
    if match is None or cleaned == "":
        raise ValueError(
            f"invalid server time zone {text!r}: use 'us-dst+2', a whole-hour offset "
            "such as '+3', or 'utc'"
        )
    hours_text = match.group("hours")
    if match.group("dst"):
        return ServerTimezone(int(hours_text) if hours_text else 2, True)
    if hours_text is None:
        raise ValueError(f"invalid server time zone {text!r}: missing the offset in hours")
    return ServerTimezone(int(hours_text), False)


def _real_now_utc_ms() -> int:
    return time.time_ns() // 1_000_000


class ServerClock:
    """Server time from an injectable UTC source (real time by default)."""

    def __init__(
        self,
        timezone: ServerTimezone = DEFAULT_TIMEZONE,
        now_utc_ms: Callable[[], int] | None = None,
    ) -> None:
        self.timezone = timezone
        self._now_utc_ms = now_utc_ms or _real_now_utc_ms

    def now_utc_ms(self) -> int:
        """Current UTC time, epoch milliseconds."""
        return int(self._now_utc_ms())

    def now_server_ms(self) -> int:
        """Current server wall-clock time, epoch milliseconds (what the protocol carries)."""
        utc_ms = self.now_utc_ms()
        return utc_ms + 1000 * self.timezone.offset_seconds(utc_ms // 1000)

    def to_server(self, utc_seconds: int) -> int:
        """UTC epoch seconds -> server epoch seconds."""
        return utc_seconds + self.timezone.offset_seconds(utc_seconds)

    def to_utc(self, server_seconds: int) -> int:
        """Server epoch seconds -> UTC epoch seconds.

        Server time is not one-to-one around a DST switch. At the spring switch one server hour
        never happens: such a time is read with the standard (pre-switch) offset, which lands
        one hour after the switch. At the autumn switch one server hour happens twice: the
        earlier UTC instant (the first occurrence, still on daylight time) is returned.
        """
        tz = self.timezone
        std = tz.base_hours * _HOUR
        candidates = [
            server_seconds - off
            for off in (std + _HOUR, std)
            if tz.offset_seconds(server_seconds - off) == off
        ]
        if candidates:
            return min(candidates)
        return server_seconds - std

    def account_fields(self, utc_seconds: int | None = None) -> tuple[int, int]:
        """``(timezone_shift, daylight_mode)`` at ``utc_seconds`` (default: now), spec 3.3.1."""
        at = self.now_utc_ms() // 1000 if utc_seconds is None else utc_seconds
        return self.timezone.account_fields(at)

    @property
    def timezone_shift(self) -> int:
        """Account-header ``timezone_shift`` now (seconds, whole hours)."""
        return self.account_fields()[0]

    @property
    def daylight_mode(self) -> int:
        """Account-header ``daylight_mode`` now (1 while DST adds 3600 s)."""
        return self.account_fields()[1]
