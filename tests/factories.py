"""Factories and package builders shared by the test suites."""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from repository.models import Institution, Membership, Resource, Version, VersionFile
from repository.storage import blobs

INDEX_HTML = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Counter</title>
<script src="app.js" defer></script></head><body><button id="b">Count</button><output id="o">0</output></body></html>"""
APP_JS = b"""document.getElementById('b').addEventListener('click', () => {
  const o = document.getElementById('o'); o.textContent = String(Number(o.textContent) + 1);
});"""


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda u: u.email)
    first_name = factory.Faker("first_name")
    password = factory.django.Password("correct horse battery staple")


class InstitutionFactory(factory.django.DjangoModelFactory[Institution]):
    class Meta:
        model = Institution
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"institution-{n}")
    name = factory.LazyAttribute(lambda i: i.slug.replace("-", " ").title())
    email_domains = factory.LazyAttribute(lambda i: [f"{i.slug}.ac.uk"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Membership.Role.STAFF


class ResourceFactory(factory.django.DjangoModelFactory[Resource]):
    class Meta:
        model = Resource

    institution = factory.SubFactory(InstitutionFactory)
    slug = factory.Sequence(lambda n: f"resource-{n}")
    kind = Resource.Kind.TOOL
    title = factory.LazyAttribute(lambda r: r.slug.replace("-", " ").title())


class VersionFactory(factory.django.DjangoModelFactory[Version]):
    """A version row as stored, with no checks run: for data that older code let through."""

    class Meta:
        model = Version

    resource = factory.SubFactory(ResourceFactory)
    number = factory.LazyAttribute(lambda v: v.resource.versions.count() + 1)
    licence = "CC-BY-4.0"
    authors = factory.LazyFunction(lambda: ["Ada Lovelace"])
    manifest = factory.LazyAttribute(
        lambda v: manifest(kind=v.resource.kind, title=v.resource.title, license=v.licence)
    )
    state = Version.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


def stored_version(files: dict[str, bytes], **fields: Any) -> Version:
    """A version made straight in the database with `files` in its tree (the latest published)."""
    version = VersionFactory.create(**fields)
    for path, content in files.items():
        sha, _ = blobs.put_bytes(content)
        VersionFile.objects.create(version=version, path=path, blob_id=sha)
    if version.is_public:
        Resource.objects.filter(pk=version.resource_id).update(latest_published=version)
        version.resource.refresh_from_db()
    return version


def manifest(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "tool",
        "title": "Counter",
        "description": "Counts clicks.",
        "license": "CC-BY-SA-4.0",
        "authors": ["Ada Lovelace"],
        "entry_point": "index.html",
        "subjects": ["mathematics"],
        "level": "secondary",
        "language": "en",
    }
    data.update(overrides)
    return data


def tool_files(**extra: bytes) -> dict[str, bytes]:
    return {"index.html": INDEX_HTML, "app.js": APP_JS, **extra}


def build_zip(
    path: Path,
    files: dict[str, bytes] | None = None,
    *,
    manifest_data: dict[str, Any] | str | None = None,
) -> Path:
    """Write a package zip: `files` plus remixbank.json (omitted when manifest_data == "omit")."""
    files = tool_files() if files is None else files
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if manifest_data != "omit":
            archive.writestr("remixbank.json", json.dumps(manifest_data or manifest()))
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def published_scenario(folder: Path, institution: Institution, by: User, *, publish: bool = True):
    """The example solar-tracker scenario (with its starter controller), deposited and validated,
    published unless `publish` is False (then it stays passed)."""
    from repository.actions.deposits import deposit_package
    from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder

    package = zip_folder(SCENARIO_DIR, folder / "scenario.zip", scenario_manifest())
    version = deposit_package(
        package=package, institution=institution, by=by, publish_on_pass=publish
    )
    validated(version.pk)
    version.refresh_from_db()
    return version


# A realistic multi-licence tool: a CC0 explorable of the solar system whose own code carries
# REUSE headers, with vendored PIXI.js and Howler.js (MIT) and p5.js (LGPL-2.1) beside their
# LICENSE files, sound effects under CC BY-NC 3.0 (by REUSE.toml) and CC Sampling+ 1.0 (by a
# .license sidecar), XHR of its own JSON, ES modules, non-ASCII text and credits with hyperlinks.
MIT_PIXI = b"""The MIT License

