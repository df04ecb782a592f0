"""H5P and SCORM packages the tests build themselves (none may be downloaded at test time).

The H5P package carries a small library of our own, `H5P.RemixbankQuiz 1.0` (a multiple-choice
question following the H5P library format: library.json, its script and styles, and a styles
library it depends on), with French content, a credited image and an H5P change log. The SCORM
packages carry real SCOs that find the run-time in their parent frames, start, set their status
and score as the learner answers, commit, and terminate when their page is unloaded.
"""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

QUIZ = {"machineName": "H5P.RemixbankQuiz", "majorVersion": 1, "minorVersion": 0}
STYLES = {"machineName": "H5P.RemixbankStyles", "majorVersion": 1, "minorVersion": 0}

QUIZ_LIBRARY = {
    "title": "Remixbank quiz",
    "machineName": "H5P.RemixbankQuiz",
    "majorVersion": 1,
    "minorVersion": 0,
    "patchVersion": 3,
    "runnable": 1,
    "author": "Northfield University",
    "license": "MIT",
    "embedTypes": ["iframe"],
    "coreApi": {"majorVersion": 1, "minorVersion": 24},
    "preloadedJs": [{"path": "js/quiz.js"}],
    "preloadedCss": [{"path": "css/quiz.css"}],
    "preloadedDependencies": [STYLES],
}
STYLES_LIBRARY = {
    "title": "Remixbank styles",
    "machineName": "H5P.RemixbankStyles",
    "majorVersion": 1,
    "minorVersion": 0,
    "patchVersion": 1,
    "runnable": 0,
    "license": "MIT",
    "preloadedCss": [{"path": "styles.css"}],
}
QUIZ_JS = b"""/* H5P.RemixbankQuiz: one multiple-choice question, as an H5P content type. */
var H5P = H5P || {};
H5P.RemixbankQuiz = (function ($) {
  function RemixbankQuiz(params, contentId) {
    H5P.EventDispatcher.call(this);
    this.params = params;
    this.contentId = contentId;
  }
  RemixbankQuiz.prototype = Object.create(H5P.EventDispatcher.prototype);
  RemixbankQuiz.prototype.constructor = RemixbankQuiz;
  RemixbankQuiz.prototype.attach = function ($container) {
    var self = this;
    var params = this.params;
    $container.addClass('remixbank-quiz');
    $('<h2>').text(params.question).appendTo($container);
    if (params.image && params.image.path) {
      $('<img>', {
        src: H5P.getPath(params.image.path, this.contentId),
        alt: params.image.alt, width: 96, height: 96
      }).appendTo($container);
    }
    var $list = $('<ul role="radiogroup">').appendTo($container);
    params.answers.forEach(function (answer, index) {
      var id = 'answer-' + self.contentId + '-' + index;
      var $item = $('<li>').appendTo($list);
      $('<input type="radio" name="answer">').attr('id', id).data('correct', !!answer.correct)
        .appendTo($item);
      $('<label>').attr('for', id).text(answer.text).appendTo($item);
    });
    var $feedback = $('<p class="feedback" role="status">');
    $('<button type="button">').text(params.checkLabel).on('click', function () {
      var $chosen = $list.find('input:checked');
      var correct = $chosen.length > 0 && $chosen.data('correct');
      $feedback.text(correct ? params.right : params.wrong);
      self.triggerXAPI('answered');
    }).appendTo($container);
    $feedback.appendTo($container);
  };
  return RemixbankQuiz;
})(H5P.jQuery);
"""
QUIZ_CSS = b".remixbank-quiz ul { list-style: none; padding: 0; }\n.remixbank-quiz .feedback { font-weight: bold; }\n"
STYLES_CSS = (
    b".remixbank-quiz { font-family: system-ui, sans-serif; color: #1b1b1b; padding: 1em; }\n"
)
QUIZ_CONTENT: dict[str, Any] = {
    "question": "Quelle planète est la plus proche du Soleil ?",
    "answers": [
        {"text": "Mercure", "correct": True},
        {"text": "Vénus", "correct": False},
        {"text": "Mars", "correct": False},
    ],
    "checkLabel": "Vérifier",
    "right": "Bravo ! Mercure orbite à 0,39 ua.",
    "wrong": "Pas tout à fait : essayez encore.",
    "image": {
        "path": "images/mercure.png",
        "mime": "image/png",
        "alt": "Mercure vue par MESSENGER",
        "copyright": {
            "license": "CC BY-SA",
            "version": "4.0",
            "author": "Zoë Ångström",
            "source": "https://example.org/mercure",
        },
    },
}


