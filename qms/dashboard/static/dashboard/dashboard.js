// A click on an objective's bar opens the objective (its page is in the bar's customdata).
// The same link is in the table under the chart, for keyboards and screen readers.
(function () {
  function wire() {
    var chart = document.getElementById("chart-objectives");
    if (!chart || !chart.on) { return false; }
    chart.on("plotly_click", function (event) {
      var url = event.points && event.points[0] && event.points[0].customdata;
      if (url && url.charAt(0) === "/") { window.location.href = url; }
    });
    return true;
  }
  var tries = 0;
  var timer = setInterval(function () {
    if (wire() || ++tries > 50) { clearInterval(timer); }
  }, 100);
})();
