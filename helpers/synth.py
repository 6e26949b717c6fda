"""Seeded synthetic Hong Kong online shop: every table of :data:`helpers.schema.SHOP_TABLES`.

:func:`generate_shop` builds the tables in memory from one seed (no I/O);
:func:`write_shop` writes them as byte-reproducible ``<table>.csv.gz`` files.
The data are invented, but behaviour is planted on purpose so that the area
notebooks can *discover* it: a buy-till-you-die purchase process with Lunar
New Year / 11.11 / Christmas peaks, a Pareto spend curve, campaign effects
that differ by segment and channel, coupon cannibalisation, slow e-mail leads,
wasteful broad keywords and a small number of PDPO / UEMO breaches.
``data/README.md`` lists these "truths" and the dirty-row counts.

Names, e-mail addresses and phone numbers are fake and exist only so that
learners can practise removing personal data.

Examples
--------
>>> tables = generate_shop(seed=1, n_customers=60, months=3)
>>> sorted(tables) == sorted(SHOP_TABLES)
True
>>> bool(tables["customers"]["email"].str.endswith(("@example.com", "@example.org")).all())
True

Command line::

    python -m helpers.synth --seed 406 --out data/ [--customers 5000] [--months 24]
"""

from __future__ import annotations

import argparse
import gzip
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.schema import SHOP_TABLES

__all__ = [
    "CATEGORIES",
    "DISTRICT_POPULATION",
    "HK_PUBLIC_HOLIDAYS",
    "TRUE_CAMPAIGN_LIFT",
    "generate_shop",
    "main",
    "write_shop",
]

# --------------------------------------------------------------------------- constants

#: The seven product classes used for products, campaigns, consent scopes and lead interests.
CATEGORIES: tuple[str, ...] = ("fashion", "beauty", "electronics", "home", "food_gifts", "health", "toys")
_CATEGORY_SHARE = np.array([0.27, 0.20, 0.15, 0.14, 0.10, 0.08, 0.06])
_PRODUCTS_PER_CATEGORY = (70, 55, 40, 45, 35, 30, 25)

#: Residents by district in thousands (2021 Population Census, rounded); used as sampling weights.
DISTRICT_POPULATION: dict[str, int] = {
    "Central and Western": 235, "Wan Chai": 167, "Eastern": 530, "Southern": 260,
    "Yau Tsim Mong": 310, "Sham Shui Po": 432, "Kowloon City": 411, "Wong Tai Sin": 407,
    "Kwun Tong": 673, "Kwai Tsing": 495, "Tsuen Wan": 320, "Tuen Mun": 506,
    "Yuen Long": 668, "North": 310, "Tai Po": 316, "Sha Tin": 692, "Sai Kung": 490,
    "Islands": 185,
}
_DISTRICTS = np.array(list(DISTRICT_POPULATION))
_DISTRICT_P = np.array(list(DISTRICT_POPULATION.values()), dtype=float) / sum(DISTRICT_POPULATION.values())

_AGE_BANDS = np.array(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"])
_AGE_P = np.array([0.12, 0.27, 0.25, 0.18, 0.12, 0.06])
_DEVICES = np.array(["mobile", "desktop", "tablet"])
_DEVICE_P = np.array([0.60, 0.28, 0.12])
_CHANNELS = np.array(["web", "app", "social"])
# Rows: device; columns: probability that a customer's usual ordering channel is web/app/social.
_CHANNEL_BY_DEVICE = np.array([[0.25, 0.60, 0.15], [0.90, 0.00, 0.10], [0.50, 0.40, 0.10]])

_SOURCES = np.array(
    ["referral", "influencer", "email_promotion", "social_video", "search_ad", "market_research", "organic"]
)
_SOURCE_P = np.array([0.14, 0.12, 0.13, 0.13, 0.17, 0.07, 0.24])
_METHODS = _SOURCES[:6]  # the six prospecting methods of unit 107188L5

_TIERS = np.array(["none", "Silver", "Gold", "Platinum"])
_LAM_SHAPE, _LAM_MEAN = 0.55, 0.07  # gamma purchase rate per operational day (BG/NBD r and r/alpha)
_DROP_A, _DROP_B = 1.1, 11.0  # beta dropout probability after each purchase (BG/NBD a and b)
_GOLD_HKD, _PLATINUM_HKD = 5_000.0, 18_000.0  # trailing-12-month spend that qualifies for a tier

_DATA_KINDS = ("name", "email", "phone", "purchase_history")
_CAMPAIGN_CHANNELS = ("newsletter", "email", "social", "forum", "sms")
_KIND_OF_CHANNEL = {"newsletter": 1, "email": 1, "sms": 2, "social": 0, "forum": 0}  # index into _DATA_KINDS
_SEGMENTS = ("active_high", "active", "lapsed")

#: Planted incremental 14-day conversion probability of a delivered send, by channel and segment
#: (``active_high``: last order <= 60 days ago and >= 3 orders in the past year; ``active``: last
#: order <= 180 days ago; ``lapsed``: everyone else). The control arm converts at the natural rate.
TRUE_CAMPAIGN_LIFT: dict[str, tuple[float, float, float]] = {
    "email": (0.18, 0.09, 0.0),
    "newsletter": (0.16, 0.08, 0.0),
    "sms": (0.08, 0.04, 0.0),
    "social": (0.05, 0.02, 0.0),
    "forum": (0.0, 0.0, 0.0),
}
_COUPON_LIFT = {50: (0.12, 0.09, 0.04), 100: (0.16, 0.12, 0.06)}
_COUPON_MIN_SPEND = {50: 300.0, 100: 500.0}
CONVERSION_WINDOW_DAYS = 14

#: Lunar New Year's Day (first day of the first lunar month).
_LUNAR_NEW_YEAR = (
    "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13",
)
_EASTER_FRIDAY = ("2024-03-29", "2025-04-18", "2026-04-03", "2027-03-26")

#: Hong Kong general holidays used to count working days (Saturdays and Sundays are not working days).
HK_PUBLIC_HOLIDAYS: tuple[str, ...] = (
    "2024-01-01", "2024-02-10", "2024-02-12", "2024-02-13", "2024-03-29", "2024-03-30", "2024-04-01",
    "2024-04-04", "2024-05-01", "2024-05-15", "2024-06-10", "2024-07-01", "2024-09-18", "2024-10-01",
    "2024-10-11", "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-01-29", "2025-01-30", "2025-01-31", "2025-04-04", "2025-04-18", "2025-04-19",
    "2025-04-21", "2025-05-01", "2025-05-05", "2025-05-31", "2025-07-01", "2025-10-01", "2025-10-07",
    "2025-10-29", "2025-12-25", "2025-12-26",
    "2026-01-01", "2026-02-17", "2026-02-18", "2026-02-19", "2026-04-03", "2026-04-04", "2026-04-06",
    "2026-04-07", "2026-05-01", "2026-05-25", "2026-06-19", "2026-07-01", "2026-09-26", "2026-10-01",
    "2026-10-19", "2026-12-25", "2026-12-26",
    "2027-01-01", "2027-02-06", "2027-02-08", "2027-02-09", "2027-03-26", "2027-03-27", "2027-03-29",
    "2027-04-05", "2027-05-01", "2027-05-13", "2027-06-09", "2027-07-01", "2027-09-16", "2027-10-01",
    "2027-10-08", "2027-12-25", "2027-12-27",
)
_HOLIDAYS = np.array(HK_PUBLIC_HOLIDAYS, dtype="datetime64[D]")

# Relative orders per hour: a lunchtime bump and the 20:00-23:00 evening peak; weekends start later.
_HOURS_WEEKDAY = np.array([1.6, 0.8, 0.4, 0.25, 0.2, 0.25, 0.5, 1.2, 1.8, 2.2, 2.6, 3.0,
                           4.6, 4.4, 2.8, 2.7, 2.8, 3.0, 3.3, 3.8, 5.0, 5.8, 5.5, 3.6])
_HOURS_WEEKEND = np.array([2.2, 1.3, 0.7, 0.4, 0.3, 0.3, 0.4, 0.7, 1.1, 1.8, 2.8, 3.6,
                           4.2, 4.3, 4.0, 3.9, 3.8, 3.6, 3.5, 3.9, 4.8, 5.4, 5.1, 3.5])
_WEEKDAY_WEIGHT = np.array([0.92, 0.90, 0.94, 0.96, 1.06, 1.20, 1.14])  # Monday .. Sunday

_DAY = 86_400
_NA = np.iinfo(np.int64).min  # int64 seconds sentinel; viewed as datetime64 it is NaT
_KEY_SPAN = np.int64(2**36)  # > any epoch second we use, so customer*span + second sorts by customer

# Columns written as YYYY-MM-DD; every other date column is written as YYYY-MM-DD HH:MM:SS.
_DATE_ONLY: frozenset[tuple[str, str]] = frozenset({
    ("customers", "join_date"), ("customers", "consent_date"), ("customers", "consent_confirmed_date"),
    ("customers", "opt_out_date"), ("loyalty", "snapshot_date"), ("welcome_offers", "join_date"),
    ("keyword_ads", "week"), ("unsubscribe_requests", "received_at"),
    ("unsubscribe_requests", "processed_at"), ("assets", "licence_expiry"), ("assets", "used_at"),
    ("dnc_register", "registered_at"), ("access_requests", "received_at"),
    ("access_requests", "responded_at"), ("data_register", "oldest_record_at"),
})

# Each table draws from its own child generator, so changing one table never reshuffles another.
_STREAMS = (
    "products", "customers", "orders", "lines", "campaigns", "incremental", "guests", "dirty",
    "loyalty", "referrals", "welcome", "sessions", "leads", "keywords", "influencers", "videos",
    "unsubscribes", "messages", "assets", "dnc", "access",
)


# --------------------------------------------------------------------------- small utilities


def _streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(_STREAMS, children, strict=True)}


