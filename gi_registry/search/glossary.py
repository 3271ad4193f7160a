"""English words for the product nouns of Chinese GI names, so that "Meihe rice" finds 梅河大米.

Most records carry no English name. A GI name is nearly always place + product noun, and the place
is already searchable in pinyin; glossing the noun completes an English query. The list covers the
product classes of China's GI register, not only Jilin's; longer nouns are matched before their
parts are (山葡萄酒 → wine, not grape).
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    # grain and beans
    "大米": "rice",
    "贡米": "rice",
    "稻米": "rice",
    "香米": "rice",
    "粳米": "rice",
    "稻": "rice paddy",
    "小米": "millet",
    "黄米": "millet",
    "高粱": "sorghum",
    "玉米": "corn maize",
    "燕麦": "oat oats",
    "荞麦": "buckwheat",
    "小麦": "wheat",
    "面粉": "flour",
    "挂面": "noodles",
    "绿豆": "mung bean",
    "红小豆": "adzuki bean",
    "红豆": "red bean",
    "黄豆": "soybean",
    "大豆": "soybean",
    "芸豆": "kidney bean",
    "黑豆": "black bean",
    "花生": "peanut",
    "四粒红": "peanut",
    "油葵": "sunflower seed",
    "葵花": "sunflower",
    "芝麻": "sesame",
    "菜籽油": "rapeseed oil",
    # medicinal
    "人参": "ginseng",
    "林下参": "ginseng",
    "山参": "ginseng",
    "边条参": "ginseng",
    "西洋参": "american ginseng",
    "五味子": "schisandra",
    "淫羊藿": "epimedium",
    "甘草": "licorice",
    "灵芝": "lingzhi ganoderma reishi",
    "枸杞": "goji wolfberry",
    "黄芪": "astragalus",
    "当归": "angelica",
    "三七": "notoginseng",
    "天麻": "gastrodia",
    "党参": "codonopsis",
    "细辛": "asarum",
    "鹿茸": "deer antler velvet",
    "梅花鹿": "sika deer",
    "林蛙": "forest frog",
    # fungi
    "黑木耳": "black fungus wood ear",
    "木耳": "wood ear fungus",
    "香菇": "shiitake mushroom",
    "蘑菇": "mushroom",
    "猴头菇": "lion's mane mushroom",
    "松茸": "matsutake mushroom",
    # livestock and aquatic
    "黄牛": "cattle beef",
    "牛肉": "beef",
    "红牛": "red cattle beef",
    "黑猪": "black pig pork",
    "猪肉": "pork",
    "羊肉": "mutton lamb",
    "鸡": "chicken",
    "鸭": "duck",
    "鹅": "goose",
    "蜂蜜": "honey",
    "胖头鱼": "bighead carp fish",
    "鲤鱼": "carp fish",
    "鱼": "fish",
    "大闸蟹": "hairy crab",
    "河蟹": "river crab",
    "虾": "shrimp",
    "海参": "sea cucumber",
    # fruit and vegetables
    "苹果梨": "apple pear",
    "苹果": "apple",
    "梨": "pear",
    "葡萄": "grape",
    "山葡萄": "wild grape",
    "蓝莓": "blueberry",
    "西瓜": "watermelon",
    "香瓜": "melon",
    "桃": "peach",
    "李子": "plum",
    "杏": "apricot",
    "樱桃": "cherry",
    "柑橘": "citrus",
    "橙": "orange",
    "柚": "pomelo",
    "荔枝": "lychee",
    "红枣": "jujube date",
    "核桃": "walnut",
    "板栗": "chestnut",
    "松子": "pine nut",
    "榛子": "hazelnut",
    "辣椒": "chili pepper",
    "大蒜": "garlic",
    "白菜": "cabbage",
    "马铃薯": "potato",
    "土豆": "potato",
    "红薯": "sweet potato",
    # drinks and crafts
    "葡萄酒": "wine",
    "山葡萄酒": "wine",
    "白酒": "liquor baijiu",
    "酒": "liquor",
    "黄酒": "rice wine",
    "啤酒": "beer",
    "矿泉水": "mineral water",
    "茶": "tea",
    "红茶": "black tea",
    "绿茶": "green tea",
    "白茶": "white tea",
    "乌龙茶": "oolong tea",
    "普洱": "pu'er tea",
    "铁观音": "tieguanyin tea",
    "龙井": "longjing tea",
    "醋": "vinegar",
    "酱油": "soy sauce",
    "砚": "inkstone",
    "石砚": "inkstone",
    "陶瓷": "ceramics porcelain",
    "瓷": "porcelain",
    "刺绣": "embroidery",
    "丝绸": "silk",
    "竹编": "bamboo weaving",
}

_BY_LENGTH = sorted(GLOSSARY, key=len, reverse=True)


def english_glosses(name: str) -> list[str]:
    """English words for the product nouns in a (folded, simplified) Chinese name."""
    found: list[str] = []
    rest = name
    for noun in _BY_LENGTH:
        if noun in rest:
            found.append(GLOSSARY[noun])
            rest = rest.replace(noun, " ")
    return found
