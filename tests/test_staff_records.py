"""Registry editing in the staff area: brands (umbrella and members), categories and registry
producers, through the pages, on one sample app for the module. Each change is in the history under
the staff user's name; a concurrent edit is a conflict that keeps the input; bad input is named."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Brand, Category, Producer, User
from gi_registry.services.brands import save_brand
from gi_registry.services.history import SNAPSHOTS
from gi_registry.services.reference import ensure_categories, ensure_reference_data
from gi_registry.services.unit import unit_of_work
from tests.conftest import _app_from
from tests.factories import credit_code, make_user
from tests.test_staff import CSRF, FreshClient, picture

STAFF = "registrar@example.org"
UMBRELLA = "jizhi-jipin"  # sample: the province's umbrella brand 吉致吉品


@pytest.fixture(scope="module")
def app(sample_template, databases, tmp_path_factory) -> Iterator[Flask]:
    yield from _app_from(sample_template, databases, tmp_path_factory.mktemp("records"))


@pytest.fixture(scope="module")
def staff_id(app) -> int:
    with app.app_context():
        return make_user(STAFF, role="staff").id


def client(app: Flask, user_id: int | None = None, lang: str | None = None) -> FreshClient:
    browser = FreshClient(app, app.response_class, use_cookies=True)
    if lang:
        browser.set_cookie("lang", lang)
    if user_id is not None:
        with browser.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
    return browser


def form_page(browser: FreshClient, url: str) -> tuple[str, str]:
    """The page's text and its CSRF token."""
    page = browser.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return page.text, CSRF.search(page.text).group(1)


def version_in(page: str) -> str:
    return re.search(r'id="version" name="version" type="hidden" value="([^"]*)"', page).group(1)


def actors(app: Flask, entity: str, key: str) -> list[str]:
    with app.app_context():
        query = select(AuditEntry.actor).where(
            AuditEntry.entity == entity, AuditEntry.entity_key == key
        )
        return list(db.session.scalars(query.order_by(AuditEntry.id)))


def brand_fields(**changes) -> dict:
    fields = {
        "name_zh": "测试成员品牌",
        "name_en": "Test Member Brand",
        "slug": "",
        "kind": "enterprise",
        "parent": UMBRELLA,
        "trademark_number": "",
        "description": "一个测试用的成员品牌。",
        "products": "meihe-dami",
        "producers": "",
        "sources-0-title": "测试来源",
        "sources-0-url": "https://example.org/brand",
        "sources-0-confidence": "press",
        "sources-0-note": "",
        "status": "published",
    }
    return fields | changes


# -- brands -----------------------------------------------------------------------------------------


def test_a_new_member_brand_shows_under_its_umbrella(app, staff_id):
    staff = client(app, staff_id)
    _page, csrf = form_page(staff, "/staff/brands/new")
    answer = staff.post("/staff/brands/new", data={"csrf_token": csrf, **brand_fields()})
    assert answer.status_code == 303, answer.text
    slug = answer.headers["Location"].split("/")[-2]
    assert slug == "ce-shi-cheng-yuan-pin-pai"  # from the name's pinyin
    public = client(app).get(f"/brands/{slug}").text
    assert "吉致吉品" in public and "隶属区域公用品牌" in public
    assert "测试成员品牌" in client(app).get(f"/brands/{UMBRELLA}").text
    umbrella_page = staff.get(f"/staff/brands/{UMBRELLA}/edit").text
    assert f"/staff/brands/{slug}/edit" in umbrella_page and "成员品牌" in umbrella_page
    assert f'href="/staff/brands/{slug}/history"' in staff.get(f"/staff/brands/{slug}/edit").text
    with app.app_context():
        record = SNAPSHOTS["brands"](db.session.scalar(select(Brand).where(Brand.slug == slug)))
    assert record["parent"] == UMBRELLA and record["products"] == ["meihe-dami"]
    assert record["sources"][0]["title"] == "测试来源"
    assert actors(app, "brands", slug) == [STAFF]
    assert STAFF in staff.get(f"/staff/brands/{slug}/history").text
    listed = staff.get("/staff/brands?q=测试成员").text
    assert f"/staff/brands/{slug}/edit" in listed and "吉致吉品" in listed


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "zh",
            ["中文名称：", "关联的地理标志产品：找不到 no-such-gi", "品牌类型：", "来源：第 1 条"],
        ),
        ("en", ["Chinese name:", "Related GI products: not found: no-such-gi", "Brand type:"]),
    ],
)
def test_bad_brand_input_is_named_and_nothing_is_written(app, staff_id, lang, words):
    staff = client(app, staff_id, lang=lang)
    _page, csrf = form_page(staff, "/staff/brands/new")
    bad = brand_fields(
        name_zh="",
        name_en="Refused Brand",
        kind="galaxy",
        products="no-such-gi",
        **{"sources-0-title": ""},
    )
    answer = staff.post("/staff/brands/new", data={"csrf_token": csrf, **bad})
    assert answer.status_code == 422
    text = html.unescape(answer.text)
    for word in words:
        assert word in text, word
    with app.app_context():
        assert db.session.scalar(select(Brand).where(Brand.name_en == "Refused Brand")) is None