Copyright (c) 2013-2023 Mathew Groves, Chad Engler

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, subject to the following conditions: The above copyright
notice and this permission notice shall be included in all copies.
"""
MIT_HOWLER = MIT_PIXI.replace(
    b"2013-2023 Mathew Groves, Chad Engler", b"2013-2020 James Simpson and GoldFire Studios, Inc."
)
LGPL_P5 = b"""                  GNU LESSER GENERAL PUBLIC LICENSE
                       Version 2.1, February 1999

 Copyright (C) 1991, 1999 Free Software Foundation, Inc.
 51 Franklin Street, Fifth Floor, Boston, MA  02110-1301  USA
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

[This is the first released version of the Lesser GPL.  It also counts
 as the successor of the GNU Library Public License, version 2, hence
 the version number 2.1.]
"""
EXPLORABLE_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orbits — an explorable</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="css/style.css">
<script src="lib/pixi/pixi.min.js"></script>
<script src="lib/howler/howler.core.min.js"></script>
<script src="lib/p5/p5.min.js"></script>
<script type="module" src="js/main.js"></script>
</head><body>
<h1>Orbits: Kepler\u2019s laws, played</h1>
<canvas id="sky" width="480" height="320" aria-label="The planets\u2019 orbits"></canvas>
<p>Drag a planet; hear it chime at perihelion. Ångström-scale numbers need not apply.</p>
<footer>Sounds: <a href="https://freesound.org/people/kwahmah_02/sounds/256116/">click</a>
(CC BY-NC 3.0) and <a href="https://ccmixter.org/files/Zapac/">chime</a> (CC Sampling+ 1.0).
Libraries: <a href="https://pixijs.com/">PIXI.js</a>, <a href="https://howlerjs.com/">Howler.js</a>,
<a href="https://p5js.org/">p5.js</a>. Everything else is dedicated to the public domain (CC0).</footer>
</body></html>
""".encode()
EXPLORABLE_MAIN = b"""// SPDX-FileCopyrightText: 2025 Northfield University
// SPDX-License-Identifier: CC0-1.0
import { kepler } from './physics.js';

const planets = await (await fetch('data/planets.json')).json();
const click = new Howl({ src: ['assets/sounds/click.mp3'] });
localStorage.setItem('orbits:last', String(planets.length));
for (const p of planets) kepler(p, 0);
document.getElementById('sky').addEventListener('pointerdown', () => click.play());
"""
EXPLORABLE_PHYSICS = b"""// SPDX-FileCopyrightText: 2024 Ada Lovelace <ada@example.org>
// SPDX-License-Identifier: MIT
export function kepler(planet, t) {
  const n = 2 * Math.PI / planet.period;
  return planet.a * Math.cos(n * t);
}
"""
EXPLORABLE_REUSE_TOML = b"""version = 1

[[annotations]]
path = "assets/sounds/*.mp3"
precedence = "aggregate"
SPDX-FileCopyrightText = "2014 kwahmah_02 (freesound.org)"
SPDX-License-Identifier = "CC-BY-NC-3.0"
"""


