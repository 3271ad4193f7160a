"""The public boards (/listings), the listing page and the listings API: filters, order, paging,
refusals, the GI-mark badge, and what the public never sees."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, Listing
from gi_registry.services import listings as service
from gi_registry.services.unit import unit_of_work

SUPPLY = {
    "sample-meihe-dami-2026",
    "sample-baicheng-lvdou-2026",
    "sample-shenyuan-renshen-2026",
    "sample-luming-lurong-2027",
    "sample-songdian-muer-2026",
    "sample-shanlan-wine-2027",
}
DEMAND = {
    "sample-shenyuan-wuweizi-demand",
    "sample-muge-niu-demand",
    "sample-daoxiang-daogu-demand",
}
HIDDEN = {"sample-fengshi-huasheng-2026", "sample-yajiang-wuweizi-2027"}  # closed, draft


def api_slugs(client, **args) -> list[str]:
    response = client.get("/api/v1/listings", query_string={"per_page": 100, **args})
    assert response.status_code == 200, response.get_json()
    return [item["slug"] for item in response.get_json()["items"]]


def page_slugs(client, **args) -> set[str]:
    response = client.get("/listings", query_string=args)
    assert response.status_code == 200
    return set(re.findall(r'href="/listings/([a-z0-9-]+)"', response.text))


def test_the_boards_show_each_side_and_never_what_is_not_public(client):
    assert page_slugs(client, kind="supply") == SUPPLY
    assert page_slugs(client, kind="demand") == DEMAND
    assert page_slugs(client) == SUPPLY | DEMAND
    assert set(api_slugs(client)) == SUPPLY | DEMAND
    for slug in HIDDEN:
        assert client.get(f"/listings/{slug}").status_code == 404
        assert client.get(f"/api/v1/listings/{slug}").status_code == 404


def test_the_main_navigation_links_the_boards(client):
    assert 'href="/listings"' in client.get("/").text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"product": "meihe-dami"}, {"sample-meihe-dami-2026"}),
        ({"category": "deer"}, {"sample-luming-lurong-2027"}),
        # A prefecture (通化市) includes its counties (梅河口市 220581, 集安 220582 …).
        ({"region": "220500"}, {"sample-meihe-dami-2026", "sample-shanlan-wine-2027"}),
        ({"region": "220581"}, {"sample-meihe-dami-2026"}),
        ({"region": "220000", "kind": "demand"}, DEMAND),
        # Price ranges that meet [130, 300]: 人参 120–260; 山葡萄酒 68–128 and 鹿茸 380–680 do not.
        ({"price_min": "130", "price_max": "300"}, {"sample-shenyuan-renshen-2026"}),
        (
            {"price_min": "128", "price_max": "128"},
            {"sample-shenyuan-renshen-2026", "sample-shanlan-wine-2027"},
        ),
        # Availability that overlaps November 2026.
        (
            {"month": "2026-11", "kind": "supply"},
            {"sample-meihe-dami-2026", "sample-baicheng-lvdou-2026", "sample-songdian-muer-2026"},
        ),
    ],
)
def test_filters_on_the_page_and_in_the_api_agree(client, args, expected):
    got = set(api_slugs(client, **args))
    assert got == expected, got
    assert page_slugs(client, **args) == expected


def test_sorting_by_price_and_availability(client, sample_app):
    low_first = api_slugs(client, kind="supply", sort="price_asc")
    with sample_app.app_context():
        prices = [
            db.session.scalar(select(Listing.price_min).where(Listing.slug == slug))
            for slug in low_first
        ]
    assert prices == sorted(prices)
    assert api_slugs(client, kind="supply", sort="price_desc")[0] == "sample-luming-lurong-2027"
    soonest = api_slugs(client, kind="supply", sort="soonest")
    assert soonest[0] == "sample-baicheng-lvdou-2026"  # from 2026-11-15
    assert soonest[-1] == "sample-luming-lurong-2027"  # from 2027-01-05


def test_newest_first_follows_publication(sample_app):
    with sample_app.app_context():
        with unit_of_work(actor="test") as work:
            service.set_listing_status(work, "sample-shenyuan-wuweizi-demand", "rejected")
        with unit_of_work(actor="test") as work:
            # A verified organisation's: published again at once, so newest.
            service.submit_listing(work, "sample-shenyuan-wuweizi-demand", today=local_today())
    assert api_slugs(sample_app.test_client())[0] == "sample-shenyuan-wuweizi-demand"


def test_paging_is_bounded_and_pages_do_not_overlap(client):
    first = client.get("/api/v1/listings?per_page=4").get_json()
    second = client.get("/api/v1/listings?per_page=4&page=2").get_json()
    assert first["total"] == len(SUPPLY | DEMAND) and first["pages"] == 3
    assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in second["items"]}
    assert client.get("/listings?page=2").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=offer", "kind"),
        ("product=no-such-product", "product"),
        ("product=%00", "product"),
        ("category=rocks", "category"),
        ("region=abc", "region"),
        ("region=999999", "region"),
        ("region=２２００００", "region"),
        ("price_min=abc", "price_min"),
        ("price_min=NaN", "price_min"),
        ("price_min=-1", "price_min"),
        ("price_min=10&price_max=5", "price_max"),
        ("month=2027-13", "month"),
        ("month=9999-12", "month"),
        ("month=2027-1", "month"),
        ("sort=cheapest", "sort"),
        ("page=0", "page"),
        ("page=abc", "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, query, field):
    api = client.get(f"/api/v1/listings?{query}")
    assert api.status_code == 400
    assert api.get_json()["error"]["message"].startswith(f"{field}:")
    page = client.get(f"/listings?{query}")
    assert page.status_code == 400 and f"参数 {field} 有误" in page.text


def test_an_english_board_error_is_english(client):
    client.get("/lang/en?next=/")
    page = client.get("/listings?month=2027-13")
    assert page.status_code == 400 and "Write the month as YYYY-MM" in page.text


def test_the_listing_page_shows_photos_facts_producer_and_the_badge(client, sample_app):
    page = client.get("/listings/sample-meihe-dami-2026").text
    with sample_app.app_context():
        token = db.session.scalar(
            select(Authorization.verify_token).where(
                Authorization.producer.has(slug="meihekou-hefengyuan-coop"),
                Authorization.product.has(slug="meihe-dami"),
            )
        )
    assert f'href="/verify/{token}"' in page and "地理标志专用标志授权" in page
    assert 'href="/producers/meihekou-hefengyuan-coop"' in page
    # A demand listing never carries the badge.
    assert "地理标志专用标志授权" not in client.get("/listings/sample-muge-niu-demand").text
    detail = client.get("/api/v1/listings/sample-meihe-dami-2026").get_json()
    assert detail["gi_mark_authorised"] is True
    assert detail["gi_mark_verify_url"].endswith(f"/verify/{token}")
    assert detail["producer"]["slug"] == "meihekou-hefengyuan-coop"
    assert detail["region"]["code"] == "220581"


def test_the_badge_goes_when_the_authorisation_is_suspended(sample_app):
    with sample_app.app_context(), unit_of_work(actor="test"):
        auth = db.session.scalar(
            select(Authorization).where(Authorization.product.has(slug="meihe-dami"))
        )
        auth.status = "suspended"
    client = sample_app.test_client()
    assert "地理标志专用标志授权" not in client.get("/listings/sample-meihe-dami-2026").text
    board = client.get("/listings?kind=supply").text
    card = re.search(
        r'<li class="card listing-card[^"]*">((?:(?!</li>).)*sample-meihe-dami-2026.*?)</li>',
        board,
        re.S,
    )
    assert "地理标志专用标志授权" not in card.group(1)
    assert "地理标志专用标志授权" in board  # the others keep theirs
    assert (
        client.get("/api/v1/listings/sample-meihe-dami-2026").get_json()["gi_mark_authorised"]
        is False
    )


def test_a_listing_past_its_window_leaves_the_boards_and_the_api(sample_app):
    with sample_app.app_context():
        yesterday = local_today() - timedelta(days=1)
        with unit_of_work(actor="test") as work:
            listing = db.session.scalar(
                select(Listing).where(Listing.slug == "sample-muge-niu-demand")
            )
            listing.available_from = yesterday - timedelta(days=30)
            listing.available_to = yesterday
            work.history.track("listings", listing, is_new=False)
    client = sample_app.test_client()
    assert "sample-muge-niu-demand" not in api_slugs(client)
    assert "sample-muge-niu-demand" not in page_slugs(client)
    assert client.get("/listings/sample-muge-niu-demand").status_code == 404
    assert client.get("/api/v1/listings/sample-muge-niu-demand").status_code == 404
    assert client.get("/api/v1/listings/sample-muge-niu-demand/matches").status_code == 404
