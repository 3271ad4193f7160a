"""Import is all-or-nothing, reports every error by path and field, updates by slug and round-trips."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.interchange import export_document, export_path, import_document, import_path
from gi_registry.models import (
    AuditEntry,
    Authorization,
    Brand,
    GIProduct,
    Listing,
    Producer,
    Protection,
)
from tests import factories as f


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Reference data (regions, categories) has its own entries from init-db; these tests are about records.
RECORD_ENTRIES = select(AuditEntry).where(
    AuditEntry.entity.in_(("products", "brands", "producers", "authorizations", "listings"))
)


def record_entries() -> list[AuditEntry]:
    return list(db.session.scalars(RECORD_ENTRIES.order_by(AuditEntry.id)))


def messages(report) -> list[str]:
    return [str(issue) for issue in report.issues]


def big_document(n: int = 500) -> dict:
    products = [
        f.product(
            f"product-{i:03d}",
            name_zh=f"测试产品{i}",
            region_codes=["220581", "220582"],
            protections=[f.protection(number=None, approved_on="2006")],
            sources=[
                {
                    "url": "https://example.org/a",
                    "title": "来源",
                    "confidence": "weak",
                    "note": None,
                }
            ],
        )
        for i in range(n)
    ]
    return f.document(products=products)


def test_500_products_with_one_bad_row_import_nothing_and_name_row_and_field(ctx):
    doc = big_document()
    doc["products"][3]["region_codes"] = ["220581", "229999"]
    report = import_document(doc)
    assert not report.ok
    assert messages(report) == ["products[3].region_codes: 未知的行政区划代码 229999"]
    assert count(GIProduct) == 0


def test_500_products_import_reimport_and_round_trip(ctx):
    doc = big_document()
    first = import_document(doc)
    assert first.ok and first.created["products"] == 500
    assert count(GIProduct) == 500 and count(Protection) == 500
    protection_ids = set(db.session.scalars(select(Protection.id)))
    stamps = dict(db.session.execute(select(GIProduct.slug, GIProduct.updated_at)).all())
    again = import_document(doc)
    assert again.created["products"] == again.updated["products"] == 0
    assert again.unchanged["products"] == 500
    assert count(GIProduct) == 500 and count(Protection) == 500
    assert (
        set(db.session.scalars(select(Protection.id))) == protection_ids
    )  # rows kept, not churned
    assert len(record_entries()) == 500  # the creations; an unchanged re-import writes none
    db.session.expire_all()
    assert dict(db.session.execute(select(GIProduct.slug, GIProduct.updated_at)).all()) == stamps


def test_update_by_slug_changes_fields_and_replaces_protections(ctx):
    import_document(
        f.document(products=[f.product(protections=[f.protection(), f.protection(kind="agri_gi")])])
    )
    report = import_document(
        f.document(
            products=[
                f.product(name_zh="改名大米", protections=[f.protection(kind="certification_mark")])
            ]
        )
    )
    assert report.updated["products"] == 1
    product = db.session.scalar(select(GIProduct))
    assert product.name_zh == "改名大米"
    assert product.name_pinyin == "gai ming da mi" and product.name_initials == "gmdm"
    assert [p.kind for p in product.protections] == ["certification_mark"]
    assert count(Protection) == 1


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="gi-registry/2"), "format: 应为 'gi-registry/1'"),
        (lambda d: d.update(colour="red"), "colour: 未知的字段"),
        (lambda d: d.update(products={}), "products: 应为列表"),
        (lambda d: d["products"].append("x"), "products[1]: 应为对象"),
        (lambda d: d["products"][0].update(colour="red"), "products[0].colour: 未知的字段"),
        (lambda d: d["products"][0].pop("name_zh"), "products[0].name_zh: 缺少必填字段"),
        (lambda d: d["products"][0].update(name_zh="  "), "products[0].name_zh: 不能为空"),
        (lambda d: d["products"][0].update(name_zh=42), "products[0].name_zh: 应为文本"),
        (
            lambda d: d["products"][0].update(name_zh="a\x00b"),
            "products[0].name_zh: 含有不允许的控制字符",
        ),
        (
            lambda d: d["products"][0].update(name_zh="长" * 65),
            "products[0].name_zh: 过长（65 字，最多 64 字）",
        ),
        (
            lambda d: d["products"][0].update(slug="Bad Slug"),
            "products[0].slug: 标识 'Bad Slug' 无效",
        ),
        (
            lambda d: d["products"][0].update(category="spices"),
            "products[0].category: 未知的产品类别 'spices'",
        ),
        (
            lambda d: d["products"][0].update(region_codes=[]),
            "products[0].region_codes: 至少需要一项",
        ),
        (
            lambda d: d["products"][0].update(region_codes=["22058"]),
            "products[0].region_codes: 第 1 项：行政区划代码 '22058' 无效",
        ),
        (lambda d: d["products"][0].update(status="live"), "products[0].status: 取值 'live' 无效"),
        (
            lambda d: d["products"][0].update(programmes=["famous"]),
            "products[0].programmes: 第 1 项：取值 'famous' 无效",
        ),
        (
            lambda d: d["products"][0].update(protections=[f.protection(kind="patent")]),
            "products[0].protections[0].kind: 取值 'patent' 无效",
        ),
        (
            lambda d: d["products"][0].update(protections=[f.protection(approved_on="2006-13")]),
            "products[0].protections[0].approved_on: 日期 '2006-13' 无效",
        ),
        (
            lambda d: d["products"][0].update(
                protections=[f.protection(source_url="javascript:alert(1)")]
            ),
            "products[0].protections[0].source_url: 网址",
        ),
        (
            lambda d: d["products"][0].update(sources=[{"title": "x", "confidence": "rumour"}]),
            "products[0].sources[0].confidence: 取值 'rumour' 无效",
        ),
        (
            lambda d: d["products"].append(f.product()),
            "products[1].slug: 标识 test-rice 在文件中重复",
        ),
        (
            lambda d: d["producers"][0].update(credit_code="91220581MA00000011"),
            "producers[0].credit_code: 统一社会信用代码校验位不正确",
        ),
        (lambda d: d["producers"][0].update(kind="farm"), "producers[0].kind: 取值 'farm' 无效"),
        (
            lambda d: d["producers"][0].update(region_code="229999"),
            "producers[0].region_code: 未知的行政区划代码 229999",
        ),
        (
            lambda d: d["producers"][0].update(verified="yes"),
            "producers[0].verified: 应为 true 或 false",
        ),
        (lambda d: d["producers"][0].update(website="ftp://x"), "producers[0].website: 网址"),
        (
            lambda d: d["producers"].append(f.producer("other", serial=1)),
            "producers[1].credit_code: 统一社会信用代码",
        ),
        (
            lambda d: d["authorizations"][0].update(product="nope"),
            "authorizations[0].product: 找不到产品 nope",
        ),
        (
            lambda d: d["authorizations"][0].update(producer="nope"),
            "authorizations[0].producer: 找不到经营主体 nope",
        ),
        (
            lambda d: d["authorizations"][0].update(valid_to="2020-01-01"),
            "authorizations[0].valid_to: 结束日期早于开始日期",
        ),
        (
            lambda d: d["authorizations"][0].update(valid_from="2024-02-30"),
            "authorizations[0].valid_from: 日期 '2024-02-30' 无效",
        ),
        (
            lambda d: d["authorizations"].append(dict(d["authorizations"][0])),
            "authorizations[1]: 经营主体 test-coop 对产品 test-rice 的授权重复",
        ),
        (lambda d: d["brands"][0].update(parent="nope"), "brands[0].parent: 找不到品牌 nope"),
        (
            lambda d: d["brands"][0].update(parent="umbrella"),
            "brands[0].parent: 品牌的上级关系形成了循环",
        ),
        (lambda d: d["brands"][0].update(products=["nope"]), "brands[0].products: 找不到产品 nope"),
        (
            lambda d: d["listings"][0].update(product=None, category=None),
            "listings[0].product: 产品和类别至少填写一项",
        ),
        (
            lambda d: d["listings"][0].update(price_min=10, price_max=5),
            "listings[0].price_max: 最高价不能低于最低价",
        ),
        (lambda d: d["listings"][0].update(quantity=-1), "listings[0].quantity: 数值 -1 超出范围"),
        (
            lambda d: d["listings"][0].update(quantity="lots"),
            "listings[0].quantity: 'lots' 不是数字",
        ),
        (
            lambda d: d["listings"][0].update(price_min=1.234),
            "listings[0].price_min: 最多保留 2 位小数",
        ),
        (lambda d: d["listings"][0].update(kind="swap"), "listings[0].kind: 取值 'swap' 无效"),
    ],
)
def test_every_kind_of_error_is_reported_with_path_and_nothing_is_written(ctx, mutate, expected):
    doc = full_document()
    mutate(doc)
    report = import_document(doc)
    assert not report.ok
    assert any(message.startswith(expected) for message in messages(report)), messages(report)
    assert count(GIProduct) == count(Producer) == count(Brand) == count(Listing) == 0


def full_document() -> dict:
    return f.document(
        products=[f.product()],
        producers=[f.producer()],
        brands=[
            {
                "slug": "umbrella",
                "name_zh": "伞品牌",
                "name_en": None,
                "kind": "regional",
                "parent": "member",
                "products": [],
                "producers": [],
                "trademark_number": None,
                "description": "",
                "sources": [],
                "sample": True,
                "status": "published",
            },
            {
                "slug": "member",
                "name_zh": "成员品牌",
                "name_en": None,
                "kind": "enterprise",
                "parent": None,
                "products": ["test-rice"],
                "producers": ["test-coop"],
                "trademark_number": None,
                "description": "",
                "sources": [],
                "sample": True,
                "status": "published",
            },
        ],
        authorizations=[
            {
                "producer": "test-coop",
                "product": "test-rice",
                "number": None,
                "valid_from": "2025-01-01",
                "valid_to": "2027-12-31",
                "status": "active",
            }
        ],
        listings=[
            {
                "slug": "offer",
                "kind": "supply",
                "producer": "test-coop",
                "product": "test-rice",
                "category": None,
                "title": "新米上市",
                "description": "",
                "quantity": 12.5,
                "unit": "吨",
                "price_min": 6,
                "price_max": 8.5,
                "price_unit": "元/公斤",
                "region_code": "220581",
                "available_from": "2026-10-01",
                "available_to": "2027-03-31",
                "status": "published",
            }
        ],
    )


def test_all_errors_are_reported_not_just_the_first(ctx):
    doc = full_document()
    doc["products"][0]["category"] = "spices"
    doc["producers"][0]["region_code"] = "229999"
    doc["listings"][0]["kind"] = "swap"
    report = import_document(doc)
    assert report.issue_count == 3


def test_the_full_document_is_valid_and_fixes_the_cycle_case(ctx):
    doc = full_document()
    doc["brands"][0]["parent"] = None
    doc["brands"][1]["parent"] = "umbrella"
    report = import_document(doc)
    assert report.ok, messages(report)
    member = db.session.scalar(select(Brand).where(Brand.slug == "member"))
    assert member.parent.slug == "umbrella"
    assert [p.slug for p in member.products] == ["test-rice"]
    auth = db.session.scalar(select(Authorization))
    assert (auth.producer.slug, auth.product.slug) == ("test-coop", "test-rice")


def test_dry_run_counts_but_writes_nothing(ctx):
    doc = full_document()
    doc["brands"][0]["parent"] = None
    report = import_document(doc, dry_run=True)
    assert report.ok and report.created["products"] == 1 and report.created["listings"] == 1
    assert count(GIProduct) == 0 and count(Listing) == 0


def test_references_may_point_at_records_already_in_the_database(ctx):
    assert import_document(f.document(products=[f.product()], producers=[f.producer()])).ok
    report = import_document(
        f.document(
            authorizations=[
                {
                    "producer": "test-coop",
                    "product": "test-rice",
                    "number": "A-1",
                    "valid_from": None,
                    "valid_to": None,
                    "status": "active",
                }
            ]
        )
    )
    assert report.ok and count(Authorization) == 1


def test_a_credit_code_owned_by_another_producer_is_refused(ctx):
    assert import_document(f.document(producers=[f.producer()])).ok
    report = import_document(f.document(producers=[f.producer("other-coop")]))
    assert messages(report) == [
        f"producers[0].credit_code: 统一社会信用代码 {f.credit_code()} 已属于经营主体 test-coop"
    ]


def test_archived_status_archives_and_republishing_restores(ctx):
    import_document(f.document(products=[f.product(status="archived")]))
    product = db.session.scalar(select(GIProduct))
    assert product.is_archived and not product.is_public
    import_document(f.document(products=[f.product(status="published")]))
    assert not product.is_archived and product.is_public


def test_sample_round_trips_to_an_identical_export(sample_ctx, app):
    exported = export_document()
    assert len(exported["products"]) >= 24
    with app.app_context():
        assert import_document(exported).ok
        assert export_document() == exported


def test_round_trip_through_files_is_byte_identical(sample_ctx, app, tmp_path):
    first = tmp_path / "first.json"
    export_path(first)
    with app.app_context():
        assert import_path(first).ok
        second = tmp_path / "second.json"
        export_path(second)
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text(encoding="utf-8"))["format"] == "gi-registry/1"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "$: 文档应为 JSON 对象"),
        ({"format": "gi-registry/1", "products": [{"slug": True}]}, "products[0].slug: 应为文本"),
        (
            {"format": "gi-registry/1", "products": [{"slug": "ab", "protections": "x"}]},
            "products[0].protections: 应为列表",
        ),
        (
            {"format": "gi-registry/1", "products": [{"slug": "ab", "protections": [None]}]},
            "products[0].protections[0]: 应为对象",
        ),
        (
            {"format": "gi-registry/1", "products": [{"slug": "ab", "region_codes": "220581"}]},
            "products[0].region_codes: 应为列表",
        ),
        (
            {"format": "gi-registry/1", "listings": [{"slug": "ab", "quantity": 1e400}]},
            "listings[0].quantity: 数值 inf 超出范围",
        ),
        (
            {"format": "gi-registry/1", "listings": [{"slug": "ab", "price_min": "NaN"}]},
            "listings[0].price_min: 数值 'NaN' 超出范围",
        ),
        (
            {"format": "gi-registry/1", "products": [{"a\x00b": 1}]},
            "products[0].'a\\x00b': 未知的字段",
        ),
        ({"format": "gi-registry/1", "x" * 10_000: 1}, "'" + "x" * 40 + "': 未知的字段"),
    ],
)
def test_hostile_documents_are_reported_not_crashed_on(ctx, document, expected):
    report = import_document(document)
    assert expected in messages(report)


def test_unreadable_files_are_clean_errors(ctx, tmp_path):
    from gi_registry.interchange import DocumentError

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ')
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"x": "é"}'.encode("latin-1"))
    for path, fragment in [(deep, "嵌套"), (broken, "JSON 格式错误"), (latin, "UTF-8")]:
        with pytest.raises(DocumentError, match=fragment):
            import_path(path)


def test_impossible_calendar_days_are_refused(ctx):
    doc = f.document(products=[f.product(protections=[f.protection(approved_on="2006-02-30")])])
    assert (
        "products[0].protections[0].approved_on: 日期 '2006-02-30' 无效，应为 YYYY、YYYY-MM 或 YYYY-MM-DD"
        in messages(import_document(doc))
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('slug,summary\nmeihe-dami,"unclosed\n', "CSV 格式错误"),
        ("slug,summary\nmeihe-dami," + "长" * 200_000 + "\n", "CSV 格式错误"),
        ("slug,slug\nx,y\n", "重复的列名"),
        ("slug,summary\nx,y,z\n", "列数多于表头"),
    ],
)
def test_malformed_csv_is_a_clean_error_naming_the_line(ctx, tmp_path, content, fragment):
    from gi_registry.interchange import DocumentError

    path = tmp_path / "products.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError, match=fragment):
        import_path(path)


def test_every_change_is_audited_with_actor_and_before_after(ctx):
    import_document(f.document(products=[f.product()]), actor="cli:alice")
    report = import_document(
        f.document(products=[f.product(name_zh="新名大米", region_codes=["220581", "220582"])]),
        actor="cli:bob",
    )
    assert report.updated["products"] == 1
    entries = record_entries()
    assert [(e.actor, e.action, e.entity, e.entity_key) for e in entries] == [
        ("cli:alice", "create", "products", "test-rice"),
        ("cli:bob", "update", "products", "test-rice"),
    ]
    assert entries[1].changes == {
        "name_zh": ["测试大米", "新名大米"],
        "region_codes": [["220581"], ["220581", "220582"]],
    }
    assert entries[0].batch != entries[1].batch
    assert entries[1].created_at.tzinfo is not None


def test_archiving_is_audited_as_archive(ctx):
    import_document(f.document(products=[f.product()]))
    import_document(f.document(products=[f.product(status="archived")]))
    last = record_entries()[-1]
    assert last.action == "archive" and last.changes["status"] == ["published", "archived"]


def test_a_failed_or_dry_run_import_leaves_no_audit_entries(ctx):
    doc = f.document(products=[f.product()])
    import_document(doc, dry_run=True)
    bad = f.document(products=[f.product(category="spices")])
    import_document(bad)
    assert record_entries() == []


def test_products_from_other_provinces_and_categories_by_chinese_name(ctx):
    doc = f.document(products=[f.product("test-tea", category="茶叶", region_codes=["330106"])])
    assert import_document(doc).ok
    product = db.session.scalar(select(GIProduct))
    assert product.category.code == "tea"
    assert product.regions[0].full_name == "浙江省杭州市西湖区"


def test_an_unknown_category_lists_the_valid_ones(ctx):
    report = import_document(f.document(products=[f.product(category="香料")]))
    message = messages(report)[0]
    assert message.startswith("products[0].category: 未知的产品类别 '香料'（可用：grain 粮食、")
    assert "condiment 调味品" in message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"format": "gi-registry/1", "products": [f.product(status=[])]},
            "products[0].status: 取值 [] 无效",
        ),
        ({"format": "gi-registry/1", "products": ["x", "y"]}, "products[1]: 应为对象"),
        ({"format": "gi-registry/1", "authorizations": [1, 2]}, "authorizations[1]: 应为对象"),
        (
            {"format": "gi-registry/1", "products": [f.product(slug="test-rice\n")]},
            "products[0].slug: 标识 'test-rice\\n' 无效",
        ),
        (
            {"format": "gi-registry/1", "products": [f.product(region_codes=["２２０５８１"])]},
            "products[0].region_codes: 第 1 项：行政区划代码 '２２０５８１' 无效",
        ),
        (
            {"format": "gi-registry/1", "products": [f.product(aliases=["甲;乙"])]},
            "products[0].aliases: 第 1 项：不能含有分号",
        ),
        (
            {"format": "gi-registry/1", "products": [f.product(summary="a\x0bb")]},
            "products[0].summary: 含有不允许的控制字符",
        ),
        (
            {
                "format": "gi-registry/1",
                "products": [
                    f.product(protections=[f.protection(source_url="https://a.example/\x00")])
                ],
            },
            "products[0].protections[0].source_url: 网址",
        ),
        (
            {
                "format": "gi-registry/1",
                "producers": [f.producer(website="https://a.example/" + "x" * 300)],
            },
            "producers[0].website: 网址过长（最多 300 个字符）",
        ),
        (
            {
                "format": "gi-registry/1",
                "authorizations": [
                    {"producer": "p", "product": "q", "valid_from": "20240101", "status": "active"}
                ],
            },
            "authorizations[0].valid_from: 日期 '20240101' 无效",
        ),
        (
            {
                "format": "gi-registry/1",
                "authorizations": [
                    {
                        "producer": "p",
                        "product": "q",
                        "valid_from": "2025-W01-1",
                        "status": "active",
                    }
                ],
            },
            "authorizations[0].valid_from: 日期 '2025-W01-1' 无效",
        ),
    ],
)
def test_inputs_found_in_review_are_reported_not_crashed_on(ctx, document, expected):
    assert any(m.startswith(expected) for m in messages(import_document(document))), messages(
        import_document(document)
    )


def test_a_huge_integer_in_a_file_is_a_clean_error(ctx, tmp_path):
    from gi_registry.interchange import DocumentError

    path = tmp_path / "huge.json"
    path.write_text('{"format": "gi-registry/1", "listings": [{"quantity": ' + "1" * 5000 + "}]}")
    with pytest.raises(DocumentError, match="无法读取的值"):
        import_path(path)


def test_the_longest_valid_values_fit_the_columns(ctx):
    """Validation limits match the columns, so nothing valid is refused by PostgreSQL later."""
    doc = full_document()
    doc["brands"][0]["parent"] = None
    product = doc["products"][0]
    product.update(name_zh="庄" * 64, name_en="E" * 128, aliases=["别" * 64])
    product["protections"] = [
        f.protection(
            authority="机" * 200,
            number="号" * 200,
            holder="人" * 200,
            source_url="https://example.org/" + "p" * 980,
        )
    ]
    producer = doc["producers"][0]
    producer.update(
        name_zh="庄" * 128,
        address="地" * 300,
        phone="1" * 64,
        website="https://example.org/" + "w" * 280,
    )
    doc["brands"][1].update(name_zh="品" * 64, trademark_number="9" * 64)
    doc["authorizations"][0]["number"] = "授" * 64
    doc["listings"][0].update(
        title="题" * 120,
        unit="单" * 16,
        price_unit="元" * 16,
        quantity=99_999_999_999.999,
        price_min=1,
        price_max=9_999_999_999.99,
    )
    report = import_document(doc)
    assert report.ok, messages(report)
    stored = db.session.scalar(select(GIProduct))
    assert len(stored.name_pinyin) > 256


def test_official_numbers_keep_their_spacing_exactly(ctx):
    number = "国家质检总局公告\u30002006年第 191  號"
    import_document(f.document(products=[f.product(protections=[f.protection(number=number)])]))
    assert db.session.scalar(select(Protection.number)) == number


def test_multiline_text_normalises_line_ends(ctx):
    import_document(f.document(products=[f.product(description="第一段\r\n\r\n第二段\r")]))
    assert db.session.scalar(select(GIProduct.description)) == "第一段\n\n第二段"


def test_a_brand_cycle_through_stored_parents_is_refused(ctx):
    doc = full_document()
    doc["brands"][0]["parent"] = None
    doc["brands"][1]["parent"] = "umbrella"
    assert import_document(doc).ok
    report = import_document(f.document(brands=[dict(doc["brands"][0], parent="member")]))
    assert messages(report) == ["brands[0].parent: 品牌的上级关系形成了循环"]


def test_a_concurrent_writer_is_reported_not_crashed_on(ctx, monkeypatch):
    """The other import's row appears after validation: the database refuses, the person is told."""
    from gi_registry.services.writer import RecordWriter

    assert import_document(f.document(products=[f.product()])).ok
    monkeypatch.setattr(
        RecordWriter, "lookup", lambda self, model, slugs: {}
    )  # as if not yet committed
    report = import_document(f.document(products=[f.product(name_zh="并发")]))
    assert not report.ok and report.issues[0].message.startswith("数据库拒绝了写入，未导入任何数据")
    assert db.session.scalar(select(GIProduct.name_zh)) == "测试大米"


def test_protections_csv_must_carry_every_column(ctx, tmp_path):
    from gi_registry.interchange import DocumentError

    path = tmp_path / "protections.csv"
    path.write_text("product,kind,status\ntest-rice,gi_product,approved\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="缺少列 authority、number"):
        import_path(path)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("slug,summary,scope\nmeihe-dami,新简介\n", "第2行: 列数少于表头")],
)
def test_a_short_csv_row_is_refused_rather_than_blanking_fields(ctx, tmp_path, content, fragment):
    from gi_registry.interchange import DocumentError

    path = tmp_path / "products.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError, match=fragment):
        import_path(path)


def test_csv_export_defuses_formulas_and_reimports_them_unchanged(ctx, app, tmp_path):
    hostile = '=HYPERLINK("http://evil.example","查看")'
    import_document(f.document(products=[f.product()], producers=[f.producer(address=hostile)]))
    folder = tmp_path / "out.json"  # a .json name with --format csv still gives a folder "out"
    export_path(folder, "csv")
    written = (tmp_path / "out" / "producers.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in written and ",=HYPERLINK" not in written
    with app.app_context():
        assert import_path(tmp_path / "out").ok
        assert db.session.scalar(select(Producer.address)) == hostile
