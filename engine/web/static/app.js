// convenant: the pages work without this script; it only adds conveniences (shipped, never loaded
// from the internet; the content security policy allows no other script).
"use strict";

// The progress of a batch job (batch_job.html.j2): poll its voortgang and move the bar; when the
// job is no longer running, load the page again for its summary. Without this script the page
// refreshes itself every second (meta refresh) while the job runs.
(function () {
  var section = document.getElementById("voortgang");
  if (!section) return;
  var state = section.getAttribute("data-state");
  if (state !== "wacht" && state !== "bezig") return;
  var bar = document.getElementById("balk");
  function poll() {
    fetch(section.getAttribute("data-url"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.total) { bar.max = job.total; bar.value = job.done; }
        if (job.state !== "wacht" && job.state !== "bezig") { window.location.reload(); return; }
        window.setTimeout(poll, 300);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 200);
})();
