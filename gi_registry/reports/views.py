"""The public side of misuse reports: the form (/reports/new), the code lookup (/reports) and the
reporter's status page (/reports/<code>).

None of these pages is cached: the form carries a CSRF token, and a status page shows a private row
to whoever holds its code (``no-store``, ``noindex``, ``no-referrer``, like the guidance status page).
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from gi_registry.caching import exempt
from gi_registry.catalog.queries import public_products
from gi_registry.extensions import db
from gi_registry.i18n.content import display_name
from gi_registry.i18n.messages import translate_message
from gi_registry.models import GIProduct
from gi_registry.reports.forms import ReportForm
from gi_registry.services.errors import ServiceError, ValidationError
from gi_registry.services.reports import (
    TooManyRequests,
    find_product,
    find_report,
    public_view,
    submit_report,
)
from gi_registry.services.stations import client_hash, normalise_code
from gi_registry.services.unit import unit_of_work

bp = Blueprint("reports", __name__)

FORM_ACTOR = "report-form"
PREFILL_MAX = 300


@bp.after_request
def private(response):
    """Nothing here is for a shared cache, a search engine or another site's Referer header."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/reports/new", methods=["GET", "POST"])
@exempt
def new():
    form = ReportForm()
    if request.method == "GET":
        prefill(form)
    status = 200
    if form.validate_on_submit():
        try:
            code = submit(form)
        except ValidationError as error:
            form.show_errors({name: translate_message(m) for name, m in error.errors.items()})
            status = 422
        except TooManyRequests as error:
            form.form_errors.append(translate_message(error.message))
            status = 429
        except ServiceError as error:
            form.form_errors.append(translate_message(error.message))
            status = 409
        else:
            return redirect(url_for("reports.status", code=code, new=1), code=303)
    elif request.method == "POST":
        status = 422
    page = render_template("reports/new.html", form=form, products=product_choices())
    response = make_response(page, status)
    if status == 429:
        response.headers["Retry-After"] = str(int(current_app.config["REPORT_RATE_WINDOW"]))
    return response


def prefill(form: ReportForm) -> None:
    """What the verification page knows: the product (by slug) and the seller."""
    product = request.args.get("product", "")[:PREFILL_MAX]
    found = find_product(product)
    form.product.data = display_name(found) if found is not None else product
    form.seller.data = request.args.get("seller", "")[:PREFILL_MAX]


def product_choices() -> list[GIProduct]:
    query = public_products().order_by(GIProduct.name_zh)
    return list(db.session.scalars(query))


def submit(form: ReportForm) -> str:
    config = current_app.config
    with unit_of_work(actor=FORM_ACTOR) as work:
        created = submit_report(
            work,
            form.service_data(),
            form.photos(),
            client=client_hash(request.remote_addr, config["SECRET_KEY"]),
            limit=int(config["REPORT_RATE_LIMIT"]),
            window=timedelta(seconds=int(config["REPORT_RATE_WINDOW"])),
        )
        code = created.tracking_code
    return code


@bp.route("/reports")
@exempt
def lookup():
    """Where a reporter types the tracking code they kept."""
    typed = request.args.get("code", "")[:40]
    if not typed:
        return render_template("reports/lookup.html")
    normal = normalise_code(typed)
    if normal is None:
        return unknown_code(typed)
    return redirect(url_for("reports.status", code=normal))


def unknown_code(code: str):
    message = _(
        "找不到举报编号“%(code)s”。请核对编号（例如 ABCD-EFGH-JKMN）后重试。", code=code[:40]
    )
    return make_response(
        render_template("reports/lookup.html", unknown=code[:40], message=message), 404
    )


@bp.route("/reports/<code>")
@exempt
def status(code: str):
    found = find_report(code)
    if found is None:
        return unknown_code(code)
    view = public_view(found)
    return render_template("reports/status.html", report=view, new=request.args.get("new") == "1")