def test_a_concurrent_edit_is_a_conflict_that_keeps_the_input(app, staff_id):
    staff = client(app, staff_id)
    url = "/staff/brands/baicheng-qingzhu-sample/edit"
    page, csrf = form_page(staff, url)
    shown = version_in(page)
    with app.app_context():  # someone else saves in between
        brand = db.session.scalar(select(Brand).where(Brand.slug == "baicheng-qingzhu-sample"))
        with unit_of_work(actor="other@example.org") as work:
            save_brand(work, SNAPSHOTS["brands"](brand) | {"description": "别人先改了"})
    mine = brand_fields(
        name_zh="青竹测试", parent="", products="", description="我的修改不能丢", version=shown
    )
    answer = staff.post(url, data={"csrf_token": csrf, **mine})
    assert answer.status_code == 409
    assert "已被他人修改" in answer.text and "我的修改不能丢" in answer.text
    with app.app_context():
        brand = db.session.scalar(select(Brand).where(Brand.slug == "baicheng-qingzhu-sample"))
        assert brand.description == "别人先改了"


def test_archiving_a_brand_hides_it_and_unarchiving_makes_it_a_draft(app, staff_id):
    staff = client(app, staff_id)
    slug = "shuangyang-luming-sample"
    url = f"/staff/brands/{slug}/edit"
    assert client(app).get(f"/brands/{slug}").status_code == 200
    page, csrf = form_page(staff, url)
    version = version_in(page)
    done = staff.post(
        f"/staff/brands/{slug}/archive", data={"csrf_token": csrf, "version": version}
    )
    assert done.status_code == 303
    assert client(app).get(f"/brands/{slug}").status_code == 404
    assert slug in staff.get("/staff/brands?status=archived").text
    assert slug not in staff.get("/staff/brands").text
    page, csrf = form_page(staff, url)
    staff.post(
        f"/staff/brands/{slug}/unarchive",
        data={"csrf_token": csrf, "version": version_in(page)},
    )
    with app.app_context():
        brand = db.session.scalar(select(Brand).where(Brand.slug == slug))
        assert (brand.status, brand.archived_at) == ("draft", None)
    assert actors(app, "brands", slug)[-2:] == [STAFF, STAFF]


# -- categories -------------------------------------------------------------------------------------


def category(app: Flask, code: str) -> tuple | None:
    with app.app_context():
        found = db.session.scalar(select(Category).where(Category.code == code))
        return found and (found.name_zh, found.name_en, found.position)


