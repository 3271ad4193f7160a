"""Messages written in Chinese below the web layer, shown in the page's language.

Field rules (``services``, ``verify.lookup``, ``credit_code``) build finished Chinese sentences, because
the API, the importer and the command line answer in Chinese and their messages are a contract. A page
translates such a message by matching it against ``TEMPLATES``: catalogue ids whose ``%(name)s``
placeholders stand for any text. A ``label`` placeholder must be a known field label and is translated;
a ``problem`` placeholder is translated in turn (a service says "姓名：不能为空"); a ``list`` is
re-joined with the page's list separator; anything else (a number, a value typed) is kept. A message
that matches nothing is returned as it is, still Chinese: the template marks it so.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import gettext

from gi_registry.services.trace import MESSAGES as TRACE_MESSAGES


def N_(message: str) -> str:
    """Marks a catalogue id for extraction (Babel's default keyword) without translating it here."""
    return message


# Field labels that messages name, as the field rules spell them.
LABELS = (
    N_("统一社会信用代码"),
    N_("授权编号"),
    N_("核验码"),
    N_("统一社会信用代码或授权编号"),
    N_("指导站"),
    N_("咨询事项"),
    N_("问题描述"),
    N_("姓名"),
    N_("单位"),
    N_("联系方式"),
    # services.organisations
    N_("名称"),
    N_("主体类型"),
    N_("所在地区"),
    N_("地址"),
    N_("公开电话"),
    N_("网站"),
    N_("简介"),
    N_("联系人"),
    N_("联系电话"),
    N_("联系邮箱"),
    N_("营业执照"),
    N_("电子邮箱"),
    # services.reports
    N_("产品"),
    N_("销售者或店铺"),
    N_("发现地点"),
    N_("情况描述"),
    N_("证据照片"),
    N_("公开答复"),
    N_("内部备注"),
    N_("状态"),
    N_("经营主体"),
    # services.promotion (stories, events, featured slots)
    N_("封面图片"),
    N_("地理标志产品"),
    N_("品牌"),
    N_("故事"),
    N_("活动"),
    N_("推荐位"),
    # services.categories
    N_("代码"),
    N_("中文名称"),
    N_("英文名称"),
)

# Most specific first: the generic "label：problem" comes last.
TEMPLATES = (
    # verify.lookup
    N_("请输入%(label)s"),
    N_("%(label)s最长%(n)s个字符"),
    N_("%(label)s含有不可见的控制字符"),
    # credit_code
    N_("统一社会信用代码应为18位，当前为%(n)s位"),
    N_("统一社会信用代码含有不允许的字符：%(list)s（不使用I、O、Z、S、V）"),
    N_("统一社会信用代码第3至8位应为行政区划代码（6位数字）"),
    N_("统一社会信用代码校验位不正确，请核对后重新输入"),
    # services.fields and services.stations (the guidance request form)
    N_("不能为空"),
    N_("应为文本"),
    N_("含有不允许的控制字符"),
    N_("不能换行"),
    N_("过长（%(n)s 字，最多 %(max)s 字）"),
    N_("取值 %(value)s 无效，应为：%(list)s"),
    N_("电子邮箱地址格式不正确"),
    N_("请填写手机号、带区号的固定电话或电子邮箱"),
    N_("请至少写 %(n)s 个字，说明您要咨询的情况"),
    N_("找不到该指导站"),
    N_("该指导站不受理此类事项，请选择其他事项或“其他”"),
    N_("您在 %(minutes)s 分钟内已提交 %(limit)s 次咨询，请稍后再试；急事请直接致电指导站。"),
    N_("咨询提交繁忙，请稍后重试。"),
    # services.trace (batch trace codes): every message, the authorisation's state as a problem
    *TRACE_MESSAGES,
    # services.organisations and services.memberships
    N_("请填写手机号或带区号的固定电话"),
    N_("请上传营业执照照片或扫描件"),
    N_("未知的行政区划代码 %(code)s"),
    N_("请选择县级行政区（县、县级市或区）"),
    N_("该统一社会信用代码已登记。如您属于该经营主体，请联系其负责人邀请您加入。"),
    N_("您已属于一个经营主体，不能再创建新的经营主体。"),
    N_("该用户已是本经营主体的成员"),
    N_("未接受的邀请已有 %(n)s 个，请先撤销不再需要的邀请。"),
    N_("邀请链接无效。请向经营主体负责人索取新的邀请。"),
    N_("该邀请已被使用。请向经营主体负责人索取新的邀请。"),
    N_("该邀请已过期。请向经营主体负责人索取新的邀请。"),
    N_("该邀请是发给另一个电子邮箱的，请用收到邀请的邮箱注册并登录后再打开链接。"),
    N_("您已属于一个经营主体，不能再加入其他经营主体。"),
    N_("工作人员账号不能加入经营主体。"),
    N_("只有经营主体的负责人可以管理成员。"),
    N_("找不到该邀请。"),
    N_("找不到该成员。"),
    N_("负责人不能把自己移出经营主体。"),
    # services.fields (web addresses) and media (pictures)
    N_("网址 %(value)s 无效，应以 http:// 或 https:// 开头"),
    N_("网址过长（最多 %(max)s 个字符）"),
    N_("日期 %(value)s 无效，应为 YYYY、YYYY-MM 或 YYYY-MM-DD"),
    N_("缺少必填字段"),
    N_("请选择一张图片"),
    N_("图片不能超过 %(size)s"),
    N_("图片尺寸过大，请缩小后再上传"),
    N_("图片尺寸过大（%(size)s），请缩小后再上传"),
    N_("无法识别的图片文件，请上传 JPEG、PNG、WebP 或 GIF 图片"),
    N_("图片文件已损坏或不完整，请重新上传"),
    N_("不支持的图片格式，请上传 JPEG、PNG、WebP 或 GIF 图片"),
    N_("图片太小（%(size)s），短边至少 %(n)s 像素"),
    # services.reports (the misuse report form and the staff's workflow)
    N_("请至少写 %(n)s 个字，说明您看到的情况"),
    N_("最多上传 %(n)s 张照片"),
    N_("第 %(n)s 张照片：%(problem)s"),
    N_(
        "您在 %(minutes)s 分钟内已提交 %(limit)s 次举报，请稍后再试；紧急情况请拨打 12315 或 12330。"
    ),
    N_("举报提交繁忙，请稍后重试。"),
    N_("找不到 %(value)s"),
    # services.promotion
    N_("封面图片说明：不能为空（为看不到图片的读者描述图片内容）"),
    N_("找不到%(label)s %(value)s"),
    N_("%(label)s %(value)s 未发布或已归档，不能推荐"),
    N_("推荐位必须且只能指向一个目标（product、brand、story 或 event）"),
    N_("结束时间必须晚于开始时间"),
    N_("已结束的推荐位不能调整顺序"),
    # interchange: the staff's bulk import (validation of a document, reading its files)
    N_("文档应为 JSON 对象"),
    N_("应为 %(expected)s，实际为 %(actual)s"),
    N_("未知的字段"),
    N_("应为列表"),
    N_("应为对象"),
    N_("缺少必填字段"),
    N_("缺少必填字段（新记录必须填写）"),
    N_("至少需要一项"),
    N_("含有无法编码的字符"),
    N_("第 %(n)s 项：%(problem)s"),
    N_("标识 %(value)s 在文件中重复"),
    N_("标识 %(value)s 无效：只能用小写字母、数字和连字符，2至80个字符"),
    N_("统一社会信用代码 %(code)s 在文件中重复"),
    N_("统一社会信用代码 %(code)s 已属于经营主体 %(owner)s"),
    N_("经营主体 %(producer)s 对产品 %(product)s 的授权重复"),
    N_("找不到产品 %(value)s"),
    N_("找不到品牌 %(value)s"),
    N_("找不到经营主体 %(value)s"),
    N_("品牌的上级关系形成了循环"),
    N_("产品和类别至少填写一项"),
    N_("最高价不能低于最低价"),
    N_("结束日期早于开始日期（%(start)s）"),
    N_("不能含有分号“%(separator)s”（CSV 中用它分隔列表）"),
    N_("应为 true 或 false"),
    N_("日期 %(value)s 无效，应为 YYYY、YYYY-MM 或 YYYY-MM-DD"),
    N_("日期 %(value)s 无效，应为 YYYY-MM-DD"),
    N_("应为数字"),
    N_("%(value)s 不是数字"),
    N_("数值 %(value)s 超出范围"),
    N_("最多保留 %(n)s 位小数"),
    N_("网址过长（最多 %(n)s 个字符）"),
    N_("最多 %(n)s 项"),
    N_("行政区划代码 %(value)s 无效，应为6位数字"),
    N_("另一个导入正在写入登记数据，等待 %(seconds)s 秒后仍未结束；未写入任何数据，请稍后重试。"),
    N_("数据库拒绝了写入，未导入任何数据（%(detail)s）"),
    N_("数据库拒绝了其中某个值，未导入任何数据（%(detail)s）"),
    N_("%(file)s: 文件不是 UTF-8 编码，请在表格软件中另存为 UTF-8 CSV"),
    N_("%(file)s: 文件不是 UTF-8 编码"),
    N_("%(file)s: JSON 嵌套层级过深"),
    N_("%(file)s: JSON 格式错误（第%(line)s行第%(column)s列）：%(detail)s"),
    N_("%(file)s: JSON 中有无法读取的值（%(detail)s）"),
    N_("%(file)s: 无法从文件名判断数据种类，文件名应为 %(list)s"),
    N_("%(file)s 第%(line)s行: 列数多于表头"),
    N_("%(file)s 第%(line)s行: 列数少于表头"),
    N_("%(file)s 第%(line)s行: CSV 格式错误（%(detail)s）"),
    N_("%(file)s: 表头中有重复的列名"),
    N_("%(file)s: 缺少列 %(list)s（保护记录须完整提供）"),
    N_("%(file)s: 只能导入 .json 或 .csv 文件"),
    N_("%(file)s: 同一种数据上传了两次"),
    N_("%(file)s: 文件是空的"),
    N_("请选择要导入的文件"),
    N_("请上传一个 JSON 文件，或一个或多个 CSV 文件，不要混在一起"),
    N_("一次只能导入一个 JSON 文件"),
    N_("找不到这次上传：它已导入、已过期或不属于您。请重新上传文件。"),
    N_("上传的文件与预览时不一致，未导入任何数据。请重新上传。"),
    # services.categories
    N_("%(value)s 已存在"),
    N_("“%(value)s”已是另一个类别的名称"),
    N_("请用 2 至 32 个小写英文字母、数字或下划线，以字母开头"),
    N_("找不到产品类别 %(value)s"),
    N_("已登记为经营主体 %(value)s"),
    N_("产品类别“%(value)s”正被 %(n)s 个地理标志产品和 %(m)s 条供需信息使用，不能删除。"),
    N_("%(label)s：%(problem)s"),
)
PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")  # %(name)s as re.escape leaves it


@cache
def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(template)), re.DOTALL)


def translate_message(message: str) -> str:
    """``message`` in the page's language where a template matches it, else unchanged."""
    return _translate(message) or message


def _translate(message: str) -> str | None:
    for template in TEMPLATES:
        match = _pattern(template).fullmatch(message)
        if match is None:
            continue
        values = {name: _value(name, text) for name, text in match.groupdict().items()}
        if None not in values.values():
            return gettext(template, **values)
    return None


def _value(name: str, text: str) -> str | None:
    """A placeholder's text in the page's language; None when it cannot be (the match is wrong)."""
    if name == "label":
        return gettext(text) if text in LABELS else None
    if name == "problem":
        return _translate(text)
    if name == "list":
        return gettext("、").join(text.split("、"))
    return text
