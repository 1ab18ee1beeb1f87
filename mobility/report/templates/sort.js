/* mobility report: click a header of a table.sortable to sort its rows by that column
   (click again: reverse). Numbers are read in the page's language (<html lang>: Danish
   1.234,5; English 1,234.5); a column that is not all numbers sorts as text; empty cells
   ("–") go last. Inline, no network access. */
document.addEventListener("DOMContentLoaded", function () {
  var lang = document.documentElement.lang;
  function num(text) {
    var s = text.replace(/\u2212/g, "-").replace(/[\s\u00a0%]/g, "");
    s = lang === "da" ? s.replace(/\./g, "").replace(",", ".") : s.replace(/,/g, "");
    var m = s.match(/^[-+]?\d+(\.\d+)?/);
    return m ? parseFloat(m[0]) : NaN;
  }
  function empty(text) { return !text || text === "\u2013"; }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.classList.add("sort");
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
        var rows = Array.prototype.slice.call(body.rows).map(function (row) {
          var cell = row.cells[col], text = cell ? cell.textContent.trim() : "";
          return { row: row, t: text, n: num(text) };
        });
        var numeric = rows.every(function (r) { return empty(r.t) || !isNaN(r.n); });
        rows.sort(function (x, y) {
          if (empty(x.t) || empty(y.t)) { return empty(x.t) - empty(y.t); }
          return dir * (numeric ? x.n - y.n : x.t.localeCompare(y.t, lang));
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
        heads.forEach(function (h) { h.removeAttribute("data-dir"); });
        th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
      });
    });
  });
});
