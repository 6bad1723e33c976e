/* Keep a background job's page current (a measurement import, an evidence pack): poll the
   status URL of the element carrying data-status-url every second, update its progress bar and
   the [data-field] values, and reload once the job has finished (to show the result). */
(function () {
  "use strict";
  var panel = document.querySelector("[data-status-url]");
  if (!panel) { return; }
  var url = panel.dataset.statusUrl;
  var bar = panel.querySelector("progress");

  function show(status) {
    panel.querySelectorAll("[data-field]").forEach(function (node) {
      var value = status[node.dataset.field];
      if (value !== undefined) {
        node.textContent = value;
        // A notice that has nothing to say (an import moving again) is not drawn at all.
        if (node.hasAttribute("data-hide-empty")) { node.classList.toggle("d-none", !value); }
      }
    });
    if (bar) { bar.value = status.percent; bar.textContent = status.percent + "%"; }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.done) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 1000);
})();
