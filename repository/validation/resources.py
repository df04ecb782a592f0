"""What a deposited tool loads from outside its package, told apart from what it merely links to.

A page that *loads* a script, a style sheet, an image, a font, a frame or data from another
site stops working offline (and on a locked-down school network); a page that *links* to one
(credits, "share" buttons, footnotes, `window.open`) works the same everywhere. So HTML is read
with a real parser (lxml's, which keeps line numbers), CSS with a CSS tokenizer (tinycss2), and
JavaScript is lexed just far enough to skip comments and read string literals in context. Only
absolute URLs (`https:`, `ws:`, `//host`) count; `data:`, `blob:` and relative paths are the
package's own. Django-free: it takes paths and bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import tinycss2
from lxml import etree
from lxml import html as lxml_html

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
CSS_SUFFIXES = (".css",)
JS_SUFFIXES = (".js", ".mjs", ".cjs")
SVG_SUFFIXES = (".svg",)
SCANNED_SUFFIXES = HTML_SUFFIXES + CSS_SUFFIXES + JS_SUFFIXES + SVG_SUFFIXES

EXTERNAL = re.compile(r"^\s*(?:(?:https?|wss?|ftp):)?//[^/\s]", re.IGNORECASE)
SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript", "text/ecmascript"}
# <link rel=…> values that make the browser fetch the target; the others (author, license,
# canonical, alternate, preconnect, …) name a page or a host and fetch nothing.
LOADING_RELS = {
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "preload",
    "modulepreload",
    "prefetch",
    "manifest",
}
# (tag, attribute, kind) the browser fetches as the page loads.
LOADING_ATTRIBUTES = [
    ("script", "src", "script"),
    ("img", "src", "image"),
    ("input", "src", "image"),
    ("image", "href", "image"),
    ("image", "{http://www.w3.org/1999/xlink}href", "image"),
    ("image", "xlink:href", "image"),
    ("video", "src", "media"),
    ("video", "poster", "image"),
    ("audio", "src", "media"),
    ("source", "src", "media"),
    ("track", "src", "media"),
    ("iframe", "src", "frame"),
    ("frame", "src", "frame"),
    ("embed", "src", "object"),
    ("object", "data", "object"),
    ("body", "background", "image"),
    ("table", "background", "image"),
    ("td", "background", "image"),
    ("base", "href", "base"),
]
SRCSET_TAGS = {"img", "source"}
# (tag, attribute, kind) that navigate only when someone follows them.
LINK_ATTRIBUTES = [
    ("a", "href", "link"),
    ("a", "{http://www.w3.org/1999/xlink}href", "link"),
    ("a", "xlink:href", "link"),
    ("area", "href", "link"),
    ("form", "action", "form"),
    ("button", "formaction", "form"),
    ("input", "formaction", "form"),
    ("blockquote", "cite", "citation"),
    ("q", "cite", "citation"),
    ("ins", "cite", "citation"),
    ("del", "cite", "citation"),
]
SRCSET_DESCRIPTOR = re.compile(r"^\d+(?:\.\d+)?[wxh]$")
META_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\"\s;]+)", re.IGNORECASE)

# JavaScript: what the code right before a URL literal says it is for.
JS_LOADS = [
    (re.compile(r"\bfetch\(\s*$"), "fetch"),
    (re.compile(r"\.open\(\s*(['\"])[A-Za-z]+\1\s*,\s*$"), "XMLHttpRequest"),
    (re.compile(r"\bimport\(\s*$"), "import"),
    (re.compile(r"(?:^|[;\s}])import\s*$|\bfrom\s*$"), "import"),
    (re.compile(r"\bnew\s+WebSocket\(\s*$"), "WebSocket"),
    (re.compile(r"\bnew\s+EventSource\(\s*$"), "EventSource"),
    (re.compile(r"\bnew\s+(?:Shared)?Worker\(\s*$"), "worker"),
    (re.compile(r"\bimportScripts\([^)]*$"), "importScripts"),
    (re.compile(r"\bsendBeacon\(\s*$"), "beacon"),
    (re.compile(r"\.register\(\s*$"), "worker"),
    (re.compile(r"\.src\s*=\s*$"), "src"),
    (re.compile(r"\.setAttribute\(\s*(['\"])(?:src|data|poster)\1\s*,\s*$"), "src"),
    (re.compile(r"\b(?:\$|jQuery|axios)\.(?:get|getJSON|getScript|post|ajax|load)\(\s*$"), "fetch"),
]
JS_LINKS = [
    (re.compile(r"\bopen\(\s*$"), "window.open"),
    (re.compile(r"\blocation(?:\.href)?\s*=\s*$"), "navigation"),
    (re.compile(r"\blocation\.(?:assign|replace)\(\s*$"), "navigation"),
    (re.compile(r"\.href\s*=\s*$"), "link"),
]
JS_NAMED = re.compile(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*$")
JS_USE_OF_NAME = (
    r"(?:\bfetch|\bimport|\bnew\s+(?:WebSocket|EventSource|(?:Shared)?Worker)|\bimportScripts"
    r"|\bsendBeacon|\.open\(\s*(['\"])[A-Za-z]+\1\s*,)\(?\s*{name}\b|\.src\s*=\s*{name}\b"
)
# After these, a `/` starts a regular expression literal, not a division.
REGEX_AFTER_PUNCT = set("(,=:[!&|?{};+-*%<>~^")
REGEX_AFTER_WORDS = {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete"}
REGEX_AFTER_WORDS |= {"void", "throw", "yield", "await", "instanceof"}
JS_CHUNK = re.compile(r"[^/\"'`]+")
JS_STRING = {
    '"': re.compile(r'"(?:\\.|[^"\\\n])*"?', re.S),
    "'": re.compile(r"'(?:\\.|[^'\\\n])*'?", re.S),
    "`": re.compile(r"`(?:\\.|[^`\\])*`?", re.S),
}
JS_REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[A-Za-z]*")
JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)


@dataclass(frozen=True, order=True)
class Reference:
    """An absolute URL found in a file, and whether the page loads it or only points to it."""

    url: str
    path: str
    line: int
    kind: str
    loads: bool

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Scan:
    """Every reference found in a package's files, and the files too big to be read."""

    references: list[Reference] = field(default_factory=list)
    not_scanned: list[tuple[str, int]] = field(default_factory=list)

    @property
    def loads(self) -> list[Reference]:
        return sorted(r for r in self.references if r.loads)

    @property
    def links(self) -> list[Reference]:
        return sorted(r for r in self.references if not r.loads)


