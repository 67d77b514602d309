"""The vendored playground files match their manifest and pins; the vendoring helpers."""

from __future__ import annotations

import json

import pytest

from playground.vendor import ASSETS, MANIFEST, PINS, integrity, strip_source_map

IN_A_STRING = b'x = "//# sourceMappingURL=kept";\nvar b;\n'
PACKAGES = json.loads(MANIFEST.read_text())["packages"]


def test_the_manifest_records_every_pin_in_page_order() -> None:
    assert [(p["name"], p["version"]) for p in PACKAGES] == [(p.name, p.version) for p in PINS]
    for package in PACKAGES:
        assert package["integrity"].startswith("sha512-")
        assert package["tarball"].startswith("https://registry.npmjs.org/")


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p["name"])
def test_each_file_matches_its_recorded_integrity_and_carries_its_version(
    package: dict[str, object],
) -> None:
    files = package["files"]
    assert isinstance(files, list)
    for entry in files:
        data = (ASSETS / entry["asset"]).read_bytes()
        assert integrity(data) == entry["integrity"]
        assert str(package["version"]) in entry["asset"]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p["name"])
def test_each_package_has_its_licence_beside_it(package: dict[str, str]) -> None:
    text = (ASSETS / package["licenseFile"]).read_text()
    assert text.startswith(f"{package['name']}@{package['version']} (MIT)")
    assert "Permission is hereby granted" in text


def test_no_other_scripts_or_styles_lie_in_the_assets_folder() -> None:
    listed = {entry["asset"] for package in PACKAGES for entry in package["files"]}
    present = {path.name for path in ASSETS.iterdir() if path.suffix in {".js", ".css"}}
    assert present == listed


def test_integrity_is_the_npm_and_sri_form() -> None:
    assert integrity(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


@pytest.mark.parametrize(
    ("source", "stripped"),
    [
        (b"var a;\n//# sourceMappingURL=a.min.js.map", b"var a;\n"),
        (b"var a;\n//# sourceMappingURL=a.min.js.map\n", b"var a;\n"),
        (b"a{}\n\n/*# sourceMappingURL=a.min.css.map*/\n", b"a{}\n\n"),
        (IN_A_STRING, IN_A_STRING),
        (b"var c;\n", b"var c;\n"),
    ],
)
def test_only_a_trailing_source_map_comment_is_removed(source: bytes, stripped: bytes) -> None:
    assert strip_source_map(source) == stripped
