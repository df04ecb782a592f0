/* Progressive enhancement for Remixbank's pages; every page works without it.
   - forms marked data-upload show upload progress (XHR) and follow the server's redirect;
   - a version page whose validation is running polls its status.json and shows each step;
   - "Start the tool here" opens the sandboxed try-it frame without reloading the page. */
(function () {
  "use strict";

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = content;
    return el;
  }

  function enhanceUpload(form) {
    var box = form.querySelector(".upload-progress");
    if (!box || !window.FormData || !window.XMLHttpRequest) return;
    var bar = box.querySelector("progress");
    var percent = box.querySelector(".upload-percent");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      box.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var p = Math.round((100 * e.loaded) / e.total);
        bar.value = p;
        percent.textContent = p + "%";
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        percent.textContent = "Uploaded; checking the package…";
      });
      xhr.addEventListener("load", function () {
        var url = xhr.responseURL || "";
        var here = window.location.href.split("#")[0];
        if (xhr.status < 400 && url && url !== here && url !== form.action) {
          window.location.assign(url);
          return;
        }
        // The form came back with errors: show the server's page in place of this one.
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = doc.getElementById("main");
        if (main) {
          document.getElementById("main").replaceWith(main);
          document.title = doc.title;
          main.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
          main.focus();
        } else {
          form.submit();
        }
      });
      xhr.addEventListener("error", function () {
        percent.textContent = "The upload failed; trying again without the progress bar…";
        form.submit();
      });
      xhr.send(new FormData(form));
    });
  }

  function renderSteps(list, data) {
    list.textContent = "";
    data.steps.forEach(function (s) {
      var li = text("li", "", "step step-" + s.status);
      li.appendChild(text("strong", s.name));
      li.appendChild(document.createTextNode(": " + s.label + " in " + s.duration_ms + " ms"));
      if (s.messages.length) {
        var ul = document.createElement("ul");
        s.messages.forEach(function (m) { ul.appendChild(text("li", m)); });
        li.appendChild(ul);
      }
      list.appendChild(li);
    });
    data.pending.forEach(function (name, i) {
      var li = text("li", "", "step step-pending");
      li.appendChild(text("strong", name));
      li.appendChild(document.createTextNode(i === 0 && data.state === "validating" ? ": running…" : ": waiting"));
      list.appendChild(li);
    });
  }

  function pollStatus(section) {
    var url = section.getAttribute("data-status-url");
    var list = document.getElementById("steps");
    var badge = document.getElementById("validation-badge");
    var state = document.getElementById("version-state");
    var summary = document.getElementById("run-summary");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          renderSteps(list, data);
          badge.textContent = data.badge.text;
          badge.className = "badge badge-" + data.badge.css;
          state.textContent = data.state_label;
          state.className = "state state-" + data.state;
          if (data.settled) {
            summary.textContent = "Validation finished: " + data.state_label + ". Reloading the page…";
            window.setTimeout(function () { window.location.reload(); }, 600);
          } else {
            summary.textContent = data.steps.length ? "Validation running…" : "Waiting for a validation worker…";
            window.setTimeout(tick, 1200);
          }
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    tick();
  }

  function enhanceTry(link) {
    var box = link.closest(".try");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.className = "tool";
      // The version's own throwaway origin: same-origin inside it, never the site's or a top navigation.
      frame.setAttribute("sandbox", box.getAttribute("data-try-sandbox"));
      frame.setAttribute("title", box.getAttribute("data-try-title") + " (the tool itself)");
      frame.setAttribute("width", "100%");
      frame.setAttribute("height", "480");
      frame.src = box.getAttribute("data-try-src");
      box.textContent = "";
      box.appendChild(frame);
      frame.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
    var live = document.querySelector("[data-status-url][data-live]");
    if (live && window.fetch) pollStatus(live);
    document.querySelectorAll("a[data-try]").forEach(enhanceTry);
  });
})();