def multi_licence_tool() -> tuple[dict[str, bytes], dict[str, Any]]:
    """The files and manifest of the multi-licence explorable (see the comment above)."""
    files = {
        "index.html": EXPLORABLE_INDEX,
        "css/style.css": b"body { font-family: system-ui, sans-serif; }\ncanvas { max-width: 100%; }\n",
        "js/main.js": EXPLORABLE_MAIN,
        "js/physics.js": EXPLORABLE_PHYSICS,
        "data/planets.json": json.dumps(
            [
                {"name": "Mercury", "a": 0.387, "period": 0.241},
                {"name": "Vénus", "a": 0.723, "period": 0.615},
            ]
        ).encode(),
        "assets/img/orbit.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "assets/sounds/click.mp3": b"ID3\x03\x00" + b"\x00" * 200,
        "assets/sounds/chime.ogg": b"OggS" + b"\x00" * 200,
        "assets/sounds/chime.ogg.license": b"SPDX-FileCopyrightText: 2008 Zapac (ccmixter.org)\n"
        b"SPDX-License-Identifier: LicenseRef-CC-Sampling-Plus-1.0\n",
        "lib/pixi/pixi.min.js": b"/*! pixi.js - v7.4.2 | MIT License */\nvar PIXI={};\n",
        "lib/pixi/LICENSE": MIT_PIXI,
        "lib/howler/howler.core.min.js": b"/*! howler.js v2.2.4 | (c) 2013-2020, James Simpson | MIT License */\nvar Howl=function(){};\n",
        "lib/howler/LICENSE.md": MIT_HOWLER,
        "lib/p5/p5.min.js": b"/*! p5.js v1.9.0 | LGPL-2.1 */\nvar p5=function(){};\n",
        "lib/p5/LICENSE": LGPL_P5,
        "REUSE.toml": EXPLORABLE_REUSE_TOML,
        "LICENSE": b"Orbits is dedicated to the public domain:\nhttps://creativecommons.org/publicdomain/zero/1.0/\n",
        "LICENSES/CC0-1.0.txt": b"Creative Commons Legal Code\n\nCC0 1.0 Universal\n",
        "LICENSES/MIT.txt": MIT_PIXI,
        "LICENSES/CC-BY-NC-3.0.txt": b"https://creativecommons.org/licenses/by-nc/3.0/legalcode\n",
        "LICENSES/LicenseRef-CC-Sampling-Plus-1.0.txt": b"https://creativecommons.org/licenses/sampling+/1.0/legalcode\n",
    }
    data = manifest(
        title="Orbits — an explorable",
        description="Kepler's laws to drag and hear.",
        license="CC-BY-NC-4.0",
        authors=[{"name": "Northfield University", "url": "https://northfield.example.ac.uk/"}],
        files=[{"path": "**", "license": "CC0-1.0", "copyright": "2025 Northfield University"}],
        third_party=[
            {
                "name": "PIXI.js",
                "version": "7.4.2",
                "url": "https://github.com/pixijs/pixijs",
                "license": "MIT",
                "copyright": "2013-2023 Mathew Groves, Chad Engler",
                "paths": ["lib/pixi/**"],
                "license_file": "lib/pixi/LICENSE",
            },
            {
                "name": "Howler.js",
                "version": "2.2.4",
                "url": "https://github.com/goldfire/howler.js",
                "license": "MIT",
                "copyright": "2013-2020 James Simpson and GoldFire Studios, Inc.",
                "paths": ["lib/howler/**"],
                "license_file": "lib/howler/LICENSE.md",
            },
            {
                "name": "p5.js",
                "version": "1.9.0",
                "url": "https://github.com/processing/p5.js",
                "license": "LGPL-2.1-only",
                "copyright": "2013-2024 p5.js contributors",
                "paths": ["lib/p5/**"],
                "license_file": "lib/p5/LICENSE",
            },
        ],
    )
    return files, data


# A font that is really a font (Debian's fonts-dejavu-core; the DejaVu fonts are free to
# redistribute, Bitstream Vera licence), for tools that bring their own typeface.
DEJAVU_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
# Credits a real tool carries: hyperlinks to what it builds on.
CREDIT_LINKS = (
    "https://dejavu-fonts.github.io/",
    "https://creativecommons.org/licenses/by-sa/4.0/",
)

FEATURES_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Atelier des mots: élève, Straße, 中文</title>
<link rel="stylesheet" href="css/style.css">
<script type="module" src="js/main.mjs"></script></head>
<body><h1 id="title">Atelier des mots — élève, Straße, 中文</h1>
<p id="words" lang="fr">Chargement…</p>
<ul>
<li>Données (XHR): <output id="json">…</output></li>
<li>Module: <output id="module">…</output></li>
<li>Worker: <output id="worker">…</output></li>
<li>Stockage: <output id="storage">…</output></li>
<li>Cadre (postMessage): <output id="frame-message">…</output></li>
<li>Cadre (parent): <output id="frame-parent">…</output></li>
<li>Police: <output id="font">…</output></li>
</ul>
<iframe id="inner" data-src="frames/inner.html" title="Cadre intérieur" width="300" height="60"></iframe>
<footer><p>Police DejaVu Sans Mono (<a href="%(font)s" target="_blank" rel="noopener">dejavu-fonts.github.io</a>),
texte sous <a href="%(licence)s" target="_blank" rel="noopener">CC BY-SA 4.0</a>.</p></footer>
</body></html>
"""

FEATURES_CSS = """@font-face { font-family: "Atelier Mono"; src: url("../fonts/DejaVuSansMono.ttf") format("truetype"); }
body { font-family: "Atelier Mono", monospace; margin: 1rem; }
output { font-weight: bold; }
"""

# Every feature either writes its result into the page or throws, so a feature that breaks
# where the tool is served fails validation with an uncaught error.
FEATURES_MAIN = """import { greet, WORDS_URL } from "./lib/words.mjs";

