"""Misuse reports (侵权投诉举报): the public form, the reporter's status page (views.py) and the staff
workflow under /staff/reports (staff.py). Writes in services/reports.py; docs/reports.md."""

from gi_registry.reports import panel  # noqa: F401  (adds the staff dashboard's queue)
from gi_registry.reports.staff import bp as staff_bp
from gi_registry.reports.views import bp

__all__ = ["bp", "staff_bp"]
