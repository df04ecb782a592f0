"""What a page loads from outside its package, told apart from what it links to (pure logic)."""

from repository.validation.resources import declared_by, scan_files


def refs(path: str, text: str) -> list[tuple[str, int, str, bool]]:
    scan = scan_files([(path, len(text), text.encode())], limit=1 << 20)
    return [(r.url, r.line, r.kind, r.loads) for r in scan.references]


def test_html_loads_are_told_from_links_with_their_lines():
    page = """<!doctype html>
<html><head>
<link rel="icon" href="https://cdn.example.org/favicon.ico">
<link rel="canonical" href="https://example.org/orbits">
<meta http-equiv="refresh" content="30; url=https://example.org/next">
</head><body>
<video poster="https://img.example.net/p.jpg"><track src="https://subs.example.net/es.vtt"></video>
<object data="https://plugins.example.com/x.swf"></object>
<area href="https://maps.example.com/x" shape="rect" coords="0,0,1,1">
<blockquote cite="https://quotes.example.com/1">…</blockquote>
<img src="data:image/png;base64,AAAA" alt=""><img src="img/local.png" alt="">
</body></html>"""
    assert refs("index.html", page) == [
        ("https://cdn.example.org/favicon.ico", 3, "link", True),
        ("https://example.org/orbits", 4, "link", False),
        ("https://example.org/next", 5, "refresh", True),
        ("https://img.example.net/p.jpg", 7, "image", True),
        ("https://subs.example.net/es.vtt", 7, "media", True),
        ("https://plugins.example.com/x.swf", 8, "object", True),
        ("https://maps.example.com/x", 9, "link", False),
        ("https://quotes.example.com/1", 10, "citation", False),
    ]


def test_an_external_base_href_counts_as_a_load():
    page = '<!doctype html><head><base href="https://cdn.example.org/app/"></head>'
    assert refs("index.html", page) == [("https://cdn.example.org/app/", 1, "base", True)]


def test_comments_are_ignored_in_html_css_and_script():
    page = """<!doctype html>
<!-- <script src="https://old.example/a.js"></script> -->
<style>/* @import "https://old.example/b.css"; */ p { color: red }</style>
<script>
// fetch("https://old.example/c")
/* new WebSocket("wss://old.example/d") */
var s = "no // comment here";
</script>"""
    assert refs("index.html", page) == []


def test_css_urls_quoted_unquoted_escaped_and_nested_in_media_rules():
    css = """@charset "utf-8";
@namespace svg url(http://www.w3.org/2000/svg);
@media (min-width: 600px) {
  .a { background: url(https://img.example.net/a.png) }
  .b { background: URL( "https://img.example.net/b.png" ) }
}
.c { background-image: image-set("https://img.example.net/c.png" 1x) }
.d { background: url('https:\\2f\\2fimg.example.net/d.png') }
@font-face { font-family: F; src: url(//fonts.example.com/f.ttf) }
"""
    assert refs("css/site.css", css) == [
        ("https://img.example.net/a.png", 4, "image", True),
        ("https://img.example.net/b.png", 5, "image", True),
        ("https://img.example.net/c.png", 7, "image", True),
        ("https://img.example.net/d.png", 8, "image", True),
        ("//fonts.example.com/f.ttf", 9, "font", True),
    ]


def test_script_urls_are_judged_by_what_the_code_does_with_them():
    js = """import confetti from "https://esm.example.com/confetti.js";
const xhr = new XMLHttpRequest(); xhr.open("GET", "https://api.example.org/x.json");
const worker = new Worker("https://cdn.example.org/worker.js");
img.src = 'https://img.example.net/live.png';
el.setAttribute("src", "https://img.example.net/attr.png");
const FEED = `https://api.example.org/feed/${topic}`;
fetch(FEED + "?page=1");
window.open("https://share.example.com/?u=1");
location.href = "https://example.org/done";
const about = "https://example.org/about";
const half = total / 2, pattern = /"https:\\/\\/not-a-string"/;
"""
    assert refs("js/app.js", js) == [
        ("https://esm.example.com/confetti.js", 1, "import", True),
        ("https://api.example.org/x.json", 2, "XMLHttpRequest", True),
        ("https://cdn.example.org/worker.js", 3, "worker", True),
        ("https://img.example.net/live.png", 4, "src", True),
        ("https://img.example.net/attr.png", 5, "src", True),
        ("https://api.example.org/feed/", 6, "fetch", True),
        ("https://share.example.com/?u=1", 8, "window.open", False),
        ("https://example.org/done", 9, "navigation", False),
        ("https://example.org/about", 10, "mentioned in script", False),
    ]


def test_inline_styles_and_event_handlers_are_read_too():
    page = """<div style="background:url(&quot;https://img.example.net/s.png&quot;)"></div>
<a href="javascript:fetch('https://api.example.org/ping')">ping</a>
<button onclick="new Image().src = 'https://track.example.com/p.gif'">x</button>"""
    assert refs("index.html", page) == [
        ("https://img.example.net/s.png", 1, "image", True),
        ("https://api.example.org/ping", 2, "fetch", True),
        ("https://track.example.com/p.gif", 3, "src", True),
    ]


def test_files_over_the_limit_are_listed_not_read_and_other_types_ignored():
    scan = scan_files(
        [("big.js", 10, None), ("photo.png", 99, b"\x89PNG"), ("empty.html", 0, b"")],
        limit=5,
    )
    assert scan.not_scanned == [("big.js", 10)]
    assert scan.references == []


def test_a_declaration_covers_the_url_or_a_folder_prefix_in_either_scheme_form():
    assert declared_by("https://fonts.example.com/a.css", ["https://fonts.example.com/a.css"])
    assert declared_by("https://fonts.example.com/a.css", ["https://fonts.example.com/"])
    assert declared_by("//fonts.example.com/a.css", ["https://fonts.example.com/"])
    assert declared_by("https://fonts.example.com/a.css", ["//fonts.example.com/"])
    assert not declared_by(
        "https://fonts.example.com.evil.example/a.css", ["https://fonts.example.com"]
    )
    assert not declared_by("https://fonts.example.com/a.css", ["https://cdn.example.com/"])
