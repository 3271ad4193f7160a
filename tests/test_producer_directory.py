"""The producer directory filters by region (and below), kind and the GI a producer may use today;
contact details never leave the producer's own page, in pages, API lists or public exports."""

from __future__ import annotations

import csv
import json
import re

import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.interchange import export_document, export_path, import_document
from gi_registry.models import Producer
from gi_registry.models.producers import CONTACT_FIELDS
from tests import factories as f
from tests.sqlcount import statements


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def listed(page: str) -> set[str]:
    return set(re.findall(r'<li><a href="/producers/([^"]+)"><strong>', page))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # 通化市 and below: 梅河口市, 通化县, 集安市.
        (
            "region=220500",
            {"meihekou-hefengyuan-coop", "tonghua-shanlan-winery", "jian-yajiang-family-farm"},
        ),
        ("region=220581", {"meihekou-hefengyuan-coop"}),
        (
            "kind=family_farm",
            {"taobei-qingye-family-farm", "fuyu-fengshi-family-farm", "jian-yajiang-family-farm"},
        ),
        ("region=220500&kind=family_farm", {"jian-yajiang-family-farm"}),
        ("gi=meihe-dami", {"meihekou-hefengyuan-coop"}),
        # Expired (抚松人参) and revoked (东辽黑猪) authorisations do not count.
        ("gi=fusong-renshen", set()),
        ("gi=dongliao-heizhu", set()),
        ("gi=jilin-changbaishan-renshen", {"fusong-shenyuan-co"}),
    ],
)
def test_directory_filters(client, query, expected):
    assert listed(text(client.get(f"/producers?{query}"))) == expected


def test_the_gi_filter_offers_only_gis_someone_may_use_today(client):
    page = text(client.get("/producers"))
    select_gi = page[
        page.index('<select id="f-gi"') : page.index("</select>", page.index('id="f-gi"'))
    ]
    assert 'value="meihe-dami"' in select_gi
    assert 'value="fusong-renshen"' not in select_gi  # only an expired authorisation
    assert 'value="dongliao-heizhu"' not in select_gi  # only a revoked one


@pytest.mark.parametrize(
    "query",
    [
        "region=999999",
        "region=%00",
        "kind=robot",
        "gi=no-such-gi",
        "gi=" + "x" * 500,
        "gi=jian-qinghe-yeshanshen",
        "page=-1",
        "page=99999999999",
    ],
)
def test_bad_filters_are_dropped_never_a_500(client, query):
    page = text(client.get(f"/producers?{query}"))
    assert len(listed(page)) == 12 or "page" in query


def test_paging_keeps_the_filters(sample_app):
    sample_app.config["PER_PAGE"] = 2
    client = sample_app.test_client()
    page = text(client.get("/producers?kind=family_farm"))
    assert len(listed(page)) == 2
    assert 'href="/producers?kind=family_farm&amp;page=2"' in page
    second = text(client.get("/producers?kind=family_farm&page=2"))
    assert len(listed(second)) == 1


def test_the_directory_runs_the_same_statements_however_many_producers(app):
    client = app.test_client()

    def count(n: int) -> int:
        with app.app_context():
            producers = [f.producer(f"p{i}", serial=i + 1) for i in range(n)]
            auths = [f.authorization(f"p{i}", "test-rice") for i in range(n)]
            import_document(
                f.document(products=[f.product()], producers=producers, authorizations=auths)
            )
        client.get("/producers")
        with statements(app) as seen:
            assert len(listed(text(client.get("/producers?region=220500&gi=test-rice")))) == n
        return len(seen)

    assert count(2) == count(20)


# --- Contact details


CONTACTS = {
    "address": "（示例地址）某街99号",
    "phone": "0435-7654321",
    "website": "https://coop.example.cn",
}


@pytest.fixture
def with_contacts(sample_ctx):
    producer = db.session.scalar(
        select(Producer).where(Producer.slug == "meihekou-hefengyuan-coop")
    )
    for name, value in CONTACTS.items():
        setattr(producer, name, value)
    db.session.commit()
    return producer


def test_contact_fields_are_what_the_model_calls_contact():
    assert set(CONTACT_FIELDS) == set(CONTACTS)


def test_contacts_are_on_the_producers_page_and_in_no_list(client, with_contacts):
    own = text(client.get(f"/producers/{with_contacts.slug}"))
    assert all(value in own for value in CONTACTS.values())
    bulk = [
        "/producers",
        "/producers?region=220581",
        "/producers?gi=meihe-dami",
        "/brands/jizhi-jipin",
        "/brands/meihe-heyun-sample",
        "/products/meihe-dami",
        "/regions/220581",
        "/search?q=%E6%A2%85%E6%B2%B3",
        "/api/v1/producers?per_page=100",
        "/api/v1/producers?region=220500",
        "/api/v1/search?q=%E6%A2%85%E6%B2%B3&kind=producer",
    ]
    for url in bulk:
        body = text(client.get(url))
        assert with_contacts.name_zh in body, url  # listed there…
        for value in CONTACTS.values():
            assert value not in body, (url, value)  # …without its contacts


def test_the_public_export_has_no_contacts_and_no_hidden_records(with_contacts, tmp_path):
    full = export_document()
    assert any(
        p.get("phone") == CONTACTS["phone"] for p in full["producers"]
    )  # the backup keeps them
    public = export_document(public=True)
    dumped = json.dumps(public, ensure_ascii=False)
    for value in CONTACTS.values():
        assert value not in dumped
    assert all(not set(CONTACT_FIELDS) & set(p) for p in public["producers"])
    assert all(p["status"] == "published" for p in public["products"])
    assert len(public["products"]) < len(full["products"])
    public_products = {p["slug"] for p in public["products"]}
    assert {a["product"] for a in public["authorizations"]} <= public_products
    assert all(set(b["products"]) <= public_products for b in public["brands"])

    files = export_path(tmp_path / "open", "csv", public=True)
    producers_csv = next(p for p in files if p.name == "producers.csv")
    with producers_csv.open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert not set(CONTACT_FIELDS) & set(header) and "credit_code" in header
    for path in files:
        content = path.read_text(encoding="utf-8-sig")
        assert all(value not in content for value in CONTACTS.values()), path.name


def test_the_export_command_has_a_public_switch(sample_ctx, with_contacts, tmp_path):
    target = tmp_path / "open.json"
    result = sample_ctx.test_cli_runner().invoke(args=["export", str(target), "--public"])
    assert result.exit_code == 0, result.output
    assert CONTACTS["phone"] not in target.read_text(encoding="utf-8")
