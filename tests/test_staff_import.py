"""Bulk import in the browser (/staff/import): a dry-run preview that writes nothing, a confirmation
that imports exactly the previewed upload once, as the staff user, all or nothing; hostile uploads
answered with messages; two confirmations in two processes never merge. One app for the module."""

from __future__ import annotations

import io
import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from gi_registry.extensions import db
from gi_registry.interchange import export_document, import_document, uploads
from gi_registry.models import AuditEntry, GIProduct, Protection, User
from tests import factories as f
from tests.conftest import _app_from
from tests.factories import make_user
from tests.test_staff import CSRF, FreshClient
from tests.test_write_concurrency import worker

TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
DIGEST = re.compile(r'name="digest" type="hidden" value="([^"]+)"')


@dataclass
class Site:
    app: Flask
    staff_id: int
    other_id: int

    def client(self, user_id: int, lang: str = "zh") -> FreshClient:
        client = FreshClient(self.app, self.app.response_class, use_cookies=True)
        client.set_cookie("lang", lang)
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        return client


@pytest.fixture(scope="module")
def site(empty_template, databases, tmp_path_factory) -> Iterator[Site]:
    for app in _app_from(empty_template, databases, tmp_path_factory.mktemp("imports")):
        with app.app_context():
            staff = make_user("importer@example.org", role="staff")
            other = make_user("other@example.org", role="staff")
            seeded = f.document(products=[f.product("rice-a"), f.product("rice-c")])
            assert import_document(seeded, actor="seed").ok
            yield Site(app, staff.id, other.id)


def upload(client: FreshClient, files: list[tuple[str, bytes]]):
    page = client.get("/staff/import")
    data = {"csrf_token": CSRF.search(page.text).group(1)}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/staff/import", data=data, content_type="multipart/form-data")


def confirm(client: FreshClient, preview_page: str, csrf_from: str | None = None):
    token, digest = TOKEN.search(preview_page).group(1), DIGEST.search(preview_page).group(1)
    csrf = CSRF.search(csrf_from or preview_page).group(1)
    return client.post(
        "/staff/import/confirm", data={"csrf_token": csrf, "token": token, "digest": digest}
    )


def as_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        products = db.session.scalar(select(func.count()).select_from(GIProduct))
        return products, db.session.scalar(select(func.count()).select_from(AuditEntry))


def waiting(app: Flask) -> list[Path]:
    root = Path(app.instance_path) / "imports"
    return sorted(root.iterdir()) if root.exists() else []


CHANGES = f.document(
    products=[
        f.product("rice-a", name_zh="改名大米"),
        f.product("rice-b", name_zh="新大米"),
        f.product("rice-c"),
    ]
)


def test_preview_lists_what_would_change_and_confirm_imports_it_once_as_the_staff_user(site):
    staff = site.client(site.staff_id)
    before = counts(site.app)
    preview = upload(staff, [("变更.json", as_json(CHANGES))])
    assert preview.status_code == 200, preview.text
    text = preview.text
    created, updated = text.index("新增"), text.index("更新")
    assert created < text.index("rice-b") < updated < text.index("rice-a") < text.index("未变")
    assert "name_zh" in text
    assert text.index("rice-c") > text.index("未变")
    assert counts(site.app) == before  # the dry run wrote nothing, history included
    [folder] = waiting(site.app)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder.parent).stat().st_mode) == 0o700

    # Another staff user cannot confirm it (and it stays for its owner).
    other = site.client(site.other_id)
    refused = confirm(other, text, csrf_from=other.get("/staff/import").text)
    assert refused.status_code == 409
    assert "找不到这次上传" in refused.text
    assert counts(site.app) == before

    done = confirm(staff, text)
    assert done.status_code == 200, done.text
    assert "/staff/products/rice-b/history" in done.text
    assert "/staff/products/rice-a/history" in done.text
    assert "/staff/products/rice-c/history" not in done.text  # unchanged: no history entry
    history = staff.get("/staff/products/rice-b/history")
    assert history.status_code == 200 and "importer@example.org" in history.text
    again = confirm(staff, text)  # a double submit
    assert again.status_code == 409
    assert counts(site.app) == (before[0] + 1, before[1] + 2)
    assert waiting(site.app) == []
    with site.app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_key.in_(["rice-a", "rice-b"]))
        ).all()
        mine = [e for e in entries if e.user_id == site.staff_id]
        assert {(e.entity_key, e.action, e.actor) for e in mine} == {
            ("rice-a", "update", "importer@example.org"),
            ("rice-b", "create", "importer@example.org"),
        }
        assert next(e for e in mine if e.action == "update").changes["name_zh"] == [
            "测试大米",
            "改名大米",
        ]


@pytest.mark.parametrize(
    ("lang", "where", "why"),
    [
        ("zh", "products[1].region_codes", "未知的行政区划代码 229999"),
        ("en", "products[1].region_codes", "Unknown division code 229999"),
    ],
)
def test_one_bad_record_refuses_the_whole_document_naming_it(site, lang, where, why):
    bad = f.document(products=[f.product("rice-d"), f.product("rice-e", region_codes=["229999"])])
    before = counts(site.app)
    answer = upload(site.client(site.staff_id, lang), [("bad.json", as_json(bad))])
    assert answer.status_code == 422
    assert where in answer.text and why in answer.text
    assert 'name="token"' not in answer.text  # nothing to confirm
    assert counts(site.app) == before
    assert waiting(site.app) == []


