// Remixbank's SCORM launcher: gives the SCO scorm-again's run-time as window.API (SCORM 1.2) or
// window.API_1484_11 (SCORM 2004), records every call it makes, and says what went wrong.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("remixbank-scorm").textContent);
  var is2004 = config.format === "scorm-2004";
  var Runtime = is2004 ? window.Scorm2004API : window.Scorm12API;
  var api = new Runtime({ autocommit: false, logLevel: 5 });
  var names = is2004
    ? { init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit",
        error: "GetLastError", text: "GetErrorString", diagnostic: "GetDiagnostic" }
    : { init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
        commit: "LMSCommit", error: "LMSGetLastError", text: "LMSGetErrorString",
        diagnostic: "LMSGetDiagnostic" };
  var statusElements = is2004
    ? ["cmi.completion_status", "cmi.success_status"]
    : ["cmi.core.lesson_status"];
  var calls = [];
  var found = false;
  var lastError = api[names.error].bind(api);
  var errorText = api[names.text].bind(api);
  var facade = Object.create(api);
  Object.keys(names).forEach(function (key) {
    var name = names[key];
    var original = api[name].bind(api);
    facade[name] = function () {
      var args = Array.prototype.slice.call(arguments, 0, 2).map(String);
      var result = original.apply(null, arguments);
      var quiet = key === "error" || key === "text" || key === "diagnostic";
      var code = quiet ? "0" : String(lastError());
      if (calls.length < 500) {
        calls.push({ call: name, args: args, result: String(result), error: code });
      }
      return result;
    };
  });
  Object.defineProperty(window, is2004 ? "API_1484_11" : "API", {
    get: function () { found = true; return facade; },
  });

  function shown(call) {
    return call.call + "(" + call.args.map(function (a) { return JSON.stringify(a); }).join(", ") + ")";
  }

  function verdict() {
    var problems = [];
    var api = is2004 ? "window.API_1484_11" : "window.API";
    var made = function (key) {
      return calls.filter(function (c) { return c.call === names[key]; });
    };
    var succeeded = function (key) {
      return made(key).some(function (c) { return c.result === "true" && c.error === "0"; });
    };
    if (!found) {
      problems.push("SCORM: the SCO never looked for the run-time (" + api + "), so it cannot " +
        "talk to an LMS; find it in window.parent (and its parents) as the SCORM " +
        (is2004 ? "2004" : "1.2") + " run-time environment describes.");
    } else if (!made("init").length) {
      problems.push("SCORM: the SCO never called " + names.init + '(""): an LMS records ' +
        "nothing from a SCO that does not start its session. Call it once the page has found " + api + ".");
    } else {
      if (!succeeded("init")) {
        problems.push("SCORM: " + names.init + '("") did not succeed.');
      }
      var statusSet = made("set").some(function (c) {
        return statusElements.indexOf(c.args[0]) >= 0 && c.error === "0";
      });
      if (!statusSet) {
        problems.push("SCORM: the SCO never set " + statusElements.join(" or ") +
          ", so an LMS cannot tell whether the learner completed it.");
      }
      if (!succeeded("commit")) {
        problems.push("SCORM: the SCO never called " + names.commit + '("") successfully, ' +
          "so what it set may never be saved.");
      }
      if (!succeeded("finish")) {
        problems.push("SCORM: the SCO never called " + names.finish + '("") (not even when ' +
          "its page was unloaded), so its session never ends in an LMS.");
      }
    }
    calls.forEach(function (c) {
      // Reading an element nothing has set yet (2004: 403) is how SCOs look for a bookmark.
      var harmless = c.call === names.get && (c.error === "403" || c.error === "0");
      if (c.error !== "0" && !harmless && problems.length < 20) {
        problems.push("SCORM: " + shown(c) + " failed with error " + c.error + " (" +
          errorText(c.error) + ").");
      }
    });
    return { format: config.format, api: found, calls: calls, problems: problems };
  }

  var frame = document.getElementById("sco");
  var ready = new Promise(function (resolve) {
    frame.addEventListener("load", function () { resolve(true); }, { once: true });
    setTimeout(function () { resolve(false); }, 8000);
  });
  frame.src = config.launch;
  window.remixbankPlayer = {
    // The SCO's page has loaded: the browser check waits for it before it looks.
    ready: ready,
    // Unload the SCO, as leaving its page in an LMS does (SCOs terminate on unload), then judge.
    finish: function () {
      return new Promise(function (resolve) {
        var done = false;
        var judge = function () { if (!done) { done = true; resolve(verdict()); } };
        frame.addEventListener("load", judge, { once: true });
        setTimeout(judge, 1500);
        frame.src = "about:blank";
      });
    },
    calls: calls,
  };
})();
