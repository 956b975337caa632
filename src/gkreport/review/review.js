// gkreport review page: filter (verdict, agency, year), sort (click a heading), and a detail panel per report.
// The state is kept in the address's #fragment, so a filtered view or an open report can be linked to.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const reports = data.reports;
  const position = new Map(reports.map((r, i) => [r, i]));
  const rank = Object.fromEntries(data.verdicts.map((v, i) => [v, i]));
  const $ = (id) => document.getElementById(id);
  const collator = new Intl.Collator("zh-CN");  // agency names in pinyin order, as a Chinese reader expects
  const state = { verdict: "", agency: "", year: "", sort: "verdict", desc: false, report: "" };
  const keys = {
    verdict: (r) => rank[r.verdict],
    agency: (r) => r.agency || r.path,
    year: (r) => r.year || 0,
    level: (r) => r.level || "",
    checks: (r) => r.failed_checks.length,
    cells: (r) => r.cells_missing.length + r.cells_ambiguous.length,
    repeated: (r) => (r.repeated ? r.repeated.share : -1),
    reasons: (r) => r.reasons.length,
  };

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const k of Object.keys(state)) {
      if (params.has(k)) state[k] = k === "desc" ? params.get(k) === "1" : params.get(k);
    }
  }

  function writeHash() {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v && !(k === "sort" && v === "verdict")) params.set(k, k === "desc" ? "1" : v);
    history.replaceState(null, "", "#" + params.toString());
  }

  function visible() {
    const agency = state.agency.trim();
    const rows = reports.filter((r) => (!state.verdict || r.verdict === state.verdict)
      && (!state.year || String(r.year) === state.year)
      && (!agency || (r.agency || r.path).includes(agency)));
    const key = keys[state.sort] || keys.verdict;
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const order = typeof x === "string" ? collator.compare(x, y) : x < y ? -1 : x > y ? 1 : 0;
      return (state.desc ? -order : order) || position.get(a) - position.get(b);  // ties: as gkreport listed them
    });
    return rows;
  }

  function renderTable() {
    const rows = visible();
    const body = document.querySelector("#reviews tbody");
    const fragment = document.createDocumentFragment();
    for (const r of rows) {
      const tr = el("tr", null, "v" + rank[r.verdict] + (r.sha256 === state.report ? " selected" : ""));
      tr.dataset.sha = r.sha256;
      tr.append(el("td", r.verdict, "verdict"), el("td", r.agency || r.path), el("td", r.year, "num"),
        el("td", r.level), el("td", r.failed_checks.length || "", "num"),
        el("td", (r.cells_missing.length + r.cells_ambiguous.length) || "", "num"),
        el("td", r.repeated ? Math.round(r.repeated.share * 100) + "%" : "", "num"),
        el("td", r.reasons.join("; ")));
      fragment.append(tr);
    }
    body.replaceChildren(fragment);
    $("shown").textContent = rows.length + " of " + reports.length + " reports";
    for (const th of document.querySelectorAll("#reviews th")) {
      th.classList.toggle("sorted", th.dataset.key === state.sort);
      th.classList.toggle("desc", th.dataset.key === state.sort && state.desc);
    }
  }

  function section(panel, title, items, cls) {
    if (!items.length) return;
    panel.append(el("h3", title));
    const list = el("ul", null, cls);
    for (const item of items) list.append(typeof item === "string" ? el("li", item) : item);
    panel.append(list);
  }

  function renderDetail() {
    const panel = $("detail");
    const r = reports.find((x) => x.sha256 === state.report);
    panel.hidden = !r;
    if (!r) return;
    panel.replaceChildren(el("button", "×", "close"), el("h2", (r.agency || "(agency not found)") + " " + (r.year || "")),
      el("p", r.path, "path"), el("p", r.verdict, "verdict v" + rank[r.verdict]));
    panel.querySelector(".close").addEventListener("click", () => { state.report = ""; update(); });
    section(panel, "Reasons", r.reasons);
    section(panel, "Failed checks", r.failed_checks.map((c) => {
      const li = el("li", null, "failed");
      li.append(el("b", c.check + (c.severity === "soft" ? " (soft)" : "")), document.createTextNode(" " + c.message));
      return li;
    }), "failed");
    section(panel, "Sections missing", r.sections_missing, "failed");
    section(panel, "Sections found without their heading", r.sections_inferred);
    section(panel, "Segmenter warnings", r.warnings);
    section(panel, "Table cells missing", r.cells_missing, "failed");
    section(panel, "Table cells ambiguous", r.cells_ambiguous);
    if (r.tables_absent) section(panel, "Tables", ["no table cell could be read"]);
    section(panel, "Problem themes admitted", r.themes);
    section(panel, "Problems no improvement answers", r.unanswered);
    if (r.repeated) {
      panel.append(el("h3", "Repeated from " + r.repeated.previous_year + ": " + Math.round(r.repeated.share * 100)
        + "% of sections 五+六 verbatim, sentence by sentence"));
      for (const passage of r.repeated.passages) {
        const p = el("p", null, "repeated");
        p.append(el("mark", passage));
        panel.append(p);
      }
    }
  }

  function update() {
    writeHash();
    renderTable();
    renderDetail();
  }

  readHash();
  const verdicts = $("f-verdict"), years = $("f-year");
  for (const v of data.verdicts) verdicts.append(new Option(v, v));
  for (const y of [...new Set(reports.map((r) => r.year).filter((y) => y))].sort()) years.append(new Option(y, String(y)));
  verdicts.value = state.verdict;
  years.value = state.year;
  $("f-agency").value = state.agency;
  verdicts.addEventListener("change", () => { state.verdict = verdicts.value; update(); });
  years.addEventListener("change", () => { state.year = years.value; update(); });
  $("f-agency").addEventListener("input", (e) => { state.agency = e.target.value; update(); });
  for (const th of document.querySelectorAll("#reviews th")) {
    const sort = () => {
      state.desc = state.sort === th.dataset.key ? !state.desc : false;
      state.sort = th.dataset.key;
      update();
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => { if (e.key === "Enter") sort(); });
  }
  document.querySelector("#reviews tbody").addEventListener("click", (e) => {
    const tr = e.target.closest("tr");
    if (tr) { state.report = tr.dataset.sha; update(); }
  });
  update();
})();
