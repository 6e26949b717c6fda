"""Checks for ``exercises/04_legal_compliance.ipynb``: Hong Kong law in day-to-day online marketing.

Ten questions: a working-day count across Lunar New Year (UEMO s.10), late
unsubscribe requests in the bundled shop, a direct-marketing consent decision
(PDPO s.35E), spotting UEMO breaches in message templates (ss.8, 9), redacting
personal data from service notes, a copyright register decision, and three
scenarios (bribery, computer crime, electronic contracts) and which prospects may be
contacted at all (PDPO DPP1, s.35E). Expected answers are
computed on first use, through :mod:`helpers.compliance` and :mod:`helpers.pii`,
from the bundled shop or from small cases that ship with this module.

Training material, not legal advice.

Examples
--------
>>> from helpers.exercises import questions
>>> [(q.name, q.requirement) for q in questions("compliance")][:2]
[('q1', '105090L2.1.6'), ('q2', '105090L2.3.1')]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from helpers import compliance, data, pii
from helpers.exercises.compare import close_to
from helpers.exercises.engine import ChoiceQuestion, CodeSolution, Exercise, FrameQuestion, ValueQuestion

__version__ = "1.0.0"

#: The unsubscribe request of question 1: received two days before Lunar New Year 2024.
REQUEST_RECEIVED = "2024-02-08"
REQUEST_PROCESSED = "2024-02-27"


def consent_case() -> pd.DataFrame:
    """One customer's consent record and the send a colleague plans (question 3).

    Returns
    -------
    pandas.DataFrame
        One row: the consent fields of the ``customers`` table plus the planned
        ``sent_at``, ``data_kind`` and ``product_class``; a new frame on every call.

    Examples
    --------
    >>> consent_case()[["consent_channel", "product_class"]].values.tolist()
    [['oral', 'beauty']]
    """
    return pd.DataFrame({
        "customer_id": ["cus_case01"],
        "dm_consent": [True],
        "consent_date": pd.to_datetime(["2024-03-01"]),
        "consent_channel": ["oral"],
        "consent_confirmed_date": pd.to_datetime(["2024-03-20"]),
        "consent_data_kinds": ["name;email"],
        "consent_product_classes": ["beauty;health"],
        "opt_out_date": pd.to_datetime([None]),
        "send_id": ["SND-PLANNED"],
        "sent_at": pd.to_datetime(["2024-04-02"]),
        "data_kind": ["email"],
        "product_class": ["beauty"],
    })


def service_notes() -> pd.Series:
    """Five customer-service notes with (fake) personal data in them (question 5).

    Returns
    -------
    pandas.Series
        Text, one note per row; a new Series on every call.

    Examples
    --------
    >>> len(service_notes())
    5
    """
    return pd.Series([
        "Customer asked about delivery; call back on 9123 4567.",
        "Refund sent to the card ending 4321 (order 20240115).",
        "Ms Cheung prefers email: cheung.wm@example.com",
        "ID checked for the lucky draw: A123456(3)",
        "Asked for the Gold tier benefits; no personal details given.",
    ], name="note", dtype="string")


def _table(name: str) -> pd.DataFrame:
    return data.load_shop_table(data.bundled_data_dir(), name)


EXERCISE = Exercise(
    name="compliance",
    version=__version__,
    setup=(
        "from helpers import compliance, data, pii\n"
        "from helpers.exercises.compliance import consent_case, service_notes\n"
        "shop = data.load_shop(data.bundled_data_dir(), ['unsubscribe_requests', 'messages', 'assets', 'leads'])\n"
        "requests, messages, assets, leads = (shop[t] for t in ['unsubscribe_requests', 'messages', 'assets', 'leads'])\n"
        "case = consent_case()\n"
        "notes = service_notes()"
    ),
    loaders={
        "requests": lambda: _table("unsubscribe_requests"),
        "messages": lambda: _table("messages"),
        "assets": lambda: _table("assets"),
        "leads": lambda: _table("leads"),
        "case": consent_case,
        "notes": service_notes,
    },
)


class WorkingDaysTaken(ValueQuestion):
    var = "working_days_taken"
    requirement = "105090L2.1.6"
    hints = [
        "Count only working days: not Saturdays, Sundays or general holidays. Lunar New Year 2024 began on "
        "Saturday 10 February, and Monday 12 and Tuesday 13 February were holidays.",
        "The day the request arrives does not count. `compliance.working_days_between(start, end)` counts the "
        "working days after `start` up to and including `end`.",
    ]
    solution = CodeSolution(
        f'working_days_taken = compliance.working_days_between("{REQUEST_RECEIVED}", "{REQUEST_PROCESSED}")'
    )
    explanation = "That is more than 10 working days: this request was handled too late under UEMO s.10(2)."

    def expected(self, ctx: Exercise) -> int:
        return int(compliance.working_days_between(REQUEST_RECEIVED, REQUEST_PROCESSED))

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        start, end = np.datetime64(REQUEST_RECEIVED), np.datetime64(REQUEST_PROCESSED)
        calendar = int((end - start) / np.timedelta64(1, "D"))
        weekdays = int(np.busday_count(start + 1, end + 1))
        counted_start = int(compliance.working_days_between(REQUEST_RECEIVED, REQUEST_PROCESSED)) + 1
        if close_to(answer, calendar):
            return "That counts calendar days; weekends and holidays are not working days."
        if close_to(answer, weekdays):
            return "That skips weekends but not the Lunar New Year holidays."
        if close_to(answer, counted_start):
            return "That counts the day the request arrived; the clock starts the day after."
        return None


class LateUnsubscribes(ValueQuestion):
    var = "late_unsubscribes"
    requirement = "105090L2.3.1"
    hints = [
        "A request is late when more than 10 working days pass between receiving and processing it; "
        "a request never processed is late once 10 working days have passed.",
        "`compliance.unsubscribe_timeliness(requests)` adds `working_days` and `late` columns; count the `True` values.",
    ]
    solution = CodeSolution("late_unsubscribes = int(compliance.unsubscribe_timeliness(requests)['late'].sum())")
    explanation = "Every one of these is a UEMO s.10(2) breach unless the customer re-consented."

    def expected(self, ctx: Exercise) -> int:
        return int(compliance.unsubscribe_timeliness(ctx.data("requests"))["late"].sum())

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        requests = ctx.data("requests")
        table = compliance.unsubscribe_timeliness(requests)
        received = pd.to_datetime(requests["received_at"])
        calendar = (pd.to_datetime(requests["processed_at"]) - received).dt.days
        if close_to(answer, int((calendar > 10).sum())):
            return "That compares calendar days with 10; the limit is 10 *working* days."
        if close_to(answer, int((calendar > 14).sum())):
            return "Two calendar weeks is not the same as 10 working days when a holiday falls in between."
        if close_to(answer, int((table["late"] & ~table["open"]).sum())):
            return "You counted only processed requests; requests never processed are late too."
        return None


class ConsentDecision(ChoiceQuestion):
    var = "consent_decision"
    requirement = "105090L2.3.2"
    options = ("send", "oral consent not confirmed", "product class not covered", "opted out")
    hints = [
        "Look at how the customer gave consent, and when it was confirmed in writing.",
        "PDPO s.35E(1)(b): oral consent must be confirmed in writing within 14 days of receiving it. "
        "`compliance.consent_audit(case, case)` applies all the rules at once.",
    ]
    solution = CodeSolution('consent_decision = "oral consent not confirmed"')
    explanation = ("Consent given on 1 March was confirmed on 20 March, 19 days later: the send would breach "
                   "PDPO s.35E(1)(b) even though the product class and data kind are covered.")

    def expected(self, ctx: Exercise) -> str:
        case = ctx.data("case")
        rules = set(compliance.consent_audit(case, case)["rule"])
        for rule, option in [("dm_no_consent", "opted out"), ("dm_after_opt_out", "opted out"),
                             ("dm_oral_unconfirmed", "oral consent not confirmed"),
                             ("dm_outside_scope", "product class not covered")]:
            if rule in rules:
                return option
        return "send"

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        choice = self._normalise(answer)
        if choice == "send":
            return "The data kind and the product class are covered — but is the consent itself valid?"
        if choice == "product class not covered":
            return "The customer agreed to beauty and health products; the planned send is about beauty."
        if choice == "opted out":
            return "The record has no opt-out date."
        return None


class UemoBreaches(ValueQuestion):
    var = "uemo_breaches"
    requirement = "105090L2.3.1"
    ordered = False
    hints = [
        "UEMO s.8 needs sender information; s.9 (with Cap. 593A s.7) needs an unsubscribe statement in "
        "English AND Chinese. Check the columns `sender_info`, `unsubscribe_en` and `unsubscribe_zh` of `messages`.",
        "Select the rows where `sender_info` is False, or `unsubscribe_en` is False, or `unsubscribe_zh` is False, "
        "and list their `message_id` values. `compliance.message_audit(messages)` does this too.",
    ]
    solution = CodeSolution(
        "bad = ~messages['sender_info'] | ~(messages['unsubscribe_en'] & messages['unsubscribe_zh'])\n"
        "uemo_breaches = sorted(messages.loc[bad, 'message_id'])"
    )
    explanation = "Fix the message templates once and every future campaign complies."

    def expected(self, ctx: Exercise) -> list[str]:
        found = compliance.message_audit(ctx.data("messages"))
        rules = {"uemo_sender_info", "uemo_bilingual_unsubscribe"}
        return sorted(set(found.loc[found["rule"].isin(rules), "record"]))

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        messages = ctx.data("messages")
        if not isinstance(answer, (list, tuple, set, pd.Series, pd.Index, np.ndarray)):
            return None
        given = set(map(str, answer))
        no_sender = set(messages.loc[~messages["sender_info"], "message_id"])
        no_en = set(messages.loc[~messages["unsubscribe_en"], "message_id"])
        no_zh = set(messages.loc[~messages["unsubscribe_zh"], "message_id"])
        if given == no_sender:
            return "You found the messages without sender information; check the unsubscribe statements too."
        if given == no_en | no_zh:
            return "You found the unsubscribe problems; check the sender information (s.8) too."
        if given == no_sender | no_en:
            return "The statement must be in Chinese as well as English."
        return None


class RedactNotes(FrameQuestion):
    var = "redacted_notes"
    requirement = "105090L2.3.2"
    check_index = True
    check_dtype = False
    row_rule = "one row per note"
    hints = [
        "Each note must keep its words but lose the email address, phone number, HKID and name.",
        "`pii.redact_text(notes)` replaces them by [EMAIL], [PHONE], [HKID] and [NAME].",
    ]
    solution = CodeSolution("redacted_notes = pii.redact_text(notes)")
    explanation = ("The order number 20240115 and the last four card digits stay: they do not identify the "
                   "customer on their own, and the scanner knows a date-like number is not a phone number.")

    def expected(self, ctx: Exercise) -> pd.Series:
        return pii.redact_text(ctx.data("notes"))

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if not isinstance(answer, pd.Series):
            return "Give a Series of text, one value per note (e.g. the result of `pii.redact_text(notes)`)."
        left = pii.find_pii(answer)
        if not left.empty:
            kinds = ", ".join(sorted(set(left["kind"])))
            rows = ", ".join(str(r) for r in sorted(set(left["row"])))
            return f"Your notes still contain personal data ({kinds}) in row(s) {rows}."
        if len(answer) != len(ctx.data("notes")):
            return "Keep every note: redact the personal data, do not drop rows."
        return None


class AssetsToWithdraw(ValueQuestion):
    var = "assets_to_withdraw"
    requirement = "105090L2.3.1"
    ordered = False
    hints = [
        "An asset may be used only with a known owner and a licence that has not expired on the day it was used.",
        "Two kinds of problem: owner unknown / licence 'none', and `used_at` later than `licence_expiry`. "
        "`compliance.asset_audit(assets)` finds both.",
    ]
    solution = CodeSolution("assets_to_withdraw = sorted(set(compliance.asset_audit(assets)['record']))")
    explanation = "Crediting a photographer is not a licence: Copyright Ordinance ss.22–23."

    def expected(self, ctx: Exercise) -> list[str]:
        return sorted(set(compliance.asset_audit(ctx.data("assets"))["record"]))

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if not isinstance(answer, (list, tuple, set, pd.Series, pd.Index, np.ndarray)):
            return None
        assets = ctx.data("assets")
        given = set(map(str, answer))
        none = set(assets.loc[assets["licence"].astype("string").str.lower().isin(["none"]), "asset_id"])
        expired_label = set(assets.loc[assets["licence"].astype("string").str.lower().eq("expired"), "asset_id"])
        if given == none:
            return "You found the assets without a licence; some licensed assets were used after they expired."
        if given == none | expired_label:
            return ("Not every expired licence is labelled 'expired': compare `used_at` with `licence_expiry`.")
        return None


class ContactableLeads(ValueQuestion):
    var = "contactable_leads"
    requirement = "107188L5.3.1"
    hints = [
        "A prospect may be approached for direct marketing only if the data came from a lawful source AND "
        "consent to direct marketing is recorded.",
        "Count the rows of `leads` where both `lawful_source` and `consent_recorded` are True; "
        "`compliance.lead_audit(leads)` lists the others.",
    ]
    solution = CodeSolution("contactable_leads = int((leads['lawful_source'] & leads['consent_recorded']).sum())")
    explanation = "Exploring potential customers starts with data the PDPO lets you use (DPP1(2), s.35E)."

    def expected(self, ctx: Exercise) -> int:
        leads = ctx.data("leads")
        return len(leads) - int(compliance.lead_audit(leads)["record"].nunique())

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        leads = ctx.data("leads")
        lawful, consent = leads["lawful_source"].astype(bool), leads["consent_recorded"].astype(bool)
        if close_to(answer, int(consent.sum())):
            return "You checked consent; the data must also come from a lawful source."
        if close_to(answer, int(lawful.sum())):
            return "You checked the source; consent to direct marketing must be recorded too."
        if close_to(answer, int((~(lawful & consent)).sum())):
            return "That is the number of leads you may NOT contact."
        if close_to(answer, int((lawful | consent).sum())):
            return "Both conditions must hold, not either one."
        return None


_LAW_OPTIONS = ("bribery", "computer crime", "electronic transactions", "copyright")


class _ScenarioQuestion(ChoiceQuestion):
    scenario: str = ""

    def expected(self, ctx: Exercise) -> str:
        basis = compliance.SCENARIOS.set_index("scenario").loc[self.scenario, "legal_basis"]
        if self.options == ("yes", "no"):
            return str(compliance.SCENARIOS.set_index("scenario").loc[self.scenario, "answer"])
        if "Bribery" in basis:
            return "bribery"
        if "Crimes" in basis:
            return "computer crime"
        if "Electronic" in basis:
            return "electronic transactions"
        return "copyright"


class SupplierGift(_ScenarioQuestion):
    var = "supplier_gift_law"
    requirement = "105090L2.3.3"
    scenario = "bribery_supplier_gift"
    options = _LAW_OPTIONS
    hints = [
        "The buyer works for the shop (the 'principal'); the voucher comes from someone who wants the shop's business.",
        "Accepting an advantage as an agent without the principal's permission: Prevention of Bribery Ordinance s.9.",
    ]
    solution = CodeSolution('supplier_gift_law = "bribery"')
    explanation = "POBO s.9: decline, or ask the employer's permission under company policy; customary gifts are no defence."

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if self._normalise(answer) == "electronic transactions":
            return "How the voucher is delivered does not matter; who offers it to whom, and why, does."
        return None


class CompetitorLogin(_ScenarioQuestion):
    var = "competitor_login_law"
    requirement = "105090L2.1.6"
    scenario = "crime_competitor_login"
    options = _LAW_OPTIONS
    hints = [
        "Having the password does not make the access authorised.",
        "Obtaining access to a computer with dishonest intent: Crimes Ordinance s.161; also Telecommunications "
        "Ordinance s.27A.",
    ]
    solution = CodeSolution('competitor_login_law = "computer crime"')
    explanation = "Crimes Ordinance s.161 carries up to 5 years' imprisonment; the list is also personal data."

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if self._normalise(answer) == "copyright":
            return "The offence is getting into the system at all, before anything is copied."
        return None


class ClickContract(_ScenarioQuestion):
    var = "click_contract_formed"
    requirement = "105090L2.1.6"
    scenario = "eto_click_accept"
    options = ("yes", "no")
    hints = [
        "Is a contract invalid only because the offer and acceptance were electronic?",
        "Electronic Transactions Ordinance s.17: an offer and acceptance may be expressed by electronic records.",
    ]
    solution = CodeSolution('click_contract_formed = "yes"')
    explanation = "ETO s.17 — provided the terms were brought to the customer's attention before the click."

    def diagnose(self, answer: Any, ctx: Exercise) -> str | None:
        if self._normalise(answer) == "no":
            return "No paper or handwritten signature is needed for an ordinary online sale."
        return None


q1 = WorkingDaysTaken(EXERCISE, 1)
q2 = LateUnsubscribes(EXERCISE, 2)
q3 = ConsentDecision(EXERCISE, 3)
q4 = UemoBreaches(EXERCISE, 4)
q5 = RedactNotes(EXERCISE, 5)
q6 = AssetsToWithdraw(EXERCISE, 6)
q7 = SupplierGift(EXERCISE, 7)
q8 = CompetitorLogin(EXERCISE, 8)
q9 = ClickContract(EXERCISE, 9)
q10 = ContactableLeads(EXERCISE, 10)

__all__ = ["EXERCISE", "consent_case", "service_notes", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10"]
