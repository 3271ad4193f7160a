"""``flask --app gi_registry search sync | rebuild | check``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Keep the search index in step with the database.")

REBUILD_HINT = "请运行 flask search rebuild。"


def unavailable_message(reason: str) -> str:
    return f"搜索索引不可用：{reason}。{REBUILD_HINT}"


@search_cli.command("sync")
def sync_command() -> None:
    """Index whatever the outbox still holds (after a crash, or with drain-on-commit off)."""
    from gi_registry import search

    report = search.drain()
    if report.unavailable:
        raise click.ClickException(unavailable_message(report.unavailable))
    if report.busy:
        raise click.ClickException("索引正被另一个进程写入，请稍后重试。")
    if report.rebuilding:
        raise click.ClickException("索引正在重建；重建完成时会处理这些记录。")
    click.echo(
        f"已同步：更新 {report.indexed} 条，移除 {report.removed} 条（队列 {report.rows} 行）。"
    )


@search_cli.command("rebuild")
@click.option("--procs", type=click.IntRange(1, 8), default=None, help="analysing processes")
def rebuild_command(procs: int | None) -> None:
    """Build a fresh index beside the live one and swap it in; searches keep working meanwhile.
    Works whatever state the live index is in (missing, damaged, outdated)."""
    from gi_registry import search

    with click.progressbar(length=1, label="重建索引", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            report = search.rebuild(progress=progress, procs=procs)
        except search.RebuildRunning as error:
            raise click.ClickException(str(error)) from None
    counts = "，".join(f"{kind} {n}" for kind, n in report.counts.items())
    click.echo(f"已重建：{report.total} 篇文档（{counts}），用时 {report.seconds:.1f} 秒。")


@search_cli.command("check")
@click.option("--sample", type=click.IntRange(0), default=200, help="documents compared by content")
def check_command(sample: int) -> None:
    """Compare the index with the database; exit 1 on any mismatch, an unreadable index, or outbox
    rows waiting longer than SEARCH_PENDING_GRACE seconds."""
    from gi_registry import search

    report = search.check(sample=sample)
    if report.unavailable:
        click.echo(unavailable_message(report.unavailable), err=True)
        sys.exit(1)
    for kind, wanted in report.database.items():
        click.echo(f"{kind}: 数据库 {wanted}，索引 {report.indexed.get(kind, 0)}")
    click.echo(f"抽查 {report.sampled} 篇；待处理队列 {report.pending} 行。")
    for problem in report.problems:
        click.echo(f"不一致：{problem}", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo("索引与数据库一致。")