def png(colour: tuple[int, int, int] = (170, 120, 90)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def h5p_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Planètes : le quiz",
        "language": "fr",
        "mainLibrary": "H5P.RemixbankQuiz",
        "embedTypes": ["iframe"],
        "license": "CC BY-SA",
        "licenseVersion": "4.0",
        "authors": [
            {"name": "Zoë Ångström", "role": "Author"},
            {"name": "Kofi Mensah", "role": "Editor"},
        ],
        "source": "https://example.org/quiz-planetes",
        "changes": [
            {"date": "2025-03-01", "author": "Kofi Mensah", "log": "Ajout de l'image de Mercure"}
        ],
        "preloadedDependencies": [QUIZ, STYLES],
    }
    data.update(overrides)
    return data


def h5p_files(
    *, h5p: dict[str, Any] | None = None, content: dict[str, Any] | None = None
) -> dict[str, bytes]:
    return {
        "h5p.json": json.dumps(h5p or h5p_json(), ensure_ascii=False).encode(),
        "content/content.json": json.dumps(content or QUIZ_CONTENT, ensure_ascii=False).encode(),
        "content/images/mercure.png": png(),
        "H5P.RemixbankQuiz-1.0/library.json": json.dumps(QUIZ_LIBRARY).encode(),
        "H5P.RemixbankQuiz-1.0/js/quiz.js": QUIZ_JS,
        "H5P.RemixbankQuiz-1.0/css/quiz.css": QUIZ_CSS,
        "H5P.RemixbankStyles-1.0/library.json": json.dumps(STYLES_LIBRARY).encode(),
        "H5P.RemixbankStyles-1.0/styles.css": STYLES_CSS,
    }


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def h5p_package(path: Path, **changes: Any) -> Path:
    """An .h5p file; `drop` removes paths, `add` adds files, `h5p`/`content` replace the JSON."""
    files = h5p_files(h5p=changes.get("h5p"), content=changes.get("content"))
    for name in changes.get("drop", ()):
        files = {p: d for p, d in files.items() if not p.startswith(name)}
    files.update(changes.get("add", {}))
    return write_zip(path, files)


# SCORM ---------------------------------------------------------------------------------------

SCORM_12_NAMESPACES = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" '
    'xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"'
)
SCORM_2004_NAMESPACES = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:imsmd="http://ltsc.ieee.org/xsd/LOM"'
)


