/* Registration: show only the counties of the chosen city (the server checks it too). */
(function () {
  var city = document.getElementById('city'), county = document.getElementById('county');
  if (!city || !county) return;
  function sync() {
    var label = city.options[city.selectedIndex] ? city.options[city.selectedIndex].text : '';
    Array.prototype.forEach.call(county.getElementsByTagName('optgroup'), function (g) {
      var show = !city.value || g.label === label;
      g.hidden = !show; g.disabled = !show;
    });
    var chosen = county.options[county.selectedIndex];
    if (chosen && chosen.parentNode.disabled) county.value = '';
  }
  city.addEventListener('change', sync); sync();
})();
