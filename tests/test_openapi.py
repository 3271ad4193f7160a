"""/api/v1/openapi.json describes the whole API, and the API answers as it says (schemathesis)."""

from __future__ import annotations

import re
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gi_registry.api.openapi import document

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


# The document as served (test_the_document_is_served_as_built checks they are the same); loaded at
# import so that pytest lists one test per operation. Requests go to the app in-process (WSGI).
schema = schemathesis.openapi.from_dict(document("http://localhost/api/v1"))


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, sample_app):
    """No 5xx; status codes, content types and bodies as declared; bad parameters refused.

    Left out: "schema-valid data is accepted". Categories and (for search) region codes are data, so
    the document cannot list them, and an unknown one is rightly a 400 that names the parameter.
    """
    # identity: the in-process WSGI client does not undo gzip (test_caching covers compression).
    case.call_and_validate(
        app=sample_app,
        headers={"Accept-Encoding": "identity"},
        excluded_checks=[positive_data_acceptance],
    )


def test_the_document_is_served_as_built(client):
    assert client.get("/api/v1/openapi.json").get_json() == document("/api/v1")


def test_the_document_is_openapi_3_1_and_covers_every_endpoint(client, sample_app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    documented = set(document["paths"])
    routes = {
        re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for rule in sample_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        and rule.endpoint not in ("api.not_found", "api.openapi")
    }
    assert routes == documented
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "400", "404"} <= set(responses), path


def test_the_server_url_follows_public_url(sample_app):
    sample_app.config["PUBLIC_URL"] = "https://gi.example.cn"
    document = sample_app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["servers"] == [{"url": "https://gi.example.cn/api/v1"}]


def test_docs_link_the_document():
    assert "/api/v1/openapi.json" in DOCS.read_text(encoding="utf-8")


def test_a_wrong_method_says_what_is_allowed(client):
    response = client.post("/api/v1/products")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
    assert "GET" in response.headers["Allow"]
