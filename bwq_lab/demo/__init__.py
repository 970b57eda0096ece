"""The demo province: a realistic, deterministic Zhejiang for trying BWQ Lab out.

Two halves:

- :func:`build_plan` is pure: from a seed it draws providers, their instruments and lab
  services, and enterprises as plain frozen dataclasses. Same seed, same plan, every run.
- :func:`seed_demo` is the operation: it makes sure the region tree exists, turns the plan into
  rows plus one login per role, adds them all and flushes once. It never commits, and it adds
  nothing when the database already has providers.

The demo logins share :data:`DEMO_PASSWORD`. It is printed by ``flask --app app bwq seed-demo``
and is for a local trial only: never seed a database that real people use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, select

from bwq_lab.domain import uscc
from bwq_lab.domain.catalogue import ENTERPRISE_CATEGORIES
from bwq_lab.domain.regions import CITIES
from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, Instrument, LabService, Provider, Qualification, Region, User
from bwq_lab.operations.regions import ensure_regions

SEED = 20261127
DEMO_PASSWORD = "demo-password-2026"  # demo only: printed on the terminal, never use it for real accounts


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("enterprise", "enterprise@demo.bwq", "陈思远"),  # of the first demo enterprise (杭州)
    DemoLogin("manager", "manager@demo.bwq", "王建华"),  # everything at 浙江大学分析测试中心
    DemoLogin("manager", "manager2@demo.bwq", "李晓燕"),  # three instruments and one service at NIMTE
    DemoLogin("city_admin", "city@demo.bwq", "张伟"),  # 杭州
    DemoLogin("county_admin", "county@demo.bwq", "刘洋"),  # 西湖区 (杭州), the county of 浙江大学分析测试中心
    DemoLogin("province_admin", "admin@demo.bwq", "周敏"),
)
MANAGER_PROVIDER = "zju"  # manager@demo.bwq manages all of it
MANAGER2_PROVIDER = "nimte"  # manager2@demo.bwq manages a few of its instruments and one service
CITY_ADMIN_CITY = "330100"  # 杭州
COUNTY_ADMIN_COUNTY = "西湖区"  # of 杭州

# ------------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class InstrumentSpec:
    name: str
    name_en: str
    model: str
    manufacturer: str
    category: str
    capabilities: str
    location: str
    description: str
    status: str
    price_internal_fen: int
    price_external_fen: int
    voucher_eligible: bool
    opening_hours: tuple[tuple[int, str, str], ...]
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    buffer_minutes: int
    min_notice_minutes: int
    max_days_ahead: int
    approval_required: bool
    qualification_required: bool
    weekly_quota_minutes: int | None
    monthly_quota_minutes: int | None
    max_future_bookings: int | None
    cancel_deadline_hours: int


SAMPLE_REQUIREMENTS = {
    "testing_analysis": "固体样品不少于 5 g，液体不少于 50 mL；密封包装并注明编号。Solids ≥ 5 g, liquids ≥ 50 mL, sealed and numbered.",
}


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    name_en: str
    kind: str
    capabilities: str
    description: str
    unit: str
    price_internal_fen: int
    price_external_fen: int
    turnaround_days: int  # report days: working days after the last processing day
    voucher_eligible: bool
    status: str
    min_samples: int
    max_samples: int
    daily_capacity: int
    sample_requirements: str
    hazardous_accepted: bool


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    name: str
    name_en: str
    kind: str
    city_code: str
    county: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    description: str
    instruments: tuple[InstrumentSpec, ...]
    services: tuple[ServiceSpec, ...]


@dataclass(frozen=True)
class EnterpriseSpec:
    name: str
    uscc: str
    city_code: str
    county: str
    category: str


@dataclass(frozen=True)
class DemoPlan:
    providers: tuple[ProviderSpec, ...]
    enterprises: tuple[EnterpriseSpec, ...]


# --- vocabulary --------------------------------------------------------------------------------
EM, XRD, MS, LC, NMR, TA, SP, MT, EMC, MP, SA, LS, ENV, MET = (
    "electron_microscopy",
    "xray_diffraction",
    "mass_spectrometry",
    "chromatography",
    "nmr",
    "thermal_analysis",
    "spectroscopy",
    "mechanical_testing",
    "emc",
    "materials_processing",
    "surface_analysis",
    "life_science",
    "environmental",
    "metrology",
)
ALL = (EM, XRD, MS, LC, NMR, TA, SP, MT, EMC, MP, SA, LS, ENV, MET)

CITY_NAMES = {code: zh for zh, _en, code, _counties in CITIES}
AREA_CODES = {
    "330100": "0571",
    "330200": "0574",
    "330300": "0577",
    "330400": "0573",
    "330500": "0572",
    "330600": "0575",
    "330700": "0579",
    "330800": "0570",
    "330900": "0580",
    "331000": "0576",
    "331100": "0578",
}
_CITY_CODE = {zh: code for zh, _en, code, _counties in CITIES}

# (key, kind, city, county, name, name_en, street address, instrument categories, (min, max) instruments,
#  industry tags for lab services, what it is known for)
# fmt: off
PROVIDERS: tuple[tuple, ...] = (
    ("zju", "university", "杭州", "西湖区", "浙江大学分析测试中心", "Zhejiang University Analysis and Testing Centre",
     "余杭塘路866号紫金港校区", ALL, (20, 24), ("materials", "chem", "bio"),
     "覆盖材料、化学、生命科学和信息学科的大型仪器共享平台"),
    ("zjut", "university", "杭州", "拱墅区", "浙江工业大学分析测试中心",
     "Zhejiang University of Technology Analysis and Testing Centre", "潮王路18号",
     (MS, LC, NMR, TA, SP, XRD, SA, MT, EM), (14, 18), ("chem", "materials"), "以化工、制药和材料分析见长"),
    ("nbu", "university", "宁波", "江北区", "宁波大学测试中心", "Ningbo University Testing Centre", "风华路818号",
     (EM, XRD, SP, LS, LC, NMR, MT, ENV), (12, 16), ("marine", "materials"), "服务宁波新材料和海洋产业"),
    ("wmu", "university", "温州", "瓯海区", "温州医科大学公共技术平台", "Wenzhou Medical University Core Facilities",
     "茶山街道高教园区", (LS, MS, LC, NMR, SP, EM), (12, 16), ("bio",), "面向生物医药企业的细胞、组学与药物分析平台"),
    ("hdu", "university", "杭州", "钱塘区", "杭州电子科技大学电子信息公共实验平台",
     "Hangzhou Dianzi University Electronics Shared Laboratory", "白杨街道2号大街1158号",
     (EMC, MET, MP, SA, EM, SP), (11, 14), ("electronics",), "电子信息、集成电路和电磁兼容测试"),
    ("cjlu", "university", "杭州", "钱塘区", "中国计量大学计量测试中心", "China Jiliang University Metrology and Testing Centre",
     "学源街258号", (MET, EMC, ENV, SP, MT, TA), (12, 16), ("electronics", "hardware"), "计量校准、质量检验与标准化服务"),
    ("zstu", "university", "杭州", "钱塘区", "浙江理工大学分析测试中心", "Zhejiang Sci-Tech University Analysis and Testing Centre",
     "2号大街928号", (TA, SP, MT, EM, LC, XRD, SA), (11, 14), ("textile",), "纺织、服装与丝绸材料分析"),
    ("zjnu", "university", "金华", "婺城区", "浙江师范大学分析测试中心", "Zhejiang Normal University Analysis and Testing Centre",
     "迎宾大道688号", (SP, XRD, EM, TA, NMR, LC, SA), (11, 14), ("materials", "chem"), "服务金华新材料与五金产业"),
    ("zafu", "university", "杭州", "临安区", "浙江农林大学分析测试中心", "Zhejiang A&F University Analysis and Testing Centre",
     "武肃街666号", (LC, MS, LS, ENV, SP, TA), (9, 12), ("food", "bio"), "农产品、林产品与生态环境检测"),
    ("zjou", "university", "舟山", "定海区", "浙江海洋大学海洋科学公共实验平台",
     "Zhejiang Ocean University Marine Science Shared Laboratory", "海大南路1号", (LS, LC, MS, ENV, SP), (8, 11),
     ("marine", "food"), "海洋生物、水产品与船舶材料检测"),
    ("usx", "university", "绍兴", "越城区", "绍兴文理学院分析测试中心", "Shaoxing University Analysis and Testing Centre",
     "环城西路508号", (TA, SP, MT, LC, EM), (7, 9), ("textile", "chem"), "服务绍兴纺织印染与化工企业"),
    ("zjhu", "university", "湖州", "吴兴区", "湖州师范学院分析测试中心", "Huzhou University Analysis and Testing Centre",
     "学士路1号", (SP, LC, LS, XRD, TA), (6, 9), ("bio", "materials"), "服务湖州生物医药与绿色家居产业"),
    ("zjxu", "university", "嘉兴", "南湖区", "嘉兴大学分析测试中心", "Jiaxing University Analysis and Testing Centre",
     "嘉杭路118号", (TA, MT, SP, LC, EM), (6, 9), ("textile", "materials"), "服务嘉兴经编、光伏与新材料企业"),
    ("tzc", "university", "台州", "椒江区", "台州学院分析测试中心", "Taizhou University Analysis and Testing Centre",
     "市府大道1139号", (LC, MS, SP, MT, MET), (7, 9), ("chem", "mould"), "服务台州医药化工与模具产业"),
    ("qzu", "university", "衢州", "柯城区", "衢州学院分析测试中心", "Quzhou University Analysis and Testing Centre",
     "九华北大道78号", (LC, SP, TA, XRD, ENV), (5, 8), ("chem",), "服务衢州氟硅化工与特种纸产业"),
    ("lsu", "university", "丽水", "莲都区", "丽水学院分析测试中心", "Lishui University Analysis and Testing Centre",
     "学院路1号", (SP, LC, ENV, LS), (5, 7), ("food", "ceramics"), "生态产品与农产品品质检测"),
    ("nimte", "institute", "宁波", "镇海区", "中国科学院宁波材料技术与工程研究所",
     "Ningbo Institute of Materials Technology and Engineering, CAS", "中官西路1219号",
     (EM, XRD, SA, TA, MT, MP, SP, NMR), (18, 22), ("materials", "magnet"), "高分子、磁性与新能源材料研发和表征"),
    ("zhejianglab", "institute", "杭州", "余杭区", "之江实验室", "Zhejiang Lab", "中泰街道科创大道之江实验室南湖总部",
     (MP, SA, EM, MET, EMC), (11, 14), ("electronics",), "智能感知、微纳加工与智能计算研究平台"),
    ("zaas", "institute", "杭州", "上城区", "浙江省农业科学院", "Zhejiang Academy of Agricultural Sciences",
     "石桥路198号", (LC, MS, LS, ENV, SP), (11, 14), ("food", "bio"), "农产品质量安全与农业生物技术"),
    ("zcri", "institute", "杭州", "西湖区", "浙江省化工研究院", "Zhejiang Chemical Industry Research Institute",
     "天目山路387号", (LC, MS, NMR, TA, SP, ENV), (11, 14), ("chem",), "含氟精细化学品、农药与化工安全评价"),
    ("zim", "institute", "杭州", "钱塘区", "浙江省计量科学研究院", "Zhejiang Institute of Metrology",
     "下沙路300号", (MET, EMC, MT, ENV, TA), (9, 12), ("hardware", "electronics"), "计量检定、校准和产品质量检测"),
    ("yrdi", "institute", "嘉兴", "南湖区", "浙江清华长三角研究院", "Yangtze Delta Region Institute of Tsinghua University, Zhejiang",
     "亚太路705号", (LC, MS, ENV, SP, LS), (9, 12), ("bio", "chem"), "生态环境、生命健康与先进制造研发"),
    ("zmfri", "institute", "舟山", "定海区", "浙江省海洋水产研究所", "Marine Fisheries Research Institute of Zhejiang",
     "临城街道体育路28号", (LS, ENV, LC), (5, 7), ("marine", "food"), "海洋渔业资源、水产品质量与海洋环境监测"),
    ("ucaswz", "institute", "温州", "龙湾区", "中国科学院大学温州研究院", "Wenzhou Institute, University of Chinese Academy of Sciences",
     "金海街道金海三道", (LS, MS, NMR, SP, EM), (9, 12), ("bio",), "生物材料、再生医学与药物研发"),
    ("sxtex", "innovation_complex", "绍兴", "柯桥区", "绍兴纺织产业创新服务综合体",
     "Shaoxing Textile Industry Innovation Service Complex", "柯桥街道中国轻纺城创意园", (TA, SP, MT, LC), (7, 9),
     ("textile",), "围绕柯桥纺织印染产业集群"),
    ("wzlaser", "innovation_complex", "温州", "龙湾区", "温州激光与光电产业创新服务综合体",
     "Wenzhou Laser and Optoelectronics Industry Innovation Service Complex", "浙南科技城激光产业园", (MP, MET, SP, SA),
     (6, 8), ("laser",), "围绕温州激光与光电产业集群"),
    ("ykhw", "innovation_complex", "金华", "永康市", "永康五金产业创新服务综合体",
     "Yongkang Hardware Industry Innovation Service Complex", "五金科技工业园", (MT, MET, SA, ENV), (6, 8),
     ("hardware",), "围绕永康五金与电动工具产业集群"),
    ("hnwk", "innovation_complex", "嘉兴", "海宁市", "海宁经编产业创新服务综合体",
     "Haining Warp-knitting Industry Innovation Service Complex", "马桥街道经编园区", (TA, SP, MT, LC), (5, 7),
     ("textile",), "围绕海宁经编产业集群"),
    ("zjhosiery", "innovation_complex", "绍兴", "诸暨市", "诸暨袜业产业创新服务综合体",
     "Zhuji Hosiery Industry Innovation Service Complex", "大唐街道袜业城", (MT, SP, LC), (4, 6),
     ("textile",), "围绕大唐袜业产业集群"),
    ("yqelec", "innovation_complex", "温州", "乐清市", "乐清电气产业创新服务综合体",
     "Yueqing Electrical Equipment Industry Innovation Service Complex", "柳市镇电气科技园", (EMC, MT, MET, ENV), (6, 8),
     ("electrical",), "围绕柳市低压电器产业集群"),
    ("raauto", "innovation_complex", "温州", "瑞安市", "瑞安汽摩配产业创新服务综合体",
     "Rui'an Auto and Motorcycle Parts Industry Innovation Service Complex", "塘下镇汽摩配产业园", (MT, MET, ENV, SA),
     (5, 7), ("auto", "hardware"), "围绕瑞安汽摩配产业集群"),
    ("hymould", "innovation_complex", "台州", "黄岩区", "黄岩模具产业创新服务综合体",
     "Huangyan Mould Industry Innovation Service Complex", "新前街道模具城", (MET, MP, MT), (5, 7),
     ("mould",), "围绕黄岩模具与塑料制品产业集群"),
    ("yhvalve", "innovation_complex", "台州", "玉环市", "玉环水暖阀门产业创新服务综合体",
     "Yuhuan Plumbing and Valve Industry Innovation Service Complex", "珠港镇阀门产业园", (MT, MET, SP, ENV), (4, 6),
     ("valve", "hardware"), "围绕玉环水暖阀门产业集群"),
    ("cxbattery", "innovation_complex", "湖州", "长兴县", "长兴新能源电池产业创新服务综合体",
     "Changxing New-energy Battery Industry Innovation Service Complex", "画溪街道新能源小镇", (TA, EM, XRD, SP, ENV),
     (6, 8), ("battery",), "围绕长兴蓄电池与锂电池产业集群"),
    ("nxlift", "innovation_complex", "湖州", "南浔区", "南浔智能电梯产业创新服务综合体",
     "Nanxun Smart Elevator Industry Innovation Service Complex", "练市镇电梯产业园", (MT, MET, EMC), (4, 6),
     ("hardware", "electrical"), "围绕南浔电梯整机与零部件产业集群"),
    ("lqceladon", "innovation_complex", "丽水", "龙泉市", "龙泉青瓷宝剑产业创新服务综合体",
     "Longquan Celadon and Sword Industry Innovation Service Complex", "剑瓷文化创意园", (XRD, SP, TA, MT), (4, 5),
     ("ceramics",), "围绕龙泉青瓷与宝剑产业"),
    ("qzfsi", "innovation_complex", "衢州", "衢江区", "衢州氟硅新材料产业创新服务综合体",
     "Quzhou Fluorosilicone New Materials Industry Innovation Service Complex", "高新技术产业园区", (LC, NMR, TA, SP, MS),
     (6, 8), ("chem",), "围绕衢州氟硅新材料产业集群"),
    ("zsship", "innovation_complex", "舟山", "定海区", "舟山船舶与海工装备产业创新服务综合体",
     "Zhoushan Shipbuilding and Offshore Equipment Industry Innovation Service Complex", "盐仓街道海洋科学城",
     (MT, MET, ENV), (4, 5), ("marine", "hardware"), "围绕舟山船舶修造与海工装备产业"),
    ("dymagnet", "innovation_complex", "金华", "东阳市", "东阳磁性材料产业创新服务综合体",
     "Dongyang Magnetic Materials Industry Innovation Service Complex", "横店镇电子工业园", (XRD, EM, MET, TA), (5, 6),
     ("magnet", "materials"), "围绕东阳磁性材料产业集群"),
    ("cxappliance", "innovation_complex", "宁波", "慈溪市", "慈溪家电产业创新服务综合体",
     "Cixi Household Appliance Industry Innovation Service Complex", "白沙路街道家电产业园", (EMC, MT, ENV, MET), (6, 8),
     ("electrical",), "围绕慈溪小家电产业集群"),
    ("bjiot", "innovation_complex", "杭州", "滨江区", "杭州滨江物联网产业创新服务综合体",
     "Hangzhou Binjiang IoT Industry Innovation Service Complex", "长河街道物联网街", (EMC, MET), (4, 6),
     ("electronics",), "围绕滨江物联网与智能硬件产业集群"),
    ("klgreenchem", "key_lab", "杭州", "拱墅区", "浙江省绿色化学合成技术重点实验室",
     "Zhejiang Key Laboratory of Green Chemistry Synthesis Technology", "潮王路18号浙江工业大学化工楼",
     (NMR, LC, MS), (4, 6), ("chem",), "绿色催化、连续流合成与精细化学品"),
    ("klfood", "key_lab", "杭州", "上城区", "浙江省农产品质量安全重点实验室",
     "Zhejiang Key Laboratory of Agro-product Quality and Safety", "石桥路198号", (LC, MS, ENV), (4, 5),
     ("food",), "农兽药残留、重金属与食品真实性检测"),
    ("klplastic", "key_lab", "宁波", "北仑区", "浙江省塑料改性与加工技术重点实验室",
     "Zhejiang Key Laboratory of Plastic Modification and Processing", "大碶街道庐山东路", (TA, MP, MT), (4, 5),
     ("materials", "mould"), "工程塑料改性、注塑成型与制品可靠性"),
    ("hcy", "incubator", "杭州", "余杭区", "杭州未来科技城海创园孵化器",
     "Hangzhou Future Sci-Tech City Overseas Talent Park Incubator", "文一西路1818号", (MET, LS), (2, 3),
     ("electronics", "bio"), "服务海归人才创业和初创科技企业"),
    ("nbhtz", "incubator", "宁波", "鄞州区", "宁波高新区科技企业孵化器", "Ningbo Hi-tech Zone Incubator",
     "院士路66号", (SP, MET), (2, 3), ("materials",), "新材料与智能制造初创企业孵化"),
    ("znkjc", "incubator", "温州", "瓯海区", "温州浙南科技城众创空间", "Zhenan Sci-Tech City Maker Space, Wenzhou",
     "南白象街道科技城大道", (EMC, MET), (2, 3), ("electrical", "electronics"), "智能装备与电子信息初创团队"),
)
# fmt: on

# (category, zh, en, model, manufacturer, capabilities, English keywords, (lowest, highest) external yuan/h,
#  flags: Q = qualification required, H = around the clock, L = long sessions)
# fmt: off
INSTRUMENTS: tuple[tuple, ...] = (
    (EM, "场发射扫描电子显微镜", "Field-emission scanning electron microscope", "SU8010", "Hitachi",
     "高分辨形貌观察，二次电子/背散射电子成像，能谱（EDS）元素面扫描", "FE-SEM, morphology, EDS mapping", (200, 600), ""),
    (EM, "场发射扫描电子显微镜", "Field-emission scanning electron microscope", "Gemini 300", "ZEISS",
     "低电压高分辨成像，不导电样品观察，EBSD 晶体取向分析", "FE-SEM, low-kV imaging, EBSD", (250, 600), ""),
    (EM, "台式扫描电子显微镜", "Desktop scanning electron microscope", "Phenom XL G2", "Thermo Fisher",
     "快速形貌观察与颗粒统计，适合企业来样快速检测", "tabletop SEM, particle analysis", (100, 250), ""),
    (EM, "透射电子显微镜", "Transmission electron microscope", "Talos F200X", "Thermo Fisher",
     "高分辨透射成像，STEM-HAADF，能谱面分布，选区电子衍射", "TEM, HRTEM, STEM, EDS, SAED", (800, 1500), "Q"),
    (EM, "场发射透射电子显微镜", "Field-emission transmission electron microscope", "JEM-2100F", "JEOL",
     "高分辨晶格像、电子衍射和纳米颗粒尺寸分析", "TEM, HRTEM, electron diffraction", (600, 1200), "Q"),
    (EM, "球差校正透射电子显微镜", "Aberration-corrected transmission electron microscope", "Titan Themis G2 300",
     "Thermo Fisher", "原子分辨率 STEM 成像，单原子催化剂表征，EELS 谱", "Cs-corrected STEM, atomic resolution, EELS",
     (1500, 3000), "Q"),
    (EM, "聚焦离子束-扫描电镜双束系统", "Focused ion beam / SEM dual-beam system", "Helios 5 UX", "Thermo Fisher",
     "TEM 样品制备，截面加工，三维重构，微纳结构加工", "FIB-SEM, lamella preparation, cross-section", (1000, 2000), "Q"),
    (XRD, "X射线衍射仪", "X-ray diffractometer", "D8 Advance", "Bruker",
     "粉末物相定性定量分析，晶粒尺寸，结晶度，Rietveld 精修", "XRD, phase identification, Rietveld", (100, 300), ""),
    (XRD, "高分辨X射线衍射仪", "High-resolution X-ray diffractometer", "SmartLab 9kW", "Rigaku",
     "薄膜掠入射、摇摆曲线、倒易空间图和高温原位测试", "HRXRD, GIXRD, thin film, in-situ", (150, 400), ""),
    (XRD, "多功能X射线衍射仪", "Multipurpose X-ray diffractometer", "Empyrean", "Malvern Panalytical",
     "物相分析、残余应力、织构和小角散射", "XRD, texture, residual stress", (120, 350), ""),
    (XRD, "单晶X射线衍射仪", "Single-crystal X-ray diffractometer", "D8 Venture", "Bruker",
     "小分子与配合物单晶结构解析，绝对构型测定", "SCXRD, crystal structure, absolute configuration", (300, 800), ""),
    (XRD, "小角X射线散射仪", "Small-angle X-ray scattering system", "Xeuss 3.0", "Xenocs",
     "纳米结构尺寸与分布，SAXS/WAXS 联用", "SAXS, WAXS, nanostructure", (300, 700), ""),
    (XRD, "X射线残余应力分析仪", "X-ray residual stress analyser", "μ-X360s", "Pulstec",
     "焊接件、热处理件和涂层的残余应力无损检测", "residual stress, cos-alpha, NDT", (200, 400), ""),
    (MS, "液相色谱-质谱联用仪", "Liquid chromatography–mass spectrometer", "6546 Q-TOF", "Agilent",
     "精确质量数测定，未知物结构鉴定，代谢组学筛查", "LC-MS, Q-TOF, accurate mass, metabolomics", (300, 800), ""),
    (MS, "三重四极杆液质联用仪", "Triple-quadrupole LC-MS/MS", "QTRAP 6500+", "SCIEX",
     "痕量目标物定量，农兽药残留与药物代谢动力学分析", "LC-MS/MS, MRM, quantitation", (300, 700), ""),
    (MS, "高分辨轨道阱质谱仪", "Orbitrap high-resolution mass spectrometer", "Orbitrap Exploris 480", "Thermo Fisher",
     "蛋白质组学，非靶向代谢组学，高分辨定性分析", "Orbitrap, proteomics, HRMS", (600, 1500), "Q"),
    (MS, "气相色谱-质谱联用仪", "Gas chromatograph–mass spectrometer", "8890-5977B", "Agilent",
     "挥发性与半挥发性有机物定性定量，VOCs 和异味分析", "GC-MS, VOCs, odour", (150, 400), ""),
    (MS, "电感耦合等离子体质谱仪", "Inductively coupled plasma mass spectrometer", "7900", "Agilent",
     "痕量金属元素与同位素分析，检出限达 ppt 级", "ICP-MS, trace metals, isotopes", (200, 500), ""),
    (MS, "基质辅助激光解吸电离飞行时间质谱仪", "MALDI-TOF mass spectrometer", "autoflex maX", "Bruker",
     "聚合物与生物大分子分子量测定，微生物鉴定", "MALDI-TOF, polymers, microbial ID", (300, 600), ""),
    (LC, "气相色谱仪", "Gas chromatograph", "GC-2030", "Shimadzu",
     "有机溶剂残留、纯度分析和气体组分分析", "GC, FID, residual solvents", (80, 200), ""),
    (LC, "高效液相色谱仪", "High-performance liquid chromatograph", "1260 Infinity II", "Agilent",
     "药物含量与有关物质，食品添加剂与功效成分测定", "HPLC, assay, impurities", (80, 200), ""),
    (LC, "超高效液相色谱仪", "Ultra-high-performance liquid chromatograph", "Vanquish Flex", "Thermo Fisher",
     "快速分离分析，方法开发与转移", "UHPLC, method development", (100, 250), ""),
    (LC, "离子色谱仪", "Ion chromatograph", "Dionex ICS-6000", "Thermo Fisher",
     "水质阴阳离子、有机酸和糖类分析", "IC, anions, cations", (80, 200), ""),
    (LC, "凝胶渗透色谱仪", "Gel permeation chromatograph", "1260 Infinity II GPC/SEC", "Agilent",
     "聚合物分子量及分子量分布测定", "GPC, SEC, molecular weight", (100, 300), ""),
    (LC, "高温凝胶渗透色谱仪", "High-temperature gel permeation chromatograph", "PL-GPC 220", "Agilent",
     "聚烯烃等难溶聚合物高温分子量分布测定", "HT-GPC, polyolefins", (200, 500), ""),
    (LC, "制备型液相色谱仪", "Preparative liquid chromatograph", "LC-20AP", "Shimadzu",
     "天然产物与合成中间体的分离纯化", "prep-HPLC, purification", (150, 300), "L"),
    (NMR, "400MHz 核磁共振波谱仪", "400 MHz NMR spectrometer", "AVANCE NEO 400", "Bruker",
     "1H、13C、19F、31P 一维谱及 COSY/HSQC/HMBC 二维谱", "NMR, 1H, 13C, 2D NMR", (150, 400), "Q"),
    (NMR, "600MHz 核磁共振波谱仪", "600 MHz NMR spectrometer", "AVANCE NEO 600", "Bruker",
     "配超低温探头，天然产物与生物大分子结构解析", "NMR, cryoprobe, structure elucidation", (400, 900), "Q"),
    (NMR, "500MHz 核磁共振波谱仪", "500 MHz NMR spectrometer", "JNM-ECZ500R", "JEOL",
     "有机化合物结构鉴定，变温实验与反应监测", "NMR, variable temperature", (250, 600), "Q"),
    (NMR, "固体核磁共振波谱仪", "Solid-state NMR spectrometer", "AVANCE III HD 400WB", "Bruker",
     "魔角旋转固体核磁，分子筛、聚合物与电池材料结构分析", "solid-state NMR, MAS, zeolites", (500, 1000), "Q"),
    (NMR, "低场核磁共振分析仪", "Low-field NMR analyser", "MesoMR23-060H", "Niumag",
     "岩心孔隙、食品水分状态与交联密度测定", "low-field NMR, T2 relaxation", (100, 250), "Q"),
    (TA, "同步热分析仪", "Simultaneous thermal analyser (TG-DSC)", "STA 449 F5", "NETZSCH",
     "热重与差示扫描量热同步测定，分解温度与组分含量", "TGA, DSC, STA", (100, 250), ""),
    (TA, "差示扫描量热仪", "Differential scanning calorimeter", "DSC 2500", "TA Instruments",
     "玻璃化转变、熔融结晶与比热容测定", "DSC, Tg, crystallinity", (80, 200), ""),
    (TA, "热重分析仪", "Thermogravimetric analyser", "TGA 5500", "TA Instruments",
     "热稳定性、水分和灰分测定", "TGA, thermal stability", (80, 200), ""),
    (TA, "动态热机械分析仪", "Dynamic mechanical analyser", "DMA 850", "TA Instruments",
     "储能模量、损耗因子与温度/频率扫描", "DMA, viscoelasticity", (100, 250), ""),
    (TA, "热膨胀仪", "Dilatometer", "DIL 402 Expedis", "NETZSCH",
     "线膨胀系数、烧结收缩与相变温度", "dilatometry, CTE", (100, 250), ""),
    (TA, "激光导热仪", "Laser flash thermal conductivity analyser", "LFA 467 HyperFlash", "NETZSCH",
     "热扩散系数与导热系数测定，-100~500 ℃", "LFA, thermal conductivity", (200, 400), ""),
    (TA, "锥形量热仪", "Cone calorimeter", "iCone", "Fire Testing Technology",
     "热释放速率、烟释放与材料燃烧性能评价", "cone calorimeter, fire performance", (200, 400), ""),
    (SP, "傅里叶变换红外光谱仪", "Fourier-transform infrared spectrometer", "Nicolet iS50", "Thermo Fisher",
     "有机官能团鉴定，ATR、漫反射与红外显微", "FTIR, ATR, functional groups", (50, 150), ""),
    (SP, "激光共聚焦显微拉曼光谱仪", "Confocal Raman microscope", "LabRAM HR Evolution", "HORIBA",
     "拉曼成像，碳材料与晶型分析，微区成分鉴定", "Raman, mapping, carbon materials", (150, 400), ""),
    (SP, "紫外-可见-近红外分光光度计", "UV-Vis-NIR spectrophotometer", "Lambda 1050+", "PerkinElmer",
     "透过率、反射率与带隙测定，积分球附件", "UV-Vis-NIR, transmittance, band gap", (50, 150), ""),
    (SP, "稳态瞬态荧光光谱仪", "Steady-state and time-resolved fluorescence spectrometer", "FLS1000",
     "Edinburgh Instruments", "荧光发射与激发谱，荧光寿命与量子产率", "fluorescence, lifetime, quantum yield",
     (100, 300), ""),
    (SP, "X射线荧光光谱仪", "X-ray fluorescence spectrometer", "ZSX Primus IV", "Rigaku",
     "无机材料主次量元素快速分析，熔片与压片制样", "XRF, elemental analysis", (100, 300), ""),
    (SP, "电感耦合等离子体发射光谱仪", "Inductively coupled plasma optical emission spectrometer", "Avio 550 Max",
     "PerkinElmer", "金属及合金、土壤与水样中多元素同时测定", "ICP-OES, multi-element", (100, 250), ""),
    (SP, "原子吸收光谱仪", "Atomic absorption spectrometer", "AA-7000", "Shimadzu",
     "火焰与石墨炉法测定重金属元素", "AAS, heavy metals", (60, 150), ""),
    (SP, "电子顺磁共振波谱仪", "Electron paramagnetic resonance spectrometer", "EMXplus", "Bruker",
     "自由基、缺陷与过渡金属离子检测", "EPR, ESR, radicals", (300, 600), ""),
    (MT, "万能材料试验机", "Universal testing machine", "5967", "Instron",
     "拉伸、压缩、弯曲与剥离试验，30 kN，配高低温箱", "tensile, compression, flexural", (80, 200), ""),
    (MT, "微机控制电子万能试验机", "Computer-controlled electronic universal testing machine", "CMT5105", "MTS Systems (China)",
     "金属与非金属材料力学性能，100 kN", "tensile test, GB/T 228.1", (50, 150), ""),
    (MT, "电液伺服疲劳试验机", "Servo-hydraulic fatigue testing system", "Landmark 370.10", "MTS",
     "高低周疲劳、断裂韧性与裂纹扩展速率", "fatigue, fracture toughness", (200, 500), "H"),
    (MT, "摆锤冲击试验机", "Pendulum impact tester", "HIT450P", "ZwickRoell",
     "夏比冲击与低温冲击试验", "Charpy impact", (50, 120), ""),
    (MT, "显微维氏硬度计", "Micro-Vickers hardness tester", "HMV-G31", "Shimadzu",
     "显微硬度与硬化层深度测定", "Vickers hardness", (40, 100), ""),
    (MT, "落锤冲击试验机", "Drop-weight impact tester", "9350", "Instron",
     "复合材料与塑料低速冲击性能", "drop-weight impact, composites", (150, 300), ""),
    (MT, "高温蠕变持久试验机", "High-temperature creep and stress-rupture tester", "RD2-3",
     "Changchun Research Institute for Mechanical Science", "金属材料高温蠕变与持久强度试验", "creep, stress rupture",
     (100, 250), "H"),
    (MT, "纳米压痕仪", "Nanoindenter", "TI 980 TriboIndenter", "Bruker",
     "薄膜与微区硬度、弹性模量和划痕测试", "nanoindentation, scratch", (300, 600), ""),
    (EMC, "3米法电波暗室", "3 m semi-anechoic chamber", "SAC-3", "ETS-Lindgren",
     "辐射发射（RE）与辐射抗扰度（RS），CISPR 32 / GB/T 9254 预测试", "EMC, radiated emission, CISPR 32",
     (800, 1500), "L"),
    (EMC, "10米法电波暗室", "10 m semi-anechoic chamber", "FACT 10", "ETS-Lindgren",
     "整车零部件与大型设备辐射发射测试", "EMC, 10 m chamber, CISPR 25", (1500, 3000), "L"),
    (EMC, "EMI 测试接收机", "EMI test receiver", "ESR26", "Rohde & Schwarz",
     "传导发射与骚扰功率测量，9 kHz~26.5 GHz", "EMI receiver, conducted emission", (200, 400), ""),
    (EMC, "静电放电发生器", "Electrostatic discharge simulator", "NSG 437", "Teseq",
     "接触放电与空气放电抗扰度试验，IEC 61000-4-2", "ESD, IEC 61000-4-2", (80, 200), ""),
    (EMC, "传导抗扰度测试系统", "Conducted immunity test system", "NSG 4070", "Teseq",
     "射频场感应的传导骚扰抗扰度，IEC 61000-4-6", "conducted immunity, IEC 61000-4-6", (150, 300), ""),
    (EMC, "雷击浪涌组合发生器", "Surge and EFT/burst generator", "UCS 500N7", "EM TEST",
     "电快速瞬变脉冲群、浪涌与电压跌落试验", "surge, EFT, dips", (100, 200), ""),
    (MP, "磁控溅射镀膜系统", "Magnetron sputtering system", "PVD 75", "Kurt J. Lesker",
     "金属与氧化物薄膜沉积，直流/射频溅射", "sputtering, thin film, PVD", (200, 500), "L"),
    (MP, "金属3D打印机", "Metal additive manufacturing system (LPBF)", "EOS M 290", "EOS",
     "钛合金、不锈钢与模具钢零件激光选区熔化成形", "3D printing, SLM, LPBF", (500, 1200), "H"),
    (MP, "放电等离子烧结系统", "Spark plasma sintering system", "SPS-211Lx", "Fuji Electronic Industrial",
     "陶瓷、金属与复合材料快速致密化烧结", "SPS, sintering", (300, 600), "L"),
    (MP, "真空热压烧结炉", "Vacuum hot-press sintering furnace", "ZT-40-21Y", "Shanghai Chenhua",
     "粉末冶金与陶瓷材料真空热压烧结", "hot pressing, vacuum furnace", (100, 300), "H"),
    (MP, "同向双螺杆挤出机", "Co-rotating twin-screw extruder", "ZSK 26", "Coperion",
     "塑料改性共混、填充与造粒小试", "compounding, extrusion", (150, 400), "L"),
    (MP, "精密注塑机", "Precision injection moulding machine", "MA1600", "Haitian",
     "标准样条与小批量制品注塑成型", "injection moulding", (100, 250), "L"),
    (MP, "紫外光刻机", "UV mask aligner", "MA6 Gen4", "SUSS MicroTec",
     "微纳器件接触式/接近式光刻，最小线宽 1 μm", "lithography, mask aligner", (200, 500), "Q"),
    (MP, "等离子体增强化学气相沉积系统", "Plasma-enhanced chemical vapour deposition system", "PlasmaPro 100",
     "Oxford Instruments", "氮化硅与氧化硅介质薄膜沉积", "PECVD, dielectric films", (300, 700), "Q"),
    (MP, "原子层沉积系统", "Atomic layer deposition system", "Savannah S200", "Veeco",
     "氧化铝、氧化铪等超薄薄膜原子级精确沉积", "ALD, conformal coating", (300, 600), "L"),
    (SA, "X射线光电子能谱仪", "X-ray photoelectron spectrometer", "ESCALAB Xi+", "Thermo Fisher",
     "表面元素组成与化学态分析，深度剖析", "XPS, chemical state, depth profile", (400, 900), ""),
    (SA, "X射线光电子能谱仪", "X-ray photoelectron spectrometer", "AXIS Supra+", "Kratos",
     "表面化学态分析与 XPS 成像", "XPS, imaging", (400, 900), ""),
    (SA, "原子力显微镜", "Atomic force microscope", "Dimension Icon", "Bruker",
     "纳米级表面形貌、粗糙度与力学性能成像", "AFM, topography, PeakForce", (200, 500), ""),
    (SA, "比表面积及孔径分析仪", "Surface area and porosity analyser", "ASAP 2460", "Micromeritics",
     "BET 比表面积、孔径分布与孔容测定", "BET, porosity, physisorption", (100, 250), "L"),
    (SA, "接触角测量仪", "Contact angle goniometer", "DSA100", "KRÜSS",
     "静态/动态接触角与表面自由能", "contact angle, surface energy", (40, 100), ""),
    (SA, "飞行时间二次离子质谱仪", "Time-of-flight secondary ion mass spectrometer", "TOF.SIMS 5", "IONTOF",
     "表面痕量成分、分子成像与深度剖析", "ToF-SIMS, surface imaging", (800, 1500), "Q"),
    (SA, "白光干涉三维形貌仪", "White-light interferometric profiler", "ContourX-200", "Bruker",
     "三维表面形貌、台阶高度与粗糙度", "3D profilometry, roughness", (100, 250), ""),
    (SA, "激光粒度仪", "Laser diffraction particle size analyser", "Mastersizer 3000", "Malvern Panalytical",
     "粉体与乳液粒径分布，0.01~3500 μm", "particle size, laser diffraction", (60, 150), ""),
    (SA, "纳米粒度及 Zeta 电位分析仪", "Nanoparticle size and zeta potential analyser", "Zetasizer Ultra",
     "Malvern Panalytical", "纳米颗粒粒径、Zeta 电位与分子量", "DLS, zeta potential", (80, 200), ""),
    (LS, "激光扫描共聚焦显微镜", "Confocal laser scanning microscope", "LSM 980", "ZEISS",
     "多通道荧光成像，活细胞成像与三维重构", "confocal, live-cell imaging", (200, 500), "Q"),
    (LS, "流式细胞仪", "Flow cytometer", "CytoFLEX S", "Beckman Coulter",
     "细胞表型、凋亡与细胞周期分析", "flow cytometry, immunophenotyping", (150, 300), ""),
    (LS, "流式细胞分选仪", "Fluorescence-activated cell sorter", "FACSAria III", "BD Biosciences",
     "四路无菌分选，单细胞分选", "cell sorting, FACS", (400, 800), "Q"),
    (LS, "实时荧光定量 PCR 仪", "Real-time PCR system", "QuantStudio 5", "Thermo Fisher",
     "基因表达定量、病原检测与 SNP 分型", "qPCR, gene expression", (50, 150), ""),
    (LS, "多功能酶标仪", "Multimode microplate reader", "Spark", "Tecan",
     "吸光度、荧光、化学发光与时间分辨荧光检测", "microplate reader, ELISA", (50, 120), ""),
    (LS, "超速离心机", "Ultracentrifuge", "Optima XPN-100", "Beckman Coulter",
     "外泌体、病毒与亚细胞组分分离", "ultracentrifugation, exosomes", (80, 200), "L"),
    (LS, "活细胞动态成像分析系统", "Live-cell analysis system", "IncuCyte S3", "Sartorius",
     "培养箱内长时程细胞增殖、迁移与凋亡监测", "live-cell analysis, kinetic imaging", (100, 250), "H"),
    (LS, "小动物活体成像系统", "In-vivo imaging system", "IVIS Spectrum", "PerkinElmer",
     "生物发光与荧光活体成像，肿瘤模型评价", "in-vivo imaging, bioluminescence", (300, 600), "Q"),
    (ENV, "总有机碳分析仪", "Total organic carbon analyser", "TOC-L CPH", "Shimadzu",
     "水样总有机碳与总氮测定", "TOC, TN, water", (50, 120), ""),
    (ENV, "挥发性有机物在线监测系统", "Online VOC monitoring system", "GC-955", "Synspec",
     "厂界与车间 VOCs 连续监测", "VOCs, online monitoring", (100, 250), "H"),
    (ENV, "烟气分析仪", "Flue-gas analyser", "testo 350", "Testo",
     "锅炉与窑炉烟气 O2、CO、NOx、SO2 测定", "flue gas, NOx, SO2", (50, 120), ""),
    (ENV, "原子荧光光度计", "Atomic fluorescence spectrometer", "AFS-9760", "Beijing Haiguang",
     "砷、汞、硒、锑等元素测定", "AFS, arsenic, mercury", (50, 120), ""),
    (ENV, "直接测汞仪", "Direct mercury analyser", "DMA-80 evo", "Milestone",
     "固体与液体样品中汞的直接测定", "mercury, direct analysis", (60, 150), ""),
    (ENV, "高低温湿热试验箱", "Temperature and humidity chamber", "SH-641", "ESPEC",
     "高低温、湿热与温度循环环境可靠性试验", "climatic chamber, reliability", (30, 80), "H"),
    (ENV, "循环腐蚀盐雾试验箱", "Cyclic corrosion salt-spray chamber", "Q-FOG CCT1100", "Q-Lab",
     "中性盐雾、醋酸盐雾与循环腐蚀试验", "salt spray, corrosion, ASTM B117", (30, 80), "H"),
    (ENV, "噪声振动分析仪", "Sound and vibration analyser", "2250", "Brüel & Kjær",
     "产品噪声、声功率与振动测量", "noise, vibration, sound power", (50, 150), ""),
    (MET, "三坐标测量机", "Coordinate measuring machine", "CONTURA 7/10/6", "ZEISS",
     "机械零件尺寸与形位公差检测，扫描测量", "CMM, GD&T", (150, 400), ""),
    (MET, "桥式三坐标测量机", "Bridge coordinate measuring machine", "Global S 9.12.8", "Hexagon",
     "大型箱体与模具的尺寸检测和逆向建模", "CMM, reverse engineering", (150, 400), ""),
    (MET, "工业 CT", "Industrial computed tomography system", "phoenix v|tome|x m 300", "Waygate Technologies",
     "内部缺陷无损检测、孔隙率与壁厚分析", "industrial CT, NDT, porosity", (500, 1200), "L"),
    (MET, "激光跟踪仪", "Laser tracker", "AT960", "Leica Geosystems",
     "大尺寸工件与装配现场测量", "laser tracker, large-volume metrology", (200, 500), ""),
    (MET, "圆度仪", "Roundness measuring instrument", "Talyrond 595H", "Taylor Hobson",
     "圆度、圆柱度与同轴度测量", "roundness, cylindricity", (100, 250), ""),
    (MET, "表面粗糙度轮廓仪", "Surface roughness and contour measuring instrument", "SV-C4500", "Mitutoyo",
     "表面粗糙度与轮廓形状一体化测量", "roughness, contour", (80, 200), ""),
    (MET, "影像测量仪", "Vision measuring system", "Quick Vision Apex", "Mitutoyo",
     "小型精密零件非接触二维尺寸测量", "vision measuring, 2D dimensions", (80, 200), ""),
    (MET, "激光干涉仪", "Laser interferometer", "XL-80", "Renishaw",
     "数控机床定位精度与直线度校准", "laser interferometer, machine calibration", (150, 300), ""),
)
# fmt: on

# (kind, zh, en, unit, (lowest, highest) yuan, (fastest, slowest) days, capabilities, industry tags or () for any)
# fmt: off
SERVICES: tuple[tuple, ...] = (
    ("testing_analysis", "材料成分分析（ICP-OES）", "Elemental composition analysis (ICP-OES)", "sample", (200, 500), (3, 7),
     "金属、合金和矿物中主次量元素测定，出具 CMA 报告", ()),
    ("testing_analysis", "金属材料力学性能检测", "Mechanical testing of metallic materials", "sample", (300, 800), (5, 10),
     "按 GB/T 228.1 拉伸、GB/T 229 冲击和硬度检测", ("hardware", "materials", "auto", "valve", "mould")),
    ("testing_analysis", "纺织品色牢度检测", "Colour-fastness testing of textiles", "sample", (150, 400), (3, 7),
     "耐洗、耐摩擦、耐汗渍和耐光色牢度", ("textile",)),
    ("testing_analysis", "纺织品纤维成分定量分析", "Fibre content analysis of textiles", "sample", (200, 400), (3, 7),
     "按 FZ/T 01057 和 GB/T 2910 鉴别纤维并定量", ("textile",)),
    ("testing_analysis", "电子电器产品 EMC 预测试", "EMC pre-compliance testing of electrical products", "job",
     (3000, 8000), (5, 15), "辐射发射、传导发射、静电和浪涌抗扰度摸底测试", ("electronics", "electrical")),
    ("testing_analysis", "食品中农药残留检测", "Pesticide residue testing in food", "sample", (400, 1200), (5, 10),
     "GB 2763 农药最大残留限量项目，LC-MS/MS 与 GC-MS 多残留筛查", ("food",)),
    ("testing_analysis", "水质全分析", "Full water-quality analysis", "sample", (800, 2000), (7, 14),
     "按 GB 5749 或 GB 3838 检测理化与重金属指标", ("food", "marine", "chem")),
    ("testing_analysis", "五金制品盐雾试验", "Salt-spray testing of hardware", "batch", (500, 1500), (3, 10),
     "中性盐雾与循环腐蚀试验，镀层耐蚀性评价", ("hardware", "valve", "auto", "marine")),
    ("testing_analysis", "锂电池安全性能检测", "Safety testing of lithium batteries", "sample", (2000, 6000), (10, 20),
     "过充、短路、挤压、针刺与热滥用试验", ("battery",)),
    ("testing_analysis", "RoHS 有害物质检测", "RoHS restricted-substance testing", "sample", (300, 800), (3, 7),
     "铅、汞、镉、六价铬、多溴联苯和邻苯二甲酸酯", ("electronics", "electrical")),
    ("testing_analysis", "模具钢金相分析", "Metallographic analysis of die steel", "sample", (200, 500), (3, 7),
     "显微组织、晶粒度、非金属夹杂物评级", ("mould", "hardware")),
    ("testing_analysis", "阀门压力与密封性能检测", "Pressure and seal testing of valves", "sample", (500, 1500), (5, 10),
     "壳体强度、密封和上密封试验", ("valve",)),
    ("testing_analysis", "磁性材料磁性能检测", "Magnetic property testing", "sample", (300, 800), (3, 7),
     "剩磁、矫顽力、最大磁能积与磁导率", ("magnet",)),
    ("testing_analysis", "陶瓷釉料成分与烧成分析", "Glaze composition and firing analysis", "sample", (300, 800), (5, 10),
     "釉料 XRF 成分、烧成收缩与物相分析", ("ceramics",)),
    ("testing_analysis", "药物杂质谱分析", "Impurity profiling of drug substances", "sample", (1500, 4000), (7, 15),
     "HPLC 与 LC-MS 有关物质鉴定与定量", ("chem", "bio")),
    ("testing_analysis", "细胞毒性与生物相容性评价", "Cytotoxicity and biocompatibility testing", "sample",
     (2000, 5000), (14, 30), "按 GB/T 16886 开展医疗器械材料生物学评价", ("bio",)),
    ("research_development", "新材料配方开发", "Formulation development for new materials", "job",
     (50000, 200000), (60, 120), "按企业需求开发高分子、涂料与复合材料配方", ("materials", "chem", "mould")),
    ("research_development", "委托开发（技术攻关）", "Commissioned R&D on a technical bottleneck", "job",
     (100000, 500000), (90, 180), "针对企业共性关键技术难题组织科研团队联合攻关", ()),
    ("research_development", "工艺优化与中试放大", "Process optimisation and pilot scale-up", "job",
     (30000, 150000), (45, 90), "小试到中试的工艺参数优化与放大验证", ("chem", "bio", "food")),
    ("research_development", "激光加工工艺开发", "Laser processing development", "job", (20000, 80000), (30, 60),
     "激光切割、焊接、熔覆与微加工工艺开发", ("laser",)),
    ("research_development", "智能制造产线诊断", "Smart-manufacturing line assessment", "job", (10000, 40000), (20, 45),
     "产线数字化水平评估与改造方案", ("hardware", "electrical", "textile", "auto")),
    ("design", "工业产品外观设计", "Industrial product design", "job", (10000, 50000), (20, 45),
     "产品造型、人机工程与 CMF 设计", ("hardware", "electrical", "electronics")),
    ("design", "结构设计与仿真分析", "Structural design and FEA simulation", "job", (8000, 30000), (15, 30),
     "有限元强度、热与流体仿真，结构优化", ("hardware", "auto", "valve", "mould", "marine")),
    ("design", "面料花型创意设计", "Fabric pattern design", "job", (2000, 8000), (7, 20),
     "流行趋势研究、花型设计与打样", ("textile",)),
    ("design", "模具设计与模流分析", "Mould design and mould-flow analysis", "job", (10000, 40000), (15, 30),
     "注塑模具结构设计与 Moldflow 分析", ("mould",)),
    ("standards_information", "标准查询与解读", "Standards search and interpretation", "job", (500, 2000), (3, 7),
     "国内外产品标准检索、条款解读与差异比对", ()),
    ("standards_information", "企业标准制定辅导", "Support for drafting enterprise standards", "job", (5000, 20000),
     (20, 40), "企业标准与团体标准起草、验证和发布辅导", ()),
    ("standards_information", "产业技术情报分析", "Industry technology intelligence report", "job", (5000, 20000),
     (15, 30), "产业技术路线、竞争格局与专利态势分析报告", ()),
    ("standards_information", "技术性贸易壁垒（TBT）预警", "Technical barriers to trade (TBT) alerts", "job",
     (2000, 8000), (5, 15), "出口目标市场法规与标准更新预警", ("electrical", "hardware", "textile")),
    ("technology_search", "科技查新（国内）", "Domestic technology novelty search", "job", (800, 1500), (5, 10),
     "科研立项、成果鉴定与奖励申报查新", ()),
    ("technology_search", "科技查新（国内外）", "Domestic and international novelty search", "job", (1500, 3000), (7, 15),
     "检索中外文献与专利，出具查新报告", ()),
    ("technology_search", "专利查新检索", "Patent novelty search", "job", (1000, 3000), (5, 10),
     "申请前专利新颖性与创造性检索", ()),
    ("training", "大型仪器操作培训", "Instrument operation training", "batch", (500, 1500), (1, 5),
     "电镜、色谱、质谱等仪器上机操作与数据分析培训", ()),
    ("training", "检测实验室质量管理（CNAS）培训", "Laboratory quality management (CNAS) training", "batch",
     (2000, 5000), (2, 5), "ISO/IEC 17025 体系文件、内审与能力验证", ()),
    ("training", "企业研发人员技能培训", "Skills training for enterprise R&D staff", "batch", (3000, 8000), (2, 7),
     "试验设计、数据分析与研发项目管理", ()),
    ("ip_services", "专利代理（发明专利申请）", "Patent agency: invention patent application", "job", (5000, 10000),
     (20, 45), "技术交底、权利要求撰写与审查意见答复", ()),
    ("ip_services", "专利分析评估", "Patent analysis and valuation", "job", (8000, 30000), (15, 30),
     "专利价值评估、布局分析与稳定性分析", ()),
    ("ip_services", "专利质押融资辅导", "Support for patent-pledge financing", "job", (3000, 10000), (15, 30),
     "质押专利筛选、评估对接与登记办理", ()),
    ("ip_services", "专利保险咨询", "Patent insurance consulting", "job", (1000, 3000), (5, 10),
     "专利执行险、侵权责任险方案咨询", ()),
    ("ip_services", "专利纠纷咨询", "Patent dispute consulting", "hour", (500, 1500), (1, 3),
     "侵权判定、无效宣告与维权策略咨询", ()),
    ("technology_assessment", "科技成果评价", "Evaluation of technological achievements", "job", (10000, 30000),
     (20, 40), "组织专家对科技成果的创新性、成熟度与应用前景进行评价", ()),
    ("technology_assessment", "技术成熟度评估", "Technology readiness level assessment", "job", (5000, 20000), (15, 30),
     "按技术就绪水平（TRL）评估项目成熟度", ()),
    ("technology_assessment", "高新技术企业认定辅导", "Support for high-tech enterprise certification", "job",
     (5000, 20000), (20, 40), "知识产权、研发组织管理与财务指标梳理", ()),
    ("technology_assessment", "研发费用归集辅导", "Guidance on R&D expense accounting", "job", (3000, 10000), (10, 20),
     "研发项目信息管理与研发费用加计扣除归集", ()),
    ("incubation", "孵化场地与创业辅导", "Incubation space and start-up mentoring", "job", (2000, 10000), (30, 90),
     "办公与中试场地、工商财税代办和创业辅导", ()),
    ("incubation", "创业导师辅导", "Start-up mentoring", "hour", (300, 1000), (1, 3),
     "商业计划、产品定位与团队建设辅导", ()),
    ("incubation", "投融资对接", "Investment matchmaking", "job", (5000, 20000), (30, 60),
     "路演组织、投资机构对接与尽调辅导", ()),
)
# fmt: on

SERVICE_KINDS_BY_PROVIDER = {
    "university": ("testing_analysis", "research_development", "technology_search", "training"),
    "institute": ("testing_analysis", "research_development", "technology_assessment", "standards_information"),
    "innovation_complex": (
        "testing_analysis",
        "design",
        "standards_information",
        "training",
        "ip_services",
        "research_development",
    ),
    "key_lab": ("research_development", "testing_analysis"),
    "incubator": ("incubation", "ip_services", "training", "technology_assessment"),
}
# the first service of the n-th provider of a kind is of the n-th kind here (round robin), so they vary
FIRST_SERVICE_KINDS = {
    "university": ("testing_analysis", "technology_search", "training", "research_development"),
    "institute": ("research_development", "testing_analysis", "technology_assessment", "standards_information"),
    "innovation_complex": ("testing_analysis", "design", "standards_information", "ip_services", "training", "design"),
    "key_lab": ("research_development",),
    "incubator": ("incubation",),
}
SERVICES_PER_PROVIDER = {
    "university": (1, 2),
    "institute": (1, 2),
    "innovation_complex": (1, 2),
    "key_lab": (1, 1),
    "incubator": (1, 2),
}

BUILDINGS = {
    EM: ("分析测试中心大楼", "材料楼"),
    XRD: ("分析测试中心大楼", "材料楼"),
    MS: ("化学楼", "分析测试中心大楼"),
    LC: ("化学楼", "分析测试中心大楼"),
    NMR: ("核磁共振实验楼", "化学楼"),
    TA: ("材料楼", "分析测试中心大楼"),
    SP: ("分析测试中心大楼", "物理楼"),
    MT: ("力学实验楼", "工程训练中心"),
    EMC: ("电磁兼容实验楼", "信息楼"),
    MP: ("微纳加工平台", "材料楼"),
    SA: ("分析测试中心大楼", "材料楼"),
    LS: ("生命科学楼", "医学楼"),
    ENV: ("环境楼", "分析测试中心大楼"),
    MET: ("计量楼", "工程训练中心"),
}
OTHER_BUILDINGS = ("检测中心", "综合楼", "中试基地", "公共技术服务平台")

# city -> (share of the 300 demo enterprises, industries as (trade name, typical target group))
ENTERPRISE_CITIES: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {
    "杭州": (60, (("智能科技", "high_tech"), ("信息技术", "tech_sme"), ("生物医药", "rnd_institute"),
                  ("数字科技", "incubated"), ("网络科技", "tech_sme"), ("新材料", "high_tech"))),
    "宁波": (45, (("新材料", "high_tech"), ("模具", "traditional_upgrade"), ("电器", "tech_sme"),
                  ("汽车零部件", "rnd_institute"), ("磁业", "high_tech"))),
    "温州": (35, (("电气", "high_tech"), ("鞋业", "traditional_upgrade"), ("激光科技", "incubated"),
                  ("阀门", "tech_sme"), ("汽摩配件", "traditional_upgrade"))),
    "嘉兴": (25, (("经编", "traditional_upgrade"), ("光伏科技", "high_tech"), ("新材料", "tech_sme"),
                  ("智能装备", "incubated"))),
    "湖州": (18, (("新能源", "high_tech"), ("电梯", "rnd_institute"), ("木业", "traditional_upgrade"),
                  ("生物科技", "tech_sme"))),
    "绍兴": (28, (("纺织", "traditional_upgrade"), ("印染", "traditional_upgrade"), ("袜业", "tech_sme"),
                  ("化纤", "high_tech"), ("集成电路", "incubated"))),
    "金华": (28, (("五金", "traditional_upgrade"), ("电动工具", "tech_sme"), ("磁性材料", "high_tech"),
                  ("汽车", "rnd_institute"))),
    "衢州": (12, (("氟硅材料", "high_tech"), ("化工", "rnd_institute"), ("特种纸业", "traditional_upgrade"))),
    "舟山": (8, (("船舶", "traditional_upgrade"), ("海洋生物", "tech_sme"), ("水产食品", "tech_sme"))),
    "台州": (30, (("模具", "traditional_upgrade"), ("医药化工", "rnd_institute"), ("缝制设备", "high_tech"),
                  ("汽车零部件", "tech_sme"), ("泵业", "traditional_upgrade"))),
    "丽水": (11, (("青瓷", "traditional_upgrade"), ("合成革", "traditional_upgrade"), ("半导体", "incubated"),
                  ("竹木制品", "tech_sme"))),
}  # fmt: skip
TRADE_WORDS = "华鑫恒瑞博创精越新宏泰康美科达盛源汇诚联信德正天海金光明江睿智拓远航卓凯捷晶聚合众安丰伟嘉亿迪"
COMPANY_SUFFIXES = (("有限公司", 70), ("股份有限公司", 22), ("集团有限公司", 8))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余叶程魏苏吕丁沈姚卢钟陆汪金"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国晓燕文斌宇浩凯俊峰婷雪琳欣怡晨阳"


def build_plan(seed: int = SEED) -> DemoPlan:
    """The whole demo province from one seed; pure (no clock, no database)."""
    rng = random.Random(seed)
    providers = []
    ordinals: dict[str, int] = {}
    for row in PROVIDERS:
        key, kind, city, county, name, name_en, street, categories, size, tags, focus = row
        city_code = _CITY_CODE[city]
        ordinal = ordinals[kind] = ordinals.get(kind, -1) + 1
        contact = _person(rng)
        phone = f"{AREA_CODES[city_code]}-{rng.randint(8000_0000, 8999_9999)}"
        instruments = _instruments(rng, kind, categories, size, contact, phone)
        providers.append(
            ProviderSpec(
                key=key,
                name=name,
                name_en=name_en,
                kind=kind,
                city_code=city_code,
                county=county,
                address=f"浙江省{city}市{county}{street}",
                contact_name=contact,
                contact_phone=phone,
                contact_email=f"{key}.openlab@example.cn",
                description=_provider_description(kind, name, city, focus),
                instruments=instruments,
                services=_services(rng, kind, ordinal, name, tags),
            )
        )
    return DemoPlan(providers=tuple(providers), enterprises=_enterprises(rng))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _provider_description(kind: str, name: str, city: str, focus: str) -> str:
    if kind == "innovation_complex":
        return (
            f"省级产业创新服务综合体，{focus}，为企业提供创意设计、研究开发、检验检测、标准信息、"
            "成果推广、创业孵化和教育培训等全流程创新服务。"
        )
    if kind == "incubator":
        return f"{city}市科技企业孵化器，{focus}，为入驻企业提供场地、公共仪器、创业辅导和投融资对接。"
    if kind == "key_lab":
        return f"省级重点实验室，研究方向为{focus}，向企业开放仪器设备并承接技术攻关。"
    return f"{name}，{focus}，参与科技服务企业“百千万”行动，面向全省企业开放科研设施与仪器和实验室服务。"


def _instruments(
    rng: random.Random, kind: str, categories: tuple[str, ...], size: tuple[int, int], contact: str, phone: str
) -> tuple[InstrumentSpec, ...]:
    pool = [t for t in INSTRUMENTS if t[0] in categories]
    count = min(rng.randint(*size), len(pool))
    chosen = sorted(rng.sample(range(len(pool)), count))  # catalogue order: grouped by category
    academic = kind in ("university", "institute", "key_lab")
    return tuple(_instrument(rng, pool[i], academic, contact, phone) for i in chosen)


def _instrument(rng: random.Random, template: tuple, academic: bool, contact: str, phone: str) -> InstrumentSpec:
    category, zh, en, model, maker, capability, keywords, (lo, hi), flags = template
    step = 50 if hi >= 1000 else 10
    external_yuan = rng.randrange(lo, hi + 1, step)
    internal_yuan = max(step, external_yuan * rng.choice((50, 60, 70, 80)) // 100 // step * step)
    building = rng.choice(BUILDINGS[category] if academic else OTHER_BUILDINGS)
    wing = f"{rng.choice('ABC')}座" if rng.random() < 0.3 else ""
    location = f"{building}{wing} {rng.randint(1, 5)}{rng.randint(1, 20):02d}室"
    roll = rng.random()
    status = "retired" if roll < 0.03 else "maintenance" if roll < 0.08 else "active"
    year = rng.randint(2012, 2024)
    voucher = rng.random() < 0.9
    qualification = "Q" in flags or category == NMR
    if "H" in flags:  # runs unattended for days: open around the clock, long sessions
        hours = tuple((d, "00:00", "24:00") for d in range(7))
        slot, minimum = 60, 60
        maximum = rng.choice((1440, 2880, 4320))
        buffer = 30
        notice = rng.choice((1440, 2880))
    else:
        pattern = rng.random()
        weekdays = [(d, "08:30", "12:00") for d in range(5)] + [(d, "13:30", "17:30") for d in range(5)]
        if pattern < 0.2:
            weekdays.append((5, "08:30", "12:00"))  # Saturday mornings
        elif pattern < 0.3:
            weekdays = [(d, "08:00", "20:00") for d in range(5)]  # extended weekday hours, staffed in shifts
        hours = tuple(sorted(weekdays))
        slot = 60 if "L" in flags or external_yuan >= 800 else rng.choice((30, 30, 60))
        minimum = slot * (2 if "L" in flags else 1)
        maximum = 480 if "L" in flags else rng.choice((120, 240, 240, 480))
        buffer = rng.choice((15, 30)) if qualification else rng.choice((0, 0, 0, 10, 15, 30))
        notice = rng.choice((120, 120, 240, 720, 1440, 2880))
    description = (
        f"{year}年购置。{'可使用创新券抵扣测试费用。' if voucher else '暂不支持创新券。'}"
        f"设备负责人：{contact}，电话 {phone}。" + ("首次使用须参加上机培训并通过考核。" if qualification else "")
    )
    return InstrumentSpec(
        name=zh,
        name_en=en,
        model=model,
        manufacturer=maker,
        category=category,
        capabilities=f"{capability}。Keywords: {keywords}",
        location=location,
        description=description,
        status=status,
        price_internal_fen=internal_yuan * 100,
        price_external_fen=external_yuan * 100,
        voucher_eligible=voucher,
        opening_hours=hours,
        slot_minutes=slot,
        min_minutes=minimum,
        max_minutes=maximum,
        buffer_minutes=buffer,
        min_notice_minutes=notice,
        max_days_ahead=rng.choice((30, 60, 60, 90)),
        approval_required=qualification or rng.random() < 0.8,
        qualification_required=qualification,
        weekly_quota_minutes=rng.choice((480, 960)) if rng.random() < 0.15 else None,
        monthly_quota_minutes=rng.choice((1920, 2880)) if rng.random() < 0.08 else None,
        max_future_bookings=rng.choice((3, 5)) if rng.random() < 0.15 else None,
        cancel_deadline_hours=rng.choice((12, 24, 24, 48)),
    )


def _services(
    rng: random.Random, kind: str, ordinal: int, provider_name: str, tags: tuple[str, ...]
) -> tuple[ServiceSpec, ...]:
    """One service of the provider's turn in FIRST_SERVICE_KINDS, then others drawn from the kinds
    such providers usually offer that suit its industries."""
    kinds = SERVICE_KINDS_BY_PROVIDER[kind]
    pool = [t for t in SERVICES if t[0] in kinds and (not t[7] or set(t[7]) & set(tags))]
    primary = FIRST_SERVICE_KINDS[kind][ordinal % len(FIRST_SERVICE_KINDS[kind])]
    first = [i for i, t in enumerate(pool) if t[0] == primary]
    picked = [rng.choice(first)] if first else []
    rest = [i for i in range(len(pool)) if i not in picked]
    count = min(rng.randint(*SERVICES_PER_PROVIDER[kind]), len(pool))
    picked += rng.sample(rest, count - len(picked))
    specs = []
    for i in sorted(picked):
        service_kind, zh, en, unit, (lo, hi), (fast, slow), capability, _tags = pool[i]
        step = 1000 if hi >= 20000 else 100 if hi >= 2000 else 50
        price_yuan = rng.randrange(lo, hi + 1, step)
        internal_yuan = max(step, price_yuan * rng.choice((60, 70, 80)) // 100 // step * step)
        days = rng.randint(fast, slow)
        per_sample = unit == "sample"
        capacity = rng.choice((8, 10, 12, 16, 20, 30)) if per_sample else rng.choice((1, 2, 3))
        report_days = max(1, min(10, days // 2))
        specs.append(
            ServiceSpec(
                name=zh,
                name_en=en,
                kind=service_kind,
                capabilities=capability,
                description=f"在线下单后送样或提交需求至{provider_name}，约{days}个工作日交付。",
                unit=unit,
                price_internal_fen=internal_yuan * 100,
                price_external_fen=price_yuan * 100,
                turnaround_days=report_days,
                voucher_eligible=service_kind != "incubation" and rng.random() < 0.9,
                status="retired" if rng.random() < 0.03 else "active",
                min_samples=1,
                max_samples=rng.choice((20, 50, 100)) if per_sample else rng.choice((1, 3, 5)),
                daily_capacity=capacity,
                sample_requirements=SAMPLE_REQUIREMENTS.get(service_kind, "") if per_sample else "",
                hazardous_accepted=per_sample and service_kind == "testing_analysis" and rng.random() < 0.3,
            )
        )
    return tuple(specs)


def _enterprises(rng: random.Random) -> tuple[EnterpriseSpec, ...]:
    counties = {zh: [c for c, _ in cs] for zh, _en, _code, cs in CITIES}
    suffixes, weights = zip(*COMPANY_SUFFIXES, strict=True)
    categories = list(ENTERPRISE_CATEGORIES)
    names: set[str] = set()
    codes: set[str] = set()
    specs = []
    for city, (count, industries) in ENTERPRISE_CITIES.items():
        city_code = _CITY_CODE[city]
        for _ in range(count):
            trade, typical = rng.choice(industries)
            name = ""
            while not name or name in names:
                brand = "".join(rng.sample(TRADE_WORDS, 2))
                name = f"{city}{brand}{trade}{rng.choices(suffixes, weights)[0]}"
            names.add(name)
            code = ""
            while not code or code in codes:
                code = uscc.generate(rng, city_code)
            codes.add(code)
            # half follow the city's typical target group for the trade, half are spread over all five
            category = typical if rng.random() < 0.5 else rng.choice(categories)
            specs.append(EnterpriseSpec(name, code, city_code, rng.choice(counties[city]), category))
    return tuple(specs)


# ------------------------------------------------------------------------------------- operation


@dataclass(frozen=True)
class SeedResult:
    seeded: bool  # False when the database already had providers and nothing was added
    providers: int
    instruments: int
    services: int
    enterprises: int
    users: int


def seed_demo(seed: int = SEED) -> SeedResult:
    """Add the demo province and its logins in one flush, unless the database has providers already.

    Enterprises whose credit code and logins whose e-mail already exist are left alone."""
    ensure_regions()
    if db.session.execute(select(Provider.id).limit(1)).first() is not None:
        return SeedResult(False, *_counts())
    plan = build_plan(seed)
    regions = list(db.session.execute(select(Region)).scalars())
    cities = {r.code: r for r in regions if r.level == "city"}
    counties = {(r.parent.code, r.name): r for r in regions if r.level == "county"}

    rows: list = []
    providers: dict[str, Provider] = {}
    for p in plan.providers:
        provider = Provider(
            name=p.name,
            name_en=p.name_en,
            kind=p.kind,
            region=counties[(p.city_code, p.county)],
            city=cities[p.city_code],
            address=p.address,
            contact_name=p.contact_name,
            contact_phone=p.contact_phone,
            contact_email=p.contact_email,
            description=p.description,
        )
        providers[p.key] = provider
        rows.append(provider)
        for i in p.instruments:
            values = {k: v for k, v in vars(i).items() if k != "opening_hours"}
            rows.append(Instrument(provider=provider, opening_hours=[list(r) for r in i.opening_hours], **values))
        rows.extend(LabService(provider=provider, **vars(s)) for s in p.services)

    taken = set(db.session.execute(select(Enterprise.uscc)).scalars())
    enterprises = [
        Enterprise(
            name=e.name,
            uscc=e.uscc,
            region=counties[(e.city_code, e.county)],
            city=cities[e.city_code],
            category=e.category,
        )
        for e in plan.enterprises
        if e.uscc not in taken
    ]
    rows.extend(enterprises)
    users = _demo_users(
        providers, rows, enterprises[0], cities[CITY_ADMIN_CITY], counties[(CITY_ADMIN_CITY, COUNTY_ADMIN_COUNTY)]
    )
    rows.extend(users)
    rows.extend(_demo_qualifications(users, providers[MANAGER_PROVIDER], rows))
    db.session.add_all(rows)
    db.session.flush()
    return SeedResult(True, *_counts())


def _demo_users(
    providers: dict[str, Provider], rows: list, enterprise: Enterprise, city: Region, county: Region
) -> list[User]:
    existing = set(db.session.execute(select(User.email)).scalars())
    second = providers[MANAGER2_PROVIDER]
    instruments = [r for r in rows if isinstance(r, Instrument) and r.provider is second and r.status == "active"]
    services = [r for r in rows if isinstance(r, LabService) and r.provider is second]
    extra = {
        "enterprise@demo.bwq": {"enterprise": enterprise, "membership": "active"},
        "manager@demo.bwq": {"provider": providers[MANAGER_PROVIDER], "manages_all": True},
        "manager2@demo.bwq": {
            "provider": second,
            "manages_all": False,
            "instruments": instruments[:3],
            "services": services[:1],
        },
        "city@demo.bwq": {"city": city},
        "county@demo.bwq": {"city": city, "county": county},
        "admin@demo.bwq": {},
    }
    users = []
    for login in DEMO_LOGINS:
        if login.email in existing:
            continue
        user = User(email=login.email, name=login.name, role=login.role, **extra[login.email])
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    return users


def _demo_qualifications(users: list[User], provider: Provider, rows: list) -> list[Qualification]:
    """The demo enterprise user may operate the demo manager's instruments that need a
    qualification (TEM, NMR, ...), so every kind of booking can be tried with the demo logins."""
    booker = next((u for u in users if u.email == "enterprise@demo.bwq"), None)
    if booker is None:
        return []
    return [
        Qualification(user=booker, instrument=r, note="演示数据 demo")
        for r in rows
        if isinstance(r, Instrument) and r.provider is provider and r.qualification_required
    ]


def _counts() -> tuple[int, int, int, int, int]:
    return tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Provider, Instrument, LabService, Enterprise, User)
    )


def demo_logins_present() -> list[tuple[DemoLogin, User]]:
    """The demo logins that exist in this database, with their users (to print after seeding)."""
    emails = [login.email for login in DEMO_LOGINS]
    users = {u.email: u for u in db.session.execute(select(User).where(User.email.in_(emails))).scalars()}
    return [(login, users[login.email]) for login in DEMO_LOGINS if login.email in users]
