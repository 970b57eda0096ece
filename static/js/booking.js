/* Booking page: a click on a free cell (or a found slot) fills the form in place, and the rules
   are checked live as the date, start or duration changes. Without JavaScript the same links
   reload the page with the form pre-filled, and the "Check" button asks the server. */
(function () {
  "use strict";
  var form = document.getElementById("booking-form");
  if (!form) return;
  var out = document.getElementById("check-result");
  var checkUrl = form.getAttribute("data-check-url");
  var timer = null;
  var sequence = 0;

  function setValue(name, value) {
    var el = form.elements[name];
    if (el && value) el.value = value;
  }

  function show(ok, title, items) {
    out.textContent = "";
    var box = document.createElement("div");
    box.className = "flash " + (ok ? "flash-success" : "flash-error violations");
    var p = document.createElement("p");
    p.textContent = title;
    box.appendChild(p);
    if (items.length) {
      var ul = document.createElement("ul");
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item.message;
        li.setAttribute("data-code", item.code || "");
        var note = form.getAttribute("data-msg-override");
        if (item.overridable && note) {
          var badge = document.createElement("span");
          badge.className = "badge warn";
          badge.textContent = note;
          li.appendChild(document.createTextNode(" "));
          li.appendChild(badge);
        }
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    out.appendChild(box);
  }

  function check() {
    if (!checkUrl || !form.elements.date.value || !form.elements.start.value) return;
    var mine = ++sequence;
    fetch(checkUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (mine !== sequence) return; // an older answer arriving late
        if (data.errors) {
          show(false, form.getAttribute("data-msg-bad"), data.errors);
        } else if (data.ok) {
          show(true, form.getAttribute("data-msg-ok"), data.warnings || []);
        } else {
          show(false, form.getAttribute("data-msg-bad"), data.violations);
        }
      })
      .catch(function () {
        /* the server check on submit still applies */
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-start]") : null;
    if (!link) return;
    event.preventDefault();
    setValue("date", link.getAttribute("data-date"));
    setValue("start", link.getAttribute("data-start"));
    setValue("duration", link.getAttribute("data-duration"));
    form.scrollIntoView({ behavior: "smooth", block: "start" });
    if (form.elements.purpose) form.elements.purpose.focus({ preventScroll: true });
    check();
  });

  ["date", "start", "duration"].forEach(function (name) {
    var el = form.elements[name];
    if (el) el.addEventListener("change", soon);
  });

  if (checkUrl && form.elements.check) {
    form.elements.check.addEventListener("click", function (event) {
      event.preventDefault();
      check();
    });
  }
})();
