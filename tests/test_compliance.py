"""Hand-worked checks of helpers.compliance and helpers.pii (Hong Kong law as executable checks).

Every expected value is worked out in the comment next to it, from the calendar
or the statute, not copied from the code's output.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from helpers import compliance as c
from helpers import pii

D = pd.to_datetime


# --------------------------------------------------------------------------- working days


def test_good_friday_and_easter_monday_are_general_holidays():
    # holidays.HK keeps them in the "optional" category only; both categories are needed.
    days = c.hk_general_holidays([2025])
    for day in ["2025-04-18", "2025-04-19", "2025-04-21", "2025-01-29", "2025-01-30", "2025-01-31"]:
        assert np.datetime64(day) in days, day


def test_working_days_across_lunar_new_year_2025():
    # Received Tue 28 Jan 2025 (LNY Eve, a normal working day). Wed 29, Thu 30, Fri 31 Jan = LNY holidays;
    # Sat 1 / Sun 2 Feb weekend. Working days after 28 Jan up to Fri 7 Feb: Mon 3, Tue 4, Wed 5, Thu 6, Fri 7 = 5.
    assert c.working_days_between("2025-01-28", "2025-02-07") == 5
    # Same-day processing: 0 working days.
    assert c.working_days_between("2025-01-28", "2025-01-28") == 0


def test_working_days_across_easter_2025_and_a_warning_day():
    # Received Thu 17 Apr 2025. Fri 18 Good Friday, Sat 19 day after, Sun 20, Mon 21 Easter Monday.
    # Up to Fri 25 Apr: Tue 22, Wed 23, Thu 24, Fri 25 = 4 working days.
    assert c.working_days_between("2025-04-17", "2025-04-25") == 4
    # A black-rainstorm warning on Wed 23 Apr removes one more: 3.
    assert c.working_days_between("2025-04-17", "2025-04-25", warning_days=["2025-04-23"]) == 3


def test_working_days_vectorised_with_missing_dates_and_index_kept():
    start = pd.Series(D(["2024-02-08", "2024-02-08", None]), index=[10, 11, 12])
    end = pd.Series(D(["2024-02-19", "2024-02-09", "2024-02-09"]), index=[10, 11, 12])
    out = c.working_days_between(start, end)
    # 8 Feb 2024 -> 19 Feb: Fri 9, Wed 14, Thu 15, Fri 16, Mon 19 (10 Sat LNY, 12-13 holidays) = 5; -> 9 Feb = 1.
    assert out.index.tolist() == [10, 11, 12]
    assert out.iloc[:2].tolist() == [5, 1]
    assert pd.isna(out.iloc[2])


def test_deadline_rolls_back_a_start_on_a_holiday():
    # Request on Sat 10 Feb 2024 (LNY day 1). Working days after it: Wed 14, Thu 15, Fri 16, Mon 19 ... the 3rd is Fri 16.
    assert c.working_day_deadline("2024-02-10", 3) == pd.Timestamp("2024-02-16")
    # Request on a working day, Thu 8 Feb: Fri 9 is the 1st working day after it.
    assert c.working_day_deadline("2024-02-08", 1) == pd.Timestamp("2024-02-09")


# --------------------------------------------------------------------------- HKID


@pytest.mark.parametrize("hkid", [
    "A123456(3)",   # 36*9 + 10*8 + (1*7+2*6+3*5+4*4+5*3+6*2 = 77) = 481; 481 + 3 = 484 = 44*11
    "AB123456(9)",  # 10*9 + 11*8 + 77 = 255; 255 + 9 = 264 = 24*11
    "D288754(2)",   # published sample: 324 + 13*8 + (2*7+8*6+8*5+7*4+5*3+4*2 = 153) = 581; +2 = 583 = 53*11
    "P131609(9)",   # 324 + 25*8 + (7+18+5+24+0+18 = 72) = 596; +9 = 605 = 55*11
    "G123456(A)",   # 324 + 16*8 + 77 = 529; 529 + 10 = 539 = 49*11 (check "A" = 10)
    "g 123456 (a)", # case and spaces do not matter
])
def test_valid_hkids(hkid):
    assert pii.hkid_is_valid(hkid) is True


@pytest.mark.parametrize("hkid", ["A123456(4)", "AB123456(8)", "D288754(3)", "G123456(0)", "A12345(3)", "1234567(3)", ""])
def test_invalid_hkids(hkid):
    assert pii.hkid_is_valid(hkid) is False


def test_hkid_check_digit_matches_worked_examples():
    assert pii.hkid_check_digit("A123456") == "3"
    assert pii.hkid_check_digit("AB123456") == "9"
    assert pii.hkid_check_digit("G123456") == "A"
    with pytest.raises(ValueError):
        pii.hkid_check_digit("123456")


# --------------------------------------------------------------------------- PII finding and redaction


def test_find_pii_kinds_and_masks_without_raw_values():
    texts = pd.Series([
        "mail chan.tm@example.com",        # email
        "call +852 9123 4567 today",       # mobile with country code
        "office 2345-6789",                # fixed line with hyphen
        "ID A123456(3) on file",           # valid HKID
        "ID A123456(4) typo",              # invalid check digit: not reported
        "Dear Ms Wong,",                   # honorific + capitalised word
    ])
    found = pii.find_pii(texts)
    assert found[["row", "kind"]].values.tolist() == [
        [0, "email"], [1, "phone"], [2, "phone"], [3, "hkid"], [5, "name"]]
    assert found["masked"].tolist() == ["c***@***.com", "******67", "******89", "A******(*)", "M*** W***"]
    raw = ["chan.tm@example.com", "9123 4567", "2345-6789", "A123456(3)", "Wong"]
    assert not any(r in m for r in raw for m in found["masked"])


@pytest.mark.parametrize("text", [
    "12345678",            # starts with 1: not an HK number
    "40001234",            # starts with 4
    "81234567",            # starts with 8
    "912345678",           # nine digits
    "order 20240115",      # a YYYYMMDD date
    "revenue 53120000.5",  # part of a decimal number
    "ORD-23456789",        # part of a code
    "Gold Member tier",    # capitalised words without honorific
    '<div id="cell-id=22770051">',  # nbconvert's HTML id of a notebook cell
    '"id": "93456712",',   # a notebook cell id in .ipynb JSON
])
def test_find_pii_ignores_lookalikes(text):
    assert pii.find_pii(pd.Series([text])).empty


def test_known_names_are_found_as_whole_words_only():
    texts = pd.Series(["note from Chan Tai Man", "Chan Tai Manning", "chan"])
    found = pii.find_pii(texts, known_names=["Chan Tai Man", "Li"])  # "Li" too short to search for
    assert found["row"].tolist() == [0]


def test_redact_text_replaces_every_kind():
    texts = pd.Series(["Mr Lee 6123 4567 lee@x.hk A123456(3)", "order 20240115"])
    assert pii.redact_text(texts).tolist() == ["[NAME] [PHONE] [EMAIL] [HKID]", "order 20240115"]


def test_scan_frame_flags_known_columns_and_free_text():
    frame = pd.DataFrame({"full_name": ["A B", None], "note": ["ok", "email me: x@y.com"], "n": [1, 2]})
    found = pii.scan_frame(frame, name="crm")
    assert found[["rule", "where", "masked"]].values.tolist() == [
        ["pii_name", "column 'full_name'", "1 values"], ["pii_email", "column 'note' row 1", "x***@***.com"]]


def test_scan_paths_reads_html_csv_gz_json_ipynb_and_skips_scripts_and_images(tmp_path):
    (tmp_path / "r.html").write_text(
        "<html><script>contact='dev@example.com'</script>\n<p>fine</p>\n<p>ring 9876 5432</p>\n"
        '<img src="data:image/png;base64,AAAA/23456789/BBBB">\n</html>')
    with gzip.open(tmp_path / "t.csv.gz", "wt") as handle:
        handle.write("id,note\ncus_1,ok\ncus_2,HKID AB123456(9)\n")
    (tmp_path / "m.json").write_text(json.dumps({"pii_findings": 0, "note": "no pii here"}))
    nb = {"cells": [{"cell_type": "code", "source": "x = 1", "outputs": [
        {"output_type": "display_data", "data": {"image/png": "iVBOR/23456789/", "text/plain": "Ms Chan"}}]}]}
    (tmp_path / "n.ipynb").write_text(json.dumps(nb))
    (tmp_path / "image.png").write_bytes(b"\x89PNG 9123 4567")  # not a text output: ignored
    found = pii.scan_paths(tmp_path)
    got = sorted(zip(found["file"].str.rsplit("/", n=1).str[-1], found["where"], found["kind"]))
    assert got == [("n.ipynb", "cell 1 output", "name"), ("r.html", "line 3", "phone"), ("t.csv.gz", "line 3", "hkid")]
    assert set(pii.PII_FINDING_COLUMNS) == set(found.columns)


def test_scan_paths_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        pii.scan_paths(tmp_path / "nope")


# --------------------------------------------------------------------------- PDPO Part 6A


def customers_fixture() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5"],
        "dm_consent": [True, False, True, True, True],
        "consent_date": D(["2024-01-01", None, "2024-01-01", "2024-03-01", "2024-01-01"]),
        "consent_channel": ["online_form", None, "phone", "online_form", "phone"],
        # c3: oral, confirmed on day 20 (late); c5: oral, confirmed on day 10 (in time)
        "consent_confirmed_date": D([None, None, "2024-01-21", None, "2024-01-11"]),
        "consent_data_kinds": ["name;email", None, "email", "email", "email|phone"],
        "consent_product_classes": ["beauty; home", None, "beauty", "beauty", "beauty"],
        "opt_out_date": D([None, None, None, None, "2024-02-15"]),
        "third_party_consent": [True, False, True, False, True],
        "third_party_consent_channel": ["online_form", None, "phone", None, "written"],
    })


def sends_fixture() -> pd.DataFrame:
    return pd.DataFrame({
        "send_id": ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"],
        "customer_id": ["c1", "c1", "c2", "c3", "c4", "c5", "c5", "c2"],
        "group": ["treatment"] * 7 + ["control"],
        "sent_at": D(["2024-02-01", "2024-02-01", "2024-02-01", "2024-02-01", "2024-02-01",
                      "2024-02-01", "2024-02-20", "2024-02-01"]),
        "data_kind": ["email", "phone", "email", "email", "email", "phone", "email", "email"],
        "product_class": ["home", "beauty", "beauty", "beauty", "beauty", "beauty", "beauty", "beauty"],
        "channel": ["email", "sms", "email", "email", "email", "sms", "email", "email"],
    })


def test_consent_covers_scope_matching():
    consented = pd.Series(["name; Email", "email", None, "all", "beauty|home"])
    used = pd.Series(["EMAIL", "phone", "email", "sms", "home"])
    # s1 email in list (case-insensitive); phone not in "email"; no consent; "all" covers; home in list
    assert c.consent_covers(consented, used).tolist() == [True, False, False, True, True]


def test_consent_audit_each_rule():
    customers, sends = customers_fixture(), sends_fixture()
    found = c.consent_audit(sends, customers)
    by_rule = found.groupby("rule")["record"].apply(sorted).to_dict()
    assert by_rule == {
        "dm_no_consent": ["s3", "s5"],       # c2 never consented; c4 consented 1 Mar, after the 1 Feb send
        "dm_oral_unconfirmed": ["s4"],       # c3 oral 1 Jan, confirmed 21 Jan = 20 days > 14
        "dm_outside_scope": ["s2"],          # c1 agreed to name/email, s2 used phone
        "dm_after_opt_out": ["s7"],          # c5 opted out 15 Feb, sent 20 Feb
    }
    # s1 (email for home, covered), s6 (c5 oral confirmed in 10 days, phone covered) pass; s8 is a control row.
    assert set(found["customer_id"]) == {"c1", "c2", "c3", "c4", "c5"}
    assert list(found.columns) == list(c.FINDING_COLUMNS)
    assert (found.loc[found["rule"] == "dm_after_opt_out", "legal_basis"] == "PDPO Cap. 486 s.35G").all()


def test_consent_audit_clean_data_has_no_findings_and_inputs_unchanged():
    customers = customers_fixture().iloc[[0]]
    sends = sends_fixture().iloc[[0]]
    before = (customers.copy(), sends.copy())
    assert c.consent_audit(sends, customers).empty
    pd.testing.assert_frame_equal(customers, before[0])
    pd.testing.assert_frame_equal(sends, before[1])


def test_consent_audit_names_missing_column():
    with pytest.raises(ValueError, match="opt_out_date"):
        c.consent_audit(sends_fixture(), customers_fixture().drop(columns="opt_out_date"))


def test_third_party_consent_must_be_written():
    customers = customers_fixture()
    # c1 online_form (written), c3 phone (oral) -> flagged, c5 written; c2, c4 gave none.
    assert c.third_party_audit(customers)["customer_id"].tolist() == ["c3"]
    provisions = pd.DataFrame({"customer_id": ["c1", "c4"], "provided_at": D(["2024-02-01", "2024-02-01"])})
    # c4 has no third-party consent at all -> provision is a breach; c1 is fine.
    found = c.third_party_audit(customers, provisions)
    assert found["customer_id"].tolist() == ["c4"]
    assert found["legal_basis"].iloc[0] == "PDPO Cap. 486 ss.35J, 35K"


def test_lead_audit_lawful_source_and_consent():
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3", "L4"], "method": ["email_promotion"] * 4,
                          "source_detail": ["partner-list-B", "newsletter-signup", "trade-fair", "partner-list-A"],
                          "lawful_source": [False, True, True, False], "consent_recorded": [True, False, True, False]})
    found = c.lead_audit(leads)
    # L1 unlawful; L2 no consent; L3 fine; L4 both -> 4 findings on 3 leads.
    assert sorted(map(tuple, found[["rule", "record"]].values.tolist())) == [
        ("lead_no_consent", "L2"), ("lead_no_consent", "L4"), ("lead_unlawful_source", "L1"),
        ("lead_unlawful_source", "L4")]
    metrics = c.audit_shop({"leads": leads}).metrics()
    assert (metrics["leads_checked"], metrics["leads_not_contactable"]) == (4, 3)


# --------------------------------------------------------------------------- UEMO


def test_unsubscribe_late_across_lunar_new_year_with_warning_day():
    requests = pd.DataFrame({
        "request_id": ["r1", "r2", "r3"], "customer_id": ["c1", "c2", "c3"],
        "received_at": D(["2024-02-08", "2024-02-08", "2024-02-08"]),
        # Working days after Thu 8 Feb 2024: 9, 14, 15, 16, 19, 20, 21, 22, 23, 26 (10th), 27 (11th).
        "processed_at": D(["2024-02-26", "2024-02-27", None]),
    })
    found = c.unsubscribe_audit(requests, as_of="2024-02-29")
    # r2 took 11; r3 still open on 29 Feb = 13 working days.
    assert found["record"].tolist() == ["r2", "r3"]
    # A typhoon signal 8 on Wed 21 Feb pushes the deadline one day: r2 now took 10 working days -> on time.
    found = c.unsubscribe_audit(requests, warning_days=["2024-02-21"], as_of="2024-02-29")
    assert found["record"].tolist() == ["r3"]
    assert "still open" in found["detail"].iloc[0]


def test_unsubscribe_timeliness_table():
    requests = pd.DataFrame({"request_id": ["r1"], "received_at": D(["2024-02-08"]), "processed_at": D(["2024-02-09"])})
    table = c.unsubscribe_timeliness(requests)
    assert table[["working_days", "late", "open"]].values.tolist() == [[1, False, False]]
    assert table["deadline"].iloc[0] == pd.Timestamp("2024-02-26")


def test_sends_after_unsubscribe_deadline():
    requests = pd.DataFrame({"request_id": ["r1"], "customer_id": ["c1"], "received_at": D(["2024-02-08"]),
                             "processed_at": D([None])})
    sends = pd.DataFrame({"send_id": ["s1", "s2", "s3"], "customer_id": ["c1", "c1", "c2"],
                          "sent_at": D(["2024-02-26", "2024-02-27", "2024-03-30"])})
    # Deadline = 26 Feb (10th working day); s2 on 27 Feb breaches; c2 never unsubscribed.
    assert c.sends_after_unsubscribe(sends, requests)["record"].tolist() == ["s2"]


def test_message_audit_positive_and_negative():
    messages = pd.DataFrame({
        "message_id": ["m1", "m2", "m3", "m4"],
        "channel": ["email", "email", "sms", "email"],
        "subject": ["Spring sale: 20% off skincare", "RE: your order", "Urgent! act now", "You have won a prize"],
        "sender_info": [True, "False", "yes", True],
        "unsubscribe_en": [True, True, True, False],
        "unsubscribe_zh": [True, True, False, False],
    })
    found = c.message_audit(messages)
    assert sorted(map(tuple, found[["rule", "record"]].values.tolist())) == [
        ("uemo_bilingual_unsubscribe", "m3"),  # Chinese statement missing
        ("uemo_bilingual_unsubscribe", "m4"),  # neither
        ("uemo_misleading_subject", "m2"),     # fake reply
        ("uemo_misleading_subject", "m4"),     # fake prize
        ("uemo_sender_info", "m2"),            # "False" text counts as no
    ]  # m1 clean; m3's urgent subject is an SMS (s.12 covers email only)
    assert "reply" in found.loc[found["record"] == "m2", "detail"].str.cat()


def test_dnc_register_ten_working_days_and_consent():
    customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3"], "phone": ["9123 4567", "+852 6123-4567", "5123 4567"],
                              "dm_consent": [False, True, False], "consent_date": D([None, "2024-01-01", None])})
    dnc = pd.DataFrame({"phone": ["91234567", "61234567", "51234567"],
                        "registered_at": D(["2024-01-02", "2024-01-02", "2024-02-20"])})
    sends = pd.DataFrame({"send_id": ["s1", "s2", "s3", "s4"], "customer_id": ["c1", "c2", "c3", "c1"],
                          "channel": ["sms", "sms", "sms", "email"], "sent_at": D(["2024-03-01"] * 4)})
    # s1: listed 2 Jan, long before; no consent -> breach. s2: consented -> s.11(2). s3: listed 20 Feb, only
    # 8 working days before 1 Mar (21,22,23,26,27,28,29 Feb, 1 Mar) -> s.11(3) grace. s4: email -> not a phone message.
    found = c.dnc_audit(sends, customers, dnc)
    assert found["record"].tolist() == ["s1"]


# --------------------------------------------------------------------------- PDPO handling, copyright


def test_access_requests_40_days():
    requests = pd.DataFrame({"request_id": ["a1", "a2", "a3"], "customer_id": ["c1", "c2", "c3"],
                             "received_at": D(["2024-01-01"] * 3),
                             # 1 Jan + 40 days = 10 Feb (on time); 11 Feb = 41 days (late); open on 1 Mar = 60 days.
                             "responded_at": D(["2024-02-10", "2024-02-11", None])})
    found = c.access_request_audit(requests, as_of="2024-03-01")
    assert found["record"].tolist() == ["a2", "a3"]
    assert found["detail"].tolist() == ["received 2024-01-01; answered after 41 days",
                                        "received 2024-01-01; still open after 60 days"]


def test_retention():
    register = pd.DataFrame({"dataset": ["orders", "leads"], "purpose": ["sales", "prospecting"],
                             "retention_days": [730, 365], "oldest_record_at": D(["2023-01-02", "2022-12-31"])})
    # At 2024-01-01: orders 364 days old (< 730) fine; leads 366 days old (> 365) flagged.
    assert c.retention_audit(register, as_of="2024-01-01")["record"].tolist() == ["leads"]


def test_copyright_assets():
    assets = pd.DataFrame({"asset_id": ["a1", "a2", "a3", "a4"], "asset_type": ["image"] * 4,
                           "owner": ["shop", "Studio X", "unknown", "Studio Y"],
                           "licence": ["own work", "web 1 year", "CC BY", "none"],
                           "licence_expiry": D([None, "2024-01-31", None, None]),
                           "used_at": D(["2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01"])})
    found = c.asset_audit(assets)
    assert sorted(map(tuple, found[["rule", "record"]].values.tolist())) == [
        ("copyright_expired", "a2"), ("copyright_unlicensed", "a3"), ("copyright_unlicensed", "a4")]
    assert found["legal_basis"].unique().tolist() == ["Copyright Ordinance Cap. 528 ss.22–23"]


# --------------------------------------------------------------------------- the whole shop


def test_audit_shop_summary_and_metrics():
    tables = {"customers": customers_fixture().assign(phone=["9123 4567"] * 5), "campaign_sends": sends_fixture(),
              "messages": pd.DataFrame({"message_id": ["m1"], "channel": ["email"], "subject": ["Hello"],
                                        "sender_info": [False], "unsubscribe_en": [True], "unsubscribe_zh": [True]})}
    report = c.audit_shop(tables, as_of="2024-03-01")
    metrics = report.metrics()
    assert metrics["sends_checked"] == 7                  # 8 rows less one control row
    assert metrics["sends_without_valid_consent"] == 4    # s2, s3, s4, s5
    assert metrics["sends_after_opt_out"] == 1            # s7
    assert metrics["messages_missing_sender_info"] == 1
    assert metrics["pii_findings"] == 1                   # the customers' phone column itself
    summary = report.summary.set_index("rule")
    assert summary.loc["dm_after_opt_out", "status"] == "fail"
    assert summary.loc["uemo_bilingual_unsubscribe", "status"] == "pass"
    assert summary.loc["uemo_unsubscribe_late", "status"] == "skipped"
    assert "unsubscribe_requests" in summary.loc["uemo_unsubscribe_late", "note"]
    assert report.summary["status"].iloc[0] == "fail"     # failures listed first


def test_audit_shop_on_transactions_only_skips_plainly():
    tx = pd.DataFrame({"order_id": ["1"], "customer_id": ["cus_1"], "product_name": ["Mug"]})
    report = c.audit_shop({"transactions": tx})
    assert report.findings.empty
    assert set(report.skipped) == set(c.RULES) - {"pii_email", "pii_phone", "pii_hkid", "pii_name"}
    assert report.summary.set_index("rule").loc["pii_phone", "status"] == "pass"


def test_scenarios_cite_sections():
    assert {"eto_click_accept", "crime_competitor_login", "bribery_supplier_gift"} <= set(c.SCENARIOS["scenario"])
    assert c.SCENARIOS.set_index("scenario").loc["bribery_supplier_gift", "legal_basis"].endswith("s.9")
    assert "not legal advice" in c.LEGAL_NOTE


# --------------------------------------------------------------------------- false positives and report plumbing


def test_pseudonymised_personal_data_columns_and_record_keys_are_not_flagged():
    frame = pd.DataFrame({
        "phone": ["cus_0a1b2c3d4e5f6a7b", None],        # tokens from data.pseudonymise: already safe
        "session_id": ["S0000012", "S1234563"],         # record keys are not free text
        "landing_page": ["search", "home"],
    })
    assert pii.scan_frame(frame).empty
    # In free text, an unbracketed HKID with a valid check digit (A1234563, worked above) is reported; a
    # zero-padded value such as S0000012 (six digits starting "00") is taken for a record key.
    notes = pd.Series(["ref S0000012", "ref A1234563"])
    assert pii.find_pii(notes)[["row", "kind"]].values.tolist() == [[1, "hkid"]]


def test_brand_names_with_honorifics_are_not_names():
    texts = pd.Series(["Dr. Jam's Arouzer Stress Ball", "Mrs Beeton's cookbook", "Mr Lee called"])
    assert pii.find_pii(texts)["row"].tolist() == [2]


def test_newsletter_counts_as_email_for_subject_headings():
    messages = pd.DataFrame({"message_id": ["m1", "m2"], "channel": ["newsletter", "sms"],
                             "subject": ["Fwd: your invoice", "RE: your order"], "sender_info": [True, True],
                             "unsubscribe_en": [True, True], "unsubscribe_zh": [True, True]})
    # s.12 covers commercial electronic *mail*: the newsletter, not the SMS.
    assert c.message_audit(messages)["record"].tolist() == ["m1"]


def test_metrics_are_null_for_skipped_checks_and_zero_for_clean_ones():
    sends, customers = sends_fixture().iloc[[0]], customers_fixture().iloc[[0]]
    report = c.audit_shop({"campaign_sends": sends, "customers": customers}, as_of="2024-03-01")
    metrics = report.metrics()
    assert metrics["sends_checked"] == 1 and metrics["sends_without_valid_consent"] == 0  # ran, found nothing
    assert metrics["unsubscribe_late"] is None and metrics["unlicensed_assets"] is None  # could not run
    assert metrics["rules_skipped"] == len(report.skipped)
    assert "unsubscribe_requests" in report.skipped_note("uemo_unsubscribe")
    assert report.skipped_note("dm_") == ""


def test_default_as_of_ignores_future_licence_expiry():
    tables = {"assets": pd.DataFrame({"used_at": D(["2024-05-01"]), "licence_expiry": D(["2031-01-01"])}),
              "access_requests": pd.DataFrame({"received_at": D(["2024-06-30"])})}
    assert c.default_as_of(tables) == pd.Timestamp("2024-07-01")  # day after the latest activity
    assert c.default_as_of({"t": pd.DataFrame({"x": [1]})}) is None


def test_affected_customers_lists_pseudonymised_keys_only():
    found = c.consent_audit(sends_fixture(), customers_fixture())
    table = c.affected_customers(found)
    # c1: s2; c2: s3; c3: s4; c4: s5; c5: s7 -> one finding each, sorted by key.
    assert table[["customer_id", "findings"]].values.tolist() == [["c1", 1], ["c2", 1], ["c3", 1], ["c4", 1], ["c5", 1]]


def test_audit_details_are_redacted():
    messages = pd.DataFrame({"message_id": ["m1"], "channel": ["email"], "subject": ["RE: Ms Wong, call 9123 4567"],
                             "sender_info": [True], "unsubscribe_en": [True], "unsubscribe_zh": [True]})
    detail = c.audit_shop({"messages": messages}).findings_for("uemo_misleading")["detail"].iloc[0]
    assert "9123" not in detail and "Wong" not in detail and "[PHONE]" in detail


def test_plots_state_the_finding_in_the_title():
    import matplotlib.pyplot as plt

    summary = c.compliance_summary(c.consent_audit(sends_fixture(), customers_fixture()),
                                   {r: 7 for r in ["dm_no_consent", "dm_oral_unconfirmed", "dm_outside_scope",
                                                   "dm_after_opt_out", "uemo_sender_info"]})
    ax = c.plot_summary(summary)
    assert ax.get_title() == "4 of 5 checks found breaches"   # the four dm_ rules fail, sender info passes
    requests = pd.DataFrame({"request_id": ["r1", "r2"], "received_at": D(["2024-02-08", "2024-02-08"]),
                             "processed_at": D(["2024-02-09", "2024-02-27"])})
    ax = c.plot_unsubscribe_days(c.unsubscribe_timeliness(requests))
    assert ax.get_title() == "1 of 2 unsubscribe requests took longer than 10 working days"
    plt.close("all")


def test_dnc_status_explains_every_send_to_a_listed_number():
    customers = pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5"],
        "phone": ["91234567", "61234567", "51234567", "92345678", "93456789"],
        "dm_consent": [True, True, True, True, False],
        "consent_date": D(["2024-01-01"] * 4 + [None]),
        "opt_out_date": D([None, None, "2024-02-01", None, None]),
        "consent_data_kinds": ["email;phone", "email", "phone", "phone", None],
    })
    dnc = pd.DataFrame({"phone": ["91234567", "61234567", "51234567", "92345678", "93456789"],
                        "registered_at": D(["2024-01-02", "2024-01-02", "2024-01-02", "2024-02-26", "2024-03-05"])})
    sends = pd.DataFrame({"send_id": [f"s{i}" for i in range(1, 6)], "customer_id": ["c1", "c2", "c3", "c4", "c5"],
                          "channel": ["sms"] * 5, "sent_at": D(["2024-03-01"] * 5)})
    table = c.dnc_status(sends, customers, dnc)
    assert table["status"].tolist() == [
        "consented",               # c1: consent covers phone, s.11(2)
        "breach",                  # c2: consented to e-mail only
        "breach",                  # c3: opted out on 1 Feb, consent withdrawn before the send
        "within 10 working days",  # c4: listed Mon 26 Feb; 27, 28, 29 Feb, 1 Mar = 4 working days (s.11(3))
        "before listing",          # c5: listed after the send
    ]
    assert "phone" not in table.columns
    assert c.dnc_audit(sends, customers, dnc)["record"].tolist() == ["s2", "s3"]


def test_audit_shop_keeps_the_do_not_call_status_table():
    customers = customers_fixture().assign(phone=["91234567", "61234567", "51234567", "92345678", "93456789"])
    dnc = pd.DataFrame({"phone": ["91234567"], "registered_at": D(["2023-12-01"])})
    report = c.audit_shop({"campaign_sends": sends_fixture(), "customers": customers, "dnc_register": dnc},
                          as_of="2024-03-01")
    # c1 (91234567) got s1 (email, not a phone channel) and s2 (sms, consented 1 Jan but to name/email only).
    assert report.do_not_call[["send_id", "status"]].values.tolist() == [["s2", "breach"]]
    assert report.metrics()["sends_to_do_not_call_numbers"] == 1


def test_minimise_frame_pseudonymises_columns_and_redacts_text_without_mutating():
    crm = pd.DataFrame({"full_name": ["Chan Tai Man", "Chan Tai Man"], "note": ["Chan Tai Man, 9123 4567", None],
                        "order_id": ["A1234563", "O2"], "spend_hkd": [5.0, 7.0]})
    before = crm.copy()
    out = pii.minimise_frame(crm, known_names=["Chan Tai Man"], key="k")
    pd.testing.assert_frame_equal(crm, before)
    assert out["full_name"].iloc[0] == out["full_name"].iloc[1] != "Chan Tai Man"  # same person, same token
    assert out["note"].iloc[0] == "[NAME], [PHONE]" and pd.isna(out["note"].iloc[1])
    assert out["order_id"].tolist() == ["A1234563", "O2"]  # record keys are kept even when HKID-shaped
    assert out["spend_hkd"].tolist() == [5.0, 7.0]
    assert pii.scan_frame(out.drop(columns="order_id")).empty


def test_warning_days_accept_dates_and_reject_typos():
    import datetime

    # YAML turns an unquoted 2025-04-23 into a date: both forms count the same (see the Easter test: 3 days).
    assert c.working_days_between("2025-04-17", "2025-04-25", warning_days=[datetime.date(2025, 4, 23)]) == 3
    with pytest.raises(ValueError, match="warning_days"):
        c.working_days_between("2025-04-17", "2025-04-25", warning_days=["23/04/2025x"])
