"""Bulk downloads: gi-registry/1 JSON and a Frictionless Data Package of CSV tables."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import frictionless
import pytest
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import GIProduct, Producer
from gi_registry.opendata import files

CONTACT = ("address", "phone")


def fetch(client, path: str, **headers):
    """GET a download and close it (send_file keeps the file open until then)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def registry_json(client) -> dict:
    response = fetch(client, "/data/gi-registry.json", **{"Accept-Encoding": "identity"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data())


def package(client) -> dict[str, bytes]:
    response = fetch(client, "/data/gi-registry-csv.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_json_holds_public_records_only_and_no_contact_details(client, sample_ctx):
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    product.status = "draft"
    producer = db.session.scalar(select(Producer).where(Producer.status == "active").limit(1))
    phone, address = "0435-7654321", "梅河口市测试街 99 号"
    producer.phone, producer.address = phone, address
    db.session.commit()
    document = registry_json(client)
    assert document["format"] == "gi-registry/1"
    assert "meihe-dami" not in {p["slug"] for p in document["products"]}
    assert all(a["product"] != "meihe-dami" for a in document["authorizations"])
    assert all("meihe-dami" not in b["products"] for b in document["brands"])
    assert document["producers"] and all(
        not set(CONTACT) & set(record) for record in document["producers"]
    )
    text = json.dumps(document, ensure_ascii=False)
    assert producer.slug in {p["slug"] for p in document["producers"]}
    assert phone not in text and address not in text
    assert {p["status"] for p in document["products"]} == {"published"}
    assert {p["status"] for p in document["producers"]} == {"active"}


def test_the_json_imports_back_as_it_is(client, app):
    document = registry_json(client)
    with app.app_context():
        report = import_document(document, dry_run=True)
    assert report is not None  # validates: references to left-out records were dropped


def test_the_json_is_gzipped_for_clients_that_accept_it(client):
    plain = fetch(client, "/data/gi-registry.json", **{"Accept-Encoding": "identity"})
    packed = fetch(client, "/data/gi-registry.json", **{"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert "Accept-Encoding" in packed.headers["Vary"]


def test_the_csv_package_is_a_valid_frictionless_data_package(client, tmp_path):
    for name, data in package(client).items():
        (tmp_path / name).write_bytes(data)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert names == {"products", "protections", "brands", "producers", "authorizations", "listings"}
    for resource in descriptor["resources"]:
        assert resource["description"]
        for spec in resource["schema"]["fields"]:
            assert spec["type"] and spec["description"], (resource["name"], spec["name"])
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    # The tables hold rows, not just headers.
    assert (tmp_path / "products.csv").read_text(encoding="utf-8").count("\n") > 10


def test_the_csv_tables_carry_no_contact_columns(client):
    files_ = package(client)
    header = files_["producers.csv"].decode("utf-8").splitlines()[0].split(",")
    assert "credit_code" in header and not set(CONTACT) & set(header)


def test_a_broken_cell_makes_frictionless_fail(client, tmp_path):
    """The test above could only pass if validation looks at cells: break one and it must fail."""
    for name, data in package(client).items():
        (tmp_path / name).write_bytes(data)
    rows = (tmp_path / "authorizations.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = (
        rows[1].replace(rows[1].split(",")[3], "2025-13-45", 1)
        if rows[1].split(",")[3]
        else rows[1] + "x"
    )
    (tmp_path / "authorizations.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    assert not frictionless.validate(tmp_path / "datapackage.json").valid


def test_downloads_are_built_once_per_registry_change(client, sample_ctx, monkeypatch):
    built = []
    real_build = files.build
    monkeypatch.setattr(files, "build", lambda *a: (built.append(a[1]), real_build(*a)))
    first = fetch(client, "/data/gi-registry-csv.zip")
    fetch(client, "/data/gi-registry.json")
    client.get("/data/")
    assert len(built) == 1
    again = fetch(client, "/data/gi-registry-csv.zip", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    product = db.session.scalar(select(GIProduct).where(GIProduct.slug == "meihe-dami"))
    product.summary = "更新后的简介"
    db.session.commit()
    changed = fetch(client, "/data/gi-registry-csv.zip", **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and len(built) == 2
    assert "更新后的简介" in changed_products(changed)
    versions = [p for p in files.root().iterdir() if not p.name.startswith(".")]
    assert len(versions) <= files.KEEP_VERSIONS


def changed_products(response) -> str:
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return archive.read("products.csv").decode("utf-8")


@pytest.mark.parametrize("path", ["/data/"])
def test_the_data_page_describes_the_downloads(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'href="/data/gi-registry.json"' in html and 'href="/data/gi-registry-csv.zip"' in html
    assert "datapackage.json" in html and "尚未声明数据许可" in html
    assert "数据更新时间" in html
    assert 'href="/data/"' in client.get("/").get_data(as_text=True)  # reachable from home


def test_a_declared_licence_is_shown_and_packaged(sample_app, tmp_path):
    sample_app.config["OPEN_DATA_LICENSE"] = {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0",
    }
    client = sample_app.test_client()
    assert "Creative Commons Attribution 4.0" in client.get("/data/").get_data(as_text=True)
    descriptor = json.loads(package(client)["datapackage.json"])
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
