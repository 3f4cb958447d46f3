"""Every record layout of PROTOCOL.md, declared once as data (see ``codec.wire_record``)."""

from __future__ import annotations

from .account import (
    AccountHeader,
    Commission,
    CommissionTier,
    LeverageRule,
    LeverageTier,
    TradeSettings,
)
from .auth import (
    ChangePasswordRequest,
    ChangePasswordResponse,
    InitRequest,
    LoginRequest,
    LoginResponse,
    OtpSetupRequest,
)
from .market import (
    Bar,
    BookHeader,
    BookLevel,
    IdCount,
    RatesRequest,
    SpreadHead,
    SpreadLeg,
    SymbolDetails,
    SymbolId,
    Tick,
)
from .onboarding import (
    CorporateLink,
    DocumentHeader,
    KycBlock,
    OpenAccountResponse,
    OpeningForm,
    TraderParams,
    VerifyCodesRequest,
    VerifyResponse,
)
from .symbols import FullSymbol, Subscription, SymbolGroup, SymbolRecord
from .trading import (
    Deal,
    DealTransactionHead,
    HistoryRequest,
    Order,
    OrderTransaction,
    Position,
    TradeRequest,
    TradeResponse,
    TradeResult,
    TradeResultPush,
)

__all__ = [
    "AccountHeader", "TradeSettings", "LeverageRule", "LeverageTier", "Commission",
    "CommissionTier",
    "LoginRequest", "LoginResponse", "InitRequest", "ChangePasswordRequest",
    "ChangePasswordResponse", "OtpSetupRequest",
    "IdCount", "SymbolId", "Tick", "SymbolDetails", "RatesRequest", "Bar", "BookHeader",
    "BookLevel", "SpreadHead", "SpreadLeg",
    "OpeningForm", "VerifyCodesRequest", "VerifyResponse", "OpenAccountResponse", "KycBlock",
    "DocumentHeader", "TraderParams", "CorporateLink",
    "SymbolGroup", "SymbolRecord", "Subscription", "FullSymbol",
    "Position", "Order", "Deal", "HistoryRequest", "TradeRequest", "TradeResponse",
    "TradeResult", "TradeResultPush", "OrderTransaction", "DealTransactionHead",
]  # fmt: skip

#: Every record class with its spec size, for tests and tools.
ALL_RECORDS = tuple(globals()[name] for name in __all__)
