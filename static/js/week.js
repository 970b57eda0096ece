/* Week calendar: a free stretch is one link (the grid is drawn from intervals, not one element
   per cell). A click picks the grid time under the pointer: it rewrites the link's data-start
   and its ?start= before the booking form's own handler (static/js/booking.js) or the browser
   follows it. Without JavaScript the link books from the stretch's first grid time. */
(function () {
  "use strict";
  function hhmm(minutes) {
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function minutesOf(text) {
    var parts = text.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest ? event.target.closest("a.blk.free[data-span]") : null;
      if (!link || !event.clientY) return; // keyboard activation: the stretch's first time
      if (!link.hasAttribute("data-first")) link.setAttribute("data-first", link.getAttribute("data-start"));
      var span = link.getAttribute("data-span").split("-").map(Number); // minutes since midnight
      var grid = parseInt(link.getAttribute("data-grid"), 10) || 30;
      var first = minutesOf(link.getAttribute("data-first"));
      var box = link.getBoundingClientRect();
      var at = span[0] + ((event.clientY - box.top) / box.height) * (span[1] - span[0]);
      var last = Math.max(first, first + Math.floor((span[1] - first - grid) / grid) * grid);
      var picked = Math.min(last, Math.max(first, first + Math.floor((at - first) / grid) * grid));
      link.setAttribute("data-start", hhmm(picked));
      link.href = link.href.replace(/([?&]start=)[^&#]*/, "$1" + encodeURIComponent(hhmm(picked)));
    },
    true
  );
})();
