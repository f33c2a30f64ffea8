/* lineage site: search, answer cards and tree highlighting.
 *
 * Plain JavaScript, no libraries. Every fact comes from the JSON embedded in the
 * page (lineage.site.site_data: the same dictionaries as `lineage ... --json`).
 * Data is put into the page only with textContent and attributes, never innerHTML.
 */
(function () {
  "use strict";

  const D = JSON.parse(document.getElementById("lineage-data").textContent);

  // --- small helpers ---------------------------------------------------------------

  /** Create an element; children are nodes or strings (set as text). */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** A link only for web addresses; anything else is shown as text. */
  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  /** The same folding as lineage.validate.normalize: NFKC, casefold, letters and digits. */
  const FOLD = { "ς": "σ", "ϐ": "β", "ϑ": "θ", "ϕ": "φ", "ϖ": "π", "ϰ": "κ", "ϱ": "ρ",
    "ϵ": "ε", "ſ": "s", "ẛ": "ṡ", "ẞ": "ss", "ᲀ": "в", "ᲁ": "д", "ᲂ": "о", "ᲃ": "с",
    "ᲄ": "т", "ᲅ": "т", "ᲆ": "ъ", "ᲇ": "ѣ", "ᲈ": "ꙋ" };
  function casefold(text) {
    let out = "";
    for (const ch of text) {
      if (FOLD[ch]) { out += FOLD[ch]; continue; }
      const lower = ch.toLowerCase();
      if (lower !== ch) { out += lower; continue; }
      const upper = ch.toUpperCase();
      out += upper.length > 1 || [...upper].length > 1 ? upper.toLowerCase() : ch;
    }
    return out;
  }
  function normalize(text) {
    return casefold(String(text).normalize("NFKC")).replace(/[^\p{L}\p{N}]+/gu, "");
  }
  window.lineageNormalize = normalize; // for the tests: the page folds as Python does

  // --- the name resolver (lineage.store.names, rules from lineage.facts.fold) --------

  const W = D.words, R = W.rules;
  const FILLER = new Set(R.filler);
  const BRITISH = Object.fromEntries(R.spelling);
  const BRITISH_END = new RegExp("(" + R.spelling.map((p) => p[0]).join("|") + ")$");
  const IDEO = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  const CJK_ONE = new RegExp("^[" + IDEO + "]$"), CJK_ANY = new RegExp("[" + IDEO + "]");
  const WORD = new RegExp("[" + IDEO + "]|[\\p{L}\\p{N}\\p{M}]+", "gu");
  const POSSESSIVE = /(?:\bthe\s+)?\bmodel['\u2019]s\b|['\u2019]s\b|\bits\b/g;
  const LETTERS = /^\p{L}+$/u;
  const VOCAB = new Set(W.vocabulary), SPELT = W.spelt;

  /** lineage.facts.fold.words: folded words, each CJK character a word. */
  function words(text) {
    let t = casefold(String(text).normalize("NFKC")).replace(POSSESSIVE, " ");
    if (CJK_ANY.test(t)) for (const f of R.cjk_filler) t = t.split(f).join(" ");
    return t.match(WORD) || [];
  }
  const ends = (w, s) => w.endsWith(s);
  function american(w) {
    if (w.length < R.spelling_min) return w;
    const m = BRITISH_END.exec(w);
    return m ? w.slice(0, m.index) + BRITISH[m[1]] : w;
  }
  function stem(w) {
    if (w.length <= 3 || !LETTERS.test(w)) return w;
    if (ends(w, "ies") && w.length > 4) w = w.slice(0, -3) + "y";
    else if (ends(w, "sses")) w = w.slice(0, -2);
    else if (ends(w, "s") && !ends(w, "ss") && !ends(w, "us") && !ends(w, "is")) w = w.slice(0, -1);
    if (ends(w, "ization")) w = w.slice(0, -5) + "e";
    for (const suffix of ["ing", "ed", "ion"]) {
      if (ends(w, suffix) && w.length - suffix.length >= 3) { w = w.slice(0, -suffix.length); break; }
    }
    if (ends(w, "e") && w.length > 3) w = w.slice(0, -1);
    const last = w[w.length - 1];
    return w.length > 3 && last === w[w.length - 2] && !"aeiou".includes(last) ? w.slice(0, -1) : w;
  }
  /** lineage.facts.fold.canon */
  const canon = (w) => (CJK_ONE.test(w) ? w : stem(american(w)));
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) >= limit) return limit;
    let prev2 = [], prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], prev2[j - 2] + 1);
      }
      if (Math.min(...row) >= limit) return limit;
      prev2 = prev; prev = row;
    }
    return Math.min(prev[b.length], limit);
  }
  /** Names.correct: the one word of the labels within a typo (one edit, two from 7 letters). */
  function correct(w) {
    if (w.length < 4 || !LETTERS.test(w) || SPELT.includes(w)) return null;
    const limit = w.length < 7 ? 1 : 2;
    let best = limit + 1, found = [];
    for (const other of SPELT) {
      if (Math.abs(other.length - w.length) > limit) continue;
      const d = distance(w, other, limit + 1);
      if (d < best) { best = d; found = [other]; } else if (d === best) found.push(other);
    }
    if (best > limit || new Set(found.map(canon)).size !== 1) return null;
    return found[0];
  }
  function split(w) {
    for (let cut = 2; cut < w.length - 1; cut++) {
      const left = canon(w.slice(0, cut)), right = canon(w.slice(cut));
      if (VOCAB.has(left) && VOCAB.has(right)) return [left, right];
    }
    return [w];
  }
  /** Names.fold: the sorted bag of canonical words, abbreviations expanded. */
  function fold(text, fix) {
    const raw = words(text), kept = raw.filter((w) => !FILLER.has(w));
    const out = [];
    for (const word of kept.length ? kept : raw) {
      let c = canon(word);
      if (fix && !VOCAB.has(c)) c = canon(correct(word) || word);
      if (W.abbreviations[c]) out.push(...W.abbreviations[c]);
      else if (!VOCAB.has(c) && c.length >= 5) out.push(...split(c));
      else out.push(c);
    }
    return out.sort();
  }
  window.lineageFold = (text) => fold(text, false); // for the tests: as Names.fold
  /** Names.lookup: id or name, then folded words, then typos fixed, then a label holding them all. */
  function resolve(text) {
    const steps = [() => D.names[normalize(text)], () => W.folded[fold(text, false).join(" ")],
      () => W.folded[fold(text, true).join(" ")], () => holding(fold(text, true))];
    for (const step of steps) {
      const refs = step();
      if (refs && refs.length) return refs;
    }
    return [];
  }
  function holding(query) {
    if (!query.length) return [];
    const seen = new Map();
    for (const [key, refs] of Object.entries(W.folded)) {
      const have = new Set(key.split(" "));
      if (query.every((w) => have.has(w))) for (const r of refs) seen.set(r.join(":"), r);
    }
    return [...seen.values()];
  }
  window.lineageResolve = resolve;

  const KIND_RANK = { capability: 0, model: 1, family: 2, stage: 3, concept: 4 };
  const capName = (id) => (D.capabilities[id] ? D.capabilities[id].capability.name : id);
  const modelName = (id) =>
    D.models[id] ? D.models[id].model.name : D.families[id] ? D.families[id].family.name : id;
  // the tree's edge labels (lineage.render.STAGE_LABELS): "code training", "RLHF"
  const stageName = (id) =>
    id === null || id === undefined ? "no stage" : id === "rlhf" ? "RLHF" : id.replace(/_/g, " ");
  const sourcesById = Object.fromEntries(D.sources.map((s) => [s.id, s]));

  function link(kind, id, label) {
    const known = kind === "capability" ? D.capabilities[id] : kind === "model" ? D.models[id]
      : kind === "stage" ? D.stages[id] : kind === "concept" ? D.concepts[id] : D.families[id];
    if (!known) return h("span", {}, label);
    return h("a", { href: "#" + kind + "/" + encodeURIComponent(id), class: "ref ref-" + kind }, label);
  }
  const capLink = (id) => link("capability", id, capName(id));
  const modelLink = (id) => link(D.models[id] ? "model" : "family", id, modelName(id));

  function badge(text, kind) {
    return h("span", { class: "badge badge-" + kind + " badge-" + kind + "-" + String(text).replace(/[^a-z_-]/gi, "") }, text);
  }
  const confidence = (value) => badge(value, "confidence");
  const stageBadge = (id) =>
    h("span", { class: "badge badge-stage stage-" + (id || "none"), title: id && D.stages[id] ? D.stages[id].name + ": " + D.stages[id].definition : null }, stageName(id));

  function evidenceList(items) {
    return h("ul", { class: "evidence" }, (items || []).map((ev) => {
      const src = sourcesById[ev.source];
      const url = src ? safeUrl(src.url) : null;
      const title = src ? src.title + " (" + src.year + ")" : ev.source;
      return h("li", {},
        h("div", { class: "cite" },
          url ? h("a", { href: url, rel: "noopener noreferrer" }, title) : h("span", {}, title),
          h("span", { class: "locator" }, ev.locator)),
        ev.note ? h("blockquote", {}, ev.note) : null);
    }));
  }

  function pathView(path, steps) {
    const items = [h("li", {}, modelLink(path[0]))];
    for (const step of steps) {
      items.push(h("li", { class: "step" },
        h("span", { class: "arrow", "aria-hidden": "true" }, "→ "),
        h("span", { class: "via" }, "by ", stageBadge(step.stage), " ", confidence(step.confidence), " to "),
        modelLink(step.to)));
    }
    return h("ol", { class: "path", "aria-label": "Lineage path" }, items);
  }

  function capChips(ids, empty) {
    if (!ids || !ids.length) return h("p", { class: "muted" }, empty || "none recorded");
    return h("ul", { class: "chips" }, ids.map((id) => h("li", {}, capLink(id))));
  }

  // --- the tree ---------------------------------------------------------------------

  const treeBox = document.getElementById("tree");
  const svg = document.getElementById("tree-svg");
  const nodes = new Map();
  for (const node of treeBox.querySelectorAll("[data-model]")) {
    if (!nodes.has(node.dataset.model)) nodes.set(node.dataset.model, []);
    nodes.get(node.dataset.model).push(node);
  }
  const edges = [...treeBox.querySelectorAll("g.edge[data-parent]")];
  const parents = {}, children = {};
  for (const d of D.derivations) {
    (parents[d.child] = parents[d.child] || []).push(d.parent);
    (children[d.parent] = children[d.parent] || []).push(d.child);
  }
  function reach(start, next) {
    const seen = new Set(), stack = [start];
    while (stack.length) {
      for (const m of next[stack.pop()] || []) if (!seen.has(m)) { seen.add(m); stack.push(m); }
    }
    return seen;
  }
  const LIT = ["is-lit", "is-selected", "is-ancestor", "is-descendant", "is-path",
    "role-origin", "role-carrier", "role-lost", "role-weakened"];

  function clearHighlight() {
    treeBox.classList.remove("has-selection");
    for (const list of nodes.values()) for (const n of list) n.classList.remove(...LIT);
    for (const e of edges) e.classList.remove(...LIT);
    document.getElementById("tree-legend").hidden = true;
    document.getElementById("clear-hl").hidden = true;
  }
  function mark(ids, ...classes) {
    for (const id of ids) for (const n of nodes.get(id) || []) n.classList.add("is-lit", ...classes);
  }
  function markEdges(test, ...classes) {
    for (const e of edges) if (test(e.dataset.parent, e.dataset.child)) e.classList.add("is-lit", ...classes);
  }
  function showLegend(kind) {
    const legend = document.getElementById("tree-legend");
    legend.hidden = false;
    legend.dataset.kind = kind;
    document.getElementById("clear-hl").hidden = false;
    treeBox.classList.add("has-selection");
  }

  function highlightModel(mid) {
    clearHighlight();
    const up = reach(mid, parents), down = reach(mid, children);
    mark([mid], "is-selected");
    mark(up, "is-ancestor");
    mark(down, "is-descendant");
    const upSet = new Set([...up, mid]), downSet = new Set([...down, mid]);
    markEdges((p, c) => upSet.has(p) && upSet.has(c), "is-ancestor");
    markEdges((p, c) => downSet.has(p) && downSet.has(c), "is-descendant");
    showLegend("model");
    reveal(mid);
  }

  function highlightCapability(cid) {
    clearHighlight();
    const hl = D.highlights[cid];
    const why = D.capabilities[cid];
    if (!hl || !why) return;
    const path = new Set();
    for (const origin of why.origins) for (const m of origin.lineage) path.add(m);
    mark(path, "is-path");
    mark([...hl.carriers, ...hl.strengthened, ...hl.recovered], "role-carrier");
    mark(hl.weakened, "role-weakened");
    mark([...hl.lost, ...(hl.lacks || [])], "role-lost");
    mark([...hl.origins, ...(hl.has || [])], "role-origin");
    const edgeIds = new Set(hl.edges.map((id) => "derivation-" + id));
    markEdges((p, c) => path.has(p) && path.has(c), "is-path");
    for (const e of edges) if (edgeIds.has(e.id)) e.classList.add("is-lit", "is-path");
    showLegend(why.capability.kind === "limitation" ? "limitation" : "capability");
    const first = why.origins.length ? why.origins[0].model : hl.origins[0];
    if (first) reveal(first);
  }

  /** Scroll the tree box (not the page) so that a model's box is in view. */
  function reveal(mid) {
    const node = (nodes.get(mid) || [])[0];
    if (!node) return;
    const box = treeBox.getBoundingClientRect(), r = node.getBoundingClientRect();
    if (r.left < box.left || r.right > box.right) treeBox.scrollLeft += r.left - box.left - (box.width - r.width) / 2;
    if (r.top < box.top || r.bottom > box.bottom) treeBox.scrollTop += r.top - box.top - (box.height - r.height) / 2;
  }

  for (const [mid, list] of nodes) {
    for (const node of list) {
      node.addEventListener("click", (event) => { event.preventDefault(); go("model", mid); });
      node.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); go("model", mid); }
      });
    }
  }

  // zoom: the drawing keeps its proportions; the box scrolls
  let scale = 1;
  const PHONE = 640, PHONE_SCALE = 0.75;
  const natural = svg ? parseFloat(svg.dataset.width) * 4 / 3 : 0;
  function setScale(value) {
    if (!svg || !natural) return;
    scale = Math.min(3, Math.max(0.1, value));
    svg.style.width = Math.round(natural * scale) + "px";
  }
  const fitScale = () => (treeBox.clientWidth - 2) / natural;
  for (const button of document.querySelectorAll("[data-zoom]")) {
    button.addEventListener("click", () => {
      const what = button.dataset.zoom;
      if (what === "in") setScale(scale * 1.25);
      else if (what === "out") setScale(scale / 1.25);
      else if (what === "fit") setScale(fitScale());
      else { clearHighlight(); if (location.hash) history.pushState(null, "", location.pathname + location.search); showIntro(); }
    });
  }
  if (svg) {
    svg.removeAttribute("width");
    // A phone gets a readable drawing to pan (names about 13 px), not a tiny whole.
    setScale(Math.max(fitScale(), window.innerWidth <= PHONE ? PHONE_SCALE : 0.6));
  } else {
    for (const b of document.querySelectorAll(".zoom [data-zoom]:not(#clear-hl)")) b.hidden = true;
  }

  // --- cards --------------------------------------------------------------------------

  const card = document.getElementById("card");

  function setCard(...content) {
    card.replaceChildren(...content);
  }

  function capabilityCard(cid) {
    const w = D.capabilities[cid], cap = w.capability, hl = D.highlights[cid];
    const out = [
      h("p", { class: "kicker" }, cap.kind === "limitation" ? "Limitation" : "Capability"),
      h("h2", { id: "card-h" }, cap.name),
      h("p", { class: "meta" }, h("code", {}, cap.id),
        cap.aliases.length ? " · also: " + cap.aliases.join(", ") : ""),
      cap.description ? h("p", {}, cap.description) : null,
    ];
    if (w.broader.length || w.narrower.length) {
      out.push(h("div", { class: "related" },
        w.broader.length ? h("p", {}, "Broader: ", ...w.broader.flatMap((id, i) => [i ? ", " : "", capLink(id)])) : null,
        w.narrower.length ? h("p", {}, "Narrower: ", ...w.narrower.flatMap((id, i) => [i ? ", " : "", capLink(id)])) : null));
    }
    if (cap.kind === "limitation") return out.concat(limitationAnswer(w));
    if (!w.origins.length) {
      out.push(h("p", { class: "answer none" }, "No origin at a model is recorded for this capability."));
      if (hl && hl.family_claims.length) {
        out.push(h("p", {}, "Only family-level observations: ", ...hl.family_claims.flatMap((id, i) => [i ? ", " : "", modelLink(id)])));
      }
    }
    w.origins.forEach((o, i) => {
      const verb = cap.kind === "limitation" ? "seen" : o.effect;
      out.push(h("section", { class: "origin", "aria-label": "Origin " + (i + 1) },
        h("h3", {}, w.origins.length > 1 ? "Origin " + (i + 1) + ": " : "Origin: ",
          verb + " by ", stageBadge(o.stage), " at ", modelLink(o.model)),
        h("p", { class: "facts" }, "Confidence ", confidence(o.confidence),
          o.mechanism ? h("span", {}, " · mechanism: " + o.mechanism) : null,
          o.contested ? badge("contested", "contested") : null),
        causeLine(o),
        o.note ? h("p", { class: "note-text" }, o.note) : null,
        h("h4", {}, "Lineage path"),
        pathView(o.lineage, o.steps),
        h("h4", {}, "Evidence"),
        evidenceList(o.evidence),
        o.alternatives.length ? h("details", { class: "alternatives" },
          h("summary", {}, o.alternatives.length + " competing explanation" + (o.alternatives.length > 1 ? "s" : "")),
          ...o.alternatives.map((a) => h("div", { class: "alt" },
            h("p", {}, a.effect + " by ", stageBadge(a.stage), " at ", modelLink(a.model), " ", confidence(a.confidence)),
            causeLine(a),
            a.note ? h("p", { class: "note-text" }, a.note) : null,
            evidenceList(a.evidence)))) : null));
    });
    for (const [title, key, cls] of [
      ["Also observed in (models outside this lineage)", "also_observed_in", "also-observed"],
      ["Supporting evidence from", "supporting_evidence", "supporting"]]) {
      if (!w[key].length) continue;
      out.push(h("section", { class: cls, "aria-label": title },
        h("h3", {}, title),
        h("ul", { class: "history" }, w[key].map((x) => h("li", { class: "effect-" + x.effect },
          h("p", {}, modelLink(x.model), " ", effectBadge(x), " by ", stageBadge(x.stage), " ", confidence(x.confidence),
            x.supports ? h("span", {}, " · supports " + x.supports) : null),
          causeLine(x),
          x.note ? h("p", { class: "note-text" }, x.note) : null,
          evidenceList(x.evidence))))));
    }
    const origins = new Set([...w.origins, ...w.also_observed_in, ...w.supporting_evidence].map((o) => o.claim));
    const later = w.history.filter((x) => !origins.has(x.claim));
    out.push(h("h3", {}, "Downstream: what was kept, weakened or lost"));
    const faded = later.filter((x) => x.effect === "lost" || x.effect === "weakened");
    if (faded.length) {
      out.push(h("p", { class: "answer lost" }, "Lost or weakened at ",
        ...faded.flatMap((x, i) => [i ? ", " : "", modelLink(x.model), " (" + x.effect + ")"]), "."));
    } else {
      out.push(h("p", { class: "muted" }, "No later model is recorded as losing or weakening it."));
    }
    if (later.length) {
      out.push(h("ul", { class: "history" }, later.map((x) => h("li", { class: "effect-" + x.effect },
        h("p", {}, modelLink(x.model), " ", effectBadge(x), " by ", stageBadge(x.stage), " ", confidence(x.confidence)),
        causeLine(x),
        evidenceList(x.evidence)))));
    }
    if (w.emergence.length) {
      out.push(h("h3", {}, "Emerges with scale"),
        h("ul", { class: "plain" }, w.emergence.map((r) => h("li", {},
          r.task + " (" + r.setting + "): " + modelName(r.model) + ", " +
          sci(r.training_flops) + " training FLOPs, " + params(r.parameters) + " parameters — " +
          r.source + ", " + r.locator))));
    }
    return out;
  }

  // "recovered (partly; still below code-davinci-002) — cause: ..." under a claim
  function causeLine(c) {
    if (!c.cause && !c.partial && !c.still_below) return null;
    const quals = [c.partial ? "partly" : null, c.still_below ? "still below " + c.still_below : null].filter(Boolean);
    return h("p", { class: "cause" }, (c.says || c.effect) + (quals.length ? " (" + quals.join("; ") + ")" : ""),
      c.cause ? " — cause: " + c.cause : "");
  }
  function effectBadge(c) {
    return h("span", { class: "badge badge-effect badge-effect-" + c.effect }, (c.says || c.effect) + (c.partial ? " (partly)" : ""));
  }

  /** A limitation is had, not gained: who has it, grouped by the family it is
   *  stated for, and who no longer has it. */
  function limitationAnswer(w) {
    const out = [];
    if (!w.origins.length) out.push(h("p", { class: "answer none" }, "No model is recorded to have this limitation."));
    const groups = new Map();
    for (const o of w.origins) {
      const key = o.stated_for || o.claim;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(o);
    }
    for (const claims of groups.values()) {
      const o = claims[0], fam = o.stated_for;
      const seen = new Map();
      for (const c of claims) for (const e of c.evidence) seen.set(e.source + "\u0000" + e.locator + "\u0000" + e.note, e);
      out.push(h("section", { class: "origin limitation", "aria-label": "Has the limitation" },
        h("h3", {}, "Has the limitation: ",
          ...(fam ? ["every member of ", modelLink(fam)] : [modelLink(o.model)])),
        fam ? h("p", {}, "The source states it for the whole family: ",
          ...claims.flatMap((c, i) => [i ? ", " : "", modelLink(c.model)]), ".") : null,
        h("p", { class: "facts" }, "Confidence ", ...[...new Set(claims.map((c) => c.confidence))].map(confidence),
          o.stage ? h("span", {}, " · by ", stageBadge(o.stage)) : null),
        ...[...new Set(claims.map((c) => c.note).filter(Boolean))].map((n) => h("p", { class: "note-text" }, n)),
        h("h4", {}, "Evidence"),
        evidenceList([...seen.values()])));
    }
    const origins = new Set(w.origins.map((o) => o.claim));
    const later = w.history.filter((x) => !origins.has(x.claim));
    if (later.length) {
      out.push(h("h3", {}, "Elsewhere in the lineage"),
        h("ul", { class: "history" }, later.map((x) => h("li", { class: "effect-" + x.effect },
          h("p", {}, modelLink(x.model), " ", effectBadge(x), " ", confidence(x.confidence)),
          causeLine(x),
          evidenceList(x.evidence)))));
    }
    return out;
  }

  function sci(v) { return v === null || v === undefined ? "?" : Number(v).toExponential(1).replace("e+", "e"); }
  function params(v) {
    if (v === null || v === undefined) return "?";
    for (const [size, unit] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]) {
      if (v >= size) return +(v / size).toPrecision(3) + unit;
    }
    return String(v);
  }

  function figuresTable(figures) {
    if (!figures.length) return null;
    return h("div", { class: "table-wrap" }, h("table", { class: "figures" },
      h("thead", {}, h("tr", {}, ["Figure", "Value", "Source"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, figures.map((f) => h("tr", {},
        h("th", { scope: "row" }, f.property.replace(/_/g, " ") + (f.qualifier ? " (" + f.qualifier + ")" : "")),
        h("td", { class: "num" }, (typeof f.value === "number" ? f.value.toLocaleString("en") : String(f.value)) + " " + f.unit),
        h("td", {}, f.source + ", " + f.locator))))));
  }

  function modelCard(mid) {
    const v = D.models[mid], m = v.model, lin = D.lineage[mid];
    const out = [
      h("p", { class: "kicker" }, "Model"),
      h("h2", { id: "card-h" }, m.name),
      h("p", { class: "meta" }, h("code", {}, m.id),
        m.family ? h("span", {}, " · ", modelLink(m.family)) : null,
        " · " + (m.organization || "organization unknown") + " · " + (m.released ? "released " + m.date_label : m.paper_date ? m.date_label : "released ?"),
        m.aliases.length ? " · also: " + m.aliases.join(", ") : ""),
      m.description ? h("p", {}, m.description) : null,
      m.papers.length ? h("p", {}, "Papers: " + m.papers.join(", ")) : null,
      m.approximations.length ? h("p", {}, "Open-source approximations: " + m.approximations.join(", ")) : null,
      h("h3", {}, "Lineage path"),
      lin.steps.length ? pathView(lin.path, lin.steps) : h("p", { class: "muted" }, "A root: no recorded parent."),
    ];
    if (v.parents.length > 1) {
      out.push(h("p", {}, "All parents: ", ...v.parents.flatMap((p, i) => [i ? ", " : "", modelLink(p.model), " (" + stageName(p.stage) + ", " + p.confidence + ")"])));
    }
    for (const p of v.parents) if (p.note) out.push(h("p", { class: "note-text" }, modelName(p.model) + " → " + m.name + ": " + p.note));
    if (v.children.length) {
      out.push(h("p", {}, "Derived from it: ", ...v.children.flatMap((c, i) => [i ? ", " : "", modelLink(c.model), " (" + stageName(c.stage) + ")"])));
    }
    out.push(h("h3", {}, "Gained here"), capChips(v.gained),
      h("h3", {}, "Inherited"), capChips(v.inherited),
      h("h3", {}, "Weakened or lost here"), capChips([...v.weakened, ...v.lost]));
    if (v.limitations.length) out.push(h("h3", {}, "Has the limitations"), capChips(v.limitations));
    if ((v.no_longer_has_limitations || []).length) out.push(h("h3", {}, "No longer has the limitations"), capChips(v.no_longer_has_limitations));
    if (v.claims.length) {
      out.push(h("h3", {}, "Claims and evidence"), h("ul", { class: "history" }, v.claims.map((c) => h("li", { class: "effect-" + c.effect },
        h("p", {}, capLink(c.capability), " ", effectBadge(c),
          ...(c.stage || !c.says || c.says === c.effect ? [" by ", stageBadge(c.stage)] : []), " ", confidence(c.confidence),
          c.stated_for ? h("span", {}, " · stated for all of ", modelLink(c.stated_for)) : null,
          c.alternative_to ? badge("competing explanation", "contested") : null, c.contested ? badge("contested", "contested") : null),
        causeLine(c),
        c.note ? h("p", { class: "note-text" }, c.note) : null,
        evidenceList(c.evidence)))));
    }
    if (v.figures.length) out.push(h("h3", {}, "Figures"), figuresTable(v.figures));
    return out;
  }

  function familyCard(fid) {
    const v = D.families[fid], f = v.family;
    return [
      h("p", { class: "kicker" }, "Family"),
      h("h2", { id: "card-h" }, f.name),
      h("p", { class: "meta" }, h("code", {}, f.id), " · " + (f.organization || "organization unknown"),
        f.parent_family ? h("span", {}, " · part of ", modelLink(f.parent_family)) : null,
        f.aliases.length ? " · also: " + f.aliases.join(", ") : ""),
      f.description ? h("p", {}, f.description) : null,
      h("h3", {}, "Models"),
      v.members.length ? h("ul", { class: "chips" }, v.members.map((id) => h("li", {}, modelLink(id)))) : h("p", { class: "muted" }, "No model of this family is recorded."),
      v.figures.length ? h("h3", {}, "Figures") : null,
      figuresTable(v.figures),
    ];
  }

  function stageCard(sid) {
    const st = D.stages[sid];
    const made = D.derivations.filter((d) => d.stage === sid);
    return [
      h("p", { class: "kicker" }, "Training stage"),
      h("h2", { id: "card-h" }, st.name),
      h("p", { class: "meta" }, h("code", {}, sid), st.aliases.length ? " · also: " + st.aliases.join(", ") : ""),
      h("p", {}, st.definition),
      h("h3", {}, "Derivations made by it"),
      made.length ? h("ul", { class: "derivations" }, made.map((d) => h("li", {}, modelLink(d.parent), " → ", modelLink(d.child))))
        : h("p", { class: "muted" }, "No derivation of this graph is made by this stage."),
    ];
  }

  // a concept of the sources (the alignment tax): its definition, quotes and claims
  function conceptCard(cid) {
    const v = D.concepts[cid], c = v.concept;
    return [
      h("p", { class: "kicker" }, "Concept"),
      h("h2", { id: "card-h" }, c.name),
      h("p", { class: "meta" }, h("code", {}, c.id), c.aliases.length ? " · also: " + c.aliases.join(", ") : ""),
      h("p", {}, c.definition),
      c.note ? h("p", { class: "note-text" }, c.note) : null,
      h("h3", {}, "Defined in the sources"),
      evidenceList(c.evidence),
      h("h3", {}, "Claims it links"),
      v.examples.length ? h("ul", { class: "history examples" }, v.examples.map((x) => h("li", { class: "effect-" + x.effect },
        h("p", {}, modelLink(x.model), " ", capLink(x.capability), " ", effectBadge(x), " by ", stageBadge(x.stage), " ", confidence(x.confidence)),
        causeLine(x),
        evidenceList(x.evidence))))
        : h("p", { class: "muted" }, "No claim is linked to this concept."),
    ];
  }

  /** A link to a record this graph does not hold: say so, and light up nothing. */
  function notFound(kind, id) {
    clearHighlight();
    document.title = "Not found · " + baseTitle;
    setCard(h("h2", { id: "card-h" }, "Not found"),
      h("p", {}, "This graph has no " + kind + " with the id ", h("code", {}, id), "."),
      h("p", {}, "Search for it by name, or pick one:"),
      h("ul", { class: "chips" }, starters().map((cid) => h("li", {}, capLink(cid)))));
    card.dataset.kind = "not-found";
    card.dataset.id = id;
  }

  function showIntro() {
    document.title = baseTitle;
    setCard(h("h2", { id: "card-h" }, "Ask where a capability came from"),
      h("p", {}, "Type a name in the search box, or pick one:"),
      h("ul", { class: "chips" }, starters().map((id) => h("li", {}, capLink(id)))));
  }
  function starters() {
    const wanted = ["chain-of-thought", "in-context-learning", "code-generation",
      "instruction-following", "zero-shot-generalization", "dialogue"];
    const found = wanted.filter((id) => D.capabilities[id]);
    return found.length ? found : Object.keys(D.capabilities).filter((id) => D.capabilities[id].origins.length).slice(0, 6);
  }

  const baseTitle = document.title;
  function show(kind, id, focus) {
    let content;
    if (kind === "capability" && D.capabilities[id]) { content = capabilityCard(id); highlightCapability(id); }
    else if (kind === "model" && D.models[id]) { content = modelCard(id); highlightModel(id); }
    else if (kind === "family" && D.families[id]) {
      content = familyCard(id); clearHighlight();
      mark(D.families[id].members, "is-selected"); showLegend("model");
    } else if (kind === "stage" && D.stages[id]) { content = stageCard(id); clearHighlight(); }
    else if (kind === "concept" && D.concepts[id]) {
      content = conceptCard(id); clearHighlight();
      mark([...new Set(D.concepts[id].examples.map((x) => x.model))], "is-selected"); showLegend("model");
    } else { notFound(kind, id); return; }
    setCard(...content);
    card.dataset.kind = kind;
    card.dataset.id = id;
    document.title = (kind === "capability" ? D.capabilities[id].capability.name
      : kind === "stage" ? D.stages[id].name : kind === "concept" ? D.concepts[id].concept.name
      : modelName(id)) + " · " + baseTitle;
    if (focus) {
      // keyboard and screen-reader users land on the answer; the page scrolls only
      // when the card is out of sight (below the tree on narrow screens)
      card.focus({ preventScroll: true });
      const r = card.getBoundingClientRect();
      if (r.top > window.innerHeight * 0.75 || r.bottom < 0) card.scrollIntoView({ block: "start" });
    }
  }

  function go(kind, id) {
    const hash = "#" + kind + "/" + encodeURIComponent(id);
    if (location.hash === hash) show(kind, id, true);
    else location.hash = hash;
  }
  function route(focus) {
    const match = /^#(capability|model|family|stage|concept)\/(.+)$/.exec(location.hash);
    if (!match) { clearHighlight(); showIntro(); return; }
    let id;
    try { id = decodeURIComponent(match[2]); } catch (e) { showIntro(); return; }
    show(match[1], id, focus);
  }
  window.addEventListener("hashchange", () => route(true));

  // --- search ------------------------------------------------------------------------

  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const status = document.getElementById("search-status");
  const entries = [];
  function addEntries(kind, id, name, labels) {
    for (const label of [id, name, ...labels]) entries.push({ kind, id, name, label, key: normalize(label) });
  }
  for (const [id, w] of Object.entries(D.capabilities)) addEntries("capability", id, w.capability.name, w.capability.aliases);
  for (const [id, v] of Object.entries(D.models)) addEntries("model", id, v.model.name, v.model.aliases);
  for (const [id, v] of Object.entries(D.families)) addEntries("family", id, v.family.name, v.family.aliases);

  for (const [id, st] of Object.entries(D.stages)) addEntries("stage", id, st.name, st.aliases);

  /** Full text (lineage.store.search, without FTS5): records whose text holds every
   * typed word, in either spelling, as a word start; a name weighs more than a quote. */
  const TEXT_WEIGHT = { name: 4, title: 4, aliases: 3, topic: 3, description: 2, definition: 2, says: 1.5, note: 1.2 };
  const texts = W.texts.map(([kind, id, field, text, tkind, tid]) =>
    ({ kind, id, field, text, tkind, tid, folded: " " + words(text).join(" ") }));
  function variants(w) {
    const out = [w];
    for (const [british, american] of R.spelling) {
      if (w.length >= 5 && w.endsWith(british)) out.push(w.slice(0, -british.length) + american);
      else if (w.length >= 5 && w.endsWith(american)) out.push(w.slice(0, -american.length) + british);
    }
    return out;
  }
  function fullText(text) {
    const typed = words(text).filter((w) => !FILLER.has(w));
    if (!typed.length) return [];
    const wanted = typed.map((w) => variants(CJK_ONE.test(w) ? w : canon(w)));
    const best = new Map();
    for (const t of texts) {
      if (!wanted.every((vs) => vs.some((v) => t.folded.includes(" " + v)))) continue;
      const score = TEXT_WEIGHT[t.field] || 1, key = t.tkind + ":" + t.tid, seen = best.get(key);
      if (!seen || score > seen.weight) best.set(key, { kind: t.tkind, id: t.tid, score: 3, weight: score, label: null, hit: t });
    }
    return [...best.values()].sort((a, b) => b.weight - a.weight);
  }
  function snippet(t, text) {
    const first = words(text).find((w) => !FILLER.has(w)) || "";
    const at = Math.max(0, casefold(t.text).indexOf(first.slice(0, 4)));
    const start = Math.max(0, at - 30);
    return (start ? "…" : "") + t.text.slice(start, start + 110) + (start + 110 < t.text.length ? "…" : "");
  }

  /** What the resolver finds (lineage.store.names: one answer, or several), then
   * names that start with or contain what is typed, then full-text hits. */
  function search(text) {
    const key = normalize(text);
    if (!key) return [];
    const best = new Map();
    for (const [kind, id] of resolve(text)) best.set(kind + ":" + id, { kind, id, score: 0, label: null });
    for (const e of entries) {
      const score = e.key === key ? 0 : e.key.startsWith(key) ? 1 : e.key.includes(key) ? 2 : -1;
      if (score < 0) continue;
      const k = e.kind + ":" + e.id, seen = best.get(k);
      if (!seen || score < seen.score || (score === seen.score && seen.label === null)) {
        best.set(k, { kind: e.kind, id: e.id, score, label: e.label });
      }
    }
    const named = [...best.values()].sort((a, b) => a.score - b.score || KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      nameOf(a).localeCompare(nameOf(b)));
    const found = fullText(text).filter((r) => !best.has(r.kind + ":" + r.id))
      .map((r) => ({ ...r, label: r.hit.kind + " " + r.hit.id + ": " + snippet(r.hit, text) }));
    return [...named, ...found].slice(0, 12);
  }
  const nameOf = (r) => (r.kind === "capability" ? capName(r.id) : r.kind === "stage" ? D.stages[r.id].name
    : r.kind === "concept" ? D.concepts[r.id].concept.name : modelName(r.id));

  let hits = [], active = -1;
  function renderResults() {
    results.replaceChildren(...hits.map((r, i) => {
      const name = nameOf(r);
      const extra = r.label && normalize(r.label) !== normalize(name) ? " — " + r.label : "";
      return h("li", { id: "result-" + i, role: "option", "aria-selected": i === active ? "true" : "false",
        class: i === active ? "active" : null,
        onmousedown: (event) => { event.preventDefault(); choose(i); } },
      h("span", { class: "kind kind-" + r.kind }, r.kind), h("span", { class: "name" }, name), h("span", { class: "alias" }, extra));
    }));
    const open = hits.length > 0 && input.value.trim() !== "";
    results.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (active >= 0 && open) input.setAttribute("aria-activedescendant", "result-" + active);
    else input.removeAttribute("aria-activedescendant");
  }
  function choose(i) {
    const r = hits[i];
    if (!r) return;
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
    go(r.kind, r.id);
  }
  input.addEventListener("input", () => {
    hits = search(input.value);
    active = hits.length ? 0 : -1;
    renderResults();
    const exact = hits.filter((r) => r.score === 0);
    status.dataset.resolved = exact.length === 1 ? exact[0].kind + ":" + exact[0].id : "";
    status.textContent = input.value.trim() ? (hits.length ? hits.length + (hits.length === 1 ? " match" : " matches") : "No match") : "";
    if (exact.length === 1) show(exact[0].kind, exact[0].id, false);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!hits.length) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + hits.length) % hits.length;
      renderResults();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (hits.length) choose(Math.max(active, 0));
      else status.textContent = "No record is called that or holds those words";
    } else if (event.key === "Escape") {
      if (!results.hidden) { results.hidden = true; input.setAttribute("aria-expanded", "false"); }
      else input.value = "";
    }
  });
  input.addEventListener("blur", () => { results.hidden = true; input.setAttribute("aria-expanded", "false"); });
  input.addEventListener("focus", () => { if (input.value.trim()) renderResults(); });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || (target && target.isContentEditable);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  input.disabled = false;

  // --- the lists under the tree -------------------------------------------------------

  const browse = document.getElementById("browse");
  for (const [kind, title] of [["ability", "Abilities"], ["limitation", "Limitations"]]) {
    const ids = Object.keys(D.capabilities).filter((id) => D.capabilities[id].capability.kind === kind)
      .sort((a, b) => capName(a).localeCompare(capName(b)));
    if (!ids.length) continue;
    browse.append(h("h3", {}, title + " (" + ids.length + ")"),
      h("ul", { class: "chips" }, ids.map((id) => {
        const w = D.capabilities[id];
        const where = w.origins.length ? " · " + w.origins.map((o) => modelName(o.model)).join(", ") : "";
        return h("li", {}, link("capability", id, capName(id)), h("span", { class: "chip-note" }, where));
      })));
  }

  const conflicts = document.getElementById("conflicts");
  if (!D.conflicts.length) conflicts.append(h("p", { class: "muted" }, "No conflicts recorded."));
  else {
    const kindLabel = { "between-sources": "between sources", "within-source": "within one source", "translation": "translation vs original" };
    conflicts.append(h("ul", { class: "conflicts" }, D.conflicts.map((t) => h("li", {},
      h("p", {}, h("strong", {}, t.topic)),
      t.conflicts.map((c) => h("div", { class: "conflict" },
        h("p", {}, badge(kindLabel[c.kind] || c.kind, "contested"), " ", h("code", {}, c.id)),
        c.note ? h("p", { class: "muted" }, c.note) : null,
        h("ul", {}, c.sides.map((s) => h("li", {},
          h("p", {}, (s.translation ? "The translation reads: " : "") + s.says),
          s.evidence.flatMap((e) => [h("p", { class: "cite" }, e.source + ", " + e.locator),
            e.note ? h("blockquote", {}, e.note) : null]))))))))));
  }

  const sources = document.getElementById("sources");
  for (const s of D.sources) {
    const url = safeUrl(s.url);
    const authors = s.authors.slice(0, 3).join(", ") + (s.authors.length > 3 ? " et al." : "");
    sources.append(h("li", { id: "source-" + s.id },
      authors + " (" + s.year + "). ",
      url ? h("a", { href: url, rel: "noopener noreferrer" }, s.title) : h("span", {}, s.title),
      s.kind ? " [" + s.kind + "]" : "", " ", h("code", {}, s.id),
      s.translation ? h("p", { class: "muted" }, "Note: " + s.translation) : null));
  }

  route(false);
})();