const show = (id, text) => { document.getElementById(id).textContent = text; };
const done = new Set();
const finish = (id, text) => {
  show(id, text); done.add(id);
  if (done.size === 7) document.body.setAttribute("data-ready", "1");
};

finish("module", greet("élève"));

const xhr = new XMLHttpRequest();
xhr.open("GET", WORDS_URL);
xhr.responseType = "json";
xhr.onload = () => {
  if (xhr.status !== 200 || !xhr.response) throw new Error("words.json did not load: " + xhr.status);
  show("words", xhr.response.words.join(", "));
  finish("json", xhr.response.words.length + " mots");
};
xhr.onerror = () => { throw new Error("words.json could not be fetched"); };
xhr.send();

const worker = new Worker("js/worker.js");
worker.onmessage = (event) => finish("worker", event.data);
worker.onerror = (event) => { throw new Error("worker failed: " + event.message); };
worker.postMessage([6, 7]);

const visits = Number(localStorage.getItem("atelier-visits") || "0") + 1;
localStorage.setItem("atelier-visits", String(visits));
finish("storage", "visite " + localStorage.getItem("atelier-visits"));

window.addEventListener("message", (event) => {
  if (event.origin !== location.origin) return;
  finish("frame-message", event.data);
});
window.atelierFromFrame = (text) => finish("frame-parent", text);
const inner = document.getElementById("inner");
inner.src = inner.dataset.src;  // once the handlers above are there to answer it

