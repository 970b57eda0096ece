"""Zhejiang's 11 cities (设区市) and their counties/districts (县/区/县级市)."""

from __future__ import annotations

import math

PROVINCE = ("浙江省", "Zhejiang", "330000")

# city (zh, en, division code) -> counties (zh, en)
CITIES: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "杭州",
        "Hangzhou",
        "330100",
        (
            ("上城区", "Shangcheng"),
            ("拱墅区", "Gongshu"),
            ("西湖区", "Xihu"),
            ("滨江区", "Binjiang"),
            ("萧山区", "Xiaoshan"),
            ("余杭区", "Yuhang"),
            ("临平区", "Linping"),
            ("钱塘区", "Qiantang"),
            ("富阳区", "Fuyang"),
            ("临安区", "Lin'an"),
            ("桐庐县", "Tonglu"),
            ("淳安县", "Chun'an"),
            ("建德市", "Jiande"),
        ),
    ),
    (
        "宁波",
        "Ningbo",
        "330200",
        (
            ("海曙区", "Haishu"),
            ("江北区", "Jiangbei"),
            ("北仑区", "Beilun"),
            ("镇海区", "Zhenhai"),
            ("鄞州区", "Yinzhou"),
            ("奉化区", "Fenghua"),
            ("象山县", "Xiangshan"),
            ("宁海县", "Ninghai"),
            ("余姚市", "Yuyao"),
            ("慈溪市", "Cixi"),
        ),
    ),
    (
        "温州",
        "Wenzhou",
        "330300",
        (
            ("鹿城区", "Lucheng"),
            ("龙湾区", "Longwan"),
            ("瓯海区", "Ouhai"),
            ("洞头区", "Dongtou"),
            ("永嘉县", "Yongjia"),
            ("平阳县", "Pingyang"),
            ("苍南县", "Cangnan"),
            ("文成县", "Wencheng"),
            ("泰顺县", "Taishun"),
            ("瑞安市", "Rui'an"),
            ("乐清市", "Yueqing"),
            ("龙港市", "Longgang"),
        ),
    ),
    (
        "嘉兴",
        "Jiaxing",
        "330400",
        (
            ("南湖区", "Nanhu"),
            ("秀洲区", "Xiuzhou"),
            ("嘉善县", "Jiashan"),
            ("海盐县", "Haiyan"),
            ("海宁市", "Haining"),
            ("平湖市", "Pinghu"),
            ("桐乡市", "Tongxiang"),
        ),
    ),
    (
        "湖州",
        "Huzhou",
        "330500",
        (
            ("吴兴区", "Wuxing"),
            ("南浔区", "Nanxun"),
            ("德清县", "Deqing"),
            ("长兴县", "Changxing"),
            ("安吉县", "Anji"),
        ),
    ),
    (
        "绍兴",
        "Shaoxing",
        "330600",
        (
            ("越城区", "Yuecheng"),
            ("柯桥区", "Keqiao"),
            ("上虞区", "Shangyu"),
            ("新昌县", "Xinchang"),
            ("诸暨市", "Zhuji"),
            ("嵊州市", "Shengzhou"),
        ),
    ),
    (
        "金华",
        "Jinhua",
        "330700",
        (
            ("婺城区", "Wucheng"),
            ("金东区", "Jindong"),
            ("武义县", "Wuyi"),
            ("浦江县", "Pujiang"),
            ("磐安县", "Pan'an"),
            ("兰溪市", "Lanxi"),
            ("义乌市", "Yiwu"),
            ("东阳市", "Dongyang"),
            ("永康市", "Yongkang"),
        ),
    ),
    (
        "衢州",
        "Quzhou",
        "330800",
        (
            ("柯城区", "Kecheng"),
            ("衢江区", "Qujiang"),
            ("常山县", "Changshan"),
            ("开化县", "Kaihua"),
            ("龙游县", "Longyou"),
            ("江山市", "Jiangshan"),
        ),
    ),
    (
        "舟山",
        "Zhoushan",
        "330900",
        (
            ("定海区", "Dinghai"),
            ("普陀区", "Putuo"),
            ("岱山县", "Daishan"),
            ("嵊泗县", "Shengsi"),
        ),
    ),
    (
        "台州",
        "Taizhou",
        "331000",
        (
            ("椒江区", "Jiaojiang"),
            ("黄岩区", "Huangyan"),
            ("路桥区", "Luqiao"),
            ("三门县", "Sanmen"),
            ("天台县", "Tiantai"),
            ("仙居县", "Xianju"),
            ("温岭市", "Wenling"),
            ("临海市", "Linhai"),
            ("玉环市", "Yuhuan"),
        ),
    ),
    (
        "丽水",
        "Lishui",
        "331100",
        (
            ("莲都区", "Liandu"),
            ("青田县", "Qingtian"),
            ("缙云县", "Jinyun"),
            ("遂昌县", "Suichang"),
            ("松阳县", "Songyang"),
            ("云和县", "Yunhe"),
            ("庆元县", "Qingyuan"),
            ("景宁畲族自治县", "Jingning"),
            ("龙泉市", "Longquan"),
        ),
    ),
)

#: Where each city's government sits (latitude, longitude), for "nearest city first".
CITY_CENTRES: dict[str, tuple[float, float]] = {
    "330100": (30.27, 120.15),  # 杭州
    "330200": (29.87, 121.55),  # 宁波
    "330300": (28.00, 120.70),  # 温州
    "330400": (30.75, 120.76),  # 嘉兴
    "330500": (30.89, 120.09),  # 湖州
    "330600": (30.00, 120.58),  # 绍兴
    "330700": (29.08, 119.65),  # 金华
    "330800": (28.97, 118.87),  # 衢州
    "330900": (29.99, 122.21),  # 舟山
    "331000": (28.66, 121.42),  # 台州
    "331100": (28.45, 119.92),  # 丽水
}


def city_distance_km(code_a: str | None, code_b: str | None) -> float:
    """Great-circle distance between two cities' centres; unknown cities are far away."""
    a, b = CITY_CENTRES.get(code_a or ""), CITY_CENTRES.get(code_b or "")
    if a is None or b is None:
        return 10_000.0
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
