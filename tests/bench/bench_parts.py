"""How long per-file licensing takes at deposit: `licensing.parts.analyse` on 100 to 5,000 files.

Each package is the multi-licence explorable's layout repeated: REUSE headers in the code, a
REUSE.toml for the sounds, `.license` sidecars, `files` globs and vendored components with their
own LICENSE files. The baseline, measured in the same run on the same texts, is what the deposit
already does with every file: hash it (SHA-256). Figures are the analysis time as a multiple of
that baseline, and files per second.
"""

import hashlib
import time

from licensing.parts import analyse, files_to_read

MIT = "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy"
HEADER = "// SPDX-FileCopyrightText: 2025 Northfield University\n// SPDX-License-Identifier: {}\n"
SIZES = (100, 1000, 5000)


def package(files: int) -> tuple[dict[str, str], dict[str, object]]:
    """`files` files in folders of 50, one vendored library (with its LICENSE) per folder."""
    texts: dict[str, str] = {
        "REUSE.toml": 'version = 1\n[[annotations]]\npath = "**/sounds/*.mp3"\n'
        'SPDX-License-Identifier = "CC-BY-NC-3.0"\nSPDX-FileCopyrightText = "2014 Jane Doe"\n'
    }
    components = []
    for n in range(files):
        folder = f"unit{n // 50:03d}"
        match n % 5:
            case 0:
                texts[f"{folder}/js/app{n}.js"] = (
                    HEADER.format("MIT") + "export const a = 1;\n" * 40
                )
            case 1:
                texts[f"{folder}/sounds/s{n}.mp3"] = ""
            case 2:
                texts[f"{folder}/img/i{n}.png"] = ""
                texts[f"{folder}/img/i{n}.png.license"] = "SPDX-License-Identifier: CC-BY-4.0\n"
            case 3:
                texts[f"{folder}/lib/vendor{n}.min.js"] = "/*! vendor | MIT License */" + "x" * 2000
                texts[f"{folder}/lib/LICENSE"] = MIT
            case _:
                texts[f"{folder}/page{n}.html"] = "<!doctype html><p>Hello</p>" * 20
        if n % 50 == 0:
            components.append(
                {
                    "name": f"vendor-{folder}",
                    "license": "MIT",
                    "paths": [f"{folder}/lib/**"],
                    "license_file": f"{folder}/lib/LICENSE",
                }
            )
    manifest = {
        "files": [{"path": "**", "license": "CC0-1.0"}, {"path": "**/js/**", "license": "MIT"}],
        "third_party": components,
    }
    return texts, manifest


def main() -> None:
    warm, manifest = package(10)  # imports reuse and fills the licence caches once
    analyse(license="CC-BY-NC-4.0", paths=list(warm), manifest=manifest, texts=warm)
    for size in SIZES:
        texts, manifest = package(size)
        needed = {p: texts[p] for p in files_to_read(texts)}
        started = time.perf_counter()
        for text in texts.values():
            hashlib.sha256(text.encode()).hexdigest()
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        analysis = analyse(
            license="CC-BY-NC-4.0", paths=list(texts), manifest=manifest, texts=needed
        )
        took = time.perf_counter() - started
        assert analysis.problems == (), analysis.problems[:3]
        print(
            f"{size:>5} files ({len(texts)} with licensing files): analyse {took * 1000:8.1f} ms "
            f"= {took / baseline:6.1f} x hashing them; {len(texts) / took:8.0f} files/s",
            flush=True,
        )
