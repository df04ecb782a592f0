// Remixbank's H5P launcher: plays the version's content (h5p.json at the origin's root) with
// h5p-standalone, and tells the browser check whether the content came up.
(function () {
  "use strict";
  var root = window.location.origin;
  var failure = null;
  var started = Promise.resolve()
    .then(function () {
      return new window.H5PStandalone.H5P(document.getElementById("h5p-container"), {
        h5pJsonPath: root,
        frameJs: root + "/.remixbank/h5p-standalone/frame.bundle.js",
        frameCss: root + "/.remixbank/h5p-standalone/styles/h5p.css",
        frame: false,
        copyright: true,
        icon: false,
      });
    })
    .catch(function (error) {
      failure = String((error && error.message) || error);
      console.error("H5P: the content could not be played: " + failure);
    });

  function instances() {
    var frames = document.querySelectorAll("iframe");
    var count = window.H5P && window.H5P.instances ? window.H5P.instances.length : 0;
    for (var i = 0; i < frames.length; i++) {
      try {
        var inner = frames[i].contentWindow.H5P;
        count += inner && inner.instances ? inner.instances.length : 0;
      } catch (e) { /* another origin: not the player's frame */ }
    }
    return count;
  }

  // Resolves once the content has attached itself (or the player failed, or 8 s passed): the
  // browser check waits for it before it looks, as a learner waits for the quiz to appear.
  var ready = started.then(function () {
    return new Promise(function (resolve) {
      var waited = 0;
      (function poll() {
        if (failure !== null || instances() > 0 || waited >= 8000) {
          var frames = document.querySelectorAll("iframe");
          for (var i = 0; i < frames.length; i++) {
            if (!frames[i].title) frames[i].title = document.title;
          }
          return resolve(instances());
        }
        waited += 50;
        setTimeout(poll, 50);
      })();
    });
  });

  window.remixbankPlayer = {
    ready: ready,
    finish: function () {
      return started.then(function () {
        var problems = [];
        if (failure === null && instances() === 0) {
          problems.push("H5P: the player started, but no content came up: its main library " +
            "did not attach itself (check that its script defines the constructor named in " +
            "library.json and h5p.json).");
        }
        return { format: "h5p", instances: instances(), problems: problems };
      });
    },
  };
})();
