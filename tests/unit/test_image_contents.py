"""The image docker-compose.yml runs is built by reading the Dockerfile (no Docker engine
here), so this checks what a build would miss: every package the project installs is
copied into the image before `pip install .`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def installed_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    return {pattern.removesuffix("*") for pattern in patterns}


def copied_folders() -> set[str]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    return set(re.findall(r"^COPY (\w+)/ \1/$", dockerfile, flags=re.MULTILINE))


def test_every_installed_package_is_copied_into_the_image() -> None:
    packages = installed_packages()
    assert {"commands", "database", "read_model"} <= packages
    assert packages - copied_folders() == set()


def test_every_package_folder_is_installed() -> None:
    folders = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert folders - installed_packages() == set()


def test_top_level_modules_are_copied() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^COPY \*\.py \./$", dockerfile, flags=re.MULTILINE)
