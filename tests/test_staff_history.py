"""History and restore in the staff area: each record's changes with who made them and each field
before → after, restoring an earlier version (through the confirmation page, as a new entry naming
the staff user), un-archiving by restore, a page for every kind of record, and the audit trail.

One app for the module (the sample registry); each test changes records of its own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Brand, FeatureSlot, GIProduct, User
from gi_registry.services.brands import archive_brand
from gi_registry.services.history import SNAPSHOTS, entity_key
from gi_registry.services.products import archive_product, save_product
from gi_registry.services.promotion import update_slot
from gi_registry.services.records import MODELS
from gi_registry.services.revisions import RESTORED_FROM, record_history
from gi_registry.services.stations import submit_request
from gi_registry.services.unit import unit_of_work
from gi_registry.staff.diffs import marked_text
from tests.conftest import _app_from
from tests.factories import make_user
from tests.test_staff import CSRF, FreshClient

PRODUCT = "meihe-dami"
BRAND = "baicheng-qingzhu-sample"


@dataclass
class World:
    app: Flask
    editor_id: int  # staff user A, who edits through the services
    curator_id: int  # staff user B, who reads history and restores through the pages

    def client(self, user_id: int, lang: str | None = None) -> FreshClient:
        client = FreshClient(self.app, self.app.response_class, use_cookies=True)
        if lang:
            client.set_cookie("lang", lang)
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        return client


@pytest.fixture(scope="module")
def world(sample_template, databases, tmp_path_factory) -> Iterator[World]:
    apps = _app_from(sample_template, databases, tmp_path_factory.mktemp("history"))
    app = next(apps)
    with app.app_context():
        editor = make_user("editor@example.org", role="staff")
        curator = make_user("curator@example.org", role="staff")
        with unit_of_work(actor="test") as work:  # the one kind the sample has none of
            submit_request(
                work,
                "fusong-station-sample",
                {
                    "topic": "gi_mark",
                    "question": "请问如何申请使用地理标志专用标志？",
                    "requester_name": "测试人",
                    "contact": "13900000000",
                },
            )
        world = World(app, editor.id, curator.id)
    yield world
    next(apps, None)  # drop the database


def edit_product(world: World, user_id: int, slug: str, **changes) -> None:
    with world.app.app_context():
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == slug))
        with unit_of_work(user=db.session.get(User, user_id)) as work:
            save_product(work, SNAPSHOTS["products"](product) | changes)


def newest_entry(world: World, kind: str, key: str) -> AuditEntry:
    with world.app.app_context():
        query = select(AuditEntry).where(AuditEntry.entity == kind, AuditEntry.entity_key == key)
        entry = db.session.scalar(query.order_by(AuditEntry.id.desc()).limit(1))
        db.session.expunge(entry)
        return entry


def restore_through_pages(client, kind: str, key: str, revision_id: int):
    """The history page's button, then the confirmation page's confirm."""
    history = client.get(f"/staff/{kind}/{key}/history")
    token = CSRF.search(history.text).group(1)
    url = f"/staff/{kind}/{key}/history/{revision_id}/restore"
    confirmation = client.post(url, data={"csrf_token": token})
    assert confirmation.status_code == 200, confirmation.text
    version = re.search(r'name="version" type="hidden" value="(\d*)"', confirmation.text).group(1)
    answer = client.post(url, data={"csrf_token": token, "version": version, "confirm": "1"})
    return confirmation, answer


def test_history_names_the_editor_and_shows_each_field_before_and_after(world):
    with world.app.app_context():
        old = SNAPSHOTS["products"](
            db.session.scalar(select(GIProduct).where(GIProduct.slug == PRODUCT))
        )
    edit_product(
        world,
        world.editor_id,
        PRODUCT,
        summary="梅河大米是测试改写的摘要。",
        description=old["description"].replace("2006年第191号公告", "2006年第192号公告"),
        programmes=["gi_demo_zone"],
        region_codes=["220502", "220581"],
    )
    page = world.client(world.curator_id).get(f"/staff/products/{PRODUCT}/history")
    assert page.status_code == 200
    text = page.text
    newest = text.split('class="revision"')[1]  # newest first
    assert "editor@example.org" in newest
    # Long text: only the changed words are marked, the rest is context.
    assert (
        "摘要" in newest and "梅河大米是<del>吉林省梅河口市出产</del><ins>测试改写</ins>" in newest
    )
    assert "国家质检总局以2006年第<del>191</del><ins>192</ins>号公告" in newest
    # A list: the programme removed, by its label.
    assert "<del>2021年“吉林十大地理标志”</del>" in newest
    assert "<ins>东昌区 220502</ins>" in newest  # a region code with its name
    assert f'href="/products/{PRODUCT}"' in text  # the public page


def test_restore_brings_the_old_fields_back_as_a_new_entry_by_the_restorer(world):
    with world.app.app_context():
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "baicheng-lvdou"))
        old_summary = product.summary
        product_id = product.id
    edit_product(world, world.editor_id, "baicheng-lvdou", summary="被改坏的摘要")
    with world.app.app_context():
        before_edit = record_history("products", product_id)[1].id
    curator = world.client(world.curator_id)
    confirmation, answer = restore_through_pages(curator, "products", "baicheng-lvdou", before_edit)
    preview = confirmation.text.split('class="diff-text"')[1]  # now → then: the summary only
    assert "<del>被改坏</del><ins>" + old_summary[:4] in preview
    assert confirmation.text.count('class="cell-head"') == 1
    assert answer.status_code == 303
    entry = newest_entry(world, "products", "baicheng-lvdou")
    assert entry.user_id == world.curator_id
    assert entry.changes[RESTORED_FROM] == [None, before_edit]
    assert entry.changes["summary"] == ["被改坏的摘要", old_summary]
    assert old_summary in curator.get("/products/baicheng-lvdou").text
    history = curator.get("/staff/products/baicheng-lvdou/history").text
    assert f"恢复自第 {before_edit} 条记录" in history


def test_a_stale_confirmation_is_refused_with_a_message(world):
    edit_product(world, world.editor_id, "baicheng-yanmai", summary="第一次修改")
    curator = world.client(world.curator_id)
    with world.app.app_context():
        product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "baicheng-yanmai"))
        first, version = record_history("products", product.id)[-1].id, product.version
    url = f"/staff/products/baicheng-yanmai/history/{first}/restore"
    token = CSRF.search(curator.get(url).text).group(1)
    edit_product(world, world.editor_id, "baicheng-yanmai", summary="同时的第二次修改")
    answer = curator.post(url, data={"csrf_token": token, "version": version, "confirm": "1"})
    assert answer.status_code == 409
    assert "已被他人修改" in answer.text
    entry = newest_entry(world, "products", "baicheng-yanmai")
    assert entry.changes["summary"][1] == "同时的第二次修改"


def test_restoring_the_version_before_an_archive_brings_the_record_back(world):
    with world.app.app_context(), unit_of_work(actor="test") as work:
        archive_brand(work, BRAND)
    curator = world.client(world.curator_id)
    assert curator.get(f"/brands/{BRAND}").status_code in (404, 410)
    with world.app.app_context():
        brand = db.session.scalar(select(Brand).where(Brand.slug == BRAND))
        before_archive = record_history("brands", brand.id)[1].id
    _confirmation, answer = restore_through_pages(curator, "brands", BRAND, before_archive)
    assert answer.status_code == 303
    with world.app.app_context():
        assert db.session.scalar(select(Brand.status).where(Brand.slug == BRAND)) == "published"
    assert curator.get(f"/brands/{BRAND}").status_code == 200
    history = curator.get(f"/staff/brands/{BRAND}/history").text
    assert f'href="/staff/brands/{BRAND}/edit"' in history  # the brand editor's page


def test_every_kind_has_a_history_page_and_a_restore_page(world):
    curator = world.client(world.curator_id)
    for kind, model in MODELS.items():
        with world.app.app_context():
            obj = db.session.scalar(select(model).order_by(model.id).limit(1))
            assert obj is not None, f"the test's world needs a record of kind {kind}"
            key = entity_key(kind, SNAPSHOTS[kind](obj))
            oldest = record_history(kind, obj.id)[-1].id
        page = curator.get(f"/staff/{kind}/{key}/history")
        assert page.status_code == 200, (kind, key, page.status_code)
        assert 'class="revision"' in page.text, kind
        if kind in ("products", "brands", "authorizations", "guidance"):  # their staff pages
            assert f'href="/staff/{kind}/{key}' in page.text.split("<h2>")[0], kind
        restore = curator.get(f"/staff/{kind}/{key}/history/{oldest}/restore")
        assert restore.status_code == 200, (kind, key, restore.status_code)


def test_unknown_kinds_keys_and_revisions_are_404_with_a_message(world):
    curator = world.client(world.curator_id)
    unknown_kind = curator.get("/staff/widgets/x/history")
    assert unknown_kind.status_code == 404 and "未知的记录类型 widgets" in unknown_kind.text
    unknown_key = curator.get("/staff/products/no-such-product/history")
    assert unknown_key.status_code == 404 and "no-such-product" in unknown_key.text
    assert curator.get("/staff/slots/abc/history").status_code == 404
    # A page past the end (or not a number) shows the last (or first) page, not an error.
    assert 'class="revision"' in curator.get(f"/staff/products/{PRODUCT}/history?page=999").text
    assert curator.get(f"/staff/products/{PRODUCT}/history?page=x").status_code == 200
    other = newest_entry(world, "products", "changbaishan-wuweizi")
    assert curator.get(f"/staff/products/{PRODUCT}/history/{other.id}/restore").status_code == 404


def test_html_in_a_value_is_shown_as_text(world):
    edit_product(world, world.editor_id, "fusong-renshen", summary="<script>alert(1)</script>")
    page = world.client(world.curator_id).get("/staff/products/fusong-renshen/history").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_audit_trail_filters_by_person_and_kind(world):
    edit_product(world, world.editor_id, "shuangyang-meihualu", summary="审计页面测试摘要")
    curator = world.client(world.curator_id)
    mine = curator.get("/staff/history?who=editor@example.org").text
    assert "/staff/products/shuangyang-meihualu/history" in mine
    assert "load-sample" not in mine and "导入示例数据" not in mine
    brands = curator.get("/staff/history?kind=brands").text
    assert "/staff/brands/" in brands and "/staff/products/" not in brands
    english = world.client(world.curator_id, lang="en").get("/staff/history")
    assert english.status_code == 200


def test_marked_text_marks_only_the_change_and_escapes():
    assert str(marked_text("甲乙丙", "甲丁丙")) == "甲<del>乙</del><ins>丁</ins>丙"
    long_before = "开头" + "长" * 200 + "旧<b>" + "尾" * 200
    marked = str(marked_text(long_before, long_before.replace("旧", "新")))
    assert "<del>旧</del><ins>新</ins>&lt;b&gt;" in marked
    assert "…" in marked and len(marked) < 200


def test_a_restore_the_service_refuses_shows_its_message(world):
    """A featured slot's earlier target was archived since: the slot's own rule refuses it."""
    with world.app.app_context():
        slot = db.session.scalar(
            select(FeatureSlot).where(FeatureSlot.product_id.is_not(None)).limit(1)
        )
        slot_id, original = slot.id, slot.product.slug
        other = db.session.scalar(
            select(GIProduct.slug).where(
                GIProduct.slug != original, GIProduct.status == "published"
            )
        )
        with unit_of_work(actor="test") as work:
            update_slot(work, slot_id, {"product": other})
        with unit_of_work(actor="test") as work:
            archive_product(work, original)
        before_change = record_history("slots", slot_id)[1].id
    curator = world.client(world.curator_id)
    _confirmation, answer = restore_through_pages(curator, "slots", str(slot_id), before_change)
    assert answer.status_code == 409
    assert "不能推荐" in answer.text
    with world.app.app_context():
        assert db.session.get(FeatureSlot, slot_id).product.slug == other
