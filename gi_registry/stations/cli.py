"""``flask guidance``: staff list, answer and close guidance requests until the console exists."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from gi_registry import vocab
from gi_registry.localtime import local_datetime
from gi_registry.services.errors import ServiceError
from gi_registry.services.stations import answer_request, close_request, list_requests
from gi_registry.services.unit import command_actor, unit_of_work

guidance_group = AppGroup("guidance", help="Guidance requests to the trademark-brand stations.")


@guidance_group.command("list")
@click.option("--station", default=None, help="Only this station (its slug).")
@click.option("--status", type=click.Choice(list(vocab.GUIDANCE_STATUSES)), default=None)
def list_command(station: str | None, status: str | None) -> None:
    """List requests, oldest first, with the requester's contact (for staff only)."""
    requests = list_requests(station, status)
    if not requests:
        click.echo("没有符合条件的咨询。")
    for item in requests:
        click.echo(
            f"{item.tracking_code}  {local_datetime(item.created_at)}  "
            f"{vocab.GUIDANCE_STATUSES[item.status]}  {item.station.slug}  "
            f"{vocab.GUIDANCE_TOPICS[item.topic]}"
        )
        who = "，".join(v for v in (item.requester_name, item.organisation, item.contact) if v)
        click.echo(f"    {who}")
        click.echo(f"    问：{_one_line(item.question)}")
        if item.answer:
            click.echo(f"    答：{_one_line(item.answer)}")


@guidance_group.command("answer")
@click.argument("code")
@click.option("--text", default=None, help="The answer.")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the answer from this UTF-8 file.",
)
def answer_command(code: str, text: str | None, path: Path | None) -> None:
    """Answer a request; the answer appears on its public status page."""
    if (text is None) == (path is None):
        raise click.UsageError("请用 --text 或 --file 之一给出答复内容。")
    body = text if path is None else _read_answer(path)
    try:
        with unit_of_work(actor=command_actor()) as work:
            item = answer_request(work, code, body)
            done = item.tracking_code
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已答复 {done}。")


@guidance_group.command("close")
@click.argument("code")
def close_command(code: str) -> None:
    """Mark a request as done (已办结)."""
    try:
        with unit_of_work(actor=command_actor()) as work:
            done = close_request(work, code).tracking_code
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已办结 {done}。")


def _read_answer(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} 不是 UTF-8 编码的文本文件。") from None


def _one_line(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
