"""/verify (the form), /verify/<token> (where a pack's QR code lands) and /verify/report."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from gi_registry.catalog import params
from gi_registry.i18n.messages import translate_message
from gi_registry.paging import ParamError
from gi_registry.verify import lookup as checks

bp = Blueprint("verify", __name__)


@bp.after_request
def revalidate(response: Response) -> Response:
    return must_revalidate(response)


def must_revalidate(response: Response) -> Response:
    """An answer changes at midnight in the province with no change to the register, so no cache
    may reuse one without asking (a cache keyed on registry changes alone would be wrong here)."""
    response.cache_control.no_cache = True
    return response


@bp.route("/verify")
def lookup():
    """A GET form: a lookup changes nothing, so it needs no CSRF token and can be linked to."""
    field, value, error, verdict = "code", "", None, None
    name = next((n for n in checks.CHECKS if n in request.args), None)
    if name is not None:
        field, value = name, params.clean_query(request.args.get(name), checks.NUMBER_CHARS) or ""
        try:
            verdict = checks.lookup(request.args)
        except ParamError as problem:
            error = translate_message(problem.message)
    return render_template(
        "verify/lookup.html", field=field, value=value, error=error, verdict=verdict
    )


@bp.route("/verify/report")
def report_help():
    return render_template("verify/report.html")


@bp.route("/verify/<token>")
def token(token: str):
    try:
        verdict = checks.by_token(token)
    except ParamError:  # longer than any token: the register cannot hold it
        verdict = checks.Verdict("unknown", "token", token[: checks.TOKEN_CHARS])
    status = 404 if verdict.status == "unknown" else 200
    return render_template("verify/token.html", verdict=verdict), status
