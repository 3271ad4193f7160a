"""Every write path goes through the services: its change is in the history, with its user, and in search.

Each case makes one change the way a form of the staff console or the portal will (a service call in a
unit of work opened for a signed-in user), then reads the record's history and searches for it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import current_app
from sqlalchemy import select

from gi_registry import search
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import AuditEntry, Authorization, Brand, GIProduct, Listing, Producer, User
from gi_registry.services import authorizations, brands, images, listings, producers, products
from gi_registry.services.accounts import create_user
from gi_registry.services.errors import NotFoundError, ValidationError
from gi_registry.services.history import history
from gi_registry.services.revisions import record_history, restore_revision, revision_state
from gi_registry.services.snapshots import product_record
from gi_registry.services.unit import unit_of_work
from tests import factories as f

NAME = "雪岭测试香米"  # a name no other record has, so search finds exactly this one


@pytest.fixture
def staff(ctx) -> User:
    with unit_of_work(actor="cli:test") as work:
        user = create_user(work, "staff@example.cn", "correct horse battery", role="staff")
    return user


@pytest.fixture
def registry(ctx):
    """One product, producer, brand, authorisation and listing, imported from the command line."""
    document = f.document(
        products=[f.product(name_zh=NAME)],
        producers=[f.producer(name_zh="雪岭测试合作社（示例）", status="active")],
        brands=[f.brand(name_zh="雪岭测试品牌", products=["test-rice"])],
        authorizations=[f.authorization()],
        listings=[f.listing(title="雪岭测试香米供应", product="test-rice")],
    )
    report = import_document(document, actor="cli:test")
    assert report.ok, report.issues


def found(query: str, kind: str) -> list[str]:
    with current_app.test_request_context():  # hits carry page links
        return [hit.slug for hit in search.search(query, kind=kind).items]


def as_staff(staff: User, change: Callable) -> None:
    with unit_of_work(user=staff) as work:
        change(work)


WRITES = {
    "save a new product": (
        lambda w: products.save_product(w, f.product("new-rice", name_zh="雪岭新米")),
        ("products", "new-rice", "create", ("雪岭新米", "product", True)),
    ),
    "rename a product": (
        lambda w: products.save_product(w, f.product(name_zh="雪岭改名香米")),
        ("products", "test-rice", "update", ("雪岭改名香米", "product", True)),
    ),
    "archive a product": (
        lambda w: products.archive_product(w, "test-rice"),
        ("products", "test-rice", "archive", (NAME, "product", False)),
    ),
    "save a brand": (
        lambda w: brands.save_brand(w, f.brand(name_zh="雪岭新品牌", products=["test-rice"])),
        ("brands", "test-brand", "update", ("雪岭新品牌", "brand", True)),
    ),
    "save a producer": (
        lambda w: producers.save_producer(
            w, f.producer("snow-farm", serial=9, name_zh="雪岭家庭农场（示例）", status="active")
        ),
        ("producers", "snow-farm", "create", ("雪岭家庭农场", "producer", True)),
    ),
    "verify a producer": (
        lambda w: producers.set_producer_verified(w, "test-coop", True),
        ("producers", "test-coop", "update", ("雪岭测试合作社", "producer", True)),
    ),
    "suspend a producer": (
        lambda w: producers.set_producer_status(w, "test-coop", "suspended"),
        ("producers", "test-coop", "update", ("雪岭测试合作社", "producer", False)),
    ),
    "revoke an authorisation": (
        lambda w: authorizations.set_authorization_status(w, "test-coop", "test-rice", "revoked"),
        ("authorizations", "test-coop/test-rice", "update", None),
    ),
    "save a listing": (
        lambda w: listings.save_listing(
            w, f.listing(title="雪岭香米新季供应", product="test-rice")
        ),
        ("listings", "test-listing", "update", ("雪岭香米新季供应", "listing", True)),
    ),
    "close a listing": (
        lambda w: listings.set_listing_status(w, "test-listing", "closed"),
        ("listings", "test-listing", "update", ("雪岭测试香米供应", "listing", False)),
    ),
}
MODELS = {
    "products": GIProduct,
    "brands": Brand,
    "producers": Producer,
    "listings": Listing,
}


def entity_id(kind: str, key: str) -> int:
    if kind == "authorizations":
        producer, product = key.split("/")
        return db.session.scalar(
            select(Authorization.id)
            .join(Authorization.producer)
            .join(Authorization.product)
            .where(Producer.slug == producer, GIProduct.slug == product)
        )
    model = MODELS[kind]
    return db.session.scalar(select(model.id).where(model.slug == key))


@pytest.mark.parametrize("case", list(WRITES), ids=list(WRITES))
def test_a_service_write_is_in_the_history_with_its_user_and_in_search(registry, staff, case):
    change, (kind, key, action, searched) = WRITES[case]
    as_staff(staff, change)
    latest = record_history(kind, entity_id(kind, key))[0]
    assert (latest.action, latest.user_id, latest.user_email) == (action, staff.id, staff.email)
    assert latest.actor == staff.email and latest.changes
    if searched:
        query, search_kind, visible = searched
        slug = key.split("/")[0]
        assert (slug in found(query, search_kind)) is visible


def test_an_import_records_the_command_that_ran_it_and_no_user(registry):
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "products"))
    assert (entry.actor, entry.user_id, entry.action) == ("cli:test", None, "create")
    assert "test-rice" in found(NAME, "product")


def test_an_import_made_by_a_signed_in_user_records_that_user(ctx, staff):
    report = import_document(f.document(products=[f.product()]), user=staff, actor=None)
    assert report.ok
    [entry] = history("products", entity_id("products", "test-rice"))
    assert (entry.user_id, entry.actor) == (staff.id, staff.email)


def test_account_creation_is_in_the_history_without_the_password(ctx, staff):
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "users"))
    assert entry.entity_key == "staff@example.cn" and entry.actor == "cli:test"
    assert entry.changes == {"email": [None, "staff@example.cn"], "role": [None, "staff"]}


def test_reference_data_is_in_the_history_of_init_db(ctx):
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "regions", AuditEntry.entity_key == "220581")
    )
    assert entry.action == "create" and entry.actor.startswith("init-db")
    assert entry.changes["name"] == [None, "梅河口市"]


def test_a_refused_write_leaves_no_history_and_names_the_field(registry, staff):
    before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))
    with pytest.raises(ValidationError) as refused, unit_of_work(user=staff) as work:
        products.save_product(work, f.product(name_zh="", region_codes=["229999"]))
    assert refused.value.errors == {
        "name_zh": "不能为空",
        "region_codes": "未知的行政区划代码 229999",
    }
    assert db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())) == before
    assert products.find_product("test-rice").name_zh == NAME


def test_history_gives_each_field_before_and_after_and_restore_brings_a_state_back(registry, staff):
    product_id = entity_id("products", "test-rice")
    as_staff(staff, lambda w: products.save_product(w, f.product(name_zh="第二个名称")))
    as_staff(staff, lambda w: products.save_product(w, f.product(name_zh="第三个名称")))
    revisions = record_history("products", product_id)
    assert [r.action for r in revisions] == ["update", "update", "create"]
    assert revisions[0].changes == {"name_zh": ("第二个名称", "第三个名称")}
    created = revisions[-1]
    assert revision_state("products", product_id, created.id)["name_zh"] == NAME

    as_staff(staff, lambda w: restore_revision(w, "products", product_id, created.id))
    product = products.find_product("test-rice")
    assert product_record(product)["name_zh"] == NAME
    restored = record_history("products", product_id)[0]
    # The restore names the entry it went back to, so the history page can say "restored from".
    assert restored.changes == {
        "name_zh": ("第三个名称", NAME),
        "restored_from": (None, created.id),
    }
    assert restored.user_id == staff.id
    assert "test-rice" in found(NAME, "product")


def test_restoring_a_revision_that_does_not_exist_is_a_clear_error(registry, staff):
    product_id = entity_id("products", "test-rice")
    with pytest.raises(NotFoundError, match="没有编号为 999999 的历史记录"):
        as_staff(staff, lambda w: restore_revision(w, "products", product_id, 999999))


def test_the_history_command_shows_changes_and_restores(registry, staff, app):
    as_staff(staff, lambda w: products.save_product(w, f.product(name_zh="第二个名称")))
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["history", "products", "test-rice"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert "staff@example.cn  update" in lines[0]
    assert f'    name_zh: "{NAME}" → "第二个名称"' in lines
    created = record_history("products", entity_id("products", "test-rice"))[-1]
    restored = runner.invoke(
        args=["history", "products", "test-rice", "--restore", str(created.id)]
    )
    assert restored.exit_code == 0, restored.output
    db.session.remove()
    assert products.find_product("test-rice").name_zh == NAME
    newest = record_history("products", entity_id("products", "test-rice"))[0]
    assert newest.actor.startswith("cli:") and newest.user_id is None


def test_the_history_command_names_what_it_cannot_find(registry, app):
    result = app.test_cli_runner().invoke(args=["history", "products", "no-such-rice"])
    assert result.exit_code != 0 and "找不到地理标志产品 no-such-rice" in result.output


def picture(colour: str = "green") -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_adding_and_removing_a_picture_is_in_the_history_and_bumps_the_version(registry, staff):
    product_id = entity_id("products", "test-rice")
    version = products.find_product("test-rice").version
    added = {}
    as_staff(
        staff,
        lambda w: added.update(
            asset=images.add_image(
                w, "products", "test-rice", picture(), alt="稻田", expected_version=version
            )
        ),
    )
    media_id = added["asset"].id
    latest = record_history("products", product_id)[0]
    assert latest.changes == {"images": ([], [media_id])} and latest.user_id == staff.id
    assert products.find_product("test-rice").version == version + 1
    as_staff(staff, lambda w: images.remove_record_image(w, "products", "test-rice", media_id))
    assert record_history("products", product_id)[0].changes == {"images": ([media_id], [])}


def test_a_refused_picture_names_the_field_and_leaves_no_history(registry, staff):
    from gi_registry.media import MediaError

    before = len(record_history("products", entity_id("products", "test-rice")))
    with pytest.raises(MediaError) as refused:
        as_staff(staff, lambda w: images.add_image(w, "products", "test-rice", b"GIF89a", alt="x"))
    assert refused.value.field == "image"
    assert len(record_history("products", entity_id("products", "test-rice"))) == before


def test_the_samples_pictures_are_in_the_history_of_load_sample(sample_ctx):
    product_id = entity_id("products", "meihe-dami")
    entries = record_history("products", product_id)
    assert [e.actor for e in entries] == ["load-sample", "load-sample"]
    assert entries[0].changes["images"][0] == [] and len(entries[0].changes["images"][1]) >= 1
