"""Outgoing mail through SMTP (``MAIL_*`` settings); without ``MAIL_SERVER`` it goes to the log.

Plain ``smtplib`` and ``email.message``: a reset link is one short text message, and a mail library
would add nothing but a dependency.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one text message. An SMTP failure is logged, never shown: the page a visitor sees must
    not depend on whether mail went out (it would tell which addresses have accounts)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        current_app.logger.warning("MAIL_SERVER is not set; mail to %s:\n%s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(body)
    try:
        _deliver(message, config)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("could not send mail to %s", to)


def send_mail_soon(to: str, subject: str, body: str) -> None:
    """``send_mail`` from a thread, so that the page answers as fast whether or not a message
    goes out: a reset request for an address with an account must not take longer to answer."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_send_in, args=(app, to, subject, body), daemon=True).start()


def _send_in(app: Flask, to: str, subject: str, body: str) -> None:
    with app.app_context():
        send_mail(to, subject, body)


def _deliver(message: EmailMessage, config) -> None:
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
