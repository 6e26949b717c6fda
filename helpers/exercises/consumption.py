"""Checks for ``exercises/01_consumption_patterns.ipynb``: RFM, cohorts, 80/20, time, factors, strategy, promotions.

Expected answers are computed lazily from the bundled shop through :mod:`helpers.consumption`,
the first time a question is checked, so importing this module reads no file.

Examples
--------
>>> from helpers.exercises import questions
>>> [(q.name, q.requirement) for q in questions("consumption")][:2]
[('q1', '105090L2.1.2'), ('q2', '107188L5.1.1')]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers import consumption, data
from helpers.exercises.compare import close_to
from helpers.exercises.engine import ChoiceQuestion, CodeSolution, Exercise, FrameQuestion, ValueQuestion

__version__ = "1.0.0"

#: The analysis date of every question: the day after the bundled shop's last order.
AS_OF = "2026-11-01"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Segments whose recency score is 1-2 in :func:`helpers.consumption.rfm_segment_rules`.
LAPSED_SEGMENTS = ("Can't lose", "At risk", "Hibernating", "Lost")


def _clean_orders() -> pd.DataFrame:
    return data.load_clean_transactions()[0]


EXERCISE = Exercise(
    name="consumption",
    version=__version__,
    setup=(
        "import pandas as pd\n"
        "from helpers import consumption\n"
        "from helpers.exercises.consumption import AS_OF, load_orders\n"
        "tx = load_orders()"
    ),
    loaders={"tx": _clean_orders},
)


def load_orders() -> pd.DataFrame:
    """The bundled shop's clean order lines (a fresh copy, so changing it cannot upset the checks).

    Examples
    --------
    >>> tx = load_orders()
    >>> {"order_id", "customer_id", "order_date", "amount", "device"} <= set(tx.columns)
    True
    """
    return EXERCISE.data("tx").copy()


def _tx(ctx: Exercise) -> pd.DataFrame:
    return ctx.data("tx")


def _segments(ctx: Exercise) -> pd.DataFrame:
    return consumption.segment_summary(consumption.rfm_table(_tx(ctx), as_of=AS_OF)).set_index("segment")


# --------------------------------------------------------------------------- questions


class RfmTable(FrameQuestion):
    var = "rfm"
    requirement = "105090L2.1.2"
    ignore_order = True
    tolerance = 0.01  # a cent
    row_rule = "one row per customer"
    hints = [
        "Group the order lines by `customer_id`. Recency comes from each customer's latest `order_date`, "
        "frequency from the number of *different* `order_id`s, monetary from the sum of `amount`.",
        "Recency counts calendar days from the day of the last order to AS_OF: "
        "`(pd.Timestamp(AS_OF) - last_order.dt.normalize()).dt.days`. Frequency: `.nunique()`, not `.count()`.",
    ]
    solution = CodeSolution(
        'by_customer = tx.groupby("customer_id")\n'
        "rfm = pd.DataFrame({\n"
        '    "recency_days": (pd.Timestamp(AS_OF) - by_customer["order_date"].max().dt.normalize()).dt.days,\n'
        '    "frequency_orders": by_customer["order_id"].nunique(),\n'
        '    "monetary_hkd": by_customer["amount"].sum(),\n'
        "}).reset_index()"
    )
    explanation = "Recency, frequency and monetary value are the three numbers behind every RFM segment."

    def expected(self, ctx: Exercise) -> pd.DataFrame:
        rfm = consumption.rfm_table(_tx(ctx), as_of=AS_OF)
        return rfm[["customer_id", "recency_days", "frequency_orders", "monetary_hkd"]].reset_index(drop=True)

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if not isinstance(answer, pd.DataFrame):
            return None
        tx = _tx(ctx)
        if "frequency_orders" in answer.columns and answer["frequency_orders"].sum() == len(tx):
            return "`frequency_orders` counts order lines; an order has several lines: count distinct `order_id`s."
        if "recency_days" in answer.columns and pd.api.types.is_numeric_dtype(answer["recency_days"]):
            if answer["recency_days"].min() == 0:
                return ("Some customers have a recency of 0 days: count calendar days from the *day* of the last "
                        "order (`.dt.normalize()`) to AS_OF.")
        if "monetary_hkd" in answer.columns and "unit_price" in tx.columns:
            if close_to(answer["monetary_hkd"].sum(), tx["unit_price"].sum(), abs_tol=1.0):
                return "`monetary_hkd` adds up unit prices; add up `amount` (quantity × price) instead."
        return None


class ChampionsRevenueShare(ValueQuestion):
    var = "champions_revenue_share"
    requirement = "107188L5.1.1"
    tolerance = 0.005
    hints = [
        "`consumption.rfm_table(tx, as_of=AS_OF)` scores and names every customer; "
        "`consumption.segment_summary(...)` adds up customers and revenue per segment.",
        "In the summary, pick the 'Champions' row and its `revenue_share` column (a share between 0 and 1).",
    ]
    solution = CodeSolution(
        "segments = consumption.segment_summary(consumption.rfm_table(tx, as_of=AS_OF))\n"
        'champions_revenue_share = segments.set_index("segment").loc["Champions", "revenue_share"]'
    )
    explanation = "A fifth of the customers bring about half of the revenue: they deserve service tailored to them."

    def expected(self, ctx: Exercise) -> float:
        return float(_segments(ctx).loc["Champions", "revenue_share"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        segments = _segments(ctx)
        if close_to(answer, segments.loc["Champions", "customer_share"], abs_tol=0.005):
            return "That is the Champions' share of *customers*; the question asks for their share of revenue."
        return None


class FirstCohortRetention(ValueQuestion):
    var = "first_cohort_month1_retention"
    requirement = "105090L2.1.2"
    tolerance = 0.005
    hints = [
        "`consumption.cohort_retention(tx)` lists every monthly cohort and `periods_since_first` 0, 1, 2, ...",
        "The first cohort is the earliest month. Take its row with `periods_since_first == 1` and read `retention_rate`.",
    ]
    solution = CodeSolution(
        "cohorts = consumption.cohort_retention(tx)\n"
        'first = cohorts[cohorts["cohort"] == cohorts["cohort"].min()]\n'
        'first_cohort_month1_retention = first.loc[first["periods_since_first"] == 1, "retention_rate"].iloc[0]'
    )
    explanation = "Watching each cohort month by month shows whether the shop keeps the customers it wins."

    def expected(self, ctx: Exercise) -> float:
        return float(consumption.first_cohort_figures(consumption.cohort_retention(_tx(ctx)))["retention"]["1"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        tx = _tx(ctx)
        cohorts = consumption.cohort_retention(tx)
        first = cohorts.loc[cohorts["cohort"] == cohorts["cohort"].iloc[0]]
        month1 = first.loc[first["periods_since_first"] == 1]
        if len(month1) and close_to(answer, month1["customers"].iloc[0], abs_tol=0.5):
            return "That is a number of customers; divide it by the cohort's size to get a rate."
        if len(month1) and close_to(answer, month1["customers"].iloc[0] / tx["customer_id"].nunique(), abs_tol=0.002):
            return "You divided by all customers; divide by the customers of the first cohort only."
        if close_to(answer, 1.0, abs_tol=1e-9):
            return "Month 0 is the month of the first order, where retention is always 100%; look one month later."
        return None


class TopTwentyShare(ValueQuestion):
    var = "top20_share"
    requirement = "107188L5.1.2"
    tolerance = 0.005
    hints = [
        "Add up revenue per customer, sort from the biggest spender down, and take the first 20% of customers.",
        "`consumption.top_share(consumption.pareto_curve(tx), 0.2)` does exactly that.",
    ]
    solution = CodeSolution("top20_share = consumption.top_share(consumption.pareto_curve(tx), 0.2)")
    explanation = "That is the 80/20 principle in this shop: look after the top fifth first."

    def expected(self, ctx: Exercise) -> float:
        return consumption.top_share(consumption.pareto_curve(_tx(ctx)), 0.2)

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        orders = consumption.order_table(_tx(ctx))["amount_hkd"].sort_values(ascending=False)
        by_orders = orders.head(int(len(orders) * 0.2 + 0.999999)).sum() / orders.sum()
        if close_to(answer, by_orders, abs_tol=0.005):
            return "That is the share of the biggest 20% of *orders*; rank customers by their total spend instead."
        if close_to(answer, 0.2, abs_tol=1e-6) or close_to(answer, 0.8, abs_tol=1e-6):
            return "80/20 is a rule of thumb, not the answer: compute the share from this shop's data."
        return None


class BusiestWeekday(ChoiceQuestion):
    var = "busiest_weekday"
    requirement = "105090L2.1.2"
    options = WEEKDAYS
    hints = [
        "Count orders, not order lines: `consumption.order_table(tx)` has one row per order.",
        "`orders['order_date'].dt.day_name().value_counts()` counts orders per weekday; `.idxmax()` picks the busiest.",
    ]
    solution = CodeSolution(
        "orders = consumption.order_table(tx)\n"
        'busiest_weekday = orders["order_date"].dt.day_name().value_counts().idxmax()'
    )
    explanation = "Send e-mails and plan flash sales just before the busiest day."

    def expected(self, ctx: Exercise) -> str:
        orders = consumption.order_table(_tx(ctx))
        return str(orders["order_date"].dt.day_name().value_counts().idxmax())

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        choice = self._normalise(answer)
        if choice is None:
            return None
        weekday = consumption.order_table(_tx(ctx))["order_date"].dt.day_name()
        if choice == str(weekday.value_counts().idxmin()):
            return "That is the quietest day: `.idxmin()` finds the smallest count, `.idxmax()` the largest."
        return "Count distinct orders per weekday and pick the day with the most."


class DeviceOrdersPerCustomer(ChoiceQuestion):
    var = "device_most_orders_per_customer"
    requirement = "105090L2.1.2"
    options = ("mobile", "desktop", "tablet")
    hints = [
        "A device with many customers will have many orders in total: compare orders *per customer*.",
        "`consumption.spend_by(tx, 'device')` has an `orders_per_customer` column.",
    ]
    solution = CodeSolution(
        'by_device = consumption.spend_by(tx, "device")\n'
        'device_most_orders_per_customer = by_device.sort_values("orders_per_customer").iloc[-1]["device"]'
    )
    explanation = "Customers on that device buy most often: a reason to make ordering there as smooth as possible."

    def expected(self, ctx: Exercise) -> str:
        by_device = consumption.spend_by(_tx(ctx), "device")
        return str(by_device.sort_values("orders_per_customer").iloc[-1]["device"])

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        by_device = consumption.spend_by(_tx(ctx), "device").set_index("device")
        choice = self._normalise(answer)
        if choice == by_device["orders"].idxmax():
            return "That device has the most orders in total because it has the most customers; divide by customers."
        if choice == by_device["spend_per_customer_hkd"].idxmax():
            return "That device leads on spend per customer; the question asks how *often* customers order."
        return None


class WinBackSegment(ChoiceQuestion):
    var = "winback_segment"
    requirement = "105090L2.2.1"
    options = tuple(consumption.rfm_segment_rules()["segment"])
    hints = [
        "A win-back campaign is for customers who used to buy but have stopped: segments with a low recency score "
        "('Can't lose', 'At risk', 'Hibernating', 'Lost').",
        "Among those segments, pick the one whose customers brought the most revenue (`segment_summary`, `revenue_hkd`).",
    ]
    solution = CodeSolution(
        "segments = consumption.segment_summary(consumption.rfm_table(tx, as_of=AS_OF))\n"
        "lapsed = segments[segments[\"segment\"].isin([\"Can't lose\", \"At risk\", \"Hibernating\", \"Lost\"])]\n"
        'winback_segment = lapsed.sort_values("revenue_hkd").iloc[-1]["segment"]'
    )
    explanation = "Win-back budget goes furthest on lapsed customers who used to be worth the most."

    def expected(self, ctx: Exercise) -> str:
        segments = _segments(ctx)
        return str(segments.loc[list(LAPSED_SEGMENTS), "revenue_hkd"].idxmax())

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        choice = self._normalise(answer)
        if choice in ("Champions", "Loyal", "Potential loyalist", "New", "Needs attention"):
            return (f"'{choice}' customers ordered recently: a win-back offer would pay for orders they may place "
                    "anyway. Look at segments that have stopped buying.")
        if choice in LAPSED_SEGMENTS:
            return "That segment has lapsed, but another lapsed segment brought more revenue: compare `revenue_hkd`."
        return None


class PromotedOrderShare(ValueQuestion):
    var = "promoted_order_share"
    requirement = "105090L2.1.1"
    tolerance = 0.002
    hints = [
        "An order counts as promoted when any of its lines carries a `promotion_id`: count orders, not lines.",
        "`consumption.promotion_response(tx)` has one row per promotion plus 'no promotion', with an `order_share` column.",
    ]
    solution = CodeSolution(
        "promotions = consumption.promotion_response(tx)\n"
        'promoted_order_share = promotions.loc[promotions["promotion"] != "no promotion", "order_share"].sum()'
    )
    explanation = "Promotions are part of the shop's online sales strategy: this is how much of the business runs on them."

    def expected(self, ctx: Exercise) -> float:
        promotions = consumption.promotion_response(_tx(ctx))
        return float(promotions.loc[promotions["promotion"] != "no promotion", "order_share"].sum())

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        tx = _tx(ctx)
        promotions = consumption.promotion_response(tx)
        promoted = promotions.loc[promotions["promotion"] != "no promotion"]
        if close_to(answer, tx["promotion_id"].notna().mean(), abs_tol=0.0005):
            return "That is the share of order *lines* with a promotion; an order has several lines: count orders."
        if close_to(answer, promoted["revenue_hkd"].sum() / promotions["revenue_hkd"].sum(), abs_tol=0.0005):
            return "That is the share of *revenue*; the question asks for the share of orders."
        if close_to(answer, len(promoted), abs_tol=0.5):
            return "That is the number of promotions; give the share of orders (between 0 and 1)."
        return None


q1 = RfmTable(EXERCISE, 1)
q2 = ChampionsRevenueShare(EXERCISE, 2)
q3 = FirstCohortRetention(EXERCISE, 3)
q4 = TopTwentyShare(EXERCISE, 4)
q5 = BusiestWeekday(EXERCISE, 5)
q6 = DeviceOrdersPerCustomer(EXERCISE, 6)
q7 = WinBackSegment(EXERCISE, 7)
q8 = PromotedOrderShare(EXERCISE, 8)

__all__ = ["AS_OF", "EXERCISE", "load_orders", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]
