"""Batch trace codes (溯源): creating batches, owned pages, QR label sheets, the scan page, recalls."""

from __future__ import annotations

import io
import re
import struct
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import url_for
from flask.testing import FlaskClient
from PIL import Image, PdfParser
from sqlalchemy import select

from gi_registry import localtime
from gi_registry.extensions import db
from gi_registry.interchange import import_document
from gi_registry.models import Authorization, Producer, TraceBatch, TraceScan
from gi_registry.services.authorizations import set_authorization_status
from gi_registry.services.errors import ValidationError
from gi_registry.services.trace import (
    create_batch,
    gtin_check_digit,
    normalise_gtin,
    record_scan,
)
from gi_registry.services.unit import unit_of_work
from tests import factories as f

PUBLIC_URL = "https://gi.example.cn"


def day(offset: int) -> str:
    return (localtime.local_today() + timedelta(days=offset)).isoformat()


def current(**fields):
    return {"valid_from": day(-30), "valid_to": day(365), **fields}


def register() -> None:
    """Two products; "coop" holds a valid authorisation for rice and an expired one for beans,
    "other" holds none."""
    products = [
        f.product("test-rice", name_zh="测试大米"),
        f.product("test-beans", name_zh="测试绿豆"),
    ]
    producers = [
        f.producer("coop", serial=1, name_zh="测试合作社（示例）"),
        f.producer("other", serial=2, name_zh="别家合作社（示例）"),
    ]
    authorizations = [
        f.authorization("coop", "test-rice", **current(number="吉GI-007")),
        f.authorization("coop", "test-beans", valid_from=day(-400), valid_to=day(-1)),
    ]
    document = f.document(products=products, producers=producers, authorizations=authorizations)
    assert import_document(document).ok


@pytest.fixture
def setup(ctx):
    register()
    member = f.make_user("member@coop.cn", producer="coop")
    outsider = f.make_user("member@other.cn", producer="other")
    with ctx.test_request_context():
        yield {"app": ctx, "member": member, "outsider": outsider}


def producer(slug: str) -> Producer:
    return db.session.scalar(select(Producer).where(Producer.slug == slug))


GOOD = {
    "product": "test-rice",
    "batch_code": "2026-09/A",
    "quantity": "12.5",
    "unit": "吨",
    "notes": "稻田 3 号",
    "gtin": "",
}


def good(**fields) -> dict:
    """A valid batch, produced three days ago (dates follow the province's calendar)."""
    return {**GOOD, "produced_on": day(-3), **fields}


def make_batch(slug: str = "coop", **fields) -> TraceBatch:
    with unit_of_work(actor="test") as work:
        batch = create_batch(work, producer(slug), good(**fields))
    return batch


