"""Producer organisations in the portal (经营主体): creating one, its page and edits, the private
business licence, members and invitations, the dashboard panel, and ``flask producer`` for staff."""

from gi_registry.organisations import panel  # noqa: F401  (adds the dashboard panel)
from gi_registry.organisations.views import bp

__all__ = ["bp"]
