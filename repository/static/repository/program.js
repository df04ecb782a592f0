/* "Program it": progressive enhancement of the attempt pages; both work as plain HTML without it.
   - an attempt still running polls its status.json and reloads once it has finished;
   - the code box becomes a CodeMirror editor when the vendored bundle is present
     (window.RemixbankEditor, from static/vendor/codemirror-*), and a blocks workspace is offered
     when the vendored Blockly bundle is (window.RemixbankBlocks). */
(function () {
  "use strict";

  function pollAttempt(el) {
    var url = el.getAttribute("data-attempt-status");
    if (!url || el.getAttribute("data-finished") === "1" || !window.fetch) return;
    var delay = 700;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { delay = Math.min(delay * 2, 10000); }
          else if (data.finished) { window.location.reload(); return; }
          else {
            var ahead = data.waiting_ahead ? " (" + data.waiting_ahead + " waiting before it)" : "";
            el.textContent = data.label + ahead + "…";
            el.className = "state state-" + data.state;
            delay = Math.min(delay * 1.3, 3000);
          }
          window.setTimeout(tick, delay);
        })
        .catch(function () { window.setTimeout(tick, Math.min(delay * 2, 10000)); });
    }
    window.setTimeout(tick, delay);
  }

  function enhanceEditor(form) {
    var area = form.querySelector("textarea[data-editor]");
    if (!area) return;
    var editor = null;
    if (window.RemixbankEditor) editor = window.RemixbankEditor.attach(area);
    var blocks = form.querySelector("[data-blocks]");
    var script = document.querySelector("script[data-blocks-src]");
    if (blocks && script) {
      // Blocks are offered, and their bundle (~190 KB compressed) fetched, only on request.
      var open = document.createElement("button");
      open.type = "button";
      open.textContent = "Use blocks instead";
      open.className = "blocks-toggle";
      blocks.parentNode.insertBefore(open, blocks);
      open.addEventListener("click", function () {
        open.disabled = true;
        open.textContent = "Loading the blocks…";
        var tag = document.createElement("script");
        tag.src = script.getAttribute("data-blocks-src");
        tag.onload = function () {
          var flag = form.querySelector("#from-blocks");
          blocks.hidden = false;
          open.hidden = true;
          window.RemixbankBlocks.attach(blocks.querySelector(".blocks-area"), function (code) {
            if (editor) editor.setCode(code); else area.value = code;
            if (flag) flag.value = "1";
          }, script.getAttribute("data-blocks-media"));
        };
        tag.onerror = function () { open.textContent = "The blocks could not be loaded"; };
        document.head.appendChild(tag);
      });
    }
    form.addEventListener("submit", function () {
      if (editor) area.value = editor.getCode();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = "Submitting…"; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.querySelector("[data-attempt-status]");
    if (status) pollAttempt(status);
    var form = document.querySelector("form[data-program]");
    if (form) enhanceEditor(form);
  });
})();
