/* Keep an import's detail page current: poll its status every second, update the progress
   bar and counts, and reload once the job has finished (to show the result or the errors). */
(function () {
  "use strict";
  var panel = document.getElementById("import-progress");
  if (!panel || !panel.dataset.statusUrl) { return; }
  var url = panel.dataset.statusUrl;
  var bar = document.getElementById("import-progress-bar");

  function show(status) {
    panel.querySelectorAll("[data-field]").forEach(function (node) {
      var value = status[node.dataset.field];
      if (value !== undefined) { node.textContent = value; }
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
