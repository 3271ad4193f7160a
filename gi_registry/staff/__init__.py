"""The staff area under /staff/ (工作人员): a dashboard of pending work, moderation of organisations,
listings and batches, and the guidance stations' requests.

Every route is for staff and admins only, checked once in ``before_request`` below; every action
writes through the same service functions as the interim CLI commands, in a unit of work naming the
signed-in staff user so the history says who did it. Features add a dashboard panel to
``staff.panels.PANELS``.
"""

from __future__ import annotations

from flask import Blueprint

from gi_registry.accounts.access import refuse_non_staff

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
def staff_only():
    """The one role check of the area: anonymous visitors go to the login page, others get 403."""
    return refuse_non_staff()


@bp.after_request
def private(response):
    """Pages about private work: never stored by a cache, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


from gi_registry.staff import (  # noqa: E402,F401  (routes register on bp)
    authorizations,
    batches,
    brands,
    categories,
    content,
    dashboard,
    guidance,
    history,
    imports,
    listings,
    organisations,
    producers,
    products,
    slots,
    users,
)

# Users and roles: admins only, checked by its own before_request after the area's.
bp.register_blueprint(users.bp)
