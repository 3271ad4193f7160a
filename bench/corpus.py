"""A national-scale synthetic corpus for the search benchmark, written straight into the registry.

Run: python bench/corpus.py --database-url URL [--products 15000 --producers 10000 --listings 100000]

``generate(session)`` fills a database that ``init_database()`` has already created (schema, the
3,348 divisions of China, the categories): GI products named the way real ones are (a place short
name and a product noun: 五常大米, 延边黄牛, 安溪铁观音, 长白山人参), producers with valid unified
social credit codes, and supply and demand listings. Everything comes from one seeded RNG, so a seed
always gives the same rows on the same starting database. Rows go in through Core executemany in
chunks: ORM objects one at a time would take minutes for 125,000 rows.

The records are fictional. Producers carry ``sample=True``, so pages label them as sample data.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate, chain
from pathlib import Path
from random import Random
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gi_registry import create_app, vocab
from gi_registry.cli import init_database
from gi_registry.credit_code import ALPHABET, check_character
from gi_registry.extensions import db
from gi_registry.models import (
    Category,
    GIProduct,
    Listing,
    Producer,
    Protection,
    Region,
    product_regions,
)
from gi_registry.naming import name_pinyin
from gi_registry.placenames import short_region_name

Row = dict[str, Any]
Progress = Callable[[str], None]
CHUNK = 5000

# ---- vocabulary ------------------------------------------------------------------------------
# Entries are "中文=English@tags"; tags restrict a noun to climate zones (NE, N, NW, E, C, S, SW) or
# two-digit province codes, so tea grows in the south and ginseng in the north-east, as in the real
# register. A noun without tags grows anywhere its category's default tags allow.

ZONES = {
    **dict.fromkeys(("21", "22", "23"), "NE"),
    **dict.fromkeys(("11", "12", "13", "14", "15", "37", "41"), "N"),
    **dict.fromkeys(("61", "62", "63", "64", "65"), "NW"),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36"), "E"),
    **dict.fromkeys(("42", "43"), "C"),
    **dict.fromkeys(("44", "45", "46"), "S"),
    **dict.fromkeys(("50", "51", "52", "53", "54"), "SW"),
}

CATEGORY_TAGS = {"tea": "E,C,S,SW,61,41,37,62", "deer": "NE,15,65"}

NOUNS = {
    "grain": "大米=Rice; 香米=Fragrant Rice@NE,S,C,E,SW; 小米=Millet@N,NE,NW; 玉米=Maize@N,NE,NW,SW; "
    "黑米=Black Rice@NW,SW,C,S; 糯米=Glutinous Rice@E,C,S,SW; 小麦=Wheat@N,NW,E; "
    "荞麦=Buckwheat@N,NW,SW; 燕麦=Oats@N,NW; 莜麦=Naked Oats@N,NW; 高粱=Sorghum@N,NE,SW; "
    "挂面=Noodles; 贡米=Tribute Rice; 红米=Red Rice@SW,S,C; 粳米=Japonica Rice@NE,N,E",
    "beans": "绿豆=Mung Bean; 红小豆=Adzuki Bean; 大豆=Soybean@NE,N; 黄豆=Soybean; "
    "芸豆=Kidney Bean@NE,N,NW,SW; 黑豆=Black Bean; 蚕豆=Broad Bean@SW,NW,E; 豌豆=Pea; "
    "红豆=Red Bean; 花芸豆=Speckled Kidney Bean@NE,N; 鹰嘴豆=Chickpea@NW; 扁豆=Hyacinth Bean@C,E,SW",
    "oilseed": "花生=Peanut; 芝麻=Sesame@N,C,E; 菜籽油=Rapeseed Oil@C,E,SW,NW; "
    "葵花籽=Sunflower Seed@N,NE,NW; 茶油=Camellia Oil@C,E,S,SW; 胡麻油=Flaxseed Oil@N,NW; "
    "香油=Sesame Oil@N,C; 核桃油=Walnut Oil@NW,SW,N; 油茶=Oil-tea Camellia@C,E,S,SW",
    "medicinal": "人参=Ginseng@NE; 五味子=Schisandra@NE; 枸杞=Goji Berry@NW,15; "
    "黄芪=Astragalus@N,NW; 当归=Angelica@NW,SW; 党参=Codonopsis@NW,N,SW; 天麻=Gastrodia@SW,C,34,61; "
    "三七=Notoginseng@53,45; 金银花=Honeysuckle@N,SW,C; 灵芝=Lingzhi; 杜仲=Eucommia@C,SW,61; "
    "甘草=Licorice@NW,15; 细辛=Asarum@NE; 黄精=Solomon's Seal@C,E,SW; 白术=Atractylodes@E,C; "
    "川芎=Szechwan Lovage@51; 贝母=Fritillary@SW,E,NW; 山茱萸=Dogwood Fruit@41,61,33; "
    "丹参=Red Sage@N,NW,SW; 铁皮石斛=Dendrobium@E,SW,S; 西洋参=American Ginseng@NE,37,11; "
    "刺五加=Eleuthero@NE; 平贝母=Fritillary@NE",
    "deer": "鹿茸=Deer Antler Velvet; 梅花鹿=Sika Deer@NE; 马鹿茸=Red Deer Antler@NW,15; "
    "鹿肉=Venison@NE; 鹿胎膏=Deer Placenta Paste@NE; 鹿骨=Deer Bone@NE",
    "livestock": "黄牛=Cattle; 黑猪=Black Pig; 黑山羊=Black Goat@SW,C,S,E; 滩羊=Tan Sheep@64; "
    "羊肉=Mutton@N,NW; 牦牛=Yak@54,63,51,62; 乌鸡=Silkie Chicken@E,C,SW; 土鸡=Free-range Chicken; "
    "麻鸭=Sheldrake Duck@E,C,S,SW; 白鹅=White Goose@NE,E,C; 火腿=Ham@53,33; 腊肉=Cured Pork@SW,C; "
    "肉牛=Beef Cattle; 香猪=Xiang Pig@52,45; 驴=Donkey@N,NW; 绒山羊=Cashmere Goat@N,NW,21; "
    "柴鸡蛋=Free-range Eggs@N,NE",
    "aquatic": "鲤鱼=Carp; 大闸蟹=Mitten Crab@E,C,21,22; 河蟹=River Crab@NE,E,C,N; 鲫鱼=Crucian Carp; "
    "小龙虾=Crayfish@C,E; 胖头鱼=Bighead Carp; 海参=Sea Cucumber@21,37,35; 扇贝=Scallop@21,37; "
    "银鱼=Icefish@E,C,SW; 鲟鱼=Sturgeon; 冷水鱼=Cold-water Fish@NE,NW,SW; 对虾=Prawn@S,E,37,21; "
    "甲鱼=Soft-shelled Turtle@C,E,S; 黄鳝=Rice-field Eel@C,E; 鳜鱼=Mandarin Fish@E,C; "
    "大马哈鱼=Chum Salmon@23,22; 牡蛎=Oyster@S,E,37,21; 紫菜=Laver@E,S,37; 海带=Kelp@21,37,35; "
    "鲍鱼=Abalone@35,37,21",
    "fungi": "木耳=Wood Ear; 黑木耳=Black Fungus@NE,C,SW; 香菇=Shiitake; 猴头菇=Lion's Mane@NE,E; "
    "平菇=Oyster Mushroom; 松茸=Matsutake@SW,NE; 羊肚菌=Morel@SW,NW,NE; 榛蘑=Hazel Mushroom@NE; "
    "银耳=White Fungus@E,SW,C; 滑子菇=Nameko@NE,N; 花菇=Flower Mushroom@C,E; "
    "竹荪=Bamboo Fungus@SW,E; 鸡枞=Termite Mushroom@53,52,51; 牛肝菌=Bolete@53,51; "
    "茶树菇=Tea Tree Mushroom@36,35",
    "fruit": "苹果=Apple@N,NW,NE,SW; 蓝莓=Blueberry@NE,52,37; 葡萄=Grape; 梨=Pear; "
    "苹果梨=Apple Pear@NE; 蜜桃=Peach; 水蜜桃=Juicy Peach@E,N,C; 脐橙=Navel Orange@C,E,S,SW; "
    "柑橘=Citrus@C,E,S,SW; 蜜橘=Mandarin Orange@C,E,S; 荔枝=Lychee@S,35,51; 龙眼=Longan@S,35; "
    "猕猴桃=Kiwifruit@SW,C,61,E; 樱桃=Cherry@N,E,NW; 西瓜=Watermelon; 甜瓜=Melon@N,NW,NE; "
    "哈密瓜=Hami Melon@65; 蜜柚=Honey Pomelo@S,E,C,SW; 李=Plum; 杏=Apricot@N,NW; 草莓=Strawberry; "
    "沙棘=Sea Buckthorn@NW,N; 山楂=Hawthorn@N,NE; 香蕉=Banana@S,53; 芒果=Mango@S,53,51; "
    "杨梅=Bayberry@E,S,C; 枇杷=Loquat@E,S,SW; 石榴=Pomegranate@N,NW,SW,E; 香梨=Fragrant Pear@65; "
    "冬枣=Winter Jujube@N; 软枣猕猴桃=Hardy Kiwi@NE; 菠萝=Pineapple@S; 火龙果=Dragon Fruit@S,SW; "
    "山葡萄=Wild Grape@NE",
    "nuts": "核桃=Walnut; 板栗=Chestnut; 红枣=Red Jujube@N,NW; 大枣=Jujube@N,NW; "
    "松子=Pine Nut@NE,53; 榛子=Hazelnut@NE,N; 山核桃=Hickory Nut@E; 香榧=Torreya Nut@33; "
    "葡萄干=Raisin@65; 杏仁=Apricot Kernel@N,NW; 柿饼=Dried Persimmon@N,NW,S; "
    "银杏=Ginkgo Nut@E,C,SW; 巴旦木=Badam Almond@65",
    "vegetable": "大蒜=Garlic; 大葱=Scallion@N,NE; 生姜=Ginger; 辣椒=Chili Pepper; "
    "白菜=Chinese Cabbage; 萝卜=Radish; 马铃薯=Potato; 山药=Chinese Yam; 莲藕=Lotus Root@C,E,SW,S; "
    "韭菜=Chinese Chives; 芦笋=Asparagus; 竹笋=Bamboo Shoot@E,C,S,SW; 番茄=Tomato; "
    "蕨菜=Bracken@NE,SW; 芋头=Taro@E,S,C,SW; 茭白=Water Bamboo@E,C; 黄花菜=Daylily@N,C,NW; "
    "洋葱=Onion; 胡萝卜=Carrot; 芹菜=Celery; 魔芋=Konjac@SW,C,61; 菱角=Water Caltrop@E,C; "
    "荸荠=Water Chestnut@E,C,S",
    "tea": "红茶=Black Tea; 绿茶=Green Tea; 铁观音=Tieguanyin@35; 白茶=White Tea@35,33,52,S; "
    "毛尖=Maojian Tea; 乌龙茶=Oolong Tea@35,44; 黑茶=Dark Tea@43,51,42; 云雾茶=Cloud Mist Tea; "
    "岩茶=Rock Tea@35; 毛峰=Maofeng Tea; 翠芽=Green Bud Tea; 银针=Silver Needle Tea; 茶=Tea; "
    "单丛=Dancong Tea@44",
    "beverage": "酒=Liquor; 白酒=Baijiu; 黄酒=Yellow Rice Wine@E,C; 葡萄酒=Wine@NW,N,NE,53; "
    "冰酒=Icewine@NE; 山葡萄酒=Wild Grape Wine@NE; 米酒=Rice Wine@C,E,S,SW; 矿泉水=Mineral Water; "
    "老窖=Laojiao Liquor@SW,N; 高粱酒=Sorghum Liquor@N,NE; 大曲=Daqu Liquor; 果酒=Fruit Wine; "
    "蓝莓酒=Blueberry Wine@NE; 桑葚酒=Mulberry Wine",
    "condiment": "辣椒酱=Chili Sauce@SW,C; 花椒=Sichuan Pepper@SW,NW,N; 陈醋=Aged Vinegar@14,N; "
    "香醋=Fragrant Vinegar@E; 酱油=Soy Sauce; 豆瓣=Broad Bean Paste@51; 大酱=Soybean Paste@NE; "
    "八角=Star Anise@45,53; 胡椒=Pepper@46,53; 腐乳=Fermented Bean Curd; 榨菜=Pickled Mustard@50; "
    "桂皮=Cassia Bark@45,44; 豆豉=Fermented Black Beans@SW,C,S; 酱菜=Pickled Vegetables; "
    "泡菜=Sichuan Pickles@51",
    "flower": "牡丹=Peony@37,41,N; 菊花=Chrysanthemum; 玫瑰=Rose; 兰花=Orchid@E,SW,S; "
    "君子兰=Clivia@22; 茉莉花=Jasmine@45,35; 杜鹃=Azalea; 月季=Chinese Rose; "
    "桂花=Osmanthus@E,C,S,SW; 荷花=Lotus; 水仙=Narcissus@35; 梅花=Plum Blossom; "
    "芍药=Herbaceous Peony; 红松苗木=Korean Pine Seedlings@NE",
    "handicraft": "陶瓷=Ceramics; 刺绣=Embroidery; 竹编=Bamboo Weaving@E,C,SW,S; 木雕=Wood Carving; "
    "砚=Inkstone; 宣纸=Xuan Paper@34; 紫砂=Zisha Pottery@32; 漆器=Lacquerware; 剪纸=Paper-cut; "
    "玉雕=Jade Carving; 石雕=Stone Carving; 草编=Straw Weaving; 蜡染=Batik@52,53; "
    "银饰=Silverware@SW,C; 毛笔=Writing Brush; 年画=New Year Prints; 根雕=Root Carving; "
    "黑陶=Black Pottery; 瓷器=Porcelain; 织锦=Brocade; 柳编=Wicker Weaving@N,NE; "
    "松花石砚=Songhua Inkstone@22",
    "other": "蜂蜜=Honey; 椴树蜜=Linden Honey@NE; 蚕丝=Silk@E,C,SW,S; 烟叶=Tobacco Leaf; "
    "羊绒=Cashmere@N,NW; 棉花=Cotton@65,N; 林蛙油=Forest Frog Oil@NE; 林蛙=Forest Frog@NE; "
    "蚕茧=Cocoon; 蜂王浆=Royal Jelly; 苎麻=Ramie@C,SW; 羊毛=Wool@NW,N",
}

# When a place already has this noun, a variant keeps the name unique (五常大米 → 五常稻花香米).
VARIANTS = {
    "大米": "稻花香米=Rice Flower Fragrant Rice; 稻米=Paddy Rice; 贡米=Tribute Rice",
    "木耳": "黑木耳=Black Fungus; 秋木耳=Autumn Wood Ear",
    "红小豆": "小豆=Adzuki Bean; 红豆=Red Bean",
    "绿豆": "明绿豆=Bright Mung Bean",
    "人参": "园参=Cultivated Ginseng; 林下参=Forest-grown Ginseng; 山参=Mountain Ginseng",
    "黄牛": "牛肉=Beef",
    "黑猪": "黑猪肉=Black Pork; 土猪=Native Pig",
    "苹果": "红富士苹果=Fuji Apple",
    "葡萄": "巨峰葡萄=Kyoho Grape; 玫瑰香葡萄=Muscat Grape",
    "红茶": "工夫红茶=Congou Black Tea",
    "绿茶": "炒青=Roasted Green Tea",
    "酒": "老酒=Aged Liquor",
    "香菇": "花菇=Flower Mushroom",
    "蜂蜜": "土蜂蜜=Wild Honey",
    "小米": "黄小米=Yellow Millet; 谷子=Foxtail Millet",
    "鲤鱼": "红鲤鱼=Red Carp",
    "陶瓷": "瓷器=Porcelain",
    "辣椒": "朝天椒=Facing-heaven Pepper; 线椒=Thread Pepper",
    "大蒜": "紫皮蒜=Purple Garlic; 独头蒜=Solo Garlic",
    "核桃": "薄皮核桃=Thin-shell Walnut",
    "板栗": "油栗=Oil Chestnut",
}

# Mountains, lakes and rivers that real GIs are named after, with the provinces they lie in.
LANDMARKS = (
    "长白山=Changbai Mountain@22; 泰山=Mount Tai@37; 峨眉山=Mount Emei@51; 武夷山=Wuyi Mountain@35; "
    "庐山=Mount Lu@36; 华山=Mount Hua@61; 衡山=Mount Heng@43; 五台山=Mount Wutai@14; "
    "天山=Tianshan@65; 祁连山=Qilian Mountains@62,63; 太行山=Taihang Mountains@13,14,41; "
    "秦岭=Qinling@61; 大别山=Dabie Mountains@34,42,41; 梵净山=Fanjing Mountain@52; "
    "雁荡山=Yandang Mountain@33; 天目山=Tianmu Mountain@33; 贺兰山=Helan Mountain@64,15; "
    "哀牢山=Ailao Mountain@53; 武陵山=Wuling Mountains@43,50,52,42; 沂蒙山=Yimeng Mountains@37; "
    "小兴安岭=Lesser Khingan@23; 张广才岭=Zhangguangcai Range@23,22; 完达山=Wanda Mountain@23; "
    "燕山=Yanshan Mountains@13,11; 六盘山=Liupan Mountain@64,62; 大巴山=Daba Mountains@51,61,50; "
    "罗霄山=Luoxiao Mountains@36,43; 南岭=Nanling@44,43,45; 乌蒙山=Wumeng Mountains@52,53; "
    "鄱阳湖=Poyang Lake@36; 洞庭湖=Dongting Lake@43; 太湖=Taihu Lake@32,33; 洪泽湖=Hongze Lake@32; "
    "千岛湖=Qiandao Lake@33; 查干湖=Chagan Lake@22; 松花湖=Songhua Lake@22; 镜泊湖=Jingpo Lake@23; "
    "兴凯湖=Xingkai Lake@23; 微山湖=Weishan Lake@37; 洱海=Erhai Lake@53; 青海湖=Qinghai Lake@63; "
    "博斯腾湖=Bosten Lake@65; 阳澄湖=Yangcheng Lake@32; 高邮湖=Gaoyou Lake@32; "
    "梁子湖=Liangzi Lake@42; 骆马湖=Luoma Lake@32; 抚仙湖=Fuxian Lake@53; 呼伦湖=Hulun Lake@15; "
    "月亮泡=Yueliang Lake@22; 松花江=Songhua River@22,23; 鸭绿江=Yalu River@22,21; "
    "图们江=Tumen River@22; 黄河=Yellow River@62,64,15,14,61,41,37; "
    "长江=Yangtze River@51,50,42,43,36,34,32; 珠江=Pearl River@44; 淮河=Huai River@41,34,32; "
    "汉江=Han River@61,42; 乌苏里江=Ussuri River@23; 辽河=Liao River@21; 漓江=Li River@45; "
    "赤水河=Chishui River@52,51; 岷江=Min River@51; 大渡河=Dadu River@51; "
    "雅鲁藏布=Yarlung Tsangpo@54; 富春江=Fuchun River@33; 新安江=Xin'an River@33,34; "
    "湘江=Xiang River@43; 赣江=Gan River@36; 闽江=Min River@35; 九龙江=Jiulong River@35; "
    "澜沧江=Lancang River@53; 金沙江=Jinsha River@53,51; 乌江=Wu River@52,50; 清江=Qing River@42; "
    "嘉陵江=Jialing River@51,50"
)

# Well-known GIs and the division (or landmark) they come from, generated first so that a
# benchmark has famous names to look for; 梅河大米 comes from 梅河口市, so the place is given.
FAMOUS = (
    "五常大米=五常市; 梅河大米=梅河口市; 延边黄牛=延边朝鲜族自治州; 安溪铁观音=安溪县; "
    "长白山人参=长白山; 阳澄湖大闸蟹=阳澄湖; 查干湖胖头鱼=查干湖; 库尔勒香梨=库尔勒市; "
    "吐鲁番葡萄=吐鲁番市; 中宁枸杞=中宁县; 烟台苹果=烟台市; 洛川苹果=洛川县; 盘锦大米=盘锦市; "
    "通化葡萄酒=通化市; 集安人参=集安市; 抚松人参=抚松县; 白城绿豆=白城市; 洮南绿豆=洮南市; "
    "汪清黑木耳=汪清县; 蛟河黑木耳=蛟河市; 舒兰大米=舒兰市; 武夷岩茶=武夷山市; 信阳毛尖=信阳市; "
    "安吉白茶=安吉县; 章丘大葱=章丘区; 金乡大蒜=金乡县; 莱阳梨=莱阳市; 宜兴紫砂=宜兴市; "
    "景德镇瓷器=景德镇市; 泾县宣纸=泾县; 涪陵榨菜=涪陵区; 镇江香醋=镇江市; 文山三七=文山壮族苗族自治州; "
    "昭通天麻=昭通市; 盐池滩羊=盐池县; 绍兴黄酒=绍兴市; 平和蜜柚=平和县; 增城荔枝=增城区; "
    "东港草莓=东港市; 迁西板栗=迁西县; 若羌红枣=若羌县; 庆元香菇=庆元县; 西峡香菇=西峡县; "
    "郫县豆瓣=郫都区"
)

# How likely each category is in a zone (1.0 when not listed): the register's real skew.
CATEGORY_WEIGHTS = {
    "NE": "grain:4 beans:2 medicinal:3 deer:1.5 fungi:3 livestock:1.5 fruit:1.5 tea:0",
    "N": "grain:3 beans:2 fruit:3 nuts:2 vegetable:3 livestock:2 condiment:1.5 tea:0.2 deer:0.2",
    "NW": "fruit:4 nuts:3 livestock:3 medicinal:2 grain:1.5 beans:1.5 tea:0.3 deer:0.2",
    "E": "tea:4 aquatic:3 fruit:2 vegetable:2 handicraft:2 grain:1.5 deer:0.1",
    "C": "tea:3 aquatic:2.5 grain:2 fruit:2 vegetable:2 medicinal:1.5 deer:0.1",
    "S": "fruit:4 tea:2 aquatic:3 livestock:1.5 vegetable:1.5 deer:0",
    "SW": "tea:3 medicinal:3 fruit:2.5 condiment:2 livestock:2 fungi:2 beverage:1.5 deer:0.1",
}
BASE_WEIGHTS = {"other": 0.3, "flower": 0.6, "handicraft": 0.8, "deer": 0.1, "oilseed": 0.7}
WATER_BOOST = {"aquatic": 8.0, "grain": 2.0, "handicraft": 0.2, "flower": 0.5}
MOUNTAIN_BOOST = {"medicinal": 3.0, "tea": 2.0, "fungi": 2.0, "nuts": 1.5, "aquatic": 0.3}

# Per category: verb, quality phrases, what the climate helps accumulate, output unit, steps.
TRAITS: dict[str, tuple[str, tuple[str, ...], str, str, tuple[str, ...]]] = {
    "grain": ("种植", ("米粒饱满、晶莹剔透", "蒸煮后油润有光泽、口感软糯", "米香浓郁、回味甘甜", "直链淀粉含量适中", "垩白度低、食味值高"), "干物质", "万吨", ("育秧", "插秧", "田间管理", "收割", "烘干", "加工")),
    "beans": ("种植", ("籽粒饱满、色泽鲜亮", "皮薄易煮、沙性好", "蛋白质含量高", "粒型整齐、大小均匀"), "蛋白质", "吨", ("选种", "播种", "中耕", "收获", "晾晒", "筛选")),
    "oilseed": ("种植", ("籽粒饱满、含油率高", "油色清亮、香味醇正", "酸价低、品质稳定"), "油脂", "吨", ("播种", "田间管理", "收获", "压榨", "过滤")),
    "medicinal": ("种植", ("有效成分含量高", "根形完整、芦头明显", "质地坚实、断面清晰", "气味浓郁、药用价值高"), "有效成分", "吨", ("选地", "育苗", "移栽", "田间管理", "采收", "加工")),
    "deer": ("养殖", ("茸体饱满、质地细嫩", "茸皮红润、毛色光亮", "有效成分含量高", "体型匀称、适应性强"), "营养物质", "吨", ("引种", "饲养", "锯茸", "烘干", "加工")),
    "livestock": ("养殖", ("肉质细嫩、肌间脂肪分布均匀", "肉味鲜美、营养丰富", "体型健壮、生长速度快", "耐粗饲、抗病力强"), "风味物质", "万头", ("选种", "育肥", "防疫", "屠宰", "分割")),
    "aquatic": ("养殖", ("体态匀称、鳞片完整", "肉质紧实、味道鲜美", "无泥腥味、营养丰富", "膏满黄肥、个大体壮"), "风味物质", "吨", ("放苗", "投喂", "水质管理", "捕捞", "暂养")),
    "fungi": ("栽培", ("朵形完整、肉厚质脆", "色泽自然、口感爽滑", "多糖含量高", "泡发率高、耐煮"), "多糖", "吨", ("制袋", "接种", "养菌", "出菇", "采收", "晾晒")),
    "fruit": ("种植", ("果形端正、色泽鲜艳", "果肉细脆、汁多味甜", "可溶性固形物含量高", "香气浓郁、酸甜适口", "耐贮运、货架期长"), "糖分", "万吨", ("整形修剪", "疏花疏果", "套袋", "采摘", "分级", "冷藏")),
    "nuts": ("种植", ("壳薄仁满、出仁率高", "仁色浅黄、香味浓郁", "果形整齐、口感香甜"), "油脂和糖分", "吨", ("采收", "脱皮", "晾晒", "分级", "包装")),
    "vegetable": ("种植", ("外形整齐、色泽鲜亮", "口感脆嫩、风味独特", "营养丰富、耐贮藏", "辛香浓郁、品质上乘"), "营养物质", "万吨", ("育苗", "定植", "田间管理", "采收", "分级")),
    "tea": ("种植", ("条索紧结、色泽翠绿", "汤色明亮、香气高长", "滋味鲜爽、回甘持久", "叶底嫩匀、耐冲泡"), "茶多酚和氨基酸", "吨", ("采摘", "摊青", "杀青", "揉捻", "干燥")),
    "beverage": ("酿造", ("酒体醇厚、香气协调", "入口绵甜、回味悠长", "色泽清亮、风格典型"), "风味物质", "千升", ("选料", "制曲", "发酵", "蒸馏", "陈酿", "勾调")),
    "condiment": ("生产", ("色泽红亮、香味浓郁", "风味醇厚、回味悠长", "品质稳定、久贮不变"), "风味物质", "吨", ("选料", "发酵", "晾晒", "陈酿", "灌装")),
    "flower": ("培育", ("花型端正、色泽艳丽", "花期长、观赏价值高", "株型匀称、长势健壮"), "养分", "万株", ("育苗", "栽培", "修剪", "养护", "出圃")),
    "handicraft": ("制作", ("造型古朴、工艺精湛", "纹饰细腻、色彩雅致", "质地坚实、经久耐用"), "", "万件", ("选料", "成型", "雕刻", "烧制", "打磨")),
    "other": ("生产", ("品质纯正、营养丰富", "色泽自然、风味独特"), "营养物质", "吨", ("采集", "加工", "检验", "包装")),
}  # fmt: skip

INDICATORS = {
    "grain": "蛋白质含量≥{a}%，食味评分≥{b}分",
    "beans": "蛋白质含量≥{b}%，水分≤{a}%",
    "medicinal": "总皂苷含量≥{a}%，水分≤{a}%",
    "fruit": "可溶性固形物≥{b}%，总酸≤0.{a}%",
    "tea": "水浸出物≥{b}%，茶多酚≥{a}%",
    "beverage": "酒精度{b}%vol，总酯≥{a}g/L",
}

CLIMATE = {
    "NE": ("中温带大陆性季风气候", (2, 6), (120, 150), ("黑土", "草甸土", "白浆土", "暗棕壤")),
    "N": ("暖温带半湿润大陆性季风气候", (8, 14), (170, 210), ("褐土", "潮土", "棕壤")),
    "NW": ("温带大陆性干旱气候", (6, 11), (150, 200), ("灰钙土", "栗钙土", "灌淤土")),
    "E": ("亚热带季风气候", (15, 19), (230, 280), ("红壤", "黄壤", "水稻土")),
    "C": ("亚热带湿润季风气候", (15, 18), (240, 290), ("红壤", "黄棕壤", "水稻土")),
    "S": ("南亚热带海洋性季风气候", (20, 24), (330, 365), ("赤红壤", "砖红壤", "冲积土")),
    "SW": ("亚热带高原季风气候", (12, 18), (220, 300), ("黄壤", "紫色土", "红壤")),
}

ERAS = ("唐代", "宋代", "明代", "明朝万历年间", "清代", "清朝乾隆年间", "清朝光绪年间", "民国时期")
MARKETS = ("北京", "上海", "广州", "深圳", "杭州", "成都", "港澳地区", "东南亚", "日本", "韩国", "俄罗斯", "欧美")  # fmt: skip
ZIHAO = "禾丰源稻香绿野山泉金鑫盛华农康瑞福鼎嘉恒裕兴隆达润宏远昌鸿佳泰安和正德信顺田园林森雪春秋青翠谷穗天地方松江垦美宝益民乐富祥旺荣升晟悦锦诚"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = (
    "建国军明华伟强磊洋勇艳杰娟涛超秀英丽敏静志平刚桂兰玉芳海峰春生宝山福成德文东林红霞凤云玲金荣"
)
TOWN = "东西南北前后新老河山沟岭屯王李张刘杨石柳杏榆松桦平安兴胜利太和丰庆永长乐合红光明民富德龙凤宝金青白黑黄马牛三五八双大小高朱孙周吴赵陈"

INDUSTRY = {
    "grain": "米业 粮油 农业 生态农业", "beans": "杂粮 农业 粮油", "oilseed": "油脂 粮油 农业",
    "medicinal": "参业 药业 中药材 生物科技", "deer": "鹿业 养殖 生物科技",
    "livestock": "牧业 畜牧 养殖 食品", "aquatic": "水产 渔业 养殖", "fungi": "菌业 食用菌 生态农业",
    "fruit": "果业 生态农业 果品", "nuts": "林业 果品 食品", "vegetable": "蔬菜 农业 生态农业",
    "tea": "茶业 茶叶 生态茶业", "beverage": "酒业 酿酒 饮品", "condiment": "食品 调味品 酿造",
    "flower": "花卉 园艺 苗木", "handicraft": "工艺品 文化 艺术品", "other": "农业 生态 蜂业",
}  # fmt: skip

# Listing trade terms per category: unit, quantities, price unit, price range.
TRADE: dict[str, tuple[str, tuple[int, ...], str, tuple[float, float]]] = {
    "grain": ("吨", (5, 10, 20, 50, 100, 200, 500), "元/公斤", (3.5, 30)),
    "beans": ("吨", (1, 2, 5, 10, 20, 50), "元/公斤", (6, 20)),
    "oilseed": ("吨", (1, 5, 10, 20, 50), "元/公斤", (8, 80)),
    "medicinal": ("公斤", (50, 100, 200, 500, 1000, 5000), "元/公斤", (30, 1200)),
    "deer": ("公斤", (5, 10, 20, 50, 100), "元/公斤", (800, 6000)),
    "livestock": ("头", (10, 20, 50, 100, 200, 500), "元/公斤", (20, 120)),
    "aquatic": ("公斤", (500, 1000, 2000, 5000, 10000), "元/公斤", (16, 400)),
    "fungi": ("吨", (1, 2, 5, 10, 20), "元/公斤", (20, 160)),
    "fruit": ("吨", (5, 10, 20, 50, 100, 500), "元/公斤", (2, 60)),
    "nuts": ("吨", (1, 2, 5, 10, 20, 50), "元/公斤", (10, 120)),
    "vegetable": ("吨", (10, 20, 50, 100, 200, 1000), "元/公斤", (1, 20)),
    "tea": ("公斤", (50, 100, 200, 500, 1000, 2000), "元/公斤", (120, 3000)),
    "beverage": ("箱", (100, 200, 500, 1000, 5000), "元/瓶", (30, 1500)),
    "condiment": ("吨", (1, 5, 10, 20, 50), "元/公斤", (8, 200)),
    "flower": ("株", (500, 1000, 5000, 10000, 50000), "元/株", (2, 300)),
    "handicraft": ("件", (10, 20, 50, 100, 500, 1000), "元/件", (50, 5000)),
    "other": ("公斤", (100, 500, 1000, 5000), "元/公斤", (20, 500)),
}

# How often each stored value occurs; checked against vocab below, since the columns' CHECK
# constraints would reject anything else half-way through an insert.
MIX = {
    "product_status": {"published": 90, "draft": 7, "archived": 3},
    "protection_kind": {"gi_product": 35, "certification_mark": 35, "agri_gi": 25, "collective_mark": 5},
    "protection_status": {"approved": 92, "applied": 4, "accepted": 4},
    "producer_kind": {"enterprise": 45, "cooperative": 35, "family_farm": 15, "individual": 5},
    "producer_status": {"active": 85, "pending": 10, "suspended": 3, "archived": 2},
    "listing_kind": {"supply": 75, "demand": 25},
    "listing_status": {"published": 82, "pending": 5, "draft": 4, "closed": 4, "expired": 4, "rejected": 1},
}  # fmt: skip
for _name, _vocab in (
    ("product_status", vocab.PRODUCT_STATUSES),
    ("protection_kind", vocab.PROTECTION_KINDS),
    ("protection_status", vocab.PROTECTION_STATUSES),
    ("producer_kind", vocab.PRODUCER_KINDS),
    ("producer_status", vocab.PRODUCER_STATUSES),
    ("listing_kind", vocab.LISTING_KINDS),
    ("listing_status", vocab.LISTING_STATUSES),
):
    if not set(MIX[_name]) <= set(_vocab):
        raise RuntimeError(f"bench corpus: {_name} values are no longer in gi_registry.vocab")

ORG = {"enterprise": "公司", "cooperative": "合作社", "family_farm": "农场", "individual": "本店"}
SLUG_SUFFIX = {
    "enterprise": "co",
    "cooperative": "coop",
    "family_farm": "farm",
    "individual": "shop",
}


@dataclass(frozen=True)
class Noun:
    zh: str
    en: str
    tags: frozenset[str]


def parse_entries(spec: str) -> list[Noun]:
    """Parse entries written as 中文=English@T1,T2 and separated by semicolons."""
    nouns = []
    for entry in spec.split(";"):
        words, _, tags = entry.strip().partition("@")
        zh, _, en = words.partition("=")
        nouns.append(Noun(zh.strip(), en.strip(), frozenset(t for t in tags.split(",") if t)))
    return nouns


def parse_weights(spec: str) -> dict[str, float]:
    return {k: float(v) for k, v in (pair.split(":") for pair in spec.split())}


NOUN_TABLE = {code: parse_entries(spec) for code, spec in NOUNS.items()}
ZONE_WEIGHTS = {
    zone: {**BASE_WEIGHTS, **parse_weights(spec)} for zone, spec in CATEGORY_WEIGHTS.items()
}
CATEGORY_TAG_SETS = {code: frozenset(spec.split(",")) for code, spec in CATEGORY_TAGS.items()}
VARIANT_TABLE = {zh: parse_entries(spec) for zh, spec in VARIANTS.items()}
# Every noun and variant with its category, longest first: 汪清黑木耳 ends in 黑木耳, not 木耳.
NOUN_INDEX = sorted(
    [(noun, cat) for cat, nouns in NOUN_TABLE.items() for noun in nouns]
    + [
        (variant, cat)
        for cat, nouns in NOUN_TABLE.items()
        for noun in nouns
        for variant in VARIANT_TABLE.get(noun.zh, ())
    ],
    key=lambda pair: -len(pair[0].zh),
)

# ---- places ----------------------------------------------------------------------------------

# Not places a product is named after: development zones, "市辖区" placeholders, bare city districts.
_NOT_A_PLACE = re.compile(
    r"开发区|高新|经济|管理区|实验区|试验区|工业园|产业园|园区|示范区|合作区|市辖区|直辖|新城$|"
    r"^县$|^(?:[东西南北中]|城|郊|市中|老城|矿|新城)区$"
)


short_name = short_region_name  # 延边朝鲜族自治州 → 延边: the same rule the search index uses


@dataclass
class Geography:
    """The divisions from the database, indexed for drawing places and describing them."""

    names: dict[str, str]
    parents: dict[str, str | None]
    counties: list[str]  # those a product or producer can be placed in
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_province: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, session: Session) -> Geography:
        rows = session.execute(
            sa.select(Region.code, Region.name, Region.level, Region.parent_code).order_by(
                Region.code
            )
        ).all()
        geo = cls(
            names={r.code: r.name for r in rows},
            parents={r.code: r.parent_code for r in rows},
            counties=[
                r.code for r in rows if r.level == "county" and not _NOT_A_PLACE.search(r.name)
            ],
        )
        for code in geo.counties:
            geo.children[geo.parents[code] or ""].append(code)
            geo.by_province[code[:2]].append(code)
        return geo

    def zone(self, code: str) -> str:
        return ZONES.get(code[:2], "N")

    def lineage(self, code: str) -> list[str]:
        """Province first; placeholders such as 市辖区 and 省直辖县级行政区划 left out."""
        chain: list[str] = []
        node: str | None = code
        while node and node in self.names and node not in chain:
            chain.append(node)
            node = self.parents[node]
        return [c for c in reversed(chain) if not _NOT_A_PLACE.search(self.names[c])]

    def full_name(self, code: str) -> str:
        return "".join(self.names[c] for c in self.lineage(code))

    def siblings(self, code: str) -> list[str]:
        return self.children.get(self.parents[code] or "", [code])


@dataclass(frozen=True)
class Place:
    short: str
    en: str
    kind: str  # county, prefecture, landmark
    # The county itself, a prefecture's counties, or the counties of a landmark's provinces.
    codes: tuple[str, ...]


# ---- the generator ---------------------------------------------------------------------------


@dataclass
class ProductInfo:
    slug: str
    name: str
    noun: str
    category: str
    regions: list[str]
    id: int = 0


@dataclass
class ProducerInfo:
    name: str
    kind: str
    region: str
    products: list[int]  # indexes into Corpus.products
    id: int = 0


class Corpus:
    """One generation run: the RNG, the geography and everything drawn so far."""

    def __init__(self, session: Session, seed: int):
        self.session = session
        self.rng = Random(seed)
        self.geo = Geography.load(session)
        self.categories = dict(session.execute(sa.select(Category.code, Category.id)).all())
        self.pinyin_cache: dict[str, tuple[str, str]] = {}
        self.used_slugs = {
            t: set(session.scalars(sa.select(m.slug)))
            for t, m in (("product", GIProduct), ("producer", Producer), ("listing", Listing))
        }
        self.used_names = set(session.scalars(sa.select(GIProduct.name_zh)))
        self.used_names |= set(session.scalars(sa.select(Producer.name_zh)))
        self.used_codes = set(session.scalars(sa.select(Producer.credit_code)))
        self.places = self.build_places()
        self.products: list[ProductInfo] = []
        self.producers: list[ProducerInfo] = []

    # -- helpers --

    def pinyin(self, name: str) -> tuple[str, str]:
        # pypinyin costs ~80 µs a name; its own lru_cache is smaller than the corpus.
        if name not in self.pinyin_cache:
            self.pinyin_cache[name] = name_pinyin(name)
        return self.pinyin_cache[name]

    def compact(self, name: str) -> str:
        return self.pinyin(name)[0].replace(" ", "")

    def english(self, name: str) -> str:
        return self.compact(name).replace("v", "ü").title()

    def unique_slug(self, table: str, base: str) -> str:
        base, used = base[:72].strip("-") or "x", self.used_slugs[table]
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        return slug

    def timestamp(self) -> datetime:
        # Inside a fixed window rather than "now": the same seed must give the same rows.
        start = datetime(2019, 1, 1, tzinfo=UTC)
        return start + timedelta(seconds=self.rng.randrange(7 * 365 * 86400))

    def draw(self, mix: str, exclude: str | None = None) -> str:
        weights = {value: w for value, w in MIX[mix].items() if value != exclude}
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def pick(self, options: str) -> str:
        return self.rng.choice(options.split())

    # -- places --

    def build_places(self) -> dict[str, tuple[list[Place], list[float]]]:
        geo, places = self.geo, defaultdict(list)
        for code in geo.counties:
            name = geo.names[code]
            # Urban districts name few GIs; counties and county-level cities name most.
            weight = 0.25 if name.endswith("区") else 1.0
            places["county"].append((Place(short_name(name), "", "county", (code,)), weight))
        for parent, kids in geo.children.items():
            if parent in geo.names and not _NOT_A_PLACE.search(geo.names[parent]):
                place = Place(short_name(geo.names[parent]), "", "prefecture", tuple(kids))
                places["prefecture"].append((place, 1.0))
        for noun in parse_entries(LANDMARKS):
            codes = tuple(c for p in sorted(noun.tags) for c in geo.by_province[p])
            places["landmark"].append((Place(noun.zh, noun.en, "landmark", codes), 1.0))
        return {
            kind: ([p for p, _ in pairs], list(accumulate(w for _, w in pairs)))
            for kind, pairs in places.items()
        }

    def famous_place(self, where: str, short: str) -> Place | None:
        """The landmark or division called ``where``, under the short name the GI uses."""
        for place in self.places["landmark"][0]:
            if place.short == where:
                return place
        codes = [code for code, name in self.geo.names.items() if name == where]
        if not codes:
            return None
        kids = self.geo.children.get(codes[0])
        return (
            Place(short, "", "prefecture", tuple(kids))
            if kids
            else Place(short, "", "county", (codes[0],))
        )

    def famous_products(self) -> Iterator[tuple[Row, ProductInfo]]:
        for entry in FAMOUS.split(";"):
            name, _, where = entry.strip().partition("=")
            found = next(((n, c) for n, c in NOUN_INDEX if name.endswith(n.zh)), None)
            place = found and self.famous_place(where, name[: -len(found[0].zh)])
            if found and place and name not in self.used_names:
                self.used_names.add(name)
                yield self.make_product(
                    place, found[0], found[1], name, self.product_regions(place)
                )

    def draw_place(self) -> Place:
        kind = self.rng.choices(("county", "prefecture", "landmark"), (80, 12, 8))[0]
        places, cumulative = self.places[kind]
        return self.rng.choices(places, cum_weights=cumulative)[0]

    def product_regions(self, place: Place) -> list[str]:
        """1–3 counties: the place's own, or some of a prefecture's, or some near a landmark."""
        first = place.codes[0] if place.kind == "county" else self.rng.choice(place.codes)
        wanted = self.rng.choices((1, 2, 3), (75, 18, 7))[0]
        pool = list(place.codes) if place.kind == "prefecture" else self.geo.siblings(first)
        others = [c for c in pool if c != first]
        return [first, *self.rng.sample(others, min(wanted - 1, len(others)))]

    # -- products --

    def draw_category(self, place: Place, code: str) -> tuple[str, list[Noun]]:
        weights = ZONE_WEIGHTS[self.geo.zone(code)]
        if place.kind == "landmark":  # 查干湖胖头鱼, 长白山人参: waters give fish, mountains herbs
            boost = WATER_BOOST if place.short[-1] in "湖江河海泡布" else MOUNTAIN_BOOST
            weights = {**weights, **{c: weights.get(c, 1.0) * f for c, f in boost.items()}}
        cats = list(NOUN_TABLE)
        for _ in range(10):
            cat = self.rng.choices(cats, [weights.get(c, 1.0) for c in cats])[0]
            nouns = self.local_nouns(cat, code)
            if nouns:
                return cat, nouns
        return "other", NOUN_TABLE["other"][:1]

    def local_nouns(self, category: str, code: str) -> list[Noun]:
        """The category's nouns that grow in the county's zone or province."""
        zone, province = self.geo.zone(code), code[:2]
        return [
            noun
            for noun in NOUN_TABLE[category]
            if not (tags := noun.tags or CATEGORY_TAG_SETS.get(category))
            or zone in tags
            or province in tags
        ]

    def name_product(self, place: Place, noun: Noun) -> tuple[str, Noun] | None:
        """A free name for place + noun, or a variant of the noun; None if all are taken."""
        for candidate in (noun, *VARIANT_TABLE.get(noun.zh, ())):
            name = place.short + candidate.zh
            if name not in self.used_names and len(name) <= 64:
                self.used_names.add(name)
                return name, candidate
        return None

    def new_product(self) -> tuple[Row, ProductInfo]:
        while True:
            place = self.draw_place()
            regions = self.product_regions(place)
            category, nouns = self.draw_category(place, regions[0])
            noun = self.rng.choice(nouns)
            named = self.name_product(place, noun)
            if named:
                break
        return self.make_product(place, named[1], category, named[0], regions)

    def make_product(
        self, place: Place, noun: Noun, category: str, name: str, regions: list[str]
    ) -> tuple[Row, ProductInfo]:
        slug = self.unique_slug("product", f"{self.compact(place.short)}-{self.compact(noun.zh)}")
        name_en = f"{place.en or self.english(place.short)} {noun.en}"
        info = ProductInfo(slug, name, noun.zh, category, regions)
        return self.product_row(info, name_en, place), info

    def product_row(self, info: ProductInfo, name_en: str, place: Place) -> Row:
        rng, texts = self.rng, ProductText(self, info, place)
        pinyin, initials = self.pinyin(info.name)
        status = self.draw("product_status")
        created = self.timestamp()
        return {
            "slug": info.slug,
            "name_zh": info.name,
            "name_en": name_en,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "aliases": texts.aliases(),
            "category_id": self.categories[info.category],
            "summary": texts.summary(),
            "description": texts.description(),
            "scope": texts.scope(),
            "quality_requirements": texts.quality_requirements(),
            "programmes": [],
            "sources": [],
            "status": status,
            "created_at": created,
            "updated_at": created + timedelta(days=rng.randrange(400)),
            "archived_at": created + timedelta(days=400) if status == "archived" else None,
        }

    def protection_rows(self, info: ProductInfo) -> list[Row]:
        rng = self.rng
        kinds = [self.draw("protection_kind")]
        if rng.random() < 0.35:
            kinds.append(self.draw("protection_kind", exclude=kinds[0]))
        rows = []
        for position, kind in enumerate(kinds):
            year = rng.randrange(2002, 2024)
            month = f"-{rng.randrange(1, 13):02d}" if rng.random() < 0.3 else ""
            status = self.draw("protection_status")
            created = self.timestamp()
            rows.append(
                {
                    "product_id": info.id,
                    "position": position,
                    "kind": kind,
                    "authority": authority(kind, year),
                    "number": None,  # an official number is never invented
                    "applied_on": None if status == "approved" else f"{year}{month}",
                    "approved_on": f"{year}{month}" if status == "approved" else None,
                    "status": status,
                    "holder": self.holder(kind, info),
                    "source_url": None,
                    "note": None,
                    "created_at": created,
                    "updated_at": created + timedelta(days=rng.randrange(200)),
                }
            )
        return rows

    def holder(self, kind: str, info: ProductInfo) -> str | None:
        if kind in ("certification_mark", "collective_mark"):
            return f"{info.name}{self.pick('产业协会 协会 行业协会')}"
        county = short_name(self.geo.names[info.regions[0]])
        if kind == "agri_gi":
            return f"{county}{self.pick('农业技术推广中心 特产技术推广站 农产品质量安全检测中心')}"
        return None

    # -- producers --

    def producer_region(self) -> str:
        # Most producers sit where GIs are made; the rest anywhere (traders, buyers).
        if self.products and self.rng.random() < 0.7:
            return self.rng.choice(self.rng.choice(self.products).regions)
        return self.rng.choice(self.geo.counties)

    def local_products(self, region: str, index: ProductIndex) -> list[int]:
        for key in (region, self.geo.parents[region] or "", region[:2]):
            found = index.get(key)
            if found:
                return found
        return [self.rng.randrange(len(self.products))]

    def producer_name(self, region: str, kind: str, info: ProductInfo) -> tuple[str, str]:
        """(name, the slug's middle part): 五常市禾丰源米业有限公司, 梅河口市王建国家庭农场 …"""
        rng, county = self.rng, self.geo.names[region]
        prefix = county if re.search(r"[县市旗]$", county) and "自治" not in county else ""
        prefix = prefix or short_name(county)
        if kind == "family_farm":
            person = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            return f"{prefix}{person}家庭农场", person
        zihao = "".join(rng.sample(ZIHAO, rng.choices((2, 3), (80, 20))[0]))
        if kind == "cooperative":
            verb = TRAITS[info.category][0]
            return f"{prefix}{zihao}{info.noun}{verb}专业合作社", zihao
        trade = self.pick(INDUSTRY[info.category] + " 农业 生态 食品")
        form = self.pick("有限公司 有限公司 有限责任公司 股份有限公司")
        if kind == "individual":
            form = self.pick("经营部 商行 特产店")
        return f"{prefix}{zihao}{trade}{form}", zihao

    def credit_code(self, kind: str, region: str) -> str:
        # Authority + type (91 enterprise, 93 co-operative, 92 sole trader), the county, an
        # organisation code (MA + 6 + its GB 11714 check), then the GB 32100 check character.
        head = {"enterprise": "91", "cooperative": "93"}.get(kind, "92")
        while True:
            body = "MA" + "".join(self.rng.choices(ALPHABET, k=6))
            first17 = head + region + body + organisation_check(body)
            code = first17 + check_character(first17)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def new_producer(self, index: ProductIndex) -> Row:
        rng = self.rng
        region = self.producer_region()
        local = self.local_products(region, index)
        products = rng.sample(local, min(len(local), rng.choice((1, 1, 2, 3))))
        main = self.products[products[0]]
        kind = self.draw("producer_kind")
        while True:
            name, middle = self.producer_name(region, kind, main)
            if name not in self.used_names:
                break
        self.used_names.add(name)
        self.producers.append(ProducerInfo(name, kind, region, products))
        county = short_name(self.geo.names[region])
        slug = self.unique_slug(
            "producer", f"{self.compact(county)}-{self.compact(middle)}-{SLUG_SUFFIX[kind]}"
        )
        return self.producer_row(slug, name, kind, region, main)

    def producer_row(self, slug: str, name: str, kind: str, region: str, main: ProductInfo) -> Row:
        rng = self.rng
        pinyin, initials = self.pinyin(name)
        status = self.draw("producer_status")
        created = self.timestamp()
        return {
            "slug": slug,
            "name_zh": name,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "credit_code": self.credit_code(kind, region),
            "kind": kind,
            "region_code": region,
            "address": self.address(region),
            "phone": "",
            "website": "",
            "description": self.producer_description(name, kind, region, main),
            "verified": rng.random() < 0.4,
            "sample": True,
            "status": status,
            "created_at": created,
            "updated_at": created + timedelta(days=rng.randrange(300)),
            "archived_at": created + timedelta(days=300) if status == "archived" else None,
        }

    def address(self, region: str) -> str:
        rng = self.rng
        town = "".join(rng.sample(TOWN, 2)) + rng.choice("镇镇镇乡")
        village = "".join(rng.sample(TOWN, 2)) + "村"
        number = f"{rng.randrange(1, 300)}号" if rng.random() < 0.5 else f"{rng.randrange(1, 12)}组"
        return f"{self.geo.full_name(region)}{town}{village}{number}"

    def producer_description(self, name: str, kind: str, region: str, main: ProductInfo) -> str:
        rng = self.rng
        verb = TRAITS[main.category][0]
        place = self.geo.full_name(region)
        first = (
            f"{name}成立于{rng.randrange(2003, 2025)}年，位于{place}，"
            f"主要从事{main.noun}的{verb}、加工与销售。"
        )
        second = rng.choice(
            (
                f"现有{main.noun}{verb}基地{rng.randrange(50, 5000)}亩，带动周边农户{rng.randrange(20, 800)}户。",
                f"{ORG[kind]}坚持标准化生产，{main.name}产品{rng.choice(TRAITS[main.category][1])}。",
                f"产品通过{self.pick('绿色食品 有机产品 ISO9001 HACCP')}认证，销往{'、'.join(rng.sample(MARKETS, 3))}等地。",
            )
        )
        extra = f"\n\n{ORG[kind]}欢迎各地客商来电洽谈、实地考察。" if rng.random() < 0.4 else ""
        return first + second + extra

    # -- listings --

    def new_listing(self, serial: int, producer: ProducerInfo) -> Row:
        rng = self.rng
        kind = self.draw("listing_kind")
        info = self.products[rng.choice(producer.products)]
        by_category = rng.random() < 0.15
        if by_category:
            nouns = self.local_nouns(info.category, producer.region)
            subject, base = rng.choice(nouns or NOUN_TABLE[info.category]).zh, info.category
        else:
            subject, base = info.name, info.slug
        region = producer.region
        if kind == "demand" and rng.random() < 0.2:
            region = rng.choice(self.geo.counties)
        texts = ListingText(self, kind, subject, info.category, producer)
        return {
            "slug": self.unique_slug("listing", f"{kind}-{base[:48].rstrip('-')}-{serial}"),
            "kind": kind,
            "producer_id": producer.id,
            "product_id": None if by_category else info.id,
            "category_id": self.categories[info.category] if by_category else None,
            "title": texts.title()[:120],
            "description": texts.description(),
            **texts.trade_terms(),
            "region_code": region,
            **self.availability(),
            "status": self.draw("listing_status"),
            "created_at": (created := self.timestamp()),
            "updated_at": created + timedelta(days=rng.randrange(60)),
        }

    def availability(self) -> Row:
        if self.rng.random() < 0.1:
            return {"available_from": None, "available_to": None}
        start = date(2026, 1, 1) + timedelta(days=self.rng.randrange(330))
        return {
            "available_from": start,
            "available_to": start + timedelta(days=self.rng.randrange(30, 240)),
        }


ProductIndex = dict[str, list[int]]


def authority(kind: str, year: int) -> str:
    # The State Intellectual Property Office took over GI products and marks in 2018.
    if kind == "agri_gi":
        return "农业部" if year < 2018 else "农业农村部"
    if kind == "gi_product":
        return "国家质检总局" if year < 2018 else "国家知识产权局"
    return "国家工商行政管理总局商标局" if year < 2018 else "国家知识产权局"


def organisation_check(body8: str) -> str:
    """GB 11714 check character of an organisation code's first eight characters."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body8, weights, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


class ProductText:
    """Summary, description, scope and quality requirements of one product from varied templates."""

    def __init__(self, corpus: Corpus, info: ProductInfo, place: Place):
        self.c, self.rng, self.info, self.place = corpus, corpus.rng, info, place
        self.verb, self.qualities, self.accumulates, self.unit, self.steps = TRAITS[info.category]
        self.zone = corpus.geo.zone(info.regions[0])
        self.county = corpus.geo.names[info.regions[0]]

    def quality(self) -> str:
        return "，".join(self.rng.sample(self.qualities, 2))

    def aliases(self) -> list[str]:
        if self.rng.random() > 0.1:
            return []
        variants = VARIANT_TABLE.get(self.info.noun)
        if variants:
            return [self.place.short + self.rng.choice(variants).zh]
        return [short_name(self.county) + self.info.noun] if self.place.kind != "county" else []

    def summary(self) -> str:
        where = self.c.geo.full_name(self.info.regions[0])
        return self.rng.choice(
            (
                f"{where}特产，{self.quality()}。",
                f"产于{where}的{self.info.noun}，{self.quality()}。",
                f"{self.info.name}是{self.where()}的地理标志产品，{self.quality()}。",
            )
        )

    def description(self) -> str:
        topics = [self.environment, self.history, self.quality_paragraph, self.process, self.market]
        chosen = [topics[0], *self.rng.sample(topics[1:], self.rng.randrange(1, 4))]
        paragraphs = [topic() for topic in chosen]
        if self.rng.random() < 0.2:
            paragraphs.insert(0, f"## {self.info.name}")
        return "\n\n".join(paragraphs)

    def environment(self) -> str:
        rng, (climate, temps, frost, soils) = self.rng, CLIMATE[self.zone]
        where = self.where()
        sentences = [
            f"{where}属{climate}，年平均气温{rng.uniform(*temps):.1f}℃，无霜期{rng.randrange(*frost)}天左右，"
            f"年日照时数{rng.randrange(1900, 2900)}小时。",
            f"产区土壤以{rng.choice(soils)}为主，土层深厚，有机质含量{rng.uniform(1.5, 5):.1f}%以上，"
            f"{self.pick_water()}。",
        ]
        if self.accumulates and rng.random() < 0.7:
            sentences.append(f"昼夜温差大，有利于{self.info.noun}{self.accumulates}的积累。")
        return "".join(sentences)

    def where(self) -> str:
        return self.county if self.place.kind == "county" else self.place.short

    def pick_water(self) -> str:
        return self.rng.choice(
            ("境内河流纵横，水资源丰富", "灌溉水源来自山泉和地下水，水质清洁无污染",
             "森林覆盖率高，生态环境优良", "远离工业污染，空气和水质常年达到国家一级标准")
        )  # fmt: skip

    def history(self) -> str:
        rng, era = self.rng, self.rng.choice(ERAS)
        return rng.choice(
            (
                f"据《{short_name(self.county)}县志》记载，当地{era}即有{self.verb}{self.info.noun}的传统，"
                f"{rng.choice(('曾作为贡品进献朝廷', '远销周边省份', '在民间享有盛誉'))}。",
                f"{self.info.noun}在{self.place.short}的{self.verb}历史可以追溯到{era}，"
                f"经过几代人的选育和传承，形成了独特的品质。",
                f"{rng.randrange(2005, 2024)}年，{self.info.name}获得地理标志保护，"
                f"{rng.choice(('品牌影响力持续提升', '产业进入规模化发展阶段', '带动当地农民增收致富'))}。",
            )
        )

    def quality_paragraph(self) -> str:
        text = f"{self.info.name}{self.quality()}。"
        template = INDICATORS.get(self.info.category)
        if template:
            a, b = self.rng.randrange(2, 9), self.rng.randrange(10, 40)
            text += f"经检测，{template.format(a=a, b=b)}。"
        return text + "各项指标均优于国家标准。"

    def process(self) -> str:
        steps = "、".join(self.steps[: self.rng.randrange(3, len(self.steps) + 1)])
        standard = self.rng.choice(("地方标准", "生产技术规程", "绿色食品生产标准", "团体标准"))
        return f"生产过程严格执行{self.info.name}{standard}，{steps}各环节实行全程质量追溯。"

    def market(self) -> str:
        rng = self.rng
        if self.verb in ("种植", "栽培", "培育"):
            scale = f"{self.verb}面积{rng.randrange(1, 50)}万亩"
        else:
            scale = f"从业人员{rng.randrange(1, 30)}千余人"
        markets = "、".join(rng.sample(MARKETS, 3))
        return (
            f"目前，{self.place.short}{self.info.noun}{scale}，"
            f"年产量约{rng.randrange(1, 60 if self.unit[0] == '万' else 900)}{self.unit}，"
            f"产品销往{markets}等地。"
        )

    def scope(self) -> str:
        geo = self.c.geo
        first = geo.full_name(self.info.regions[0])
        others = "、".join(geo.names[c] for c in self.info.regions[1:])
        return f"{first}{'、' + others if others else ''}现辖行政区域。"

    def quality_requirements(self) -> str:
        rng = self.rng
        soil = rng.choice(CLIMATE[self.zone][3])
        variety = f"{self.place.short[0]}{rng.choice('丰优育选农')}{rng.randrange(1, 30)}号"
        items = [
            f"产地环境：{soil}，pH值{rng.uniform(5.5, 7.8):.1f}。",
            f"品种：选用{variety}等适宜品种。",
            f"感官特征：{self.quality()}。",
        ]
        if self.info.category in INDICATORS:
            items.append(f"理化指标：{INDICATORS[self.info.category].format(a=3, b=12)}。")
        return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))


class ListingText:
    """Title, description and trade terms of one listing."""

    def __init__(
        self, corpus: Corpus, kind: str, subject: str, category: str, producer: ProducerInfo
    ):
        self.rng, self.kind, self.subject, self.category = corpus.rng, kind, subject, category
        self.org = ORG[producer.kind]
        self.county = short_name(corpus.geo.names[producer.region])
        self.unit, self.quantities, self.price_unit, self.prices = TRADE[category]
        self.quantity = self.rng.choice(self.quantities)

    def title(self) -> str:
        rng, s, q = self.rng, self.subject, f"{self.quantity}{self.unit}"
        year = rng.choice((2025, 2026))
        grade = rng.choice(("一级", "特级", "优质", "有机", "精选", "统货"))
        if self.kind == "supply":
            options = (
                f"供应{year}年新{s} {q}",
                f"{s}现货供应，量大从优",
                f"产地直供{s}",
                f"出售{grade}{s} {q}",
                f"{self.county}基地直发{s}",
                f"{s}批发，{q}起订",
            )
        else:
            options = (f"求购{s} {q}", f"长期收购{s}", f"采购{grade}{s}，要求产地直供",
                       f"诚招{s}供应商", f"收购{year}年新{s} {q}")  # fmt: skip
        return rng.choice(options)

    def description(self) -> str:
        rng, s = self.rng, self.subject
        if self.kind == "supply":
            sentences = [
                f"本{self.org}自有{s}生产基地{rng.randrange(20, 3000)}亩，{rng.choice(TRAITS[self.category][1])}。",
                f"{rng.choice(('真空包装', '纸箱包装', '编织袋包装', '礼盒包装'))}，支持{rng.choice(('冷链物流', '整车发货', '快递到家', '买家自提'))}。",
                f"可提供检测报告和产地证明，{rng.choice(('款到发货', '支持对公转账', '可签订长期供货合同'))}。",
                "欢迎客商实地考察，长期合作价格从优。",
            ]
        else:
            sentences = [
                f"因{rng.choice(('加工', '出口', '商超供货', '电商销售'))}需要，长期收购{s}，要求{rng.choice(TRAITS[self.category][1])}。",
                f"每月需求量约{self.quantity}{self.unit}，价格面议，{rng.choice(('现款结算', '货到付款', '月结'))}。",
                "优先与产地合作社、家庭农场直接合作。",
            ]  # fmt: skip
        # The opening sentence says what is offered or wanted; the rest vary in choice and order.
        rest = rng.sample(sentences[1:], rng.randrange(1, len(sentences)))
        return "".join([sentences[0], *rest])

    def trade_terms(self) -> Row:
        rng = self.rng
        if rng.random() < (0.1 if self.kind == "supply" else 0.4):  # 价格面议
            low = high = None
        else:
            low = rng.uniform(*self.prices)
            high = low * rng.uniform(1.0, 1.4)
        return {
            "quantity": Decimal(self.quantity),
            "unit": self.unit,
            "price_min": None if low is None else Decimal(f"{low:.2f}"),
            "price_max": None if high is None else Decimal(f"{high:.2f}"),
            "price_unit": self.price_unit if low is not None else "",
        }


# ---- writing ---------------------------------------------------------------------------------


def insert_rows(session: Session, table: sa.Table, rows: Iterable[Row]) -> int:
    """executemany in chunks: one round trip per chunk, bounded memory for the driver."""
    batch: list[Row] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            session.execute(sa.insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        session.execute(sa.insert(table), batch)
        count += len(batch)
    return count


def ids_by_slug(session: Session, model: type, slugs: Sequence[str]) -> list[int]:
    found = dict(session.execute(sa.select(model.slug, model.id)).all())  # type: ignore[attr-defined]
    return [found[s] for s in slugs]


def table(model: type) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined]


def generate(
    session: Session,
    *,
    products: int = 15000,
    producers: int = 10000,
    listings: int = 100000,
    seed: int = 20261125,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill an initialised database with a synthetic corpus and commit. Returns the row counts.

    ``session`` is any SQLAlchemy session on the registry database (``db.session`` in an app
    context). Rows already there are respected: slugs, names and credit codes never collide.
    """
    say = progress or (lambda message: None)
    started = time.perf_counter()
    corpus = Corpus(session, seed)
    counts = write_products(corpus, products)
    say(f"products: {counts['products']:,} ({time.perf_counter() - started:.1f} s)")
    counts["producers"] = write_producers(corpus, producers)
    say(f"producers: {counts['producers']:,} ({time.perf_counter() - started:.1f} s)")
    counts["listings"] = write_listings(corpus, listings)
    say(f"listings: {counts['listings']:,} ({time.perf_counter() - started:.1f} s)")
    session.commit()
    say(f"committed ({time.perf_counter() - started:.1f} s)")
    return counts


def write_products(corpus: Corpus, n: int) -> dict[str, int]:
    rows = []
    drawn = (corpus.new_product() for _ in range(n))
    for row, info in chain(corpus.famous_products(), drawn):
        if len(rows) == n:
            break
        rows.append(row)
        corpus.products.append(info)
    session = corpus.session
    count = insert_rows(session, table(GIProduct), rows)
    ids = ids_by_slug(session, GIProduct, [p.slug for p in corpus.products])
    for info, product_id in zip(corpus.products, ids, strict=True):
        info.id = product_id
    regions = [{"product_id": p.id, "region_code": c} for p in corpus.products for c in p.regions]
    protections = [row for p in corpus.products for row in corpus.protection_rows(p)]
    return {
        "products": count,
        "product_regions": insert_rows(session, product_regions, regions),
        "protections": insert_rows(session, table(Protection), protections),
    }


def product_index(corpus: Corpus) -> ProductIndex:
    """Products by county, prefecture and province code, for producers near them."""
    index: ProductIndex = defaultdict(list)
    for i, info in enumerate(corpus.products):
        keys = {k for code in info.regions for k in (code, corpus.geo.parents[code], code[:2])}
        for key in keys:
            if key:
                index[key].append(i)
    return index


def write_producers(corpus: Corpus, n: int) -> int:
    if not corpus.products:
        return 0  # every producer is placed next to a product
    index = product_index(corpus)
    rows = [corpus.new_producer(index) for _ in range(n)]
    count = insert_rows(corpus.session, table(Producer), rows)
    ids = ids_by_slug(corpus.session, Producer, [r["slug"] for r in rows])
    for info, producer_id in zip(corpus.producers, ids, strict=True):
        info.id = producer_id
    return count


def write_listings(corpus: Corpus, n: int) -> int:
    if not corpus.producers:
        return 0
    rng = corpus.rng
    # A few busy traders post many listings, most producers a handful: a long tail, as on real boards.
    activity = list(accumulate(rng.paretovariate(2.5) for _ in corpus.producers))
    posters = rng.choices(corpus.producers, cum_weights=activity, k=n)
    rows = (corpus.new_listing(i, producer) for i, producer in enumerate(posters, 1))
    return insert_rows(corpus.session, table(Listing), rows)


# ---- command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="an empty or initialised database")
    parser.add_argument("--products", type=int, default=15000)
    parser.add_argument("--producers", type=int, default=10000)
    parser.add_argument("--listings", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gi-corpus-") as instance:
        # DATABASE_URL rather than SQLALCHEMY_DATABASE_URI: it wins over a GI_DATABASE_URL in the
        # environment and gets the same postgres:// → postgresql+psycopg:// folding as the app.
        config = {
            "DATABASE_URL": args.database_url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "bench",
        }
        app = create_app(config)
        with app.app_context():
            started = time.perf_counter()
            init_database()
            print(f"init_database: {time.perf_counter() - started:.1f} s", file=sys.stderr)
            started = time.perf_counter()
            counts = generate(
                db.session,
                products=args.products,
                producers=args.producers,
                listings=args.listings,
                seed=args.seed,
                progress=lambda message: print(f"  {message}", file=sys.stderr),
            )
            elapsed = time.perf_counter() - started
            db.engine.dispose()
    for name, count in counts.items():
        print(f"{name:<16}{count:>9,}")
    print(f"{'generated in':<16}{elapsed:>8.1f}s")


if __name__ == "__main__":
    main()
