"""The organisation's own listings under /portal/listings: new, edit (with photos and history),
submit, close and delete.

Every page here depends on the signed-in user: ``@exempt`` keeps them out of the answer store.
A listing answers 404 to anyone outside its organisation, signed in or not, so that a draft's
existence is never revealed (accounts/access.py).
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from gi_registry.accounts.access import is_member_of, signed_in_user
from gi_registry.caching import exempt
from gi_registry.extensions import db
from gi_registry.listings import bp, queries
from gi_registry.listings.forms import MAX_PHOTOS, ActionForm, ListingForm, service_message
from gi_registry.listings.history import history_rows
from gi_registry.listings.panel import table_context
from gi_registry.localtime import local_today
from gi_registry.media import MediaError
from gi_registry.models import Listing, Producer
from gi_registry.services import listings as service
from gi_registry.services.errors import ServiceError
from gi_registry.services.images import add_image, remove_record_image
from gi_registry.services.listing_rules import TRANSITIONS
from gi_registry.services.unit import unit_of_work

LIFECYCLE = {
    "submit": lambda work, listing, version: service.submit_listing(
        work, listing.slug, today=local_today(), expected_version=version
    ),
    "close": lambda work, listing, version: service.close_listing(
        work, listing.slug, expected_version=version
    ),
    "delete": lambda work, listing, version: service.delete_listing(
        work, listing.slug, expected_version=version
    ),
}


def own_listing(slug: str) -> Listing:
    """The listing if the signed-in user belongs to its organisation; 404 for everyone else."""
    listing = db.session.scalar(db.select(Listing).where(Listing.slug == slug))
    if listing is None or not is_member_of(current_user, listing.producer):
        abort(404)
    return listing


def own_organisation() -> Producer:
    """Only an organisation's members post listings; a signed-in user without one gets 403."""
    producer = signed_in_user().producer
    if producer is None:
        abort(403, _("只有经营主体的成员才能发布供需信息。请先创建或加入经营主体。"))
    return producer


@bp.route("/portal/listings")
@exempt
@login_required
def mine():
    producer = own_organisation()
    return render_template("listings/mine.html", **table_context(producer))


@bp.route("/portal/listings/new", methods=["GET", "POST"])
@exempt
@login_required
def new():
    producer = own_organisation()
    form = ListingForm()
    status = 200
    if form.validate_on_submit():
        try:
            slug = create(producer, form)
        except (ServiceError, MediaError) as error:
            show_problem(form, error)
            status = 422
        else:
            return redirect(url_for("listings.edit", slug=slug, done="created"), code=303)
    elif request.method == "POST":
        status = 422
    if request.method == "GET" and not form.kind.data:
        form.kind.data = (
            request.args.get("kind") if request.args.get("kind") == "demand" else "supply"
        )
    return render_template("listings/form.html", form=form, listing=None, **choices()), status


def create(producer: Producer, form: ListingForm) -> str:
    user = signed_in_user()
    files = uploaded_photos()
    if len(files) > MAX_PHOTOS:
        raise MediaError("photos", too_many_photos())
    with unit_of_work(user=user) as work:
        listing = service.create_listing(
            work, producer, form.service_data(), today=local_today(), user=user
        )
        add_photos(work, listing, files)
        slug = listing.slug
    return slug


@bp.route("/portal/listings/<slug:slug>/edit", methods=["GET", "POST"])
@exempt
@login_required
def edit(slug: str):
    listing = own_listing(slug)
    form = ListingForm(obj=None if request.method == "POST" else FormView(listing))
    status = 200
    if form.validate_on_submit():
        try:
            update(listing, form)
        except (ServiceError, MediaError) as error:
            db.session.expire_all()
            show_problem(form, error)
            status = 422
        else:
            return redirect(url_for("listings.edit", slug=slug, done="saved"), code=303)
    elif request.method == "POST":
        status = 422
    return page(listing, form, status)


