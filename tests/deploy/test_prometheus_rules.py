"""The alert rules pass `promtool check rules`, and `promtool test rules` shows each alert firing on a
bad series and staying quiet on a healthy one (deploy/prometheus/bakat-rules.test.yaml)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus"
RUNBOOK = ROOT / "docs" / "RUNBOOK.md"


def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is missing: apt-get install -y prometheus (make test does it when run as root)"
    return found


def test_the_rules_are_valid() -> None:
    done = subprocess.run([promtool(), "check", "rules", "bakat-rules.yaml"], cwd=RULES, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_alerts_fire_when_they_should_and_only_then() -> None:
    done = subprocess.run([promtool(), "test", "rules", "bakat-rules.test.yaml"], cwd=RULES, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_wrong_expectation_fails_the_rule_tests(tmp_path: Path) -> None:
    # promtool's verdict is worth something: the same tests expecting a healthy service to alert fail.
    shutil.copy(RULES / "bakat-rules.yaml", tmp_path)
    broken = (RULES / "bakat-rules.test.yaml").read_text().replace("exp_alerts: []", "exp_alerts: [{exp_labels: {severity: critical}}]", 1)
    (tmp_path / "t.yaml").write_text(broken)
    done = subprocess.run([promtool(), "test", "rules", "t.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0


def test_every_alert_has_a_severity_and_a_runbook_section() -> None:
    runbook = RUNBOOK.read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"(?m)^## (.+)$", runbook)}
    alerts = [r for g in yaml.safe_load((RULES / "bakat-rules.yaml").read_text())["groups"] for r in g["rules"]]
    assert len(alerts) >= 5
    for alert in alerts:
        assert alert["labels"]["severity"] in ("critical", "warning")
        anchor = alert["annotations"]["runbook_url"].rsplit("#", 1)[1]
        assert anchor in anchors, f"{alert['alert']}: docs/RUNBOOK.md has no section #{anchor}"
