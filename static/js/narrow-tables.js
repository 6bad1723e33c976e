/* On a phone, a table wider than its box is laid out as one block per row, each cell with
   its column's name before it (static/css/qms.css, .table-stacked), instead of being cut at
   the screen's edge with the rest reachable only by a sideways scroll nobody sees (issue 21).
   Each cell is given its column's name once; a table is (un)stacked as the width changes. */
(function () {
  "use strict";
  var NARROW = window.matchMedia("screen and (max-width: 575.98px)");

  function label(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head || table.dataset.labelled) { return; }
    var names = Array.prototype.map.call(head.cells, function (cell) {
      return cell.textContent.trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (names[column] && cell.colSpan === 1) { cell.setAttribute("data-label", names[column]); }
          column += cell.colSpan;
        });
      });
    });
    table.dataset.labelled = "true";
  }

  function layout() {
    document.querySelectorAll(".table-responsive > table, .table-wrap > table").forEach(function (table) {
      if (!NARROW.matches) { table.classList.remove("table-stacked"); return; }
      if (table.classList.contains("table-stacked")) { return; }
      if (table.scrollWidth > table.parentElement.clientWidth + 1) {
        label(table);
        table.classList.add("table-stacked");
      }
    });
  }

  layout();
  // A table in a closed <details> ("Show the numbers") has no width until it is opened.
  document.addEventListener("toggle", layout, true);
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(layout, 150);
  });
})();
