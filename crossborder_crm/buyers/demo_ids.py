"""Marketplace order and customer ids for the demo, in each platform's shape."""
from __future__ import annotations

import random


class MarketplaceIds:
    """Marketplace order and customer ids, unique per marketplace, in each platform's shape."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[tuple[str, str]] = set()
        self.counter = {"woocommerce": 4100, "manual": 0}

    def _unique(self, market: str, make) -> str:
        while True:
            value = make()
            if (market, value) not in self.seen:
                self.seen.add((market, value))
                return value

    def order(self, market: str) -> str:
        """A new order id on this marketplace ("manual" for orders added by hand)."""
        r = self.rng
        if market in self.counter:
            self.counter[market] += 1
            n = self.counter[market]
            return f"M-{n:05d}" if market == "manual" else str(n)
        make = {
            "shopify": lambda: str(r.randrange(5_400_000_000_000, 6_200_000_000_000)),
            "amazon": lambda: f"{r.choice((111, 112, 113, 114))}-{r.randrange(10**7):07d}-{r.randrange(10**7):07d}",
            "ebay": lambda: f"{r.randrange(10, 28)}-{r.randrange(10**5):05d}-{r.randrange(10**5):05d}",
            "aliexpress": lambda: str(r.randrange(8_100_000_000_000_000, 8_200_000_000_000_000)),
        }[market]
        return self._unique("order:" + market, make)

    def customer(self, market: str, country: str, email_local: str) -> str:
        """A new customer id on this marketplace; eBay's is a user name made from the email."""
        r = self.rng

        def letters(alphabet: str, n: int) -> str:
            return "".join(r.choice(alphabet) for _ in range(n))

        make = {
            "shopify": lambda: str(r.randrange(6_000_000_000_000, 8_000_000_000_000)),
            "woocommerce": lambda: str(r.randrange(200, 9000)),
            "amazon": lambda: "A" + letters("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 13),
            "ebay": lambda: f"{email_local.replace('.', '_')[:20]}_{r.randrange(10, 999)}",
            "aliexpress": lambda: f"{country.lower()}{r.randrange(10**9, 10**10)}{letters('abcdefghjkmnpqrstuvwxyz', 3)}",
        }[market]
        return self._unique("customer:" + market, make)