class FreshClient(FlaskClient):
    """Each request in an application context of its own, as in a server: the test's context
    (pushed for url_for) would otherwise be reused, and with it Flask-Login's user in ``g``."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def client_for(app, user=None):
    client = FreshClient(app, app.response_class, use_cookies=True)
    if user is not None:
        f.sign_in(client, user)
    return client


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


# --- field rules


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("96385074", "00000096385074"),  # GTIN-8
        ("036000291452", "00036000291452"),  # GTIN-12 (UPC-A)
        ("6901234567892", "06901234567892"),  # GTIN-13 (EAN-13, China's 690 prefix)
        ("1 0614141 00001 9", "10614141000019"),  # GTIN-14, spaces as printed
        ("", None),
    ],
)
def test_gtins_of_every_length_are_stored_as_gtin14(raw, normal):
    assert normalise_gtin(raw) == normal


@pytest.mark.parametrize("raw", ["6901234567893", "12345", "69012345678921", "690123456789X"])
def test_wrong_gtins_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_gtin(raw)


def test_the_check_digit_is_gs1_mod_10():
    assert gtin_check_digit("690123456789") == 2
    assert gtin_check_digit("1061414100001") == 9


# --- creating a batch


def test_an_authorised_producer_creates_a_batch(setup):
    batch = make_batch()
    assert batch.product.slug == "test-rice" and batch.authorization.number == "吉GI-007"
    assert batch.batch_code == "2026-09/A" and batch.quantity == Decimal("12.5")
    assert len(batch.token) >= 22  # 128 random bits, URL-safe


def test_a_product_without_authorisation_is_refused_naming_it(setup):
    with pytest.raises(ValidationError) as refused:
        make_batch("other")
    assert refused.value.errors["product"].startswith("本主体没有“测试大米”的")
    assert db.session.scalar(select(TraceBatch)) is None


def test_an_expired_authorisation_is_refused_naming_the_reason(setup):
    with pytest.raises(ValidationError) as refused:
        make_batch(product="test-beans")
    assert "“测试绿豆”" in refused.value.errors["product"]
    assert "已过期" in refused.value.errors["product"]


def test_a_suspended_authorisation_stops_new_batches(setup):
    with unit_of_work(actor="test") as work:
        set_authorization_status(work, "coop", "test-rice", "suspended")
    with pytest.raises(ValidationError) as refused:
        make_batch()
    assert "已暂停" in refused.value.errors["product"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("batch_code", ""),
        ("batch_code", "A" * 21),
        ("batch_code", "批次一"),
        ("batch_code", "LOT 1"),
        ("quantity", "-3"),
        ("quantity", "1.2345"),
        ("quantity", "many"),
        ("produced_on", "tomorrow"),
        ("produced_on", "30/09/2026"),
        ("gtin", "6901234567893"),
    ],
)
def test_bad_fields_are_refused_by_name(setup, field, value):
    value = day(1) if value == "tomorrow" else value
    with pytest.raises(ValidationError) as refused:
        make_batch(**{field: value})
    assert field in refused.value.errors


def test_a_batch_code_is_unique_per_producer(setup):
    make_batch()
    with pytest.raises(ValidationError) as refused:
        make_batch(quantity="1")
    assert "batch_code" in refused.value.errors


def test_the_form_offers_only_authorised_products_and_creates(setup):
    client = client_for(setup["app"], setup["member"])
    url = url_for("trace.new_batch")
    token = csrf_token(client, url)
    form = client.get(url).text
    assert 'value="test-rice"' in form and 'value="test-beans"' not in form
    response = client.post(url, data=good(csrf_token=token, gtin="6901234567892"))
    assert response.status_code == 303, response.text
    batch = db.session.scalar(select(TraceBatch))
    assert response.location.endswith(url_for("trace.batch", batch_id=batch.id, new=1))
    assert batch.gtin == "06901234567892"
    assert batch.created_by_id == setup["member"].id


def test_the_form_names_the_missing_authorisation(setup):
    client = client_for(setup["app"], setup["member"])
    url = url_for("trace.new_batch")
    data = good(product="test-beans", csrf_token=csrf_token(client, url))
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "测试绿豆" in response.text and "已过期" in response.text
    assert db.session.scalar(select(TraceBatch)) is None


def test_the_form_needs_its_csrf_token(setup):
    client = client_for(setup["app"], setup["member"])
    response = client.post(url_for("trace.new_batch"), data=good(csrf_token="forged"))
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(TraceBatch)) is None


# --- ownership


def owned_urls(batch_id: int) -> list[str]:
    """Every /portal/batches route of the URL map, so that a new one cannot be forgotten."""
    urls = []
    for rule in setup_rules():
        values = {"batch_id": batch_id} if "batch_id" in rule.arguments else {}
        urls.append(url_for(rule.endpoint, **values))
    return urls


def setup_rules():
    from flask import current_app

    return [r for r in current_app.url_map.iter_rules() if r.rule.startswith("/portal/batches")]


def test_every_batch_route_is_closed_to_outsiders(setup):
    batch = make_batch()
    urls = owned_urls(batch.id)
    assert len(urls) == 4
    outsider = client_for(setup["app"], setup["outsider"])
    anonymous = client_for(setup["app"])
    member = client_for(setup["app"], setup["member"])
    for url in urls:
        assert member.get(url).status_code == 200, url
        answer = anonymous.get(url)
        assert answer.status_code == 302 and "/login" in answer.location, url
        if "batch_id" in url or str(batch.id) in url:
            assert outsider.get(url).status_code == 404, url
    # The outsider's own list and form never show the other organisation's batch.
    assert "2026-09/A" not in outsider.get(url_for("trace.batches")).text


# --- labels


def pdf_images(data: bytes) -> list[Image.Image]:
    """The page images of a PDF written by Pillow (JPEG or CCITT G4, whichever it chose)."""
    parser = PdfParser.PdfParser(buf=data)
    images = []
    for number in range(1, len(parser.xref_table)):
        try:
            stream = parser.read_indirect(PdfParser.IndirectReference(number, 0))
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(stream, PdfParser.PdfStream):
            continue
        info = stream.dictionary
        if info.get(b"Subtype") != PdfParser.PdfName(b"Image"):
            continue
        raw = bytes(stream.buf)
        filters = info[b"Filter"]
        name = filters[0] if isinstance(filters, list) else filters
        if name == PdfParser.PdfName(b"DCTDecode"):
            images.append(Image.open(io.BytesIO(raw)))
        else:
            assert name == PdfParser.PdfName(b"CCITTFaxDecode")
            images.append(ccitt_image(raw, info[b"Width"], info[b"Height"]))
    return images


def ccitt_image(raw: bytes, width: int, height: int) -> Image.Image:
    """A CCITT G4 stream wrapped in a minimal TIFF so Pillow can decode it."""
    tags = [
        (256, 4, width),  # ImageWidth
        (257, 4, height),  # ImageLength
        (258, 3, 1),  # BitsPerSample
        (259, 3, 4),  # Compression: CCITT G4
        (262, 3, 0),  # WhiteIsZero (the PDF's BlackIs1)
        (273, 4, 0),  # StripOffsets, filled below
        (278, 4, height),  # RowsPerStrip
        (279, 4, len(raw)),  # StripByteCounts
    ]
    ifd_size = 2 + 12 * len(tags) + 4
    data_offset = 8 + ifd_size
    entries = b"".join(
        struct.pack("<HHI", tag, kind, 1)
        + (
            struct.pack("<I", data_offset if tag == 273 else value)
            if kind == 4
            else struct.pack("<HH", value, 0)
        )
        for tag, kind, value in tags
    )
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(tags)) + entries
    tiff += b"\x00\x00\x00\x00" + raw
    return Image.open(io.BytesIO(tiff))


def decode_all(image: Image.Image) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    return [found.text for found in zxingcpp.read_barcodes(image.convert("L"))]


def test_a_label_sheet_decodes_to_the_scan_url(setup):
    setup["app"].config["PUBLIC_URL"] = PUBLIC_URL
    batch = make_batch()
    client = client_for(setup["app"], setup["member"])
    response = client.get(url_for("trace.labels", batch_id=batch.id, count=30))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    pages = pdf_images(response.data)
    assert len(pages) == 2  # 24 labels on the first page, 6 on the second
    assert pages[0].size == (2480, 3508)  # A4 at 300 dpi
    expected = f"{PUBLIC_URL}/t/{batch.token}"
    assert decode_all(pages[0]) == [expected] * 24
    assert decode_all(pages[1]) == [expected] * 6


def test_a_gtin_label_holds_the_gs1_digital_link(setup):
    setup["app"].config["PUBLIC_URL"] = PUBLIC_URL
    batch = make_batch(gtin="6901234567892")
    client = client_for(setup["app"], setup["member"])
    response = client.get(url_for("trace.labels", batch_id=batch.id, count=1))
    (page,) = pdf_images(response.data)
    (text,) = decode_all(page)
    assert text == f"{PUBLIC_URL}/01/06901234567892/10/2026-09%2FA"
    # The link resolves to the batch's scan page.
    scan = client_for(setup["app"]).get(text.removeprefix(PUBLIC_URL))
    assert scan.status_code == 200 and "2026-09/A" in scan.text


@pytest.mark.parametrize("count", ["0", "201", "x", "-1"])
def test_a_label_count_out_of_bounds_is_a_clear_400(setup, count):
    batch = make_batch()
    client = client_for(setup["app"], setup["member"])
    response = client.get(url_for("trace.labels", batch_id=batch.id, count=count))
    assert response.status_code == 400
    assert "1 至 200" in response.text


# --- the scan page


def scan_count(batch_id: int) -> int:
    db.session.expire_all()
    row = db.session.get(TraceScan, batch_id)
    return row.count if row else 0


def test_the_scan_page_shows_the_batch_and_counts(setup):
    batch = make_batch()
    client = client_for(setup["app"])
    url = url_for("trace.scan", token=batch.token)
    first = client.get(url)
    assert first.status_code == 200
    text = first.text
    assert "测试大米" in text and "测试合作社（示例）" in text and "示例数据" in text
    assert "今日可以使用地理标志专用标志" in text
    assert url_for("verify.token", token=batch.authorization.verify_token) in text
    assert "12.5 吨" in text and "2026-09/A" in text
    assert 'name="robots" content="noindex"' in text
    assert "no-store" in first.headers["Cache-Control"]
    assert "本码已被扫描 1 次" in text
    assert "本码已被扫描 2 次" in client.get(url).text
    client.head(url)  # a link checker is not a scan
    assert scan_count(batch.id) == 2
    # A scan writes only the private counter: cached public pages stay valid.
    assert first.headers.get("ETag") is None


def test_an_unknown_code_is_a_helpful_404(setup):
    client = client_for(setup["app"])
    for url in ("/t/" + "x" * 22, "/t/" + "y" * 200, "/01/06901234567892/10/NOPE", "/01/123/10/A"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "查不到这个溯源码" in response.text
        assert url_for("verify.lookup") in response.text


def test_past_the_threshold_the_page_warns_of_copies(setup):
    setup["app"].config["TRACE_SCAN_WARNING"] = 3
    batch = make_batch()
    client = client_for(setup["app"])
    url = url_for("trace.scan", token=batch.token)
    pages = [client.get(url).text for _ in range(4)]
    assert all("可能被复制" not in page for page in pages[:3])
    assert "可能被复制" in pages[3]


def test_a_suspended_or_revoked_authorisation_shows_at_once(setup):
    batch = make_batch()
    client = client_for(setup["app"])
    url = url_for("trace.scan", token=batch.token)
    for status, words in (("suspended", "已被暂停"), ("revoked", "已被撤销")):
        with unit_of_work(actor="test") as work:
            set_authorization_status(work, "coop", "test-rice", status)
        assert f"专用标志使用授权{words}" in client.get(url).text


def test_a_recalled_batch_says_so_with_its_reason(setup):
    batch = make_batch()
    runner = setup["app"].test_cli_runner()
    result = runner.invoke(args=["batch", "recall", batch.token, "--reason", "农残超标"])
    assert result.exit_code == 0, result.output
    page = client_for(setup["app"]).get(url_for("trace.scan", token=batch.token)).text
    assert "该批次产品已召回" in page and "农残超标" in page
    again = runner.invoke(args=["batch", "recall", str(batch.id), "--reason", "再次"])
    assert again.exit_code != 0 and "已经召回" in again.output
    listing = runner.invoke(args=["batch", "list"])
    assert batch.token in listing.output and "已召回：农残超标" in listing.output


def test_recall_needs_a_reason_and_a_known_batch(setup):
    batch = make_batch()
    runner = setup["app"].test_cli_runner()
    assert (
        "召回原因" in runner.invoke(args=["batch", "recall", batch.token, "--reason", " "]).output
    )
    assert "找不到批次" in runner.invoke(args=["batch", "recall", "nope", "--reason", "x"]).output


def test_concurrent_scans_lose_no_count(setup):
    """Threads with their own connections scan at once; every scan is counted."""
    app = setup["app"]
    batch_id = make_batch().id
    threads, per_thread, errors = 6, 10, []

    def scan_many():
        try:
            with app.app_context():
                for _ in range(per_thread):
                    with unit_of_work(actor="test") as work:
                        record_scan(work, batch_id)
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    workers = [threading.Thread(target=scan_many) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert scan_count(batch_id) == threads * per_thread


# --- the dashboard panel


def test_the_dashboard_lists_recent_batches_with_counts(setup):
    batch = make_batch()
    client_for(setup["app"]).get(url_for("trace.scan", token=batch.token))
    page = client_for(setup["app"], setup["member"]).get(url_for("portal.dashboard")).text
    assert "批次溯源码" in page and "2026-09/A" in page and "扫码 1 次" in page
    assert url_for("trace.new_batch") in page


def test_no_create_link_without_a_valid_authorisation(setup):
    page = client_for(setup["app"], setup["outsider"]).get(url_for("portal.dashboard")).text
    assert url_for("trace.new_batch") not in page
    batches = client_for(setup["app"], setup["outsider"]).get(url_for("trace.batches")).text
    assert url_for("trace.new_batch") not in batches


def test_authorization_rows_are_untouched_by_batches(setup):
    make_batch()
    assert db.session.scalar(select(Authorization).where(Authorization.number == "吉GI-007"))


# --- languages


def test_every_trace_page_in_english_marks_its_chinese(setup):
    from tests.langmarks import unmarked_chinese

    batch = make_batch(gtin="6901234567892")
    member = client_for(setup["app"], setup["member"])
    member.set_cookie("lang", "en")
    anonymous = client_for(setup["app"])
    anonymous.set_cookie("lang", "en")
    setup["app"].config["TRACE_SCAN_WARNING"] = 0  # the warning shows too
    pages = {
        url_for("trace.batches"): member,
        url_for("trace.new_batch"): member,
        url_for("trace.batch", batch_id=batch.id, new=1): member,
        url_for("portal.dashboard"): member,
        url_for("trace.scan", token=batch.token): anonymous,
        "/t/unknown-token": anonymous,
    }
    problems = []
    for url, client in pages.items():
        html = client.get(url).text
        if url == url_for("portal.dashboard"):  # only this feature's panel
            html = re.search(r'<section[^>]*"panel-batches".*?</section>', html, re.S).group(0)
        problems += [f"{url}: {finding}" for finding in unmarked_chinese(html)]
    # A refused form: the service's messages in English, the product's name marked Chinese.
    url = url_for("trace.new_batch")
    data = good(product="test-beans", batch_code="批次", csrf_token=csrf_token(member, url))
    refused = member.post(url, data=data)
    assert refused.status_code == 422
    assert "cannot be used today (Expired)" in refused.text
    assert "The batch code may only use Latin letters" in refused.text
    problems += [f"refused form: {finding}" for finding in unmarked_chinese(refused.text)]
    with unit_of_work(actor="test") as work:
        from gi_registry.services.trace import recall_batch

        recall_batch(work, batch.id, "农残超标")
    recalled = anonymous.get(url_for("trace.scan", token=batch.token)).text
    assert "This batch has been recalled" in recalled
    problems += [f"recalled: {finding}" for finding in unmarked_chinese(recalled)]
    assert problems == []


def test_a_busy_database_still_answers_the_scan(setup, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from gi_registry.trace import scan

    batch = make_batch()
    client = client_for(setup["app"])
    url = url_for("trace.scan", token=batch.token)
    client.get(url)

    def busy(work, batch_id):
        raise OperationalError("UPDATE trace_scans", {}, Exception("database is locked"))

    monkeypatch.setattr(scan, "record_scan", busy)
    answer = client.get(url)
    assert answer.status_code == 200 and "本码已被扫描 1 次" in answer.text


SCANNER = """
import sys
from gi_registry import create_app
from gi_registry.services.trace import record_scan
from gi_registry.services.unit import unit_of_work
app = create_app({"INSTANCE_PATH": sys.argv[1], "DATABASE_URL": sys.argv[2], "SECRET_KEY": "x"})
with app.app_context():
    for _ in range(int(sys.argv[4])):
        with unit_of_work(actor="scanner") as work:
            record_scan(work, int(sys.argv[3]))
"""


def test_scans_from_several_processes_all_count(setup):
    """As several web workers would: each process its own app, engine and connections."""
    import subprocess
    import sys

    app = setup["app"]
    batch_id = make_batch().id
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    args = [sys.executable, "-c", SCANNER, app.instance_path, url, str(batch_id), "15"]
    workers = [subprocess.Popen(args, stderr=subprocess.PIPE) for _ in range(3)]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors.decode()
    assert scan_count(batch_id) == 45


def test_the_only_authorised_product_is_chosen_already(setup):
    page = client_for(setup["app"], setup["member"]).get(url_for("trace.new_batch")).text
    assert re.search(r'<option selected value="test-rice"|<option value="test-rice" selected', page)


def test_without_a_cjk_font_the_labels_answer_503_saying_why(setup, monkeypatch):
    from gi_registry.trace import labels
    from gi_registry.verify.labels import LabelError

    def no_font():
        raise LabelError("no font")

    monkeypatch.setattr(labels, "find_cjk_font", no_font)
    batch = make_batch()
    client = client_for(setup["app"], setup["member"])
    response = client.get(url_for("trace.labels", batch_id=batch.id, count=1))
    assert response.status_code == 503 and "fonts-noto-cjk" in response.text
