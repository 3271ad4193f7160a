"""Flask commands: ``flask --app gi_registry init-db | load-sample | import | export | create-user``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from gi_registry import search, vocab
from gi_registry.config import MIGRATIONS_DIR
from gi_registry.interchange import DocumentError, ImportReport, export_path, import_path
from gi_registry.interchange.sample import SampleError, load_sample
from gi_registry.listings.cli import expire_listings_command, listings_cli
from gi_registry.localtime import local_datetime
from gi_registry.media_files.cli import media_group
from gi_registry.organisations.cli import producer_group
from gi_registry.promotion import cli as promotion_cli
from gi_registry.services.accounts import AccountError, create_user
from gi_registry.services.errors import ServiceError
from gi_registry.services.records import MODELS as RECORD_KINDS
from gi_registry.services.reference import ensure_reference_data, read_divisions
from gi_registry.services.revisions import entity_id_for, record_history, restore_revision
from gi_registry.services.setup_lock import SetupBusy, setup_lock
from gi_registry.services.unit import command_actor as cli_actor
from gi_registry.services.unit import unit_of_work
from gi_registry.stations.cli import guidance_group
from gi_registry.trace.cli import batch_group
from gi_registry.verify.cli import authorization_cli


def init_app(app: Flask) -> None:
    for command in (
        init_db_command,
        load_sample_command,
        import_command,
        export_command,
        create_user_command,
        history_command,
        authorization_cli,
        *promotion_cli.GROUPS,
        guidance_group,
        media_group,
        batch_group,
        producer_group,
        listings_cli,
        expire_listings_command,
    ):
        app.cli.add_command(command)


def init_database() -> None:
    """Create or upgrade the schema, then make sure the reference data is there. Idempotent, and
    safe to start twice at once: the second run waits for the first (``setup_lock``)."""
    try:
        with setup_lock():
            _set_up_database()
    except SetupBusy as error:
        raise click.ClickException(str(error)) from None


def _set_up_database() -> None:
    upgrade(directory=MIGRATIONS_DIR)
    total = len(read_divisions())
    with (
        click.progressbar(length=total, label="行政区划", file=sys.stderr) as bar,
        unit_of_work(actor=f"init-db ({cli_actor()})") as work,
    ):
        ensure_reference_data(work, progress=bar.update)
    # A new instance, or one upgraded to a new index schema, gets its search index here.
    search.ensure_index()


# with_appcontext: `flask` pushes a context itself, but app.cli.invoke (scripts, tests) does not.
@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database and load the reference data."""
    init_database()
    click.echo("数据库已就绪。")


@click.command("load-sample")
@with_appcontext
def load_sample_command() -> None:
    """Load the shipped sample (real Jilin GIs with sources; fictional sample producers)."""
    init_database()
    try:
        report = load_sample(progress=lambda name: click.echo(f"  图片 {name}", err=True))
    except SampleError as error:
        raise click.ClickException(str(error)) from None
    _print_counts(report)


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import a gi-registry/1 JSON file, one CSV file, or a folder of CSV files. All or nothing."""
    click.echo(f"正在校验 {path} …", err=True)
    try:
        report = import_path(path, dry_run=dry_run, progress=_progress_printer(), actor=cli_actor())
    except DocumentError as error:
        raise click.ClickException(str(error)) from None
    if not report.ok:
        for issue in report.issues:
            click.echo(str(issue), err=True)
        hidden = report.issue_count - len(report.issues)
        if hidden:
            click.echo(f"……另有 {hidden} 个错误未列出", err=True)
        raise click.ClickException(f"发现 {report.issue_count} 个错误，未导入任何数据。")
    _print_counts(report)


@click.command("export")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default=None,
    help="Default: from the extension (.json, or .csv / a folder for CSV).",
)
@click.option(
    "--public",
    is_flag=True,
    help="Only what the public pages show, without producers' contact details (open data).",
)
def export_command(path: Path, fmt: str | None, public: bool) -> None:
    """Export the registry as gi-registry/1 JSON, or as CSV files (one per kind)."""
    for written in export_path(path, fmt, public=public):
        click.echo(f"已写入 {written}")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(list(vocab.USER_ROLES)), required=True)
@click.option("--producer", "producer_slug", default=None, help="Producer slug (role producer).")
def create_user_command(email: str, role: str, producer_slug: str | None) -> None:
    """Create a user. The password comes from a prompt, or from the first line of piped stdin."""
    password = _read_password()
    try:
        with unit_of_work(actor=cli_actor()) as work:
            user = create_user(work, email, password, role=role, producer_slug=producer_slug)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"已创建用户 {user.email}（{vocab.USER_ROLES[user.role]}）")


@click.command("history")
@with_appcontext
@click.argument("kind", type=click.Choice(list(RECORD_KINDS)))
@click.argument("key")
@click.option(
    "--restore",
    "revision",
    type=int,
    default=None,
    help="Restore the record as it was after this entry.",
)
def history_command(kind: str, key: str, revision: int | None) -> None:
    """Show a record's history (KEY: its slug, or PRODUCER/PRODUCT for an authorisation)."""
    try:
        entity_id = entity_id_for(kind, key)
        if revision is not None:
            with unit_of_work(actor=cli_actor()) as work:
                restore_revision(work, kind, entity_id, revision)
            click.echo(f"已恢复到第 {revision} 条记录之后的状态。")
        revisions = record_history(kind, entity_id)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    for entry in revisions:
        who = entry.user_email or entry.actor
        click.echo(f"#{entry.id}  {local_datetime(entry.at)}  {who}  {entry.action}")
        for name, (before, after) in entry.changes.items():
            click.echo(f"    {name}: {_short(before)} → {_short(after)}")


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "…"


def _read_password() -> str:
    # Never from argv: it would end up in shell history and the process list. sys.stdin, not
    # click.get_text_stream (deprecated in Click 8.5); click's test runner replaces both alike.
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


def _progress_printer(every: int = 1000):
    """Report written records every ``every`` rows on stderr: a large import is not silent for minutes."""
    written = 0

    def progress(count: int) -> None:
        nonlocal written
        written += count
        if written % every == 0:
            click.echo(f"  已处理 {written} 条记录…", err=True)

    return progress


def _print_counts(report: ImportReport) -> None:
    prefix = "（试运行，未写入）" if report.dry_run else ""
    kinds = ("products", "brands", "producers", "authorizations", "listings")
    for kind in (*kinds, "stories", "events", "slots"):
        counts = (report.created[kind], report.updated[kind], report.unchanged[kind])
        if any(counts):
            click.echo(f"{prefix}{kind}: 新增 {counts[0]}，更新 {counts[1]}，未变 {counts[2]}")
    if not any(sum(c.values()) for c in (report.created, report.updated, report.unchanged)):
        click.echo(f"{prefix}没有需要导入的记录。")