document.fonts.load('16px "Atelier Mono"').then((faces) => {
  if (!faces.length) throw new Error("the font did not load");
  finish("font", faces[0].family);
});
"""

FEATURES_WORDS_MODULE = """export const WORDS_URL = "data/words.json";
export function greet(name) { return `Bonjour, ${name}`; }
"""

FEATURES_WORKER = """self.onmessage = (event) => {
  const [a, b] = event.data;
  self.postMessage(`${a} fois ${b} font ${a * b}`);
};
"""

# No <meta charset> here: only the served charset keeps "intérieur" from turning to mojibake.
FEATURES_INNER = """<!doctype html><html lang="fr"><head><title>Cadre</title></head>
<body><p id="text">Cadre intérieur: élève</p><script>
if (document.characterSet !== "UTF-8") throw new Error("decoded as " + document.characterSet);
parent.postMessage(document.getElementById("text").textContent, location.origin);
parent.atelierFromFrame(parent.document.getElementById("title").textContent.slice(0, 14));
</script></body></html>
"""

FEATURES_WORDS = {"words": ["élève", "Straße", "中文", "naïveté", "façade"]}


def features_tool_files() -> dict[str, bytes]:
    """A tool using what real tools use: XHR of its own JSON, ES modules, a web worker,
    localStorage, nested frames talking to their parent, a web font, non-ASCII text, credits
    with hyperlinks. It shows each result in the page and sets `data-ready` on body when all
    seven worked; whatever does not work throws."""
    return {
        "index.html": (
            FEATURES_HTML % {"font": CREDIT_LINKS[0], "licence": CREDIT_LINKS[1]}
        ).encode(),
        "css/style.css": FEATURES_CSS.encode(),
        "js/main.mjs": FEATURES_MAIN.encode(),
        "js/lib/words.mjs": FEATURES_WORDS_MODULE.encode(),
        "js/worker.js": FEATURES_WORKER.encode(),
        "frames/inner.html": FEATURES_INNER.encode(),
        "data/words.json": json.dumps(FEATURES_WORDS, ensure_ascii=False).encode(),
        "fonts/DejaVuSansMono.ttf": DEJAVU_MONO.read_bytes(),
        "CREDITS.md": (
            "Font: DejaVu Sans Mono, " + CREDIT_LINKS[0] + " (Bitstream Vera licence).\n"
        ).encode(),
    }


def features_manifest(**overrides: Any) -> dict[str, Any]:
    return manifest(
        title="Atelier des mots",
        description="Des mots en français, en allemand et en chinois: élève, Straße, 中文.",
        language="fr",
        **overrides,
    )


# Marks the run step of test data; tests/repository/validation/ runs the step itself for real.
RUN_STEP_TEST_DATA = (
    "Test data: recorded as passed by tests/factories.py validated(); the tool or scenario "
    "was not run (validation's run step is tested with the real browser and sandbox)."
)


def validated(version_id: int) -> Any:
    """Test data: the version as a validation whose every step passed leaves it (published
    when its depositor asked), for tests of what follows validation: pages, forks, the API.

    The package, licence and content steps really run. The run step, which needs a browser
    or sandbox per test, is recorded as passed by this helper and says so in its message;
    only then does the run end, through the same code that ends a real one. A version that
    fails a real step is left failed.
    """
    from repository.actions.validation import finish_run, validate_version
    from repository.models import ValidationRun, ValidationStep

    run = validate_version(version_id)
    if run is None or run.state != ValidationRun.State.NOT_RUN:
        return run
    run.steps.filter(status=ValidationStep.Status.SKIPPED).update(
        status=ValidationStep.Status.PASSED, messages=[RUN_STEP_TEST_DATA], artefacts={}
    )
    Version.objects.filter(pk=version_id).update(state=Version.State.VALIDATING)
    run.version.refresh_from_db()
    return finish_run(run, ValidationRun.State.PASSED)


LARGE_EXPLORABLE = {"modules": 70, "images": 70, "sounds": 20, "data_files": 20}


def explorable_manifest(**overrides: Any) -> dict[str, Any]:
    """The manifest of `explorable_files`: its vendored library declared under its own licence."""
    tinyquery = {
        "name": "tinyquery",
        "version": "1.2.0",
        "license": "MIT",
        "copyright": ["2019 Ada Byron"],
        "paths": ["vendor/tinyquery-1.2.0.min.js"],
        "license_file": "vendor/LICENSE-tinyquery.txt",
    }
    return manifest(
        title="Les phases de la Lune", language="fr", third_party=[tinyquery], **overrides
    )


def explorable_files(
    *, modules: int = 6, images: int = 4, sounds: int = 1, data_files: int = 2, seed: int = 1
) -> dict[str, bytes]:
    """A tool shaped like the public explorables teachers deposit, the same bytes for a seed.

    An ES-module app (`js/main.js` importing `js/part-N.js`) that reads its own JSON with
    fetch, keeps a setting in localStorage, draws PNG and SVG images and offers audio, under
    a vendored MIT library with its licence header, with credits and non-ASCII text. Sized by
    its arguments: the defaults make a small tool (21 files, 310 KB); `LARGE_EXPLORABLE` makes
    one of 189 files and 8.2 MB.
    """
    import random
    import struct
    import wave

    from PIL import Image

    rng = random.Random(seed)  # test content, the same bytes every time
    files: dict[str, bytes] = {}
    shown = min(images, 12)
    figures = "".join(
        f'<figure><img src="img/plate-{n:02d}.png" alt="Plate {n}: phase of the moon" '
        f'width="96" height="96"{" loading=lazy" if n >= 4 else ""}>'
        f"<figcaption>Planche {n} — phase n° {n}</figcaption></figure>"
        for n in range(shown)
    )
    sounds_html = "".join(
        f'<audio controls preload="none" src="audio/tone-{n:02d}.wav">Tone {n}</audio>'
        for n in range(sounds)
    )
    files["index.html"] = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Les phases de la Lune</title><link rel="stylesheet" href="css/main.css">
<script src="vendor/tinyquery-1.2.0.min.js"></script>
<script type="module" src="js/main.js"></script></head><body>
<header><h1>Les phases de la Lune — Mondphasen</h1><img src="img/logo.svg" alt="Logo" width="48"
height="48"></header><main><p id="status">Chargement…</p>
<label for="day">Jour</label> <input id="day" type="range" min="0" max="29" value="0">
<button id="next" type="button">Jour suivant</button><output id="phase">—</output>
<section class="plates">{figures}</section>{sounds_html}</main>
<footer><a href="credits.html">Crédits</a> · <a href="LICENSE.txt">Licence</a></footer>
</body></html>""".encode()
    files["credits.html"] = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Crédits</title></head><body><h1>Crédits</h1><p>Images: Zoë Ångström, CC BY 4.0.
