// The service-record form's enterprise picker: names and codes offered as the manager types.
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (!form) return;
  var input = form.querySelector("[name=enterprise]");
  var list = document.getElementById("enterprise-options");
  var timer = null;

  function refresh() {
    var q = input.value.trim();
    if (q.length < 2) return;
    fetch(form.dataset.searchUrl + "?q=" + encodeURIComponent(q), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        list.replaceChildren();
        items.forEach(function (e) {
          var option = document.createElement("option");
          option.value = e.uscc;
          option.label = e.name;
          option.textContent = e.name;
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
