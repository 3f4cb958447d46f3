"""The official client-side group matcher (API.md 2.9; mt5_api.json ``group_filter``).

Used by ``positions_get(group=)``, ``orders_get(group=)`` and the range form of
``history_orders_get``/``history_deals_get``; ``symbols_get(group=)`` is filtered by the
terminal instead. Rules:

1. the group is split on ``,``; leading spaces/commas of a token are skipped, trailing ones
   trimmed, inner spaces kept; a token holds at most 255 characters (a longer one goes on
   as a new token, like the official fixed buffer);
2. a name is kept iff some non-``!`` token matches and no ``!`` token matches (order does
   not matter); an empty group keeps nothing;
3. masks match the whole name, case-sensitively; only ``*`` is special; leading ``!`` are
   ignored when matching; an empty mask matches every non-empty name;
4. quirk kept on purpose: after a partial match fails, scanning resumes at the failing
   character instead of backtracking, so ``*00`` misses ``US1000`` and ``*bb`` misses ``bbb``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["mask_match", "group_match", "compile_group", "filter_by_group"]

_TOKEN_MAX = 255
_T = TypeVar("_T")


def mask_match(mask: str, name: str) -> bool:
    """Match ``name`` against one mask with the official single-pass wildcard scan."""
    pattern = mask.lstrip("!")
    end = len(pattern)
    size = len(name)
    i = 0
    star = -1  # index of the last '*' seen; the scan restarts after it
    while i < end and pattern[i] == "*":
        star = i
        i += 1
    if not size:
        return i == end
    s = 0
    while True:
        if i == end:
            return True
        if name[s] == pattern[i]:
            # Consume a run of literals; stop at '*', at either end, or at a mismatch.
            while i < end and s < size and pattern[i] != "*" and name[s] == pattern[i]:
                i += 1
                s += 1
            mismatch = i < end and s < size and pattern[i] != "*"
            if mismatch or (i == end and s < size):
                if star < 0:
                    return False
                i = star  # no backtracking of s: the quirk of rule 4
            elif i == end:
                return True
            if s == size:
                return pattern[i:].strip("*") == ""
            while i < end and pattern[i] == "*":
                star = i
                i += 1
            if i == end:
                return True
            continue  # compare the same name character with the literal after the star
        if star < 0:
            return False
        s += 1
        if s == size:
            return False


def _tokens(group: str) -> list[str]:
    tokens: list[str] = []
    i = 0
    length = len(group)
    while i < length:
        if group[i] in " ,":
            i += 1
            continue
        start = i
        while i < length and group[i] != "," and i - start < _TOKEN_MAX:
            i += 1
        tokens.append(group[start:i].rstrip(" ,"))
    return tokens


def compile_group(group: str) -> Callable[[str], bool]:
    """Return a predicate ``name -> kept`` for ``group`` (tokenized once)."""
    tokens = _tokens(group)
    excludes = [token for token in tokens if token.startswith("!")]
    includes = [token for token in tokens if not token.startswith("!")]

    def keep(name: str) -> bool:
        if any(mask_match(token, name) for token in excludes):
            return False
        return any(mask_match(token, name) for token in includes)

    return keep


def group_match(group: str, name: str) -> bool:
    """True iff ``name`` is selected by ``group`` (rules 1-4 above)."""
    return compile_group(group)(name)


def filter_by_group(
    items: Iterable[_T], group: str, name_of: Callable[[_T], str]
) -> tuple[_T, ...]:
    """Keep the items whose ``name_of(item)`` (normally the symbol) matches ``group``."""
    keep = compile_group(group)
    return tuple(item for item in items if keep(name_of(item)))
