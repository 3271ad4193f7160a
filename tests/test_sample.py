"""The shipped sample tells the truth: real GIs with sources, no invented numbers, fictional parts marked."""

from __future__ import annotations

import csv
import json

import pytest

from gi_registry.credit_code import is_valid_credit_code
from gi_registry.interchange.sample import SAMPLE_DIR, SAMPLE_DOCUMENT

PLAN_GIS = ["梅河大米", "白城绿豆", "长白山人参", "双阳梅花鹿", "延边黄牛", "草原红牛"]


@pytest.fixture(scope="module")
def sample():
    return json.loads(SAMPLE_DOCUMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def source_rows():
    with (SAMPLE_DIR / "jilin_gi_sources.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def names(product) -> set[str]:
    return {product["name_zh"], *product["aliases"]}


def test_the_plans_six_gis_are_there_and_published(sample):
    published = [p for p in sample["products"] if p["status"] == "published"]
    for name in PLAN_GIS:
        assert any(name in names(p) for p in published), name


def test_at_least_twelve_more_real_gis(sample):
    others = [
        p for p in sample["products"] if p["status"] == "published" and not names(p) & set(PLAN_GIS)
    ]
    assert len(others) >= 12


def test_every_product_cites_a_source_and_published_ones_a_protection(sample):
    for product in sample["products"]:
        assert product["sources"], product["slug"]
        assert all(s["title"] and s["confidence"] for s in product["sources"])
        if product["status"] == "published":
            assert product["protections"], product["slug"]


def test_numbers_and_urls_come_from_the_source_table(sample, source_rows):
    published_numbers = {r["number_as_published"] for r in source_rows if r["number_as_published"]}
    urls = {r["source_url"] for r in source_rows}
    for product in sample["products"]:
        for protection in product["protections"]:
            assert protection["number"] is None or protection["number"] in published_numbers
            assert protection["source_url"] is None or protection["source_url"] in urls
        for source in product["sources"]:
            # The provincial plan is cited by title and document number, without an address.
            assert source["url"] is None or source["url"] in urls, source


def test_the_2010_acceptance_is_not_recorded_as_an_approval(sample):
    beef = next(p for p in sample["products"] if "草原红牛" in names(p))
    acceptance = [p for p in beef["protections"] if "2010年第143号" in (p["note"] or "")]
    assert acceptance and all(p["status"] == "accepted" for p in acceptance)
    assert not any((p["approved_on"] or "").startswith("2010") for p in beef["protections"])


def test_fictional_records_are_marked(sample):
    for producer in sample["producers"]:
        assert producer["sample"] is True and producer["name_zh"].endswith("（示例）")
        assert is_valid_credit_code(producer["credit_code"])
    for brand in sample["brands"]:
        if brand["slug"] != "jizhi-jipin":
            assert brand["sample"] is True and brand["name_zh"].endswith("（示例）")
            assert brand["parent"] == "jizhi-jipin"


def test_the_umbrella_brand_has_no_invented_trademark_number(sample):
    umbrella = next(b for b in sample["brands"] if b["slug"] == "jizhi-jipin")
    assert umbrella["name_zh"] == "吉致吉品" and umbrella["trademark_number"] is None
    assert umbrella["sources"]


def test_every_sample_image_is_listed_and_licensed():
    manifest = json.loads((SAMPLE_DIR / "images" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["licence"] == "CC0-1.0"
    files = {f for group in ("products", "brands") for fs in manifest[group].values() for f in fs}
    on_disk = {p.name for p in (SAMPLE_DIR / "images").glob("*.jpg")}
    assert files == on_disk
