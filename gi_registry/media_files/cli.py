"""``flask media check``: compare the picture rows with the files under MEDIA_ROOT."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from gi_registry.services.media_check import check_media

media_group = AppGroup("media", help="Stored pictures (图片) and their files.")
SHOWN = 20  # problems listed one by one; the rest are counted


@media_group.command("check")
@click.option("--deep", is_flag=True, help="Also decode every file and compare its size.")
def check_command(deep: bool) -> None:
    """Report picture files that are missing, empty or damaged; exit 1 if there are any."""
    report = check_media(deep=deep)
    for problem in report.problems[:SHOWN]:
        where = "、".join(problem.shown_on) or "无记录使用"
        click.echo(
            f"{problem.file}: {_problem_zh(problem.problem)}（图片 {problem.asset_id}，用于 {where}）"
        )
    if len(report.problems) > SHOWN:
        click.echo(f"……另有 {len(report.problems) - SHOWN} 个文件有问题")
    if report.partial_files:
        click.echo(f"{len(report.partial_files)} 个未写完的临时文件（.part），可以删除")
    if report.unknown_files:
        click.echo(f"{len(report.unknown_files)} 个文件没有对应的图片记录（不影响页面）")
    if not report.ok:
        raise click.ClickException(
            f"{len(report.problems)} 个图片文件缺失或损坏（共检查 {report.assets} 张图片、"
            f"{report.files} 个文件）。请重新上传所列记录的图片；示例数据的图片可用 flask load-sample 恢复。"
        )
    click.echo(f"图片文件完整：{report.assets} 张图片、{report.files} 个文件。")


def _problem_zh(problem: str) -> str:
    return {"missing": "文件缺失", "empty": "文件为空"}.get(problem, f"文件损坏（{problem}）")
