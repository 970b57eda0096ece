"""The programme's vocabulary: instrument categories, lab-service kinds, provider kinds,
enterprise target groups, and instrument statuses. Each entry: code -> (zh, en)."""

from __future__ import annotations

INSTRUMENT_CATEGORIES: dict[str, tuple[str, str]] = {
    "electron_microscopy": ("电子显微镜", "Electron microscopy"),
    "xray_diffraction": ("X射线衍射", "X-ray diffraction"),
    "mass_spectrometry": ("质谱", "Mass spectrometry"),
    "chromatography": ("色谱", "Chromatography"),
    "nmr": ("核磁共振", "NMR spectroscopy"),
    "thermal_analysis": ("热分析", "Thermal analysis"),
    "spectroscopy": ("光谱", "Spectroscopy"),
    "mechanical_testing": ("力学性能测试", "Mechanical testing"),
    "emc": ("电磁兼容", "EMC testing"),
    "materials_processing": ("材料加工与制备", "Materials processing"),
    "surface_analysis": ("表面与界面分析", "Surface analysis"),
    "life_science": ("生命科学仪器", "Life-science instruments"),
    "environmental": ("环境监测", "Environmental monitoring"),
    "metrology": ("计量与精密测量", "Metrology"),
}

SERVICE_KINDS: dict[str, tuple[str, str]] = {
    "testing_analysis": ("检验检测", "Testing & analysis"),
    "research_development": ("研究开发", "Research & development"),
    "design": ("创意设计", "Design"),
    "standards_information": ("标准信息", "Standards & information"),
    "technology_search": ("技术查新", "Technology novelty search"),
    "training": ("教育培训", "Training"),
    "ip_services": ("知识产权服务", "Intellectual-property services"),
    "technology_assessment": ("科技评估", "Technology assessment"),
    "incubation": ("创业孵化", "Start-up incubation"),
}

PROVIDER_KINDS: dict[str, tuple[str, str]] = {
    "university": ("高校", "University"),
    "institute": ("科研院所", "Research institute"),
    "innovation_complex": ("产业创新服务综合体", "Industrial innovation service complex"),
    "key_lab": ("重点实验室", "Key laboratory"),
    "incubator": ("孵化器/众创空间", "Incubator / maker space"),
}

ENTERPRISE_CATEGORIES: dict[str, tuple[str, str]] = {
    "high_tech": ("高新技术企业", "High-tech enterprise"),
    "tech_sme": ("科技型中小企业", "Technology-based SME"),
    "rnd_institute": ("建有研发机构的科技企业", "Enterprise with an R&D institute"),
    "incubated": ("综合体/孵化器入驻企业", "Company in an incubator or complex"),
    "traditional_upgrade": ("传统产业改造提升企业", "Traditional-industry upgrading"),
}

INSTRUMENT_STATUSES: dict[str, tuple[str, str]] = {
    "active": ("可预约", "Active"),
    "maintenance": ("维护中", "Under maintenance"),
    "retired": ("已停用", "Retired"),
}

SERVICE_UNITS: dict[str, tuple[str, str]] = {
    "sample": ("样品", "sample"),
    "batch": ("批", "batch"),
    "job": ("项", "job"),
    "hour": ("小时", "hour"),
}

ROLES: dict[str, tuple[str, str]] = {
    "enterprise": ("企业用户", "Enterprise user"),
    "manager": ("实验室管理员", "Lab manager"),
    "city_admin": ("设区市管理员", "City administrator"),
    "province_admin": ("省级管理员", "Province administrator"),
}


def label(vocabulary: dict[str, tuple[str, str]], code: str | None, locale: str = "zh") -> str:
    if code is None or code not in vocabulary:
        return code or ""
    zh, en = vocabulary[code]
    return en if locale.startswith("en") else zh


def codes_matching(vocabulary: dict[str, tuple[str, str]], text: str) -> list[str]:
    """Codes whose Chinese or English label contains ``text`` (case-insensitive): lets a keyword
    search for "质谱" or "diffraction" find instruments by category."""
    needle = text.strip().lower()
    if not needle:
        return []
    return [code for code, (zh, en) in vocabulary.items() if needle in zh.lower() or needle in en.lower()]
