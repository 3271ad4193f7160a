"""Station directory, station pages, the guidance request form and the request's status page."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from gi_registry.i18n.messages import translate_message
from gi_registry.models import GuidanceRequest, GuidanceStation
from gi_registry.models.regions import find_region
from gi_registry.services.errors import ServiceError, ValidationError
from gi_registry.services.stations import (
    TooManyRequests,
    client_hash,
    find_request,
    normalise_code,
    submit_request,
    topics_for,
)
from gi_registry.services.unit import unit_of_work
from gi_registry.stations import queries
from gi_registry.stations.forms import GuidanceForm

bp = Blueprint("stations", __name__)

FORM_ACTOR = "guidance-form"


@bp.route("/stations")
def directory():
    chosen = request.args.get("region", "")
    region = find_region(chosen)
    groups, shown = queries.directory(region.code if region else None)
    return render_template("stations/directory.html", groups=groups, shown=shown, region=region)


@bp.route("/stations/<slug:slug>")
def station(slug: str):
    item = queries.get_public_station(slug) or abort(404)
    return render_template(
        "stations/station.html",
        station=item,
        brands=queries.served_brands(item),
        producers=queries.served_producers(item),
    )


@bp.route("/stations/<slug:slug>/ask", methods=["GET", "POST"])
def ask(slug: str):
    item = queries.get_public_station(slug) or abort(404)
    form = GuidanceForm()
    form.offer_topics(topics_for(item))
    status = 200
    if form.validate_on_submit():
        try:
            code = submit(item, form)
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
            return redirect(url_for("stations.status", code=code, new=1), code=303)
    elif request.method == "POST":
        status = 422
    response = make_response(render_template("stations/ask.html", station=item, form=form), status)
    if status == 429:
        response.headers["Retry-After"] = str(int(current_app.config["GUIDANCE_RATE_WINDOW"]))
    return response


def submit(station: GuidanceStation, form: GuidanceForm) -> str:
    config = current_app.config
    client = client_hash(request.remote_addr, config["SECRET_KEY"])
    with unit_of_work(actor=FORM_ACTOR) as work:
        created = submit_request(
            work,
            station.slug,
            form.service_data(),
            client=client,
            limit=int(config["GUIDANCE_RATE_LIMIT"]),
            window=timedelta(seconds=int(config["GUIDANCE_RATE_WINDOW"])),
        )
        code = created.tracking_code
    return code


@bp.route("/guidance")
def lookup():
    """Where a visitor types a tracking code they kept."""
    typed = request.args.get("code", "")[:40]
    if not typed:
        return private(render_template("stations/lookup.html"))
    normal = normalise_code(typed)
    if normal is None:
        return unknown_code(typed)
    return redirect(url_for("stations.status", code=normal))


def unknown_code(code: str):
    message = _(
        "找不到咨询编号“%(code)s”。请核对编号（例如 ABCD-EFGH-JKMN）后重试。", code=code[:40]
    )
    page = render_template("stations/lookup.html", unknown=code[:40], message=message)
    return private(make_response(page, 404))


@bp.route("/guidance/<code>")
def status(code: str):
    found: GuidanceRequest | None = find_request(code)
    if found is None:
        return unknown_code(code)
    # Only what the status page needs: never the requester's name, organisation or contact.
    view = {
        "code": found.tracking_code,
        "station": found.station,
        "topic": found.topic,
        "status": found.status,
        "created_at": found.created_at,
        "answered_at": found.answered_at,
        "answer": found.answer if found.status in ("answered", "closed") else "",
    }
    return private(
        render_template("stations/status.html", req=view, new=request.args.get("new") == "1")
    )


def private(response):
    """A tracking page is for whoever holds the code: not cached, not indexed, and no Referer
    carries the code to another site."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
