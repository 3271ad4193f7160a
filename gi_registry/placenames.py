"""The short forms people use for divisions: 延边朝鲜族自治州 → 延边, 五常市 → 五常, 吉林省 → 吉林."""

from __future__ import annotations

import re

# The 55 minority peoples' names as divisions spell them, plus 各 (各族自治县).
ETHNIC = (
    "各", "满", "蒙古", "朝鲜", "回", "藏", "苗", "彝", "壮", "布依", "侗", "瑶",
    "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水",
    "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉",
    "毛南", "仡佬", "锡伯", "普米", "塔吉克", "怒", "鄂温克", "保安", "裕固", "京", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "阿昌", "德昂", "维吾尔",
)  # fmt: skip
# "族" may only be left out after a multi-character name (巴音郭楞蒙古自治州): a bare 白 or 水 would
# eat the place itself (长白朝鲜族自治县, 陵水黎族自治县).
_PEOPLE = sorted(
    [e + "族" for e in ETHNIC] + [e for e in ETHNIC if len(e) > 1], key=len, reverse=True
)
_AUTONOMOUS = re.compile(rf"(?:{'|'.join(_PEOPLE)})+自治(?:区|县|州|旗)$")
_SUFFIX = re.compile(r"(?:特别行政区|自治区|林区|特区|矿区|地区|新区|省|县|市|区|旗|盟)$")


def short_region_name(name: str) -> str:
    """延边朝鲜族自治州 → 延边, 鄂伦春自治旗 → 鄂伦春, 井陉矿区 → 井陉; 泾县 stays 泾县."""
    short = _AUTONOMOUS.sub("", name)
    if len(short) < 2:  # the name is the people itself: 东乡族自治县 → 东乡
        short = re.sub(r"族?自治(?:区|县|州|旗)$", "", name)
    elif short == name:
        short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 else name
