// The order form's live quote: price × samples and the earliest promised date, from the public
// capacity API, as the number of samples or the requested date changes.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) return;
  var samples = form.querySelector("[name=samples]");
  var requested = form.querySelector("[name=requested_date]");
  var fee = document.getElementById("quote-fee");
  var units = document.getElementById("quote-units");
  var when = document.getElementById("quote-date");
  var late = document.getElementById("quote-late");
  var timer = null;

  function yuan(fen) {
    var s = String(Math.abs(fen) % 100).padStart(2, "0");
    return Math.floor(fen / 100).toLocaleString("en-US") + "." + s;
  }

  function refresh() {
    var n = parseInt(samples.value, 10);
    if (!(n > 0)) return;
    var url = form.dataset.capacityUrl + "?samples=" + n + "&from=" + new Date().toISOString().slice(0, 10);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        fee.textContent = yuan(data.quote_fen);
        units.textContent = String(data.samples);
        when.textContent = data.earliest_completion || "—";
        var wanted = requested && requested.value;
        late.hidden = !(wanted && data.earliest_completion && data.earliest_completion > wanted);
      })
      .catch(function () {});
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  samples.addEventListener("input", soon);
  if (requested) requested.addEventListener("change", soon);
})();
