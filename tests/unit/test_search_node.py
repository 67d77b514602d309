"""The search node launcher's pure parts: Java versions, JDK choice, port parsing, caching."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from search_engine import node
from search_engine.java import (
    RUNNER_FOR_JAVA_17,
    RUNNER_FOR_JAVA_21,
    Java,
    SearchNodeError,
    choose_java,
    parse_java_major,
    probe_java,
)
from search_engine.node import SearchNode, parse_http_port, resolve_classpath


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ('IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\n', 25),
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "26-ea" 2026-03-17', 26),
        ("no version here", None),
    ],
)
def test_java_major_versions_are_read_from_release_files_and_java_version(
    text: str, major: int | None
) -> None:
    assert parse_java_major(text) == major


def jdk(major: int, name: str | None = None) -> Java:
    return Java(major, Path("/usr/lib/jvm") / (name or f"jdk-{major}"))


def test_java_home_is_used_when_it_is_21_or_newer() -> None:
    home = jdk(21, "home")
    assert choose_java(home, [jdk(17), jdk(25)]) == (home, RUNNER_FOR_JAVA_21)


def test_the_newest_jdk_21_plus_wins_over_an_older_java_home() -> None:
    assert choose_java(jdk(17, "home"), [jdk(17), jdk(22), jdk(25), jdk(21)]) == (
        jdk(25),
        RUNNER_FOR_JAVA_21,
    )


def test_java_17_falls_back_to_the_opensearch_2_runner() -> None:
    assert choose_java(None, [jdk(11), jdk(17)]) == (jdk(17), RUNNER_FOR_JAVA_17)
    home = jdk(17, "home")
    assert choose_java(home, [jdk(17)]) == (home, RUNNER_FOR_JAVA_17)


def test_no_usable_java_is_a_clear_error() -> None:
    with pytest.raises(SearchNodeError, match="Java 21"):
        choose_java(jdk(11, "home"), [jdk(8)])


def test_probe_reads_the_release_file(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    java = tmp_path / "bin" / "java"
    java.write_text("#!/bin/sh\nexit 1\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "release").write_text('JAVA_VERSION="21.0.2"\n')
    assert probe_java(tmp_path) == Java(21, tmp_path)
    assert probe_java(tmp_path / "missing") is None


def test_the_announced_http_port_is_parsed_from_the_runner_log() -> None:
    log = "Cluster Name: x\nNode Name:      Node 1\nHTTP Port:      9271\nData Directory: /d\n"
    assert parse_http_port(log) == 9271
    assert parse_http_port("Cluster Name: x\n") is None


@pytest.mark.parametrize(("port", "heap"), [(9300, "1g"), (8080, "1g"), (9250, "1 GB")])
def test_bad_ports_and_heaps_are_refused(port: int, heap: str) -> None:
    with pytest.raises(ValueError):
        SearchNode(port=port, heap=heap)


def test_maven_runs_once_and_its_classpath_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jar = tmp_path / "runner.jar"
    jar.touch()
    calls = tmp_path / "calls"
    fake_mvn = tmp_path / "bin" / "mvn"
    fake_mvn.parent.mkdir()
    # A stand-in for mvn that writes the classpath file named by -Dmdep.outputFile.
    fake_mvn.write_text(
        "#!/bin/sh\necho x >> " + str(calls) + "\n"
        'for a in "$@"; do case "$a" in -Dmdep.outputFile=*) '
        "echo " + str(jar) + ' > "${a#-Dmdep.outputFile=}";; esac; done\n'
    )
    fake_mvn.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake_mvn.parent), prepend=":")
    cache = tmp_path / "cache"
    cache.mkdir()

    assert resolve_classpath("3.8.0.0", cache) == str(jar)
    assert resolve_classpath("3.8.0.0", cache) == str(jar)
    assert calls.read_text().count("x") == 1
    resolve_classpath("2.19.1.0", cache)  # another runner version is another cache entry
    assert calls.read_text().count("x") == 2
    jar.unlink()  # a cleaned ~/.m2 invalidates the cache
    resolve_classpath("3.8.0.0", cache)
    assert calls.read_text().count("x") == 3
    assert node.POM.is_file()