def test_a_csv_row_is_named_by_file_and_line_in_the_pages_language(site):
    sheet = "slug,name_zh,category,region_codes,status\nrice-f,大米,grain,220581,published\nrice-g,大米,nothing,220581,published\n"
    for lang, line in (("zh", "products.csv 第3行"), ("en", "products.csv line 3")):
        answer = upload(site.client(site.staff_id, lang), [("products.csv", sheet.encode())])
        assert answer.status_code == 422
        assert f"products[1]（{line}）.category" in answer.text or line in answer.text, lang


GBK_CSV = "slug,name_zh\nrice-a,吉林大米\n".encode("gbk")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("junk.json", bytes(range(256)) * 4)], "junk.json: 文件不是 UTF-8 编码"),
        ([("products.csv", GBK_CSV)], "products.csv: 文件不是 UTF-8 编码，请在表格软件中另存为"),
        ([("deep.json", b"[" * 100_000 + b"]" * 100_000)], "deep.json: JSON 嵌套层级过深"),
        ([("broken.json", b'{"format": ')], "broken.json: JSON 格式错误（第1行第12列）"),
        ([("old.json", b'{"format": "gi-registry/0"}')], "应为 &#39;gi-registry/1&#39;"),
        ([("prices.csv", b"slug\nx\n")], "prices.csv: 无法从文件名判断数据种类"),
        ([("a.json", b"{}"), ("b.json", b"{}")], "一次只能导入一个 JSON 文件"),
        ([("a.json", b"{}"), ("products.csv", b"slug\n")], "不要混在一起"),
        ([("tool.exe", b"MZ")], "tool.exe: 只能导入 .json 或 .csv 文件"),
        ([("../../etc/products.csv", b"slug\n\x00\n")], "products.csv"),
        ([], "请选择要导入的文件"),
    ],
)
def test_hostile_uploads_get_a_message_not_a_500(site, files, message):
    answer = upload(site.client(site.staff_id), files)
    assert answer.status_code == 422, answer.status_code
    assert message in answer.text
    assert waiting(site.app) == []


def test_a_bom_csv_reads_and_english_messages_translate(site):
    sheet = "\ufeffslug,name_zh,category,region_codes,status\nrice-h,大米,grain,220581,published\n".encode()
    answer = upload(site.client(site.staff_id), [("Products.CSV", sheet)])
    assert answer.status_code == 200 and "rice-h" in answer.text, answer.text[-3000:]
    gbk = upload(site.client(site.staff_id, "en"), [("products.csv", GBK_CSV)])
    assert "products.csv: the file is not UTF-8" in gbk.text
    for folder in waiting(site.app):  # the previewed, unconfirmed upload
        uploads.discard(uploads.Upload("", "", folder, ()))


def test_an_upload_over_the_limit_is_told_the_limit(site, monkeypatch):
    monkeypatch.setitem(site.app.config, "MAX_CONTENT_LENGTH", 4096)
    answer = upload(site.client(site.staff_id), [("big.json", b" " * 10_000)])
    assert answer.status_code == 413
    assert "一次最多上传 4 KB" in answer.text
    assert 'type="file"' in answer.text  # the form again, to try a smaller file


def test_an_expired_or_altered_upload_is_not_imported(site, monkeypatch):
    staff = site.client(site.staff_id)
    before = counts(site.app)
    preview = upload(staff, [("c.json", as_json(f.document(products=[f.product("rice-x")])))])
    [folder] = waiting(site.app)
    (folder / "files" / "c.json").write_bytes(as_json(f.document(products=[f.product("rice-y")])))
    assert "与预览时不一致" in confirm(staff, preview.text).text
    preview = upload(staff, [("c.json", as_json(f.document(products=[f.product("rice-x")])))])
    monkeypatch.setitem(site.app.config, "IMPORT_UPLOAD_TTL", -1)
    assert "已过期" in confirm(staff, preview.text).text
    assert counts(site.app) == before
    assert waiting(site.app) == []


def test_two_confirmations_in_two_processes_do_not_merge(site, tmp_path):
    """Two staff users confirm two uploads of the same products at once: the second import waits
    for the first (the import lock) and applies on top of its result, never a mix of the two."""

    def document(tag: str, protections: int) -> dict:
        products = [
            f.product(
                f"bulk-{i:03d}",
                name_zh=f"{tag}文件大米{i}",
                protections=[f.protection(holder=f"{tag}持有人{n}") for n in range(protections)],
            )
            for i in range(80)
        ]
        return f.document(products=products)

    a, b = document("甲", 2), document("乙", 1)
    with site.app.app_context():
        staged = []
        for user_id, doc in ((site.staff_id, a), (site.other_id, b)):
            owner = db.session.get(User, user_id)
            staged.append((uploads.stage(owner, [("x.json", as_json(doc))]), str(user_id)))
        db.session.remove()
    signal = str(tmp_path / "first-holds-the-lock")
    processes = [
        worker(site.app, "confirm-upload", up.token, up.digest, user_id, role, signal)
        for (up, user_id), role in zip(staged, ("hold", "after"), strict=True)
    ]
    results = [
        json.loads(p.communicate(timeout=300)[0].strip().splitlines()[-1]) for p in processes
    ]
    assert [r["ok"] for r in results] == [True, True], results
    with site.app.app_context():
        db.session.remove()
        stored = [p for p in export_document()["products"] if p["slug"].startswith("bulk-")]
        assert stored == b["products"]  # the second, whole, on top of the first
        rows = db.session.scalar(
            select(func.count())
            .select_from(Protection)
            .join(GIProduct)
            .where(GIProduct.slug.like("bulk-%"))
        )
        assert rows == 80
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_key == "bulk-007").order_by(AuditEntry.id)
        ).all()
        assert [(e.actor, e.action) for e in entries] == [
            ("importer@example.org", "create"),
            ("other@example.org", "update"),
        ]
        assert entries[1].changes["name_zh"] == ["甲文件大米7", "乙文件大米7"]
