"""Editing GI products in the staff console: the form with its repeatable rows (protections,
sources) and region picker, named messages in both languages, version conflicts, pictures (upload,
order, cover, removal, hostile files) and archiving. One app for the module; each test its own
product."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, GIProduct
from gi_registry.services.products import save_product
from gi_registry.services.unit import unit_of_work
from tests import factories
from tests.conftest import _app_from
from tests.factories import make_user
from tests.test_media import png_header
from tests.test_staff import CSRF, FreshClient, sign_in

STAFF = "editor@example.org"


@dataclass
class Site:
    app: Flask
    staff_id: int

    def client(self, lang: str | None = None) -> FreshClient:
        client = FreshClient(self.app, self.app.response_class, use_cookies=True)
        if lang:
            client.set_cookie("lang", lang)
        with self.app.app_context():
            sign_in(client, type("U", (), {"id": self.staff_id})())
        return client


@pytest.fixture(scope="module")
def site(sample_template, databases, tmp_path_factory) -> Iterator[Site]:
    apps = _app_from(sample_template, databases, tmp_path_factory.mktemp("staff-products"))
    app = next(apps)
    with app.app_context():
        staff_id = make_user(STAFF, role="staff").id
    yield Site(app, staff_id)
    next(apps, None)


def make_product(site: Site, slug: str, **fields) -> None:
    with site.app.app_context(), unit_of_work(actor="test") as work:
        save_product(work, factories.product(slug, **fields))


def product(site: Site, slug: str) -> GIProduct:
    """The stored product, detached with what the tests read."""
    with site.app.app_context():
        item = db.session.scalar(select(GIProduct).where(GIProduct.slug == slug))
        for name in ("regions", "protections", "images", "category"):
            getattr(item, name)
        db.session.expunge_all()
        return item


def actors(site: Site, slug: str) -> list[tuple[str, dict]]:
    with site.app.app_context():
        query = (
            select(AuditEntry.actor, AuditEntry.changes)
            .where(AuditEntry.entity == "products", AuditEntry.entity_key == slug)
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in db.session.execute(query)]


def form_fields(page: str) -> dict[str, str]:
    """What the browser would send back: inputs, selected options, ticked boxes, textareas."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("submit", "file")):
            continue
        if kind and kind.group(1) == "checkbox" and " checked" not in tag:
            continue
        if kind and kind.group(1) == "checkbox" and name.group(1) in ("region_codes", "programmes"):
            fields.setdefault(name.group(1), []).append(value.group(1))
            continue
        fields[name.group(1)] = unescape(value.group(1) if value else "")
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = [tag for tag in re.findall(r"<option [^>]*>", body) if " selected" in tag]
        value = re.search(r'value="([^"]*)"', chosen[0]) if chosen else None
        fields[name] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        fields[name] = unescape(body.removeprefix("\n").removeprefix("\r\n"))
    return fields


def unescape(text: str) -> str:
    import html

    return html.unescape(text)


def edit(client, slug: str, changes: dict, *, url: str | None = None):
    """Open the form, change some fields as a person would, and send it."""
    url = url or f"/staff/products/{slug}/edit"
    page = client.get(url)
    assert page.status_code == 200
    data = form_fields(page.text) | {"submit": "1"}
    data.update(changes)
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


NEW = {
    "slug": "form-ginseng",
    "name_zh": "虚构山参",
    "name_en": "Fictional Ginseng",
    "aliases": "虚构参\n山参王",
    "category": "medicinal",
    "status": "published",
    "region_codes": ["220581", "220600"],
    "other_regions": "110101",
    "summary": "表单新建的虚构产品。",
    "programmes": "plan_featured",
    "protections-0-kind": "agri_gi",
    "protections-0-status": "approved",
    "protections-0-number": "",
    "protections-0-holder": "虚构协会",
    "protections-0-approved_on": "2015-06",
    "sources-0-title": "虚构公告",
    "sources-0-url": "https://example.org/notice",
    "sources-0-confidence": "official",
}


