"""Path/name masks of the terminal: comma-separated, ``*`` wildcard, ``!`` excludes.

Two users: the account's trade-settings entries (spec 3.3.2: an entry applies to a symbol
path if some plain mask matches and no ``!`` mask matches) and ``symbols_get(group)``, which
the official terminal filters itself (API.md 2.9: inclusions first, then exclusions; an
empty group selects everything). Matching is whole-string and case-insensitive, as MT5's
own group masks are; only ``*`` is special.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

__all__ = ["compile_masks", "masks_match"]


@lru_cache(maxsize=256)
def _pattern(mask: str) -> re.Pattern[str]:
    parts = (re.escape(p) for p in mask.split("*"))
    return re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=256)
def compile_masks(masks: str) -> Callable[..., bool]:
    """A predicate ``match(*names)`` for one mask list: true when an inclusion matches one
    of the names (e.g. a symbol's name and path) and no exclusion matches any of them; an
    empty list matches everything."""
    tokens = [t.strip() for t in masks.split(",")]
    tokens = [t for t in tokens if t]
    include = [_pattern(t) for t in tokens if not t.startswith("!")]
    exclude = [_pattern(t.lstrip("!")) for t in tokens if t.startswith("!")]
    if not tokens:
        return lambda *_names: True
    if not include:
        # "!X" alone: everything but X (inclusions first: none given means all).
        include = [_pattern("*")]

    def match(*names: str) -> bool:
        given = [n for n in names if n]
        return any(p.fullmatch(n) for p in include for n in given) and not any(
            p.fullmatch(n) for p in exclude for n in given
        )

    return match


def masks_match(masks: str, *names: str) -> bool:
    """True if the mask list selects the item known by ``names`` (see ``compile_masks``)."""
    return compile_masks(masks)(*names)
