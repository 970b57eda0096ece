"""scripts/audit_dependencies.py: a known vulnerability fails CI; an unreachable database is said."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def run_with(report: dict):
        completed = subprocess.CompletedProcess([], 1, stdout=json.dumps(report), stderr="")
        monkeypatch.setattr(module.subprocess, "run", lambda *a, **k: completed)
        return module.main()

    return run_with


def test_a_known_vulnerability_fails(audit, capsys):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "pillow", "version": "9.0.0", "vulns": [{"id": "PYSEC-2022-1", "fix_versions": ["9.0.1"]}]},
    ]}  # fmt: skip
    assert audit(report) == 1
    assert "VULNERABLE pillow==9.0.0: PYSEC-2022-1 (fixed in 9.0.1)" in capsys.readouterr().out


def test_clean_report_passes(audit, capsys):
    assert audit({"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}) == 0
    assert "no known vulnerabilities" in capsys.readouterr().out


def test_unreachable_database_is_reported_loudly(audit, capsys, monkeypatch):
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "skip_reason": "Dependency not found"}]}
    assert audit(report) == 0
    assert "NOT AUDITED" in capsys.readouterr().out
    monkeypatch.setenv("BWQ_REQUIRE_AUDIT", "1")
    assert audit(report) == 1
