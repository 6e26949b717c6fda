"""Checks for ``exercises/00_warm_up.ipynb``: learn how check, hint and solution work.

Three questions on five sample orders that ship with this module, so the
warm-up needs no bundled data: an average order value, an 80/20-style
revenue share and a yes/no decision about personal data.

Examples
--------
>>> from helpers.exercises import questions
>>> [(q.name, q.var, q.requirement) for q in questions("warm_up")][0]
('q1', 'avg_order_value_hkd', '105090L2.1.2')
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.exercises.compare import close_to
from helpers.exercises.engine import ChoiceQuestion, CodeSolution, Exercise, ValueQuestion

__version__ = "1.0.0"


def sample_orders() -> pd.DataFrame:
    """Five online orders from four customers; ids are pseudonymous, amounts in HK$.

    Returns
    -------
    pandas.DataFrame
        Columns ``order_id``, ``customer_id``, ``order_date``, ``channel``, ``amount_hkd``;
        a new frame on every call.

    Examples
    --------
    >>> orders = sample_orders()
    >>> len(orders), int(orders["amount_hkd"].sum()), orders["customer_id"].nunique()
    (5, 2500, 4)
    """
    return pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O3", "O4", "O5"],
            "customer_id": ["C1", "C2", "C1", "C3", "C4"],
            "order_date": pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-09", "2024-03-10", "2024-03-15"]),
            "channel": ["web", "app", "web", "email", "app"],
            "amount_hkd": [1200.0, 150.0, 800.0, 100.0, 250.0],
        }
    )


EXERCISE = Exercise(
    name="warm_up",
    version=__version__,
    # The notebook's setup cell, minus bind(): master solutions run after it in self-tests.
    setup="from helpers.exercises.warm_up import sample_orders\norders = sample_orders()",
    loaders={"orders": sample_orders},
)


class AverageOrderValue(ValueQuestion):
    var = "avg_order_value_hkd"
    requirement = "105090L2.1.2"
    hints = [
        "Average order value is the total revenue divided by the number of orders.",
        "Each row of `orders` is one order: take the mean of its `amount_hkd` column.",
    ]
    solution = CodeSolution('avg_order_value_hkd = orders["amount_hkd"].mean()')
    tolerance = 0.01  # a cent either way is still right
    explanation = "Average order value is a first read of how customers buy online."

    def expected(self, ctx: Exercise) -> float:
        orders = ctx.data("orders")
        return float(orders["amount_hkd"].sum() / len(orders))

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        orders = ctx.data("orders")
        if close_to(answer, orders["amount_hkd"].sum(), abs_tol=0.01):
            return "That is the total revenue: divide it by the number of orders."
        if close_to(answer, orders.groupby("customer_id")["amount_hkd"].sum().mean(), abs_tol=0.01):
            return "That is the average spend per customer; average over orders instead."
        if close_to(answer, orders["amount_hkd"].median(), abs_tol=0.01):
            return "That is the median order, not the mean."
        return None


class TopCustomerShare(ValueQuestion):
    var = "top_customer_share"
    requirement = "107188L5.1.2"
    hints = [
        "First add up each customer's orders, then compare the biggest customer with the total.",
        "`orders.groupby('customer_id')['amount_hkd'].sum()` gives revenue per customer; "
        "divide its `.max()` by its `.sum()`.",
    ]
    solution = CodeSolution(
        'customer_revenue_hkd = orders.groupby("customer_id")["amount_hkd"].sum()\n'
        "top_customer_share = customer_revenue_hkd.max() / customer_revenue_hkd.sum()"
    )
    tolerance = 0.005  # half a percentage point
    explanation = "One customer in four brings most of the revenue: the 80/20 principle at work."

    def expected(self, ctx: Exercise) -> float:
        revenue = ctx.data("orders").groupby("customer_id")["amount_hkd"].sum()
        return float(revenue.max() / revenue.sum())

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        orders = ctx.data("orders")
        revenue = orders.groupby("customer_id")["amount_hkd"].sum()
        if close_to(answer, orders["amount_hkd"].max() / orders["amount_hkd"].sum(), abs_tol=0.005):
            return "That is the share of the largest single order: add up each customer's orders first."
        if close_to(answer, 1 - revenue.max() / revenue.sum(), abs_tol=0.005):
            return "That is the share of all the other customers."
        if close_to(answer, 1 / len(revenue), abs_tol=0.005):
            return "That is the share of customers; the question asks for the share of revenue."
        return None


class SendCustomerList(ChoiceQuestion):
    var = "send_customer_list"
    requirement = "105090L2.3.2"
    options = ("yes", "no")
    hints = [
        "Think about who could read the list once it leaves the company's systems.",
        "The Personal Data (Privacy) Ordinance asks you to keep personal data secure "
        "and to use it only for the purpose it was collected for.",
    ]
    solution = CodeSolution('send_customer_list = "no"')
    explanation = (
        "Customer names and phone numbers are personal data: keep them on company systems, "
        "share only what a task needs, and pseudonymise it where you can."
    )

    def expected(self, ctx: Exercise) -> str:
        return "no"

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if self._normalise(answer) == "yes":
            return "A personal mailbox is outside the company's protection of personal data."
        return None


q1 = AverageOrderValue(EXERCISE, 1)
q2 = TopCustomerShare(EXERCISE, 2)
q3 = SendCustomerList(EXERCISE, 3)

__all__ = ["EXERCISE", "q1", "q2", "q3", "sample_orders"]
