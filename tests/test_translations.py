"""The Chinese catalogue: complete, in step with the code, and used by the pages.

When a test here fails after you added or changed a UI string, run ``scripts/update_translations.sh``,
translate the new entries in ``bwq_lab/translations/zh/LC_MESSAGES/messages.po`` (no empty msgstr,
no ``#, fuzzy`` flag left), and run the script again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "bwq_lab" / "translations"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
UPDATE_HINT = "run scripts/update_translations.sh and translate the new entries in " + str(ZH_PO.relative_to(ROOT))

# the same command as scripts/update_translations.sh
EXTRACT = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext"]
EXTRACT += ["-k", "_p:1c,2", "-k", "lazy_pgettext:1c,2"]
EXTRACT += ["--ignore-dirs", ".* _* instance static migrations node_modules build"]

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.fixture(scope="module")
def catalog():
    return _read(ZH_PO)


# ---------------------------------------------------------------- (a) complete and well-formed
def test_catalogue_is_simplified_chinese_with_one_plural_form(catalog):
    assert str(catalog.locale) == "zh"
    assert catalog.num_plurals == 1
    assert len([m for m in catalog if m.id]) > 100


def test_every_message_is_translated_and_none_is_fuzzy(catalog):
    untranslated = [_ids(m)[0] for m in catalog if m.id and not all(_strings(m))]
    fuzzy = [_ids(m)[0] for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}; {UPDATE_HINT}"
    assert not fuzzy, f"fuzzy (check the translation, then remove the flag): {fuzzy}"


def test_translations_keep_the_placeholders_of_the_original(catalog):
    wrong = []
    for m in catalog:
        if not m.id:
            continue
        expected = sorted(PLACEHOLDER.findall(_ids(m)[-1]))
        for string in _strings(m):
            if sorted(PLACEHOLDER.findall(string)) != expected:
                wrong.append((_ids(m)[0], string))
    assert not wrong


def test_translations_have_no_stray_percent_sign(catalog):
    """Jinja's i18n (newstyle) always applies ``%`` formatting: a lone ``%`` breaks the page."""
    stray = [s for m in catalog if m.id for s in _strings(m) if "%" in PLACEHOLDER.sub("", s).replace("%%", "")]
    assert not stray


# ---------------------------------------------------------------- (b) in step with the code
def test_catalogue_has_every_string_of_the_code(tmp_path, catalog):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run([*EXTRACT, "-o", str(pot), str(ROOT)])
    extracted = {_ids(m) for m in _read(pot) if m.id}
    assert len(extracted) > 100  # the extraction itself worked
    known = {_ids(m) for m in catalog if m.id}
    missing = sorted(extracted - known)
    assert not missing, f"{len(missing)} UI strings are not in the catalogue, e.g. {missing[:5]}; {UPDATE_HINT}"


# ---------------------------------------------------------------- (c) the pages use it
@pytest.fixture(scope="session")
def compiled_catalogue(tmp_path_factory) -> Path:
    """The .po compiled now, into a temporary folder: the test checks the current catalogue (the .mo in
    bwq_lab/translations is git-ignored and built by ``make``, and may be missing or stale)."""
    folder = tmp_path_factory.mktemp("translations")
    target = folder / "zh" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, _read(ZH_PO))
    return folder


@pytest.fixture
def zh_catalogue(app, compiled_catalogue, monkeypatch):
    """The app reads the freshly compiled catalogue; Flask-Babel's process-wide translation cache
    is emptied before and after, so no other test sees it."""
    from bwq_lab.extensions import babel

    monkeypatch.setattr(app.extensions["babel"], "translation_directories", [str(compiled_catalogue)])
    with app.app_context():
        cache = babel.domain_instance.cache
    cache.clear()
    yield
    cache.clear()


def test_the_app_finds_the_catalogue_folder(app):
    """Flask-Babel looks in ``translations`` relative to the app's root_path, the bwq_lab package, unless
    BABEL_TRANSLATION_DIRECTORIES says otherwise (the test suite's app may, to read English msgids)."""
    from bwq_lab.config import Defaults

    folder = getattr(Defaults, "BABEL_TRANSLATION_DIRECTORIES", "translations")
    assert Path(app.root_path) / folder == TRANSLATIONS
    assert ZH_PO.is_file()
    assert Defaults.BABEL_DEFAULT_LOCALE == "zh"


def test_sign_in_page_is_chinese_for_a_chinese_browser(client, zh_catalogue):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "<h1>登录</h1>" in page
    assert "电子邮箱" in page and "个人访问令牌" not in page
    assert "Sign in" not in page


def test_sign_in_page_is_english_for_an_english_browser(client, zh_catalogue):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page
    assert "登录" not in page


def test_lang_parameter_switches_to_english_and_is_remembered(client, zh_catalogue):
    chinese = {"Accept-Language": "zh-CN"}
    assert "<h1>Sign in</h1>" in client.get("/login?lang=en", headers=chinese).get_data(as_text=True)
    page = client.get("/instruments", headers=chinese).get_data(as_text=True)
    assert "All categories" in page and "全部类别" not in page
    page = client.get("/register", headers=chinese).get_data(as_text=True)
    assert "Register your enterprise" in page and "企业注册" not in page
    page = client.get("/register?lang=zh", headers=chinese).get_data(as_text=True)
    assert "企业注册" in page and "统一社会信用代码" in page


def test_form_errors_from_python_are_chinese_too(post_form, zh_catalogue):
    response = post_form(
        "/login",
        {"email": "nobody@example.com", "password": "wrong password"},
        headers={"Accept-Language": "zh-CN"},
    )
    page = response.get_data(as_text=True)
    assert "电子邮箱或密码不正确。" in page
    assert "not correct" not in page
