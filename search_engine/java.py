"""Finding a JVM for the local search node, and the runner version it can run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

RUNNER_FOR_JAVA_21 = "3.8.0.0"  # OpenSearch 3.8
RUNNER_FOR_JAVA_17 = "2.19.1.0"  # OpenSearch 2.19, the fallback without a Java 21+
JVM_DIR = Path("/usr/lib/jvm")


class SearchNodeError(RuntimeError):
    """The node could not be started: no Java, Maven failed, port taken, never healthy."""


@dataclass(frozen=True, order=True)
class Java:
    major: int
    home: Path

    @property
    def executable(self) -> Path:
        return self.home / "bin" / "java"


def parse_java_major(text: str) -> int | None:
    """The major version in a JDK `release` file or `java -version` output ("1.8" is 8)."""
    match = re.search(r'(?:JAVA_VERSION=|version )"(\d+)(?:\.(\d+))?', text)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def probe_java(home: Path) -> Java | None:
    """The Java installed at `home`, or None when there is none."""
    java = Java(0, home)
    if not os.access(java.executable, os.X_OK):
        return None
    release = home / "release"
    major = parse_java_major(release.read_text(errors="replace")) if release.is_file() else None
    if major is None:
        try:
            result = subprocess.run(
                [str(java.executable), "-version"],
                capture_output=True,
                text=True,
                timeout=30,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        major = parse_java_major(result.stderr + result.stdout)
    return Java(major, home) if major else None


def installed_javas() -> list[Java]:
    """Every distinct JDK under /usr/lib/jvm plus the `java` on PATH."""
    homes = [path.resolve() for path in sorted(JVM_DIR.glob("*")) if path.is_dir()]
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parent.parent)
    found = (probe_java(home) for home in dict.fromkeys(homes))
    return [java for java in found if java is not None]


def choose_java(java_home: Java | None, installed: Sequence[Java]) -> tuple[Java, str]:
    """Pick the JVM and the runner version it can run: Java 21+ (JAVA_HOME first), else 17+."""
    if java_home is not None and java_home.major >= 21:
        return java_home, RUNNER_FOR_JAVA_21
    modern = [java for java in installed if java.major >= 21]
    if modern:
        return max(modern), RUNNER_FOR_JAVA_21
    if java_home is not None and java_home.major >= 17:
        return java_home, RUNNER_FOR_JAVA_17
    legacy = [java for java in installed if java.major >= 17]
    if legacy:
        return max(legacy), RUNNER_FOR_JAVA_17
    seen = ", ".join(f"{java.home} (Java {java.major})" for java in installed) or "none"
    raise SearchNodeError(
        "the search node needs Java 21+ (or Java 17 for OpenSearch 2.19); found: "
        f"{seen}. Install one (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME."
    )


def find_java() -> tuple[Java, str]:
    """The JVM to run the node with, and the matching runner version."""
    java_home = os.environ.get("JAVA_HOME")
    return choose_java(probe_java(Path(java_home)) if java_home else None, installed_javas())
