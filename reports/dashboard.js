(function () {
  "use strict";
  // Sorting and filtering of the reports table.  State lives in the address:
  //   index.html?sort=-errors&filter=region:X;kind:department   (or the same after '#')
  // sort=KEY ascending, sort=-KEY (or dir=desc) descending; filter terms are separated by ';',
  // a term FIELD:VALUE matches a row's data-f-FIELD exactly or one of its space-separated words,
  // any other term is looked for in the row's text.  The page's own data is never evaluated.
  var table = document.getElementById("reports");
  if (!table || !table.tHead || !table.tBodies.length) { return; }
  var tbody = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  var state = { sort: "", desc: false, filter: "" };

  function parse(s, out) {
    s.split("&").forEach(function (kv) {
      if (!kv) { return; }
      var i = kv.indexOf("=");
      var k = i < 0 ? kv : kv.slice(0, i);
      var v = i < 0 ? "" : kv.slice(i + 1);
      try {
        out[decodeURIComponent(k.replace(/\+/g, " "))] = decodeURIComponent(v.replace(/\+/g, " "));
      } catch (e) { /* a malformed escape is ignored */ }
    });
  }

  function readState() {
    var p = {};
    parse(location.search.slice(1), p);
    parse(location.hash.slice(1), p);
    var s = p.sort || "";
    state.desc = p.dir === "desc";
    if (s.charAt(0) === "-") { state.desc = true; s = s.slice(1); }
    state.sort = s;
    state.filter = p.filter || "";
  }

  function writeState() {
    var parts = [];
    if (state.sort) { parts.push("sort=" + encodeURIComponent((state.desc ? "-" : "") + state.sort)); }
    if (state.filter) { parts.push("filter=" + encodeURIComponent(state.filter)); }
    var h = parts.join("&");
    if (history.replaceState) {
      try { history.replaceState(null, "", "#" + h); return; } catch (e) { /* file: URLs in some browsers */ }
    }
    location.hash = h;
  }

  function column(key) {
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getAttribute("data-key") === key) { return i; }
    }
    return -1;
  }

  function cellValue(row, i, numeric) {
    var c = row.cells[i];
    var v = c.getAttribute("data-v");
    if (v === null) { v = c.textContent.trim(); }
    if (numeric) {
      var n = parseFloat(v);
      return isNaN(n) ? null : n;
    }
    return v;
  }

  function sortRows() {
    var i = column(state.sort);
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    var rows = Array.prototype.slice.call(tbody.rows);
    var numeric = i >= 0 && heads[i].getAttribute("data-type") === "num";
    var dir = state.desc ? -1 : 1;
    rows.sort(function (a, b) {
      var r = 0;
      if (i >= 0) {
        var x = cellValue(a, i, numeric);
        var y = cellValue(b, i, numeric);
        if (numeric) {
          // rows without a value go last in both directions
          if (x === null || y === null) { r = x === y ? 0 : (x === null ? 1 : -1); return r || (+a.getAttribute("data-n") - +b.getAttribute("data-n")); }
          r = (x - y) * dir;
        } else {
          r = x.localeCompare(y, "zh-Hans-CN") * dir;
        }
      }
      return r || (+a.getAttribute("data-n") - +b.getAttribute("data-n"));
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    tbody.appendChild(frag);
    if (i >= 0) { heads[i].setAttribute("aria-sort", state.desc ? "descending" : "ascending"); }
    table.setAttribute("data-sort", i >= 0 ? (state.desc ? "-" : "") + state.sort : "");
  }

  function matches(row, term) {
    var c = term.indexOf(":");
    if (c > 0) {
      var field = term.slice(0, c).trim().toLowerCase();
      var want = term.slice(c + 1).trim().toLowerCase();
      var attr = row.getAttribute("data-f-" + field);
      if (attr !== null) {
        attr = attr.toLowerCase();
        return attr === want || (" " + attr + " ").indexOf(" " + want + " ") >= 0;
      }
    }
    return row.textContent.toLowerCase().indexOf(term.toLowerCase()) >= 0;
  }

  function filterRows() {
    var terms = state.filter.split(";").map(function (t) { return t.trim(); }).filter(function (t) { return t; });
    var n = 0;
    Array.prototype.forEach.call(tbody.rows, function (row) {
      var ok = terms.every(function (t) { return matches(row, t); });
      row.hidden = !ok;
      if (ok) { n++; }
    });
    table.setAttribute("data-filter", state.filter);
    if (shown) {
      shown.textContent = shown.getAttribute("data-template").replace("{n}", String(n)).replace("{total}", String(tbody.rows.length));
    }
  }

  function apply() {
    sortRows();
    filterRows();
    if (input && input.value !== state.filter) { input.value = state.filter; }
  }

  heads.forEach(function (h) {
    var b = h.querySelector("button");
    if (!b) { return; }
    b.addEventListener("click", function () {
      var key = h.getAttribute("data-key");
      if (state.sort === key) { state.desc = !state.desc; } else { state.sort = key; state.desc = h.getAttribute("data-type") === "num"; }
      sortRows();
      writeState();
    });
  });
  if (input) {
    input.addEventListener("input", function () {
      state.filter = input.value;
      filterRows();
      writeState();
    });
  }
  window.addEventListener("hashchange", function () { readState(); apply(); });
  readState();
  apply();
})();
