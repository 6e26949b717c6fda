"""The synthetic shop generator, ``helpers.synth``.

Three kinds of test:

* **reproducibility** -- the same seed writes byte-identical files, another seed does not, and the
  committed ``data/`` folder is exactly what ``python -m helpers.synth --seed 406`` writes today;
* **contract** -- every table has exactly the ``SHOP_TABLES`` columns, dates are ISO text, the
  gzip header carries no name or time, and the tables agree with each other;
* **planted behaviour** -- the "truths" listed in ``data/README.md`` are really in the default shop,
  checked with thresholds wide enough for sampling noise but narrow enough to fail if the
  behaviour disappears.

The default shop is generated once per module (about 2 s); the whole file runs in about 10 s.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import PROJECT
from helpers.schema import SHOP_TABLES
from helpers.synth import HK_PUBLIC_HOLIDAYS, _dirty_row_counts, generate_shop, write_shop

DATA = PROJECT / "data"
README = DATA / "README.md"
SMALL = {"n_customers": 300, "months": 6}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def small_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The same small shop written twice, and a small shop from another seed."""
    dirs = []
    for label, seed in (("a", 406), ("b", 406), ("other", 407)):
        out = tmp_path_factory.mktemp(f"shop_{label}")
        write_shop(generate_shop(seed=seed, **SMALL), out)
        dirs.append(out)
    return dirs[0], dirs[1], dirs[2]


@pytest.fixture(scope="module")
def shop() -> dict[str, pd.DataFrame]:
    return generate_shop()