def is_external(url: str) -> bool:
    return bool(EXTERNAL.match(url))


def declared_by(url: str, declared: Iterable[str]) -> bool:
    """Whether the manifest declares `url`: the same URL, or a prefix of it (a site or folder).

    `//host/x` and `https://host/x` name the same resource over https, so either form counts.
    """
    forms = {url}
    if url.startswith("//"):
        forms |= {"https:" + url, "http:" + url}
    for entry in declared:
        entry = entry.strip()
        entry_forms = {entry, "https:" + entry} if entry.startswith("//") else {entry}
        if any(f == e or (f.startswith(e) and e.endswith("/")) for f in forms for e in entry_forms):
            return True
    return False


def scan_files(files: Iterable[tuple[str, int, bytes | None]], *, limit: int) -> Scan:
    """Scan (path, size, bytes) triples; bytes is None for a file over `limit`, never read."""
    scan = Scan()
    for path, size, data in files:
        if not path.lower().endswith(SCANNED_SUFFIXES):
            continue
        if data is None or size > limit:
            scan.not_scanned.append((path, size))
            continue
        scan.references.extend(scan_file(path, data))
    return scan


def scan_file(path: str, data: bytes) -> list[Reference]:
    name = path.lower()
    if name.endswith(HTML_SUFFIXES + SVG_SUFFIXES):
        return list(scan_html(path, data, svg=name.endswith(SVG_SUFFIXES)))
    text = data.decode("utf-8", errors="replace")
    if name.endswith(CSS_SUFFIXES):
        return list(scan_css(path, text))
    return list(scan_js(path, text))


# HTML ------------------------------------------------------------------------------------


