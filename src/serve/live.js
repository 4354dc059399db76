// factsheet serve: reloads this page when a save changes it, and shows the site's
// problems over it when a save breaks the site. Injected by `factsheet serve` only;
// never part of a built site. Every text shown is set with textContent: diagnostics
// quote the editor's (untrusted) content.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = script.getAttribute("data-version");
  var path = script.getAttribute("data-path");
  var scrollKey = "factsheet-scroll:" + location.pathname;
  var overlayId = "factsheet-overlay";

  function restoreScroll() {
    var saved = null;
    try {
      saved = sessionStorage.getItem(scrollKey);
      sessionStorage.removeItem(scrollKey);
    } catch (e) {}
    if (saved !== null && !location.hash) window.scrollTo(0, Number(saved) || 0);
  }

  function reload() {
    try {
      sessionStorage.setItem(scrollKey, String(window.scrollY));
    } catch (e) {}
    location.reload();
  }

  // Files pages load: when one changes, every page may look different. (Data such as
  // claims.json changes with every content edit but is shown by no page.)
  var assets = /\.(css|js|mjs|svg|png|jpe?g|gif|webp|avif|ico|woff2?|ttf|otf)$/i;

  // Whether a build that changed `changed` changes this page: its own file, or a file
  // pages load (a stylesheet, a script, an image).
  function concerns(changed) {
    if (path === "*") return true;
    for (var i = 0; i < changed.length; i++) {
      if (changed[i] === path || assets.test(changed[i])) return true;
    }
    return false;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // Text with its `code spans` set in <code>, as the terminal's messages write them.
  function withCode(node, text) {
    var parts = String(text).split("`");
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i]) continue;
      node.appendChild(i % 2 ? element("code", null, parts[i]) : document.createTextNode(parts[i]));
    }
    return node;
  }

  function hideOverlay() {
    var overlay = document.getElementById(overlayId);
    if (overlay) overlay.remove();
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function problemItem(problem) {
    var item = element("li", "fs-problem fs-" + problem.severity);
    item.appendChild(element("div", "fs-location", problem.location || problem.file || ""));
    var message = element("div", "fs-message");
    message.appendChild(element("span", "fs-code", problem.severity + "[" + problem.code + "]"));
    message.appendChild(document.createTextNode(" "));
    item.appendChild(withCode(message, problem.message));
    if (problem.suggestion) {
      var suggestion = element("div", "fs-suggestion");
      suggestion.appendChild(element("span", "fs-label", "Suggestion: "));
      suggestion.appendChild(document.createTextNode(problem.suggestion));
      item.appendChild(suggestion);
    }
    if (problem.help) item.appendChild(withCode(element("div", "fs-help", "help: "), problem.help));
    if (problem.frame) {
      var details = element("details", "fs-frame");
      details.appendChild(element("summary", null, "As the terminal shows it"));
      details.appendChild(element("pre", null, problem.frame));
      item.appendChild(details);
    }
    return item;
  }

  function showOverlay(problems) {
    hideOverlay();
    var overlay = element("div");
    overlay.id = overlayId;
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("aria-labelledby", "factsheet-overlay-title");
    overlay.appendChild(element("style", null, STYLE));
    var head = element("div", "fs-head");
    head.appendChild(element("strong", null,
      "The last save broke the site: " + plural(problems.errors, "error") +
      (problems.warnings ? ", " + plural(problems.warnings, "warning") : "") + "."));
    head.lastChild.id = "factsheet-overlay-title";
    // Before any good build there is no last good version to speak of (the version is
    // empty then).
    head.appendChild(element("span", "fs-note", version
      ? " This is the last good version. Fix the file and save: this page updates by itself."
      : " Nothing has built yet. Fix the file and save: this page updates by itself."));
    var close = element("button", "fs-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Hide these problems");
    close.addEventListener("click", hideOverlay);
    head.appendChild(close);
    overlay.appendChild(head);
    var list = element("ol", "fs-list");
    for (var i = 0; i < problems.diagnostics.length; i++) {
      list.appendChild(problemItem(problems.diagnostics[i]));
    }
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }

  var STYLE =
    "#factsheet-overlay{position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:70vh;" +
    "overflow:auto;background:#fff;color:#1a1a1a;border-top:4px solid #b42318;" +
    "box-shadow:0 -4px 24px rgba(0,0,0,.25);font:15px/1.45 system-ui,sans-serif;text-align:left}" +
    "#factsheet-overlay .fs-head{position:sticky;top:0;display:flex;gap:.5em;align-items:baseline;" +
    "padding:.75em 1em;background:#b42318;color:#fff}" +
    "#factsheet-overlay .fs-note{flex:1}" +
    "#factsheet-overlay .fs-close{font-size:1.4em;line-height:1;background:none;border:0;color:#fff;cursor:pointer}" +
    "#factsheet-overlay .fs-close:focus-visible{outline:3px solid #fff;outline-offset:2px}" +
    "#factsheet-overlay .fs-list{margin:0;padding:.5em 1em 1em 2.5em}" +
    "#factsheet-overlay .fs-problem{margin:.75em 0}" +
    "#factsheet-overlay .fs-location{font:600 14px/1.4 ui-monospace,monospace}" +
    "#factsheet-overlay .fs-code{font-weight:700;color:#b42318}" +
    "#factsheet-overlay .fs-warning .fs-code{color:#8a5300}" +
    "#factsheet-overlay .fs-suggestion{margin-top:.25em;padding:.25em .5em;background:#f3f4f6;white-space:pre-wrap}" +
    "#factsheet-overlay .fs-help{margin-top:.25em;color:#36454f}" +
    "#factsheet-overlay .fs-label{font-weight:600}" +
    "#factsheet-overlay code{font:.92em ui-monospace,monospace;background:#f3f4f6;padding:0 .2em;border-radius:3px}" +
    "#factsheet-overlay pre{margin:.25em 0 0;padding:.5em;background:#111827;color:#f9fafb;" +
    "overflow:auto;font:13px/1.4 ui-monospace,monospace;white-space:pre}";

  var events = new EventSource("/__factsheet/events");
  events.addEventListener("hello", function (event) {
    var state = JSON.parse(event.data);
    if (state.version !== version) {
      reload();
    } else if (state.problems) {
      showOverlay(state.problems);
    } else {
      hideOverlay();
    }
  });
  events.addEventListener("reload", function (event) {
    var build = JSON.parse(event.data);
    if (concerns(build.changed)) {
      reload();
    } else {
      version = build.version;
      hideOverlay();
    }
  });
  events.addEventListener("problems", function (event) {
    showOverlay(JSON.parse(event.data));
  });
  restoreScroll();
})();
