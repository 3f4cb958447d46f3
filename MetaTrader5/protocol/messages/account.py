"""Account block: cmd 3 response and push 14 (spec 3.3), with the count=0 quirk."""

from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass

from ..assumptions import ACCOUNT_TRADE_SETTINGS_COUNT_QUIRK
from ..codec import Buffer, Reader, encode_counted
from ..exceptions import EncodeError, OversizedCountError
from ..schemas.account import (
    NEUTRAL_TRADE_SETTINGS,
    AccountHeader,
    Commission,
    CommissionTier,
    LeverageRule,
    LeverageTier,
    TradeSettings,
)

__all__ = ["LeverageRuleSet", "CommissionSet", "AccountInfo", "encode_account", "decode_account"]


@dataclass(frozen=True, slots=True)
class LeverageRuleSet:
    """A floating-leverage rule with its tiers (spec 3.3.3)."""

    rule: LeverageRule
    tiers: tuple[LeverageTier, ...] = ()


@dataclass(frozen=True, slots=True)
class CommissionSet:
    """A commission rule with its tiers (spec 3.3.4)."""

    commission: Commission
    tiers: tuple[CommissionTier, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """The whole account block (spec 3.3): sections 1-7."""

    header: AccountHeader
    trade_settings: tuple[TradeSettings, ...] = ()
    trade_flags: int = 0
    symbols_count: int = 0
    leverage_flags: int = 0
    leverage_rules: tuple[LeverageRuleSet, ...] = ()
    commissions: tuple[CommissionSet, ...] = ()


def encode_account(info: AccountInfo) -> bytes:
    """Encode the account block. An empty ``trade_settings`` is sent as one neutral "*"
    entry, because the JS mis-parses a count of 0 (spec 3.3 quirk, 7.4)."""
    settings = info.trade_settings or (NEUTRAL_TRADE_SETTINGS,)
    parts = [info.header.encode(), encode_counted(settings)]
    try:
        parts.append(struct.pack("<iiQi", info.trade_flags, info.symbols_count,
                                 info.leverage_flags, len(info.leverage_rules)))
    except struct.error:
        raise EncodeError("account: trade_flags/symbols_count/leverage_flags range") from None
    for entry in info.leverage_rules:
        parts.append(dataclasses.replace(entry.rule, tier_count=len(entry.tiers)).encode())
        parts.extend(t.encode() for t in entry.tiers)
    parts.append(struct.pack("<I", len(info.commissions)))
    for com in info.commissions:
        parts.append(com.commission.encode())
        parts.append(encode_counted(com.tiers))
    return b"".join(parts)


#: spec 3.3 sections 3-6 head: i32 trade_flags, i32 symbols_count, u64 leverage_flags,
#: i32 leverage rule count (read one by one, with the same results, when the body is shorter).
_FLAGS = struct.Struct("<iiQi")


def decode_account(body: Buffer, where: str = "cmd 3 account") -> AccountInfo:
    """Decode the account block; sections 2-7 are read only if bytes remain (spec 3.3)."""
    r = Reader(body, where)
    header = r.record(AccountHeader)
    settings: tuple[TradeSettings, ...] = ()
    # spec 3.3 quirk: the JS skips the count only when it is non-zero.
    if r.remaining and (r.peek_u32() != 0 or not ACCOUNT_TRADE_SETTINGS_COUNT_QUIRK):
        settings = r.counted(TradeSettings, "trade settings")
    count: int | None = None
    if r.remaining >= _FLAGS.size:  # the usual body: sections 3-5 and the rule count at once
        trade_flags, symbols_count, leverage_flags, count = _FLAGS.unpack_from(body, r.pos)
        r.pos += _FLAGS.size
    else:
        trade_flags = r.scalar("i", "trade_flags") if r.remaining else 0
        symbols_count = r.scalar("i", "symbols_count") if r.remaining else 0
        leverage_flags = r.scalar("Q", "leverage_flags") if r.remaining else 0
        if r.remaining:
            count = r.scalar("i", "leverage rule count")
    rules: list[LeverageRuleSet] = []
    if count is not None:
        _check_count(r, count, LeverageRule.SIZE, "leverage rules")
        for _ in range(count):
            rule = r.record(LeverageRule)
            rules.append(LeverageRuleSet(rule, r.records(LeverageTier, rule.tier_count, "tiers")))
    commissions: list[CommissionSet] = []
    if r.remaining:
        count = r.scalar("I", "commission count")
        _check_count(r, count, Commission.SIZE + 4, "commissions")
        for _ in range(count):
            com = r.record(Commission)
            commissions.append(CommissionSet(com, r.counted(CommissionTier, "commission tiers")))
    r.finish()
    return AccountInfo(header, settings, trade_flags, symbols_count, leverage_flags,
                       tuple(rules), tuple(commissions))


def _check_count(r: Reader, count: int, min_size: int, name: str) -> None:
    if count < 0 or count * min_size > r.remaining:
        raise OversizedCountError(
            f"{r.where}: count {count} of {name} at offset {r.pos} cannot fit in "
            f"{r.remaining} bytes"
        )