def scorm_manifest(version: str, *, sco_files: list[str], extra_file: str = "") -> bytes:
    is_12 = version == "1.2"
    namespaces = SCORM_12_NAMESPACES if is_12 else SCORM_2004_NAMESPACES
    schemaversion = "1.2" if is_12 else "2004 4th Edition"
    attribute = "adlcp:scormtype" if is_12 else "adlcp:scormType"
    files = "".join(
        f'<file href="{f}"/>' for f in [*sco_files, *([extra_file] if extra_file else [])]
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="org.example.photosynthese" version="1.1" {namespaces}>
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>{schemaversion}</schemaversion>
    <imsmd:lom>
      <imsmd:general>
        <imsmd:title><imsmd:string language="fr">La photosynthèse en cinq minutes</imsmd:string></imsmd:title>
        <imsmd:description><imsmd:string language="fr">Un module court : lumière, eau, CO₂ et glucose.</imsmd:string></imsmd:description>
      </imsmd:general>
      <imsmd:lifeCycle>
        <imsmd:contribute>
          <imsmd:role><imsmd:value>author</imsmd:value></imsmd:role>
          <imsmd:entity>BEGIN:VCARD
VERSION:3.0
FN:Søren Ødegaard
ORG:Lakeside College
END:VCARD</imsmd:entity>
        </imsmd:contribute>
      </imsmd:lifeCycle>
      <imsmd:rights>
        <imsmd:copyrightAndOtherRestrictions><imsmd:value>yes</imsmd:value></imsmd:copyrightAndOtherRestrictions>
        <imsmd:description><imsmd:string language="en">CC BY 4.0: https://creativecommons.org/licenses/by/4.0/</imsmd:string></imsmd:description>
      </imsmd:rights>
    </imsmd:lom>
  </metadata>
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>La photosynthèse</title>
      <item identifier="item-lesson" identifierref="res-sco">
        <title>Leçon et question</title>
      </item>
      <item identifier="item-notes" identifierref="res-notes">
        <title>Notes pour l'enseignant</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-sco" type="webcontent" {attribute}="sco" href="sco/index.html">
      {files}
      <dependency identifierref="res-shared"/>
    </resource>
    <resource identifier="res-notes" type="webcontent" {attribute}="asset" href="notes/index.html">
      <file href="notes/index.html"/>
    </resource>
    <resource identifier="res-shared" type="webcontent" {attribute}="asset">
      <file href="common/leaf.svg"/>
    </resource>
  </resources>
</manifest>
""".encode()


SCO_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>La photosynthèse</title>
<link rel="stylesheet" href="style.css"><script src="sco.js" defer></script></head>
<body><main>
<h1><img src="../common/leaf.svg" alt="" width="32" height="32"> La photosynthèse</h1>
<p id="greeting">Bonjour !</p>
<p>Les plantes transforment la lumière, l'eau et le CO₂ en glucose et en dioxygène.
Voir <a href="https://fr.wikipedia.org/wiki/Photosynth%C3%A8se" target="_blank" rel="noopener">l'article</a>.</p>
<fieldset><legend>Quel gaz les plantes rejettent-elles ?</legend>
<label><input type="radio" name="q" value="o2"> Le dioxygène</label>
<label><input type="radio" name="q" value="co2"> Le dioxyde de carbone</label>
</fieldset>
<button id="check" type="button">Vérifier</button>
<p id="feedback" role="status"></p>
</main></body></html>
""".encode()

SCO_12_JS = """// A SCORM 1.2 SCO: find the API, start, record the answer, commit, finish on unload.
(function () {
  'use strict';
  function findAPI(win) {
    for (var tries = 0; win && tries < 10; tries++) {
      if (win.API) return win.API;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findAPI(window.parent);
  var started = new Date();
  var finished = false;
  if (!api) { document.getElementById('feedback').textContent = 'Pas de LMS.'; return; }
  api.LMSInitialize('');
  var name = api.LMSGetValue('cmi.core.student_name');
  document.getElementById('greeting').textContent = 'Bonjour ' + (name || 'à vous') + ' !';
  api.LMSSetValue('cmi.core.lesson_status', 'incomplete');
  api.LMSSetValue('cmi.core.lesson_location', 'question-1');
  api.LMSCommit('');
  document.getElementById('check').addEventListener('click', function () {
    if (finished) return;
    var chosen = document.querySelector('input[name=q]:checked');
    var right = !!chosen && chosen.value === 'o2';
    api.LMSSetValue('cmi.core.score.raw', right ? '100' : '0');
    api.LMSSetValue('cmi.core.lesson_status', right ? 'passed' : 'failed');
    api.LMSCommit('');
    document.getElementById('feedback').textContent = right ? 'Exact !' : 'Non : le dioxygène.';
  });
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  window.addEventListener('unload', function () {
    if (finished) return;
    finished = true;
    var s = Math.round((new Date() - started) / 1000);
    api.LMSSetValue('cmi.core.session_time',
      pad(Math.floor(s / 3600)) + ':' + pad(Math.floor(s / 60) % 60) + ':' + pad(s % 60));
    api.LMSCommit('');
    api.LMSFinish('');
  });
})();
""".encode()

SCO_2004_JS = """// A SCORM 2004 SCO: find API_1484_11, start, record the answer, commit, terminate on unload.
(function () {
  'use strict';
  function findAPI(win) {
    for (var tries = 0; win && tries < 10; tries++) {
      if (win.API_1484_11) return win.API_1484_11;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findAPI(window.parent);
  var started = new Date();
  var finished = false;
  if (!api) { document.getElementById('feedback').textContent = 'Pas de LMS.'; return; }
  api.Initialize('');
  var bookmark = api.GetValue('cmi.location');  // nothing yet: error 403, as on a first visit
  var name = api.GetValue('cmi.learner_name');
  document.getElementById('greeting').textContent = 'Bonjour ' + (name || 'à vous') + ' !';
  api.SetValue('cmi.completion_status', 'incomplete');
  api.SetValue('cmi.location', bookmark || 'question-1');
  api.Commit('');
  document.getElementById('check').addEventListener('click', function () {
    if (finished) return;
    var chosen = document.querySelector('input[name=q]:checked');
    var right = !!chosen && chosen.value === 'o2';
    api.SetValue('cmi.score.scaled', right ? '1' : '0');
    api.SetValue('cmi.success_status', right ? 'passed' : 'failed');
    api.SetValue('cmi.completion_status', 'completed');
    api.Commit('');
    document.getElementById('feedback').textContent = right ? 'Exact !' : 'Non : le dioxygène.';
  });
  window.addEventListener('unload', function () {
    if (finished) return;
    finished = true;
    api.SetValue('cmi.session_time', 'PT' + Math.round((new Date() - started) / 1000) + 'S');
    api.Commit('');
    api.Terminate('');
  });
})();
""".encode()

# Finds the run-time and shows its page, but never starts a session: an LMS records nothing.
SCO_NEVER_STARTS_JS = b"""(function () {
  var win = window.parent, api = null;
  for (var i = 0; win && i < 10 && !api; i++) { api = win.API || null; win = win.parent; }
  document.getElementById('greeting').textContent = api ? 'Bonjour !' : 'Pas de LMS.';
})();
"""
SCO_CSS = b"body { font-family: system-ui, sans-serif; margin: 1.5em; }\nfieldset { border: 1px solid #7a7a7a; }\n"
LEAF_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M4 28C4 12 14 4 28 4 28 18 20 28 4 28z" fill="#2e7d32"/></svg>'
NOTES_HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Notes</title></head>
<body><p>Durée : cinq minutes. Prérequis : aucun.</p></body></html>""".encode()


def scorm_files(version: str, *, sco_js: bytes | None = None) -> dict[str, bytes]:
    js = sco_js if sco_js is not None else (SCO_12_JS if version == "1.2" else SCO_2004_JS)
    sco_files = ["sco/index.html", "sco/sco.js", "sco/style.css"]
    return {
        "imsmanifest.xml": scorm_manifest(version, sco_files=sco_files),
        "sco/index.html": SCO_HTML,
        "sco/sco.js": js,
        "sco/style.css": SCO_CSS,
        "common/leaf.svg": LEAF_SVG,
        "notes/index.html": NOTES_HTML,
    }


def scorm_package(path: Path, version: str = "1.2", **changes: Any) -> Path:
    """A SCORM zip; `sco_js` replaces the SCO's script, `drop` removes paths, `add` adds files."""
    files = scorm_files(version, sco_js=changes.get("sco_js"))
    for name in changes.get("drop", ()):
        files.pop(name)
    files.update(changes.get("add", {}))
    return write_zip(path, files)
