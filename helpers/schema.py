"""Column contracts: the canonical transaction schema and the bundled shop's tables.

This module only *describes* data; :mod:`helpers.data` reads files and checks
them against these descriptions, and :mod:`helpers.synth` writes the bundled
shop so that it satisfies them.

Examples
--------
>>> "customer_id" in TRANSACTION_REQUIRED
True
>>> SHOP_TABLES["customers"].dates
('join_date', 'consent_date', 'consent_confirmed_date', 'opt_out_date')
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Columns every transaction table must end up with after loading.
TRANSACTION_REQUIRED: tuple[str, ...] = ("order_id", "customer_id", "order_date")
#: Canonical optional columns; ``amount`` is derived from ``quantity * unit_price`` when absent.
TRANSACTION_OPTIONAL: tuple[str, ...] = (
    "product_id",
    "product_name",
    "quantity",
    "unit_price",
    "amount",
    "country",
    "district",
    "channel",
)
TRANSACTION_NUMERIC: tuple[str, ...] = ("quantity", "unit_price", "amount")
TRANSACTION_ID_COLUMNS: tuple[str, ...] = ("order_id", "customer_id", "product_id")

#: Column names that hold direct personal identifiers. Loaders drop them unless asked not to.
PII_COLUMN_NAMES: frozenset[str] = frozenset(
    {
        "name",
        "full_name",
        "customer_name",
        "first_name",
        "last_name",
        "email",
        "e_mail",
        "email_address",
        "phone",
        "phone_number",
        "mobile",
        "tel",
        "telephone",
        "address",
        "hkid",
    }
)


@dataclass(frozen=True)
class TableSpec:
    """What one table of the bundled shop holds.

    ``id_columns`` hold customer keys and are pseudonymised together, with the
    same key, so that tables still join after pseudonymisation.
    """

    columns: tuple[str, ...]
    dates: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    id_columns: tuple[str, ...] = ()
    description: str = ""
    pii: tuple[str, ...] = field(default=())


SHOP_TABLES: dict[str, TableSpec] = {
    "customers": TableSpec(
        columns=(
            "customer_id", "full_name", "email", "phone", "join_date", "acquisition_source",
            "district", "age_band", "device", "membership_tier", "loyalty_points",
            "dm_consent", "consent_date", "consent_channel", "consent_confirmed_date",
            "consent_data_kinds", "consent_product_classes", "third_party_consent",
            "third_party_consent_channel", "opt_out_date", "referred_by",
        ),
        dates=("join_date", "consent_date", "consent_confirmed_date", "opt_out_date"),
        numeric=("loyalty_points",),
        id_columns=("customer_id", "referred_by"),
        pii=("full_name", "email", "phone"),
        description="One row per customer: profile, membership and direct-marketing consent.",
    ),
    "products": TableSpec(
        columns=("product_id", "product_name", "category", "list_price_hkd"),
        numeric=("list_price_hkd",),
        description="Product catalogue with categories and list prices.",
    ),
    "transactions": TableSpec(
        columns=(
            "order_id", "customer_id", "order_date", "product_id", "product_name", "category",
            "quantity", "unit_price", "amount", "list_price_hkd", "discount_pct", "district",
            "channel", "device", "promotion_id", "coupon_id",
        ),
        dates=("order_date",),
        numeric=("quantity", "unit_price", "amount", "list_price_hkd", "discount_pct"),
        id_columns=("customer_id",),
        description="Order lines in the canonical schema, with a few dirty rows of each cleaning reason.",
    ),
    "campaigns": TableSpec(
        columns=(
            "campaign_id", "campaign_name", "channel", "sent_at", "product_class", "offer",
            "cost_hkd", "holdout_share", "message_id",
        ),
        dates=("sent_at",),
        numeric=("cost_hkd", "holdout_share"),
        description="Retention campaigns over newsletter, email, social, forum and SMS.",
    ),
    "campaign_sends": TableSpec(
        columns=(
            "send_id", "campaign_id", "customer_id", "group", "channel", "sent_at", "delivered",
            "opened_at", "clicked_at", "converted_at", "revenue_hkd", "unsubscribed_at",
            "data_kind", "product_class",
        ),
        dates=("sent_at", "opened_at", "clicked_at", "converted_at", "unsubscribed_at"),
        numeric=("revenue_hkd",),
        id_columns=("customer_id",),
        description="One row per customer per campaign, treatment or randomised holdout (control).",
    ),
    "coupons": TableSpec(
        columns=(
            "coupon_id", "customer_id", "campaign_id", "group", "issued_at", "value_hkd",
            "min_spend_hkd", "redeemed_at", "order_id", "purchased_in_window",
            "revenue_in_window_hkd", "bought_in_prior_period",
        ),
        dates=("issued_at", "redeemed_at"),
        numeric=("value_hkd", "min_spend_hkd", "revenue_in_window_hkd"),
        id_columns=("customer_id",),
        description="E-coupon test: coupon arm and control arm, redemption and spend in the window.",
    ),
    "loyalty": TableSpec(
        columns=("customer_id", "snapshot_date", "tier", "points_earned", "points_redeemed", "points_balance"),
        dates=("snapshot_date",),
        numeric=("points_earned", "points_redeemed", "points_balance"),
        id_columns=("customer_id",),
        description="Quarterly loyalty-programme snapshots per member.",
    ),
    "referrals": TableSpec(
        columns=(
            "referral_id", "referrer_id", "referee_id", "channel", "invited_at", "signed_up_at",
            "processed_at", "first_order_at", "reward_hkd",
        ),
        dates=("invited_at", "signed_up_at", "processed_at", "first_order_at"),
        numeric=("reward_hkd",),
        id_columns=("referrer_id", "referee_id"),
        description="Referral invitations, sign-ups and their processing time (online vs offline).",
    ),
    "welcome_offers": TableSpec(
        columns=("customer_id", "join_date", "offer", "value_hkd", "taken_up_at", "order_id"),
        dates=("join_date", "taken_up_at"),
        numeric=("value_hkd",),
        id_columns=("customer_id",),
        description="New-membership scheme: the welcome offer each new member got and whether it was used.",
    ),
    "web_sessions": TableSpec(
        columns=(
            "session_id", "customer_id", "started_at", "device", "landing_page", "pages_viewed",
            "bounced", "added_to_cart", "purchased", "discount_pct", "order_value_hkd",
        ),
        dates=("started_at",),
        numeric=("pages_viewed", "discount_pct", "order_value_hkd"),
        id_columns=("customer_id",),
        description="Web and app sessions: landing page, depth, cart and purchase, discount shown.",
    ),
    "leads": TableSpec(
        columns=(
            "lead_id", "method", "source_detail", "cost_hkd", "first_touch_at", "converted_at",
            "customer_id", "district", "age_band", "interest", "pages_viewed", "engaged",
            "lawful_source", "consent_recorded", "first_year_value_hkd",
        ),
        dates=("first_touch_at", "converted_at"),
        numeric=("cost_hkd", "pages_viewed", "first_year_value_hkd"),
        id_columns=("customer_id",),
        description="Prospects from the six prospecting methods, their cost, conversion and cycle time.",
    ),
    "keyword_ads": TableSpec(
        columns=("week", "keyword", "match_type", "impressions", "clicks", "cost_hkd", "conversions", "revenue_hkd"),
        dates=("week",),
        numeric=("impressions", "clicks", "cost_hkd", "conversions", "revenue_hkd"),
        description="Weekly search-engine keyword ad statistics.",
    ),
    "influencer_posts": TableSpec(
        columns=(
            "post_id", "influencer", "platform", "posted_at", "followers", "reach", "clicks",
            "signups_direct", "signups_followon", "fee_hkd",
        ),
        dates=("posted_at",),
        numeric=("followers", "reach", "clicks", "signups_direct", "signups_followon", "fee_hkd"),
        description="Key-person (influencer) posts, reach and attributed sign-ups.",
    ),
    "videos": TableSpec(
        columns=("video_id", "platform", "title", "published_at", "views", "clicks", "signups", "cost_hkd"),
        dates=("published_at",),
        numeric=("views", "clicks", "signups", "cost_hkd"),
        description="Online videos on social platforms: views, clicks, sign-ups.",
    ),
    "unsubscribe_requests": TableSpec(
        columns=("request_id", "customer_id", "channel", "received_at", "processed_at"),
        dates=("received_at", "processed_at"),
        id_columns=("customer_id",),
        description="Unsubscribe requests with when they were received and processed (empty = never).",
    ),
    "messages": TableSpec(
        columns=(
            "message_id", "campaign_id", "channel", "subject", "sender_info", "unsubscribe_en",
            "unsubscribe_zh", "sent_at",
        ),
        dates=("sent_at",),
        description="The commercial electronic messages behind the campaigns, with UEMO flags.",
    ),
    "assets": TableSpec(
        columns=("asset_id", "asset_type", "campaign_id", "owner", "licence", "licence_expiry", "used_at"),
        dates=("licence_expiry", "used_at"),
        description="Product-image and content register for copyright checks.",
    ),
    "dnc_register": TableSpec(
        columns=("phone", "registered_at"),
        dates=("registered_at",),
        pii=("phone",),
        description="Numbers on the do-not-call register (fake numbers).",
    ),
    "access_requests": TableSpec(
        columns=("request_id", "customer_id", "received_at", "responded_at"),
        dates=("received_at", "responded_at"),
        id_columns=("customer_id",),
        description="Data-access requests under PDPO s.18 and when they were answered.",
    ),
    "data_register": TableSpec(
        columns=("dataset", "purpose", "retention_days", "oldest_record_at"),
        dates=("oldest_record_at",),
        numeric=("retention_days",),
        description="Which personal data the shop keeps, for what purpose and for how long.",
    ),
}