def test_a_product_made_in_the_form_is_stored_listed_and_public(site):
    staff = site.client()
    assert "/staff/products" in staff.get("/staff/").text  # in the staff navigation
    answer = edit(staff, "", NEW, url="/staff/products/new")
    assert answer.status_code == 303, answer.text
    assert answer.headers["Location"].endswith("/staff/products/form-ginseng/edit")
    item = product(site, "form-ginseng")
    assert (item.name_en, item.aliases, item.status) == (
        "Fictional Ginseng",
        ["虚构参", "山参王"],
        "published",
    )
    assert [r.code for r in item.regions] == ["110101", "220581", "220600"]
    assert item.programmes == ["plan_featured"]
    [protection] = item.protections
    assert (protection.kind, protection.number, protection.holder) == ("agri_gi", None, "虚构协会")
    assert item.sources == [
        {
            "title": "虚构公告",
            "url": "https://example.org/notice",
            "confidence": "official",
            "note": None,
        }
    ]
    assert item.name_pinyin  # derived on save
    assert [actor for actor, _c in actors(site, "form-ginseng")] == [STAFF]
    assert "虚构山参" in site.client().get("/products/form-ginseng").text
    listed = staff.get("/staff/products?q=form-gin&status=published").text
    assert "/staff/products/form-ginseng/edit" in listed
    assert "form-ginseng" not in staff.get("/staff/products?q=form-gin&status=draft").text
    page = staff.get("/staff/products/form-ginseng/edit").text
    assert 'href="/staff/products/form-ginseng/history"' in page
    assert 'href="/products/form-ginseng"' in page
    again = edit(staff, "", NEW, url="/staff/products/new")  # the slug is taken
    assert again.status_code == 422 and "已被另一个产品使用" in again.text


def test_rows_are_added_removed_and_bad_rows_named_in_both_languages(site):
    make_product(site, "rows-rice", protections=[factories.protection(number="2008年第1号")])
    staff = site.client()
    added = edit(staff, "rows-rice", {"submit": None, "add_protection": "1"})
    assert added.status_code == 200
    assert added.text.count("<legend>保护 第") == 3  # the stored row, the empty one, one more
    bad = {
        "protections-1-kind": "",
        "protections-1-status": "approved",
        "protections-1-number": "无类型的编号",
        "protections-2-kind": "gi_product",
        "protections-2-status": "applied",
        "protections-2-applied_on": "2020-13-45",
        "sources-0-title": "来源",
        "sources-0-confidence": "press",
        "sources-0-url": "ftp://example.org",
    }
    refused = edit(staff, "rows-rice", bad)
    assert refused.status_code == 422
    assert "保护 第 2 行：类型：不能为空" in refused.text
    assert "无类型的编号" in refused.text  # the input is kept
    english = edit(site.client("en"), "rows-rice", bad)
    assert english.status_code == 422
    assert "Protection row 2: Kind: cannot be empty" in english.text
    bad["protections-1-kind"] = "certification_mark"
    refused = edit(staff, "rows-rice", bad)  # now the service's rules: the date and the URL
    assert refused.status_code == 422
    assert "保护 第 3 行：申请日期：" in refused.text
    assert "来源 第 1 行：网址：" in refused.text
    english = edit(site.client("en"), "rows-rice", bad)
    assert "Protection row 3: Applied:" in english.text
    assert "Source row 1: Web address:" in english.text
    assert len(product(site, "rows-rice").protections) == 1  # nothing was saved
    bad |= {"protections-2-applied_on": "2020-03", "sources-0-url": "https://example.org/s"}
    bad["protections-0-remove"] = "y"
    assert edit(staff, "rows-rice", bad).status_code == 303
    item = product(site, "rows-rice")
    kinds = [(p.kind, p.number, p.applied_on) for p in item.protections]
    assert kinds == [("certification_mark", "无类型的编号", None), ("gi_product", None, "2020-03")]
    assert [s["url"] for s in item.sources] == ["https://example.org/s"]


def test_a_concurrent_edit_is_a_conflict_that_keeps_the_input(site):
    make_product(site, "race-rice")
    staff = site.client()
    url = "/staff/products/race-rice/edit"
    data = form_fields(staff.get(url).text) | {"submit": "1", "summary": "我写的摘要"}
    with site.app.app_context(), unit_of_work(actor="other") as work:
        save_product(work, factories.product("race-rice", summary="别人先保存的摘要"))
    answer = staff.post(url, data=data)
    assert answer.status_code == 409
    assert "该记录已被他人修改" in answer.text
    assert "我写的摘要" in answer.text
    assert product(site, "race-rice").summary == "别人先保存的摘要"
    garbled = staff.post(url, data=data | {"version": "x"})
    assert garbled.status_code == 409, re.findall(r"<li>.*?</li>", garbled.text)[:5]


def picture(color, fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), color).save(buffer, fmt)
    return buffer.getvalue()


def token_and_version(client, slug: str) -> dict:
    page = client.get(f"/staff/products/{slug}/edit").text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return {"csrf_token": CSRF.search(page).group(1), "version": version}