def test_a_category_rename_survives_the_setup(app, staff_id):
    staff = client(app, staff_id)
    page, csrf = form_page(staff, "/staff/categories/beans")
    renamed = {"name_zh": "杂粮与豆类", "name_en": "Coarse grains and beans"}
    stale = {"csrf_token": csrf, "version": version_in(page), **renamed}
    answer = staff.post("/staff/categories/beans", data=stale)
    assert answer.status_code == 303
    assert (
        staff.post("/staff/categories/beans", data=stale | {"name_zh": "再改"}).status_code == 409
    )
    _page, csrf = form_page(staff, "/staff/categories")
    moved = staff.post("/staff/categories/beans/move", data={"csrf_token": csrf, "up": "1"})
    assert moved.status_code == 303
    before = category(app, "beans")
    assert before == ("杂粮与豆类", "Coarse grains and beans", 0)
    with app.app_context(), unit_of_work(actor="setup") as work:
        assert ensure_categories(work) == 0
        ensure_reference_data(work)
    assert category(app, "beans") == before
    assert staff.get("/staff/categories/be%00ans").status_code == 404
    assert "杂粮与豆类" in client(app).get("/products").text
    assert actors(app, "categories", "beans")[1:] == [STAFF, STAFF]  # after init-db: rename, move


def test_adding_and_removing_categories(app, staff_id):
    staff = client(app, staff_id)
    _page, csrf = form_page(staff, "/staff/categories")
    added = {"csrf_token": csrf, "code": "honey", "name_zh": "蜂产品", "name_en": "Bee products"}
    assert staff.post("/staff/categories/new", data=added).status_code == 303
    assert category(app, "honey")[:2] == ("蜂产品", "Bee products")
    twice = staff.post("/staff/categories/new", data=added | {"name_zh": "粮食"})
    assert twice.status_code == 422
    assert (
        "代码：honey 已存在" in twice.text and "中文名称：“粮食”已是另一个类别的名称" in twice.text
    )
    english = client(app, staff_id, lang="en")
    _page, csrf = form_page(english, "/staff/categories")
    refused = english.post(
        "/staff/categories/new", data={"csrf_token": csrf, "code": "X", "name_zh": ""}
    )
    assert refused.status_code == 422
    assert "Chinese name: please enter" in html.unescape(refused.text)
    _page, csrf = form_page(staff, "/staff/categories")
    remove = {"csrf_token": csrf, "remove": "1"}
    assert staff.post("/staff/categories/grain/move", data=remove).status_code == 303
    assert "产品类别“粮食”正被" in staff.get("/staff/categories").text  # in use: refused
    staff.post("/staff/categories/honey/move", data=remove)
    assert category(app, "grain") is not None and category(app, "honey") is None
    with app.app_context():
        actions = [
            (e.actor, e.action)
            for e in db.session.scalars(
                select(AuditEntry).where(AuditEntry.entity_key == "honey").order_by(AuditEntry.id)
            )
        ]
    assert actions == [(STAFF, "create"), (STAFF, "archive")]


# -- producers --------------------------------------------------------------------------------------

PRODUCER = "meihekou-hefengyuan-coop"  # sample: verified, active


def test_editing_a_producer_keeps_its_private_fields_and_archiving_hides_it(app, staff_id):
    staff = client(app, staff_id)
    with app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.slug == PRODUCER))
        fields = SNAPSHOTS["producers"](producer)
        private = (producer.contact_name, producer.contact_phone, producer.licence_file)
    assert f"/staff/producers/{PRODUCER}/edit" in staff.get(f"/staff/organisations/{PRODUCER}").text
    url = f"/staff/producers/{PRODUCER}/edit"
    page, csrf = form_page(staff, url)
    assert f'href="/staff/producers/{PRODUCER}/history"' in page
    data = {
        "csrf_token": csrf,
        "version": version_in(page),
        "name": fields["name_zh"],
        "credit_code": fields["credit_code"],
        "kind": fields["kind"],
        "region": fields["region_code"],
        "address": fields["address"],
        "phone": fields["phone"],
        "website": fields["website"] or "",
        "description": "工作人员核对后更新的简介。",
        "verified": "y",
    }
    assert staff.post(url, data=data).status_code == 303
    assert "工作人员核对后更新的简介。" in client(app).get(f"/producers/{PRODUCER}").text
    stale = staff.post(url, data=data | {"description": "过时的修改"})
    assert stale.status_code == 409 and "过时的修改" in stale.text
    bad = staff.post(url, data=data | {"name": "", "region": "999999", "version": ""})
    assert bad.status_code == 422
    assert "名称：不能为空" in bad.text and "所在地区：未知的行政区划代码 999999" in bad.text
    with app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.slug == PRODUCER))
        assert (producer.contact_name, producer.contact_phone, producer.licence_file) == private
        version = producer.version
    archive = {"csrf_token": csrf, "version": version}
    assert staff.post(f"/staff/producers/{PRODUCER}/archive", data=archive).status_code == 303
    assert client(app).get(f"/producers/{PRODUCER}").status_code == 404
    assert actors(app, "producers", PRODUCER)[-2:] == [STAFF, STAFF]


