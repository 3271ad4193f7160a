"""Producers' registry records for staff (经营主体登记信息): edit the public fields of any producer (an
organisation of the portal or one known only from a public source), create one that has no portal
account, archive and bring back. The organisation page (/staff/organisations/<slug>) stays the place
for verification and the private facts; it links here. Writes go through
``services.organisations.save_registry_producer`` (``save_producer``); the history names the user."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gi_registry.extensions import db
from gi_registry.models import Producer
from gi_registry.organisations.views import prefectures
from gi_registry.services.organisations import save_registry_producer
from gi_registry.services.producers import archive_producer, set_producer_status
from gi_registry.staff.common import act, staff_page
from gi_registry.staff.editing import save_form
from gi_registry.staff.record_forms import ArchiveForm, ProducerForm


def find_producer(slug: str) -> Producer:
    return db.session.scalar(sa.select(Producer).where(Producer.slug == slug)) or abort(404)


@staff_page("/producers/new", methods=["GET", "POST"])
def new_producer():
    return producer_page(None)


@staff_page("/producers/<slug:slug>/edit", methods=["GET", "POST"])
def edit_producer(slug: str):
    return producer_page(find_producer(slug))


def producer_page(producer: Producer | None):
    form = ProducerForm()
    form.offer_choices(prefectures())
    status = 200
    if not form.is_submitted():
        if producer is not None:
            form.fill_from(producer)
    else:
        saved, status = save_form(
            form,
            lambda work: save_registry_producer(
                work, producer, form.service_data(), expected_version=form.expected_version()
            ),
        )
        if saved is not None:
            flash(_("已保存经营主体“%(name)s”的登记信息。", name=saved.name_zh), "success")
            return redirect(url_for("staff.organisation", slug=saved.slug), code=303)
    page = render_template(
        "staff/producer.html",
        form=form,
        producer=producer,
        archive_form=ArchiveForm(formdata=None, version=producer.version if producer else ""),
    )
    return make_response(page, status)


ARCHIVE_DONE = {
    "archive": _l("已归档，该经营主体不再公开。"),
    "unarchive": _l("已取消归档，该经营主体回到待审核，核准后才公开。"),
}


@staff_page("/producers/<slug:slug>/<any(archive, unarchive):action>", methods=["POST"])
def producer_archive(slug: str, action: str):
    """Archive (out of every public page and search), or bring back as pending: staff look at it
    again and verify it on the organisation page before it is public."""
    find_producer(slug)
    form = ArchiveForm()
    if not form.validate():
        flash(_("表单已过期，请重新提交。"), "error")
        return redirect(url_for("staff.edit_producer", slug=slug), code=303)
    version = form.expected_version()
    if action == "archive":
        _done, errors = act(lambda work: archive_producer(work, slug, expected_version=version))
    else:
        _done, errors = act(
            lambda work: set_producer_status(work, slug, "pending", expected_version=version)
        )
    for message in errors.values():
        flash(message, "error")
    if not errors:
        flash(str(ARCHIVE_DONE[action]), "success")
    return redirect(url_for("staff.edit_producer", slug=slug), code=303)
