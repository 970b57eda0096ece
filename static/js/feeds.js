/* Account page: "Copy" puts a calendar feed link on the clipboard. Without JavaScript (or without
   clipboard access) the link stays selectable in its read-only field. */
(function () {
  "use strict";

  function copied(button) {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied") || label;
    button.classList.add("done");
    window.setTimeout(function () {
      button.textContent = label;
      button.classList.remove("done");
    }, 2000);
  }

  function fallback(field, button) {
    field.focus();
    field.select();
    try {
      if (document.execCommand("copy")) copied(button);
    } catch (e) {
      /* the link stays selected for the user to copy */
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { copied(button); },
          function () { fallback(field, button); }
        );
      } else {
        fallback(field, button);
      }
    });
  });

  document.querySelectorAll("input[data-feed-url]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