def test_a_producer_without_a_portal_account(app, staff_id):
    staff = client(app, staff_id, lang="en")
    _page, csrf = form_page(staff, "/staff/producers/new")
    code = credit_code(region="220581", serial=977)
    data = {
        "csrf_token": csrf,
        "name": "梅河口市公开来源米业有限公司",
        "credit_code": code,
        "kind": "enterprise",
        "region": "220581",
        "address": "",
        "phone": "",
        "website": "",
        "description": "据公开的企业信用信息登记。",
    }
    answer = staff.post("/staff/producers/new", data=data)
    assert answer.status_code == 303
    slug = answer.headers["Location"].rsplit("/", 1)[-1]
    assert client(app).get(f"/producers/{slug}").status_code == 200
    again = staff.post("/staff/producers/new", data=data)
    assert again.status_code == 422
    assert f"Unified social credit code: already registered as producer {slug}" in html.unescape(
        again.text
    )
    with app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
        assert (producer.status, producer.contact_name) == ("active", "")
        assert db.session.scalar(select(User.id).where(User.producer_id == producer.id)) is None


# -- brand pictures ---------------------------------------------------------------------------------


def brand_pictures(app: Flask, slug: str) -> list[int]:
    with app.app_context():
        brand = db.session.scalar(select(Brand).where(Brand.slug == slug))
        return [link.media_id for link in brand.images]


def pictures_version(page: str) -> str:
    """The version the picture forms carry (below the pictures' heading)."""
    below = page.split('id="images"', 1)[1]
    return re.search(r'name="version" type="hidden" value="(\d+)"', below).group(1)


def test_brand_pictures_upload_cover_and_remove(app, staff_id):
    slug, url = "changbai-shenyu-sample", "/staff/brands/changbai-shenyu-sample/edit"
    staff = client(app, staff_id)
    before = brand_pictures(app, slug)
    page, csrf = form_page(staff, url)
    upload = {"csrf_token": csrf, "version": version_in(page), "alt": "测试图片"}
    hostile = staff.post(
        f"/staff/brands/{slug}/images",
        data=upload | {"images": [(io.BytesIO(b"<svg onload=alert(1)>"), "x.jpg")]},
        content_type="multipart/form-data",
    )
    assert hostile.status_code == 303 and brand_pictures(app, slug) == before
    assert "上传图片：无法识别的图片文件" in staff.get(url).text
    good = staff.post(
        f"/staff/brands/{slug}/images",
        data=upload | {"images": [(io.BytesIO(picture()), "photo.png")]},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    added = brand_pictures(app, slug)[-1]
    assert added not in before
    page, csrf = form_page(staff, url)
    action = {"csrf_token": csrf, "version": pictures_version(page)}
    staff.post(f"/staff/brands/{slug}/images/{added}", data=action | {"cover": "1"})
    assert brand_pictures(app, slug) == [added, *before]
    assert 'src="/media/' in client(app).get(f"/brands/{slug}").text
    page, csrf = form_page(staff, url)
    action["version"] = pictures_version(page)
    staff.post(f"/staff/brands/{slug}/images/{added}", data=action | {"remove": "1"})
    assert brand_pictures(app, slug) == before
    assert actors(app, "brands", slug)[-3:] == [STAFF] * 3
