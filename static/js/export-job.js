// The export-job page: polls the job's JSON and moves the progress bar; reloads the page once the job has
// finished, so the server shows the download (or the reason it failed). Without JavaScript, the page refreshes itself.
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  var bar = document.getElementById("job-progress");
  var rows = document.getElementById("job-rows");
  var state = document.getElementById("job-state");
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
  var template = rows.dataset.template;

  function show(status) {
    state.textContent = status.state_label;
    if (status.rows_expected !== null) {
      bar.max = Math.max(status.rows_expected, 1);
      bar.value = Math.min(status.rows_done, bar.max);
      rows.textContent = template
        .replace("__done__", format.format(status.rows_done))
        .replace("__expected__", format.format(status.rows_expected));
    }
  }

  function poll() {
    fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 500);
})();
