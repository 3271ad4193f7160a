"""``flask listings pending | approve | reject | expire``: review and housekeeping until the staff
console exists. Every command writes through the services, as the portal does."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from gi_registry.localtime import local_today
from gi_registry.services import listings as service
from gi_registry.services.errors import ServiceError
from gi_registry.services.unit import command_actor, unit_of_work

listings_cli = AppGroup("listings", help="Supply and demand listings (供需信息): review, expiry.")


@listings_cli.command("pending")
def pending() -> None:
    """List the listings waiting for review, oldest first."""
    waiting = service.pending_listings()
    for listing in waiting:
        click.echo(f"{listing.slug}\t{listing.kind}\t{listing.producer.slug}\t{listing.title}")
    click.echo(f"待审核：{len(waiting)} 条", err=True)


@listings_cli.command("approve")
@click.argument("slug")
def approve(slug: str) -> None:
    """Publish a pending listing (the GI name rule is checked again)."""
    run(lambda work: service.approve_listing(work, slug, today=local_today()))
    click.echo(f"已发布：{slug}")


@listings_cli.command("reject")
@click.argument("slug")
@click.option("--reason", required=True, help="Why, shown to the organisation's members.")
def reject(slug: str, reason: str) -> None:
    """Refuse a pending (or take down a published) listing, saying why."""
    run(lambda work: service.reject_listing(work, slug, reason))
    click.echo(f"已退回：{slug}")


@listings_cli.command("expire")
def expire() -> None:
    """Mark listings whose availability has ended (by the province's date) expired."""
    slugs = run(lambda work: service.expire_listings(work, local_today()))
    for slug in slugs:
        click.echo(slug)
    click.echo(f"已标记过期：{len(slugs)} 条", err=True)


# The name for the same job, for a crontab line that reads as what it does.
expire_listings_command = click.Command(
    "expire-listings", callback=expire.callback, help=expire.help
)


def run(write):
    try:
        with unit_of_work(actor=command_actor()) as work:
            return write(work)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
