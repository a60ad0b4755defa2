/**
 * The HTML report's inline script (plain ES2017, no dependencies). It reads the run from the
 * `<script type="application/json">` chunks, renders one page of rows at a time and builds a row's
 * details only when it is opened, so a 5,000-request run stays responsive. All text goes through
 * `textContent`: nothing from the run is ever parsed as HTML.
 */
export const HTML_REPORT_JS = String.raw`(function () {
  "use strict";
  var PAGE = 50;
  var meta = JSON.parse(document.getElementById("er-meta").textContent);
  var rows = [];
  var chunks = document.querySelectorAll("script.er-data");
  for (var c = 0; c < chunks.length; c++) {
    var list = JSON.parse(chunks[c].textContent);
    for (var k = 0; k < list.length; k++) rows.push(list[k]);
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) { for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]); return parent; }
  function failed(r) {
    if (r.error || (r.scriptErrors && r.scriptErrors.length)) return true;
    for (var i = 0; i < r.assertions.length; i++) if (!r.assertions[i].passed && !r.assertions[i].skipped) return true;
    return false;
  }
  function folderOf(r) { return r.item.path.join(" / "); }
  function where(r) { return r.item.path.concat([r.item.name]).join(" / "); }
  function ms(n) { return n === undefined || n === null ? "–" : (n >= 1000 ? (n / 1000).toFixed(2) + " s" : Math.round(n) + " ms"); }
  function bytes(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : n >= 1024 ? (n / 1024).toFixed(1) + " kB" : n + " B"; }

  function card(label, value, cls) { var d = el("div", "card"); add(d, el("b", cls, value), el("span", "muted", label)); return d; }
  function renderSummary() {
    var s = meta.end && meta.end.stats, t = meta.end && meta.end.timings;
    var failedRows = 0, asserts = 0, badAsserts = 0;
    for (var i = 0; i < rows.length; i++) {
      if (failed(rows[i])) failedRows++;
      for (var j = 0; j < rows[i].assertions.length; j++) { asserts++; if (!rows[i].assertions[j].passed && !rows[i].assertions[j].skipped) badAsserts++; }
    }
    var warnings = (meta.started && meta.started.warnings) || [];
    for (var w = 0; w < warnings.length; w++) $("er-warnings").appendChild(el("li", null, warnings[w]));
    var cards = $("er-cards");
    add(cards,
      card("iterations", s ? s.iterations.total : (meta.started ? meta.started.iterations : "–")),
      card("requests", rows.length),
      card("failed requests", failedRows, failedRows ? "bad" : "ok"),
      card("assertions", s ? s.assertions.total : asserts),
      card("failed assertions", s ? s.assertions.failed : badAsserts, (s ? s.assertions.failed : badAsserts) ? "bad" : "ok"),
      card("failures", meta.end ? failures().length : "–", meta.end && failures().length ? "bad" : "ok"),
      card("duration", t && t.completed ? ms(t.completed - t.started) : "–"),
      card("average response", t ? ms(t.responseAverage) : "–"),
      card("fastest / slowest", t ? ms(t.responseMin) + " / " + ms(t.responseMax) : "–"),
      card("average wait (rate limits)", meta.phases.n ? ms(meta.phases.waitMs / meta.phases.n) : "–"),
      card("average total per request", meta.phases.n ? ms(meta.phases.totalMs / meta.phases.n) : "–"),
      card("data received", bytes(meta.phases.bytes)));
    var byFolder = {};
    for (var r = 0; r < rows.length; r++) {
      var f = folderOf(rows[r]) || "(collection root)";
      var b = byFolder[f] || (byFolder[f] = { n: 0, bad: 0, time: 0 });
      b.n++; if (failed(rows[r])) b.bad++; b.time += rows[r].response ? rows[r].response.timeMs : 0;
    }
    var body = $("er-folders");
    Object.keys(byFolder).forEach(function (name) {
      var tr = el("tr"), v = byFolder[name];
      add(tr, el("td", null, name), el("td", null, v.n), el("td", v.bad ? "bad" : "ok", v.bad), el("td", null, ms(v.time / v.n)));
      body.appendChild(tr);
    });
  }

  function kvTable(list) {
    var t = el("table");
    for (var i = 0; i < list.length; i++) { var tr = el("tr"); add(tr, el("th", null, list[i].key), el("td", null, list[i].value)); t.appendChild(tr); }
    return list.length ? t : el("p", "muted", "none");
  }
  function details(r) {
    var box = el("div", "er-body");
    add(box, el("h2", null, "Request"), el("pre", null, r.request.method + " " + r.request.url), kvTable(r.request.headers.filter(function (h) { return !h.disabled; })));
    if (r.request.body) add(box, el("pre", null, r.request.body));
    if (r.response) {
      add(box, el("h2", null, "Response"), el("p", null, r.response.code + " " + r.response.status + " · " + bytes(r.response.size) + " · " + ms(r.response.timeMs)),
        kvTable(r.response.headers), el("pre", null, r.response.bodyPreview || "(empty body)"));
      if (r.response.bodyTruncated) add(box, el("p", "muted", "Body preview truncated."));
    }
    var phases = [];
    if (r.timings) phases.push("waited " + ms(r.timings.waitMs), "total " + ms(r.timings.totalMs));
    if (r.attempts) phases.push(r.attempts + " attempts");
    if (r.resent) phases.push("sent again after a restart");
    if (phases.length) add(box, el("p", "muted", "Timings: " + phases.join(" · ")));
    if (r.error) add(box, el("h2", "bad", "Request error"), el("pre", "bad", r.error.name + ": " + r.error.message));
    var ul = el("ul", "asserts");
    for (var i = 0; i < r.assertions.length; i++) {
      var a = r.assertions[i], li = el("li", a.skipped ? "muted" : a.passed ? "ok" : "bad", (a.skipped ? "○ " : a.passed ? "✓ " : "✗ ") + a.name);
      if (a.error) add(li, el("div", "bad", a.error.name + ": " + a.error.message));
      ul.appendChild(li);
    }
    add(box, el("h2", null, "Assertions"), r.assertions.length ? ul : el("p", "muted", "none"));
    if (r.scriptErrors.length) {
      add(box, el("h2", "bad", "Script errors"));
      for (var s = 0; s < r.scriptErrors.length; s++) { var e = r.scriptErrors[s]; add(box, el("pre", "bad", e.event + " script (" + e.location + "): " + e.name + ": " + e.message)); }
    }
    if (r.console.length) {
      var lines = r.console.map(function (m) { return "[" + m.level + "] " + m.message; }).join("\n");
      add(box, el("h2", null, "Console"), el("pre", null, lines));
    }
    if (r.retries && r.retries.length) add(box, el("h2", null, "Retries"), el("pre", null, JSON.stringify(r.retries, null, 2)));
    return box;
  }
  function row(r) {
    var d = el("details", "er-row" + (failed(r) ? " failed" : r.skipped ? " skipped" : ""));
    var sum = el("summary");
    var code = r.response ? r.response.code : r.skipped ? "skipped" : r.error ? "error" : "–";
    var bad = r.assertions.filter(function (a) { return !a.passed && !a.skipped; }).length;
    add(sum, el("span", "badge " + (failed(r) ? "bad" : "ok"), code), el("span", "method", r.request.method), el("span", "name", where(r)),
      el("span", "muted", ms(r.response && r.response.timeMs)), el("span", bad ? "bad" : "muted", (r.assertions.length - bad) + "/" + r.assertions.length + " passed"));
    d.appendChild(sum);
    d.addEventListener("toggle", function () { if (d.open && d.childNodes.length === 1) d.appendChild(details(r)); });
    return d;
  }

  var state = { page: 0, failedOnly: false, folder: "", search: "" };
  function visible() {
    var q = state.search.toLowerCase();
    return rows.filter(function (r) {
      if (state.failedOnly && !failed(r)) return false;
      var f = folderOf(r);
      if (state.folder && f !== state.folder && f.indexOf(state.folder + " / ") !== 0) return false;
      return !q || where(r).toLowerCase().indexOf(q) >= 0 || r.request.url.toLowerCase().indexOf(q) >= 0;
    });
  }
  function pager(prefix, page, pages, total, onGo) {
    $(prefix + "-info").textContent = total ? "Page " + (page + 1) + " of " + pages + " · " + total + " shown" : "Nothing to show";
    $(prefix + "-prev").disabled = page <= 0;
    $(prefix + "-next").disabled = page >= pages - 1;
    $(prefix + "-prev").onclick = function () { onGo(page - 1); };
    $(prefix + "-next").onclick = function () { onGo(page + 1); };
  }
  function renderRequests() {
    var list = visible(), pages = Math.max(1, Math.ceil(list.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var box = $("er-list");
    box.textContent = "";
    var lastIter = -1;
    list.slice(state.page * PAGE, state.page * PAGE + PAGE).forEach(function (r) {
      if (r.iteration !== lastIter) { lastIter = r.iteration; box.appendChild(el("h3", "iter", "Iteration " + (r.iteration + 1))); }
      box.appendChild(row(r));
    });
    pager("er-req", state.page, pages, list.length, function (p) { state.page = p; renderRequests(); });
  }
  var failPage = 0;
  // The terminal event keeps the first 200 failures; past that (or before the end) every failure is
  // derived from the rows in the engine's order, plus the run-level ones the terminal event names.
  var derived = null;
  function failures() {
    if (meta.end && meta.end.failures.length < 200) return meta.end.failures;
    if (derived && meta.end) return derived;
    var out = [];
    rows.forEach(function (r) {
      var script = function (x) { out.push({ iteration: r.iteration, item: r.item, source: "script", name: x.name, message: x.message }); };
      (r.scriptErrors || []).forEach(function (x) { if (x.event === "prerequest") script(x); });
      if (r.error) out.push({ iteration: r.iteration, item: r.item, source: "request", name: r.error.name, message: r.error.message });
      r.assertions.forEach(function (a) { if (!a.passed && !a.skipped) out.push({ iteration: r.iteration, item: r.item, source: "assertion", name: a.name, message: a.error ? a.error.message : "" }); });
      (r.scriptErrors || []).forEach(function (x) { if (x.event === "test") script(x); });
    });
    if (meta.end) {
      meta.end.failures.forEach(function (f) { if (!f.item) out.push(f); });
      derived = out;
    }
    return out;
  }
  function renderFailures() {
    var list = failures(), pages = Math.max(1, Math.ceil(list.length / PAGE));
    var box = $("er-failures");
    box.textContent = "";
    if (!list.length) box.appendChild(el("p", "ok", "No failures."));
    list.slice(failPage * PAGE, failPage * PAGE + PAGE).forEach(function (f, i) {
      var d = el("div", "er-failure");
      add(d, el("div", "name", (failPage * PAGE + i + 1) + ". " + (f.errorName || f.source) + " — " + f.name),
        el("pre", "bad", f.message),
        el("div", "muted", "at " + (f.item ? f.item.path.concat([f.item.name]).join(" / ") : "the run") + ", iteration " + (f.iteration + 1)));
      if (f.item) {
        var show = el("button", "er-show", "Show request");
        show.onclick = function () { showRequest(f.item.path.concat([f.item.name]).join(" / ")); };
        d.appendChild(show);
      }
      box.appendChild(d);
    });
    pager("er-fail", failPage, pages, list.length, function (p) { failPage = p; renderFailures(); });
  }

  function showRequest(name) {
    state = { page: 0, failedOnly: false, folder: "", search: name };
    $("er-failed-only").checked = false;
    $("er-folder").value = "";
    $("er-search").value = name;
    select("requests");
  }
  function select(tab) {
    ["summary", "requests", "failures"].forEach(function (name) {
      $("tab-" + name).setAttribute("aria-selected", String(name === tab));
      $("panel-" + name).classList.toggle("hidden", name !== tab);
    });
    if (tab === "requests") renderRequests();
    if (tab === "failures") renderFailures();
  }
  ["summary", "requests", "failures"].forEach(function (name) { $("tab-" + name).onclick = function () { select(name); }; });
  $("tab-requests").textContent = "Requests (" + rows.length + ")";
  $("tab-failures").textContent = "Failures (" + failures().length + ")";
  var folderSelect = $("er-folder");
  meta.folders.forEach(function (f) { var o = el("option", null, f); o.value = f; folderSelect.appendChild(o); });
  folderSelect.onchange = function () { state.folder = folderSelect.value; state.page = 0; renderRequests(); };
  $("er-failed-only").onchange = function (e) { state.failedOnly = e.target.checked; state.page = 0; renderRequests(); };
  $("er-search").oninput = function (e) { state.search = e.target.value; state.page = 0; renderRequests(); };
  renderSummary();
  select(meta.end && meta.end.failures.length ? "failures" : "summary");
})();`;
