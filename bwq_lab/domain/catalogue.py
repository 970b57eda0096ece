"""The programme's vocabulary: instrument categories, lab-service kinds, provider kinds,
enterprise target groups, and instrument statuses. Each entry: code -> (zh, en)."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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

SERVICE_RECORD_KINDS: dict[str, tuple[str, str]] = {
    "consultation": ("技术帮扶对接", "Technical consultation and needs diagnosis"),
    "training": ("技术培训", "Training"),
    "transfer": ("成果转化", "Technology transfer"),
    "joint_rd": ("合作开发", "Joint R&D / cooperation project"),
    "commissioned": ("委托开发", "Commissioned development"),
    "commissioner_visit": ("科技特派员服务", "Science-commissioner visit"),
    "policy_briefing": ("政策宣讲", "Policy briefing"),
    "other": ("其他", "Other"),
}

ROLES: dict[str, tuple[str, str]] = {
    "enterprise": ("企业用户", "Enterprise user"),
    "manager": ("实验室管理员", "Lab manager"),
    "county_admin": ("县（市、区）管理员", "County administrator"),
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


# ------------------------------------------------------------------------------------ search
#
# What people type is not what the catalogue says: "电镜" for 电子显微镜, "液质" for
# 液相色谱-质谱联用, a maker's Chinese name for its English one. The vocabulary below is pure
# domain knowledge; ``expand_query`` turns each typed word into the alternatives it stands for,
# and ``rank`` orders matches by *where* they matched (name > model > maker > capability >
# provider > description).

#: Groups of equivalent words; a group lists narrower groups (by their first word) it includes,
#: so "电镜" also finds SEM and TEM, while "透射电镜" finds TEM only.
TERM_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("电镜", "电子显微镜", "electron microscope", "electron microscopy"), ("扫描电镜", "透射电镜", "FIB")),
    (("扫描电镜", "扫描电子显微镜", "SEM", "FE-SEM", "FESEM", "scanning electron microscope"), ()),
    (("透射电镜", "透射电子显微镜", "TEM", "HRTEM", "STEM", "transmission electron microscope"), ()),
    (("FIB", "聚焦离子束", "focused ion beam", "双束电镜", "dual-beam"), ()),
    (("核磁", "核磁共振", "NMR", "nuclear magnetic resonance"), ()),
    (("顺磁", "电子顺磁共振", "EPR", "ESR", "electron paramagnetic resonance"), ()),
    (("质谱", "质谱仪", "mass spectrometer", "mass spectrometry"), ("液质", "气质", "ICP-MS", "MALDI")),
    (("液质", "液质联用", "液相色谱-质谱", "LC-MS", "LCMS", "LC-MS/MS", "liquid chromatography-mass spectrometry"), ()),
    (("气质", "气质联用", "气相色谱-质谱", "GC-MS", "GCMS", "gas chromatograph-mass spectrometer"), ()),
    (("ICP-MS", "ICPMS", "电感耦合等离子体质谱", "inductively coupled plasma mass"), ()),
    (
        (
            "ICP-OES",
            "ICP-AES",
            "ICP发射光谱",
            "电感耦合等离子体发射光谱",
            "inductively coupled plasma optical emission",
        ),
        (),
    ),
    (("MALDI", "MALDI-TOF", "基质辅助激光解吸"), ()),
    (("色谱", "色谱仪", "chromatograph", "chromatography"), ("液相", "气相", "离子色谱", "GPC")),
    (("液相", "液相色谱", "高效液相", "HPLC", "UHPLC", "UPLC", "liquid chromatograph"), ()),
    (("气相", "气相色谱", "GC", "gas chromatograph"), ()),
    (("离子色谱", "ion chromatograph"), ()),
    (("GPC", "凝胶渗透色谱", "SEC", "gel permeation chromatograph"), ()),
    (("XRD", "X射线衍射", "X光衍射", "衍射仪", "X-ray diffraction", "X-ray diffractometer"), ()),
    (("XPS", "X射线光电子能谱", "光电子能谱", "X-ray photoelectron"), ()),
    (("XRF", "X射线荧光", "X-ray fluorescence"), ()),
    (("SAXS", "小角X射线散射", "small-angle X-ray scattering"), ()),
    (("AFM", "原子力显微镜", "原子力", "atomic force microscope"), ()),
    (("红外", "红外光谱", "傅里叶红外", "FTIR", "FT-IR", "infrared"), ()),
    (("拉曼", "拉曼光谱", "Raman"), ()),
    (("紫外", "紫外可见", "紫外-可见", "UV-Vis", "UV-Vis-NIR", "spectrophotometer"), ()),
    (("原子吸收", "AAS", "atomic absorption"), ()),
    (("荧光光谱", "fluorescence spectrometer"), ()),
    (("热分析", "thermal analysis", "thermal analyser"), ("差示扫描量热", "热重")),
    (("差示扫描量热", "DSC", "differential scanning calorimeter"), ()),
    (("热重", "热重分析", "TGA", "TG-DSC", "thermogravimetric"), ()),
    (("万能试验机", "万能材料试验机", "拉力机", "universal testing machine", "tensile"), ()),
    (("疲劳试验机", "fatigue"), ()),
    (("硬度计", "hardness tester"), ()),
    (("电磁兼容", "EMC", "electromagnetic compatibility"), ("暗室",)),
    (("暗室", "电波暗室", "anechoic chamber", "semi-anechoic"), ()),
    (("粒度", "粒度仪", "particle size"), ()),
    (("比表面", "BET", "specific surface area"), ()),
    (("共聚焦", "激光共聚焦", "confocal", "CLSM"), ()),
    (("流式", "流式细胞仪", "flow cytometer"), ()),
    (("PCR", "qPCR", "荧光定量PCR", "real-time PCR"), ()),
    (("三坐标", "三坐标测量机", "CMM", "coordinate measuring machine"), ()),
)

#: Instrument makers by their Chinese and English names.
MAKERS: tuple[tuple[str, ...], ...] = (
    ("蔡司", "Zeiss", "Carl Zeiss"),
    ("岛津", "Shimadzu"),
    ("安捷伦", "Agilent"),
    ("布鲁克", "Bruker"),
    ("赛默飞", "赛默飞世尔", "Thermo Fisher", "Thermo Scientific", "ThermoFisher", "Thermo"),
    ("日立", "Hitachi"),
    ("日本电子", "JEOL"),
    ("FEI", "飞纳", "Phenom"),
    ("马尔文", "马尔文帕纳科", "帕纳科", "Malvern", "Panalytical"),
    ("珀金埃尔默", "铂金埃尔默", "PerkinElmer", "Perkin Elmer"),
    ("牛津仪器", "Oxford Instruments"),
    ("沃特世", "Waters"),
    ("理学", "Rigaku"),
    ("耐驰", "NETZSCH"),
    ("英斯特朗", "Instron"),
    ("美特斯", "MTS"),
    ("兹韦克", "ZwickRoell", "Zwick"),
    ("徕卡", "Leica"),
    ("尼康", "Nikon"),
    ("奥林巴斯", "Olympus", "Evident"),
    ("堀场", "HORIBA"),
    ("梅特勒", "梅特勒-托利多", "Mettler Toledo", "Mettler-Toledo"),
    ("罗德与施瓦茨", "罗德施瓦茨", "Rohde & Schwarz", "R&S"),
    ("是德", "是德科技", "Keysight"),
    ("安东帕", "Anton Paar"),
    ("麦克仪器", "Micromeritics"),
    ("贝克曼", "贝克曼库尔特", "Beckman Coulter", "Beckman"),
    ("伯乐", "Bio-Rad"),
    ("丹纳赫", "Danaher"),
    ("爱丁堡", "Edinburgh Instruments"),
    ("赛克斯", "SCIEX"),
    ("TA仪器", "TA Instruments"),
    ("纽迈", "Niumag"),
)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, single spaces: how both sides are compared."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0002ffff"


def _build_synonyms() -> dict[str, frozenset[str]]:
    """Every known word -> the normalized words it stands for (its group, narrower groups too)."""
    groups = {normalize(forms[0]): (forms, narrower) for forms, narrower in TERM_GROUPS}

    def expand(head: str, seen: frozenset[str] = frozenset()) -> set[str]:
        forms, narrower = groups[head]
        words = {normalize(f) for f in forms}
        for child in narrower:
            key = normalize(child)
            if key not in seen:
                words |= expand(key, seen | {head})
        return words

    table: dict[str, frozenset[str]] = {}
    for head, (forms, _) in groups.items():
        words = frozenset(expand(head))
        for form in forms:
            table[normalize(form)] = table.get(normalize(form), frozenset()) | words
    for forms in MAKERS:
        words = frozenset(normalize(f) for f in forms)
        for form in forms:
            table[normalize(form)] = table.get(normalize(form), frozenset()) | words
    return table


SYNONYMS: dict[str, frozenset[str]] = _build_synonyms()
_LONGEST_WORD = max(len(w) for w in SYNONYMS)


@dataclass(frozen=True)
class SearchTerm:
    """One thing the user asked for and every way the catalogue may say it (normalized)."""

    typed: str
    alternatives: tuple[str, ...]


def _segment(word: str) -> list[str] | None:
    """Split a run like "蔡司电镜" into known words (longest first, left to right), or None when
    some part is not a known word (then the run is searched as typed)."""
    parts: list[str] = []
    i = 0
    while i < len(word):
        for size in range(min(_LONGEST_WORD, len(word) - i), 0, -1):
            if word[i : i + size] in SYNONYMS:
                parts.append(word[i : i + size])
                i += size
                break
        else:
            return None
    return parts if len(parts) > 1 else None


def expand_query(q: str | None) -> list[SearchTerm]:
    """The user's query as terms, each with its alternatives; every term must match. A phrase the
    vocabulary knows as a whole ("electron microscope", "Thermo Fisher") stays one term."""
    text = normalize(q or "")
    if not text:
        return []
    words = text.split(" ")
    terms: list[SearchTerm] = []
    i = 0
    while i < len(words):
        if not tokens(words[i]):  # punctuation alone finds nothing and filters nothing
            i += 1
            continue
        # the longest run of words the vocabulary knows as one phrase
        for j in range(len(words), i, -1):
            phrase = " ".join(words[i:j])
            if phrase in SYNONYMS or j == i + 1:
                break
        phrase = " ".join(words[i:j])
        i = j
        if phrase in SYNONYMS:
            terms.append(SearchTerm(phrase, _ordered(phrase, SYNONYMS[phrase])))
            continue
        parts = _segment(phrase)
        if parts:
            terms.extend(SearchTerm(p, _ordered(p, SYNONYMS[p])) for p in parts)
        else:
            terms.append(SearchTerm(phrase, (phrase,)))
    return terms


def _ordered(typed: str, words: frozenset[str]) -> tuple[str, ...]:
    return (typed, *sorted(w for w in words if w != typed))


# The place a word matched decides the rank: name > model > maker > capability > provider.
SEARCH_FIELDS: tuple[tuple[str, int], ...] = (
    ("name", 100),
    ("model", 80),
    ("maker", 60),
    ("capability", 40),
    ("provider", 20),
    ("description", 10),
)
FIELD_WEIGHT = dict(SEARCH_FIELDS)


def text_runs(text: str) -> list[tuple[bool, str]]:
    """Text cut into runs: (True, Chinese characters) or (False, one Latin word/number)."""
    out: list[tuple[bool, str]] = []
    run: list[str] = []
    cjk_run = False
    for char in normalize(text):
        cjk = is_cjk(char)
        if cjk or char.isalnum():
            if run and cjk != cjk_run:
                out.append((cjk_run, "".join(run)))
                run = []
            run.append(char)
            cjk_run = cjk
        elif run:
            out.append((cjk_run, "".join(run)))
            run = []
    if run:
        out.append((cjk_run, "".join(run)))
    return out


def tokens(text: str) -> list[str]:
    """How text is cut for matching: Chinese as overlapping character pairs ("电子显微镜" ->
    电子 子显 显微 微镜; a lone character stays one token), other runs of letters and digits as
    whole words (so "SEM" never matches inside "semi-anechoic"). Pairs keep an index of Chinese
    text selective without a word segmenter: a phrase of pairs is a substring."""
    out: list[str] = []
    for cjk, run in text_runs(text):
        if cjk and len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def index_text(text: str) -> str:
    """Text as space-separated tokens, for an index that cuts at spaces (SQLite FTS5 unicode61)."""
    return " ".join(tokens(text))


#: Latin words at least this long also match as the start of a longer word ("microscop"
#: finds "microscope"); shorter ones (abbreviations: SEM, GC, TEM) match whole words only.
PREFIX_FROM = 4


def phrase_tokens(alternative: str) -> tuple[list[str], bool]:
    """An alternative as the token sequence to find and whether its last token may be a prefix
    (a long Latin word, or a lone Chinese character: the first of a pair)."""
    parts, prefix = _phrase(alternative)
    return list(parts), prefix


@functools.lru_cache(maxsize=4096)
def _phrase(alternative: str) -> tuple[tuple[str, ...], bool]:
    parts = tokens(alternative)
    last = parts[-1] if parts else ""
    prefix = bool(last) and (len(last) >= PREFIX_FROM if not is_cjk(last[0]) else len(last) == 1)
    return tuple(parts), prefix


def matches(alternative: str, text_tokens: list[str]) -> bool:
    """Whether the alternative's tokens appear consecutively in ``text_tokens`` (the same
    semantics as the database index: whole tokens, the last one maybe a prefix)."""
    parts, prefix = _phrase(alternative)
    n = len(parts)
    if not n:
        return False
    last = parts[-1]
    if n == 1:
        return last in text_tokens or (prefix and any(t.startswith(last) for t in text_tokens))
    head, middle = parts[0], parts[1:-1]
    if head not in text_tokens:  # (a scan in C: most alternatives stop here)
        return False
    for i in range(len(text_tokens) - n + 1):
        if text_tokens[i] == head and tuple(text_tokens[i + 1 : i + n - 1]) == middle:
            found = text_tokens[i + n - 1]
            if found == last or (prefix and found.startswith(last)):
                return True
    return False


@functools.lru_cache(maxsize=1024)
def matcher(alternatives: tuple[str, ...]) -> Callable[[list[str], set[str]], bool]:
    """``matches`` for any of the alternatives, for text given as its tokens and their set:
    single whole tokens are looked up in the set at once, the others one by one."""
    phrases = [(a, *_phrase(a)) for a in alternatives]
    singles = frozenset(parts[0] for _a, parts, prefix in phrases if len(parts) == 1 and not prefix)
    others = tuple(a for a, parts, prefix in phrases if parts and (len(parts) > 1 or prefix))

    def match(words: list[str], present: set[str]) -> bool:
        return not singles.isdisjoint(present) or any(matches(a, words) for a in others)

    return match


def field_hits(terms: list[SearchTerm], fields: Mapping[str, list[str]]) -> dict[str, set[str]]:
    """Where each term matched in an item's fields (each given as its tokens), as ``relevance``
    reads it: field -> the typed words found there as typed, or ``"~" + typed`` for a synonym."""
    hits: dict[str, set[str]] = {}
    asked = [(t.typed, matcher((t.typed,)), matcher(covering(t.alternatives))) for t in terms]
    for field, words in fields.items():
        present = set(words)
        for typed, as_typed, any_of in asked:
            if as_typed(words, present):
                hits.setdefault(field, set()).add(typed)
            elif any_of(words, present):
                hits.setdefault(field, set()).add("~" + typed)
    return hits


@functools.lru_cache(maxsize=1024)
def covering(alternatives: tuple[str, ...]) -> tuple[str, ...]:
    """The alternatives an index must be asked for: one that contains another (as ``matches``
    sees it: "扫描电镜" contains "电镜", "electron microscopy" contains "electron microscope")
    finds nothing the other does not, so it is left out. Order kept; of equal ones the first."""
    kept: list[str] = []
    for n, alternative in enumerate(alternatives):
        words = tokens(alternative)
        if not words:
            continue
        if any(
            (matches(other, words) and not (tokens(other) == words and m > n))
            for m, other in enumerate(alternatives)
            if m != n and tokens(other)
        ):
            continue
        kept.append(alternative)
    return tuple(kept)


def relevance(hits: Mapping[str, set[str]], terms: list[SearchTerm]) -> int:
    """Score of one item: for each term, the weight of the best field it matched in (a match of
    the word as typed counts a little more than a synonym's). ``hits`` maps field -> the typed
    words of the terms found there (as typed, or ``"~" + typed`` when only a synonym matched)."""
    score = 0
    for term in terms:
        best = 0
        for field, weight in SEARCH_FIELDS:
            found = hits.get(field, ())
            if term.typed in found:
                best = max(best, weight + 1)
            elif "~" + term.typed in found:
                best = max(best, weight)
        score += best
    return score


def pinyin_key(text: str) -> tuple[str, str]:
    """Sort key Chinese readers expect: by pinyin (tones ignored), then by the text itself."""
    from pypinyin import Style, lazy_pinyin

    return (" ".join(lazy_pinyin(text, style=Style.NORMAL, errors="default")).lower(), text)
