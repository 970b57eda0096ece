"""The search vocabulary: what people type and what the catalogue says (no app needed)."""

from __future__ import annotations

import pytest

from bwq_lab.domain.catalogue import expand_query, matches, pinyin_key, relevance, tokens


def _alternatives(q: str) -> list[set[str]]:
    return [set(t.alternatives) for t in expand_query(q)]


@pytest.mark.parametrize(
    ("typed", "means"),
    [
        ("电镜", "电子显微镜"),
        ("电镜", "sem"),
        ("电镜", "tem"),
        ("透射电镜", "tem"),
        ("透射电镜", "透射电子显微镜"),
        ("扫描电镜", "sem"),
        ("SEM", "扫描电子显微镜"),
        ("核磁", "nmr"),
        ("液质", "lc-ms"),
        ("气质", "gc-ms"),
        ("XRD", "x射线衍射"),
        ("XPS", "x射线光电子能谱"),
        ("ICP-MS", "电感耦合等离子体质谱"),
        ("蔡司", "zeiss"),
        ("岛津", "shimadzu"),
        ("安捷伦", "agilent"),
        ("布鲁克", "bruker"),
        ("赛默飞", "thermo fisher"),
        ("日立", "hitachi"),
        ("日本电子", "jeol"),
        ("马尔文", "malvern"),
        ("珀金埃尔默", "perkinelmer"),
        ("牛津仪器", "oxford instruments"),
        ("Zeiss", "蔡司"),
        ("Thermo Fisher", "赛默飞"),
    ],
)
def test_abbreviations_synonyms_and_makers_expand(typed, means):
    [alternatives] = _alternatives(typed)
    assert means in alternatives


def test_a_narrower_word_does_not_widen():
    [tem] = _alternatives("透射电镜")
    assert "sem" not in tem and "扫描电镜" not in tem


def test_runs_of_known_words_are_segmented_and_unknown_ones_kept():
    assert [t.typed for t in expand_query("蔡司电镜")] == ["蔡司", "电镜"]
    assert [t.typed for t in expand_query("蔡司 电镜")] == ["蔡司", "电镜"]
    assert [t.typed for t in expand_query("粉末样品")] == ["粉末样品"]
    assert [t.typed for t in expand_query("electron microscope")] == ["electron microscope"]
    assert expand_query("  % ") == []


@pytest.mark.parametrize(
    ("alternative", "text", "found"),
    [
        ("sem", "FE-SEM, EDS mapping", True),
        ("sem", "3 m semi-anechoic chamber", False),  # abbreviations match whole words only
        ("tem", "system", False),
        ("microscop", "electron microscope", True),  # longer words may be a prefix
        ("扫描电镜", "聚焦离子束-扫描电镜双束系统", True),
        ("电子显微镜", "场发射扫描电子显微镜", True),
        ("lc-ms", "LC-MS/MS, MRM", True),
        ("lc-ms", "GC-MS", False),
        ("x射线衍射", "高分辨X射线衍射仪", True),
    ],
)
def test_matching_is_by_whole_tokens(alternative, text, found):
    assert matches(alternative, tokens(text)) is found


def test_relevance_ranks_by_where_the_word_matched():
    [term] = expand_query("SEM")
    by_field = {
        field: relevance({field: {"~sem"}}, [term])
        for field in ("name", "model", "maker", "capability", "provider", "description")
    }
    assert list(by_field.values()) == sorted(by_field.values(), reverse=True)
    assert len(set(by_field.values())) == 6
    # the word as typed beats a synonym in the same field
    assert relevance({"name": {"sem"}}, [term]) > relevance({"name": {"~sem"}}, [term])


def test_pinyin_order():
    names = ["浙江大学", "宁波大学", "杭州电子科技大学", "安徽所"]
    assert sorted(names, key=pinyin_key) == ["安徽所", "杭州电子科技大学", "宁波大学", "浙江大学"]


def test_the_index_is_asked_only_for_alternatives_nothing_else_covers():
    from bwq_lab.domain.catalogue import covering

    [term] = expand_query("电镜")
    asked = covering(term.alternatives)
    assert "电镜" in asked and "电子显微镜" in asked and "sem" in asked
    # each of these contains one that stays
    assert not {"扫描电镜", "透射电镜", "扫描电子显微镜", "fe-sem", "scanning electron microscope"} & set(asked)
    # and nothing is lost: a text found by any alternative is found by those asked
    texts = ["扫描电子显微镜", "FE-SEM Gemini", "Transmission electron microscopes", "双束电镜", "3 m semi-anechoic"]
    for text in texts:
        words = tokens(text)
        assert any(matches(a, words) for a in term.alternatives) == any(matches(a, words) for a in asked)
