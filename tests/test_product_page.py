"""The product page speaks to a consumer: what it is, where from, what protects it, who may use the
mark today, brands, supply, related GIs; and carries its QR code, JSON-LD and Open Graph tags."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
import segno
from sqlalchemy import select

from gi_registry.catalog import product_page as pages
from gi_registry.catalog import queries
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.localtime import local_today
from gi_registry.models import Authorization, GIProduct, Producer
from gi_registry.web import IMAGE_SIZES
from tests import factories as f
from tests.sqlcount import statements

PUBLIC = "https://gi.example.cn"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def meta(page: str, prop: str) -> str | None:
    found = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', page)
    return unescape(found.group(1)) if found else None


def json_ld(page: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(found) == 1
    return json.loads(found[0])


@pytest.fixture
def public_client(sample_app):
    sample_app.config["PUBLIC_URL"] = PUBLIC
    return sample_app.test_client()


def test_every_protection_is_one_row_of_one_table(client, sample_ctx):
    product = db.session.scalar(
        select(GIProduct).where(GIProduct.slug == "jilin-changbaishan-renshen")
    )
    page = text(client.get("/products/jilin-changbaishan-renshen"))
    table = page[page.index('id="protections"') : page.index('id="authorized"')]
    assert table.count("<table") == 1
    assert len(product.protections) == 2
    for p in product.protections:
        assert f'data-label="类型">{p.kind_label}</td>' in table
        assert f'data-label="批准机关">{p.authority}</td>' in table
        assert f'href="{p.source_url}"' in table
    # The Australian mark: its number exactly as published, and its holder.
    assert 'data-label="公告或注册号">1402577</td>' in table
    assert 'data-label="持有人">Jilin Ginseng Association of China</td>' in table
    # The other has no published number: said so, never invented.
    assert 'data-label="公告或注册号">来源未载明</td>' in table


def test_the_summary_speaks_to_a_consumer_and_the_caveats_sit_with_the_sources(client, sample_ctx):
    published = db.session.scalars(select(GIProduct).where(GIProduct.status == "published"))
    for product in published:
        assert product.summary.startswith(product.name_zh + "是"), product.slug
        assert not re.search("据|转载|来源|网站|页面", product.summary), product.slug
    page = text(client.get("/products/meihe-dami"))
    summary = page[page.index('<p class="summary">') :]
    summary = summary[: summary.index("</p>")]
    assert "梅河口市" in summary and "据" not in summary
    # The source-by-source account follows the summary and sits just before the sources.
    record = page.index('id="record-title"')
    assert page.index('<p class="summary">') < record < page.index('id="sources"')
    assert "据新浪财经" in page[record : page.index('id="sources"')]


def test_the_protected_area_is_shown_as_region_links_and_as_text(client, sample_ctx):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "changbaishan-wuweizi"))
    page = text(client.get("/products/changbaishan-wuweizi"))
    area = page[page.index('id="area"') : page.index('id="protections"')]
    for region in product.regions:
        assert f'<a href="/regions/{region.code}">{region.full_name}</a>' in area
    assert product.scope.splitlines()[0] in area


# --- Who may use the mark today


def authorised_document(today):
    day = timedelta(days=1)
    states = {
        "valid": {"valid_from": str(today - 10 * day), "valid_to": str(today + 10 * day)},
        "open": {},  # no dates at all: valid until the office says otherwise
        "ends-today": {"valid_to": str(today)},
        "expired": {"valid_to": str(today - day)},
        "not-yet": {"valid_from": str(today + day)},
        "suspended": {"status": "suspended"},
        "revoked": {"status": "revoked"},
        "expired-status": {"status": "expired"},
        "hidden-producer": {},
    }
    producers = [
        f.producer(
            f"p-{name}",
            serial=i + 1,
            name_zh=f"测试主体{name}（示例）",
            status="pending" if name == "hidden-producer" else "active",
        )
        for i, name in enumerate(states)
    ]
    auths = [f.authorization(f"p-{name}", "test-rice", **fields) for name, fields in states.items()]
    return f.document(products=[f.product()], producers=producers, authorizations=auths)


def test_only_producers_authorised_today_are_listed_each_with_a_verify_link(app):
    client = app.test_client()
    with app.app_context():
        today = local_today()
        import_document(authorised_document(today))
        page = text(client.get("/products/test-rice"))
        section = page[
            page.index('id="authorized"') : page.index("</section>", page.index('id="authorized"'))
        ]
        for name in ("valid", "open", "ends-today"):
            assert f"测试主体{name}（示例）" in section, name
        for name in (
            "expired",
            "not-yet",
            "suspended",
            "revoked",
            "expired-status",
            "hidden-producer",
        ):
            assert f"测试主体{name}（示例）" not in section, name
        shown = db.session.scalars(
            select(Authorization)
            .join(Authorization.producer)
            .where(Producer.slug.in_(["p-valid", "p-open", "p-ends-today"]))
        ).all()
        for auth in shown:
            assert f'href="/verify/{auth.verify_token}"' in section
        assert section.count("/verify/") == 3
        # The page's facts line counts the same producers.
        assert '<a href="#authorized">3 家经营主体</a>' in page


def test_authorised_on_agrees_with_the_models_rule(app):
    with app.app_context():
        today = local_today()
        import_document(authorised_document(today))
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "test-rice"))
        listed = {a.id for a in pages.authorized_on(product, today).items}
        expected = {
            a.id
            for a in db.session.scalars(select(Authorization))
            if a.is_valid_on(today) and a.producer.is_public
        }
        assert listed == expected and len(listed) == 3


# --- Brands, supply, related products


def test_brands_are_listed_with_their_umbrella(client, sample_ctx):
    page = text(client.get("/products/meihe-dami"))
    brands = page[page.index('id="brands-title"') :]
    brands = brands[: brands.index("</section>")]
    assert '<a href="/brands/meihe-heyun-sample"><strong>梅河禾韵（示例）</strong></a>' in brands
    assert '隶属 <a href="/brands/jizhi-jipin">吉致吉品</a>' in brands


def test_an_umbrella_brand_of_a_product_comes_first(app):
    with app.app_context():
        document = f.document(
            products=[f.product()],
            brands=[
                f.brand(
                    "aa-member", name_zh="阿成员", parent="zz-umbrella", products=["test-rice"]
                ),
                f.brand("zz-umbrella", name_zh="总品牌", kind="regional", products=["test-rice"]),
            ],
        )
        import_document(document)
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "test-rice"))
        assert [b.slug for b in queries.product_brands(product)] == ["zz-umbrella", "aa-member"]


def test_current_supply_listings_only(app):
    client = app.test_client()
    with app.app_context():
        today = local_today()
        day = timedelta(days=1)
        windows = {
            "now": (today - day, today + day),
            "open": (None, None),
            "past": (today - 10 * day, today - day),
            "future": (today + day, today + 10 * day),
        }
        listings = [
            f.listing(
                f"l-{name}",
                product="test-rice",
                title=f"供应测试{name}",
                available_from=str(start) if start else None,
                available_to=str(end) if end else None,
            )
            for name, (start, end) in windows.items()
        ]
        listings += [
            f.listing("l-demand", product="test-rice", kind="demand", title="供应测试demand"),
            f.listing("l-draft", product="test-rice", status="draft", title="供应测试draft"),
        ]
        import_document(
            f.document(products=[f.product()], producers=[f.producer()], listings=listings)
        )
        page = text(client.get("/products/test-rice"))
        for name in ("now", "open"):
            assert f'<a href="/listings/l-{name}">供应测试{name}</a>' in page
        for name in ("past", "future", "demand", "draft"):
            assert f"供应测试{name}" not in page, name


def test_related_products_share_a_category_or_a_region_and_are_public(app):
    with app.app_context():
        document = f.document(
            products=[
                f.product("test-rice"),
                f.product("same-region", name_zh="同地豆", category="beans"),
                f.product("same-category", name_zh="别处米", region_codes=["220100"]),
                f.product("unrelated", name_zh="别处豆", category="beans", region_codes=["220100"]),
                f.product("hidden", name_zh="草稿米", status="draft"),
            ]
        )
        import_document(document)
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "test-rice"))
        related = [p.slug for p in pages.related_products(product)]
        assert related == ["same-region", "same-category"]


# --- Pictures


def test_hero_and_cards_carry_srcset_and_the_sizes_of_the_real_layout(client, sample_ctx):
    page = text(client.get("/products/meihe-dami"))
    hero = re.search(r'<figure class="detail-media">\s*<img ([^>]*)>', page).group(1)
    assert 'srcset="' in hero and " 1280w" in hero and " 320w" in hero
    assert f'sizes="{IMAGE_SIZES["hero"]}"' in hero
    cards = re.findall(r'<a href="/products/[^"]+" class="card-link">\s*<img ([^>]*)>', page)
    assert cards, "related products are shown as cards"
    for card in cards:
        assert f'sizes="{IMAGE_SIZES["card"]}"' in card and 'loading="lazy"' in card


# --- QR code, JSON-LD, Open Graph


def reference_svg(url: str) -> str:
    """segno's own drawing of ``url``: the page's code must be the same modules, module for module."""
    code = segno.make(url, error="m")
    return code.svg_inline(scale=4, border=4, lineclass=None, light="#fff")


def qr_path(svg: str) -> str:
    return re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)


def test_the_qr_code_encodes_the_canonical_url(public_client, sample_ctx):
    page = text(public_client.get("/products/meihe-dami"))
    shown = page[page.index('<svg role="img"') :]
    assert qr_path(shown) == qr_path(reference_svg(f"{PUBLIC}/products/meihe-dami"))
    assert qr_path(shown) != qr_path(reference_svg(f"{PUBLIC}/products/baicheng-lvdou"))
    assert "style=" not in shown[: shown.index("</svg>")]
    assert f"{PUBLIC}/products/meihe-dami" in page


def test_json_ld_is_a_product_with_true_fields_only(public_client, sample_ctx):
    page = text(public_client.get("/products/jilin-changbaishan-renshen"))
    data = json_ld(page)
    assert data["@type"] == "Product" and data["@context"] == "https://schema.org"
    assert data["name"] == "吉林长白山人参"
    assert data["url"] == f"{PUBLIC}/products/jilin-changbaishan-renshen"
    assert data["alternateName"] == ["Jilinchangbaishan ginseng", "长白山人参"]
    assert data["countryOfOrigin"] == {"@type": "Country", "name": "中国"}
    assert all(url.startswith(PUBLIC + "/media/") for url in data["image"])
    assert {"@type": "Brand", "name": "长白参语（示例）"} in data["brand"]
    assert not {"offers", "aggregateRating", "review"} & set(data)


def test_json_ld_cannot_close_its_script_element(app):
    client = app.test_client()
    with app.app_context():
        hostile = "大米</script><script>alert(1)</script>"
        import_document(f.document(products=[f.product(summary=hostile)]))
        page = text(client.get("/products/test-rice"))
    assert "<script>alert(1)" not in page
    assert json_ld(page)["description"] == hostile


def test_open_graph_tags_are_absolute_and_name_title_summary_and_picture(public_client, sample_ctx):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    page = text(public_client.get("/products/meihe-dami"))
    assert meta(page, "og:title") == "梅河大米"
    assert meta(page, "og:description") == product.summary
    assert meta(page, "og:url") == f"{PUBLIC}/products/meihe-dami"
    assert meta(page, "og:type") == "website"
    card = product.images[0].media.variants["card"]
    assert meta(page, "og:image") == f"{PUBLIC}/media/{card['file']}"
    assert meta(page, "og:image:width") == str(card["width"])
    assert f'<meta name="description" content="{product.summary}">' in page


def test_without_public_url_the_page_uses_its_host_and_says_so_in_vary(client, sample_ctx):
    response = client.get("/products/meihe-dami")
    assert meta(text(response), "og:url") == "http://localhost/products/meihe-dami"
    assert "Host" in response.vary


# --- Visibility and cost


def test_draft_products_and_pending_producers_are_404_and_hidden(client, sample_ctx):
    draft = db.session.scalar(select(GIProduct).where(GIProduct.status == "draft"))
    assert client.get(f"/products/{draft.slug}").status_code == 404
    producer = db.session.scalar(
        select(Producer).where(Producer.slug == "meihekou-hefengyuan-coop")
    )
    producer.status = "pending"
    db.session.commit()
    assert client.get(f"/producers/{producer.slug}").status_code == 404
    page = text(client.get("/products/meihe-dami"))
    assert producer.name_zh not in page  # neither authorised nor offering supply
    related = text(client.get("/products/wanchang-dami"))
    assert f'href="/products/{draft.slug}"' not in related


def test_the_product_page_runs_the_same_statements_however_many_producers(app):
    client = app.test_client()

    def count(n: int) -> int:
        with app.app_context():
            producers = [f.producer(f"p{i}", serial=i + 1) for i in range(n)]
            listings = [f.listing(f"l{i}", producer=f"p{i}", product="test-rice") for i in range(n)]
            auths = [f.authorization(f"p{i}", "test-rice") for i in range(n)]
            brands = [
                f.brand(f"b{i}", products=["test-rice"], producers=[f"p{i}"]) for i in range(n)
            ]
            import_document(
                f.document(
                    products=[f.product()],
                    producers=producers,
                    authorizations=auths,
                    listings=listings,
                    brands=brands,
                )
            )
        client.get("/products/test-rice")  # warm: first-request work is not the page's
        with statements(app) as seen:
            assert client.get("/products/test-rice").status_code == 200
        return len(seen)

    few = count(2)
    many = count(11)
    assert few == many
    assert many <= 14
