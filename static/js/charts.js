// Draw every Plotly chart on the page from its figure, rendered by the server with json_script.
// <div data-plotly-figure="id-of-json-script"></div>
// A figure may carry `narrow`: values ("yaxis.ticktext": [...]) for a chart drawn less
// than NARROW_PX wide (a phone, or a narrow column), e.g. shorter labels or one column of
// small multiples (qms/core/chart_layout.py). Crossing that width redraws the chart.
// Printing redraws every chart at the width of its box on paper (see forPrint below).
(function () {
  var NARROW_PX = 576;

  function setPath(target, path, value) {
    var keys = path.split(".");
    var node = target;
    for (var i = 0; i < keys.length - 1; i++) {
      if (typeof node[keys[i]] !== "object" || node[keys[i]] === null) { node[keys[i]] = {}; }
      node = node[keys[i]];
    }
    node[keys[keys.length - 1]] = value;
  }

  // The figure's data and layout, with its `narrow` values applied for a narrow chart: a path
  // starting "data." changes a trace ("data.0.text"), any other path the layout.
  function figureFor(figure, narrow) {
    var drawn = JSON.parse(JSON.stringify({ data: figure.data || [], layout: figure.layout || {} }));
    if (narrow && figure.narrow) {
      Object.keys(figure.narrow).forEach(function (path) {
        var full = path.indexOf("data.") === 0 ? path : "layout." + path;
        setPath(drawn, full, figure.narrow[path]);
      });
    }
    return drawn;
  }

  var CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  var charts = [];

  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-plotly-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.plotlyFigure);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      var narrow = el.clientWidth < NARROW_PX;
      charts.push({ el: el, figure: figure, narrow: narrow });
      var drawn = figureFor(figure, narrow);
      window.Plotly.newPlot(el, drawn.data, drawn.layout, CONFIG).then(function () {
        el.setAttribute("data-rendered", "true");
        el.setAttribute("data-layout", narrow ? "narrow" : "wide");
      });
    });
  }

  var pending = null;
  var printed = false;  // the charts are drawn for paper (forPrint below)
  function redrawCrossed() {
    if (printed) { return; }  // sized for the paper until printing ends
    charts.forEach(function (chart) {
      if (!chart.figure.narrow) { return; }
      var narrow = chart.el.clientWidth < NARROW_PX;
      if (narrow === chart.narrow) { return; }
      chart.narrow = narrow;
      var drawn = figureFor(chart.figure, narrow);
      window.Plotly.react(chart.el, drawn.data, drawn.layout, CONFIG).then(function () {
        chart.el.setAttribute("data-layout", narrow ? "narrow" : "wide");
      });
    });
  }
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(redrawCrossed, 150);
  });

  // Printing: the browser lays the page out at the paper's width and prints it at once, but
  // Plotly only follows its box when the window is resized, and then after a delay (by which
  // time the page is printed): a chart drawn for a 1366 px window ran off the paper and over
  // the next panel. So as soon as the print stylesheet applies (the print media query turns
  // true, or `beforeprint` comes while it is), each chart is redrawn at once at its box's
  // width on paper, in its narrow form where that is narrow, with its own height kept; and
  // back to following the window afterwards. The print stylesheet gives the page the paper's
  // width whatever the window's, so the boxes measured here are the printed ones.
  function drawAt(chart, width) {
    var narrow = (width || chart.el.clientWidth) < NARROW_PX;
    var drawn = figureFor(chart.figure, narrow);
    if (width) {
      drawn.layout.width = width;
      drawn.layout.height = drawn.layout.height || (chart.el._fullLayout || {}).height;
    }
    chart.narrow = narrow;
    chart.el.setAttribute("data-layout", narrow ? "narrow" : "wide");
    return window.Plotly.react(chart.el, drawn.data, drawn.layout, CONFIG);
  }
  function forPrint() {
    if (!window.Plotly || !window.matchMedia("print").matches) { return; }
    printed = true;
    charts.forEach(function (chart) {
      var width = Math.floor(chart.el.getBoundingClientRect().width);
      if (width > 0) { drawAt(chart, width); }
    });
  }
  function forScreen() {
    if (!printed || window.matchMedia("print").matches) { return; }
    printed = false;
    charts.forEach(function (chart) { drawAt(chart, null); });
  }
  window.addEventListener("beforeprint", forPrint);
  window.addEventListener("afterprint", forScreen);
  var printMedia = window.matchMedia("print");
  var onPrintMedia = function (event) { if (event.matches) { forPrint(); } else { forScreen(); } };
  if (printMedia.addEventListener) { printMedia.addEventListener("change", onPrintMedia); }
  else if (printMedia.addListener) { printMedia.addListener(onPrintMedia); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
