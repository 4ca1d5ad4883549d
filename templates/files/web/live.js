// Follows the page's event stream: on each change it fetches the page again
// and swaps in its live parts, so new messages, delivery statuses and counts
// show without a reload. Without JavaScript the page works as it is.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource || !window.fetch) return;
  var busy = false, again = false, unseen = false;

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live-part]").forEach(function (el) {
      var fresh = doc.getElementById(el.id);
      if (!fresh) return;
      var open = [];
      el.querySelectorAll("details[open]").forEach(function (d) {
        var owner = d.closest("[id]");
        if (owner) open.push(owner.id);
      });
      el.replaceWith(fresh);
      open.forEach(function (id) {
        var d = document.getElementById(id);
        d = d && d.querySelector("details");
        if (d) d.open = true;
      });
    });
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    // Fetched in a background tab, the page does not count as read; it is
    // fetched again when the tab is shown.
    unseen = document.hidden;
    var headers = { Accept: "text/html" };
    if (unseen) headers["X-Mailbot-Live"] = "hidden";
    fetch(location.pathname + location.search, { credentials: "same-origin", headers: headers })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && unseen) refresh();
  });
  new EventSource(root.getAttribute("data-live")).addEventListener("change", refresh);
})();
