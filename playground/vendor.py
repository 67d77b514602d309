"""Re-fetch the playground's vendored files from the npm registry: `scripts/vendor-playground`.

Each pinned package's tarball is checked against the sha512 integrity the registry publishes;
the files the page loads are copied under names that carry their version, with the package's
licence, and `assets/VERSIONS.json` records what was taken. Edit `PINS` to upgrade.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REGISTRY = "https://registry.npmjs.org"
ASSETS = Path(__file__).resolve().parent / "assets"
MANIFEST = ASSETS / "VERSIONS.json"
# A trailing source map comment would point at a .map file we do not ship.
SOURCE_MAP = re.compile(rb"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ ?\*/)\s*\Z")


@dataclass(frozen=True)
class Pin:
    """One npm package: the files taken from its tarball (path -> served name) and its licence."""

    name: str
    version: str
    files: dict[str, str] = field(default_factory=dict)
    licence: str | None = "LICENSE"  # its path in the tarball; None when it ships none
    licence_of: str | None = None  # else the pinned package whose licence covers it
    note: str = ""


# The major versions Strawberry's own GraphiQL page loads from a CDN; page load order.
PINS = (
    Pin("react", "18.2.0", {"umd/react.production.min.js": "react-18.2.0.production.min.js"}),
    Pin(
        "react-dom",
        "18.2.0",
        {"umd/react-dom.production.min.js": "react-dom-18.2.0.production.min.js"},
        note="bundles scheduler 0.23 (MIT, same licence)",
    ),
    Pin(
        "graphiql",
        "3.8.3",
        {"graphiql.min.js": "graphiql-3.8.3.min.js", "graphiql.min.css": "graphiql-3.8.3.min.css"},
        note="bundles @graphiql/react, @graphiql/toolkit, graphql, graphql-ws, codemirror 5 "
        "and markdown-it, each MIT",
    ),
    Pin(
        "@graphiql/plugin-explorer",
        "1.0.2",
        {
            "dist/index.umd.js": "graphiql-plugin-explorer-1.0.2.umd.js",
            "dist/style.css": "graphiql-plugin-explorer-1.0.2.css",
        },
        licence=None,
        licence_of="graphiql",
        note="ships no LICENSE; package.json says MIT, from the graphiql repository",
    ),
    Pin(
        "graphiql-explorer",
        "0.9.0",
        note="bundled inside @graphiql/plugin-explorer; only its licence is taken",
    ),
)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return bytes(response.read())


def integrity(data: bytes) -> str:
    """The npm/SRI form: `sha512-<base64 digest>`."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def strip_source_map(data: bytes) -> bytes:
    return SOURCE_MAP.sub(b"\n", data)


def licence_name(package: str) -> str:
    return "LICENSES/" + package.lstrip("@").replace("/", "-") + ".txt"


def download(pin: Pin) -> tuple[dict[str, Any], tarfile.TarFile]:
    """The registry's record of the version, and its tarball once its integrity matched."""
    meta = json.loads(fetch(f"{REGISTRY}/{pin.name}/{pin.version}"))
    dist = meta["dist"]
    tarball = fetch(dist["tarball"])
    if integrity(tarball) != dist["integrity"]:
        raise SystemExit(f"{pin.name}@{pin.version}: tarball does not match its integrity")
    return meta, tarfile.open(fileobj=io.BytesIO(tarball))


def member(archive: tarfile.TarFile, path: str) -> bytes:
    extracted = archive.extractfile(f"package/{path}")
    if extracted is None:
        raise SystemExit(f"package/{path} is not a file")
    return extracted.read()


def vendor(pin: Pin, licences: dict[str, bytes]) -> dict[str, Any]:
    """Copy one package's files and licence into assets/; its manifest entry."""
    meta, archive = download(pin)
    files = []
    for path, served in pin.files.items():
        data = strip_source_map(member(archive, path))
        (ASSETS / served).write_bytes(data)
        files.append({"asset": served, "from": path, "integrity": integrity(data)})
    text = member(archive, pin.licence) if pin.licence else licences[pin.licence_of or ""]
    licences[pin.name] = text
    header = f"{pin.name}@{pin.version} ({meta.get('license', '?')})\n"
    if pin.note:
        header += f"Note: {pin.note}.\n"
    (ASSETS / licence_name(pin.name)).write_bytes(header.encode() + b"\n" + text)
    return {
        "name": pin.name,
        "version": pin.version,
        "license": meta.get("license"),
        "licenseFile": licence_name(pin.name),
        "tarball": meta["dist"]["tarball"],
        "integrity": meta["dist"]["integrity"],
        "files": files,
    }


def main() -> int:
    (ASSETS / "LICENSES").mkdir(parents=True, exist_ok=True)
    licences: dict[str, bytes] = {}
    packages = [vendor(pin, licences) for pin in PINS]
    kept = {f["asset"] for p in packages for f in p["files"]} | {p["licenseFile"] for p in packages}
    for old in [*ASSETS.glob("*"), *ASSETS.glob("LICENSES/*")]:
        name = old.relative_to(ASSETS).as_posix()
        if old.suffix in {".js", ".css", ".txt"} and name not in kept:
            old.unlink()  # an earlier version's file
    manifest = {"registry": REGISTRY, "generatedBy": "scripts/vendor-playground"}
    MANIFEST.write_text(json.dumps(manifest | {"packages": packages}, indent=2) + "\n")
    for package in packages:
        print(f"{package['name']}@{package['version']}: {len(package['files'])} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