def parse_html(data: bytes, *, svg: bool) -> Any:
    """The document's tree, comments dropped; None for an empty or unreadable file."""
    parser: Any
    if svg:
        parser = etree.XMLParser(
            recover=True, remove_comments=True, resolve_entities=False, no_network=True
        )
    else:
        parser = lxml_html.HTMLParser(recover=True, remove_comments=True, no_network=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # a processing instruction or an entity
    return tag.rsplit("}", 1)[-1].lower()


def scan_html(path: str, data: bytes, *, svg: bool = False) -> Iterator[Reference]:
    root = parse_html(data, svg=svg)
    if root is None:
        return
    for element in root.iter():
        tag = local_name(element.tag)
        if not tag:
            continue
        line = element.sourceline or 1
        attrs = {
            (k if k.startswith("{http://www.w3.org/1999/xlink}") else local_name(k)): v
            for k, v in element.attrib.items()
        }
        yield from element_references(path, line, tag, attrs)
        if tag == "style" and element.text:
            yield from scan_css(path, element.text, line_offset=line - 1)
        elif tag == "script" and "src" not in attrs and element.text and is_script(attrs):
            yield from scan_js(path, element.text, line_offset=line - 1)


def is_script(attrs: dict[str, str]) -> bool:
    """JavaScript, not data (JSON-LD, templates) that merely sits in a <script> element."""
    return attrs.get("type", "").strip().lower() in SCRIPT_TYPES


def element_references(
    path: str, line: int, tag: str, attrs: dict[str, str]
) -> Iterator[Reference]:
    def ref(url: str, kind: str, loads: bool) -> Iterator[Reference]:
        if is_external(url):
            yield Reference(url.strip(), path, line, kind, loads)

    for wanted, attribute, kind in LOADING_ATTRIBUTES:
        if tag == wanted and attribute in attrs:
            yield from ref(attrs[attribute], kind, True)
    for wanted, attribute, kind in LINK_ATTRIBUTES:
        if tag == wanted and attribute in attrs:
            yield from ref(attrs[attribute], kind, False)
    if tag in SRCSET_TAGS and "srcset" in attrs:
        for url in srcset_urls(attrs["srcset"]):
            yield from ref(url, "image", True)
    if tag == "link" and "href" in attrs:
        rels = set(attrs.get("rel", "").lower().split())
        loads = bool(rels & LOADING_RELS)
        yield from ref(attrs["href"], "stylesheet" if "stylesheet" in rels else "link", loads)
        if loads and "imagesrcset" in attrs:
            for url in srcset_urls(attrs["imagesrcset"]):
                yield from ref(url, "image", True)
    if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
        found = META_REFRESH.search(attrs.get("content", ""))
        if found:
            yield from ref(found.group(1), "refresh", True)
    if "style" in attrs:
        yield from scan_css(path, attrs["style"], line_offset=line - 1, inline=True)
    for name, value in attrs.items():
        if name.startswith("on"):  # onclick="window.open('https://…')"
            yield from scan_js(path, value, line_offset=line - 1)
    for name in ("href", "action"):
        if attrs.get(name, "").strip().lower().startswith("javascript:"):
            yield from scan_js(path, attrs[name].strip()[11:], line_offset=line - 1)


def srcset_urls(srcset: str) -> list[str]:
    """The image URLs of a srcset ("a.jpg 1x, b.jpg 2x", "a.jpg 480w,b.jpg 800w")."""
    urls = []
    for token in srcset.replace(",", ", ").split():
        token = token.rstrip(",")
        if token and not SRCSET_DESCRIPTOR.match(token):
            urls.append(token)
    return urls


# CSS -------------------------------------------------------------------------------------


def scan_css(
    path: str, text: str, *, line_offset: int = 0, inline: bool = False
) -> Iterator[Reference]:
    """url(), @import and @font-face sources, quoted or not, escapes read as CSS reads them."""
    if inline:
        nodes = tinycss2.parse_component_value_list(text, skip_comments=True)
        yield from css_urls(path, nodes, line_offset, "style")
        return
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword == "namespace":  # names a namespace, fetches nothing
                continue
            if keyword == "import":
                for token in rule.prelude:
                    if token.type in {"string", "url"}:
                        url = token.value
                        if is_external(url):
                            yield Reference(
                                url, path, token.source_line + line_offset, "stylesheet", True
                            )
                        break
                    if token.type == "function" and token.lower_name == "url":
                        yield from css_urls(path, [token], line_offset, "stylesheet")
                        break
                continue
            kind = "font" if keyword == "font-face" else "style"
            yield from css_urls(
                path, list(rule.prelude) + list(rule.content or []), line_offset, kind
            )
        elif rule.type == "qualified-rule":
            yield from css_urls(path, rule.content, line_offset, "style")


def css_urls(
    path: str, nodes: Iterable[object], line_offset: int, kind: str
) -> Iterator[Reference]:
    for node in nodes:
        node_type = getattr(node, "type", "")
        if node_type == "url":
            url = str(getattr(node, "value", ""))
            if is_external(url):
                line = int(getattr(node, "source_line", 1)) + line_offset
                yield Reference(url, path, line, css_kind(kind, url), True)
        elif node_type == "function":
            name = str(getattr(node, "lower_name", ""))
            arguments = list(getattr(node, "arguments", []))
            if name in {"url", "src", "image-set", "-webkit-image-set"}:
                for argument in arguments:
                    if getattr(argument, "type", "") == "string":
                        url = str(getattr(argument, "value", ""))
                        if is_external(url):
                            line = int(getattr(argument, "source_line", 1)) + line_offset
                            yield Reference(url, path, line, css_kind(kind, url), True)
            yield from css_urls(path, arguments, line_offset, kind)
        elif node_type in {"() block", "[] block", "{} block"}:
            yield from css_urls(path, getattr(node, "content", []), line_offset, kind)
        elif node_type == "at-rule":  # nested (@media, @supports, @font-face inside them)
            inner = "font" if getattr(node, "lower_at_keyword", "") == "font-face" else kind
            yield from css_urls(path, getattr(node, "content", None) or [], line_offset, inner)
        elif node_type == "qualified-rule":
            yield from css_urls(path, getattr(node, "content", []), line_offset, kind)


def css_kind(kind: str, url: str) -> str:
    if kind == "font" or re.search(r"\.(?:woff2?|ttf|otf|eot)(?:[?#]|$)", url, re.I):
        return "font"
    return "image" if kind == "style" else kind


# JavaScript ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JsString:
    value: str
    start: int
    line: int


def js_strings(text: str) -> tuple[list[JsString], str]:
    """The string literals of a script, and its text with comments blanked (lines kept)."""
    strings: list[JsString] = []
    code: list[str] = []
    i, line, n = 0, 1, len(text)
    last = ""  # the last significant code before `i`: tells a regex literal from a division
    while i < n:
        char = text[i]
        if char in JS_STRING:
            match = JS_STRING[char].match(text, i)
            assert match is not None  # the pattern matches at least the quote
            raw = match.group()
            if "/" in raw or "\\" in raw:  # only these can hold an absolute URL
                strings.append(JsString(js_unescape(raw[1:-1] if len(raw) > 1 else ""), i, line))
            code.append(raw)
            line += raw.count("\n")
            i, last = match.end(), "x"
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            code.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            comment = text[i:end]
            code.append(re.sub(r"[^\n]", " ", comment))
            line += comment.count("\n")
            i = end
        elif char == "/":
            match = JS_REGEX.match(text, i) if regex_may_start(last) else None
            end = match.end() if match else i + 1
            code.append(text[i:end])
            i, last = end, "x" if match else "/"
        else:
            match = JS_CHUNK.match(text, i)
            assert match is not None
            chunk = match.group()
            code.append(chunk)
            line += chunk.count("\n")
            stripped = chunk.rstrip()
            if stripped:
                last = stripped
            i = match.end()
    return strings, "".join(code)


def regex_may_start(before: str) -> bool:
    if not before:
        return True
    if before[-1] in REGEX_AFTER_PUNCT:
        return True
    word = re.search(r"[A-Za-z_$][\w$]*$", before)
    return bool(word and word.group() in REGEX_AFTER_WORDS)


def js_unescape(raw: str) -> str:
    def one(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape.startswith("u{"):
            return chr(int(escape[2:-1], 16))
        if escape[0] in "ux" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return {"n": "\n", "t": "\t", "r": "\r"}.get(escape, escape)

    return JS_ESCAPE.sub(one, raw)


def scan_js(path: str, text: str, *, line_offset: int = 0) -> Iterator[Reference]:
    """URL literals a script loads (fetch, XHR, import, WebSocket, workers, .src) or opens."""
    strings, code = js_strings(text)
    for string in strings:
        if not is_external(string.value):
            continue
        url = string.value.split("${", 1)[0].strip()
        line = string.line + line_offset
        before = code[max(0, string.start - 120) : string.start]
        kind, loads = js_use(before, code, string)
        yield Reference(url, path, line, kind, loads)


def js_use(before: str, code: str, string: JsString) -> tuple[str, bool]:
    tail = before.rstrip()
    # Every use below ends in "(", ",", "=" or an import keyword: anything else (an object
    # key, an array item after "[", a concatenation) is a mention, found without the patterns.
    if not tail or (tail[-1] not in "(,=" and not tail.endswith(("from", "import"))):
        return "mentioned in script", False
    for pattern, kind in JS_LOADS:
        if pattern.search(before):
            return kind, True
    for pattern, kind in JS_LINKS:
        if pattern.search(before):
            return kind, False
    named = JS_NAMED.search(before)
    if named:
        use = re.compile(JS_USE_OF_NAME.format(name=re.escape(named.group(1))))
        if use.search(code, string.start):
            return "fetch", True
    # A URL the script only mentions (a share link, an attribution): it may be used either
    # way; the browser check sees what is really requested.
    return "mentioned in script", False
