"""Matching (产销对接) on constructed cases: order, reasons and their numbers, exclusions, the API and
the /matching board."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import current_app

from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.localtime import local_today
from gi_registry.matching import scoring
from gi_registry.matching.matches import count_matches, find_matches
from gi_registry.matching.reasons import reason_lists
from gi_registry.matching.scoring import Reason, Side, score_pair
from gi_registry.models import Listing
from gi_registry.models.base import now_utc
from tests import factories as f
from tests.factories import make_user, sign_in

TODAY = date(2026, 6, 1)
# Counties: 梅河口市 and 东昌区 (both 通化市), 南关区 (长春市), all in 吉林省; 道里区 in 黑龙江省.
NEAR, SAME_PREFECTURE, SAME_PROVINCE, FAR = "220581", "220502", "220102", "230102"


def organisation(slug: str, serial: int, region: str, **fields):
    return f.producer(slug, serial=serial, name_zh=f"{slug}合作社", region_code=region, **fields)


def demand(**fields):
    record = {
        "kind": "demand",
        "producer": "buyer",
        "product": "test-rice",
        "title": "求购测试大米",
        "quantity": "10",
        "unit": "吨",
    }
    return f.listing("want", **{**record, **fields})


def supply(slug: str, producer: str, **fields):
    record = {"producer": producer, "product": "test-rice", "title": f"供应{slug}"}
    return f.listing(slug, **{**record, **fields})


def load(*listings, producers=(), products=()):
    """The buyer, four sellers (near to far) and two products of one category, plus ``listings``."""
    import_document(
        f.document(
            products=[
                f.product("test-rice"),
                f.product("other-rice", name_zh="别处大米", region_codes=[FAR]),
                f.product("test-bean", name_zh="测试红豆", category="beans"),
                *products,
            ],
            producers=[
                organisation("buyer", 1, NEAR),
                organisation("near", 2, NEAR),
                organisation("prefecture", 3, SAME_PREFECTURE),
                organisation("province", 4, SAME_PROVINCE),
                organisation("far", 5, FAR),
                *producers,
            ],
            listings=list(listings),
        )
    )


def matches_of(slug: str = "want", today: date = TODAY):
    listing = db.session.scalar(sa.select(Listing).where(Listing.slug == slug))
    return find_matches(listing, today=today)


def slugs(found) -> list[str]:
    return [m.listing.slug for m in found]


def texts(found) -> list[list[str]]:
    with current_app.test_request_context("/"):  # Chinese, as a page without the cookie
        return reason_lists([m.reasons for m in found])


def test_the_same_product_far_away_outranks_the_same_category_next_door(ctx):
    load(
        demand(region_code=NEAR),
        supply("far-rice", "far"),
        supply("near-other", "near", product="other-rice", quantity="10", unit="吨"),
    )
    found = matches_of()
    assert slugs(found) == ["far-rice", "near-other"]
    far, near = texts(found)
    assert far[0] == "同一地理标志产品"
    assert near[:2] == ["同类产品", "同在梅河口市"]
    assert found[0].score >= scoring.PRODUCT_FLOOR > scoring.CATEGORY_SPAN >= found[1].score


def test_nearer_regions_rank_higher(ctx):
    load(
        demand(region_code=NEAR),
        *(supply(name, name) for name in ("far", "province", "prefecture", "near")),
    )
    found = matches_of()
    assert slugs(found) == ["near", "prefecture", "province", "far"]
    places = [[t for t in reasons if t.startswith("同在")] for reasons in texts(found)]
    assert places == [["同在梅河口市"], ["同在通化市"], ["同在吉林省"], []]
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4


def test_a_listing_without_a_region_is_placed_at_its_producer(ctx):
    load(demand(region_code=None), supply("near", "near"), supply("far", "far"))
    found = matches_of()
    assert slugs(found) == ["near", "far"]
    assert "同在梅河口市" in texts(found)[0]


def test_each_reason_says_its_number(ctx):
    load(
        demand(
            available_from="2026-06-01",
            available_to="2026-08-31",
            price_min="5",
            price_max="6",
            price_unit="元/公斤",
        ),
        supply(
            "offer",
            "far",
            quantity="8",
            unit="吨",
            available_from="2026-05-01",
            available_to="2026-06-21",
            price_min="5.5",
            price_max="7",
            price_unit="元/公斤",
        ),
    )
    [reasons] = texts(matches_of())
    assert reasons == ["同一地理标志产品", "供货期重叠 3 周", "数量可满足 80%", "价格区间重叠"]


def test_quantity_and_price_count_only_in_the_same_unit(ctx):
    load(
        demand(price_min="5", price_max="6", price_unit="元/公斤"),
        supply("kilos", "far", quantity="8000", unit="公斤", price_min="5", price_unit="元/斤"),
        supply("tonnes", "province", quantity="20", unit="吨", price_min="4", price_unit="元/公斤"),
    )
    found = matches_of()
    assert slugs(found) == ["tonnes", "kilos"]
    tonnes, kilos = texts(found)
    assert "数量可满足 100%" in tonnes and "报价低于求购价" in tonnes
    assert not [t for t in kilos if t.startswith(("数量", "价格", "报价"))]


def test_freshness_verification_and_authorisation_are_boosts(ctx):
    load(
        demand(),
        supply("plain", "far"),
        supply("trusted", "far-trusted"),
        producers=[organisation("far-trusted", 6, FAR, verified=True)],
    )
    import_document(f.document(authorizations=[f.authorization("far-trusted", "test-rice")]))
    db.session.execute(
        sa.update(Listing)
        .where(Listing.slug == "trusted")
        .values(published_at=datetime(2026, 5, 30, 4, tzinfo=now_utc().tzinfo))
    )
    found = matches_of()
    assert slugs(found) == ["trusted", "plain"]
    assert texts(found)[0][-3:] == ["一周内发布", "主体已认证", "持有地理标志专用标志授权"]
    assert texts(found)[1] == ["同一地理标志产品", "供货期不限"]


EXCLUDED = {
    "other-demand": {"kind": "demand"},
    "closed": {"status": "closed"},
    "expired": {"status": "expired"},
    "draft": {"status": "draft"},
    "pending": {"status": "pending"},
    "rejected": {"status": "rejected"},
    "past-window": {"available_from": "2026-01-01", "available_to": "2026-05-31"},
    "own-organisation": {"producer": "buyer"},
    "suspended-producer": {"producer": "suspended"},
    "other-category": {"product": "test-bean"},
}


def test_exclusions(ctx):
    listings = [supply(slug, fields.pop("producer", "far"), **fields) for slug, fields in
                ((s, dict(v)) for s, v in EXCLUDED.items())]  # fmt: skip
    load(
        demand(),
        supply("ok", "far", available_to="2026-06-01"),
        *listings,
        producers=[organisation("suspended", 7, NEAR, status="suspended")],
    )
    assert slugs(matches_of()) == ["ok"]
    assert count_matches(db.session.scalar(sa.select(Listing).filter_by(slug="want")), TODAY) == 1


def test_a_draft_product_hides_its_listings_from_matching(ctx):
    load(
        demand(product=None, category="grain"),
        supply("hidden", "far", product="draft-rice"),
        supply("shown", "far", product="other-rice"),
        products=[f.product("draft-rice", name_zh="草稿米", status="draft")],
    )
    assert slugs(matches_of()) == ["shown"]


def test_scores_stay_between_0_and_1():
    best = dict(
        kind="supply", producer_id=2, product_id=1, category_id=1, region_code=NEAR,
        quantity=Decimal(100), unit="吨", price_min=Decimal(1), price_unit="元",
        published_on=TODAY, verified=True, authorised=True,
    )  # fmt: skip
    want = Side(1, "demand", 1, 1, 1, NEAR, Decimal(10), "吨", Decimal(1), Decimal(2), "元")
    top = score_pair(want, Side(2, **best), TODAY)
    assert top is not None and top.score == 1.0
    worst = score_pair(want, Side(3, "supply", 3, product_id=9, category_id=1), TODAY)
    assert worst is not None and 0.0 <= worst.score <= scoring.CATEGORY_SPAN
    assert score_pair(want, Side(4, "demand", 3, 1, 1), TODAY) is None  # same kind
    assert score_pair(want, Side(5, "supply", 1, 1, 1), TODAY) is None  # same organisation
    assert score_pair(want, Side(6, "supply", 3, 9, 2), TODAY) is None  # nothing in common
    assert sum(scoring.WEIGHTS.values()) == pytest.approx(1.0)


def test_window_quantity_and_price_parts():
    a = Side(1, "demand", 1, available_from=date(2026, 6, 1), available_to=date(2026, 6, 3))
    b = Side(2, "supply", 2, available_from=date(2026, 6, 2))
    assert scoring.window_part(a, b) == (pytest.approx(2 / 3), Reason("window_days", 2))
    c = Side(3, "supply", 2, available_to=date(2026, 5, 31))
    assert scoring.window_part(a, c) == (0.0, None)
    assert scoring.shared_region("220500", "220581") == ("prefecture", "220500")
    assert scoring.shared_region("220000", "220000") == ("province", "220000")
    assert scoring.shared_region("110101", "110102") == ("prefecture", "110100")
    assert scoring.shared_region(None, "220581") is None


def test_reasons_in_english(ctx):
    reasons = [
        Reason("same_product"),
        Reason("same_county", NEAR),
        Reason("quantity", 80),
        Reason("window_weeks", 1),
        Reason("window_weeks", 3),
        Reason("same_prefecture", "110100"),
    ]
    with ctx.test_request_context("/"):
        from flask_babel import force_locale

        with force_locale("en"):
            [english] = reason_lists([reasons])
    assert english == [
        "Same geographical indication product",
        "Both in Meihekou City",
        "Quantity can meet 80% of the demand",
        "Availability overlaps by 1 week",
        "Availability overlaps by 3 weeks",
        "Both in Beijing City",
    ]


def test_the_api_lists_matches_in_rank_order(app):
    client = app.test_client()
    with app.app_context():
        today = local_today()
        load(
            demand(available_from=str(today)),
            supply("near", "near", quantity="5", unit="吨"),
            supply("far", "far"),
            f.listing("draft-want", producer="buyer", kind="demand", status="draft",
                      product="test-rice"),
        )  # fmt: skip
    body = client.get("/api/v1/listings/want/matches").get_json()
    assert [item["listing"]["slug"] for item in body["items"]] == ["near", "far"]
    first = body["items"][0]
    assert set(first) == {"listing", "score", "reasons"}
    assert 0.5 <= first["score"] <= 1 and first["score"] > body["items"][1]["score"]
    assert "数量可满足 50%" in first["reasons"] and "同在梅河口市" in first["reasons"]
    assert first["listing"]["url"].endswith("/listings/near")
    assert first["listing"]["producer"]["slug"] == "near"
    assert client.get("/api/v1/listings/draft-want/matches").status_code == 404
    assert client.get("/api/v1/listings/nothing/matches").status_code == 404
    client.set_cookie("lang", "en")  # the API answers in Chinese whatever the page language
    again = client.get("/api/v1/listings/want/matches").get_json()
    assert again["items"][0]["reasons"] == first["reasons"]


def test_the_board_shows_both_sides_and_the_best_pairs(app):
    client = app.test_client()
    with app.app_context():
        load(
            demand(),
            supply("near", "near"),
            supply("bean", "far", product="test-bean"),
            supply("near-bean", "near", product="test-bean"),
            f.listing("bean-want", producer="buyer", kind="demand", product="test-bean"),
        )
    page = client.get("/matching?product=test-rice").get_data(as_text=True)
    assert "供应near" in page and "求购测试大米" in page and "supplybean" not in page
    assert page.count('class="match-pair"') == 1 and "同在梅河口市" in page
    region = client.get(f"/matching?region={NEAR}").get_data(as_text=True)
    assert region.count('class="match-pair"') == 2  # rice with rice, beans with beans
    assert "供应bean" not in region  # its producer is far away
    empty = client.get("/matching?product=no-such&region=12x").get_data(as_text=True)
    assert "请先选择一个产品、类别或地区。" in empty
    client.set_cookie("lang", "en")
    english = client.get("/matching?product=test-rice").get_data(as_text=True)
    assert "Both in Meihekou City" in english


def test_candidate_reads_are_bounded(ctx, monkeypatch, request):
    """However many listings a product has, one statement reads at most CANDIDATE_BOUND ids."""
    from gi_registry.matching import candidates

    for name in ("COUNTY_LIMIT", "PREFECTURE_LIMIT", "PROVINCE_LIMIT", "NEWEST_LIMIT"):
        monkeypatch.setattr(candidates, name, 2)
    candidates.candidate_statement.cache_clear()  # statements are built once per shape
    request.addfinalizer(candidates.candidate_statement.cache_clear)
    # The region reads use the listing's own region (an index column), not its producer's.
    load(
        demand(region_code=NEAR),
        *(supply(f"s{i}", "far") for i in range(6)),
        supply("near", "near", region_code=NEAR),
    )
    base = now_utc() - timedelta(days=30)
    for i in range(-1, 6):  # PostgreSQL sorts an empty published_at first: give every one a day
        db.session.execute(
            sa.update(Listing)
            .where(Listing.slug == (f"s{i}" if i >= 0 else "near"))
            .values(published_at=base + timedelta(days=i))
        )
    found = matches_of()
    # The newest two of the far ones, and the near one through the county read.
    assert slugs(found) == ["near", "s5", "s4"]


def test_the_category_tier_is_read_only_when_the_product_tier_is_short(ctx, monkeypatch):
    from gi_registry.matching import candidates

    load(
        demand(),
        supply("far", "far"),
        supply("near", "near"),
        supply("other", "province", product="other-rice"),
    )
    read: list[str] = []
    build = candidates.candidate_statement
    monkeypatch.setattr(
        candidates, "candidate_statement", lambda shape: read.append(shape.tier) or build(shape)
    )
    listing = db.session.scalar(sa.select(Listing).filter_by(slug="want"))
    assert slugs(find_matches(listing, limit=2, today=TODAY)) == ["near", "far"]
    assert read == ["product"]
    read.clear()
    assert slugs(find_matches(listing, limit=3, today=TODAY)) == ["near", "far", "other"]
    assert read == ["product", "category"]


def test_the_listing_page_shows_its_best_matches(app):
    client = app.test_client()
    with app.app_context():
        load(demand(), supply("near", "near"), supply("far", "far"))
    page = client.get("/listings/want").get_data(as_text=True)
    section = re.search(r'<section class="listing-matches".*?</section>', page, re.S).group(0)
    assert "匹配的供应信息" in section and "同在梅河口市" in section
    assert section.index("供应near") < section.index("供应far")
    assert 'href="/matching?product=test-rice"' in section
    client.set_cookie("lang", "en")
    english = client.get("/listings/want").get_data(as_text=True)
    assert "Matching supply" in english and "Both in Meihekou City" in english


def test_the_dashboard_counts_each_published_listings_matches(app):
    client = app.test_client()
    with app.app_context():
        load(
            demand(),
            f.listing("draft-want", producer="buyer", kind="demand", status="draft",
                      product="test-rice", title="求购草稿"),
            supply("near", "near"),
            supply("far", "far"),
            supply("bean", "far", product="test-bean"),
        )  # fmt: skip
        sign_in(client, make_user("buyer@example.com", producer="buyer"))
    panel = client.get("/portal/").get_data(as_text=True)
    assert re.search(r"求购测试大米.*?<td>2</td>\s*</tr>", panel, re.S)
    assert re.search(r"求购草稿.*?<td>0</td>\s*</tr>", panel, re.S)  # drafts are not matched
