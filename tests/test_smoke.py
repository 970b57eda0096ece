import subprocess
import sys


def test_domain_imports_without_flask():
    code = (
        "import sys, bwq_lab.domain.uscc, bwq_lab.domain.catalogue, bwq_lab.domain.regions;"
        "import pkgutil, importlib, bwq_lab.domain as d;"
        "[importlib.import_module('bwq_lab.domain.' + m.name) for m in pkgutil.iter_modules(d.__path__)];"
        "bad = [m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_home_page_renders(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert "BWQ" in response.get_data(as_text=True)


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json["errors"][0]["code"] == "NOT_FOUND"


def test_unknown_page_answers_an_html_404_page(client):
    response = client.get("/no-such-page?x=1", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)
    assert "/no-such-page?x=1&amp;lang=" in response.get_data(as_text=True)
