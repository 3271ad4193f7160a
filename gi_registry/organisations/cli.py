"""``flask producer``: staff verify, reject and suspend organisations until the staff console exists."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from gi_registry import vocab
from gi_registry.localtime import local_datetime
from gi_registry.services.errors import ServiceError
from gi_registry.services.memberships import members
from gi_registry.services.organisations import decide, list_organisations
from gi_registry.services.unit import command_actor, unit_of_work

producer_group = AppGroup("producer", help="Producer organisations: verification by staff.")


@producer_group.command("list")
@click.option("--pending", is_flag=True, help="Only organisations awaiting verification.")
def list_command(pending: bool) -> None:
    """Organisations made in the portal (or joined by a user), oldest first."""
    found = list_organisations(pending_only=pending)
    if not found:
        click.echo("没有待审核的经营主体。" if pending else "没有经营主体。")
    for producer in found:
        status = vocab.PRODUCER_STATUSES[producer.status]
        if producer.status == "pending" and producer.status_reason:
            status = "已退回"
        click.echo(
            f"{producer.slug}  {status}  {producer.name_zh}  {producer.credit_code}  "
            f"{vocab.PRODUCER_KINDS[producer.kind]}  {producer.region_code}  "
            f"{local_datetime(producer.created_at)}"
        )
        owners = [m.email for m in members(producer) if m.member_role == "owner"]
        contact = "，".join(v for v in (producer.contact_name, producer.contact_phone) if v)
        click.echo(f"    负责人：{'、'.join(owners) or '—'}  联系人：{contact or '—'}")
        if producer.licence_file:
            click.echo(f"    营业执照：/portal/organisations/{producer.slug}/licence")
        if producer.status_reason:
            click.echo(f"    原因：{producer.status_reason}")


@producer_group.command("verify")
@click.argument("slug")
def verify_command(slug: str) -> None:
    """Verify an organisation (pending, or suspended): it becomes active and its listings public."""
    run("verify", slug, "", "已核准")


@producer_group.command("reject")
@click.argument("slug")
@click.option("--reason", required=True, help="What the members must correct (shown to them).")
def reject_command(slug: str, reason: str) -> None:
    """Send a pending organisation back to its members with a reason."""
    run("reject", slug, reason, "已退回")


@producer_group.command("suspend")
@click.argument("slug")
@click.option("--reason", required=True, help="Why (shown to the members).")
def suspend_command(slug: str, reason: str) -> None:
    """Suspend an active organisation: its listings leave the public pages."""
    run("suspend", slug, reason, "已暂停")


def run(decision: str, slug: str, reason: str, done: str) -> None:
    try:
        with unit_of_work(actor=command_actor()) as work:
            decide(work, slug, decision, reason)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{done} {slug}。")