def update(listing: Listing, form: ListingForm) -> None:
    files = uploaded_photos()
    removed = removed_photo_ids(listing)
    if len(listing.images) - len(removed) + len(files) > MAX_PHOTOS:
        raise MediaError("photos", too_many_photos())
    with unit_of_work(user=signed_in_user()) as work:
        version = form.expected_version()
        service.update_listing(
            work, listing.slug, form.service_data(), today=local_today(), expected_version=version
        )
        for media_id in removed:
            remove_record_image(work, "listings", listing.slug, media_id)
        add_photos(work, listing, files)


def page(listing: Listing, form: ListingForm, status: int = 200, action_error: str | None = None):
    return (
        render_template(
            "listings/form.html",
            form=form,
            listing=listing,
            actions=ActionForm(version=str(listing.version)),
            allowed=allowed_actions(listing),
            history=history_rows(listing),
            views=queries.view_count(listing),
            done=request.args.get("done"),
            action_error=action_error,
            **choices(),
        ),
        status,
    )


@bp.route("/portal/listings/<slug:slug>/<any(submit, close, delete):action>", methods=["POST"])
@exempt
@login_required
def change(slug: str, action: str):
    listing = own_listing(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    version = form.version.data or ""
    try:
        with unit_of_work(user=signed_in_user()) as work:
            LIFECYCLE[action](work, listing, int(version) if version.isdigit() else None)
    except ServiceError as error:
        db.session.expire_all()
        listing = own_listing(slug)
        return page(listing, edit_form(listing), 409, service_message(error, error.message))
    if action == "delete":
        return redirect(url_for("listings.mine", done="deleted"), code=303)
    return redirect(url_for("listings.edit", slug=slug, done=action), code=303)


# -- helpers ----------------------------------------------------------------------------------


class FormView:
    """A listing as the form's fields read it (region, numbers and dates as text)."""

    def __init__(self, listing: Listing):
        self.kind = listing.kind
        self.product = listing.product.slug if listing.product else ""
        self.category = listing.category.code if listing.category else ""
        self.title = listing.title
        self.description = listing.description
        self.quantity = _text(listing.quantity)
        self.unit = listing.unit
        self.price_min = _text(listing.price_min)
        self.price_max = _text(listing.price_max)
        self.price_unit = listing.price_unit
        self.region = listing.region_code or ""
        self.available_from = listing.available_from.isoformat() if listing.available_from else ""
        self.available_to = listing.available_to.isoformat() if listing.available_to else ""
        self.version = str(listing.version)


def _text(number) -> str:
    if number is None:
        return ""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def edit_form(listing: Listing) -> ListingForm:
    return ListingForm(formdata=None, obj=FormView(listing))


def allowed_actions(listing: Listing) -> list[str]:
    return [
        action for action in ("submit", "close", "delete") if listing.status in TRANSITIONS[action]
    ]


def choices() -> dict:
    return queries.form_choices(current_app.config["HOME_REGION_CODE"])


def uploaded_photos() -> list[FileStorage]:
    return [f for f in request.files.getlist("photos") if f and f.filename]


def removed_photo_ids(listing: Listing) -> list[int]:
    shown = {link.media_id for link in listing.images}
    wanted = {int(v) for v in request.form.getlist("remove_photo") if v.isdigit() and len(v) < 10}
    return sorted(wanted & shown)


def add_photos(work, listing: Listing, files: list[FileStorage]) -> None:
    for upload in files:
        add_image(work, "listings", listing.slug, upload.read(), alt=listing.title)


def too_many_photos() -> str:
    return _("最多可上传 %(n)s 张照片", n=MAX_PHOTOS)


def show_problem(form: ListingForm, error: ServiceError | MediaError) -> None:
    if isinstance(error, MediaError):
        message = (
            error.message
            if error.field == "photos"
            else service_message(ServiceError(error.message), error.message)
        )
        form.photos.errors = [*form.photos.errors, message]
    else:
        form.show_error(error)
