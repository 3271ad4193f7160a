"""Controlled vocabularies: the codes stored in the database and their Chinese labels.

One place for them, so models, the importer, forms and templates agree. Order matters: it is the
order in which filters and forms list the choices.
"""

from __future__ import annotations

PRODUCT_STATUSES = {"draft": "草稿", "published": "已发布", "archived": "已归档"}
BRAND_STATUSES = PRODUCT_STATUSES

PROTECTION_KINDS = {
    "gi_product": "地理标志保护产品",
    "certification_mark": "地理标志证明商标",
    "collective_mark": "地理标志集体商标",
    "agri_gi": "农产品地理标志",
}
PROTECTION_STATUSES = {
    "applied": "已申请",
    "accepted": "已受理",
    "approved": "已批准",
    "changed": "已变更",
    "cancelled": "已撤销",
}

# Programmes and recognitions a product takes part in (the provincial plan names the first three).
PROGRAMMES = {
    "gi_demo_zone": "国家地理标志产品保护示范区（建设中）",
    "gi_promotion_project": "地理标志运用促进重点项目",
    "plan_featured": "省级方案重点培育的特色产品",
    "jilin_top10_2021": "2021年“吉林十大地理标志”",
}

SOURCE_CONFIDENCE = {
    "official": "官方来源",
    "press": "媒体报道",
    "weak": "转载或汇编，待核实",
}

BRAND_KINDS = {"regional": "区域公用品牌", "enterprise": "企业品牌", "tourism": "文旅品牌"}

PRODUCER_KINDS = {
    "enterprise": "企业",
    "cooperative": "农民专业合作社",
    "family_farm": "家庭农场",
    "individual": "个体经营者",
}
PRODUCER_STATUSES = {
    "pending": "待审核",
    "active": "正常",
    "suspended": "已暂停",
    "archived": "已归档",
}

AUTHORIZATION_STATUSES = {
    "active": "有效",
    "suspended": "暂停使用",
    "revoked": "已撤销",
    "expired": "已过期",
}

LISTING_KINDS = {"supply": "供应", "demand": "求购"}
LISTING_STATUSES = {
    "draft": "草稿",
    "pending": "待审核",
    "published": "已发布",
    "rejected": "未通过",
    "closed": "已关闭",
    "expired": "已过期",
}

# What the search finds, in the order of its result tabs.
SEARCH_KINDS = {
    "product": "地理标志产品",
    "brand": "品牌",
    "producer": "经营主体",
    "listing": "供需信息",
}

USER_ROLES = {"producer": "经营主体成员", "staff": "工作人员", "admin": "管理员"}
MEMBER_ROLES = {"owner": "负责人", "member": "成员"}

# Reference categories, seeded by `init-db`. Import accepts the code or the Chinese name. The list
# covers the classes GIs fall into nationally (tea is the largest), not only Jilin's, so data from
# other provinces imports without a schema change.
CATEGORIES = [
    ("grain", "粮食", "Grain"),
    ("beans", "杂粮杂豆", "Beans and pulses"),
    ("oilseed", "油料", "Oilseeds"),
    ("medicinal", "人参与中药材", "Ginseng and medicinal herbs"),
    ("deer", "梅花鹿产品", "Sika deer products"),
    ("livestock", "畜禽肉类", "Livestock and meat"),
    ("aquatic", "水产品", "Aquatic products"),
    ("fungi", "食用菌", "Edible fungi"),
    ("fruit", "水果", "Fruit"),
    ("nuts", "干果坚果", "Nuts and dried fruit"),
    ("vegetable", "蔬菜", "Vegetables"),
    ("tea", "茶叶", "Tea"),
    ("beverage", "酒水饮品", "Wine, spirits and drinks"),
    ("condiment", "调味品", "Condiments and spices"),
    ("flower", "花卉苗木", "Flowers and nursery stock"),
    ("handicraft", "工艺品", "Handicrafts"),
    ("other", "其他", "Other"),
]

CATEGORY_LABELS = [f"{code} {name_zh}" for code, name_zh, _ in CATEGORIES]

# Stories and events are promotion content: written, published (now or at a scheduled time), archived.
CONTENT_STATUSES = {"draft": "草稿", "published": "已发布", "archived": "已归档"}

# What a home-page featured slot may point at.
FEATURE_TARGETS = {"product": "地理标志产品", "brand": "品牌", "story": "故事", "event": "活动"}

# 商标品牌指导站: what a request to a guidance station is about, and where it stands.
GUIDANCE_TOPICS = {
    "trademark": "商标注册与保护",
    "gi_application": "地理标志申请与保护",
    "gi_mark": "地理标志专用标志使用",
    "brand": "品牌培育与推广",
    "infringement": "侵权纠纷与维权",
    "other": "其他",
}
GUIDANCE_STATUSES = {"received": "已受理", "answered": "已答复", "closed": "已办结"}
# 侵权投诉举报: a misuse report's way from received to resolved or dismissed (docs/reports.md).
REPORT_STATUSES = {
    "received": "已收到",
    "investigating": "调查中",
    "resolved": "已处理",
    "dismissed": "不予处理",
}
