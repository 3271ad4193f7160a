"""``flask story|event …`` and ``flask slot …``: how staff manage the showcase until the console exists.

Every command is one unit of work with the command's actor (``cli:<login>``), so each change is in
``flask history stories|events|slots KEY``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from gi_registry import vocab
from gi_registry.extensions import db
from gi_registry.interchange.promotion import FrontMatterError, import_content, read_records
from gi_registry.localtime import local_datetime
from gi_registry.media import MediaError
from gi_registry.models import Event, Story, now_utc
from gi_registry.promotion import queries
from gi_registry.services import promotion as service
from gi_registry.services.errors import ServiceError, ValidationError
from gi_registry.services.fields import FieldError
from gi_registry.services.unit import command_actor, unit_of_work

story_group = AppGroup("story", help="Stories (Markdown): import, publish, schedule, list.")
event_group = AppGroup("event", help="Events: import, publish, schedule, list.")
slot_group = AppGroup("slot", help="Featured slots of the home page.")
GROUPS = (story_group, event_group, slot_group)


def run(write: Callable, actor: str) -> object:
    """One unit of work; a refused write becomes a click error naming the field."""
    try:
        with unit_of_work(actor=actor) as work:
            return write(work)
    except ValidationError as error:
        raise click.ClickException(
            "；".join(f"{field}: {message}" for field, message in error.errors.items())
        ) from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    except MediaError as error:  # a refused picture: its message names the field
        raise click.ClickException(error.message) from None


def when(value: str | None):
    """A ``--at``/``--starts``/``--ends`` option: local time of the province, or ISO with offset."""
    try:
        return service.moment(value)
    except FieldError as error:
        raise click.BadParameter(str(error)) from None


def content_commands(group: click.Group, kind: str, model: type[Story] | type[Event]) -> None:
    """import / publish / unpublish / archive / list, the same for stories and events."""
    noun = "故事" if kind == "stories" else "活动"

    @group.command("import")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    def import_command(paths: tuple[Path, ...]) -> None:
        """Create or update from Markdown files with front matter, or JSON files."""
        records = []
        for path in paths:
            try:
                records += read_records(path)
            except FrontMatterError as error:
                raise click.ClickException(f"{path}: {error}") from None
        counts = run(lambda work: import_content(work, kind, records), command_actor())
        click.echo(
            f"{noun}：新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}"
        )

    @group.command("publish")
    @click.argument("slug")
    @click.option("--at", "at", default=None, help="Schedule: 'YYYY-MM-DD HH:MM' (province time).")
    def publish_command(slug: str, at: str | None) -> None:
        """Publish now, or schedule with --at."""
        moment = when(at)
        item = run(lambda work: service.publish(work, kind, slug, at=moment), command_actor())
        due = item.published_at <= now_utc()
        state = "已发布" if due else f"已定时，将于 {local_datetime(item.published_at)} 公开"
        click.echo(f"{noun} {slug} {state}。")

    @group.command("unpublish")
    @click.argument("slug")
    def unpublish_command(slug: str) -> None:
        """Back to draft (and cancel a schedule)."""
        run(lambda work: service.unpublish(work, kind, slug), command_actor())
        click.echo(f"{noun} {slug} 已撤回为草稿。")

    @group.command("archive")
    @click.argument("slug")
    def archive_command(slug: str) -> None:
        """Archive: off the public pages and feeds, kept as a record."""
        run(lambda work: service.archive(work, kind, slug), command_actor())
        click.echo(f"{noun} {slug} 已归档。")

    @group.command("list")
    def list_command() -> None:
        """Every item with its status and publication time, newest first."""
        now = now_utc()
        items = db.session.scalars(select(model).order_by(model.id.desc()))
        for item in items:
            click.echo(f"{item.slug}\t{status_text(item, now)}\t{item.title_zh}")


def status_text(item: Story | Event, now) -> str:
    if item.status == "published" and item.published_at and item.published_at > now:
        return f"定时 {local_datetime(item.published_at)}"
    label = vocab.CONTENT_STATUSES[item.status]
    if item.status == "published" and item.published_at:
        return f"{label} {local_datetime(item.published_at)}"
    return label


content_commands(story_group, "stories", Story)


@story_group.command("cover")
@click.argument("slug")
@click.argument(
    "picture", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--alt", default="", help="What the picture shows, for readers who cannot see it.")
@click.option("--credit", default="", help="Who made the picture.")
@click.option("--licence", default="", help="Its licence, e.g. CC-BY-4.0.")
@click.option("--remove", is_flag=True, help="Take the cover off the story.")
def cover_command(
    slug: str, picture: Path | None, alt: str, credit: str, licence: str, remove: bool
) -> None:
    """Set a story's cover picture (JPEG, PNG or WebP; verified and re-encoded), or remove it."""
    if remove == (picture is not None):
        raise click.UsageError("请给出一张图片，或使用 --remove（二者选一）。")
    data = None if remove else picture.read_bytes()

    def write(work):
        return service.set_story_cover(work, slug, data, alt=alt, credit=credit, licence=licence)

    story = run(write, command_actor())
    click.echo(f"故事 {slug} 的封面图片已{'移除' if story.cover is None else '更新'}。")


