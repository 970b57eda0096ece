"""Known vulnerabilities in the pinned requirements (pip-audit), for .ci/run.

- A pinned package with a known vulnerability fails the run (exit 1) and names the advisory.
- When no vulnerability service answers (this workplace reaches a PyPI mirror without PyPI's JSON
  API, and not OSV), pip-audit can only skip every package: that is reported loudly as
  "NOT AUDITED" with the reason, and does not fail the run, unless ``BWQ_REQUIRE_AUDIT=1``.
  Set ``BWQ_AUDIT_SERVICE=osv`` to ask OSV instead of PyPI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    service = os.environ.get("BWQ_AUDIT_SERVICE", "pypi")
    command = [
        str(pip_audit), "-r", str(ROOT / "requirements.txt"), "--no-deps", "--disable-pip",
        "--progress-spinner", "off", "--vulnerability-service", service, "-f", "json", "--timeout", "20",
    ]  # fmt: skip
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return _not_audited("pip-audit did not finish within 5 minutes")
    try:
        report = json.loads(run.stdout or "{}")
    except ValueError:
        print(run.stdout, run.stderr, sep="\n")
        return _not_audited(f"pip-audit gave no report (exit {run.returncode})")
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {d['name']}=={d['version']}: {v['id']} (fixed in {fixed})")
    if vulnerable:
        return 1
    if not audited:
        reasons = sorted({d.get("skip_reason", "") for d in dependencies})
        return _not_audited(f"{service} answered for none of {len(dependencies)} packages: {'; '.join(reasons)[:300]}")
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    print(f"dependency audit ({service}): {len(audited)} packages, no known vulnerabilities"
          + (f"; not audited: {', '.join(skipped)}" if skipped else ""))  # fmt: skip
    return 0


def _not_audited(reason: str) -> int:
    print(f"DEPENDENCY AUDIT: NOT AUDITED - no vulnerability database reachable ({reason}).")
    print("  Run `python scripts/audit_dependencies.py` where PyPI's JSON API or OSV is reachable.")
    return 1 if os.environ.get("BWQ_REQUIRE_AUDIT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
