"""Mistake tests of helpers/exercises/compliance.py: typical mistakes fail with their own message, and no
message gives the answer away (solutions and placeholders: tests/test_exercises_selftest.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import compliance, pii
from helpers.exercises import questions
from helpers.exercises import compliance as ex

from exercise_checks import fails_with

QUESTIONS = questions("compliance")


def test_at_least_six_questions_each_tagged_with_a_known_requirement():
    assert len(QUESTIONS) >= 6
    assert {q.requirement for q in QUESTIONS} >= {"105090L2.1.6", "105090L2.3.1", "105090L2.3.2", "105090L2.3.3"}


def test_q1_working_days_mistakes():
    # Thu 8 Feb -> Tue 27 Feb 2024: 19 calendar days; weekdays after 8 Feb up to 27 Feb = 13
    # (9, 12-16, 19-23, 26, 27); less LNY holidays Mon 12, Tue 13 = 11 working days.
    assert ex.q1.expected_answer() == 11
    fails_with(ex.q1, 19, "calendar days")
    fails_with(ex.q1, 13, "Lunar New Year")
    message = fails_with(ex.q1, 12, "day the request arrived")
    assert "11" not in message


def test_q2_late_unsubscribes_mistakes():
    requests = ex.EXERCISE.data("requests")
    table = compliance.unsubscribe_timeliness(requests)
    processed_only = int((table["late"] & ~table["open"]).sum())
    expected = ex.q2.expected_answer()
    assert expected == int(table["late"].sum()) and expected > processed_only  # some requests were never processed
    message = fails_with(ex.q2, processed_only, "never processed")
    assert str(expected) not in message.replace(str(processed_only), "")
    calendar = (pd.to_datetime(requests["processed_at"]) - pd.to_datetime(requests["received_at"])).dt.days
    over_10_calendar = int((calendar > 10).sum())
    if over_10_calendar != expected:
        fails_with(ex.q2, over_10_calendar, "working")


def test_q3_consent_decision_mistakes():
    assert ex.q3.expected_answer() == "oral consent not confirmed"   # 1 Mar -> 20 Mar = 19 days > 14
    fails_with(ex.q3, "send", "consent itself valid")
    fails_with(ex.q3, "product class not covered", "beauty and health")
    assert ex.q3.grade({ex.q3.var: "ORAL consent  not confirmed"}).status == "correct"


def test_q4_uemo_breaches_mistakes():
    messages = ex.EXERCISE.data("messages")
    no_sender = sorted(messages.loc[~messages["sender_info"], "message_id"])
    no_bilingual = sorted(messages.loc[~(messages["unsubscribe_en"] & messages["unsubscribe_zh"]), "message_id"])
    assert sorted(ex.q4.expected_answer()) == sorted(set(no_sender) | set(no_bilingual))
    message = fails_with(ex.q4, no_sender, "unsubscribe statements")
    assert not any(m in message for m in no_bilingual)
    fails_with(ex.q4, no_bilingual, "sender information")


def test_q5_redaction_mistakes():
    notes = ex.service_notes()
    only_email = pii.redact_text(notes, kinds=["email"])
    message = fails_with(ex.q5, only_email, "still contain personal data")
    assert "hkid" in message and "phone" in message
    assert "call back on [PHONE]" not in message  # the expected text is never shown
    fails_with(ex.q5, pii.redact_text(notes).iloc[:3], "")  # dropped rows fail too


def test_q6_assets_mistakes():
    assets = ex.EXERCISE.data("assets")
    none = sorted(assets.loc[assets["licence"] == "none", "asset_id"])
    labelled = sorted(set(none) | set(assets.loc[assets["licence"] == "expired", "asset_id"]))
    expected = ex.q6.expected_answer()
    assert set(labelled) < set(expected)  # some lapsed licences are still labelled 'licensed'
    fails_with(ex.q6, none, "used after they expired")
    message = fails_with(ex.q6, labelled, "licence_expiry")
    assert not any(a in message for a in expected)


def test_scenario_questions_and_their_mistakes():
    assert (ex.q7.expected_answer(), ex.q8.expected_answer(), ex.q9.expected_answer()) == (
        "bribery", "computer crime", "yes")
    fails_with(ex.q7, "electronic transactions", "who offers it")
    fails_with(ex.q8, "copyright", "getting into the system")
    fails_with(ex.q9, "no", "signature")
    fails_with(ex.q9, False, "signature")


def test_exercise_notebook_imports_every_question_and_has_no_solutions():
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parent.parent / "exercises" / "04_legal_compliance.ipynb").read_text())
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert 'bind(globals(), exercise="compliance", version="1.0.0")' in source
    for q in QUESTIONS:
        assert f"{q.name}.check()" in source and f"# {q.name}.hint()" in source
        assert q.master_solution.code.splitlines()[-1] not in source  # solutions live in the module only
    assert np.all([c.get("execution_count") is None for c in nb["cells"] if c["cell_type"] == "code"])


def test_q10_contactable_leads_mistakes():
    leads = ex.EXERCISE.data("leads")
    lawful, consent = leads["lawful_source"].astype(bool), leads["consent_recorded"].astype(bool)
    assert ex.q10.expected_answer() == int((lawful & consent).sum())
    fails_with(ex.q10, int(consent.sum()), "lawful source")
    fails_with(ex.q10, int(lawful.sum()), "consent to direct marketing")
    message = fails_with(ex.q10, int((~(lawful & consent)).sum()), "may NOT contact")
    assert str(ex.q10.expected_answer()) not in message.replace(str(int((~(lawful & consent)).sum())), "")