def _epoch_s(value: str | pd.Timestamp) -> int:
    return int(pd.Timestamp(value).value // 1_000_000_000)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    digits = np.strings.zfill(np.asarray(numbers, dtype=np.int64).astype(np.str_), width)
    return np.strings.add(prefix, digits)


def _ts(seconds: np.ndarray) -> np.ndarray:
    """int64 epoch seconds (``_NA`` = missing) -> datetime64[s] with NaT."""
    return np.asarray(seconds, dtype=np.int64).view("datetime64[s]")


def _days_ts(days: np.ndarray) -> np.ndarray:
    """int64 epoch days (``_NA`` = missing) -> datetime64[s] at midnight."""
    days = np.asarray(days, dtype=np.int64)
    return _ts(np.where(days == _NA, _NA, days * _DAY))


def _pick(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(p) / np.sum(p), rng.random(size), side="right").clip(0, len(p) - 1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _money(x: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float), 2)


def _opt(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Object array with ``None`` where not ``present`` (written as an empty cell)."""
    out = np.asarray(values).astype(object)
    out[~np.asarray(present, dtype=bool)] = None
    return out


def _workday_offset(days: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Epoch day ``k`` Hong Kong working days after ``days`` (rolled forward to a working day)."""
    out = np.busday_offset(np.asarray(days, dtype="datetime64[D]"), np.asarray(k, dtype=np.int64),
                           roll="forward", holidays=_HOLIDAYS)
    return out.astype(np.int64)


def _sorted_keys(cust: np.ndarray, sec: np.ndarray, amount: np.ndarray | None = None):
    """Orders sorted by (customer, time), with composite keys and a running amount for window sums."""
    keys = cust.astype(np.int64) * _KEY_SPAN + sec
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    amt = np.zeros(len(keys)) if amount is None else amount[order]
    return keys, order, np.concatenate([[0.0], np.cumsum(amt)])


def _window(keys, csum, cust: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Per query: number of orders in ``[lo, hi)``, their total amount and the sorted index of the first."""
    base = cust.astype(np.int64) * _KEY_SPAN
    a = np.searchsorted(keys, base + lo, side="left")
    b = np.searchsorted(keys, base + hi, side="left")
    return b - a, csum[b] - csum[a], a


def _last_before(keys, cust: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Seconds of each customer's last order strictly before ``t`` (``_NA`` if none)."""
    base = cust.astype(np.int64) * _KEY_SPAN
    i = np.searchsorted(keys, base + t, side="left") - 1
    ok = (i >= 0) & ((keys[np.maximum(i, 0)] // _KEY_SPAN) == cust)
    return np.where(ok, keys[np.maximum(i, 0)] % _KEY_SPAN, _NA)


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class _Period:
    start_s: int
    end_s: int  # exclusive
    day0: int  # epoch day of grid index 0 (400 days before start, for earlier customers)
    curve: np.ndarray  # relative daily order intensity, mean 1 over the period
    cum: np.ndarray  # cumulative intensity at day boundaries, len(curve) + 1
    promos: tuple[tuple[str, int, int, tuple[int, ...], tuple[float, ...]], ...]

    @property
    def start_day(self) -> int:
        return self.start_s // _DAY

    @property
    def end_day(self) -> int:
        return self.end_s // _DAY

    def grid(self, day: np.ndarray | int) -> np.ndarray:
        return np.asarray(day) - self.day0

    def to_op(self, sec: np.ndarray) -> np.ndarray:
        """Calendar seconds -> "operational" days, in which the seasonal process has constant rate."""
        x = np.asarray(sec, dtype=float) / _DAY - self.day0
        d = np.clip(np.floor(x).astype(np.int64), 0, len(self.curve) - 1)
        return self.cum[d] + self.curve[d] * (x - d)

    def from_op_day(self, op: np.ndarray) -> np.ndarray:
        """Operational days -> epoch day (the inverse of :meth:`to_op`, to day precision)."""
        d = np.searchsorted(self.cum, op, side="right") - 1
        return np.clip(d, 0, len(self.curve) - 1) + self.day0

    def sample_days(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, power: float = 1.0):
        """Epoch days in ``[lo, hi)`` drawn with the seasonal curve (raised to ``power``) as weight."""
        lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64))
        cum = self.cum if power == 1.0 else np.concatenate([[0.0], np.cumsum(self.curve**power)])
        gl, gh = self.grid(lo), self.grid(hi)
        u = cum[gl] + rng.random(lo.shape) * (cum[gh] - cum[gl])
        d = np.searchsorted(cum, u, side="right") - 1
        return np.clip(d, gl, gh - 1) + self.day0


def _make_period(start: str, months: int) -> _Period:
    start_ts = pd.Timestamp(start)
    end_ts = start_ts + pd.DateOffset(months=months)
    start_s, end_s = _epoch_s(start_ts), _epoch_s(end_ts)
    day0 = start_s // _DAY - 400
    n_days = end_s // _DAY - day0 + 60
    days = day0 + np.arange(n_days)
    idx = pd.DatetimeIndex(days.astype("datetime64[D]"))
    month, dom = idx.month.to_numpy(), idx.day.to_numpy()
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    years = (days - start_s // _DAY) / 365.25

    bump = np.zeros(n_days)
    bump += np.where((month == 11) & (dom == 11), 4.0, 0.0)  # 11.11 (Singles' Day) spike
    bump += np.where((month == 11) & np.isin(dom, (10, 12)), 1.2, 0.0)
    bump += np.where((month == 11) & np.isin(dom, (8, 9)), 0.4, 0.0)
    bump += np.where((month == 12) & (dom >= 10) & (dom <= 24), 0.7 * (dom - 9) / 15, 0.0)  # Christmas run-up
    bump += np.where((month == 12) & (dom == 26), 0.8, 0.0)  # Boxing Day sales
    bump += np.where((month == 6) & (dom == 18), 1.0, 0.0)  # 6.18 mid-year sale
    bump += np.where((month == 6) & np.isin(dom, (16, 17)), 0.3, 0.0)
    closed = np.ones(n_days)
    for lny in _LUNAR_NEW_YEAR:
        delta = days - np.datetime64(lny, "D").astype(np.int64)
        # Gift and new-clothes shopping peaks about a week before the New Year ...
        bump += np.where((delta >= -21) & (delta < 0), 1.3 * np.exp(-0.5 * ((delta + 7) / 5.0) ** 2), 0.0)
        # ... and couriers pause for the first three days.
        closed = np.where((delta >= 0) & (delta < 3), 0.6, closed)
    curve = _WEEKDAY_WEIGHT[weekday] * (1.0 + 0.12 * years) * (1.0 + bump) * closed
    in_period = (days >= start_s // _DAY) & (days < end_s // _DAY)
    curve = curve / curve[in_period].mean()

    promos = []
    for year in range(start_ts.year - 1, end_ts.year + 1):
        lny = [d for d in _LUNAR_NEW_YEAR if d.startswith(str(year))]
        windows = [
            (f"1111-{year}", f"{year}-11-08", f"{year}-11-13", (20, 30), (0.55, 0.45)),
            (f"XMAS{year}", f"{year}-12-12", f"{year}-12-27", (10, 20), (0.6, 0.4)),
            (f"618-{year}", f"{year}-06-14", f"{year}-06-19", (10, 20), (0.7, 0.3)),
        ]
        if lny:
            first = pd.Timestamp(lny[0])
            windows.append((f"LNY{year}", first - pd.Timedelta(days=14), first + pd.Timedelta(days=3),
                            (10, 20), (0.6, 0.4)))
        promos += [(pid, _epoch_s(a), _epoch_s(b), d, p) for pid, a, b, d, p in windows]
    return _Period(start_s, end_s, day0, curve, np.concatenate([[0.0], np.cumsum(curve)]), tuple(promos))


def _time_of_day(rng: np.random.Generator, epoch_days: np.ndarray) -> np.ndarray:
    """Seconds after midnight, drawn from the weekday or weekend hourly profile."""
    epoch_days = np.asarray(epoch_days, dtype=np.int64)
    weekend = (epoch_days + 3) % 7 >= 5
    u = rng.random(epoch_days.shape)
    hours = np.where(
        weekend,
        np.searchsorted(np.cumsum(_HOURS_WEEKEND) / _HOURS_WEEKEND.sum(), u, side="right"),
        np.searchsorted(np.cumsum(_HOURS_WEEKDAY) / _HOURS_WEEKDAY.sum(), u, side="right"),
    ).clip(0, 23)
    return hours * 3600 + rng.integers(0, 3600, epoch_days.shape)


# --------------------------------------------------------------------------- products

_NOUNS = {
    "fashion": ["Linen Shirt", "Cotton Tee", "Denim Jacket", "Midi Skirt", "Wide-leg Trousers",
                "Knit Cardigan", "Hoodie", "Sneakers", "Canvas Tote", "Silk Scarf", "Baseball Cap",
                "Rain Jacket", "Polo Shirt", "Summer Dress", "Leather Belt", "Socks 3-pack",
                "Crossbody Bag", "Sandals", "Puffer Vest", "Pyjama Set"],
    "beauty": ["Vitamin C Serum", "Sunscreen SPF50", "Sheet Mask 10-pack", "Lip Balm", "Night Cream",
               "Eye Cream", "Body Lotion", "Hand Cream", "Micellar Water", "Exfoliating Gel", "Shampoo",
               "Conditioner", "Hair Oil", "Eau de Parfum", "Cushion Foundation", "Mascara", "Clay Mask"],
    "electronics": ["Wireless Earbuds", "Power Bank 10000mAh", "USB-C Cable", "65W Charger",
                    "Smart Watch", "Bluetooth Speaker", "Tablet Stand", "Mechanical Keyboard",
                    "Wireless Mouse", "Webcam", "Ring Light", "Portable SSD", "Smart Plug",
                    "Noise-cancelling Headphones"],
    "home": ["Bed Sheet Set", "Bath Towel Set", "Storage Box", "Dehumidifier Bags", "Rice Cooker",
             "Electric Kettle", "Ceramic Mug", "Chopsticks Set", "Desk Lamp", "Laundry Basket",
             "Scented Candle", "Cushion Cover", "Coffee Filter Papers", "Shoe Rack"],
    "food_gifts": ["Egg Rolls Tin", "Almond Cookies", "Chocolate Box", "Premium Nuts", "Honey Jar",
                   "Oolong Tea Gift Set", "Dried Mango", "Bird's Nest Drink", "Turnip Cake",
                   "Mooncake Box", "Dried Scallops", "Red Wine"],
    "health": ["Vitamin C Tablets", "Fish Oil", "Probiotics", "Face Masks 50-pack", "Hand Sanitiser",
               "Ear Thermometer", "Massage Gun", "Yoga Mat", "Protein Powder", "Collagen Drink",
               "Eye Drops", "Foot Spa"],
    "toys": ["Building Blocks Set", "Plush Panda", "Jigsaw 1000pc", "Board Game", "Doll House",
             "Art Kit", "Science Kit", "Toy Tram", "Puzzle Cube", "Water Gun"],
}
_MODIFIERS = ["Classic", "Everyday", "Harbour", "Lantern", "Kowloon", "Peak", "Bamboo", "Urban", "Breeze",
              "Jade", "Island", "Monsoon", "Neon", "Pearl", "Victoria", "Junk", "Dim Sum", "Typhoon",
              "Ferry", "Skyline", "Lion Rock", "Egg Tart", "Milk Tea", "Temple St"]
# (anchor, partner, P(partner added | anchor bought)): planted pairs for basket analysis.
_PAIRS = (
    ("electronics", "Phone Case (Clear)", "Tempered Glass Screen Protector", 0.55),
    ("beauty", "Gentle Foam Cleanser", "Hydrating Toner", 0.50),
    ("toys", "RC Stunt Car", "AA Batteries 8-pack", 0.45),
    ("food_gifts", "Coffee Beans 500g", "Coffee Filter Papers (home)", 0.35),
    ("home", "Memory Foam Pillow", "Pillowcase 2-pack", 0.40),
)
_PRICE_MEDIAN = {"fashion": 200, "beauty": 160, "electronics": 360, "home": 230, "food_gifts": 140,
                 "health": 190, "toys": 160}
_PRICE_SIGMA = {"fashion": 0.6, "beauty": 0.5, "electronics": 0.9, "home": 0.7, "food_gifts": 0.5,
                "health": 0.5, "toys": 0.6}


@dataclass(frozen=True)
class _Catalogue:
    table: pd.DataFrame
    cat: np.ndarray  # category index per product (products are in category blocks)
    price: np.ndarray
    cum: np.ndarray  # category index + within-category cumulative popularity, for searchsorted
    partner: np.ndarray  # partner product index, -1 if not a pair anchor
    partner_p: np.ndarray


def _make_products(rng: np.random.Generator) -> _Catalogue:
    names, cats, prices, weights = [], [], [], []
    special: dict[str, list[tuple[str, float]]] = {c: [] for c in CATEGORIES}
    for cat, anchor, partner, _ in _PAIRS:
        special[cat].append((anchor, 1.6))  # anchors are best-sellers, so the pair is frequent
        pcat = "home" if partner.endswith("(home)") else cat
        special[pcat].append((partner.replace(" (home)", ""), 0.25))
    for c, (cat, n) in enumerate(zip(CATEGORIES, _PRODUCTS_PER_CATEGORY, strict=True)):
        fixed = special[cat]
        grid = [f"{m} {noun}" for m in _MODIFIERS for noun in _NOUNS[cat]]
        chosen = rng.choice(len(grid), size=n - len(fixed), replace=False)
        cat_names = [f for f, _ in fixed] + [grid[i] for i in np.sort(chosen)]
        rank = np.arange(n)
        pop = 1.0 / (rank + 3.0) ** 0.9  # Zipf-like popularity inside the category
        for i, (_, w) in enumerate(fixed):
            pop[i] = pop[0] * w
        raw = np.exp(np.log(_PRICE_MEDIAN[cat]) + _PRICE_SIGMA[cat] * rng.standard_normal(n))
        price = np.maximum(np.round(raw / 10) * 10 - 0.1, 9.9)  # HK-style "$299.9" price points
        names += cat_names
        cats += [c] * n
        prices.append(price)
        weights.append(pop / pop.sum())
    cat_arr = np.array(cats)
    price = np.concatenate(prices)
    cum = np.concatenate([c + np.cumsum(w) for c, w in enumerate(weights)])
    cum[np.r_[np.cumsum(_PRODUCTS_PER_CATEGORY) - 1]] = np.arange(1, len(CATEGORIES) + 1) - 1e-12
    name_arr = np.array(names)
    partner = np.full(len(names), -1)
    partner_p = np.zeros(len(names))
    for _, anchor, pname, p in _PAIRS:
        a = int(np.flatnonzero(name_arr == anchor)[0])
        partner[a] = int(np.flatnonzero(name_arr == pname.replace(" (home)", ""))[0])
        partner_p[a] = p
    table = pd.DataFrame({
        "product_id": _ids("P", np.arange(1, len(names) + 1), 4),
        "product_name": name_arr,
        "category": np.array(CATEGORIES)[cat_arr],
        "list_price_hkd": _money(price),
    })
    return _Catalogue(table, cat_arr, _money(price), cum, partner, partner_p)


# --------------------------------------------------------------------------- customers

_SURNAMES = ["Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Ng", "Leung", "Lam", "Tang", "Li", "Yip",
             "Chow", "Tsang", "Kwok", "Mak", "Lo", "Yeung", "Fung", "Tse", "Choi", "Chu", "Yu", "Law",
             "Kwan", "Hui", "Poon", "Siu", "Tam", "Wu"]
_GIVEN_ZH = ["Ka Yan", "Wing Sze", "Chi Ho", "Mei Ling", "Siu Ming", "Tsz Ching", "Hoi Yan", "Ka Ho",
             "Wai Man", "Pui Shan", "Chun Kit", "Yuen Ting", "Ming Hei", "Sze Wing", "Kin Wai", "Lok Yi",
             "Hiu Tung", "Tsz Yan", "Ho Yin", "Man Kit"]
_GIVEN_EN = ["Jason", "Karen", "Kelvin", "Cherry", "Ivan", "Winnie", "Alan", "Vivian", "Eric",
             "Michelle", "Kenny", "Queenie", "Terence", "Yoyo", "Marco", "Fiona"]


@dataclass
class _Customers:
    n: int
    ids: np.ndarray
    join_s: np.ndarray
    source: np.ndarray
    district: np.ndarray
    age: np.ndarray
    device: np.ndarray
    pchannel: np.ndarray
    lam: np.ndarray  # repeat-purchase rate per operational day
    p_drop: np.ndarray  # probability of dropping out after each purchase
    basket: np.ndarray  # basket-size multiplier
    fav_cat: np.ndarray
    buyer: np.ndarray
    first_s: np.ndarray
    member_s: np.ndarray  # loyalty-programme join time, _NA for non-members
    consent: np.ndarray
    consent_day: np.ndarray
    consent_channel: np.ndarray
    confirmed_day: np.ndarray
    kinds: np.ndarray  # bit mask over _DATA_KINDS
    classes: np.ndarray  # bit mask over CATEGORIES
    third_party: np.ndarray
    tp_channel: np.ndarray
    referred_by: np.ndarray
    full_name: np.ndarray
    email: np.ndarray
    phone: np.ndarray
    opt_req_day: np.ndarray  # set later by the campaign simulation; _NA = never opted out
    opt_proc_day: np.ndarray  # _NA = never processed
    opt_channel: np.ndarray
    spare_phones: np.ndarray  # valid-looking numbers that belong to no customer


def _make_customers(rng: np.random.Generator, n: int, per: _Period, extra_phones: int) -> _Customers:
    n_pre = int(round(0.25 * n))  # customers who joined in the year before the period
    pre_days = rng.integers(per.start_day - 365, per.start_day, n_pre)
    # Sign-ups follow the shopping season, softened, on a gently growing base.
    in_days = per.sample_days(rng, np.full(n - n_pre, per.start_day), np.full(n - n_pre, per.end_day), 0.5)
    days = np.concatenate([pre_days, in_days])
    join_s = np.sort(days * _DAY + _time_of_day(rng, days))

    source = _pick(rng, _SOURCE_P, n)
    district = _pick(rng, _DISTRICT_P, n)
    age = _pick(rng, _AGE_P, n)
    device = _pick(rng, _DEVICE_P, n)
    u = rng.random(n)
    pchannel = (u[:, None] > np.cumsum(_CHANNEL_BY_DEVICE[device], axis=1)).sum(axis=1).clip(0, 2)

    # Referral customers need an earlier customer to have invited them; good customers invite more.
    lam = rng.gamma(shape=_LAM_SHAPE, scale=_LAM_MEAN / _LAM_SHAPE, size=n)
    weight = np.cumsum(lam)
    n_before = np.searchsorted(join_s, join_s - 3 * _DAY, side="left")
    is_ref = (source == 0) & (n_before > 0)
    source = np.where((source == 0) & ~is_ref, 6, source)
    target = rng.random(n) * weight[np.maximum(n_before - 1, 0)]
    referred_by = np.where(is_ref, np.searchsorted(weight, target, side="right"), -1)
    referred_by = np.where(is_ref, np.minimum(referred_by, n_before - 1), -1)

    # Buy-till-you-die heterogeneity: app users and referred customers buy more often, referred
    # customers also drop out less (they "retain somewhat better").
    lam = lam * np.where(pchannel == 1, 1.35, np.where(pchannel == 2, 0.9, 1.0))
    lam = lam * np.where(is_ref, 1.1, 1.0) * np.where(np.isin(age, (1, 2)), 1.1, 1.0)
    p_drop = rng.beta(_DROP_A, _DROP_B, n) * np.where(is_ref, 0.7, 1.0)
    basket = rng.lognormal(0.0, 0.5, n)
    basket = basket / basket.mean()
    fav_cat = _pick(rng, _CATEGORY_SHARE, n)
    buyer = rng.random(n) < np.where(is_ref, 0.95, 0.86)
    # Many sign up at checkout (minutes later); the rest browse first.
    delay = np.where(rng.random(n) < 0.55, rng.integers(120, 2400, n), (rng.exponential(3.0, n) * _DAY))
    first_s = np.where(buyer, join_s + delay.astype(np.int64), _NA)

    # Loyalty programme: self-selection -- frequent buyers are far more likely to join.
    z = (np.log(lam) - np.log(lam).mean()) / np.log(lam).std()
    member = buyer & (rng.random(n) < _sigmoid(-0.55 + 1.3 * z))
    # Joining months after the first order leaves a visible pre-membership history.
    member_s = np.where(member, first_s + (rng.exponential(150.0, n) * _DAY).astype(np.int64), _NA)

    join_day = join_s // _DAY
    consent = rng.random(n) < 0.75
    consent_day = np.where(rng.random(n) < 0.7, join_day, join_day + rng.exponential(60.0, n).astype(np.int64))
    consent_day = np.where(consent, np.minimum(consent_day, per.end_day - 1), _NA)
    consent_channel = np.where(consent, _pick(rng, np.array([0.25, 0.60, 0.15]), n), -1)  # written/electronic/oral
    oral = consent_channel == 2
    cu = rng.random(n)
    # s.35E: oral consent must be confirmed in writing within 14 days; some are late, some never.
    confirm_gap = np.where(cu < 0.86, rng.integers(1, 15, n), rng.integers(15, 61, n))
    confirmed_day = np.where(oral & (cu < 0.94), consent_day + confirm_gap, _NA)
    kind_p = np.array([0.95, 0.90, 0.70, 0.60])
    kinds = ((rng.random((n, 4)) < kind_p) * (1 << np.arange(4))).sum(axis=1)
    kinds = np.where(consent & (kinds == 0), 1, np.where(consent, kinds, 0))
    classes = ((rng.random((n, 7)) < 0.72) * (1 << np.arange(7))).sum(axis=1)
    classes = np.where(consent & (classes == 0), 1 << fav_cat, np.where(consent, classes, 0))
    third_party = consent & (rng.random(n) < 0.18)
    # Consent to hand data to third parties should be in writing; a few were only oral.
    tp_channel = np.where(third_party, np.where(rng.random(n) < 0.93, 0, 1), -1)  # written/oral

    surname = np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)]
    english = rng.random(n) < 0.35
    given = np.where(english, np.array(_GIVEN_EN)[rng.integers(0, len(_GIVEN_EN), n)],
                     np.array(_GIVEN_ZH)[rng.integers(0, len(_GIVEN_ZH), n)])
    full_name = np.where(english, np.strings.add(np.strings.add(given, " "), surname),
                         np.strings.add(np.strings.add(surname, " "), given))
    number = np.arange(1, n + 1)
    local = np.strings.add(np.strings.add(np.strings.lower(np.strings.replace(given, " ", "")), "."),
                           np.strings.lower(surname))
    domain = np.where(rng.random(n) < 0.7, "@example.com", "@example.org")
    email = np.strings.add(np.strings.add(local, number.astype(np.str_)), domain)
    # Unique 8-digit mobile-style numbers starting 5, 6 or 9; extra ones feed the do-not-call register.
    drawn = rng.choice(30_000_000, size=n + extra_phones, replace=False)
    first_digit = np.array([5, 6, 9])[drawn // 10_000_000]
    phones = (first_digit * 10_000_000 + drawn % 10_000_000).astype(np.str_)
    phone, spare_phones = phones[:n], phones[n:]

    return _Customers(
        n=n, ids=_ids("C", number, 5), join_s=join_s, source=source, district=district, age=age,
        device=device, pchannel=pchannel, lam=lam, p_drop=p_drop, basket=basket, fav_cat=fav_cat,
        buyer=buyer, first_s=first_s, member_s=member_s, consent=consent, consent_day=consent_day,
        consent_channel=consent_channel, confirmed_day=confirmed_day, kinds=kinds, classes=classes,
        third_party=third_party, tp_channel=tp_channel, referred_by=referred_by, full_name=full_name,
        email=email, phone=phone,
        opt_req_day=np.full(n, _NA), opt_proc_day=np.full(n, _NA), opt_channel=np.full(n, -1),
        spare_phones=spare_phones,
    )


# --------------------------------------------------------------------------- orders and lines


def _natural_orders(rng: np.random.Generator, cu: _Customers, per: _Period) -> tuple[np.ndarray, np.ndarray]:
    """Buy-till-you-die purchases: Poisson repeat purchases at rate ``lam`` on the seasonal clock,
    with a ``p_drop`` chance of dropping out after each purchase (a BG/NBD-style process)."""
    member_boost = 1.2  # small true effect of the loyalty programme on purchase rate
    alive = cu.buyer & (cu.first_s < per.end_s)
    birth = per.to_op(np.where(alive, cu.first_s, per.start_s))
    end_op = per.to_op(np.array([per.end_s]))[0]
    remaining = np.maximum(end_op - birth, 0.0)
    lam_max = cu.lam * member_boost
    cap = np.ceil(lam_max * remaining + 6 * np.sqrt(lam_max * remaining) + 10).astype(np.int64)
    n_total = rng.geometric(np.clip(cu.p_drop, 1e-4, 1.0))
    k = np.where(alive, np.minimum(n_total - 1, cap), 0)
    owner = np.repeat(np.arange(cu.n), k)
    gaps = rng.exponential(1.0, owner.size) / cu.lam[owner]
    run = np.cumsum(gaps)
    starts = np.concatenate([[0], np.cumsum(k)[:-1]])
    before = np.concatenate([[0.0], run])[starts]
    op = birth[owner] + run - np.repeat(before, k)
    # After joining the loyalty programme the clock runs 20% faster.
    m_op = np.where(cu.member_s != _NA, per.to_op(np.where(cu.member_s != _NA, cu.member_s, 0)), 1e18)[owner]
    op = np.where(op > m_op, m_op + (op - m_op) / member_boost, op)
    keep = op < end_op
    owner, op = owner[keep], op[keep]
    day = per.from_op_day(op)
    sec = day * _DAY + _time_of_day(rng, day)
    sec = np.maximum(sec, cu.first_s[owner] + 3600)  # a repeat order never precedes the first one
    first_owner = np.flatnonzero(alive)
    cust = np.concatenate([first_owner, owner])
    sec = np.concatenate([cu.first_s[first_owner], sec])
    keep = sec < per.end_s
    return cust[keep], sec[keep]


@dataclass
class _Lines:
    order: np.ndarray  # index into the order arrays passed to _draw_lines
    product: np.ndarray
    quantity: np.ndarray
    discount: np.ndarray
    promo: np.ndarray
    unit: np.ndarray
    amount: np.ndarray


def _draw_lines(
    rng: np.random.Generator, per: _Period, catalogue: _Catalogue, order_sec: np.ndarray,
    order_channel: np.ndarray, basket: np.ndarray, fav_cat: np.ndarray,
    forced_cat: np.ndarray | None = None,
) -> _Lines:
    """Basket contents, promotions and prices for the given orders (all arrays are per order)."""
    n_orders = len(order_sec)
    n_lines = 1 + rng.poisson(1.9 * basket)
    order = np.repeat(np.arange(n_orders), n_lines)
    first_line = np.concatenate([[True], order[1:] != order[:-1]]) if order.size else order.astype(bool)
    sec = order_sec[order]
    month = ((sec // _DAY).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) + 1
    weights = np.tile(_CATEGORY_SHARE, (order.size, 1))
    # Seasonal tilt: gift food before Lunar New Year, toys and gadgets at Christmas.
    weights[:, 4] *= np.where(np.isin(month, (1, 2)), 2.5, 1.0)
    weights[:, 6] *= np.where(month == 12, 2.5, 1.0)
    weights[:, 2] *= np.where(np.isin(month, (11, 12)), 1.4, 1.0)
    cum = np.cumsum(weights, axis=1)
    cat = (rng.random(order.size)[:, None] * cum[:, -1:] > cum).sum(axis=1)
    cat = np.where(rng.random(order.size) < 0.5, fav_cat[order], cat)
    if forced_cat is not None:
        cat = np.where(first_line & (forced_cat[order] >= 0), forced_cat[order], cat)
    product = np.searchsorted(catalogue.cum, cat + rng.random(order.size), side="right")
    product = np.minimum(product, len(catalogue.price) - 1)

    # Planted pairs: the partner is added to the same order with probability partner_p.
    anchor = catalogue.partner[product] >= 0
    add = anchor & (rng.random(order.size) < catalogue.partner_p[product])
    order = np.concatenate([order, order[add]])
    product = np.concatenate([product, catalogue.partner[product[add]]])
    # One line per (order, product): repeated draws would otherwise look like duplicate rows.
    key = order.astype(np.int64) * 1000 + product
    _, first = np.unique(key, return_index=True)
    first = np.sort(first)
    order, product = order[first], product[first]
    srt = np.argsort(order, kind="stable")
    order, product = order[srt], product[srt]

    quantity = np.minimum(1 + rng.poisson(0.3 * basket[order]), 6)
    # Promotions are order-level; most lines of a promotion order get its discount.
    promo_of_order = np.full(n_orders, -1)
    for i, (_, a, b, _, _) in enumerate(per.promos):
        promo_of_order[(order_sec >= a) & (order_sec < b)] = i
    u = rng.random(n_orders)
    uses_promo = (promo_of_order >= 0) & (u < 0.75)
    app5 = ~uses_promo & (order_channel == 1) & (u > 0.70)
    flash = ~uses_promo & ~app5 & (u < 0.03)
    discount = np.zeros(order.size, dtype=np.int64)
    promo = np.full(order.size, "", dtype=object)
    line_u = rng.random(order.size)
    p_idx = promo_of_order[order]
    for i, (pid, _, _, disc, probs) in enumerate(per.promos):
        m = uses_promo[order] & (p_idx == i) & (line_u < 0.85)
        if m.any():
            discount[m] = np.array(disc)[_pick(rng, np.array(probs), int(m.sum()))]
            promo[m] = pid
    m = app5[order]
    discount[m], promo[m] = 5, "APP5"
    m = flash[order]
    discount[m], promo[m] = 10, "FLASHSALE"
    promo = np.where(promo == "", None, promo)
    unit = _money(catalogue.price[product] * (1 - discount / 100))
    amount = _money(quantity * unit)
    return _Lines(order, product, quantity, discount, promo, unit, amount)


def _concat_lines(parts: list[tuple[_Lines, int]]) -> _Lines:
    """Concatenate line sets, shifting each set's order index by its offset."""
    fields = ("product", "quantity", "discount", "promo", "unit", "amount")
    order = np.concatenate([lines.order + offset for lines, offset in parts])
    return _Lines(order, *(np.concatenate([getattr(lines, f) for lines, _ in parts]) for f in fields))


# --------------------------------------------------------------------------- campaigns


@dataclass
class _CampaignPlan:
    ids: np.ndarray
    channel: np.ndarray
    sent_s: np.ndarray
    product_class: np.ndarray
    holdout: np.ndarray
    coupon: int  # index of the e-coupon test campaign
    violation: np.ndarray  # "", "no_consent", "class_scope", "data_kind"


def _plan_campaigns(rng: np.random.Generator, per: _Period, months: int) -> _CampaignPlan:
    n = max(6, int(round(40 * months / 24)))
    base = list(_CAMPAIGN_CHANNELS)
    extra = np.array(_CAMPAIGN_CHANNELS)[_pick(rng, np.array([0.25, 0.30, 0.15, 0.12, 0.18]), n - 5)]
    channel = np.array(base + list(extra))[rng.permutation(n)]
    first, last = per.start_day + 7, per.end_day - CONVERSION_WINDOW_DAYS - 2
    days = np.round(np.linspace(first, last, n)).astype(np.int64) + rng.integers(-2, 3, n)
    days = np.clip(days, first, last)
    hour = np.select([channel == "email", channel == "newsletter", channel == "sms"], [10, 19, 12], 15)
    sent_s = days * _DAY + hour * 3600 + rng.integers(0, 4, n) * 900
    coupon = int(np.argmin(np.abs(days - (first + 0.45 * (last - first))) + (channel != "email") * 10**6))
    holdout = np.array([0.15, 0.20, 0.25])[rng.integers(0, 3, n)]
    holdout[coupon] = 0.5
    violation = np.full(n, "", dtype=object)
    candidates = np.setdiff1d(np.arange(n), [coupon])
    picked = rng.choice(candidates, size=min(len(candidates), max(3, n // 4)), replace=False)
    violation[picked] = np.array(["no_consent", "class_scope", "data_kind"])[np.arange(len(picked)) % 3]
    product_class = rng.integers(0, len(CATEGORIES), n)
    return _CampaignPlan(_ids("CMP", np.arange(1, n + 1), 3), channel, sent_s, product_class, holdout,
                         coupon, violation)


def _processing_days(rng: np.random.Generator, received_day: np.ndarray, near_holiday: np.ndarray) -> np.ndarray:
    """Epoch day an unsubscribe request is actioned: mostly within 10 working days, some late, some never."""
    n = len(received_day)
    kind = _pick(rng, np.array([0.80, 0.10, 0.07, 0.03]), n)
    k = np.select([kind == 0, kind == 1, kind == 2], [rng.integers(0, 9, n), rng.integers(9, 11, n),
                                                      rng.integers(11, 31, n)], 0)
    k = np.where(near_holiday, rng.integers(8, 11, n), k)  # on time in working days, > 14 calendar days
    never = (kind == 3) & ~near_holiday
    return np.where(never, _NA, _workday_offset(received_day, k))


def _run_campaigns(rng: np.random.Generator, per: _Period, cu: _Customers, plan: _CampaignPlan,
                   nat_cust: np.ndarray, nat_sec: np.ndarray, nat_amount: np.ndarray) -> dict:
    """Target, randomise and simulate each campaign in date order.

    Campaigns run in sequence because opt-outs from one campaign change who is eligible for the
    next; within a campaign everything is vectorised over customers.
    """
    keys, order_idx, _ = _sorted_keys(nat_cust, nat_sec)
    win = CONVERSION_WINDOW_DAYS * _DAY
    sends: list[dict] = []
    incremental = {"cust": [], "sec": [], "cat": [], "coupon_row": []}
    coupon_rows: dict = {}
    redeem_natural = (np.zeros(0, np.int64), np.zeros(0, np.int64))  # (natural order, coupon row)
    for k in np.argsort(plan.sent_s, kind="stable"):
        t, ch, pc = int(plan.sent_s[k]), str(plan.channel[k]), int(plan.product_class[k])
        t_day = t // _DAY
        kind_bit = 1 << _KIND_OF_CHANNEL[ch]
        class_bit = 1 << pc
        joined = cu.join_s < t - _DAY
        opted_out_processed = (cu.opt_proc_day != _NA) & (cu.opt_proc_day < t_day)
        consented = cu.consent & (cu.consent_day <= t_day)
        base_ok = joined & ~opted_out_processed
        in_scope = (cu.classes & class_bit) > 0
        kind_ok = (cu.kinds & kind_bit) > 0
        eligible = base_ok & consented & in_scope & kind_ok
        is_coupon = k == plan.coupon
        frac = 1.0 if is_coupon else rng.uniform(0.75, 1.0)
        target = eligible & (rng.random(cu.n) < frac)
        # Planted list errors (PDPO Part 6A breaches) in a few campaigns.
        v = plan.violation[k]
        bad_pool = {"no_consent": base_ok & ~cu.consent,
                    "class_scope": base_ok & consented & ~in_scope & kind_ok,
                    "data_kind": base_ok & consented & in_scope & ~kind_ok}.get(v)
        if bad_pool is not None and bad_pool.any():
            n_bad = int(np.ceil(0.02 * target.sum()))
            pool = np.flatnonzero(bad_pool)
            target[rng.choice(pool, size=min(n_bad, pool.size), replace=False)] = True
        who = np.flatnonzero(target)
        m = who.size
        if m == 0:
            continue
        control = rng.random(m) < plan.holdout[k]
        treat = ~control
        last = _last_before(keys, who, np.full(m, t))
        recency = np.where(last == _NA, 10**9, t - last) / _DAY
        n_year, _, _ = _window(keys, np.zeros(keys.size + 1), who, np.full(m, t - 365 * _DAY), np.full(m, t))
        seg = np.where((recency <= 60) & (n_year >= 3), 0, np.where(recency <= 180, 1, 2))
        n_win, _, first_idx = _window(keys, np.zeros(keys.size + 1), who, np.full(m, t), np.full(m, t + win))
        natural = n_win > 0

        delivered = treat & (rng.random(m) < {"email": 0.96, "newsletter": 0.97, "sms": 0.98,
                                               "social": 0.99, "forum": 1.0}[ch])
        engage = np.array([1.3, 1.0, 0.6])[seg]
        p_open = {"email": 0.35, "newsletter": 0.25, "sms": 0.55, "social": 0.15, "forum": 0.10}[ch]
        opened = delivered & (rng.random(m) < p_open * engage)
        p_click = {"email": 0.20, "newsletter": 0.15, "sms": 0.12, "social": 0.18, "forum": 0.20}[ch]
        clicked = opened & (rng.random(m) < p_click)

        if is_coupon:
            value = np.where(rng.random(m) < 0.5, 50, 100)
            lift = np.where(value == 50, np.array(_COUPON_LIFT[50])[seg], np.array(_COUPON_LIFT[100])[seg])
        else:
            value = np.zeros(m, dtype=np.int64)
            lift = np.array(TRUE_CAMPAIGN_LIFT[ch])[seg]
        # ``lift`` is the absolute gain in conversion, so non-natural buyers convert with
        # lift / (1 - natural rate of their segment).
        base = np.array([natural[seg == g].mean() if (seg == g).any() else 0.0 for g in range(3)])[seg]
        extra = delivered & ~natural & (rng.random(m) < lift / np.maximum(1.0 - base, 0.05))
        # Most incremental buyers came through the message's link.
        via_link = extra & (rng.random(m) < 0.8)
        opened |= via_link
        clicked |= via_link
        open_s = t + (rng.exponential(4.0, m) * 3600).astype(np.int64)
        click_s = open_s + (rng.exponential(15.0, m) * 60).astype(np.int64) + 30
        buy_s = t + np.minimum(rng.exponential(2.0, m) * _DAY, win - 3600).astype(np.int64)
        buy_s = np.where(via_link, np.maximum(buy_s, click_s + 60), buy_s)
        buy_s = np.minimum(buy_s, t + win - 60)

        # Unsubscribing needs an opened message; only a customer's first opt-out is recorded.
        p_unsub = {"email": 0.03, "newsletter": 0.03, "sms": 0.02, "social": 0.012, "forum": 0.01}[ch]
        unsub = opened & (rng.random(m) < p_unsub) & (cu.opt_req_day[who] == _NA)
        unsub_s = open_s + (rng.exponential(10.0, m) * 60).astype(np.int64) + 20
        new_opt = who[unsub]
        cu.opt_req_day[new_opt] = unsub_s[unsub] // _DAY
        cu.opt_proc_day[new_opt] = _processing_days(rng, unsub_s[unsub] // _DAY, np.zeros(unsub.sum(), bool))
        cu.opt_channel[new_opt] = {"email": 0, "newsletter": 2, "sms": 1}.get(ch, 0)

        if is_coupon:
            coupon_rows = {"who": who, "control": control, "value": np.where(control, 0, value),
                           "t": t, "delivered": delivered}
            nat_order = np.where(natural, order_idx[np.minimum(first_idx, order_idx.size - 1)], -1)
            nat_amt = np.where(natural, nat_amount[np.maximum(nat_order, 0)], 0.0)
            min_spend = np.where(value == 50, 300.0, 500.0)
            redeem = delivered & natural & (nat_amt >= min_spend) & (rng.random(m) < 0.85)
            redeem_natural = (nat_order[redeem], np.flatnonzero(redeem))
        row_of_extra = np.flatnonzero(extra)
        incremental["cust"].append(who[extra])
        incremental["sec"].append(buy_s[extra])
        incremental["cat"].append(np.full(extra.sum(), pc))
        incremental["coupon_row"].append(row_of_extra if is_coupon else np.full(extra.sum(), -1))
        sends.append({
            "campaign": np.full(m, k), "cust": who, "control": control, "delivered": delivered,
            "open_s": np.where(opened, open_s, _NA), "click_s": np.where(clicked, click_s, _NA),
            "unsub_s": np.where(unsub, unsub_s, _NA), "t": np.full(m, t),
        })
    if not sends:
        raise ValueError("no customer was eligible for any campaign; use more customers or months")
    merged = {key: np.concatenate([part[key] for part in sends]) for key in sends[0]}
    inc = {key: np.concatenate(parts).astype(np.int64) for key, parts in incremental.items()}
    return {"sends": merged, "inc_cust": inc["cust"], "inc_sec": inc["sec"], "inc_cat": inc["cat"],
            "inc_coupon_row": inc["coupon_row"], "coupon": coupon_rows, "redeem_natural": redeem_natural}


# --------------------------------------------------------------------------- the shop


def generate_shop(
    seed: int = 406, n_customers: int = 5000, months: int = 24, start: str = "2024-11-01"
) -> dict[str, pd.DataFrame]:
    """Build every table of the synthetic shop in memory.

    Parameters
    ----------
    seed : int
        Seed for :class:`numpy.random.SeedSequence`; the same seed gives the same tables.
    n_customers : int
        Number of registered customers (a quarter joined in the year before ``start``).
    months : int
        Length of the observed period; orders, campaigns and sessions fall in
        ``[start, start + months)``.
    start : str
        First day of the period, ``YYYY-MM-DD``.

    Returns
    -------
    dict[str, pandas.DataFrame]
        One DataFrame per table of :data:`helpers.schema.SHOP_TABLES`, with exactly its columns
        in order. Date columns are ``datetime64[s]`` (NaT = missing).

    Raises
    ------
    ValueError
        If ``n_customers < 50`` or ``months < 3`` (too small for every table to be meaningful).

    Examples
    --------
    >>> shop = generate_shop(seed=7, n_customers=60, months=3)
    >>> list(shop["products"].columns) == list(SHOP_TABLES["products"].columns)
    True
    >>> bool(shop["transactions"]["order_date"].min() >= pd.Timestamp("2024-11-01"))
    True
    """
    if n_customers < 50:
        raise ValueError(f"n_customers must be at least 50, got {n_customers}")
    if months < 3:
        raise ValueError(f"months must be at least 3, got {months}")
    rngs = _streams(seed)
    per = _make_period(start, months)
    scale = n_customers / 5000 * months / 24  # marketing tables grow with customers x months
    catalogue = _make_products(rngs["products"])
    n_dnc = max(30, int(round(300 * n_customers / 5000)))
    cu = _make_customers(rngs["customers"], n_customers, per, extra_phones=n_dnc)

    # Natural (campaign-free) purchases, including those before the period (used for tiers).
    nat_cust, nat_sec = _natural_orders(rngs["orders"], cu, per)
    srt = np.lexsort((nat_cust, nat_sec))
    nat_cust, nat_sec = nat_cust[srt], nat_sec[srt]
    nat_channel = _order_channels(rngs["orders"], cu, nat_cust)
    nat_lines = _draw_lines(rngs["lines"], per, catalogue, nat_sec, nat_channel, cu.basket[nat_cust],
                            cu.fav_cat[nat_cust])
    nat_amount = np.bincount(nat_lines.order, weights=nat_lines.amount, minlength=nat_sec.size)

    # Spontaneous opt-outs (e-mails to the shop), some just before long holidays.
    _spontaneous_opt_outs(rngs["unsubscribes"], per, cu, scale)
    plan = _plan_campaigns(rngs["campaigns"], per, months)
    camp = _run_campaigns(rngs["campaigns"], per, cu, plan, nat_cust, nat_sec, nat_amount)

    # Incremental (campaign- and coupon-caused) orders.
    inc_cust, inc_sec = camp["inc_cust"], camp["inc_sec"]
    rng_inc = rngs["incremental"]
    inc_channel = cu.pchannel[inc_cust]
    inc_lines = _draw_lines(rng_inc, per, catalogue, inc_sec, inc_channel, cu.basket[inc_cust],
                            cu.fav_cat[inc_cust], forced_cat=camp["inc_cat"])
    inc_lines = _top_up_coupon_orders(rng_inc, catalogue, inc_lines, camp, inc_sec.size)

    orders, lines = _assemble_orders(rngs["guests"], per, cu, catalogue, nat_cust, nat_sec, nat_channel,
                                     nat_lines, inc_lines, camp)
    n_inc = inc_sec.size
    o_coupon_row = orders["coupon_row"]

    tables: dict[str, pd.DataFrame] = {"products": catalogue.table}
    coupon_ids = _coupon_ids(camp["coupon"])
    tables["transactions"] = _transactions(rngs["dirty"], per, cu, catalogue, orders, lines, coupon_ids)
    shop_orders = orders | {"cust_mask": orders["cust"] >= 0}
    all_cust = np.concatenate([nat_cust, inc_cust])
    all_sec = np.concatenate([nat_sec, inc_sec])
    all_amount = np.concatenate([nat_amount, np.bincount(inc_lines.order, weights=inc_lines.amount,
                                                         minlength=n_inc)])
    tables["loyalty"], tier, points = _loyalty(rngs["loyalty"], per, cu, all_cust, all_sec, all_amount)
    tables["customers"] = _customers_table(cu, tier, points)
    redeemed = o_coupon_row[o_coupon_row >= 0]
    redeemed_value = float(camp["coupon"]["value"][redeemed].sum()) if camp["coupon"] else 0.0
    tables["campaigns"], tables["messages"] = _campaign_tables(rngs["messages"], plan, camp, redeemed_value)
    tables["campaign_sends"] = _sends_table(plan, camp, cu, shop_orders)
    tables["coupons"] = _coupons_table(camp, plan, cu, shop_orders, coupon_ids, all_cust, all_sec)
    tables["referrals"] = _referrals_table(rngs["referrals"], per, cu)
    tables["welcome_offers"] = _welcome_table(rngs["welcome"], per, cu, shop_orders)
    tables["web_sessions"] = _sessions_table(rngs["sessions"], per, cu, scale)
    kw = _keyword_ads_table(rngs["keywords"], per)
    infl = _influencer_table(rngs["influencers"], per, months)
    vids = _videos_table(rngs["videos"], per, months)
    tables["keyword_ads"], tables["influencer_posts"], tables["videos"] = kw, infl, vids
    tables["leads"] = _leads_table(rngs["leads"], per, cu, shop_orders, scale, kw, infl, vids)
    tables["unsubscribe_requests"] = _unsubscribe_table(cu)
    tables["assets"] = _assets_table(rngs["assets"], plan, months)
    tables["dnc_register"] = _dnc_table(rngs["dnc"], per, cu, n_dnc)
    tables["access_requests"] = _access_table(rngs["access"], per, cu, months)
    tables["data_register"] = _data_register_table(per, tables)
    return {name: tables[name].loc[:, list(spec.columns)].reset_index(drop=True)
            for name, spec in SHOP_TABLES.items()}


def _assemble_orders(rng_g: np.random.Generator, per: _Period, cu: _Customers, catalogue: _Catalogue,
                     nat_cust: np.ndarray, nat_sec: np.ndarray, nat_channel: np.ndarray, nat_lines: _Lines,
                     inc_lines: _Lines, camp: dict) -> tuple[dict, _Lines]:
    """Every in-period order (natural, campaign-caused, guest), numbered in time order, with its lines."""
    inc_cust, inc_sec = camp["inc_cust"], camp["inc_sec"]
    inc_channel = cu.pchannel[inc_cust]
    # Guest checkouts: about 0.5% of lines have no customer.
    in_period = nat_sec >= per.start_s
    n_lines_est = int((np.isin(nat_lines.order, np.flatnonzero(in_period))).sum() + inc_lines.order.size)
    lines_per_order = nat_lines.order.size / max(nat_sec.size, 1)
    n_guest = max(2, int(round(0.005 * n_lines_est / lines_per_order)))
    g_day = per.sample_days(rng_g, np.full(n_guest, per.start_day), np.full(n_guest, per.end_day))
    g_sec = np.sort(g_day * _DAY + _time_of_day(rng_g, g_day))
    g_channel = _pick(rng_g, np.array([0.7, 0.1, 0.2]), n_guest)
    g_lines = _draw_lines(rng_g, per, catalogue, g_sec, g_channel, np.ones(n_guest),
                          _pick(rng_g, _CATEGORY_SHARE, n_guest))
    g_district = _pick(rng_g, _DISTRICT_P, n_guest)
    g_device = np.where(g_channel == 0, _pick(rng_g, np.array([0.5, 0.4, 0.1]), n_guest), 0)

    # Every in-period order, numbered in time order.
    nat_keep = np.flatnonzero(in_period)
    remap = np.full(nat_sec.size, -1)
    remap[nat_keep] = np.arange(nat_keep.size)
    nl_mask = remap[nat_lines.order] >= 0
    nat_lines_p = _Lines(remap[nat_lines.order[nl_mask]], *(getattr(nat_lines, f)[nl_mask] for f in
                         ("product", "quantity", "discount", "promo", "unit", "amount")))
    n_nat, n_inc = nat_keep.size, inc_sec.size
    o_cust = np.concatenate([nat_cust[nat_keep], inc_cust, np.full(n_guest, -1)])
    o_sec = np.concatenate([nat_sec[nat_keep], inc_sec, g_sec])
    o_channel = np.concatenate([nat_channel[nat_keep], inc_channel, g_channel])
    o_district = np.concatenate([cu.district[nat_cust[nat_keep]], cu.district[inc_cust], g_district])
    o_device = np.concatenate([cu.device[nat_cust[nat_keep]], cu.device[inc_cust], g_device])
    lines = _concat_lines([(nat_lines_p, 0), (inc_lines, n_nat), (g_lines, n_nat + n_inc)])
    # Coupon redemptions: natural orders the coupon was used on, and all coupon-caused orders.
    o_coupon_row = np.full(o_sec.size, -1)
    nat_i, row = camp["redeem_natural"]
    hit = remap[nat_i] >= 0
    o_coupon_row[remap[nat_i[hit]]] = row[hit]
    o_coupon_row[n_nat:n_nat + n_inc] = camp["inc_coupon_row"]
    rank = np.lexsort((o_cust, o_sec))
    number = np.empty(o_sec.size, dtype=np.int64)
    number[rank] = np.arange(1, o_sec.size + 1)
    o_id = _ids("O", number, 6)
    orders = {"id": o_id, "cust": o_cust, "sec": o_sec, "channel": o_channel, "district": o_district,
              "device": o_device, "coupon_row": o_coupon_row,
              "amount": np.bincount(lines.order, weights=lines.amount, minlength=o_sec.size)}

    return orders, lines


def _order_channels(rng: np.random.Generator, cu: _Customers, cust: np.ndarray) -> np.ndarray:
    """Mostly the customer's usual channel; sometimes another one their device allows."""
    other = (rng.random(cust.size)[:, None] > np.cumsum(_CHANNEL_BY_DEVICE[cu.device[cust]], axis=1)).sum(axis=1)
    return np.where(rng.random(cust.size) < 0.8, cu.pchannel[cust], other.clip(0, 2))


def _spontaneous_opt_outs(rng: np.random.Generator, per: _Period, cu: _Customers, scale: float) -> None:
    n = max(10, int(round(330 * scale)))
    pool = np.flatnonzero(cu.consent)
    who = rng.choice(pool, size=min(n, pool.size), replace=False)
    lo = np.maximum(cu.join_s[who] // _DAY + 1, per.start_day)
    day = lo + (rng.random(who.size) * np.maximum(per.end_day - 20 - lo, 1)).astype(np.int64)
    # A few arrive in the three days before Lunar New Year, Easter or Christmas.
    anchors = [np.datetime64(d, "D").astype(np.int64) for d in _LUNAR_NEW_YEAR + _EASTER_FRIDAY]
    anchors += [np.datetime64(f"{y}-12-24", "D").astype(np.int64) for y in range(1990, 2100)]
    anchors = np.array([a for a in anchors if per.start_day + 5 < a < per.end_day - 20])
    near = np.zeros(who.size, bool)
    if anchors.size:
        n_near = min(who.size, max(3, int(round(0.08 * who.size))))
        near[:n_near] = True
        day[:n_near] = anchors[rng.integers(0, anchors.size, n_near)] - rng.integers(1, 4, n_near)
    day = np.maximum(day, cu.join_s[who] // _DAY + 1)
    cu.opt_req_day[who] = day
    cu.opt_proc_day[who] = _processing_days(rng, day, near)
    cu.opt_channel[who] = rng.integers(0, 3, who.size)


def _coupon_ids(coupon: dict) -> np.ndarray:
    return _ids("CPN", np.arange(1, coupon["who"].size + 1), 5) if coupon else np.zeros(0, dtype=str)


def _top_up_coupon_orders(rng: np.random.Generator, catalogue: _Catalogue, lines: _Lines, camp: dict,
                          n_orders: int) -> _Lines:
    """Coupon-caused orders must reach the coupon's minimum spend: add one undiscounted item."""
    row = camp["inc_coupon_row"]
    if not camp["coupon"] or not (row >= 0).any():
        return lines
    value = camp["coupon"]["value"][np.maximum(row, 0)]
    need = np.where(row >= 0, np.where(value == 50, 300.0, 500.0), 0.0)
    total = np.bincount(lines.order, weights=lines.amount, minlength=n_orders)
    short = np.flatnonzero(total < need)
    if short.size == 0:
        return lines
    deficit = need[short] - total[short]
    by_price = np.argsort(catalogue.price, kind="stable")
    pos = np.searchsorted(catalogue.price[by_price], deficit, side="left") + rng.integers(0, 4, short.size)
    product = by_price[np.minimum(pos, by_price.size - 1)]
    # If the order already holds that product, take the dearest item instead (it always clears the gap).
    clash = np.isin(short * 1000 + product, lines.order.astype(np.int64) * 1000 + lines.product)
    product = np.where(clash, by_price[-1], product)
    quantity = np.maximum(np.ceil(deficit / catalogue.price[product]), 1).astype(np.int64)
    unit = catalogue.price[product]
    add = _Lines(short, product, quantity, np.zeros(short.size, np.int64), np.full(short.size, None, object),
                 unit, _money(quantity * unit))
    merged = _concat_lines([(lines, 0), (add, 0)])
    srt = np.argsort(merged.order, kind="stable")
    return _Lines(*(getattr(merged, f)[srt] for f in ("order", "product", "quantity", "discount", "promo",
                                                      "unit", "amount")))


# --------------------------------------------------------------------------- table builders


def _transactions(rng: np.random.Generator, per: _Period, cu: _Customers, catalogue: _Catalogue,
                  orders: dict, lines: _Lines, coupon_ids: np.ndarray) -> pd.DataFrame:
    """Clean order lines plus planted dirty rows for each cleaning reason."""
    o = lines.order
    cust = orders["cust"][o]
    coupon_row = orders["coupon_row"][o]
    cat_names = np.array(CATEGORIES)
    clean = pd.DataFrame({
        "order_id": orders["id"][o],
        "customer_id": _opt(cu.ids[np.maximum(cust, 0)], cust >= 0),
        "order_date": _ts(orders["sec"][o]),
        "product_id": catalogue.table["product_id"].to_numpy()[lines.product],
        "product_name": catalogue.table["product_name"].to_numpy()[lines.product],
        "category": cat_names[catalogue.cat[lines.product]],
        "quantity": lines.quantity.astype(np.int64),
        "unit_price": lines.unit,
        "amount": lines.amount,
        "list_price_hkd": catalogue.price[lines.product],
        "discount_pct": lines.discount.astype(np.int64),
        "district": _DISTRICTS[orders["district"][o]],
        "channel": _CHANNELS[orders["channel"][o]],
        "device": _DEVICES[orders["device"][o]],
        "promotion_id": lines.promo,
        "coupon_id": _opt(coupon_ids[np.maximum(coupon_row, 0)] if coupon_ids.size else
                          np.full(o.size, ""), coupon_row >= 0),
    })
    clean["_seq"] = np.arange(len(clean), dtype=float)
    cust_lines = np.flatnonzero(cust >= 0)

    # Cancellations mirror a whole earlier order: order id "C" + id, negative quantities.
    cust_orders = np.flatnonzero(orders["cust"] >= 0)
    n_cancel = max(2, int(round(0.012 * cust_orders.size)))
    cancelled = rng.choice(cust_orders, size=n_cancel, replace=False)
    later = orders["sec"][cancelled] + rng.integers(2 * 3600, 10 * _DAY, n_cancel)
    later = np.minimum(later, per.end_s - 60)
    when = np.full(orders["sec"].size, _NA)
    when[cancelled] = later
    hit = when[o] != _NA
    c_lines = clean.loc[hit].copy()
    c_lines["order_date"] = _ts(when[o[hit]])
    c_lines["order_id"] = "C" + c_lines["order_id"]
    c_lines["quantity"] = -c_lines["quantity"]
    c_lines["amount"] = -c_lines["amount"]
    c_lines["_seq"] = c_lines["_seq"] + 0.25

    # Free gifts (unit price 0, discount 100%) and a couple of sign errors (negative price).
    n_gift = max(3, int(round(1.6e-4 * len(clean))))
    n_neg = 2 if len(clean) > 20_000 else 1
    host = rng.choice(cust_lines, size=n_gift + n_neg, replace=False)
    gift_products = np.flatnonzero(np.isin(catalogue.cat, (1, 6)))  # beauty samples, small toys
    gp = gift_products[rng.integers(0, gift_products.size, n_gift + n_neg)]
    extra = clean.iloc[host].copy()
    extra["product_id"] = catalogue.table["product_id"].to_numpy()[gp]
    extra["product_name"] = catalogue.table["product_name"].to_numpy()[gp]
    extra["category"] = cat_names[catalogue.cat[gp]]
    extra["list_price_hkd"] = catalogue.price[gp]
    extra["quantity"] = 1
    extra["promotion_id"] = None
    gift = np.arange(n_gift + n_neg) < n_gift
    extra["discount_pct"] = np.where(gift, 100, 0)
    extra["unit_price"] = np.where(gift, 0.0, -catalogue.price[gp])
    extra["amount"] = extra["unit_price"]
    extra["_seq"] = extra["_seq"] + 0.5

    # Exact duplicate lines (double-submitted checkout).
    n_dup = max(2, int(round(0.003 * len(clean))))
    dup = clean.iloc[rng.choice(cust_lines, size=n_dup, replace=False)].copy()
    dup["_seq"] = dup["_seq"] + 0.125

    tx = pd.concat([clean, c_lines, extra, dup], ignore_index=True)
    tx = tx.sort_values(["order_date", "order_id", "_seq"], kind="stable").drop(columns="_seq")
    return tx.reset_index(drop=True)


def _dirty_row_counts(transactions: pd.DataFrame) -> dict[str, int]:
    """Rows each downstream cleaning rule would drop, applied in the documented order.

    Examples
    --------
    >>> tx = pd.DataFrame({"order_id": ["O1", "C1", "O2", "O2", "O3"],
    ...     "customer_id": ["C1", "C1", "C2", "C2", None], "quantity": [1, -1, 1, 1, 1],
    ...     "unit_price": [10.0, 10.0, 0.0, 5.0, 5.0]})
    >>> _dirty_row_counts(tx)
    {'missing_customer_id': 1, 'cancelled_order': 1, 'non_positive_price': 1, 'duplicate_row': 0}
    """
    tx = transactions
    missing = tx["customer_id"].isna() | (tx["customer_id"].astype("string").str.strip() == "")
    rest = tx.loc[~missing]
    cancel = rest["order_id"].astype("string").str.startswith("C") | (rest["quantity"] <= 0)
    rest = rest.loc[~cancel]
    bad_price = rest["unit_price"] <= 0
    rest = rest.loc[~bad_price]
    return {"missing_customer_id": int(missing.sum()), "cancelled_order": int(cancel.sum()),
            "non_positive_price": int(bad_price.sum()), "duplicate_row": int(rest.duplicated().sum())}


def _loyalty(rng: np.random.Generator, per: _Period, cu: _Customers, cust: np.ndarray, sec: np.ndarray,
             amount: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Quarterly snapshots: tier from trailing-12-month spend, points from spend since joining."""
    start = pd.Timestamp(per.start_s, unit="s")
    n_q = max(1, (per.end_day - per.start_day) // 91)
    snaps = np.array([_epoch_s(start + pd.DateOffset(months=3 * (q + 1))) for q in range(n_q)])
    snaps = np.minimum(snaps, per.end_s)
    keys, _, csum = _sorted_keys(cust, sec, amount)
    members = np.flatnonzero((cu.member_s != _NA) & (cu.member_s < per.end_s))
    n_m = members.size
    tier = np.zeros(n_m, np.int64)
    balance = np.zeros(n_m)
    rows = []
    prev_end = np.full(n_m, per.start_s)
    for snap in snaps:
        active = cu.member_s[members] < snap
        _, trailing, _ = _window(keys, csum, members, np.full(n_m, snap - 365 * _DAY), np.full(n_m, snap))
        lo = np.maximum(prev_end, cu.member_s[members])
        _, spend_q, _ = _window(keys, csum, members, lo, np.full(n_m, snap))
        multiplier = np.array([1.0, 1.0, 1.25, 1.5])[np.maximum(tier, 1)]
        earned = np.floor(np.maximum(spend_q, 0) * multiplier)
        avail = balance + earned
        redeem = (avail >= 500) & (rng.random(n_m) < 0.35)
        redeemed = np.where(redeem, np.floor(avail * rng.uniform(0.3, 1.0, n_m) / 100) * 100, 0.0)
        new_tier = np.where(trailing >= _PLATINUM_HKD, 3, np.where(trailing >= _GOLD_HKD, 2, 1))
        tier = np.where(active, new_tier, tier)
        balance = np.where(active, avail - redeemed, balance)
        rows.append(pd.DataFrame({
            "customer_id": cu.ids[members[active]],
            "snapshot_date": _days_ts(np.full(active.sum(), (snap - 1) // _DAY)),
            "tier": _TIERS[tier[active]],
            "points_earned": earned[active].astype(np.int64),
            "points_redeemed": redeemed[active].astype(np.int64),
            "points_balance": balance[active].astype(np.int64),
            "_m": np.flatnonzero(active),
        }))
        prev_end = np.full(n_m, snap)
    table = pd.concat(rows, ignore_index=True).sort_values(["customer_id", "snapshot_date"], kind="stable")
    cust_tier = np.zeros(cu.n, np.int64)
    cust_points = np.zeros(cu.n, np.int64)
    cust_tier[members] = tier
    cust_points[members] = balance.astype(np.int64)
    return table.drop(columns="_m").reset_index(drop=True), cust_tier, cust_points


def _mask_to_list(mask: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    out = np.full(mask.size, "", dtype=object)
    for i, name in enumerate(names):
        has = (mask & (1 << i)) > 0
        out[has] = np.where(out[has] == "", name, out[has] + ";" + name)
    return out


def _customers_table(cu: _Customers, tier: np.ndarray, points: np.ndarray) -> pd.DataFrame:
    consent_channels = np.array(["written", "electronic", "oral"])
    kinds = _mask_to_list(cu.kinds, _DATA_KINDS)
    classes = _mask_to_list(cu.classes, CATEGORIES)
    return pd.DataFrame({
        "customer_id": cu.ids,
        "full_name": cu.full_name,
        "email": cu.email,
        "phone": cu.phone,
        "join_date": _days_ts(cu.join_s // _DAY),
        "acquisition_source": _SOURCES[cu.source],
        "district": _DISTRICTS[cu.district],
        "age_band": _AGE_BANDS[cu.age],
        "device": _DEVICES[cu.device],
        "membership_tier": _TIERS[tier],
        "loyalty_points": points,
        "dm_consent": cu.consent,
        "consent_date": _days_ts(cu.consent_day),
        "consent_channel": _opt(consent_channels[np.maximum(cu.consent_channel, 0)], cu.consent),
        "consent_confirmed_date": _days_ts(cu.confirmed_day),
        "consent_data_kinds": _opt(kinds, cu.consent),
        "consent_product_classes": _opt(classes, cu.consent),
        "third_party_consent": cu.third_party,
        "third_party_consent_channel": _opt(np.array(["written", "oral"])[np.maximum(cu.tp_channel, 0)],
                                            cu.third_party),
        "opt_out_date": _days_ts(cu.opt_req_day),
        "referred_by": _opt(cu.ids[np.maximum(cu.referred_by, 0)], cu.referred_by >= 0),
    })


_OFFERS = {
    "newsletter": "Monthly picks: {c} new arrivals",
    "email": "10% off {c} this week",
    "social": "Gift with purchase on {c}",
    "forum": "Members' tips and a {c} discount code",
    "sms": "Flash sale: 20% off {c} today",
}
_SEND_COST = {"newsletter": 0.03, "email": 0.05, "sms": 0.40, "social": 0.0, "forum": 0.0}
_FIXED_COST = {"newsletter": 3000.0, "email": 2000.0, "sms": 500.0, "social": 6000.0, "forum": 1500.0}


def _campaign_tables(rng: np.random.Generator, plan: _CampaignPlan, camp: dict,
                     redeemed_value: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = plan.ids.size
    cls = np.array(CATEGORIES)[plan.product_class]
    treat_n = np.bincount(camp["sends"]["campaign"][~camp["sends"]["control"]], minlength=n)
    label = {"newsletter": "Newsletter", "email": "Email", "social": "Social", "forum": "Forum", "sms": "SMS"}
    names = np.array([f"{label[c]}: {p.replace('_', ' ')}" for c, p in zip(plan.channel, cls, strict=True)],
                     dtype=object)
    offers = np.array([_OFFERS[c].format(c=p.replace("_", " ")) for c, p in zip(plan.channel, cls, strict=True)],
                      dtype=object)
    cost = np.array([_FIXED_COST[c] + _SEND_COST[c] * t for c, t in zip(plan.channel, treat_n, strict=True)])
    names[plan.coupon] = "E-coupon test (HK$50 / HK$100 off)"
    offers[plan.coupon] = "E-coupon: HK$50 off HK$300 or HK$100 off HK$500, 14 days"
    cost[plan.coupon] += redeemed_value  # coupon face value is a marketing cost
    message_ids = _ids("MSG", np.arange(1, n + 1), 3)
    campaigns = pd.DataFrame({
        "campaign_id": plan.ids, "campaign_name": names, "channel": plan.channel,
        "sent_at": _ts(plan.sent_s), "product_class": cls, "offer": offers, "cost_hkd": _money(cost),
        "holdout_share": plan.holdout, "message_id": message_ids,
    })
    subjects = np.array([f"{o}" for o in offers], dtype=object)
    misleading = ["RE: your order", "FREE!!! 100% WINNER", "Action required: account suspended",
                  "Fwd: your invoice"]
    electronic = np.isin(plan.channel, ("email", "newsletter", "sms"))
    cand = np.flatnonzero(electronic & (np.arange(n) != plan.coupon))
    bad = rng.choice(cand, size=min(cand.size, len(misleading)), replace=False)
    subjects[bad] = np.array(misleading[: bad.size], dtype=object)
    sender = np.ones(n, bool)
    sender[rng.choice(n, size=min(n, 3), replace=False)] = False
    unsub_en = np.ones(n, bool)
    unsub_en[rng.choice(n, size=min(n, 2), replace=False)] = False
    unsub_zh = unsub_en.copy()
    unsub_zh[rng.choice(n, size=min(n, 5), replace=False)] = False
    messages = pd.DataFrame({
        "message_id": message_ids, "campaign_id": plan.ids, "channel": plan.channel, "subject": subjects,
        "sender_info": sender, "unsubscribe_en": unsub_en, "unsubscribe_zh": unsub_zh,
        "sent_at": _ts(plan.sent_s),
    })
    return campaigns, messages


def _order_index(shop_orders: dict):
    m = shop_orders["cust_mask"]
    idx = np.flatnonzero(m)
    keys, order, csum = _sorted_keys(shop_orders["cust"][idx], shop_orders["sec"][idx],
                                     shop_orders["amount"][idx])
    return keys, idx[order], csum


def _sends_table(plan: _CampaignPlan, camp: dict, cu: _Customers, shop_orders: dict) -> pd.DataFrame:
    s = camp["sends"]
    keys, back, csum = _order_index(shop_orders)
    t = s["t"]
    # Conversion is measured identically in both arms: any order in the 14 days after the send.
    n_win, revenue, first = _window(keys, csum, s["cust"], t, t + CONVERSION_WINDOW_DAYS * _DAY)
    conv = n_win > 0
    conv_s = np.where(conv, shop_orders["sec"][back[np.minimum(first, back.size - 1)]], _NA)
    ch = plan.channel[s["campaign"]]
    kind = np.array(_DATA_KINDS)[np.select([ch == c for c in _KIND_OF_CHANNEL], list(_KIND_OF_CHANNEL.values()))]
    order = np.lexsort((s["cust"], s["campaign"]))
    df = pd.DataFrame({
        "campaign_id": plan.ids[s["campaign"]],
        "customer_id": cu.ids[s["cust"]],
        "group": np.where(s["control"], "control", "treatment"),
        "channel": ch,
        "sent_at": _ts(np.where(s["control"], _NA, t)),
        "delivered": s["delivered"],
        "opened_at": _ts(s["open_s"]),
        "clicked_at": _ts(s["click_s"]),
        "converted_at": _ts(conv_s),
        "revenue_hkd": _money(revenue),
        "unsubscribed_at": _ts(s["unsub_s"]),
        "data_kind": kind,
        "product_class": np.array(CATEGORIES)[plan.product_class[s["campaign"]]],
    }).iloc[order].reset_index(drop=True)
    df.insert(0, "send_id", _ids("SND", np.arange(1, len(df) + 1), 6))
    return df


def _coupons_table(camp: dict, plan: _CampaignPlan, cu: _Customers, shop_orders: dict,
                   coupon_ids: np.ndarray, all_cust: np.ndarray, all_sec: np.ndarray) -> pd.DataFrame:
    c = camp["coupon"]
    who, t = c["who"], c["t"]
    m = who.size
    keys, back, csum = _order_index(shop_orders)
    n_win, revenue, _ = _window(keys, csum, who, np.full(m, t), np.full(m, t + CONVERSION_WINDOW_DAYS * _DAY))
    # Prior period uses every purchase, including those before the observed window.
    pk, _, _ = _sorted_keys(all_cust, all_sec)
    n_prior, _, _ = _window(pk, np.zeros(pk.size + 1), who, np.full(m, t - 30 * _DAY), np.full(m, t))
    row = shop_orders["coupon_row"]
    red = np.flatnonzero(row >= 0)
    red_sec = np.full(m, _NA)
    red_id = np.full(m, None, dtype=object)
    red_sec[row[red]] = shop_orders["sec"][red]
    red_id[row[red]] = shop_orders["id"][red]
    value = c["value"].astype(np.int64)
    min_spend = pd.array(np.where(value == 50, 300, 500), dtype="Int64")
    min_spend[value == 0] = pd.NA  # the control arm got no coupon
    return pd.DataFrame({
        "coupon_id": coupon_ids,
        "customer_id": cu.ids[who],
        "campaign_id": plan.ids[plan.coupon],
        "group": np.where(c["control"], "control", "coupon"),
        "issued_at": _ts(np.full(m, t)),
        "value_hkd": value,
        "min_spend_hkd": min_spend,
        "redeemed_at": _ts(red_sec),
        "order_id": red_id,
        "purchased_in_window": n_win > 0,
        "revenue_in_window_hkd": _money(revenue),
        "bought_in_prior_period": n_prior > 0,
    })


def _referrals_table(rng: np.random.Generator, per: _Period, cu: _Customers) -> pd.DataFrame:
    ref = np.flatnonzero(cu.referred_by >= 0)
    signed = cu.join_s[ref]
    invited = signed - (rng.exponential(4.0, ref.size) * _DAY).astype(np.int64) - 600
    invited = np.maximum(invited, cu.join_s[cu.referred_by[ref]] + 600)  # a referrer must exist first
    online = rng.random(ref.size) < 0.7
    processed = signed + np.where(online, np.minimum(rng.exponential(5.0, ref.size), 23.0) * 3600,
                                  rng.uniform(3.0, 9.0, ref.size) * _DAY).astype(np.int64)
    first = cu.first_s[ref]
    # Unanswered invitations: about 1.6 per successful one, from earlier customers weighted by activity.
    n_fail = int(round(1.6 * ref.size))
    inv_fail = per.start_s - 365 * _DAY + (rng.random(n_fail) * (per.end_s - per.start_s + 365 * _DAY)).astype(np.int64)
    inv_fail = np.sort(inv_fail)
    n_before = np.searchsorted(cu.join_s, inv_fail - _DAY)
    ok = n_before > 0
    inv_fail, n_before = inv_fail[ok], n_before[ok]
    weight = np.cumsum(cu.lam)
    referrer_fail = np.minimum(np.searchsorted(weight, rng.random(inv_fail.size) * weight[n_before - 1],
                                               side="right"), n_before - 1)
    k = inv_fail.size
    df = pd.DataFrame({
        "referrer_id": np.concatenate([cu.ids[cu.referred_by[ref]], cu.ids[referrer_fail]]),
        "referee_id": np.concatenate([cu.ids[ref], np.full(k, None, dtype=object)]),
        "channel": np.concatenate([np.where(online, "online", "offline"),
                                   np.where(rng.random(k) < 0.7, "online", "offline")]),
        "invited_at": _ts(np.concatenate([invited, inv_fail])),
        "signed_up_at": _ts(np.concatenate([signed, np.full(k, _NA)])),
        "processed_at": _ts(np.concatenate([processed, np.full(k, _NA)])),
        "first_order_at": _ts(np.concatenate([first, np.full(k, _NA)])),
        "reward_hkd": np.concatenate([np.where(first != _NA, 50.0, 0.0), np.zeros(k)]),
    }).sort_values("invited_at", kind="stable").reset_index(drop=True)
    df.insert(0, "referral_id", _ids("R", np.arange(1, len(df) + 1), 5))
    return df


def _welcome_table(rng: np.random.Generator, per: _Period, cu: _Customers, shop_orders: dict) -> pd.DataFrame:
    new = np.flatnonzero(cu.join_s >= per.start_s)
    offers = np.array(["HK$50 off your first order", "HK$100 off a first order over HK$500",
                       "Free delivery on your first order"])
    values = np.array([50.0, 100.0, 30.0])
    which = rng.integers(0, 3, new.size)
    keys, back, _ = _order_index(shop_orders)
    n_win, _, first = _window(keys, np.zeros(keys.size + 1), new, cu.join_s[new], cu.join_s[new] + 30 * _DAY)
    # Bigger offers are taken up more often.
    take = (n_win > 0) & (rng.random(new.size) < np.array([0.45, 0.55, 0.38])[which])
    oi = back[np.minimum(first, back.size - 1)]
    return pd.DataFrame({
        "customer_id": cu.ids[new],
        "join_date": _days_ts(cu.join_s[new] // _DAY),
        "offer": offers[which],
        "value_hkd": values[which],
        "taken_up_at": _ts(np.where(take, shop_orders["sec"][oi], _NA)),
        "order_id": _opt(shop_orders["id"][oi], take),
    })


_LANDING = np.array(["home", "category", "product", "promotion", "blog", "search"])
_LANDING_P = np.array([0.25, 0.20, 0.20, 0.12, 0.08, 0.15])
_BOUNCE = np.array([0.42, 0.30, 0.40, 0.18, 0.62, 0.35])


def _sessions_table(rng: np.random.Generator, per: _Period, cu: _Customers, scale: float) -> pd.DataFrame:
    n = max(200, int(round(90_000 * scale)))
    logged = rng.random(n) < 0.6
    weight = cu.lam * cu.buyer + 0.002
    cust = np.searchsorted(np.cumsum(weight) / weight.sum(), rng.random(n), side="right").clip(0, cu.n - 1)
    lo = np.where(logged, np.maximum(cu.join_s[cust] // _DAY + 1, per.start_day), per.start_day)
    lo = np.minimum(lo, per.end_day - 1)
    day = per.sample_days(rng, lo, np.full(n, per.end_day))
    sec = day * _DAY + _time_of_day(rng, day)
    device = np.where(logged, cu.device[cust], _pick(rng, _DEVICE_P, n))
    landing = _pick(rng, _LANDING_P, n)
    bounced = rng.random(n) < _BOUNCE[landing]
    pages = np.where(bounced, 1, 2 + rng.geometric(0.2, n) - 1)
    discount = np.where(landing == 3, np.array([10, 20, 30])[rng.integers(0, 3, n)],
                        np.array([0, 5, 10, 20, 30])[_pick(rng, np.array([0.6, 0.12, 0.12, 0.1, 0.06]), n)])
    cart = ~bounced & (rng.random(n) < _sigmoid(-2.3 + 0.12 * pages + 0.04 * discount + 0.6 * logged))
    bought = cart & (rng.random(n) < _sigmoid(-0.6 + 0.05 * discount + 0.5 * logged))
    # Deeper discounts lift the basket a little but the net order value still falls.
    gross = rng.lognormal(np.log(450), 0.6, n) * (1 + 0.006 * discount)
    value = np.where(bought, _money(gross * (1 - discount / 100)), 0.0)
    srt = np.argsort(sec, kind="stable")
    return pd.DataFrame({
        "session_id": _ids("S", np.arange(1, n + 1), 7),
        "customer_id": _opt(cu.ids[cust], logged)[srt],
        "started_at": _ts(sec[srt]),
        "device": _DEVICES[device][srt],
        "landing_page": _LANDING[landing][srt],
        "pages_viewed": pages[srt].astype(np.int64),
        "bounced": (pages == 1)[srt],
        "added_to_cart": cart[srt],
        "purchased": bought[srt],
        "discount_pct": discount[srt].astype(np.int64),
        "order_value_hkd": value[srt],
    })


_KEYWORDS = (
    # keyword, match type, weekly impressions, CTR, cost per click HK$, conversion rate, order value HK$
    ("online shopping hk", "exact", 5200, 0.055, 4.5, 0.040, 520),
    ("網購", "exact", 6400, 0.050, 3.8, 0.035, 480),
    ("香港網購", "exact", 3900, 0.060, 4.2, 0.042, 500),
    ("skincare hong kong", "exact", 2600, 0.060, 5.5, 0.050, 430),
    ("護膚品", "exact", 3100, 0.052, 4.8, 0.045, 410),
    ("phone case hk", "exact", 1800, 0.070, 3.2, 0.060, 230),
    ("手機殼", "exact", 2100, 0.065, 2.9, 0.055, 210),
    ("bluetooth earbuds hk", "exact", 1500, 0.058, 6.5, 0.035, 780),
    ("lunar new year gift box", "exact", 900, 0.075, 5.0, 0.060, 620),
    ("新年禮盒", "exact", 1100, 0.070, 4.6, 0.058, 600),
    ("buy skincare online", "phrase", 3300, 0.040, 5.2, 0.030, 420),
    ("christmas gifts hong kong", "phrase", 1700, 0.050, 4.9, 0.038, 560),
    ("toys for kids hk", "phrase", 1600, 0.045, 3.9, 0.030, 330),
    ("home decor online", "phrase", 2400, 0.038, 4.1, 0.022, 460),
    ("health supplements hk", "phrase", 1900, 0.042, 5.8, 0.028, 520),
    ("保健品", "phrase", 2300, 0.040, 5.0, 0.026, 500),
    ("fashion sale hk", "phrase", 4100, 0.047, 3.6, 0.027, 390),
    ("女裝網購", "phrase", 3500, 0.045, 3.4, 0.029, 370),
    ("家居用品", "phrase", 2800, 0.041, 3.5, 0.021, 380),
    ("11.11 sale", "phrase", 2000, 0.060, 4.0, 0.040, 610),
    ("shopping", "broad", 26000, 0.030, 2.6, 0.0006, 400),
    ("gift", "broad", 14000, 0.028, 2.9, 0.006, 450),
    ("cheap", "broad", 21000, 0.034, 2.2, 0.0004, 200),
    ("free", "broad", 30000, 0.036, 2.0, 0.0002, 150),
    ("discount code", "broad", 9000, 0.045, 2.4, 0.012, 380),
    ("electronics", "broad", 12000, 0.022, 3.9, 0.008, 820),
    ("beauty", "broad", 11000, 0.024, 3.3, 0.009, 400),
    ("toys", "broad", 8000, 0.022, 2.8, 0.007, 300),
    ("snacks", "broad", 7000, 0.020, 2.1, 0.006, 220),
    ("best deals", "broad", 15000, 0.032, 2.5, 0.0005, 300),
)


def _keyword_ads_table(rng: np.random.Generator, per: _Period) -> pd.DataFrame:
    first_monday = per.start_day + (-(per.start_day + 3) % 7)
    weeks = np.arange(first_monday, per.end_day - 6, 7)
    season = np.array([per.curve[per.grid(w):per.grid(w) + 7].mean() for w in weeks])
    kw = pd.DataFrame(_KEYWORDS, columns=["keyword", "match_type", "imp", "ctr", "cpc", "cvr", "aov"])
    nk, nw = len(kw), weeks.size
    imp = rng.poisson(kw["imp"].to_numpy()[:, None] * season[None, :] * rng.lognormal(0, 0.15, (nk, nw)))
    clicks = rng.binomial(imp, kw["ctr"].to_numpy()[:, None])
    cost = _money(clicks * kw["cpc"].to_numpy()[:, None] * rng.uniform(0.85, 1.15, (nk, nw)))
    conv = rng.binomial(clicks, kw["cvr"].to_numpy()[:, None])
    revenue = _money(conv * kw["aov"].to_numpy()[:, None] * rng.lognormal(0, 0.25, (nk, nw)))
    return pd.DataFrame({
        "week": _days_ts(np.tile(weeks, nk)),
        "keyword": np.repeat(kw["keyword"].to_numpy(), nw),
        "match_type": np.repeat(kw["match_type"].to_numpy(), nw),
        "impressions": imp.ravel().astype(np.int64),
        "clicks": clicks.ravel().astype(np.int64),
        "cost_hkd": cost.ravel(),
        "conversions": conv.ravel().astype(np.int64),
        "revenue_hkd": revenue.ravel(),
    }).sort_values(["week", "keyword"], kind="stable").reset_index(drop=True)


_INFLUENCERS = ("@lamma.lily.fake", "@mkfoodie.kit.fake", "@shatin.sam.tech.fake", "@peak.runner.yan.fake",
                "@tst.beauty.bee.fake", "@cheungchau.chloe.fake", "@saikung.sailor.fake", "@ktown.gamer.ho.fake",
                "@wanchai.mama.fake", "@tinhau.tea.fake", "@lohas.lok.fake", "@yuenlong.yoyo.fake")
_PLATFORMS = np.array(["Instagram", "YouTube", "Facebook", "Xiaohongshu", "Threads"])


def _influencer_table(rng: np.random.Generator, per: _Period, months: int) -> pd.DataFrame:
    n = max(6, int(round(60 * months / 24)))
    k = len(_INFLUENCERS)
    home = rng.integers(0, _PLATFORMS.size, k)
    base_followers = rng.lognormal(np.log(60_000), 1.0, k)
    network = rng.uniform(0.05, 0.9, k)  # how far sign-ups spread through each influencer's circle
    who = rng.integers(0, k, n)
    platform = np.where(rng.random(n) < 0.8, home[who], rng.integers(0, _PLATFORMS.size, n))
    day = per.sample_days(rng, np.full(n, per.start_day), np.full(n, per.end_day))
    followers = np.round(base_followers[who] * rng.uniform(0.95, 1.1, n)).astype(np.int64)
    reach = rng.binomial(followers, rng.beta(2, 6, n))
    clicks = rng.binomial(reach, rng.uniform(0.008, 0.03, n))
    direct = rng.binomial(clicks, rng.uniform(0.03, 0.08, n))
    followon = rng.poisson(direct * network[who])
    fee = np.round(followers * rng.uniform(0.05, 0.12, n) / 100) * 100
    srt = np.argsort(day, kind="stable")
    return pd.DataFrame({
        "post_id": _ids("IP", np.arange(1, n + 1), 3),
        "influencer": np.array(_INFLUENCERS)[who][srt],
        "platform": _PLATFORMS[platform][srt],
        "posted_at": _ts((day * _DAY + _time_of_day(rng, day))[srt]),
        "followers": followers[srt], "reach": reach[srt].astype(np.int64), "clicks": clicks[srt].astype(np.int64),
        "signups_direct": direct[srt].astype(np.int64), "signups_followon": followon[srt].astype(np.int64),
        "fee_hkd": fee[srt],
    })


_VIDEO_TITLES = ("Unboxing our {c} best-sellers", "3 {c} picks under HK$300", "{c}: what our customers bought",
                 "Lunar New Year {c} gift guide", "Behind the scenes: packing {c} orders",
                 "How to choose {c} for humid Hong Kong summers")


def _videos_table(rng: np.random.Generator, per: _Period, months: int) -> pd.DataFrame:
    n = max(5, int(round(40 * months / 24)))
    platforms = np.array(["YouTube", "Instagram", "Facebook", "Xiaohongshu", "TikTok"])
    plat = _pick(rng, np.array([0.35, 0.25, 0.15, 0.15, 0.10]), n)
    day = np.sort(per.sample_days(rng, np.full(n, per.start_day), np.full(n, per.end_day)))
    cat = np.array(CATEGORIES)[rng.integers(0, 7, n)]
    title = np.array([_VIDEO_TITLES[i].format(c=c.replace("_", " ")) for i, c in
                      zip(rng.integers(0, len(_VIDEO_TITLES), n), cat, strict=True)], dtype=object)
    views = rng.lognormal(np.log(12_000), 1.0, n).astype(np.int64)
    clicks = rng.binomial(views, rng.uniform(0.005, 0.03, n))
    signups = rng.binomial(clicks, rng.uniform(0.02, 0.07, n))
    return pd.DataFrame({
        "video_id": _ids("VID", np.arange(1, n + 1), 3), "platform": platforms[plat], "title": title,
        "published_at": _ts(day * _DAY + _time_of_day(rng, day)), "views": views,
        "clicks": clicks.astype(np.int64), "signups": signups.astype(np.int64),
        "cost_hkd": np.round(rng.uniform(3_000, 25_000, n) / 100) * 100,
    })


# method: share of leads, conversion log-odds shift, median days to convert, cost per lead range (HK$)
_LEAD_METHODS = {
    "referral": (0.08, 1.3, 3.0, (15, 30)),
    "influencer": (0.12, 0.1, 8.0, (60, 150)),
    "email_promotion": (0.34, -0.6, 30.0, (2, 6)),
    "social_video": (0.16, -0.3, 12.0, (15, 40)),
    "search_ad": (0.20, 0.0, 6.0, (25, 60)),
    "market_research": (0.10, -0.2, 20.0, (80, 200)),
}
_EMAIL_LISTS = ("newsletter-signup", "partner-list-A", "partner-list-B", "trade-fair-2024")
_SURVEYS = ("street survey Mong Kok", "mall booth Sha Tin", "online panel", "focus group Central")


def _leads_table(rng: np.random.Generator, per: _Period, cu: _Customers, shop_orders: dict, scale: float,
                 kw: pd.DataFrame, infl: pd.DataFrame, vids: pd.DataFrame) -> pd.DataFrame:
    n = max(200, int(round(8_000 * scale)))
    methods = list(_LEAD_METHODS)
    share = np.array([_LEAD_METHODS[m][0] for m in methods])
    method = _pick(rng, share, n)
    pages = 1 + rng.poisson(np.exp(rng.normal(1.0, 0.7, n)))
    engaged = rng.random(n) < _sigmoid(-1.6 + 0.25 * pages)
    interest = _pick(rng, _CATEGORY_SHARE, n)
    shift = np.array([_LEAD_METHODS[m][1] for m in methods])[method]
    # A real, learnable signal: engagement and browsing depth drive conversion.
    p_conv = _sigmoid(-3.6 + shift + 0.22 * np.minimum(pages, 15) + 1.2 * engaged)
    converted = rng.random(n) < p_conv
    median = np.array([_LEAD_METHODS[m][2] for m in methods])[method]
    cycle_s = (rng.lognormal(np.log(median), 0.55) * _DAY).astype(np.int64)
    district = _pick(rng, _DISTRICT_P, n)
    age = _pick(rng, _AGE_P, n)
    customer = np.full(n, -1)
    # Link converted leads to customers acquired by the same method during the period.
    for mi, name in enumerate(methods):
        src = int(np.flatnonzero(_SOURCES == name)[0])
        pool = np.flatnonzero((cu.source == src) & (cu.join_s >= per.start_s + 7 * _DAY))
        mine = np.flatnonzero(converted & (method == mi))
        k = min(pool.size, mine.size)
        customer[mine[:k]] = rng.choice(pool, size=k, replace=False)
    linked = customer >= 0
    conv_s = np.where(linked, cu.join_s[np.maximum(customer, 0)], _NA)
    span = per.end_s - per.start_s
    touch = per.start_s + (rng.random(n) * np.maximum(span - cycle_s, _DAY)).astype(np.int64)
    touch = np.where(linked, conv_s - cycle_s, touch)
    conv_s = np.where(converted & ~linked, touch + cycle_s, conv_s)
    district = np.where(linked, cu.district[np.maximum(customer, 0)], district)
    age = np.where(linked, cu.age[np.maximum(customer, 0)], age)
    cost_lo = np.array([_LEAD_METHODS[m][3][0] for m in methods])[method]
    cost_hi = np.array([_LEAD_METHODS[m][3][1] for m in methods])[method]
    keys, _, csum = _order_index(shop_orders)
    _, fyv, _ = _window(keys, csum, np.maximum(customer, 0), conv_s, conv_s + 365 * _DAY)
    detail = np.empty(n, dtype=object)
    for mi, name in enumerate(methods):
        m = method == mi
        pool = {"referral": np.array(["friend referral (online)", "friend referral (shop counter)"]),
                "influencer": infl["influencer"].unique(),
                "email_promotion": np.array(_EMAIL_LISTS),
                "social_video": vids["video_id"].to_numpy(),
                "search_ad": kw["keyword"].unique(),
                "market_research": np.array(_SURVEYS)}[name]
        detail[m] = pool[rng.integers(0, len(pool), int(m.sum()))]
    srt = np.argsort(touch, kind="stable")
    return pd.DataFrame({
        "lead_id": _ids("L", np.arange(1, n + 1), 5),
        "method": np.array(methods)[method][srt],
        "source_detail": detail[srt],
        "cost_hkd": _money(rng.uniform(cost_lo, cost_hi))[srt],
        "first_touch_at": _ts(touch[srt]),
        "converted_at": _ts(conv_s[srt]),
        "customer_id": _opt(cu.ids[np.maximum(customer, 0)], linked)[srt],
        "district": _DISTRICTS[district][srt],
        "age_band": _AGE_BANDS[age][srt],
        "interest": np.array(CATEGORIES)[interest][srt],
        "pages_viewed": pages[srt].astype(np.int64),
        "engaged": engaged[srt],
        # A few bought-in list entries and missing consent records for the compliance area.
        "lawful_source": (rng.random(n) > 0.005)[srt],
        "consent_recorded": (rng.random(n) > 0.01)[srt],
        "first_year_value_hkd": np.where(converted, _money(np.where(linked, fyv, 0.0)), np.nan)[srt],
    })


def _unsubscribe_table(cu: _Customers) -> pd.DataFrame:
    who = np.flatnonzero(cu.opt_req_day != _NA)
    who = who[np.lexsort((who, cu.opt_req_day[who]))]
    return pd.DataFrame({
        "request_id": _ids("UNS", np.arange(1, who.size + 1), 4),
        "customer_id": cu.ids[who],
        "channel": np.array(["email", "sms", "newsletter"])[cu.opt_channel[who]],
        "received_at": _days_ts(cu.opt_req_day[who]),
        "processed_at": _days_ts(cu.opt_proc_day[who]),
    })


def _assets_table(rng: np.random.Generator, plan: _CampaignPlan, months: int) -> pd.DataFrame:
    n = max(12, int(round(150 * months / 24)))
    types = np.array(["product_photo", "banner", "video", "music", "font", "text"])
    owners = np.array(["in-house", "supplier", "stock agency", "unknown"])
    camp = rng.integers(0, plan.ids.size, n)
    used_day = plan.sent_s[camp] // _DAY - rng.integers(0, 3, n)
    owner = _pick(rng, np.array([0.45, 0.25, 0.25, 0.05]), n)
    licence = np.where(owner == 0, "owned", np.where(owner == 3, "none", "licensed")).astype(object)
    expiry = np.where(np.isin(owner, (1, 2)), used_day + rng.integers(30, 720, n), _NA)
    # Planted copyright problems: images still used after the licence ran out.
    lapsed = np.flatnonzero(np.isin(owner, (1, 2)))
    late = rng.choice(lapsed, size=min(lapsed.size, max(2, n // 18)), replace=False)
    expiry[late] = used_day[late] - rng.integers(5, 200, late.size)
    licence[late[: late.size // 2]] = "expired"
    return pd.DataFrame({
        "asset_id": _ids("A", np.arange(1, n + 1), 4), "asset_type": types[_pick(rng, np.array(
            [0.45, 0.2, 0.1, 0.08, 0.07, 0.1]), n)], "campaign_id": plan.ids[camp], "owner": owners[owner],
        "licence": licence, "licence_expiry": _days_ts(expiry), "used_at": _days_ts(used_day),
    })


def _dnc_table(rng: np.random.Generator, per: _Period, cu: _Customers, n_dnc: int) -> pd.DataFrame:
    # Some customers who consented to phone marketing are nonetheless on the register.
    phone_ok = np.flatnonzero(cu.consent & ((cu.kinds & 4) > 0))
    k = min(phone_ok.size, max(5, n_dnc // 7))
    listed = rng.choice(phone_ok, size=k, replace=False)
    numbers = np.concatenate([cu.phone[listed], cu.spare_phones[: n_dnc - k]])
    day = rng.integers(per.start_day - 6 * 365, per.end_day, numbers.size)
    srt = np.lexsort((numbers, day))
    return pd.DataFrame({"phone": numbers[srt], "registered_at": _days_ts(day[srt])})


def _access_table(rng: np.random.Generator, per: _Period, cu: _Customers, months: int) -> pd.DataFrame:
    n = max(4, int(round(40 * months / 24)))
    who = rng.choice(cu.n, size=n, replace=False)
    lo = np.maximum(cu.join_s[who] // _DAY + 1, per.start_day)
    day = lo + (rng.random(n) * np.maximum(per.end_day - 50 - lo, 1)).astype(np.int64)
    kind = _pick(rng, np.array([0.86, 0.10, 0.04]), n)
    kind[0] = 2 if n > 0 else kind[0]  # at least one request is never answered
    resp = np.where(kind == 0, day + rng.integers(3, 36, n), np.where(kind == 1, day + rng.integers(41, 76, n), _NA))
    srt = np.argsort(day, kind="stable")
    return pd.DataFrame({
        "request_id": _ids("DAR", np.arange(1, n + 1), 3), "customer_id": cu.ids[who][srt],
        "received_at": _days_ts(day[srt]), "responded_at": _days_ts(resp[srt]),
    })


def _data_register_table(per: _Period, t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = [
        ("customers", "Account management and direct marketing (with consent)", 2555, t["customers"]["join_date"]),
        ("transactions", "Order fulfilment, accounting and tax records", 2555, t["transactions"]["order_date"]),
        ("campaign_sends", "Direct-marketing delivery and effectiveness", 1095, t["campaign_sends"]["sent_at"]),
        ("web_sessions", "Website analytics", 365, t["web_sessions"]["started_at"]),
        ("leads", "Prospecting follow-up", 180, t["leads"]["first_touch_at"]),
        ("unsubscribe_requests", "Honouring opt-out requests", 2555, t["unsubscribe_requests"]["received_at"]),
        ("access_requests", "Data access request log (PDPO s.18)", 1095, t["access_requests"]["received_at"]),
        ("referrals", "Referral rewards", 1825, t["referrals"]["invited_at"]),
    ]
    return pd.DataFrame({
        "dataset": [r[0] for r in rows], "purpose": [r[1] for r in rows],
        "retention_days": np.array([r[2] for r in rows], dtype=np.int64),
        "oldest_record_at": np.array([r[3].min() for r in rows], dtype="datetime64[s]").astype(
            "datetime64[D]").astype("datetime64[s]"),
    })


# --------------------------------------------------------------------------- writing


def _format_for_csv(name: str, df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in SHOP_TABLES[name].dates:
        values = out[col].to_numpy(dtype="datetime64[s]")
        unit = "D" if (name, col) in _DATE_ONLY else "s"
        text = np.strings.replace(np.datetime_as_string(values, unit=unit), "T", " ")
        out[col] = np.where(np.isnat(values), "", text).astype(object)
    return out


def write_shop(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as ``<out_dir>/<table>.csv.gz``, byte-identical for identical tables.

    Timestamps are written ``YYYY-MM-DD HH:MM:SS``, pure dates ``YYYY-MM-DD``, missing values as
    empty cells and booleans as ``True``/``False``. The gzip header carries no file name or time.

    Parameters
    ----------
    tables : dict[str, pandas.DataFrame]
        Output of :func:`generate_shop` (every table of ``SHOP_TABLES``).
    out_dir : str or pathlib.Path
        Folder to write into; created if missing.

    Returns
    -------
    list[pathlib.Path]
        The files written, in ``SHOP_TABLES`` order.

    Raises
    ------
    ValueError
        If a table is missing or its columns differ from ``SHOP_TABLES``.

    Examples
    --------
    >>> import tempfile
    >>> shop = generate_shop(seed=3, n_customers=60, months=3)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_shop(shop, tmp)
    ...     [p.name for p in paths][:2]
    ['customers.csv.gz', 'products.csv.gz']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, spec in SHOP_TABLES.items():
        if name not in tables:
            raise ValueError(f"table {name!r} is missing; expected every table of SHOP_TABLES")
        df = tables[name]
        if tuple(df.columns) != spec.columns:
            raise ValueError(f"table {name!r} has columns {list(df.columns)}, expected {list(spec.columns)}")
        text = _format_for_csv(name, df).to_csv(index=False, lineterminator="\n")
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
            gz.write(text.encode("utf-8"))
        path = out / f"{name}.csv.gz"
        path.write_bytes(buf.getvalue())
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: generate the shop, write it to ``--out`` and print a summary.

    Parameters
    ----------
    argv : list of str, optional
        Arguments as on the command line (``--seed``, ``--out``, ``--customers``, ``--months``,
        ``--start``); ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        Exit status, 0 on success.

    Raises
    ------
    ValueError
        From :func:`generate_shop` when the shop would be too small.

    Examples
    --------
    >>> import contextlib, io, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
    ...     status = main(["--customers", "60", "--months", "3", "--out", tmp])
    >>> status
    0
    """
    parser = argparse.ArgumentParser(prog="python -m helpers.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=406, help="random seed (default 406)")
    parser.add_argument("--out", default="data", help="output folder (default data/)")
    parser.add_argument("--customers", type=int, default=5000, help="number of customers (default 5000)")
    parser.add_argument("--months", type=int, default=24, help="length of the period in months (default 24)")
    parser.add_argument("--start", default="2024-11-01", help="first day of the period (default 2024-11-01)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    tables = generate_shop(seed=args.seed, n_customers=args.customers, months=args.months, start=args.start)
    paths = write_shop(tables, args.out)
    for path in paths:
        print(f"{path.name:<28} {len(tables[path.name.removesuffix('.csv.gz')]):>8} rows "
              f"{path.stat().st_size / 1024:>9.1f} KiB")
    print(f"dirty rows: {_dirty_row_counts(tables['transactions'])}")
    print(f"done in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
