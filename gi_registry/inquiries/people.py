"""How each side of a thread is named, and what contact details it has chosen to show."""

from __future__ import annotations

from flask_babel import gettext as _

from gi_registry.models import InquiryThread


def asker_name(thread: InquiryThread) -> str:
    """The asker by the name they chose, never by their address. (The other side is its
    organisation, which templates name in the page's language.)"""
    return thread.asker.display_name or _("咨询人")


def contact_of(thread: InquiryThread, side: str) -> dict[str, str]:
    """The details a side shows once it has ticked "show my contact details"."""
    if side == "asker":
        return {"email": thread.asker.email}
    producer = thread.listing.producer
    details = {
        "name": producer.contact_name,
        "phone": producer.contact_phone or producer.phone,
        "email": producer.contact_email,
    }
    return {key: value for key, value in details.items() if value}
