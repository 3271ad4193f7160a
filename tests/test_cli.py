"""The ``flask`` commands as staff type them: exit codes, messages, and what ends up in the database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.interchange import export_document
from gi_registry.models import GIProduct, MediaAsset, Producer, ProductImage, User
from tests import factories as f

CSV_FILES = ["authorizations.csv", "producers.csv", "products.csv", "protections.csv"]


def counts(app) -> dict[str, int]:
    models = {
        "products": GIProduct,
        "producers": Producer,
        "media": MediaAsset,
        "product_images": ProductImage,
        "users": User,
    }
    with app.app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in models.items()
        }


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def assert_clean_failure(result, message: str) -> None:
    """Exit code 1, the message on stderr, and no Python traceback for the user to decode."""
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_load_sample_prints_counts_and_running_it_again_duplicates_nothing(sample_app):
    # The sample app was built by load_sample() already: each run here is a second (and third) one.
    loaded = counts(sample_app)
    assert loaded["products"] >= 24 and loaded["producers"] >= 1
    assert loaded["media"] >= 1 and loaded["product_images"] >= 1
    runner = sample_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["load-sample"])
        assert result.exit_code == 0, result.output
        assert counts(sample_app) == loaded
        assert f"products: 新增 0，更新 0，未变 {loaded['products']}\n" in result.stdout
        assert f"producers: 新增 0，更新 0，未变 {loaded['producers']}\n" in result.stdout


def test_import_of_a_good_json_file(app, runner, tmp_path):
    path = write_json(tmp_path / "good.json", f.document(products=[f.product()]))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "products: 新增 1，更新 0，未变 0\n"
    assert counts(app)["products"] == 1


def test_import_of_a_bad_json_file_names_the_field_and_writes_nothing(app, runner, tmp_path):
    document = f.document(
        products=[f.product(region_codes=["220581", "229999"]), f.product("other-rice")],
        producers=[f.producer()],
    )
    result = runner.invoke(args=["import", str(write_json(tmp_path / "bad.json", document))])
    assert_clean_failure(result, "products[0].region_codes: 未知的行政区划代码 229999")
    assert "发现 1 个错误，未导入任何数据。" in result.stderr
    assert counts(app)["products"] == counts(app)["producers"] == 0


def test_import_dry_run_counts_and_writes_nothing(app, runner, tmp_path):
    path = write_json(tmp_path / "good.json", f.document(products=[f.product()]))
    result = runner.invoke(args=["import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "（试运行，未写入）products: 新增 1，更新 0，未变 0\n"
    assert counts(app)["products"] == 0


def test_files_that_cannot_be_read_give_a_clean_error(app, runner, tmp_path):
    not_json = tmp_path / "notes.json"
    not_json.write_text('{"format": "gi-registry/1",\n  products: []}', encoding="utf-8")
    assert_clean_failure(
        runner.invoke(args=["import", str(not_json)]), "notes.json: JSON 格式错误（第2行"
    )

    gbk = tmp_path / "gbk.json"
    gbk.write_bytes(
        json.dumps(f.document(products=[f.product()]), ensure_ascii=False).encode("gbk")
    )
    assert_clean_failure(runner.invoke(args=["import", str(gbk)]), "gbk.json: 文件不是 UTF-8 编码")

    gbk_csv = tmp_path / "products.csv"
    gbk_csv.write_bytes("slug,summary\ntest-rice,简介\n".encode("gbk"))
    assert_clean_failure(
        runner.invoke(args=["import", str(gbk_csv)]), "products.csv: 文件不是 UTF-8 编码"
    )

    misnamed = write_csv(tmp_path / "stuff.csv", ["slug"], ["x"])
    assert_clean_failure(
        runner.invoke(args=["import", str(misnamed)]), "stuff.csv: 无法从文件名判断数据种类"
    )

    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    assert_clean_failure(runner.invoke(args=["import", str(empty_folder)]), "文件夹中没有 CSV 文件")

    assert counts(app)["products"] == 0


def test_csv_export_writes_one_file_per_kind(sample_app, tmp_path):
    folder = tmp_path / "export"
    result = sample_app.test_cli_runner().invoke(args=["export", str(folder), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == CSV_FILES
    assert result.stdout.count("已写入 ") == 4
    with (folder / "products.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == counts(sample_app)["products"]


def test_csv_folder_round_trips_into_a_fresh_registry(sample_app, app, runner, tmp_path):
    # A fresh registry fed the exported folder exports the very same files.
    first, second = tmp_path / "first", tmp_path / "second"
    assert (
        sample_app.test_cli_runner()
        .invoke(args=["export", str(first), "--format", "csv"])
        .exit_code
        == 0
    )
    imported = runner.invoke(args=["import", str(first)])
    assert imported.exit_code == 0, imported.output
    assert f"products: 新增 {counts(sample_app)['products']}，更新 0，未变 0" in imported.stdout
    assert runner.invoke(args=["export", str(second), "--format", "csv"]).exit_code == 0
    for name in CSV_FILES:
        assert (second / name).read_bytes() == (first / name).read_bytes(), name


def test_csv_errors_name_record_file_line_and_field(app, runner, tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    header = ["slug", "name_zh", "category", "region_codes", "status", "colour"]
    write_csv(
        folder / "products.csv",
        header,
        ["test-rice", "测试大米", "grain", "220581", "published", "red"],
    )
    result = runner.invoke(args=["import", str(folder)])
    assert_clean_failure(result, "products[0]（products.csv 第2行）.colour: 未知的字段")

    header = ["slug", "name_zh", "category", "region_codes", "status"]
    write_csv(
        folder / "products.csv",
        header,
        ["test-rice", "测试大米", "grain", "220581", "published"],
        ["other-rice", "另一种米", "grain", "220581;229999", "live"],
    )
    result = runner.invoke(args=["import", str(folder)])
    assert_clean_failure(
        result, "products[1]（products.csv 第3行）.region_codes: 未知的行政区划代码 229999"
    )
    assert "products[1]（products.csv 第3行）.status: 取值 'live' 无效" in result.stderr
    assert "发现 2 个错误" in result.stderr
    assert counts(app)["products"] == 0


def test_a_csv_with_slug_and_summary_only_updates_summaries(sample_app, tmp_path):
    with sample_app.app_context():
        before = export_document()
    slug = before["products"][0]["slug"]
    sheet = write_csv(
        tmp_path / "products.csv", ["slug", "summary"], [slug, "新的简介，只改这一项。"]
    )
    result = sample_app.test_cli_runner().invoke(args=["import", str(sheet)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "products: 新增 0，更新 1，未变 0\n"
    with sample_app.app_context():
        after = export_document()
    before["products"][0]["summary"] = "新的简介，只改这一项。"
    assert after == before


def test_a_csv_row_for_a_new_record_needs_the_required_columns(app, runner, tmp_path):
    sheet = write_csv(tmp_path / "products.csv", ["slug", "summary"], ["brand-new", "简介"])
    result = runner.invoke(args=["import", str(sheet)])
    assert_clean_failure(result, "products[0]（products.csv 第2行）.name_zh: 缺少必填字段")
    assert counts(app)["products"] == 0


def test_create_user_reads_the_password_from_stdin_and_stores_a_hash(app, runner):
    result = runner.invoke(
        args=["create-user", "Staff@Example.org", "--role", "staff"], input="a-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "已创建用户 staff@example.org（工作人员）\n"
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role, user.producer) == ("staff@example.org", "staff", None)
        assert "a-long-password" not in user.password_hash
        assert user.check_password("a-long-password")
        assert not user.check_password("a-long-password\n") and not user.check_password("wrong")


def test_create_user_refusals(app, runner):
    def create(*args: str, password: str = "a-long-password"):
        return runner.invoke(args=["create-user", *args], input=password + "\n")

    assert create("admin@example.org", "--role", "admin").exit_code == 0
    assert_clean_failure(
        create("ADMIN@example.org", "--role", "staff"), "邮箱 admin@example.org 已被注册"
    )
    assert_clean_failure(
        create("short@example.org", "--role", "staff", password="short"), "密码至少 10 个字符"
    )
    assert_clean_failure(create("not-an-email", "--role", "staff"), "邮箱地址无效：not-an-email")
    assert_clean_failure(
        create("member@example.org", "--role", "producer"),
        "经营主体成员必须用 --producer 指定所属经营主体",
    )
    assert_clean_failure(
        create("member@example.org", "--role", "producer", "--producer", "nope"),
        "找不到经营主体 nope",
    )
    assert_clean_failure(
        create("staff@example.org", "--role", "staff", "--producer", "test-coop"),
        "只有经营主体成员（producer）可以关联经营主体",
    )
    assert create("x@example.org", "--role", "owner").exit_code == 2  # click rejects the role
    assert counts(app)["users"] == 1


def test_create_user_links_a_producer_member(app, runner, tmp_path):
    path = write_json(tmp_path / "coop.json", f.document(producers=[f.producer()]))
    assert runner.invoke(args=["import", str(path)]).exit_code == 0
    result = runner.invoke(
        args=["create-user", "member@example.org", "--role", "producer", "--producer", "test-coop"],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.producer.slug == "test-coop" and user.check_password("a-long-password")