@pytest.fixture(scope="module")
def clean(shop: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Transactions after the four documented cleaning rules."""
    tx = shop["transactions"]
    keep = tx["customer_id"].notna() & ~tx["order_id"].str.startswith("C") & (tx["quantity"] > 0)
    keep &= tx["unit_price"] > 0
    return tx.loc[keep].drop_duplicates()


@pytest.fixture(scope="module")
def orders(clean: pd.DataFrame) -> pd.DataFrame:
    return clean.groupby("order_id", as_index=False).agg(
        customer_id=("customer_id", "first"), order_date=("order_date", "first"), amount=("amount", "sum")
    )


def _readme_block(marker: str) -> list[list[str]]:
    """Rows of the Markdown table between ``<!-- synth:marker -->`` and ``<!-- /synth:marker -->``."""
    text = README.read_text(encoding="utf-8")
    block = text.split(f"<!-- synth:{marker} -->")[1].split(f"<!-- /synth:{marker} -->")[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip().strip("`") for cell in row] for row in rows]


def _lift(sends: pd.DataFrame) -> tuple[float, float]:
    """Treatment minus control conversion rate, and its standard error."""
    rate = sends.assign(conv=sends["converted_at"].notna()).groupby("group")["conv"].agg(["mean", "size"])
    p, n = rate["mean"], rate["size"]
    se = float(np.sqrt((p * (1 - p) / n).sum()))
    return float(p["treatment"] - p["control"]), se


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_writes_byte_identical_files(small_dirs):
    a, b, _ = small_dirs
    for name in SHOP_TABLES:
        assert (a / f"{name}.csv.gz").read_bytes() == (b / f"{name}.csv.gz").read_bytes(), name


def test_another_seed_gives_different_data(small_dirs):
    a, _, other = small_dirs
    for name in ("customers", "transactions", "campaign_sends", "leads"):
        assert (a / f"{name}.csv.gz").read_bytes() != (other / f"{name}.csv.gz").read_bytes(), name


def test_gzip_header_carries_no_file_name_or_time(small_dirs):
    for path in small_dirs[0].glob("*.csv.gz"):
        header = path.read_bytes()[:10]
        assert header[:3] == b"\x1f\x8b\x08"
        assert header[3] == 0, f"{path.name}: FNAME/extra flags set"
        assert header[4:8] == b"\x00\x00\x00\x00", f"{path.name}: mtime is not 0"


def test_committed_data_is_what_the_generator_writes(shop, tmp_path):
    # data/ must be regenerated (python -m helpers.synth --seed 406 --out data/) whenever the
    # generator changes. The CSV text is compared, so a different zlib build cannot break this.
    for path in write_shop(shop, tmp_path):
        fresh = gzip.decompress(path.read_bytes())
        committed = gzip.decompress((DATA / path.name).read_bytes())
        assert fresh == committed, f"data/{path.name} is stale: regenerate it"


def test_readme_records_the_committed_files(shop):
    recorded = {row[0]: (int(row[1]), row[3]) for row in _readme_block("row-counts")}
    assert set(recorded) == set(SHOP_TABLES)
    for name in SHOP_TABLES:
        digest = hashlib.sha256((DATA / f"{name}.csv.gz").read_bytes()).hexdigest()
        assert recorded[name] == (len(shop[name]), digest), name


def test_readme_dirty_row_counts_match_the_data(shop):
    recorded = {row[0]: int(row[1]) for row in _readme_block("dirty-rows")}
    assert recorded == _dirty_row_counts(shop["transactions"])


# --------------------------------------------------------------------------- contract


def test_every_table_has_exactly_the_schema_columns(small_dirs):
    for name, spec in SHOP_TABLES.items():
        with gzip.open(small_dirs[0] / f"{name}.csv.gz", "rt", encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split(",")
        assert tuple(header) == spec.columns, name
    assert sorted(p.name for p in small_dirs[0].iterdir()) == sorted(f"{n}.csv.gz" for n in SHOP_TABLES)


def test_default_shop_tables_match_schema_and_have_rows(shop):
    assert set(shop) == set(SHOP_TABLES)
    for name, spec in SHOP_TABLES.items():
        assert tuple(shop[name].columns) == spec.columns, name
        assert len(shop[name]) > 0, name
        for col in spec.dates:
            assert pd.api.types.is_datetime64_any_dtype(shop[name][col]), (name, col)


def test_dates_booleans_and_missing_values_are_written_as_documented(small_dirs):
    raw = {name: pd.read_csv(small_dirs[0] / f"{name}.csv.gz", dtype=str, keep_default_na=False)
           for name in ("customers", "transactions", "campaign_sends")}
    assert raw["customers"]["join_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert raw["customers"]["opt_out_date"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    assert raw["transactions"]["order_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
    assert set(raw["customers"]["dm_consent"]) == {"True", "False"}
    assert set(raw["campaign_sends"]["delivered"]) == {"True", "False"}
    # Missing values are empty cells, never "nan" or "NaT".
    for frame in raw.values():
        assert not frame.isin(["nan", "NaN", "NaT", "None", "<NA>"]).any().any()


def test_personal_data_is_clearly_fake(shop):
    customers = shop["customers"]
    assert customers["email"].str.fullmatch(r"[a-z.]+\d+@example\.(com|org)").all()
    assert customers["phone"].str.fullmatch(r"[569]\d{7}").all()
    assert customers["phone"].is_unique
    assert shop["dnc_register"]["phone"].str.fullmatch(r"[569]\d{7}").all()


def test_bad_arguments_and_tables_are_refused(tmp_path):
    with pytest.raises(ValueError, match="n_customers"):
        generate_shop(n_customers=10)
    with pytest.raises(ValueError, match="months"):
        generate_shop(n_customers=100, months=1)
    tables = generate_shop(seed=1, n_customers=60, months=3)
    tables["products"] = tables["products"].drop(columns="category")
    with pytest.raises(ValueError, match="products"):
        write_shop(tables, tmp_path)


def test_order_lines_are_internally_consistent(shop, clean):
    tx = shop["transactions"]
    assert np.allclose(tx["amount"], (tx["quantity"] * tx["unit_price"]).round(2))
    assert clean["discount_pct"].isin([0, 5, 10, 20, 30]).all()
    assert np.allclose(clean["unit_price"], (clean["list_price_hkd"] * (1 - clean["discount_pct"] / 100)).round(2))
    assert tx["order_date"].between("2024-11-01", "2026-10-31 23:59:59").all()
    assert (clean["quantity"] <= 3).mean() > 0.95
    customers = shop["customers"].set_index("customer_id")
    joined = clean.merge(customers[["district", "join_date"]], left_on="customer_id", right_index=True,
                         suffixes=("", "_customer"))
    assert (joined["district"] == joined["district_customer"]).all()
    assert (joined["order_date"] >= joined["join_date"]).all()


def test_tables_agree_with_each_other(shop, clean, orders):
    customers = shop["customers"].set_index("customer_id")
    # Redeemed coupons are the coupon ids on order lines, same customer, same time.
    coupons = shop["coupons"].dropna(subset=["redeemed_at"]).set_index("coupon_id")
    used = clean.dropna(subset=["coupon_id"]).groupby("coupon_id").agg(
        order_id=("order_id", "first"), customer_id=("customer_id", "first"), order_date=("order_date", "first"))
    assert set(used.index) == set(coupons.index)
    assert (used.loc[coupons.index, "order_id"] == coupons["order_id"]).all()
    assert (used.loc[coupons.index, "customer_id"] == coupons["customer_id"]).all()
    assert (coupons["group"] == "coupon").all()
    # Referees are customers whose referred_by is the referrer.
    referrals = shop["referrals"].dropna(subset=["referee_id"])
    assert (customers.loc[referrals["referee_id"], "referred_by"].to_numpy() == referrals["referrer_id"]).all()
    # The last loyalty snapshot is the customer's tier and points.
    last = shop["loyalty"].sort_values("snapshot_date").groupby("customer_id").last()
    assert (customers.loc[last.index, "membership_tier"] == last["tier"]).all()
    assert (customers.loc[last.index, "loyalty_points"] == last["points_balance"]).all()
    assert set(last.index) == set(customers.index[customers["membership_tier"] != "none"])
    # Every unsubscribe request is a customer's opt-out date.
    requests = shop["unsubscribe_requests"].set_index("customer_id")
    assert (customers.loc[requests.index, "opt_out_date"] == requests["received_at"]).all()
    assert customers["opt_out_date"].notna().sum() == len(requests)
    # Welcome offers point at the customer's own order.
    taken = shop["welcome_offers"].dropna(subset=["order_id"]).merge(orders, on="order_id")
    assert (taken["customer_id_x"] == taken["customer_id_y"]).all()
    # Linked leads became customers through the same method.
    leads = shop["leads"].dropna(subset=["customer_id"])
    assert (customers.loc[leads["customer_id"], "acquisition_source"].to_numpy() == leads["method"]).all()


def test_campaign_sends_follow_the_funnel_and_the_conversion_window(shop, orders):
    sends = shop["campaign_sends"]
    control = sends["group"] == "control"
    assert sends.loc[control, "sent_at"].isna().all() and not sends.loc[control, "delivered"].any()
    assert (sends["clicked_at"].notna() <= sends["opened_at"].notna()).all()
    assert (sends["opened_at"].notna() <= sends["delivered"]).all()
    assert ((sends["revenue_hkd"] > 0) == sends["converted_at"].notna()).all()
    # converted_at is the customer's first order in the 14 days after the campaign's send time.
    sent = shop["campaigns"].set_index("campaign_id")["sent_at"]
    conv = sends.dropna(subset=["converted_at"]).assign(t=lambda d: d["campaign_id"].map(sent))
    assert ((conv["converted_at"] >= conv["t"]) & (conv["converted_at"] < conv["t"] + pd.Timedelta(days=14))).all()
    placed = pd.MultiIndex.from_frame(orders[["customer_id", "order_date"]])
    assert pd.MultiIndex.from_arrays([conv["customer_id"], conv["converted_at"]]).isin(placed).all()


# --------------------------------------------------------------------------- planted behaviour


def test_order_volume_is_in_the_target_range(clean, orders):
    assert 50_000 <= len(orders) <= 90_000
    assert 140_000 <= len(clean) <= 260_000


def test_top_fifth_of_customers_bring_most_revenue(shop, orders):
    spend = orders.groupby("customer_id")["amount"].sum().reindex(shop["customers"]["customer_id"], fill_value=0)
    top = spend.sort_values(ascending=False).head(len(spend) // 5).sum() / spend.sum()
    assert 0.55 <= top <= 0.90


def test_every_cleaning_reason_has_rows_in_plausible_amounts(shop):
    counts = _dirty_row_counts(shop["transactions"])
    n = len(shop["transactions"])
    assert all(v > 0 for v in counts.values()), counts
    assert 0.003 <= counts["missing_customer_id"] / n <= 0.008
    assert 0.002 <= counts["duplicate_row"] / n <= 0.004
    assert counts["non_positive_price"] < 100
    # Cancellations mirror an earlier order of the same customer.
    tx = shop["transactions"]
    cancelled = tx[tx["order_id"].str.startswith("C")]
    original = tx[tx["order_id"].isin(cancelled["order_id"].str[1:])]
    assert set(cancelled["order_id"].str[1:]) == set(original["order_id"])
    assert (cancelled["quantity"] < 0).all()


def test_seasonal_peaks_and_weekly_rhythm(orders):
    daily = orders.set_index("order_date")["order_id"].resample("D").count()
    october = daily["2025-10-01":"2025-10-31"].median()
    assert daily["2025-11-11"] > 2.5 * october  # 11.11
    assert daily["2026-02-03":"2026-02-16"].mean() > 1.3 * daily["2026-03-01":"2026-03-31"].median()  # LNY
    assert daily["2025-12-10":"2025-12-24"].mean() > 1.1 * october  # Christmas
    weekday = orders["order_date"].dt.day_of_week
    assert (weekday >= 5).mean() > 2 / 7 + 0.02
    hour = orders["order_date"].dt.hour.value_counts(normalize=True)
    assert hour.loc[[20, 21, 22]].mean() > 2 * hour.loc[[3, 4, 5]].mean()
    assert hour.loc[[12, 13]].mean() > hour.loc[[10, 15]].mean()


def test_planted_product_pair_has_high_lift(clean):
    n_orders = clean["order_id"].nunique()
    with_a = set(clean.loc[clean["product_name"] == "Phone Case (Clear)", "order_id"])
    with_b = set(clean.loc[clean["product_name"] == "Tempered Glass Screen Protector", "order_id"])
    # lift = P(A and B) / (P(A) P(B))
    lift = (len(with_a & with_b) / n_orders) / ((len(with_a) / n_orders) * (len(with_b) / n_orders))
    assert lift > 3


def test_email_campaigns_work_and_forum_campaigns_do_not(shop):
    sends = shop["campaign_sends"]
    coupon_test = shop["campaigns"].loc[shop["campaigns"]["campaign_name"].str.startswith("E-coupon"), "campaign_id"]
    sends = sends[~sends["campaign_id"].isin(coupon_test)]
    email, email_se = _lift(sends[sends["channel"] == "email"])
    newsletter, newsletter_se = _lift(sends[sends["channel"] == "newsletter"])
    forum, forum_se = _lift(sends[sends["channel"] == "forum"])
    assert email > 3 * email_se and newsletter > 2 * newsletter_se
    assert abs(forum) < 2 * forum_se
    assert forum < email


def test_campaign_lift_is_large_for_recent_buyers_and_nil_for_lapsed_ones(shop, orders):
    sends = shop["campaign_sends"].merge(
        shop["campaigns"][["campaign_id", "sent_at"]].rename(columns={"sent_at": "t"}), on="campaign_id")
    sends = sends[sends["channel"].isin(["email", "newsletter"])].sort_values("t")
    last = pd.merge_asof(sends, orders.sort_values("order_date")[["customer_id", "order_date"]],
                         left_on="t", right_on="order_date", by="customer_id", allow_exact_matches=False)
    recency = (last["t"] - last["order_date"]).dt.days
    recent, _ = _lift(last[recency <= 60])
    lapsed, lapsed_se = _lift(last[recency.isna() | (recency > 180)])
    assert recent > 0.08
    assert abs(lapsed) < max(0.01, 2 * lapsed_se)


def test_coupon_lifts_purchases_but_many_redeemers_would_have_bought_anyway(shop):
    coupons = shop["coupons"]
    rate = coupons.groupby("group")["purchased_in_window"].mean()
    assert rate["coupon"] > rate["control"] + 0.03
    redeemers = coupons.dropna(subset=["redeemed_at"])
    assert len(redeemers) > 50
    # Would-have-bought-anyway share: the control arm's purchase rate over the coupon arm's redemption rate.
    anyway = rate["control"] / (len(redeemers) / (coupons["group"] == "coupon").sum())
    assert 0.25 <= anyway <= 0.9
    assert redeemers["bought_in_prior_period"].mean() > coupons.loc[coupons["group"] == "control",
                                                                    "bought_in_prior_period"].mean()


def test_email_leads_are_slowest_and_referral_leads_fastest(shop):
    leads = shop["leads"]
    days = (leads["converted_at"] - leads["first_touch_at"]).dt.total_seconds() / 86_400
    median = days.groupby(leads["method"]).median()
    assert median.idxmax() == "email_promotion" and median.idxmin() == "referral"
    assert 21 <= median["email_promotion"] <= 35 and median["referral"] < 7


def test_a_simple_lead_score_has_real_lift(shop):
    leads = shop["leads"]
    score = leads["pages_viewed"].clip(upper=15) + 5 * leads["engaged"]
    top = score.rank(method="first", ascending=False) <= 0.2 * len(leads)
    converted = leads["converted_at"].notna()
    capture = converted[top].sum() / converted.sum()
    assert 0.4 <= capture <= 0.7
    cost = leads.groupby("method")["cost_hkd"].mean()
    assert cost.idxmin() == "email_promotion"
    assert cost["market_research"] > cost["search_ad"] and cost["influencer"] > cost["search_ad"]


def test_some_broad_keywords_only_waste_money(shop):
    kw = shop["keyword_ads"].groupby(["keyword", "match_type"])[["clicks", "conversions", "cost_hkd"]].sum()
    kw["cvr"] = kw["conversions"] / kw["clicks"]
    wasteful = kw[(kw["clicks"] > 10_000) & (kw["cvr"] < 0.002)]
    assert len(wasteful) >= 3
    assert set(wasteful.index.get_level_values("match_type")) == {"broad"}
    assert kw.xs("exact", level="match_type")["cvr"].min() > 0.02


def test_referrals_spread_and_online_is_processed_faster(shop):
    referrals = shop["referrals"]
    signed = referrals.dropna(subset=["referee_id"])
    viral = len(signed) / len(shop["customers"])
    assert 0.1 <= viral <= 0.3
    hours = (signed["processed_at"] - signed["signed_up_at"]).dt.total_seconds() / 3600
    by_channel = hours.groupby(signed["channel"]).median()
    assert by_channel["online"] <= 24 < by_channel["offline"]
    takeup = shop["welcome_offers"]["taken_up_at"].notna().mean()
    assert 0.3 <= takeup <= 0.5


def test_loyalty_tiers_move_both_ways_and_members_were_better_customers_already(shop, orders):
    loyalty = shop["loyalty"].sort_values("snapshot_date")
    rank = {"Silver": 1, "Gold": 2, "Platinum": 3}
    first = loyalty.groupby("customer_id")["tier"].first().map(rank)
    last = loyalty.groupby("customer_id")["tier"].last().map(rank)
    assert (last > first).sum() > 20 and (last < first).sum() > 20
    # Customers who join the programme later already ordered more before joining.
    customers = shop["customers"].set_index("customer_id")
    joined_programme = loyalty.groupby("customer_id")["snapshot_date"].min()
    early = customers.index[customers["join_date"] < "2025-02-01"]
    later_members = joined_programme[joined_programme >= "2025-10-31"].index.intersection(early)
    never = customers.index[customers["membership_tier"] == "none"].intersection(early)
    before = orders[orders["order_date"].between("2025-02-01", "2025-04-30")].groupby("customer_id").size()
    assert before.reindex(later_members, fill_value=0).mean() > 1.5 * before.reindex(never, fill_value=0).mean()


def test_sessions_bounce_and_discount_trade_off(shop):
    sessions = shop["web_sessions"]
    assert (sessions["bounced"] == (sessions["pages_viewed"] == 1)).all()
    assert (sessions["purchased"] <= sessions["added_to_cart"]).all()
    bounce = sessions.groupby("landing_page")["bounced"].mean()
    assert bounce.idxmax() == "blog" and bounce.idxmin() == "promotion"
    by_discount = sessions.groupby("discount_pct")["purchased"].mean()
    assert by_discount.is_monotonic_increasing
    value = sessions[sessions["purchased"]].groupby("discount_pct")["order_value_hkd"].mean()
    assert value[30] < value[0]
    assert 0.3 <= sessions["customer_id"].isna().mean() <= 0.5


def test_compliance_breaches_are_present_but_rare(shop):
    customers = shop["customers"].set_index("customer_id")
    sent = shop["campaign_sends"].query("group == 'treatment'").merge(
        customers.drop(columns=["channel"], errors="ignore"), left_on="customer_id", right_index=True)

    def covers(lists: pd.Series, item: pd.Series) -> pd.Series:
        return pd.Series([isinstance(a, str) and b in a.split(";") for a, b in zip(lists, item, strict=True)],
                         index=lists.index)

    breaches = {
        "no_consent": ~sent["dm_consent"],
        "after_opt_out": sent["sent_at"].dt.normalize() > sent["opt_out_date"],
        "class_scope": sent["dm_consent"] & ~covers(sent["consent_product_classes"], sent["product_class"]),
        "data_kind": sent["dm_consent"] & ~covers(sent["consent_data_kinds"], sent["data_kind"]),
        "do_not_call": (sent["channel"] == "sms") & sent["phone"].isin(shop["dnc_register"]["phone"]),
    }
    for name, mask in breaches.items():
        assert 0 < mask.sum() < 0.02 * len(sent), name


def test_unsubscribe_processing_has_late_missing_and_holiday_cases(shop):
    requests = shop["unsubscribe_requests"]
    received = requests["received_at"].to_numpy(dtype="datetime64[D]")
    done = requests["processed_at"].fillna(requests["received_at"]).to_numpy(dtype="datetime64[D]")
    working_days = np.busday_count(received, done, holidays=list(HK_PUBLIC_HOLIDAYS))
    calendar_days = (requests["processed_at"] - requests["received_at"]).dt.days
    assert 400 <= len(requests) <= 800
    assert 0.02 <= (working_days > 10).mean() <= 0.15
    assert requests["processed_at"].isna().sum() > 0
    # On time in working days but more than two calendar weeks: a holiday fell in between.
    assert ((calendar_days > 14) & (working_days <= 10)).sum() >= 5


def test_other_compliance_registers_have_a_few_problems(shop):
    messages = shop["messages"]
    assert 1 <= (~messages["unsubscribe_zh"]).sum() <= 10 and (~messages["sender_info"]).sum() >= 1
    assert messages["subject"].str.contains("RE:|FREE!!!", regex=True).any()
    assets = shop["assets"]
    assert 1 <= (assets["used_at"] > assets["licence_expiry"]).sum() <= 20
    access = shop["access_requests"]
    days = (access["responded_at"] - access["received_at"]).dt.days
    assert (days > 40).sum() >= 1 and days.isna().sum() >= 1
    register = shop["data_register"]
    age = (pd.Timestamp("2026-10-31") - register["oldest_record_at"]).dt.days
    assert set(register.loc[age > register["retention_days"], "dataset"]) == {"web_sessions", "leads"}
    assert shop["dnc_register"]["phone"].isin(shop["customers"]["phone"]).sum() > 0


def test_id_formats(shop):
    patterns = {("customers", "customer_id"): r"C\d{5}", ("products", "product_id"): r"P\d{4}",
                ("campaigns", "campaign_id"): r"CMP\d{3}", ("leads", "lead_id"): r"L\d{5}"}
    for (table, column), pattern in patterns.items():
        assert shop[table][column].str.fullmatch(pattern).all(), (table, column)
    assert shop["transactions"]["order_id"].str.fullmatch(r"C?O\d{6}").all()