def upload(client, slug: str, files: list[tuple[bytes, str]], alt: str = "图"):
    data = token_and_version(client, slug) | {"alt": alt, "upload": "1"}
    data["images"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(
        f"/staff/products/{slug}/images", data=data, content_type="multipart/form-data"
    )


def image_ids(site: Site, slug: str) -> list[int]:
    return [link.media_id for link in product(site, slug).images]


def test_pictures_are_uploaded_ordered_made_cover_and_removed(site):
    make_product(site, "photo-rice")
    staff = site.client()
    answer = upload(
        staff,
        "photo-rice",
        [(picture((200, 0, 0)), "a.png"), (picture((0, 0, 200), "JPEG"), "b.jpg")],
    )
    assert answer.status_code == 303
    first, second = image_ids(site, "photo-rice")
    act = lambda media_id, button: staff.post(  # noqa: E731
        f"/staff/products/photo-rice/images/{media_id}",
        data=token_and_version(staff, "photo-rice") | {button: "1"},
    )
    assert act(second, "cover").status_code == 303
    assert image_ids(site, "photo-rice") == [second, first]
    assert act(second, "down").status_code == 303
    assert image_ids(site, "photo-rice") == [first, second]
    assert "第一张图片是封面" in staff.get("/staff/products/photo-rice/edit").text
    assert act(first, "remove").status_code == 303
    assert image_ids(site, "photo-rice") == [second]
    stale = staff.post(
        f"/staff/products/photo-rice/images/{second}",
        data=token_and_version(staff, "photo-rice") | {"version": "1", "remove": "1"},
    )
    assert stale.status_code == 303 and image_ids(site, "photo-rice") == [second]
    assert "该记录已被他人修改" in staff.get("/staff/products/photo-rice/edit").text
    image_changes = [c["images"] for a, c in actors(site, "photo-rice") if c and "images" in c]
    assert image_changes == [
        [[], [first]],
        [[first], [first, second]],
        [[first, second], [second, first]],
        [[second, first], [first, second]],
        [[first, second], [second]],
    ]
    assert {a for a, c in actors(site, "photo-rice") if c and "images" in c} == {STAFF}
    assert (
        staff.post(
            "/staff/products/photo-rice/images/999999",
            data=token_and_version(staff, "photo-rice") | {"up": "1"},
        ).status_code
        == 404
    )


def test_hostile_files_are_refused_with_a_message_not_a_500(site):
    make_product(site, "hostile-rice")
    staff = site.client()
    html = b"<html><script>alert(1)</script></html>"
    for files in (
        [(html, "evil.jpg")],
        [(png_header(60_000, 60_000), "bomb.png")],
        [(picture((0, 200, 0)), "good.png"), (html, "evil.jpg")],
    ):
        answer = upload(staff, "hostile-rice", files)
        assert answer.status_code == 422, answer.status_code
        assert "上传图片：" in answer.text
        assert image_ids(site, "hostile-rice") == []
    assert "第 2 个文件：" in answer.text
    english = upload(site.client("en"), "hostile-rice", [(html, "evil.jpg")])
    assert english.status_code == 422 and "Upload pictures:" in english.text
    nothing = upload(staff, "hostile-rice", [])
    assert nothing.status_code == 422


def test_archiving_hides_a_product_and_restoring_makes_it_a_draft(site):
    make_product(site, "shelf-rice", name_zh="虚构归档米")
    staff, visitor = site.client(), site.client()
    assert visitor.get("/products/shelf-rice").status_code == 200
    assert "shelf-rice" in visitor.get("/search?q=虚构归档米").text
    form = token_and_version(staff, "shelf-rice")
    assert (
        staff.post("/staff/products/shelf-rice/archive", data=form | {"archive": "1"}).status_code
        == 303
    )
    item = product(site, "shelf-rice")
    assert item.status == "archived" and item.archived_at is not None
    assert visitor.get("/products/shelf-rice").status_code == 404
    assert "shelf-rice" not in visitor.get("/search?q=虚构归档米").text
    assert "shelf-rice" in staff.get("/staff/products?status=archived").text
    page = staff.get("/staff/products/shelf-rice/edit").text
    assert "该产品已归档" in page
    form = token_and_version(staff, "shelf-rice")
    assert (
        staff.post("/staff/products/shelf-rice/archive", data=form | {"restore": "1"}).status_code
        == 303
    )
    item = product(site, "shelf-rice")
    assert (item.status, item.archived_at) == ("draft", None)
    assert [a for a, _c in actors(site, "shelf-rice")][-2:] == [STAFF, STAFF]
