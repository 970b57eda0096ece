"""Instrument search benchmark (a plain script, not a test): 20,000 instruments in 11 cities.

    .venv/bin/python bench/bench_search.py [--instruments 20000] [--db sqlite|postgresql|both]

Builds a migrated scratch database (SQLite file, or a scratch PostgreSQL database at
BWQ_BENCH_PG), fills it with instruments made from ~40 real-looking templates (names, models,
makers, capabilities) spread over 220 providers, then times ``search_instruments`` — the whole
operation: vocabulary expansion, the index queries, filters, ranking, and loading the page of 20
with providers and cities — for typical queries. Prints best and median of the repeats and, as
the floor measured in the same run, one primary-key read of an instrument.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BWQ_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")

TEMPLATES = [
    (
        "场发射扫描电子显微镜",
        "Field-emission scanning electron microscope",
        "SU8010",
        "Hitachi",
        "electron_microscopy",
        "高分辨形貌观察，能谱（EDS）元素面扫描 FE-SEM morphology",
    ),
    (
        "场发射扫描电子显微镜",
        "Field-emission scanning electron microscope",
        "Gemini 300",
        "ZEISS",
        "electron_microscopy",
        "低电压高分辨成像 EBSD",
    ),
    (
        "透射电子显微镜",
        "Transmission electron microscope",
        "Talos F200X",
        "Thermo Fisher",
        "electron_microscopy",
        "高分辨透射成像 STEM-HAADF TEM HRTEM",
    ),
    (
        "场发射透射电子显微镜",
        "Field-emission transmission electron microscope",
        "JEM-2100F",
        "JEOL",
        "electron_microscopy",
        "高分辨晶格像、电子衍射 TEM",
    ),
    (
        "X射线衍射仪",
        "X-ray diffractometer",
        "D8 Advance",
        "Bruker",
        "xray_diffraction",
        "粉末物相定性定量分析 XRD Rietveld",
    ),
    (
        "多功能X射线衍射仪",
        "Multipurpose X-ray diffractometer",
        "Empyrean",
        "Malvern Panalytical",
        "xray_diffraction",
        "物相分析、残余应力 XRD texture",
    ),
    (
        "X射线光电子能谱仪",
        "X-ray photoelectron spectrometer",
        "K-Alpha",
        "Thermo Fisher",
        "surface_analysis",
        "表面元素化学态分析 XPS",
    ),
    (
        "液相色谱-质谱联用仪",
        "Liquid chromatography–mass spectrometer",
        "6546 Q-TOF",
        "Agilent",
        "mass_spectrometry",
        "精确质量数测定 LC-MS Q-TOF",
    ),
    (
        "三重四极杆液质联用仪",
        "Triple-quadrupole LC-MS/MS",
        "QTRAP 6500+",
        "SCIEX",
        "mass_spectrometry",
        "痕量目标物定量 LC-MS/MS MRM",
    ),
    (
        "气相色谱-质谱联用仪",
        "Gas chromatograph–mass spectrometer",
        "8890-5977B",
        "Agilent",
        "mass_spectrometry",
        "挥发性有机物 GC-MS VOCs",
    ),
    (
        "电感耦合等离子体质谱仪",
        "Inductively coupled plasma mass spectrometer",
        "7900",
        "Agilent",
        "mass_spectrometry",
        "痕量金属元素 ICP-MS",
    ),
    ("气相色谱仪", "Gas chromatograph", "GC-2030", "Shimadzu", "chromatography", "有机溶剂残留 GC FID"),
    (
        "高效液相色谱仪",
        "High-performance liquid chromatograph",
        "1260 Infinity II",
        "Agilent",
        "chromatography",
        "药物含量与有关物质 HPLC",
    ),
    ("离子色谱仪", "Ion chromatograph", "Dionex ICS-6000", "Thermo Fisher", "chromatography", "水质阴阳离子 IC"),
    ("400MHz 核磁共振波谱仪", "400 MHz NMR spectrometer", "AVANCE NEO 400", "Bruker", "nmr", "1H 13C 二维谱 NMR"),
    ("500MHz 核磁共振波谱仪", "500 MHz NMR spectrometer", "JNM-ECZ500R", "JEOL", "nmr", "有机化合物结构鉴定 NMR"),
    (
        "同步热分析仪",
        "Simultaneous thermal analyser (TG-DSC)",
        "STA 449 F5",
        "NETZSCH",
        "thermal_analysis",
        "热重与差示扫描量热 TGA DSC",
    ),
    (
        "差示扫描量热仪",
        "Differential scanning calorimeter",
        "DSC 2500",
        "TA Instruments",
        "thermal_analysis",
        "玻璃化转变 DSC",
    ),
    (
        "傅里叶变换红外光谱仪",
        "Fourier-transform infrared spectrometer",
        "Nicolet iS50",
        "Thermo Fisher",
        "spectroscopy",
        "有机官能团鉴定 FTIR ATR",
    ),
    (
        "激光共聚焦显微拉曼光谱仪",
        "Confocal Raman microscope",
        "LabRAM HR Evolution",
        "HORIBA",
        "spectroscopy",
        "拉曼成像 Raman mapping",
    ),
    (
        "紫外-可见-近红外分光光度计",
        "UV-Vis-NIR spectrophotometer",
        "Lambda 1050+",
        "PerkinElmer",
        "spectroscopy",
        "透过率、反射率 UV-Vis-NIR",
    ),
    (
        "电感耦合等离子体发射光谱仪",
        "ICP optical emission spectrometer",
        "Avio 550 Max",
        "PerkinElmer",
        "spectroscopy",
        "多元素同时测定 ICP-OES",
    ),
    ("原子吸收光谱仪", "Atomic absorption spectrometer", "AA-7000", "Shimadzu", "spectroscopy", "重金属元素 AAS"),
    (
        "万能材料试验机",
        "Universal testing machine",
        "5967",
        "Instron",
        "mechanical_testing",
        "拉伸、压缩、弯曲 tensile",
    ),
    (
        "电液伺服疲劳试验机",
        "Servo-hydraulic fatigue testing system",
        "Landmark 370.10",
        "MTS",
        "mechanical_testing",
        "高低周疲劳 fatigue",
    ),
    (
        "显微维氏硬度计",
        "Micro-Vickers hardness tester",
        "HMV-G31",
        "Shimadzu",
        "mechanical_testing",
        "显微硬度 Vickers",
    ),
    ("3米法电波暗室", "3 m semi-anechoic chamber", "SAC-3", "ETS-Lindgren", "emc", "辐射发射 EMC CISPR 32"),
    ("EMI 测试接收机", "EMI test receiver", "ESR26", "Rohde & Schwarz", "emc", "传导发射 EMI receiver"),
    ("原子力显微镜", "Atomic force microscope", "Dimension Icon", "Bruker", "surface_analysis", "表面形貌 AFM"),
    (
        "激光粒度分析仪",
        "Laser diffraction particle size analyser",
        "Mastersizer 3000",
        "Malvern Panalytical",
        "materials_processing",
        "粒度分布 particle size",
    ),
    (
        "比表面积及孔径分析仪",
        "Surface area and porosity analyser",
        "ASAP 2460",
        "Micromeritics",
        "materials_processing",
        "BET 比表面 孔径分布",
    ),
    ("流式细胞仪", "Flow cytometer", "CytoFLEX", "Beckman Coulter", "life_science", "细胞表型分析 flow cytometry"),
    ("实时荧光定量PCR仪", "Real-time PCR system", "CFX96", "Bio-Rad", "life_science", "基因表达 qPCR"),
    (
        "激光共聚焦显微镜",
        "Confocal laser scanning microscope",
        "LSM 980",
        "ZEISS",
        "life_science",
        "活细胞成像 confocal",
    ),
    ("三坐标测量机", "Coordinate measuring machine", "CONTURA", "ZEISS", "metrology", "几何尺寸 CMM"),
    ("水质自动监测站", "Automatic water-quality station", "WQ-100", "Hach", "environmental", "在线监测 COD 氨氮"),
]
QUERIES = ["电镜", "透射电镜", "SEM", "蔡司", "Thermo Fisher", "液质", "核磁", "XRD", "蔡司 电镜", "粒度分布", ""]


def make_database(kind: str):
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="bwq-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", folder, lambda: shutil.rmtree(folder, ignore_errors=True)
    import psycopg

    name = f"bwq_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    folder = tempfile.mkdtemp(prefix="bwq-bench-")

    def drop():
        shutil.rmtree(folder, ignore_errors=True)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, folder, drop


def fill(app, n: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument, Provider, Region, reindex_search
    from bwq_lab.operations.regions import ensure_regions

    rng = random.Random(7)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        ensure_regions()
        db.session.commit()
        cities = db.session.execute(select(Region).where(Region.level == "city")).scalars().all()
        providers = []
        for k in range(220):
            city = cities[k % len(cities)]
            providers.append(
                {
                    "name": f"{city.name}第{k}检测中心",
                    "name_en": f"{city.name_en} Testing Centre {k}",
                    "kind": "institute",
                    "region_id": city.children[0].id,
                    "city_id": city.id,
                }
            )
        db.session.execute(insert(Provider), providers)
        provider_ids = db.session.execute(select(Provider.id)).scalars().all()
        rows = []
        for k in range(n):
            name, name_en, model, maker, category, caps = rng.choice(TEMPLATES)
            rows.append(
                {
                    "provider_id": rng.choice(provider_ids),
                    "name": name,
                    "name_en": name_en,
                    "model": model,
                    "manufacturer": maker,
                    "category": category,
                    "capabilities": caps,
                    "description": f"{name}，对外开放共享，编号 {k}。",
                    "status": "active" if k % 20 else "maintenance",
                    "price_external_fen": rng.randrange(50, 3000) * 100,
                }
            )
        db.session.execute(insert(Instrument), rows)  # bulk: no ORM events, so index once below
        reindex_search(db.session.connection())
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does within a minute
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")


def measure(app, repeats: int) -> None:
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument
    from bwq_lab.operations.catalogue import search_instruments

    with app.test_request_context("/"):
        first = db.session.execute(select(Instrument.id).limit(1)).scalar_one()

        def floor():
            db.session.get(Instrument, first)
            db.session.expunge_all()

        def timed(fn) -> tuple[float, float, object]:
            times = []
            result = None
            for _ in range(repeats):
                t0 = time.perf_counter()
                result = fn()
                times.append((time.perf_counter() - t0) * 1000)
                db.session.expunge_all()
            return min(times), statistics.median(times), result

        best, median, _ = timed(floor)
        print(f"  {'floor: one primary-key read':34s} best {best:6.2f} ms  median {median:6.2f} ms")
        for q in QUERIES:
            best, median, page = timed(lambda q=q: search_instruments(q=q, per_page=20))
            label = f"q={q!r}"
            print(f"  {label:34s} best {best:6.2f} ms  median {median:6.2f} ms  ({page.total} found)")
        best, median, page = timed(lambda: search_instruments(q="电镜", sort="city", near_city_id=None))
        print(f"  {'q=电镜 sort=city':34s} best {best:6.2f} ms  median {median:6.2f} ms  ({page.total} found)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instruments", type=int, default=20_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for kind in kinds:
        url, folder, drop = make_database(kind)
        try:
            os.environ["BWQ_DATABASE_URL"] = url
            os.environ["BWQ_INSTANCE_PATH"] = folder
            from bwq_lab.factory import create_app

            app = create_app()
            t0 = time.perf_counter()
            fill(app, args.instruments)
            print(f"{kind}: {args.instruments} instruments loaded and indexed in {time.perf_counter() - t0:.1f} s")
            measure(app, args.repeats)
            with app.app_context():
                from bwq_lab.extensions import db

                db.engine.dispose()
        finally:
            drop()


if __name__ == "__main__":
    main()
