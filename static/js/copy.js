/* Select-on-click fields and copy buttons (no inline handlers: the Content-Security-Policy forbids them). */
(function () {
  Array.prototype.forEach.call(document.querySelectorAll('[data-select-on-click]'), function (el) {
    el.addEventListener('click', function () { el.select(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-copy]'), function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      target.select();
      if (navigator.clipboard) navigator.clipboard.writeText(target.value);
    });
  });
})();
