"""Hong Kong law as executable checks over a shop's own data.

Each check takes the shop's tables and returns a **findings** table, one row
per breach, with the columns of :data:`FINDING_COLUMNS`:

* ``rule`` — a stable id from :data:`RULES` (e.g. ``dm_after_opt_out``);
* ``legal_basis`` — ordinance and section (e.g. ``PDPO Cap. 486 s.35G``);
* ``record`` — the row that breaches (send, request, message or asset id);
* ``customer_id`` — the pseudonymised customer concerned (empty when none);
* ``detail`` — what is wrong, with the dates or values that show it;
* ``fix`` — what to do about it.

Findings never carry names, emails or phone numbers. :func:`audit_shop` runs
every check the data allows and :func:`compliance_summary` turns the findings
into the one-page pass/fail summary.

Covered: PDPO (Cap. 486) Part 6A ss.35C, 35E, 35G, 35J–35K, s.19, s.26 / DPP2(2) and DPP1(2);
UEMO (Cap. 593) ss.8, 9 (with Cap. 593A s.7), 10, 11, 12; Copyright Ordinance
(Cap. 528) ss.22–23. The Electronic Transactions Ordinance (Cap. 553), the
computer-crime offences (Crimes Ordinance Cap. 200 s.161, Telecommunications
Ordinance Cap. 106 s.27A) and the Prevention of Bribery Ordinance (Cap. 201
s.9) are taught with scenarios (:data:`SCENARIOS`), not data checks.

This is training material, not legal advice (:data:`LEGAL_NOTE`).

Examples
--------
>>> working_days_between("2024-02-08", "2024-02-19")
5
>>> sorted(RULES)[:3]
['copyright_expired', 'copyright_unlicensed', 'dm_after_opt_out']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import holidays
import numpy as np
import pandas as pd

from helpers import pii
from helpers.data import require_columns

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LEGAL_NOTE = (
    "This is training material, not legal advice. The checks encode a reading of the ordinances for "
    "teaching and a first screening; check the ordinance itself (www.elegislation.gov.hk), the PCPD's "
    "guidance on direct marketing and OFCA's guidance on the UEMO, and ask a lawyer before acting on a finding."
)

#: Columns of every findings table.
FINDING_COLUMNS: tuple[str, ...] = ("rule", "legal_basis", "record", "customer_id", "detail", "fix")


@dataclass(frozen=True)
class Rule:
    """One executable rule: what it checks, where the law says so, and the fix."""

    title: str
    legal_basis: str
    fix: str
    population: str  # what is counted as "checked" for the pass/fail summary


RULES: dict[str, Rule] = {
    "dm_no_consent": Rule(
        "Direct-marketing send without prior consent", "PDPO Cap. 486 s.35E(1)(a)",
        "Stop sending to this customer until consent to direct marketing is recorded.", "sends"),
    "dm_oral_unconfirmed": Rule(
        "Oral consent not confirmed in writing within 14 days", "PDPO Cap. 486 s.35E(1)(b)",
        "Send the written confirmation (date, kinds of data, classes of products) before any further use.", "sends"),
    "dm_outside_scope": Rule(
        "Send outside the consented kinds of data or classes of products", "PDPO Cap. 486 s.35E(1)(c), (2)",
        "Only use the data kinds and product classes the customer agreed to; ask for wider consent first.", "sends"),
    "dm_after_opt_out": Rule(
        "Direct-marketing send after the customer opted out", "PDPO Cap. 486 s.35G",
        "Suppress opted-out customers from every campaign list at once, without charge.", "sends"),
    "dm_third_party_not_written": Rule(
        "Data provided to others for their marketing without written consent", "PDPO Cap. 486 ss.35J, 35K",
        "Do not provide the data to a third party until the customer's written consent is received.",
        "third-party consents"),
    "lead_unlawful_source": Rule(
        "Prospect's data not collected by lawful and fair means", "PDPO Cap. 486 Sch. 1 DPP1(2)",
        "Do not contact the prospect; erase the record or document a lawful source.", "leads"),
    "lead_no_consent": Rule(
        "Prospect kept for marketing without recorded consent", "PDPO Cap. 486 ss.35C, 35E",
        "Do not use for direct marketing until consent (with kinds of data and classes of products) is recorded.",
        "leads"),
    "uemo_unsubscribe_late": Rule(
        "Unsubscribe request not honoured within 10 working days", "UEMO Cap. 593 s.10(2)",
        "Process unsubscribe requests daily; keep the record for 3 years (s.9(3)).", "unsubscribe requests"),
    "uemo_sent_after_unsubscribe": Rule(
        "Message sent more than 10 working days after an unsubscribe request", "UEMO Cap. 593 s.10(2)",
        "Remove unsubscribed addresses from every sending list.", "sends"),
    "uemo_sender_info": Rule(
        "Message without accurate sender information", "UEMO Cap. 593 s.8",
        "Add the business name and a contact telephone number or address to the message template.", "messages"),
    "uemo_bilingual_unsubscribe": Rule(
        "Unsubscribe statement missing or not in both English and Chinese",
        "UEMO Cap. 593 s.9; Cap. 593A s.7",
        "Add a clear unsubscribe statement in English and Chinese with a working facility.", "messages"),
    "uemo_misleading_subject": Rule(
        "Email subject heading likely to mislead", "UEMO Cap. 593 s.12",
        "Rewrite the subject so that it says truthfully what the message is about.", "email messages"),
    "uemo_do_not_call": Rule(
        "Message sent to a number on a do-not-call register", "UEMO Cap. 593 s.11",
        "Check every SMS/fax/voice list against OFCA's do-not-call registers before sending.", "sends"),
    "pdpo_access_late": Rule(
        "Data access request not complied with within 40 days", "PDPO Cap. 486 s.19(1)",
        "Answer (or give written reasons and answer in part) within 40 days of receipt.", "access requests"),
    "pdpo_retention": Rule(
        "Personal data kept longer than its purpose needs", "PDPO Cap. 486 Sch. 1 DPP2(2); s.26",
        "Erase or anonymise records older than the retention period.", "datasets"),
    "copyright_unlicensed": Rule(
        "Asset used without a recorded owner or licence", "Copyright Ordinance Cap. 528 ss.22–23",
        "Record the owner and licence, or replace the asset with one the shop owns.", "assets"),
    "copyright_expired": Rule(
        "Asset used after its licence expired", "Copyright Ordinance Cap. 528 ss.22–23",
        "Renew the licence or withdraw the asset from campaigns.", "assets"),
    "pii_email": Rule("Email address in free text or outputs", pii.PII_LEGAL_BASIS,
                      "Remove it or replace it by the pseudonymised key.", "text cells"),
    "pii_phone": Rule("Hong Kong phone number in free text or outputs", pii.PII_LEGAL_BASIS,
                      "Remove it or replace it by the pseudonymised key.", "text cells"),
    "pii_hkid": Rule("HKID number (valid check digit) in free text or outputs", pii.PII_LEGAL_BASIS,
                     "Delete it: marketing data has no need for ID card numbers.", "text cells"),
    "pii_name": Rule("Customer name in free text or outputs", pii.PII_LEGAL_BASIS,
                     "Refer to customers by pseudonymised key.", "text cells"),
}

#: Consent channels that count as oral (s.35E(1)(b) then needs a written confirmation).
ORAL_CHANNELS: frozenset[str] = frozenset({"oral", "verbal", "phone", "telephone", "phone_call", "call", "in_person_oral"})
#: Channels that count as written consent for providing data to others (s.35K).
WRITTEN_CHANNELS: frozenset[str] = frozenset(
    {"written", "writing", "paper", "paper_form", "form", "online_form", "web_form", "website", "web", "app",
     "email", "e-mail", "signed", "electronic", "online"}
)
#: Channels whose messages are commercial electronic *mail* (UEMO s.12 covers only these).
EMAIL_CHANNELS: frozenset[str] = frozenset({"email", "e-mail", "newsletter", "e-newsletter", "enewsletter", "edm"})
#: Message channels that reach a phone or fax number (do-not-call registers, s.11).
PHONE_CHANNELS: frozenset[str] = frozenset({"sms", "mms", "fax", "voice", "phone", "call", "whatsapp"})
#: Licence values that mean "no licence".
NO_LICENCE: frozenset[str] = frozenset({"", "none", "unknown", "n/a", "na", "missing", "unlicensed", "no"})

#: Subject-heading patterns that tend to mislead (UEMO s.12), each with the reason shown.
MISLEADING_SUBJECT_PATTERNS: dict[str, str] = {
    r"^\s*(?:re|fw|fwd)\s*:": "pretends to reply to or forward an earlier conversation",
    r"\b(?:you(?:'ve| have)? won|winner|prize|lucky draw result)\b": "announces a win the message does not deliver",
    r"\b(?:account (?:suspended|locked|closed)|verify your account|security alert|password)\b":
        "poses as an account or security notice",
    r"\b(?:invoice|receipt|payment (?:due|failed)|order (?:confirmation|#?\d+)|delivery failed|parcel)\b":
        "poses as a transactional message about an order or payment",
    r"\b(?:final notice|last warning|urgent|action required|act now)\b": "creates false urgency",
    r"100\s*%\s*free|free\s+iphone|\bfree\b.*\bno catch\b": "promises something free that is not offered",
}

#: Scenario questions for the laws taught without data checks.
SCENARIOS: pd.DataFrame = pd.DataFrame(
    [
        ("eto_click_accept", "A customer ticks 'I agree' and clicks 'Place order' on the web shop. Is a contract formed?",
         "yes", "Electronic Transactions Ordinance Cap. 553 s.17",
         "An offer and its acceptance may be expressed by electronic records; the contract is not invalid just "
         "because it was made electronically (terms must be shown before the click)."),
        ("eto_e_signature", "A supplier signs a purchase agreement with an electronic signature. Is it a valid signature?",
         "yes", "Electronic Transactions Ordinance Cap. 553 s.6",
         "An electronic signature can satisfy a legal requirement for a signature where both parties agree and the "
         "method is reliable; some documents (wills, deeds, oaths: Sch. 1) are excluded."),
        ("crime_competitor_login", "A colleague found a competitor's back-office password and suggests logging in to "
         "copy its customer list. Allowed?", "no", "Crimes Ordinance Cap. 200 s.161; Telecommunications Ordinance Cap. 106 s.27A",
         "Access to a computer with dishonest intent (s.161, up to 5 years) and unauthorised access by "
         "telecommunications (s.27A) are offences; the customer list is also personal data (PDPO)."),
        ("bribery_supplier_gift", "A supplier offers the buyer a HK$5,000 shopping voucher 'for the festival' while a "
         "tender is open. May the buyer accept?", "no", "Prevention of Bribery Ordinance Cap. 201 s.9",
         "An employee (agent) who accepts an advantage without the employer's (principal's) permission in relation to "
         "the employer's business commits an offence; so does the giver. Decline and report under company policy."),
        ("copyright_found_photo", "A product photo found on a search engine would suit the newsletter. Can it be used "
         "if the photographer is credited?", "no", "Copyright Ordinance Cap. 528 ss.22–23",
         "Copying a work and issuing it to the public are acts restricted by copyright; a credit is not a licence."),
        ("pdpo_buy_list", "A vendor sells a list of 'opted-in' phone numbers for an SMS promotion. Can the shop use it?",
         "no", "PDPO Cap. 486 ss.35C, 35E; UEMO Cap. 593 s.11",
         "The people on the list consented (if at all) to the vendor, not to this shop: the shop must inform them and "
         "get its own consent before use, and check the do-not-call registers."),
    ],
    columns=["scenario", "question", "answer", "legal_basis", "why"],
)


# --------------------------------------------------------------------------- shared helpers


def _findings(rule: str, record: Sequence[object], customer_id: Sequence[object] | None, detail: Sequence[str]) -> pd.DataFrame:
    spec = RULES[rule]
    n = len(record)
    return pd.DataFrame({
        "rule": pd.array([rule] * n, dtype="string"),
        "legal_basis": pd.array([spec.legal_basis] * n, dtype="string"),
        "record": pd.Series(record, dtype=object).astype("string").to_numpy() if n else pd.array([], dtype="string"),
        "customer_id": pd.array(list(customer_id) if customer_id is not None else [pd.NA] * n, dtype="string"),
        "detail": pd.array(list(detail), dtype="string"),
        "fix": pd.array([spec.fix] * n, dtype="string"),
    })


def empty_findings() -> pd.DataFrame:
    """A findings table with no rows (the columns of :data:`FINDING_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        Zero rows, text columns.

    Examples
    --------
    >>> list(empty_findings().columns) == list(FINDING_COLUMNS)
    True
    """
    return pd.DataFrame({c: pd.Series([], dtype="string") for c in FINDING_COLUMNS})




def _dates(values: object) -> pd.Series:
    return pd.to_datetime(pd.Series(values) if not isinstance(values, pd.Series) else values, errors="raise")


def _fmt(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").fillna("never").astype("string")


def _tokens(values: pd.Series) -> pd.Series:
    """Lower-case tokens of ``"email; phone|name"``-style lists, exploded to one per row (index kept)."""
    text = values.astype("string").str.lower().str.replace(r"\s*[;,|/+]\s*", ";", regex=True).str.strip()
    return text.str.split(";").explode().str.strip()


def consent_covers(consented: pd.Series, used: pd.Series) -> pd.Series:
    """Whether each ``used`` value is one of the items listed in ``consented`` (same row).

    Lists may be separated by ``;``, ``,``, ``|``, ``/`` or ``+``; matching ignores case
    and spaces. ``all`` / ``any`` in the list covers everything. Vectorised: the lists
    are exploded and matched by a join, not row by row.

    Parameters
    ----------
    consented
        What each customer agreed to, e.g. ``"name;email"``; missing = nothing.
    used
        What each send used (a data kind or a product class), same length.

    Returns
    -------
    pandas.Series of bool
        On ``used``'s index.

    Raises
    ------
    ValueError
        The two inputs differ in length.

    Examples
    --------
    >>> consented = pd.Series(["email; phone", "email", None, "ALL"])
    >>> consent_covers(consented, pd.Series(["Phone", "sms", "email", "name"])).tolist()
    [True, False, False, True]
    """
    if len(consented) != len(used):
        raise ValueError("consented and used must have the same length")
    # Millions of sends share a few hundred (consent list, use) pairs: decide each pair once.
    list_codes, lists = pd.factorize(consented)
    use_codes, uses = pd.factorize(used)
    width = len(uses) + 1
    inverse, pair_keys = pd.factorize((list_codes + 1) * width + (use_codes + 1))
    list_index, use_index = pair_keys // width - 1, pair_keys % width - 1
    distinct_lists = pd.Series(np.asarray(lists, dtype=object)[np.maximum(list_index, 0)], dtype="string")
    distinct_lists = distinct_lists.where(list_index >= 0)
    want = pd.Series(np.asarray(uses, dtype=object)[np.maximum(use_index, 0)], dtype="string").where(use_index >= 0)
    want = want.str.lower().str.strip()
    tokens = _tokens(distinct_lists).dropna()
    allowed = tokens.isin(["all", "any"]).groupby(level=0).any().reindex(want.index, fill_value=False)
    listed = pd.DataFrame({"row": tokens.index, "token": tokens.to_numpy()})
    hits = listed.merge(pd.DataFrame({"row": want.index, "token": want.to_numpy()}), on=["row", "token"])
    covered = pd.Series(False, index=want.index)
    covered.loc[hits["row"].unique()] = True
    decided = (covered | allowed).astype(bool).to_numpy()[inverse]
    return pd.Series(decided, index=used.index)


# --------------------------------------------------------------------------- working days


def hk_general_holidays(years: Iterable[int]) -> np.ndarray:
    """Hong Kong general holidays (other than Sundays) for ``years``, as ``datetime64[D]``.

    Uses the ``holidays`` package with both its ``public`` and ``optional``
    categories: Good Friday, the day following it and Easter Monday are only in
    ``optional``, and all are general holidays.

    Parameters
    ----------
    years
        Calendar years to cover.

    Returns
    -------
    numpy.ndarray
        Sorted unique dates, ``datetime64[D]``.

    Examples
    --------
    >>> days = hk_general_holidays([2024])
    >>> np.datetime64("2024-03-29") in days, np.datetime64("2024-04-01") in days
    (True, True)
    """
    calendar = holidays.HK(years=sorted(set(int(y) for y in years)), categories=("public", "optional"))
    return np.array(sorted(calendar.keys()), dtype="datetime64[D]")


def _holiday_array(start: pd.Series, end: pd.Series, warning_days: Iterable[object]) -> np.ndarray:
    years = pd.concat([start, end]).dropna().dt.year
    span = range(int(years.min()) - 1, int(years.max()) + 2) if len(years) else range(2000, 2001)
    days = list(warning_days)
    warnings = pd.to_datetime(pd.Series(days, dtype=object), errors="coerce", format="mixed")
    bad = [d for d, parsed in zip(days, warnings) if pd.isna(parsed)]
    if bad:
        raise ValueError(f"warning_days: expected dates such as '2024-02-14'; could not read {bad[:3]}")
    extra = warnings.to_numpy(dtype="datetime64[D]")
    return np.unique(np.concatenate([hk_general_holidays(span), extra]))


def working_days_between(
    start: object, end: object, *, warning_days: Iterable[object] = ()
) -> pd.Series | int:
    """Working days after ``start`` up to and including ``end``.

    A working day is a Monday–Friday that is not a Hong Kong general holiday
    (:func:`hk_general_holidays`) and not one of ``warning_days`` (days with a
    gale warning No. 8 or above or a black rainstorm warning). The day the
    clock starts (e.g. the day an unsubscribe request is received) is not
    counted, so a request handled the same day took 0 working days.

    Parameters
    ----------
    start, end
        Dates or date-times; scalars or equal-length sequences/Series. Times are ignored.
    warning_days
        Dates (``"YYYY-MM-DD"``) that are not working days because of a warning.

    Returns
    -------
    int or pandas.Series
        An ``int`` for scalar input; otherwise an ``Int64`` Series, missing where a date is missing.

    Examples
    --------
    Lunar New Year 2024 fell on Sat 10 Feb; Mon 12 and Tue 13 Feb were holidays:
    Fri 9, Wed 14, Thu 15, Fri 16, Mon 19 are working days after Thu 8 Feb.

    >>> working_days_between("2024-02-08", "2024-02-19")
    5
    >>> working_days_between("2024-02-08", "2024-02-19", warning_days=["2024-02-14"])
    4
    """
    scalar = not isinstance(start, (pd.Series, list, tuple, np.ndarray, pd.Index))
    start_s = _dates([start] if scalar else start).reset_index(drop=True).dt.normalize()
    end_s = _dates([end] if scalar else end).reset_index(drop=True).dt.normalize()
    if len(start_s) != len(end_s):
        raise ValueError("start and end must have the same length")
    known = start_s.notna() & end_s.notna()
    counts = pd.Series(pd.NA, index=start_s.index, dtype="Int64")
    if known.any():
        hols = _holiday_array(start_s[known], end_s[known], warning_days)
        s = start_s[known].to_numpy(dtype="datetime64[D]") + np.timedelta64(1, "D")
        e = end_s[known].to_numpy(dtype="datetime64[D]") + np.timedelta64(1, "D")
        counts.loc[known] = np.busday_count(s, e, holidays=hols)
    if scalar:
        return int(counts.iloc[0]) if known.iloc[0] else None  # type: ignore[return-value]
    if isinstance(start, pd.Series):
        counts.index = start.index
    return counts


def working_day_deadline(start: object, days: int, *, warning_days: Iterable[object] = ()) -> pd.Series | pd.Timestamp:
    """The date on which the ``days``-th working day after ``start`` ends (vectorised).

    Parameters
    ----------
    start
        Date(s) the clock starts (e.g. the day a request was received); scalar or sequence.
    days
        How many working days are allowed, e.g. 10 (UEMO s.10(2)).
    warning_days
        Gale / black-rainstorm warning days, not working days.

    Returns
    -------
    pandas.Timestamp or pandas.Series
        The last permitted day; ``NaT`` where ``start`` is missing.

    Examples
    --------
    Received on Thu 28 Mar 2024, just before Easter: Good Friday 29 Mar, Sat 30,
    Sun 31, Easter Monday 1 Apr and Ching Ming (Thu 4 Apr) are not working days.
    Working days: Apr 2, 3, 5, 8, 9, 10, 11, 12, 15, 16 — the 10th is Tue 16 Apr.

    >>> working_day_deadline("2024-03-28", 10).date()
    datetime.date(2024, 4, 16)
    """
    scalar = not isinstance(start, (pd.Series, list, tuple, np.ndarray, pd.Index))
    start_s = _dates([start] if scalar else start).dt.normalize()
    out = pd.Series(pd.NaT, index=start_s.index, dtype="datetime64[ns]")
    known = start_s.notna()
    if known.any():
        far = start_s[known] + pd.Timedelta(days=3 * days + 30)
        hols = _holiday_array(start_s[known], far, warning_days)
        # Roll a start on a non-working day back, so that counting starts the day after it.
        ends = np.busday_offset(start_s[known].to_numpy(dtype="datetime64[D]"), days, roll="backward", holidays=hols)
        out.loc[known] = pd.to_datetime(ends)
    return out.iloc[0] if scalar else out


# --------------------------------------------------------------------------- PDPO Part 6A


def _sent(sends: pd.DataFrame) -> pd.DataFrame:
    """Rows that were actually sent: randomised hold-out (control) rows received nothing."""
    if "group" in sends.columns:
        return sends.loc[sends["group"].astype("string").str.lower().fillna("") != "control"]
    return sends


def consent_audit(sends: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """PDPO Part 6A audit of direct-marketing sends against each customer's consent record.

    Rules, each reported separately (a send can break several):

    * ``dm_no_consent`` (s.35E(1)(a)) — no consent, or consent dated after the send;
    * ``dm_oral_unconfirmed`` (s.35E(1)(b)) — oral consent without a written
      confirmation sent within 14 days of receiving it (and before the send);
    * ``dm_outside_scope`` (s.35E(1)(c), (2)) — the send's ``data_kind`` or
      ``product_class`` is not among those consented to;
    * ``dm_after_opt_out`` (s.35G) — sent after the customer's opt-out date.

    Parameters
    ----------
    sends
        ``send_id``, ``customer_id``, ``sent_at``, ``data_kind``, ``product_class``
        (and optionally ``group``: ``control`` rows were not sent and are skipped).
    customers
        ``customer_id``, ``dm_consent``, ``consent_date``, ``consent_channel``,
        ``consent_confirmed_date``, ``consent_data_kinds``, ``consent_product_classes``, ``opt_out_date``.

    Returns
    -------
    pandas.DataFrame
        Findings (:data:`FINDING_COLUMNS`), ``record`` = ``send_id``.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["c1", "c2"], "dm_consent": [True, False],
    ...     "consent_date": pd.to_datetime(["2024-01-02", None]), "consent_channel": ["web", None],
    ...     "consent_confirmed_date": pd.to_datetime([None, None]),
    ...     "consent_data_kinds": ["name;email", None], "consent_product_classes": ["beauty", None],
    ...     "opt_out_date": pd.to_datetime(["2024-03-01", None])})
    >>> sends = pd.DataFrame({"send_id": ["s1", "s2", "s3"], "customer_id": ["c1", "c1", "c2"],
    ...     "sent_at": pd.to_datetime(["2024-02-01", "2024-03-05", "2024-02-01"]),
    ...     "data_kind": ["email", "email", "email"], "product_class": ["beauty", "beauty", "beauty"]})
    >>> consent_audit(sends, customers)[["rule", "record"]].values.tolist()
    [['dm_no_consent', 's3'], ['dm_after_opt_out', 's2']]
    """
    require_columns(sends, ["send_id", "customer_id", "sent_at", "data_kind", "product_class"], "campaign_sends")
    require_columns(customers, ["customer_id", "dm_consent", "consent_date", "consent_channel", "consent_confirmed_date",
                         "consent_data_kinds", "consent_product_classes", "opt_out_date"], "customers")
    keep = ["customer_id", "dm_consent", "consent_date", "consent_channel", "consent_confirmed_date",
            "consent_data_kinds", "consent_product_classes", "opt_out_date"]
    rows = _sent(sends)[["send_id", "customer_id", "sent_at", "data_kind", "product_class"]].merge(
        customers[keep], on="customer_id", how="left", validate="many_to_one")
    sent_at = pd.to_datetime(rows["sent_at"])
    consent_date = pd.to_datetime(rows["consent_date"])
    consented = rows["dm_consent"].astype("boolean").fillna(False).astype(bool)
    no_consent = ~consented | consent_date.isna() | (consent_date > sent_at)

    oral = rows["consent_channel"].astype("string").str.lower().str.strip().isin(ORAL_CHANNELS).fillna(False).astype(bool)
    confirmed = pd.to_datetime(rows["consent_confirmed_date"])
    confirmation_days = (confirmed - consent_date).dt.days
    in_time = confirmed.notna() & (confirmation_days <= 14) & (confirmed <= sent_at)
    oral_unconfirmed = ~no_consent & oral & ~in_time

    kind_ok = consent_covers(rows["consent_data_kinds"], rows["data_kind"])
    class_ok = consent_covers(rows["consent_product_classes"], rows["product_class"])
    outside = ~no_consent & ~(kind_ok & class_ok)

    opt_out = pd.to_datetime(rows["opt_out_date"])
    after_opt_out = opt_out.notna() & (sent_at.dt.normalize() > opt_out)

    # Dates are formatted only for flagged rows: formatting millions of dates is the slow part.
    def on(mask: pd.Series, dates: pd.Series) -> pd.Series:
        return _fmt(dates[mask])

    def text(mask: pd.Series, column: str, empty: str) -> pd.Series:
        return rows.loc[mask, column].astype("string").fillna(empty)

    parts = [
        _findings("dm_no_consent", rows.loc[no_consent, "send_id"], rows.loc[no_consent, "customer_id"],
                  ("sent " + on(no_consent, sent_at) + "; consent "
                   + np.where(consented[no_consent], "dated " + on(no_consent, consent_date), "not given"))),
        _findings("dm_oral_unconfirmed", rows.loc[oral_unconfirmed, "send_id"], rows.loc[oral_unconfirmed, "customer_id"],
                  ("oral consent " + on(oral_unconfirmed, consent_date) + "; written confirmation "
                   + on(oral_unconfirmed, confirmed) + "; sent " + on(oral_unconfirmed, sent_at))),
        _findings("dm_outside_scope", rows.loc[outside, "send_id"], rows.loc[outside, "customer_id"],
                  ("used " + text(outside, "data_kind", "?") + " for " + text(outside, "product_class", "?")
                   + "; consent covers " + text(outside, "consent_data_kinds", "nothing") + " / "
                   + text(outside, "consent_product_classes", "nothing"))),
        _findings("dm_after_opt_out", rows.loc[after_opt_out, "send_id"], rows.loc[after_opt_out, "customer_id"],
                  ("opted out " + on(after_opt_out, opt_out) + "; sent " + on(after_opt_out, sent_at))),
    ]
    return pd.concat(parts, ignore_index=True)


def third_party_audit(customers: pd.DataFrame, provisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """PDPO ss.35J–35K: providing personal data to others for *their* marketing needs written consent.

    Without ``provisions`` the check lists customers whose third-party consent is
    recorded but not in writing (oral or unknown channel): their data must not be
    passed on. With ``provisions`` (``customer_id``, ``provided_at``) it lists each
    provision made without written consent received before it.

    Parameters
    ----------
    customers
        ``customer_id``, ``third_party_consent``, ``third_party_consent_channel`` (and optionally ``consent_date``).
    provisions
        Optional ``customer_id``, ``provided_at``: each time data was given to another company.

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the customer.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3"], "third_party_consent": [True, True, False],
    ...     "third_party_consent_channel": ["online_form", "phone", None], "consent_date": pd.to_datetime(["2024-01-01"] * 3)})
    >>> third_party_audit(customers)["customer_id"].tolist()
    ['c2']
    >>> provisions = pd.DataFrame({"customer_id": ["c1", "c3"], "provided_at": pd.to_datetime(["2024-02-01", "2024-02-01"])})
    >>> third_party_audit(customers, provisions)["customer_id"].tolist()
    ['c3']
    """
    require_columns(customers, ["customer_id", "third_party_consent", "third_party_consent_channel"], "customers")
    given = customers["third_party_consent"].astype("boolean").fillna(False).astype(bool)
    channel = customers["third_party_consent_channel"].astype("string").str.lower().str.strip()
    written = given & channel.isin(WRITTEN_CHANNELS).fillna(False).astype(bool)
    if provisions is None:
        flagged = customers.loc[given & ~written]
        return _findings("dm_third_party_not_written", flagged["customer_id"], flagged["customer_id"],
                         "third-party consent recorded via " + channel[flagged.index].fillna("unknown channel")
                         + ", not in writing")
    require_columns(provisions, ["customer_id", "provided_at"], "provisions")
    status = customers[["customer_id"]].assign(written=written.to_numpy())
    if "consent_date" in customers.columns:
        status["consent_date"] = pd.to_datetime(customers["consent_date"]).to_numpy()
    rows = provisions.merge(status, on="customer_id", how="left")
    ok = rows["written"].astype("boolean").fillna(False).astype(bool)
    if "consent_date" in rows.columns:
        ok &= rows["consent_date"].isna() | (rows["consent_date"] <= pd.to_datetime(rows["provided_at"]))
    bad = rows.loc[~ok]
    return _findings("dm_third_party_not_written", bad["customer_id"], bad["customer_id"],
                     "provided " + _fmt(pd.to_datetime(bad["provided_at"])) + " without written consent")


def lead_audit(leads: pd.DataFrame) -> pd.DataFrame:
    """Prospecting within the PDPO: which prospects may be approached for direct marketing.

    * ``lead_unlawful_source`` (DPP1(2)) — the lead's data was not collected by lawful and fair
      means (``lawful_source`` false), e.g. a bought list whose people never agreed to be passed on;
    * ``lead_no_consent`` (ss.35C, 35E) — no consent to direct marketing recorded
      (``consent_recorded`` false): the lead must not be used for direct marketing yet.

    Parameters
    ----------
    leads
        ``lead_id``, ``lawful_source``, ``consent_recorded`` (optionally ``method``, ``source_detail``, ``customer_id``).

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the lead.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "method": ["email_promotion", "referral", "search_ad"],
    ...     "source_detail": ["partner-list-B", "friend", "ads"], "lawful_source": [False, True, True],
    ...     "consent_recorded": [True, False, True]})
    >>> lead_audit(leads)[["rule", "record"]].values.tolist()
    [['lead_unlawful_source', 'L1'], ['lead_no_consent', 'L2']]
    """
    require_columns(leads, ["lead_id", "lawful_source", "consent_recorded"], "leads")
    unlawful = ~_flag(leads["lawful_source"])
    no_consent = ~_flag(leads["consent_recorded"])
    where = (leads["method"].astype("string").fillna("?") if "method" in leads.columns
             else pd.Series("?", index=leads.index, dtype="string"))
    if "source_detail" in leads.columns:
        where = where + " (" + leads["source_detail"].astype("string").fillna("?") + ")"
    customers = leads["customer_id"] if "customer_id" in leads.columns else pd.Series(pd.NA, index=leads.index)
    return pd.concat([
        _findings("lead_unlawful_source", leads.loc[unlawful, "lead_id"], customers[unlawful],
                  "collected via " + where[unlawful] + " without a lawful source on record"),
        _findings("lead_no_consent", leads.loc[no_consent, "lead_id"], customers[no_consent],
                  "collected via " + where[no_consent] + "; no direct-marketing consent recorded"),
    ], ignore_index=True)


# --------------------------------------------------------------------------- UEMO


def unsubscribe_timeliness(
    requests: pd.DataFrame, *, warning_days: Iterable[object] = (), as_of: object = None, limit_days: int = 10
) -> pd.DataFrame:
    """Working days each unsubscribe request took (or has been open), and whether it was late.

    Parameters
    ----------
    requests
        ``request_id``, ``customer_id``, ``received_at``, ``processed_at`` (empty = not yet).
    warning_days
        Gale / black-rainstorm warning days, not counted as working days.
    as_of
        Date to measure open requests against; default the latest date in the table.
    limit_days
        The statutory limit, 10 working days (UEMO s.10(2)).

    Returns
    -------
    pandas.DataFrame
        The requests plus ``deadline`` (end of the 10th working day), ``working_days``
        (to processing, or to ``as_of`` while open), ``open`` and ``late``.

    Examples
    --------
    >>> req = pd.DataFrame({"request_id": ["r1", "r2"], "customer_id": ["c1", "c2"],
    ...     "received_at": pd.to_datetime(["2024-02-08", "2024-02-08"]),
    ...     "processed_at": pd.to_datetime(["2024-02-22", "2024-02-23"])})
    >>> unsubscribe_timeliness(req)[["working_days", "late"]].values.tolist()
    [[8, False], [9, False]]
    """
    require_columns(requests, ["request_id", "received_at", "processed_at"], "unsubscribe_requests")
    out = requests.copy()
    received = pd.to_datetime(out["received_at"])
    processed = pd.to_datetime(out["processed_at"])
    if as_of is None or as_of == "":
        as_of_ts = pd.concat([received, processed]).max()
    else:
        as_of_ts = pd.Timestamp(as_of)
    measured_to = processed.fillna(as_of_ts)
    out["deadline"] = working_day_deadline(received, limit_days, warning_days=warning_days)
    out["working_days"] = working_days_between(received, measured_to, warning_days=warning_days).to_numpy()
    out["open"] = processed.isna()
    out["late"] = (out["working_days"] > limit_days).fillna(False).astype(bool)
    return out


def unsubscribe_audit(
    requests: pd.DataFrame, *, warning_days: Iterable[object] = (), as_of: object = None
) -> pd.DataFrame:
    """UEMO s.10(2): unsubscribe requests must be honoured within 10 working days.

    Parameters
    ----------
    requests
        ``request_id``, ``received_at``, ``processed_at`` (empty = not yet), optionally ``customer_id``.
    warning_days
        Gale / black-rainstorm warning days, not working days.
    as_of
        Date open requests are measured to; default the latest date in the table.

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the request.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> req = pd.DataFrame({"request_id": ["r1", "r2"], "customer_id": ["c1", "c2"],
    ...     "received_at": pd.to_datetime(["2024-03-28", "2024-03-28"]),
    ...     "processed_at": pd.to_datetime(["2024-04-16", "2024-04-17"])})
    >>> unsubscribe_audit(req)[["record", "detail"]].values.tolist()
    [['r2', 'received 2024-03-28; processed 2024-04-17, 11 working days (deadline 2024-04-16)']]
    """
    table = unsubscribe_timeliness(requests, warning_days=warning_days, as_of=as_of)
    late = table.loc[table["late"]]
    state = np.where(late["open"], "still open after ", "processed " + _fmt(pd.to_datetime(late["processed_at"])) + ", ")
    detail = ("received " + _fmt(pd.to_datetime(late["received_at"])) + "; " + state
              + late["working_days"].astype("string") + " working days (deadline " + _fmt(late["deadline"]) + ")")
    customers = late["customer_id"] if "customer_id" in late.columns else None
    return _findings("uemo_unsubscribe_late", late["request_id"], customers, detail)


def sends_after_unsubscribe(
    sends: pd.DataFrame, requests: pd.DataFrame, *, warning_days: Iterable[object] = ()
) -> pd.DataFrame:
    """UEMO s.10(2): messages sent to a customer after the 10-working-day grace of their unsubscribe request.

    Parameters
    ----------
    sends
        ``send_id``, ``customer_id``, ``sent_at`` (``group == 'control'`` rows are skipped).
    requests
        ``customer_id``, ``received_at``: the customer's first request counts.
    warning_days
        Gale / black-rainstorm warning days, not working days.

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the send.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> req = pd.DataFrame({"request_id": ["r1"], "customer_id": ["c1"],
    ...     "received_at": pd.to_datetime(["2024-03-28"]), "processed_at": pd.to_datetime([None])})
    >>> sends = pd.DataFrame({"send_id": ["s1", "s2"], "customer_id": ["c1", "c1"],
    ...     "sent_at": pd.to_datetime(["2024-04-16", "2024-04-17"])})
    >>> sends_after_unsubscribe(sends, req)["record"].tolist()
    ['s2']
    """
    require_columns(sends, ["send_id", "customer_id", "sent_at"], "campaign_sends")
    require_columns(requests, ["customer_id", "received_at"], "unsubscribe_requests")
    first = requests.groupby("customer_id", as_index=False)["received_at"].min()
    first["deadline"] = working_day_deadline(pd.to_datetime(first["received_at"]), 10, warning_days=warning_days).to_numpy()
    rows = _sent(sends)[["send_id", "customer_id", "sent_at"]].merge(first, on="customer_id", how="inner")
    late = rows.loc[pd.to_datetime(rows["sent_at"]).dt.normalize() > rows["deadline"]]
    detail = ("unsubscribed " + _fmt(pd.to_datetime(late["received_at"])) + "; sent "
              + _fmt(pd.to_datetime(late["sent_at"])) + " after the deadline " + _fmt(late["deadline"]))
    return _findings("uemo_sent_after_unsubscribe", late["send_id"], late["customer_id"], detail)


def _flag(values: pd.Series) -> pd.Series:
    """True where a yes/no column says yes; text such as 'yes', 'y', '1', 'true' counts."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean").fillna(False).astype(bool)
    text = values.astype("string").str.strip().str.lower()
    return text.isin(["true", "yes", "y", "1", "t"]).fillna(False).astype(bool)


def _is_email(channel: pd.Series) -> pd.Series:
    return channel.astype("string").str.strip().str.lower().isin(EMAIL_CHANNELS).fillna(False).astype(bool)


def misleading_subject_reasons(subjects: pd.Series) -> pd.Series:
    """Why each subject heading is likely to mislead (UEMO s.12), or missing when it looks fine.

    Simple heuristics (:data:`MISLEADING_SUBJECT_PATTERNS`): fake replies, fake
    prizes, fake account or order notices, false urgency. A person should read
    every flagged subject against the message body.

    Parameters
    ----------
    subjects
        Subject headings.

    Returns
    -------
    pandas.Series of str
        The first matching reason, missing where none matched; same index.

    Examples
    --------
    >>> misleading_subject_reasons(pd.Series(["RE: your order", "Spring sale: 20% off skincare"])).tolist()
    ['pretends to reply to or forward an earlier conversation', <NA>]
    """
    text = subjects.astype("string").fillna("")
    reason = pd.Series(pd.NA, index=subjects.index, dtype="string")
    for pattern, why in MISLEADING_SUBJECT_PATTERNS.items():  # a handful of patterns, each vectorised
        hit = text.str.contains(pattern, case=False, regex=True).fillna(False).astype(bool)
        reason = reason.where(reason.notna() | ~hit, why)
    return reason


def message_audit(messages: pd.DataFrame) -> pd.DataFrame:
    """UEMO checks on the commercial electronic messages themselves.

    * ``uemo_sender_info`` (s.8) — ``sender_info`` missing or false;
    * ``uemo_bilingual_unsubscribe`` (s.9; Cap. 593A s.7) — unsubscribe statement
      not in both English (``unsubscribe_en``) and Chinese (``unsubscribe_zh``);
    * ``uemo_misleading_subject`` (s.12, email only) — see :func:`misleading_subject_reasons`.

    Parameters
    ----------
    messages
        ``message_id``, ``channel``, ``subject``, ``sender_info``, ``unsubscribe_en``, ``unsubscribe_zh``
        (flags as booleans or yes/no text).

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the message.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> msgs = pd.DataFrame({"message_id": ["m1", "m2"], "channel": ["email", "sms"],
    ...     "subject": ["FW: invoice", None], "sender_info": [True, False],
    ...     "unsubscribe_en": [True, True], "unsubscribe_zh": [True, False]})
    >>> message_audit(msgs)[["rule", "record"]].values.tolist()
    [['uemo_sender_info', 'm2'], ['uemo_bilingual_unsubscribe', 'm2'], ['uemo_misleading_subject', 'm1']]
    """
    require_columns(messages, ["message_id", "channel", "subject", "sender_info", "unsubscribe_en", "unsubscribe_zh"], "messages")
    ids = messages["message_id"]
    no_sender = ~_flag(messages["sender_info"])
    en, zh = _flag(messages["unsubscribe_en"]), _flag(messages["unsubscribe_zh"])
    not_bilingual = ~(en & zh)
    missing = np.where(~en & ~zh, "no unsubscribe statement", np.where(~en, "no English statement", "no Chinese statement"))
    email = _is_email(messages["channel"])
    reasons = misleading_subject_reasons(messages["subject"])
    misleading = email & reasons.notna()
    channel = messages["channel"].astype("string").fillna("?")
    return pd.concat([
        _findings("uemo_sender_info", ids[no_sender], None, channel[no_sender] + " message without sender information"),
        _findings("uemo_bilingual_unsubscribe", ids[not_bilingual], None,
                  channel[not_bilingual] + " message: " + pd.Series(missing, index=messages.index)[not_bilingual]),
        _findings("uemo_misleading_subject", ids[misleading], None,
                  "subject " + messages.loc[misleading, "subject"].astype("string").str.slice(0, 60).map(repr)
                  + " " + reasons[misleading]),
    ], ignore_index=True)


def normalise_hk_phone(values: pd.Series) -> pd.Series:
    """Hong Kong numbers as 8 bare digits (``+852 9123-4567`` → ``91234567``); tokens left as they are.

    Parameters
    ----------
    values
        Phone numbers as typed, or pseudonymised tokens.

    Returns
    -------
    pandas.Series of str

    Examples
    --------
    >>> normalise_hk_phone(pd.Series(["+852 9123 4567", "(852) 2345-6789", "cus_ab12"])).tolist()
    ['91234567', '23456789', 'cus_ab12']
    """
    text = values.astype("string").str.strip()
    token = text.str.startswith("cus_").fillna(False).astype(bool)
    digits = text.str.replace(r"\D", "", regex=True).str.replace(r"^852(?=\d{8}$)", "", regex=True)
    return text.where(token, digits)


def dnc_status(
    sends: pd.DataFrame,
    customers: pd.DataFrame,
    dnc: pd.DataFrame,
    *,
    warning_days: Iterable[object] = (),
) -> pd.DataFrame:
    """Every phone-channel send to a number on a do-not-call register, with its UEMO s.11 status.

    ``status`` is one of:

    * ``before listing`` — sent before the number was registered;
    * ``within 10 working days`` — registered less than 10 working days before the send (s.11(3));
    * ``consented`` — the customer had consented to such messages and not withdrawn it (s.11(2)):
      direct-marketing consent dated before the send, covering the ``phone`` data kind when the
      customer table lists kinds, and no opt-out before the send;
    * ``breach`` — none of these.

    Phone numbers may be raw or pseudonymised with the same key in both tables
    (``load_shop_table(..., pii="pseudonymise")``); the result carries no phone column.

    Parameters
    ----------
    sends
        ``send_id``, ``customer_id``, ``channel``, ``sent_at``.
    customers
        ``customer_id``, ``phone``; optionally ``dm_consent``, ``consent_date``, ``opt_out_date``, ``consent_data_kinds``.
    dnc
        The do-not-call register: ``phone``, ``registered_at``.
    warning_days
        Gale / black-rainstorm warning days, not working days.

    Returns
    -------
    pandas.DataFrame
        ``send_id``, ``customer_id``, ``channel``, ``sent_at``, ``registered_at``, ``listed_from``, ``status``.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["c1", "c2"], "phone": ["9123 4567", "6123 4567"],
    ...     "dm_consent": [False, True], "consent_date": pd.to_datetime([None, "2024-01-01"])})
    >>> dnc = pd.DataFrame({"phone": ["+852 91234567", "61234567"], "registered_at": pd.to_datetime(["2024-01-02"] * 2)})
    >>> sends = pd.DataFrame({"send_id": ["s1", "s2", "s3"], "customer_id": ["c1", "c2", "c1"],
    ...     "channel": ["sms", "sms", "email"], "sent_at": pd.to_datetime(["2024-03-01"] * 3)})
    >>> dnc_status(sends, customers, dnc)[["send_id", "status"]].values.tolist()
    [['s1', 'breach'], ['s2', 'consented']]
    """
    require_columns(sends, ["send_id", "customer_id", "channel", "sent_at"], "campaign_sends")
    require_columns(customers, ["customer_id", "phone"], "customers")
    require_columns(dnc, ["phone", "registered_at"], "dnc_register")
    register = pd.DataFrame({"phone": normalise_hk_phone(dnc["phone"]).to_numpy(),
                             "registered_at": pd.to_datetime(dnc["registered_at"]).to_numpy()})
    register = register.groupby("phone", as_index=False)["registered_at"].min()
    register["listed_from"] = working_day_deadline(register["registered_at"], 10, warning_days=warning_days).to_numpy()
    people = customers[["customer_id"]].assign(phone=normalise_hk_phone(customers["phone"]).to_numpy())
    for column in ("dm_consent", "consent_date", "opt_out_date", "consent_data_kinds"):
        people[column] = customers[column].to_numpy() if column in customers.columns else pd.NA
    sent = _sent(sends)
    by_phone = sent["channel"].astype("string").str.lower().isin(PHONE_CHANNELS).fillna(False).astype(bool)
    rows = sent.loc[by_phone, ["send_id", "customer_id", "channel", "sent_at"]].merge(people, on="customer_id").merge(
        register, on="phone")
    sent_at = pd.to_datetime(rows["sent_at"])
    day = sent_at.dt.normalize()
    consented = rows["dm_consent"].astype("boolean").fillna(False).astype(bool) & (
        pd.to_datetime(rows["consent_date"]).le(sent_at).fillna(False).astype(bool))
    consented &= ~pd.to_datetime(rows["opt_out_date"]).lt(sent_at).fillna(False).astype(bool)
    if "consent_data_kinds" in customers.columns:
        consented &= consent_covers(rows["consent_data_kinds"], pd.Series("phone", index=rows.index))
    status = np.select(
        [day < rows["registered_at"], day <= rows["listed_from"], consented],
        ["before listing", "within 10 working days", "consented"], "breach")
    out = rows[["send_id", "customer_id", "channel", "sent_at", "registered_at", "listed_from"]].assign(status=status)
    return out.sort_values("send_id", kind="stable").reset_index(drop=True)


def dnc_audit(
    sends: pd.DataFrame,
    customers: pd.DataFrame,
    dnc: pd.DataFrame,
    *,
    warning_days: Iterable[object] = (),
) -> pd.DataFrame:
    """UEMO s.11: no SMS/fax/voice message to a number listed on a do-not-call register.

    The ``breach`` rows of :func:`dnc_status`: the number had been listed for at least
    10 working days (s.11(3)) and the customer had not consented (s.11(2)).

    Parameters
    ----------
    sends, customers, dnc, warning_days
        As for :func:`dnc_status`.

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the send.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["c1", "c2"], "phone": ["9123 4567", "6123 4567"],
    ...     "dm_consent": [False, True], "consent_date": pd.to_datetime([None, "2024-01-01"])})
    >>> dnc = pd.DataFrame({"phone": ["+852 91234567", "61234567"], "registered_at": pd.to_datetime(["2024-01-02"] * 2)})
    >>> sends = pd.DataFrame({"send_id": ["s1", "s2", "s3"], "customer_id": ["c1", "c2", "c1"],
    ...     "channel": ["sms", "sms", "email"], "sent_at": pd.to_datetime(["2024-03-01"] * 3)})
    >>> dnc_audit(sends, customers, dnc)["record"].tolist()
    ['s1']
    """
    table = dnc_status(sends, customers, dnc, warning_days=warning_days)
    bad = table.loc[table["status"] == "breach"]
    detail = (bad["channel"].astype("string") + " sent " + _fmt(pd.to_datetime(bad["sent_at"]))
              + "; number on the register since " + _fmt(pd.to_datetime(bad["registered_at"])) + ", no consent")
    return _findings("uemo_do_not_call", bad["send_id"], bad["customer_id"], detail)


# --------------------------------------------------------------------------- PDPO data handling


def access_request_audit(requests: pd.DataFrame, *, as_of: object = None, limit_days: int = 40) -> pd.DataFrame:
    """PDPO s.19(1): comply with a data access request within 40 (calendar) days of receiving it.

    Open requests are measured to ``as_of`` (default: the latest date in the table).

    Parameters
    ----------
    requests
        ``request_id``, ``received_at``, ``responded_at`` (empty = not yet), optionally ``customer_id``.
    as_of
        Date open requests are measured to.
    limit_days
        The statutory limit, 40 days.

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the request.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> req = pd.DataFrame({"request_id": ["a1", "a2", "a3"], "customer_id": ["c1", "c2", "c3"],
    ...     "received_at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01"]),
    ...     "responded_at": pd.to_datetime(["2024-02-10", "2024-02-11", None])})
    >>> access_request_audit(req, as_of="2024-03-01")["record"].tolist()
    ['a2', 'a3']
    """
    require_columns(requests, ["request_id", "received_at", "responded_at"], "access_requests")
    received = pd.to_datetime(requests["received_at"]).dt.normalize()
    responded = pd.to_datetime(requests["responded_at"]).dt.normalize()
    as_of_ts = pd.concat([received, responded]).max() if as_of in (None, "") else pd.Timestamp(as_of)
    days = (responded.fillna(as_of_ts) - received).dt.days
    late = days > limit_days
    state = np.where(responded[late].isna(), "still open after ", "answered after ")
    detail = "received " + _fmt(received[late]) + "; " + state + days[late].astype("string") + " days"
    customers = requests.loc[late, "customer_id"] if "customer_id" in requests.columns else None
    return _findings("pdpo_access_late", requests.loc[late, "request_id"], customers, detail)


def retention_audit(register: pd.DataFrame, *, as_of: object) -> pd.DataFrame:
    """DPP2(2) and s.26: personal data must not be kept longer than its purpose needs.

    Flags each dataset whose oldest record is older than ``retention_days`` at ``as_of``.

    Parameters
    ----------
    register
        ``dataset``, ``purpose``, ``retention_days``, ``oldest_record_at``.
    as_of
        The date to measure age at.

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the dataset.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> reg = pd.DataFrame({"dataset": ["orders", "leads"], "purpose": ["sales", "prospecting"],
    ...     "retention_days": [2555, 365], "oldest_record_at": pd.to_datetime(["2020-01-01", "2022-06-30"])})
    >>> retention_audit(reg, as_of="2024-01-01")["detail"].tolist()
    ['oldest record 2022-06-30 is 550 days old; retention for prospecting is 365 days']
    """
    require_columns(register, ["dataset", "purpose", "retention_days", "oldest_record_at"], "data_register")
    age = (pd.Timestamp(as_of) - pd.to_datetime(register["oldest_record_at"]).dt.normalize()).dt.days
    over = age > pd.to_numeric(register["retention_days"])
    bad = register.loc[over]
    detail = ("oldest record " + _fmt(pd.to_datetime(bad["oldest_record_at"])) + " is " + age[over].astype("string")
              + " days old; retention for " + bad["purpose"].astype("string") + " is "
              + bad["retention_days"].astype("int64").astype("string") + " days")
    return _findings("pdpo_retention", bad["dataset"], None, detail)


# --------------------------------------------------------------------------- copyright


def asset_audit(assets: pd.DataFrame) -> pd.DataFrame:
    """Copyright Ordinance (Cap. 528) ss.22–23: every asset used must have an owner and a valid licence.

    * ``copyright_unlicensed`` — owner or licence missing (or ``none``/``unknown``);
    * ``copyright_expired`` — used after ``licence_expiry``.

    Parameters
    ----------
    assets
        ``asset_id``, ``owner``, ``licence``, ``licence_expiry``, ``used_at`` (optionally ``asset_type``).

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`; ``record`` is the asset.

    Raises
    ------
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> assets = pd.DataFrame({"asset_id": ["a1", "a2", "a3"], "owner": ["shop", None, "Studio X"],
    ...     "licence": ["own work", "none", "1-year web"],
    ...     "licence_expiry": pd.to_datetime([None, None, "2024-01-31"]),
    ...     "used_at": pd.to_datetime(["2024-03-01"] * 3)})
    >>> asset_audit(assets)[["rule", "record"]].values.tolist()
    [['copyright_unlicensed', 'a2'], ['copyright_expired', 'a3']]
    """
    require_columns(assets, ["asset_id", "owner", "licence", "licence_expiry", "used_at"], "assets")
    owner = assets["owner"].astype("string").str.strip().str.lower()
    licence = assets["licence"].astype("string").str.strip().str.lower()
    unlicensed = owner.isna() | owner.isin(NO_LICENCE) | licence.isna() | licence.isin(NO_LICENCE)
    unlicensed = unlicensed.fillna(True).astype(bool)
    expiry = pd.to_datetime(assets["licence_expiry"])
    used = pd.to_datetime(assets["used_at"])
    expired = ~unlicensed & expiry.notna() & (used.dt.normalize() > expiry)
    kind = assets["asset_type"].astype("string").fillna("asset") if "asset_type" in assets.columns else pd.Series(
        "asset", index=assets.index, dtype="string")
    what = np.where(owner.isna() | owner.isin(NO_LICENCE), "no owner recorded", "no licence recorded")
    return pd.concat([
        _findings("copyright_unlicensed", assets.loc[unlicensed, "asset_id"], None,
                  kind[unlicensed] + " used " + _fmt(used)[unlicensed] + ": "
                  + pd.Series(what, index=assets.index)[unlicensed]),
        _findings("copyright_expired", assets.loc[expired, "asset_id"], None,
                  kind[expired] + " used " + _fmt(used)[expired] + "; licence expired " + _fmt(expiry)[expired]),
    ], ignore_index=True)


# --------------------------------------------------------------------------- PII in tables


def pii_audit(tables: Mapping[str, pd.DataFrame], *, known_names: Iterable[str] = ()) -> pd.DataFrame:
    """Personal data in the free-text columns of several tables, as compliance findings.

    Wraps :func:`helpers.pii.scan_frame`; ``record`` is ``table column 'x' row n``
    and ``detail`` shows only the masked value.

    Parameters
    ----------
    tables
        Tables by name.
    known_names
        Full names to look for in free text.

    Returns
    -------
    pandas.DataFrame
        Findings with the columns of :data:`FINDING_COLUMNS`.

    Examples
    --------
    >>> notes = pd.DataFrame({"note": ["call 9123 4567", "ok"]})
    >>> pii_audit({"leads": notes})[["rule", "record", "detail"]].values.tolist()
    [['pii_phone', "leads column 'note' row 0", 'phone found: ******67']]
    """
    names = list(known_names)
    found = [pii.scan_frame(frame, name=name, known_names=names) for name, frame in tables.items()]
    scanned = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    if scanned.empty:
        return empty_findings()
    out = scanned.assign(customer_id=pd.NA)[list(FINDING_COLUMNS)]
    return out.astype("string").reset_index(drop=True)


# --------------------------------------------------------------------------- the whole shop


#: metrics.json key -> (rules it counts, how): "rows" counts findings, "records" distinct records,
#: "customers" distinct customers, "checked" the population checked by the first rule.
METRIC_RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "sends_checked": (("dm_no_consent",), "checked"),
    "sends_without_valid_consent": (("dm_no_consent", "dm_oral_unconfirmed", "dm_outside_scope"), "records"),
    "sends_no_consent": (("dm_no_consent",), "rows"),
    "sends_oral_consent_unconfirmed": (("dm_oral_unconfirmed",), "rows"),
    "sends_outside_consent_scope": (("dm_outside_scope",), "rows"),
    "sends_after_opt_out": (("dm_after_opt_out",), "rows"),
    "customers_affected_part_6a": (("dm_no_consent", "dm_oral_unconfirmed", "dm_outside_scope",
                                    "dm_after_opt_out"), "customers"),
    "third_party_consents_not_written": (("dm_third_party_not_written",), "rows"),
    "leads_checked": (("lead_unlawful_source",), "checked"),
    "leads_unlawful_source": (("lead_unlawful_source",), "rows"),
    "leads_without_consent": (("lead_no_consent",), "rows"),
    "leads_not_contactable": (("lead_unlawful_source", "lead_no_consent"), "records"),
    "unsubscribe_requests": (("uemo_unsubscribe_late",), "checked"),
    "unsubscribe_late": (("uemo_unsubscribe_late",), "rows"),
    "sends_after_unsubscribe": (("uemo_sent_after_unsubscribe",), "rows"),
    "messages_checked": (("uemo_sender_info",), "checked"),
    "messages_missing_sender_info": (("uemo_sender_info",), "rows"),
    "messages_missing_bilingual_unsubscribe": (("uemo_bilingual_unsubscribe",), "rows"),
    "messages_misleading_subject": (("uemo_misleading_subject",), "rows"),
    "sends_to_do_not_call_numbers": (("uemo_do_not_call",), "rows"),
    "access_requests_late": (("pdpo_access_late",), "rows"),
    "datasets_over_retention": (("pdpo_retention",), "rows"),
    "pii_findings": (("pii_email", "pii_phone", "pii_hkid", "pii_name"), "rows"),
    "unlicensed_assets": (("copyright_unlicensed",), "rows"),
    "expired_asset_licences": (("copyright_expired",), "rows"),
}


@dataclass
class ComplianceReport:
    """Everything :func:`audit_shop` found.

    Attributes
    ----------
    findings
        All findings (:data:`FINDING_COLUMNS`), sorted by rule and record; free of raw personal data.
    checked
        Rule → how many records it examined (only rules that ran).
    skipped
        Rule → why it could not run (a table is missing).
    unsubscribe
        :func:`unsubscribe_timeliness` of the unsubscribe requests (empty when there are none).
    do_not_call
        :func:`dnc_status` of phone-channel sends to listed numbers (empty when not checked).
    as_of
        The date open requests and retention were measured at.
    """

    findings: pd.DataFrame
    checked: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    unsubscribe: pd.DataFrame = field(default_factory=pd.DataFrame)
    do_not_call: pd.DataFrame = field(default_factory=pd.DataFrame)
    as_of: pd.Timestamp | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """The one-page pass/fail summary (:func:`compliance_summary`)."""
        return compliance_summary(self.findings, self.checked, self.skipped)

    def section(self, *prefixes: str) -> pd.DataFrame:
        """Summary rows of the rules whose id starts with any of ``prefixes`` (e.g. ``"dm_"``)."""
        summary = self.summary
        return summary.loc[summary["rule"].str.startswith(prefixes)].reset_index(drop=True)

    def findings_for(self, *prefixes: str) -> pd.DataFrame:
        """Findings of the rules whose id starts with any of ``prefixes``."""
        return self.findings.loc[self.findings["rule"].str.startswith(prefixes)].reset_index(drop=True)

    def skipped_note(self, *prefixes: str) -> str:
        """A plain sentence on the checks of these rules that could not run ("" when all ran)."""
        skipped = {r: why for r, why in self.skipped.items() if r.startswith(prefixes)}
        if not skipped:
            return ""
        reasons = sorted(set(skipped.values()))
        return (f"**Skipped:** {len(skipped)} check(s) ({', '.join(sorted(skipped))}) could not run on this data: "
                + "; ".join(reasons) + ".")

    def metrics(self) -> dict[str, int | None]:
        """Plain counts for ``metrics.json``; ``None`` where the check was skipped (no timestamps, no personal data).

        Examples
        --------
        >>> report = ComplianceReport(_findings("dm_after_opt_out", ["s1"], ["c1"], ["x"]),
        ...                           checked={r: 4 for r in ["dm_no_consent", "dm_oral_unconfirmed",
        ...                                                   "dm_outside_scope", "dm_after_opt_out"]},
        ...                           skipped={"uemo_unsubscribe_late": "needs the unsubscribe_requests tables"})
        >>> m = report.metrics()
        >>> m["sends_checked"], m["sends_after_opt_out"], m["unsubscribe_late"]
        (4, 1, None)
        """
        out: dict[str, int | None] = {}
        for key, (rules, how) in METRIC_RULES.items():
            if not any(rule in self.checked for rule in rules):
                out[key] = None
                continue
            rows = self.findings.loc[self.findings["rule"].isin(rules)]
            if how == "checked":
                out[key] = int(self.checked.get(rules[0], 0))
            elif how == "records":
                out[key] = int(rows["record"].nunique())
            elif how == "customers":
                out[key] = int(rows["customer_id"].dropna().nunique())
            else:
                out[key] = len(rows)
        summary = self.summary
        out["rules_failed"] = int((summary["status"] == "fail").sum())
        out["rules_passed"] = int((summary["status"] == "pass").sum())
        out["rules_skipped"] = int((summary["status"] == "skipped").sum())
        return out


def affected_customers(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per (pseudonymised) customer named in findings: how many findings, under which rules.

    Parameters
    ----------
    findings
        Findings of any checks.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``findings``, ``rules``; most findings first.

    Examples
    --------
    >>> f = pd.concat([_findings("dm_after_opt_out", ["s1", "s2"], ["c1", "c1"], ["x", "y"]),
    ...                _findings("dm_no_consent", ["s3"], ["c2"], ["z"])])
    >>> affected_customers(f).values.tolist()
    [['c1', 2, 'dm_after_opt_out'], ['c2', 1, 'dm_no_consent']]
    """
    rows = findings.dropna(subset=["customer_id"])
    if rows.empty:
        return pd.DataFrame({"customer_id": pd.Series([], dtype="string"), "findings": pd.Series([], dtype="int64"),
                             "rules": pd.Series([], dtype="string")})
    grouped = rows.groupby("customer_id", sort=True)
    out = pd.DataFrame({
        "findings": grouped.size(),
        "rules": grouped["rule"].agg(lambda r: ", ".join(sorted(set(r)))),  # per customer, not per transaction
    }).reset_index()
    return out.sort_values(["findings", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def compliance_summary(
    findings: pd.DataFrame, checked: Mapping[str, int], skipped: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The one-page summary: one row per rule with what was checked, findings and pass/fail.

    A rule passes when it was run and found nothing; a rule that could not be
    run (its table is missing) is ``skipped`` with the reason, never ``pass``.

    Parameters
    ----------
    findings
        All findings.
    checked
        Rule → how many records it examined (rules that ran).
    skipped
        Rule → why it could not run.

    Returns
    -------
    pandas.DataFrame
        ``rule``, ``check``, ``legal_basis``, ``checked``, ``checked_what``, ``findings``, ``status``, ``note``;
        failures first.

    Examples
    --------
    >>> f = _findings("dm_after_opt_out", ["s2"], ["c1"], ["opted out"])
    >>> s = compliance_summary(f, {"dm_after_opt_out": 3, "uemo_sender_info": 2}, {"copyright_expired": "no assets table"})
    >>> s.set_index("rule").loc[["dm_after_opt_out", "uemo_sender_info", "copyright_expired"], ["findings", "status"]].values.tolist()
    [[1, 'fail'], [0, 'pass'], [0, 'skipped']]
    """
    skipped = dict(skipped or {})
    counts = findings["rule"].value_counts() if len(findings) else pd.Series(dtype="int64")
    rows = []
    for rule, spec in RULES.items():  # one row per rule of the registry, not per record
        n = int(counts.get(rule, 0))
        ran = rule in checked
        rows.append({
            "rule": rule, "check": spec.title, "legal_basis": spec.legal_basis,
            "checked": int(checked.get(rule, 0)) if ran else 0, "checked_what": spec.population,
            "findings": n,
            "status": "fail" if n else ("pass" if ran else "skipped"),
            "note": skipped.get(rule, "" if ran else "not run"),
        })
    table = pd.DataFrame(rows)
    order = table["status"].map({"fail": 0, "pass": 1, "skipped": 2})
    return table.assign(_o=order).sort_values(["_o", "findings"], ascending=[True, False], kind="stable").drop(
        columns="_o").reset_index(drop=True)


_NEEDS: dict[str, tuple[str, ...]] = {
    "dm_no_consent": ("campaign_sends", "customers"),
    "dm_oral_unconfirmed": ("campaign_sends", "customers"),
    "dm_outside_scope": ("campaign_sends", "customers"),
    "dm_after_opt_out": ("campaign_sends", "customers"),
    "dm_third_party_not_written": ("customers",),
    "lead_unlawful_source": ("leads",),
    "lead_no_consent": ("leads",),
    "uemo_unsubscribe_late": ("unsubscribe_requests",),
    "uemo_sent_after_unsubscribe": ("campaign_sends", "unsubscribe_requests"),
    "uemo_sender_info": ("messages",),
    "uemo_bilingual_unsubscribe": ("messages",),
    "uemo_misleading_subject": ("messages",),
    "uemo_do_not_call": ("campaign_sends", "customers", "dnc_register"),
    "pdpo_access_late": ("access_requests",),
    "pdpo_retention": ("data_register",),
    "copyright_unlicensed": ("assets",),
    "copyright_expired": ("assets",),
}


def default_as_of(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The day after the last recorded activity: the latest order, send, request or response.

    Licence expiry dates lie in the future and are not activity, so they are left out.
    ``None`` when the tables hold no dates at all.

    Parameters
    ----------
    tables
        Tables by name.

    Returns
    -------
    pandas.Timestamp or None

    Examples
    --------
    >>> default_as_of({"t": pd.DataFrame({"order_date": pd.to_datetime(["2024-01-30"]),
    ...                                   "licence_expiry": pd.to_datetime(["2030-01-01"])})}).date()
    datetime.date(2024, 1, 31)
    """
    dates = [frame[c].max() for frame in tables.values() for c in frame.columns
             if pd.api.types.is_datetime64_any_dtype(frame[c]) and "expiry" not in str(c)]
    dates = [d for d in dates if pd.notna(d)]
    return max(dates).normalize() + pd.Timedelta(days=1) if dates else None


def audit_shop(
    tables: Mapping[str, pd.DataFrame],
    *,
    warning_days: Iterable[object] = (),
    as_of: object = None,
    known_names: Iterable[str] = (),
) -> ComplianceReport:
    """Run every check the available tables allow; say which were skipped and why.

    Parameters
    ----------
    tables
        Shop tables by name (as :func:`helpers.data.load_shop` returns them). Any may
        be missing — e.g. only ``transactions`` for a single transactions file — and
        the checks that need them are skipped. ``customers`` must carry ``phone``
        (raw or pseudonymised) for the do-not-call check.
    warning_days
        Gale / black-rainstorm warning days (not working days).
    as_of
        Date for open requests and retention; default the latest date found.
    known_names
        Customer names to look for in free text (PII scan).

    Examples
    --------
    >>> report = audit_shop({"transactions": pd.DataFrame({"product_name": ["Mug", "ring 9123 4567"]})})
    >>> report.metrics()["pii_findings"], report.skipped["dm_no_consent"]
    (1, 'needs the campaign_sends, customers tables')
    """
    warning_days = list(warning_days)
    checked: dict[str, int] = {}
    skipped: dict[str, str] = {}
    for rule, needs in _NEEDS.items():
        missing = [t for t in needs if t not in tables]
        if missing:
            skipped[rule] = f"needs the {', '.join(needs)} tables"
    if as_of in (None, ""):
        as_of = default_as_of(tables)
    parts = [empty_findings()]
    do_not_call = pd.DataFrame({"send_id": pd.Series([], dtype="string"), "status": pd.Series([], dtype="string")})

    def ran(rules: Sequence[str], population: int) -> None:
        for rule in rules:
            checked[rule] = int(population)

    if "campaign_sends" in tables and "customers" in tables:
        sends, customers = tables["campaign_sends"], tables["customers"]
        parts.append(consent_audit(sends, customers))
        ran(["dm_no_consent", "dm_oral_unconfirmed", "dm_outside_scope", "dm_after_opt_out"], len(_sent(sends)))
        if "dnc_register" in tables and "phone" in customers.columns:
            do_not_call = dnc_status(sends, customers, tables["dnc_register"], warning_days=warning_days)
            parts.append(dnc_audit(sends, customers, tables["dnc_register"], warning_days=warning_days))
            phone_sends = _sent(sends)["channel"].astype("string").str.lower().isin(PHONE_CHANNELS).sum()
            ran(["uemo_do_not_call"], int(phone_sends))
        elif "dnc_register" in tables:
            skipped["uemo_do_not_call"] = "customers table has no phone column (load it with pii='pseudonymise')"
    if "customers" in tables:
        parts.append(third_party_audit(tables["customers"]))
        ran(["dm_third_party_not_written"], int(_flag(tables["customers"]["third_party_consent"]).sum()))
    timeliness = pd.DataFrame({"request_id": pd.Series([], dtype="string"),
                               "working_days": pd.Series([], dtype="Int64"), "late": pd.Series([], dtype=bool)})
    if "unsubscribe_requests" in tables:
        requests = tables["unsubscribe_requests"]
        timeliness = unsubscribe_timeliness(requests, warning_days=warning_days, as_of=as_of)
        parts.append(unsubscribe_audit(requests, warning_days=warning_days, as_of=as_of))
        ran(["uemo_unsubscribe_late"], len(requests))
        if "campaign_sends" in tables:
            parts.append(sends_after_unsubscribe(tables["campaign_sends"], requests, warning_days=warning_days))
            ran(["uemo_sent_after_unsubscribe"], len(_sent(tables["campaign_sends"])))
    if "messages" in tables:
        messages = tables["messages"]
        parts.append(message_audit(messages))
        ran(["uemo_sender_info", "uemo_bilingual_unsubscribe"], len(messages))
        ran(["uemo_misleading_subject"], int(_is_email(messages["channel"]).sum()))
    if "leads" in tables:
        parts.append(lead_audit(tables["leads"]))
        ran(["lead_unlawful_source", "lead_no_consent"], len(tables["leads"]))
    if "access_requests" in tables:
        parts.append(access_request_audit(tables["access_requests"], as_of=as_of))
        ran(["pdpo_access_late"], len(tables["access_requests"]))
    if "data_register" in tables:
        parts.append(retention_audit(tables["data_register"], as_of=as_of))
        ran(["pdpo_retention"], len(tables["data_register"]))
    if "assets" in tables:
        parts.append(asset_audit(tables["assets"]))
        ran(["copyright_unlicensed", "copyright_expired"], len(tables["assets"]))
    # The do-not-call register is a list of numbers by definition; it is not scanned.
    scan = {name: frame for name, frame in tables.items() if name != "dnc_register"}
    parts.append(pii_audit(scan, known_names=known_names))
    text_cells = sum(int(frame.select_dtypes(include=["object", "string"]).notna().sum().sum()) for frame in scan.values())
    ran(["pii_email", "pii_phone", "pii_hkid", "pii_name"], text_cells)
    findings = pd.concat(parts, ignore_index=True).astype("string")
    # Details quote subjects and register entries: make sure no personal data rides along.
    findings["detail"] = pii.redact_text(findings["detail"])
    findings = findings.sort_values(["rule", "record"], kind="stable").reset_index(drop=True)
    return ComplianceReport(findings=findings, checked=checked, skipped=skipped, unsubscribe=timeliness, do_not_call=do_not_call,
                            as_of=None if as_of is None else pd.Timestamp(as_of))


# --------------------------------------------------------------------------- charts


def plot_summary(summary: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars of findings per rule, failing rules in red, passing rules marked; returns the Axes.

    Skipped rules are left out (the summary table lists them with the reason).

    Parameters
    ----------
    summary
        :func:`compliance_summary` (or a subset of its rows).
    ax
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> s = compliance_summary(_findings("dm_after_opt_out", ["s1"], ["c1"], ["x"]), {"dm_after_opt_out": 5})
    >>> plot_summary(s).get_xlabel()
    'findings (records breaching the rule)'
    """
    import matplotlib.pyplot as plt

    from helpers.plots import STATUS_COLOURS, finish

    shown = summary.loc[summary["status"] != "skipped"].reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.32 * max(len(shown), 3) + 1))
    colours = [STATUS_COLOURS["bad"] if s == "fail" else STATUS_COLOURS["good"] for s in shown["status"]]
    labels = shown["legal_basis"].str.replace(r"^(\w+) Cap\. \d+A? ", r"\1 ", regex=True) + " — " + shown["rule"]
    ax.barh(range(len(shown)), shown["findings"], color=colours)
    ax.set_yticks(range(len(shown)), labels.tolist())
    ax.invert_yaxis()
    for position, (count, status) in enumerate(zip(shown["findings"], shown["status"])):
        ax.annotate(f" {count:,}" if status == "fail" else " 0 — pass", (count, position), va="center",
                    color=STATUS_COLOURS["bad" if status == "fail" else "good"])
    ax.set_xlim(0, max(1, int(shown["findings"].max()) if len(shown) else 1) * 1.15)
    failing = int((shown["status"] == "fail").sum())
    return finish(ax, title=f"{failing} of {len(shown)} checks found breaches",
                  xlabel="findings (records breaching the rule)", ylabel="")


def plot_unsubscribe_days(
    timeliness: pd.DataFrame, *, limit_days: int = 10, cap_days: int = 30, ax: Axes | None = None
) -> Axes:
    """Stacked histogram of working days per unsubscribe request (processed / still open), with the limit.

    Requests that took (or have been open for) ``cap_days`` or more share the last bar, so one
    forgotten request does not squash the chart. Returns the Axes.

    Parameters
    ----------
    timeliness
        :func:`unsubscribe_timeliness`.
    limit_days
        The statutory limit drawn as a line.
    cap_days
        Longer waits share the last bar.
    ax
        Axes to draw on; a new figure by default.

    Examples
    --------
    >>> t = pd.DataFrame({"working_days": pd.array([1, 3, 120], dtype="Int64"), "late": [False, False, True],
    ...                   "open": [False, False, True]})
    >>> ax = plot_unsubscribe_days(t)
    >>> ax.get_xlabel(), ax.get_xticklabels()[-1].get_text()
    ('working days from request to processing (open: to the report date)', '30+')
    """
    import matplotlib.pyplot as plt

    from helpers.plots import PALETTE, STATUS_COLOURS, finish

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    known = timeliness.dropna(subset=["working_days"])
    days = known["working_days"].astype(int).clip(upper=cap_days)
    still_open = known["open"].astype(bool) if "open" in known.columns else pd.Series(False, index=known.index)
    bins = np.arange(0, cap_days + 2) - 0.5
    ax.hist([days[~still_open], days[still_open]], bins=bins, stacked=True, color=[PALETTE[0], PALETTE[1]],
            label=["processed", "still open"])
    ax.axvline(limit_days + 0.5, color=STATUS_COLOURS["bad"], linestyle="--")
    ax.annotate(f" UEMO s.10 limit: {limit_days} working days", (limit_days + 0.5, 0.92),
                xycoords=("data", "axes fraction"), color=STATUS_COLOURS["bad"])
    ticks = list(range(0, cap_days + 1, 5))
    ax.set_xticks(ticks, [str(t) for t in ticks[:-1]] + [f"{cap_days}+"])
    ax.legend(loc="center right", frameon=False)
    late = int(timeliness["late"].sum())
    return finish(ax, title=f"{late} of {len(timeliness)} unsubscribe requests took longer than {limit_days} working days",
                  xlabel="working days from request to processing (open: to the report date)", ylabel="requests")
