"""Cost computed from the shipped, dated price table (``prices.json``) when a span reports none."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from otel_bridge.model import Cost, Usage, build

_PER_TOKEN = 1e-6  # the table's prices are per million tokens
_UNRESOLVED = object()


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens; ``cached`` is the price of cache-read input tokens, when it differs."""

    input: float
    output: float
    cached: float | None = None


class PriceTable:
    """Model prices as of ``date``."""

    def __init__(self, date: str, prices: dict[str, Price]) -> None:
        self.date = date
        self.prices = prices
        self._resolved: dict[str, Price | None] = {}

    def lookup(self, model: str) -> Price | None:
        """The price of ``model``: an exact match, else the longest table name the model starts with
        (``gpt-4o-mini-2024-07-18`` → ``gpt-4o-mini``), after dropping a provider path."""
        found = self._resolved.get(model, _UNRESOLVED)
        if found is _UNRESOLVED:
            found = self._resolved[model] = self._match(model.rsplit("/", 1)[-1].lower())
        return found  # type: ignore[return-value]

    def _match(self, name: str) -> Price | None:
        exact = self.prices.get(name)
        if exact is not None:
            return exact
        best = ""
        for known in self.prices:
            if len(known) > len(best) and name.startswith(known) and name[len(known)] in "-:@.":
                best = known
        return self.prices[best] if best else None

    def cost(self, model: str | None, usage: Usage) -> Cost | None:
        """The computed cost of ``usage`` on ``model``; None when the model is unknown or no tokens."""
        if not model or not (usage.input or usage.output):
            return None
        price = self.lookup(model)
        if price is None:
            return None
        cached = min(usage.cached, usage.input)
        cached_price = price.input if price.cached is None else price.cached
        input_cost = ((usage.input - cached) * price.input + cached * cached_price) * _PER_TOKEN
        output_cost = usage.output * price.output * _PER_TOKEN
        # ``build`` skips the frozen dataclass's slow __init__ (every field is given).
        return build(
            Cost,
            {
                "input": round(input_cost, 10),
                "output": round(output_cost, 10),
                "total": round(input_cost + output_cost, 10),
                "computed": True,
                "price_date": self.date,
            },
        )


@lru_cache(maxsize=1)
def default_price_table() -> PriceTable:
    """The price table shipped with otel-bridge."""
    raw = json.loads(resources.files("otel_bridge.translate").joinpath("prices.json").read_text("utf-8"))
    prices = {
        name: Price(input=entry["input"], output=entry["output"], cached=entry.get("cached"))
        for name, entry in raw["models"].items()
    }
    return PriceTable(date=raw["date"], prices=prices)
