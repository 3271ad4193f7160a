"""Faults found by outside probes of the import: unencodable text, CSV line numbers, apostrophes."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.interchange import (
    DocumentError,
    export_document,
    export_path,
    import_document,
    import_path,
)
from gi_registry.interchange.csvio import read_csv_files, write_csv_files
from gi_registry.models import GIProduct, Producer
from gi_registry.services.errors import ValidationError
from gi_registry.services.validation import validate_one
from tests import factories as f
from tests.test_cli import assert_clean_failure, counts

LONE = "\ud800"  # what json.loads makes of the JSON string "\ud800"


def messages(report) -> list[str]:
    return [str(issue) for issue in report.issues]


def nothing_written() -> bool:
    return all(
        db.session.scalar(select(func.count()).select_from(model)) == 0
        for model in (GIProduct, Producer)
    )


# -- 1. Unencodable text --------------------------------------------------------------------------


def with_sources(**source) -> dict:
    record = {"url": None, "title": "来源", "confidence": "official", "note": None, **source}
    return f.document(products=[f.product(sources=[record])])


def with_key(record: dict, key: str) -> dict:
    return {**record, key: "x"}


UNENCODABLE_CASES = [
    (f.document(products=[f.product(name_zh=LONE)]), "products[0].name_zh: 含有无法编码的字符"),
    (
        f.document(products=[f.product(name_zh="测试" + LONE + "大米")]),
        "products[0].name_zh: 含有无法编码的字符",
    ),
    (
        f.document(products=[f.product(aliases=["别名", "梅河" + LONE])]),
        "products[0].aliases: 第 2 项：含有无法编码的字符",
    ),
    (
        f.document(products=[f.product(description="第一行\n\udfff")]),
        "products[0].description: 含有无法编码的字符",
    ),
    (with_sources(title=LONE), "products[0].sources[0].title: 含有无法编码的字符"),
    (with_sources(note="注" + LONE), "products[0].sources[0].note: 含有无法编码的字符"),
    (
        with_sources(url="https://example.org/" + LONE),
        "products[0].sources[0].url: 含有无法编码的字符",
    ),
    (
        f.document(products=[f.product(protections=[f.protection(number="第" + LONE + "号")])]),
        "products[0].protections[0].number: 含有无法编码的字符",
    ),
    (f.document(products=[f.product(slug=LONE)]), "products[0].slug: 含有无法编码的字符"),
    (f.document(products=[f.product(status=LONE)]), "products[0].status: 含有无法编码的字符"),
    (
        f.document(products=[f.product(region_codes=["22058" + LONE])]),
        "products[0].region_codes: 第 1 项：含有无法编码的字符",
    ),
    (
        f.document(producers=[f.producer(credit_code=LONE * 18)]),
        "producers[0].credit_code: 含有无法编码的字符",
    ),
    (
        f.document(producers=[f.producer(phone="0435-" + LONE)]),
        "producers[0].phone: 含有无法编码的字符",
    ),
    # A Python str holds an escaped pair ("\ud83d\ude00" in JSON is one emoji) as two lone halves.
    (
        f.document(producers=[f.producer(address="\ude00\ud83d")]),
        "producers[0].address: 含有无法编码的字符",
    ),
    (
        f.document(brands=[f.brand(products=["test-rice", LONE])]),
        "brands[0].products: 第 2 项：含有无法编码的字符",
    ),
    (
        f.document(listings=[f.listing(price_unit="元/" + LONE)]),
        "listings[0].price_unit: 含有无法编码的字符",
    ),
    # Keys: no field has such a name, and the name is shown escaped so the message can be printed.
    (f.document(products=[with_key(f.product(), LONE)]), "products[0].'\\ud800': 未知的字段"),
    (
        f.document(
            products=[
                f.product(
                    sources=[with_key(with_sources()["products"][0]["sources"][0], "n" + LONE)]
                )
            ]
        ),
        "products[0].sources[0].'n\\ud800': 未知的字段",
    ),
    ({**f.document(), LONE: []}, "'\\ud800': 未知的字段"),
]


@pytest.mark.parametrize(("document", "expected"), UNENCODABLE_CASES)
def test_unencodable_text_is_refused_with_its_path_and_field(ctx, document, expected):
    report = import_document(document)
    assert not report.ok
    assert expected in messages(report), messages(report)
    for message in messages(report):
        message.encode("utf-8")  # every message can be printed and logged
    assert nothing_written()


def test_a_single_record_write_names_the_field_too(ctx):
    # Forms and services validate one record with the same field rules as the import.
    with pytest.raises(ValidationError) as raised:
        validate_one("products", f.product(name_zh=LONE, aliases=[LONE]))
    assert raised.value.errors == {
        "name_zh": "含有无法编码的字符",
        "aliases": "第 1 项：含有无法编码的字符",
    }


def test_a_lone_surrogate_in_a_json_file_is_a_clean_cli_error(app, runner, tmp_path):
    document = f.document(
        products=[f.product(name_zh=LONE, aliases=["a" + LONE])], producers=[f.producer()]
    )
    path = tmp_path / "probe.json"
    # json.dumps escapes it as the six characters \ud800, exactly as the probe's file had it.
    path.write_text(json.dumps(document), encoding="utf-8")
    assert '"\\ud800"' in path.read_text(encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert_clean_failure(result, "products[0].name_zh: 含有无法编码的字符")
    assert "products[0].aliases: 第 1 项：含有无法编码的字符" in result.stderr
    assert "发现 2 个错误，未导入任何数据。" in result.stderr
    assert counts(app)["products"] == counts(app)["producers"] == 0


def test_characters_beyond_the_bmp_are_fine(ctx):
    # The real thing an escaped surrogate pair stands for is an ordinary character.
    document = json.loads(json.dumps(f.document(products=[f.product(name_zh="𠮷田大米😀")])))
    assert import_document(document).ok
    assert db.session.scalar(select(GIProduct.name_zh)) == "𠮷田大米😀"


def test_csv_cannot_carry_a_lone_surrogate(app, runner, tmp_path):
    # Encoded in UTF-8 form (ED A0 80, as CESU-8 writers do) it is not UTF-8: a clean refusal.
    sheet = tmp_path / "products.csv"
    sheet.write_bytes(b"slug,name_zh\ntest-rice,\xed\xa0\x80\n")
    assert_clean_failure(runner.invoke(args=["import", str(sheet)]), "products.csv: 文件不是 UTF-8")
    # Written as the JSON escape it is six plain characters, stored as they are.
    header = ["slug", "name_zh", "category", "region_codes", "status"]
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [header, ["test-rice", "\\ud800", "grain", "220581", "published"]]
        )
    result = runner.invoke(args=["import", str(sheet)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(GIProduct.name_zh)) == "\\ud800"


def test_a_file_name_that_is_not_utf8_is_a_clean_cli_error(app, runner, tmp_path):
    folder = os.fsencode(tmp_path) + b"/sheets\xff"
    os.mkdir(folder)
    with open(folder + b"/products\xff.csv", "w", encoding="utf-8") as handle:
        handle.write("slug\ntest-rice\n")
    result = runner.invoke(args=["import", os.fsdecode(folder)])
    assert_clean_failure(result, "无法从文件名判断数据种类")
    assert counts(app)["products"] == 0


# -- 2. CSV syntax errors name the line where the faulty record starts -----------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('slug,summary\nmeihe-dami,"unclosed\n', "products.csv 第2行: CSV 格式错误"),
        (
            'slug,summary\nmeihe-dami,"unclosed\nnext,row\nlast,row\n',
            "products.csv 第2行: CSV 格式错误",
        ),
        # Lines 3–4 are one record (a quoted cell with a line break); the fault starts on line 5.
        (
            'slug,summary\na,b\nc,"two\nlines"\nd,"unclosed\ne,f\n',
            "products.csv 第5行: CSV 格式错误",
        ),
        ('slug,summary\r\na,"two\r\nlines"\r\nd,"unclosed\r\n', "products.csv 第4行: CSV 格式错误"),
        # Blank lines are no records but still lines.
        ('slug,summary\n\n\nx,"quoted"tail\n', "products.csv 第4行: CSV 格式错误"),
        ('"slug,summary\nx,y\n', "products.csv 第1行: CSV 格式错误"),
        ('slug,summary\na,"two\nlines"\nb,c,d\n', "products.csv 第4行: 列数多于表头"),
        ('slug,summary,scope\na,"two\nlines",x\n\nb,c\n', "products.csv 第5行: 列数少于表头"),
    ],
)
def test_csv_syntax_errors_name_the_line_where_the_record_starts(ctx, tmp_path, content, expected):
    path = tmp_path / "products.csv"
    path.write_text(content, encoding="utf-8", newline="")
    with pytest.raises(DocumentError) as raised:
        import_path(path)
    assert str(raised.value).startswith(expected), str(raised.value)
    assert nothing_written()


def test_field_errors_name_the_line_where_a_multi_line_record_starts(app, runner, tmp_path):
    sheet = tmp_path / "products.csv"
    sheet.write_text(
        "slug,name_zh,category,region_codes,status,description\n"
        'one-rice,一号米,grain,220581,live,"第一段\n\n第二段"\n'
        "\n"
        "two-rice,二号米,grain,229999,published,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(sheet)])
    assert_clean_failure(result, "products[0]（products.csv 第2行）.status: 取值 'live' 无效")
    assert (
        "products[1]（products.csv 第6行）.region_codes: 未知的行政区划代码 229999" in result.stderr
    )
    assert counts(app)["products"] == 0


# -- 3. Apostrophes and formula guards round-trip -------------------------------------------------

STARTS = ["'", "'=", "''", "=", "+", "-", "@", "'\t", "'t Hooft "]


def guarded_document() -> dict:
    """Records whose values begin with each character the CSV guard treats specially."""
    products = [
        f.product(
            f"rice-{i}",
            name_zh=f"{start}名称{i}",
            aliases=[f"{start}别名", "普通别名"],
            summary=f"{start}简介",
            description=f"{start}说明\n{start}第二行",
            protections=[f.protection(holder=f"{start}协会", note=f"{start}备注")],
        )
        for i, start in enumerate(STARTS)
    ]
    producers = [
        f.producer(
            f"coop-{i}",
            serial=i + 1,
            name_zh=f"{start}合作社{i}",
            phone=f"{start}86 435 1234567",
            address=f"{start}地址",
        )
        for i, start in enumerate(STARTS)
    ]
    products.append(f.product("named-rice", name_zh="'=1+1 名称"))
    authorizations = [
        {
            "producer": "coop-0",
            "product": "rice-0",
            "number": '\'=HYPERLINK("x")',
            "valid_from": None,
            "valid_to": None,
            "status": "active",
        }
    ]
    return f.document(products=products, producers=producers, authorizations=authorizations)


def test_csv_export_and_reimport_changes_nothing(ctx, tmp_path):
    assert import_document(guarded_document()).ok
    before = export_document()
    assert {p["name_zh"] for p in before["products"]} >= {"'=1+1 名称", "'名称0", "=名称3"}

    first, second = tmp_path / "first", tmp_path / "second"
    export_path(first, "csv")
    report = import_path(first)
    assert report.ok, messages(report)
    assert sum(report.updated.values()) == 0, report.updated
    assert report.unchanged["products"] == len(STARTS) + 1
    assert report.unchanged["producers"] == len(STARTS)
    assert export_document() == before
    export_path(second, "csv")
    for name in ("products.csv", "producers.csv", "protections.csv", "authorizations.csv"):
        assert (second / name).read_bytes() == (first / name).read_bytes(), name


def test_exported_cells_never_start_a_formula_and_keep_a_leading_apostrophe(ctx, tmp_path):
    assert import_document(guarded_document()).ok
    export_path(tmp_path, "csv")
    with (tmp_path / "products.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = {row["slug"]: row["name_zh"] for row in csv.DictReader(handle)}
    assert names["rice-0"] == "''名称0"
    assert names["rice-1"] == "''=名称1"
    assert names["rice-3"] == "'=名称3"
    assert names["rice-8"] == "''t Hooft 名称8"
    assert names["named-rice"] == "''=1+1 名称"
    with (tmp_path / "producers.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


@pytest.mark.parametrize(
    "value",
    [
        "'",
        "''",
        "'=1+1 名称",
        "'t Hooft",
        "=1+1",
        "+86",
        "-5",
        "@x",
        "\tx",
        "\rx",
        "'\tx",
        "''=x",
        "x'",
    ],
)
def test_every_value_survives_the_csv_cells_exactly(tmp_path, value):
    # The CSV layer alone: import would trim a leading tab or CR, the cells themselves keep it.
    document = {
        "products": [{"slug": "rice", "name_zh": value, "aliases": [value, "b"]}],
        "producers": [{"slug": "coop", "phone": value}],
    }
    written = write_csv_files(document, tmp_path)
    read, _ = read_csv_files(sorted(p for p in written if p.stem in ("products", "producers")))
    assert read["products"][0]["name_zh"] == value
    assert read["producers"][0]["phone"] == value
    if not value.startswith(("\t", "\r")):  # list items are trimmed as cells are split
        assert read["products"][0]["aliases"] == [value.strip(), "b"]


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("'t Hooft", "'t Hooft"),  # typed by hand: the apostrophe is part of the name
        ("'=SUM(A1)", "=SUM(A1)"),  # a spreadsheet's text mark before a formula character
        ("''t Hooft", "'t Hooft"),  # as the export writes a value that begins with an apostrophe
        ("'''", "''"),
        ("-", "-"),
    ],
)
def test_hand_written_cells_follow_the_documented_rule(ctx, tmp_path, cell, stored):
    sheet = tmp_path / "producers.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["slug", "address"], ["coop", cell]])
    read, _ = read_csv_files([Path(sheet)])
    assert read["producers"][0]["address"] == stored