content_commands(event_group, "events", Event)


def slot_options(command):
    for option in reversed(
        [
            click.option("--position", type=int, default=None, help="Order on the page (0 first)."),
            click.option("--starts", default=None, help="Show from: 'YYYY-MM-DD HH:MM'."),
            click.option("--ends", default=None, help="Show until (exclusive)."),
            click.option("--headline", default=None, help="Words shown instead of the title."),
            *(
                click.option(f"--{kind}", kind, default=None, help=f"Target {kind} (slug).")
                for kind in vocab.FEATURE_TARGETS
            ),
        ]
    ):
        command = option(command)
    return command


def slot_data(position, starts, ends, headline, targets: dict) -> dict:
    data: dict = {kind: slug for kind, slug in targets.items() if slug}
    for name, value in (("position", position), ("headline_zh", headline)):
        if value is not None:
            data[name] = value
    for name, value in (("starts_at", starts), ("ends_at", ends)):
        if value is not None:
            data[name] = value or None  # --ends "" clears the end
    return data


@slot_group.command("add")
@slot_options
def slot_add(position, starts, ends, headline, **targets) -> None:
    """Feature one product, brand, story or event on the home page."""
    data = slot_data(position if position is not None else 0, starts, ends, headline, targets)
    slot = run(lambda work: service.add_slot(work, data), command_actor())
    click.echo(f"已添加推荐位 #{slot.id}。")


@slot_group.command("update")
@click.argument("slot_id", type=int)
@slot_options
def slot_update(slot_id, position, starts, ends, headline, **targets) -> None:
    """Change a slot's position, schedule, headline or target."""
    data = slot_data(position, starts, ends, headline, targets)
    run(lambda work: service.update_slot(work, slot_id, data), command_actor())
    click.echo(f"已更新推荐位 #{slot_id}。")


@slot_group.command("remove")
@click.argument("slot_id", type=int)
def slot_remove(slot_id: int) -> None:
    """Take a slot off the home page now (it stays in the history)."""
    run(lambda work: service.remove_slot(work, slot_id), command_actor())
    click.echo(f"推荐位 #{slot_id} 已下线。")


@slot_group.command("list")
def slot_list() -> None:
    """Every slot by position: showing now, scheduled or ended."""
    now = now_utc()
    showing = {s.id for s in queries.showing_slots(now, limit=1000)}
    for slot in queries.all_slots():
        window = " ~ ".join(local_datetime(t) if t else "…" for t in (slot.starts_at, slot.ends_at))
        state = "展示中" if slot.id in showing else "未展示"
        target = f"{slot.target_kind}:{slot.target.slug}"
        click.echo(f"#{slot.id}\t{slot.position}\t{state}\t{window}\t{target}\t{slot.headline_zh}")


__all__ = ["GROUPS"]