Code: Jürgen Øster (MIT). tinyquery: © 2019 Ada Byron, MIT.</p>
<p><a href="index.html">Retour</a></p></body></html>""".encode()
    files["LICENSE.txt"] = b"Code: MIT. Images and text: CC BY 4.0.\n"
    files["vendor/LICENSE-tinyquery.txt"] = (
        b"MIT License\n\nCopyright (c) 2019 Ada Byron\n\nPermission is hereby granted, free of "
        b"charge, to any person obtaining a copy of this software, to deal in the Software "
        b"without restriction.\n"
    )
    files["vendor/tinyquery-1.2.0.min.js"] = (
        b"/*! tinyquery 1.2.0 | (c) 2019 Ada Byron | MIT License */\n"
        b"window.tq=function(s){return document.querySelector(s)};\n"
    )
    files["css/main.css"] = (
        b"@import url('theme.css');body{font-family:sans-serif;margin:1rem;color:#222;background:#fdfdf8}"
        b".plates{display:flex;flex-wrap:wrap;gap:.5rem}figure{margin:0}"
        b"button{padding:.5rem 1rem}\n"
    )
    files["css/theme.css"] = b"h1{color:#1a3a6b}output{font-weight:bold}\n"
    files["img/logo.svg"] = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">'
        b'<circle cx="24" cy="24" r="20" fill="#f5e7a1"/><circle cx="30" cy="24" r="18" '
        b'fill="#1a3a6b"/></svg>'
    )
    imports = "\n".join(f"import {{ part{n} }} from './part-{n}.js';" for n in range(modules))
    calls = " + ".join(f"part{n}(day)" for n in range(modules)) or "0"
    files["js/main.js"] = f"""{imports}
const status = document.getElementById('status');
const day = document.getElementById('day');
const names = await (await fetch('data/phases.json')).json();
function show() {{
  const d = Number(day.value);
  localStorage.setItem('moon-day', String(d));
  document.getElementById('phase').textContent = names[d % names.length] + ' ' + ({calls});
}}
day.value = localStorage.getItem('moon-day') ?? '0';
day.addEventListener('input', show);
document.getElementById('next').addEventListener('click', () => {{
  day.value = String((Number(day.value) + 1) % 30); show();
}});
show();
status.textContent = window.tq('h1') ? 'Prêt' : 'Erreur';
""".encode()
    for n in range(modules):
        body = "\n".join(
            f"const k{i} = {rng.random():.6f}; // coefficient {i}"
            for i in range(rng.randint(20, 60))
        )
        files[f"js/part-{n}.js"] = (
            f"{body}\nexport function part{n}(day) {{ return Math.round(day * k0) % 2; }}\n"
        ).encode()
    files["data/phases.json"] = json.dumps(
        [
            "Nouvelle lune",
            "Premier croissant",
            "Premier quartier",
            "Gibbeuse croissante",
            "Pleine lune",
            "Gibbeuse décroissante",
            "Dernier quartier",
            "Dernier croissant",
        ],
        ensure_ascii=False,
    ).encode()
    for n in range(1, data_files):
        rows = [{"jour": d, "illumination": round(rng.random(), 4)} for d in range(400)]
        files[f"data/table-{n}.json"] = json.dumps(rows).encode()
    for n in range(images):
        side = 96 if n < shown else 150
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        files[f"img/plate-{n:02d}.png"] = buffer.getvalue()
    for n in range(sounds):
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(22050)
            out.writeframes(
                b"".join(struct.pack("<h", rng.randint(-3000, 3000)) for _ in range(88200))
            )
        files[f"audio/tone-{n:02d}.wav"] = buffer.getvalue()
    return files
