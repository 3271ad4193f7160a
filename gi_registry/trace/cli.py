"""``flask batch list | recall``: the staff's batch commands, until the staff console exists."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from gi_registry.extensions import db
from gi_registry.models import Producer, TraceBatch
from gi_registry.services.errors import ServiceError, ValidationError
from gi_registry.services.trace import recall_batch, scan_counts
from gi_registry.services.unit import command_actor, unit_of_work

batch_group = AppGroup("batch", help="Batch trace codes (溯源): list batches, recall one.")


def find_batch(key: str) -> TraceBatch:
    """A batch by its token (as on the label) or its id."""
    key = key.strip()
    batch = db.session.scalar(select(TraceBatch).where(TraceBatch.token == key[:64]))
    if batch is None and key.isdigit():
        batch = db.session.get(TraceBatch, int(key))
    if batch is None:
        raise click.ClickException(f"找不到批次 {key}（请给出标签上的溯源码或批次 id）。")
    return batch


@batch_group.command("list")
@click.option("--producer", help="only this producer's batches (slug)")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
def list_command(producer: str | None, limit: int) -> None:
    """The newest batches: id, token, producer, product, batch code, scans, recall."""
    query = select(TraceBatch).order_by(TraceBatch.id.desc()).limit(limit)
    if producer:
        query = query.join(TraceBatch.producer).where(Producer.slug == producer)
    batches = list(db.session.scalars(query))
    counts = scan_counts([b.id for b in batches])
    for b in batches:
        recalled = f"\t已召回：{b.recall_reason}" if b.recalled_at else ""
        click.echo(
            f"{b.id}\t{b.token}\t{b.producer.slug}\t{b.product.slug}\t{b.batch_code}"
            f"\t扫码 {counts.get(b.id, 0)} 次{recalled}"
        )
    if not batches:
        click.echo("没有批次。")


@batch_group.command("recall")
@click.argument("key")
@click.option("--reason", required=True, help="why the batch is recalled (shown on the scan page)")
def recall_command(key: str, reason: str) -> None:
    """Mark a batch recalled (KEY: its token or id); its scan page says so from now on."""
    batch_id = find_batch(key).id
    try:
        with unit_of_work(actor=command_actor()) as work:
            batch = recall_batch(work, batch_id, reason)
            code, product = batch.batch_code, batch.product.name_zh
    except ValidationError as error:
        raise click.ClickException("；".join(error.errors.values())) from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已召回 {product} 批次 {code}：扫码页面即刻显示召回原因。")
