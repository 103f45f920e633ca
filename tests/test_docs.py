"""Documentation that operators rely on stays true to the code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_documented_in_deploy_md():
    code = "\n".join(p.read_text() for p in (ROOT / "src" / "zhijiao").rglob("*.py"))
    used = set(re.findall(r"[\"'](ZJ_[A-Z0-9_]+|DATABASE_URL)[\"']", code))
    documented = (ROOT / "docs" / "deploy.md").read_text()
    missing = sorted(name for name in used if f"`{name}`" not in documented and f"{name}`" not in documented)
    assert not missing, f"not in docs/deploy.md: {missing}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make run" in readme
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")
