"""``flask authorization label | rotate-token``: QR labels for packs (the staff console prints them too)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from gi_registry import vocab
from gi_registry.catalog.queries import mark_status
from gi_registry.extensions import db
from gi_registry.models import Authorization
from gi_registry.services.authorizations import find_authorization, rotate_verify_token
from gi_registry.services.errors import ServiceError
from gi_registry.services.unit import command_actor, unit_of_work
from gi_registry.verify.labels import Label, LabelError, render

authorization_cli = AppGroup(
    "authorization", help="QR labels of GI-mark authorisations (专用标志使用授权)."
)

KEY_HELP = "KEY: the authorisation's id, its number as printed, or PRODUCER/PRODUCT (slugs)."


def find_for_key(key: str) -> Authorization:
    """The one authorisation a command line names; a ClickException says why not."""
    key = key.strip()
    auth = None
    if "/" in key:
        auth = find_authorization(*key.split("/", 1))
    elif key.isdigit():
        auth = db.session.get(Authorization, int(key))
    if auth is None and "/" not in key:
        found = list(db.session.scalars(select(Authorization).where(Authorization.number == key)))
        if len(found) > 1:
            ids = "、".join(str(a.id) for a in found)
            raise click.ClickException(f"编号 {key} 对应多条授权（id {ids}），请改用 id。")
        auth = found[0] if found else None
    if auth is None:
        raise click.ClickException(f"找不到专用标志使用授权 {key}。{KEY_HELP}")
    return auth


def verify_url(token: str) -> str:
    """The absolute address a label's code holds: under PUBLIC_URL, never a guessed host."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise click.ClickException(
            "请先设置 GI_PUBLIC_URL（本站的公开地址，例如 https://gi.jl.gov.cn）："
            "印在包装上的二维码必须是完整网址。"
        )
    # A request under the public address makes url_for add its path prefix, as the site serves it.
    with current_app.test_request_context(base_url=base.rstrip("/") + "/"):
        return url_for("verify.token", token=token, _external=True)


@authorization_cli.command("label", epilog=KEY_HELP)
@click.argument("key")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="file.svg (vector, for printers) or file.png (300 dpi); default authorization-ID.svg",
)
@click.option(
    "--size",
    type=click.FloatRange(10, 200),
    default=20.0,
    show_default=True,
    help="side of the QR code in millimetres, quiet zone included",
)
def label_command(key: str, out: Path | None, size: float) -> None:
    """Write a printable QR label: the code of /verify/<token>, the product and the number."""
    auth = find_for_key(key)
    out = out or Path(f"authorization-{auth.id}.svg")
    kind = out.suffix.lower().lstrip(".")
    label = Label(verify_url(auth.verify_token), auth.product.name_zh, auth.number, size)
    try:
        out.write_bytes(render(label, kind))
    except LabelError as error:
        raise click.ClickException(str(error)) from None
    state = mark_status(auth)
    if state != "valid":
        reason = vocab.AUTHORIZATION_STATUSES.get(state, "尚未生效")
        click.echo(f"注意：该授权今天不可使用（{reason}），扫码将如实显示。", err=True)
    click.echo(f"已写入 {out}：{label.url}")


@authorization_cli.command("rotate-token", epilog=KEY_HELP)
@click.argument("key")
def rotate_token_command(key: str) -> None:
    """Give the authorisation a new QR token; labels printed before answer "unknown" from now on."""
    auth = find_for_key(key)
    try:
        with unit_of_work(actor=command_actor()) as work:
            auth = rotate_verify_token(work, auth.id)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已更换核验码：旧标签作废。新标签请运行 flask authorization label {auth.id}")
