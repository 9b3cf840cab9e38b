// @ts-check
/**
 * The reader's layer in the built book: highlight, note, keep, export, import.
 *
 * Runs on pages the build marked (annotate/sphinxext/booklayer.py), configured
 * by data-* attributes on its own script tag. Highlights live in this browser's
 * localStorage, one key per book and page, as W3C Web Annotation JSON: the same
 * format `annotate export` writes and the Jupyter widget reads. Painting, the
 * palette and the panel are the shared highlighter's (annotator.js); anchoring
 * and the JSON model follow the Python package (anchoring.js, model.js). Nothing
 * is fetched; user text reaches the page only as textContent.
 */
/* global AnnotateUI, AnnotateAnchoring, AnnotateModel */
(function () {
  "use strict";

  const script = /** @type {HTMLScriptElement | null} */ (document.querySelector("script[data-annotate-layer]"));
  if (!script) return;
  // Marks for benchmarks/html_layer.py: start-up until the stored highlights are painted.
  performance.mark("annotate-layer-start");
  const book = script.dataset.book || "book";
  const page = script.dataset.page || "";
  const pageSource = script.dataset.source || "";
  const vocabulary = JSON.parse(script.dataset.vocabulary || "{}");
  // The pages of this book that hold highlights: an import files notes under these only.
  /** @type {Set<string>} */
  const layerPages = new Set(JSON.parse(script.dataset.pages || "[]"));
  const PREFIX = `annotate:v1:${book}:`;
  // Imported notes for pages this book does not have: kept apart, never under a made-up page.
  const UNPLACED_KEY = `annotate:v1:${book}#unplaced`;
  // Every element the layer makes, user text only ever as textContent.
  const el = AnnotateUI.el;
  const sourcePrefix = pageSource.slice(0, pageSource.length - page.length);

  /**
   * @typedef {ReturnType<typeof AnnotateModel.fromW3C>} Record
   * @typedef {{id: string, start: number, end: number, exact: string, claimType: string | null,
   *   status: string | null, note: string, creator: string, orphan: boolean}} Highlight
   */

  // ---- The text readers highlight: the rule annotate.load_article uses.

  /** @param {Element} main */
  function articleBlocks(main) {
    const article = main.querySelector("div.annotate-article");
    if (article) {
      const holder = document.getElementById(article.getAttribute("data-annotate-headline") || "");
      const h1 = holder ? holder.querySelector(":scope > h1") : null;
      const paragraphs = Array.from(article.children).filter((c) => c.tagName === "P");
      return h1 ? [h1, ...paragraphs] : paragraphs;
    }
    // Other pages: headings and paragraphs of the main text, outermost only,
    // leaving out margins, sidebars, captions and the bibliography.
    const skip = ".margin, .sidebar, nav, .toctree-wrapper, .bibliography, .citation, .footnote, "
      + ".admonition-title, .sidebar-title, .annotate-layer, figcaption, .highlight, .prev-next-area";
    const candidates = Array.from(main.querySelectorAll("h1, h2, h3, h4, p, li, dt, dd, td, th"));
    return candidates.filter((node) => {
      if (node.closest(skip)) return false;
      if (node.matches("li, dt, dd, td, th") && node.querySelector("p, li, dt, dd, h1, h2, h3, h4, table")) return false;
      const outer = node.parentElement && node.parentElement.closest("p, li, dt, dd, td, th, h1, h2, h3, h4");
      return !(outer && main.contains(outer));
    });
  }

  /** Text inside these is page furniture, not article text. @param {Node} node */
  const furniture = (node) => node instanceof Element
    && node.matches(".headerlink, .annotate-claim-label, .annotate-sr-only, .annotate-palette");

  // ---- Storage: one localStorage key per page, holding W3C annotations.

  /** @param {string} name */
  const keyOf = (name) => PREFIX + name;

  /**
   * The items stored under `key`. A value that is not a JSON list comes back as one
   * item, the text as stored: it is kept aside as unreadable, never overwritten.
   * @param {string} key @returns {any[]}
   */
  function readKey(key) {
    let raw = null;
    try {
      raw = window.localStorage.getItem(key);
    } catch (err) {
      return []; // blocked storage: nothing stored
    }
    if (!raw) return [];
    try {
      const data = JSON.parse(raw);
      return Array.isArray(data) ? data : [raw];
    } catch (err) {
      return [raw];
    }
  }

  /**
   * Write, or say why not: a full or blocked storage never loses notes silently.
   * @param {string} key @param {object[]} list @returns {boolean}
   */
  function writeKey(key, list) {
    try {
      if (list.length) window.localStorage.setItem(key, JSON.stringify(list));
      else window.localStorage.removeItem(key);
      return true;
    } catch (err) {
      const full = err instanceof DOMException && (err.name === "QuotaExceededError" || err.code === 22);
      alertReader(full
        ? "This browser's storage for the book is full, so your latest change is not saved. It stays on this page until you leave: choose Export to keep your notes in a file."
        : "This browser does not let the book save notes (storage is blocked), so changes last only until you leave this page. Choose Export to keep them.");
      return false;
    }
  }

  /** Every page of this book with stored annotations. */
  function storedPages() {
    const out = [];
    try {
      for (let i = 0; i < window.localStorage.length; i++) {
        const k = window.localStorage.key(i);
        if (k && k.startsWith(PREFIX)) out.push(k.slice(PREFIX.length));
      }
    } catch (err) { /* blocked storage: nothing stored */ }
    return out;
  }

  // ---- The page.

  const main = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const blocks = articleBlocks(main);
  if (!blocks.length) return;

  // What the layer says (saved, exported, imported) is shown here and announced
  // through the highlighter's live region, which is on the page even while the
  // panel is closed (a live region inside a hidden drawer says nothing).
  const status = el("div", { class: "annotate-layer-status" });
  // What is kept but not shown: unreadable stored items, notes for pages the book lacks.
  const keptNotice = el("div", { class: "annotate-layer-kept", role: "status", hidden: "" });
  const alertBox = el("div", { class: "annotate-layer-alert", role: "alert" });
  /** @type {((message: string) => void) | null} */
  let announce = null;
  /** @param {string} message */
  function alertReader(message) {
    alertBox.textContent = message;
    if (drawer.hidden && announce) announce(message);
  }
  /** @param {string} message */
  function tell(message) {
    alertBox.textContent = "";
    status.textContent = message;
    if (message && announce) announce(message);
  }

  // The panel: a drawer opened by a button that stays in the corner.
  const drawer = el("aside", { class: "annotate-layer", id: "annotate-layer-panel", "aria-label": "Your highlights and notes", hidden: "" });
  const toggle = el("button", {
    type: "button", class: "annotate-layer-toggle", "aria-controls": "annotate-layer-panel", "aria-expanded": "false",
  }, "Highlights");
  const count = el("span", { class: "annotate-layer-count", "aria-hidden": "true" });
  toggle.appendChild(count);
  const close = el("button", { type: "button", class: "annotate-layer-close", "aria-label": "Close highlights panel" }, "×");
  const title = el("h2", { class: "annotate-layer-title" }, "Your highlights");
  const intro = el("p", { class: "annotate-help" },
    "Select words in the text to highlight a claim. Your highlights stay in this browser only; Export saves them to a file you can hand in.");
  const nameId = "annotate-layer-name";
  const nameLabel = el("label", { for: nameId }, "Your name (for exported files)");
  const nameInput = /** @type {HTMLInputElement} */ (el("input", { id: nameId, type: "text", autocomplete: "name" }));
  const exportButton = el("button", { type: "button", class: "annotate-layer-export" }, "Export");
  exportButton.setAttribute("aria-label", "Export: download your highlights as a W3C JSON file");
  const importButton = el("button", { type: "button", class: "annotate-layer-import" }, "Import");
  importButton.setAttribute("aria-label", "Import: load highlights from a JSON file");
  const fileInput = /** @type {HTMLInputElement} */ (el("input", { type: "file", accept: ".json,application/json", hidden: "", "aria-hidden": "true", tabindex: "-1" }));
  const files = el("div", { class: "annotate-layer-files" });
  files.append(exportButton, importButton, fileInput);
  const body = el("div", { class: "annotate-layer-body" });
  drawer.append(close, title, intro, nameLabel, nameInput, files, alertBox, status, keptNotice, body);
  document.body.append(toggle, drawer);

  /** @param {boolean} open */
  function setOpen(open) {
    drawer.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("annotate-layer-open", open);
    if (open) title.setAttribute("tabindex", "-1"), title.focus();
    else toggle.focus();
  }
  toggle.addEventListener("click", () => setOpen(drawer.hidden));
  close.addEventListener("click", () => setOpen(false));
  drawer.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !(/** @type {Element} */ (event.target)).closest(".annotate-palette")) setOpen(false);
  });

  const NAME_KEY = "annotate:v1:reader-name";
  try { nameInput.value = window.localStorage.getItem(NAME_KEY) || ""; } catch (err) { /* blocked */ }
  nameInput.addEventListener("change", () => {
    try { window.localStorage.setItem(NAME_KEY, nameInput.value.trim()); } catch (err) { /* blocked: name is per visit */ }
  });
  const readerName = () => nameInput.value.trim() || "reader";

  // ---- Highlights of this page: W3C records anchored to the current text.

  const ui = AnnotateUI.createAnnotator({
    root: /** @type {HTMLElement} */ (main),
    blocks,
    panel: body,
    vocabulary,
    skip: furniture,
    editorClaims: true,
    onCreate: (/** @type {any} */ draft) => {
      const stamp = AnnotateModel.now();
      /** @type {Record} */
      const fresh = {
        id: AnnotateModel.newId(), source: pageSource, exact: "", prefix: "", suffix: "",
        start: 0, end: 0, creator: readerName(), created: stamp, modified: stamp,
        claimType: draft.claimType, status: draft.status, note: draft.note, tags: [], motivation: "", orphan: false,
        positioned: true,
      };
      save([...records, AnnotateAnchoring.at(fresh, text, draft.start, draft.end)], "Highlight saved.");
    },
    onUpdate: (/** @type {string} */ id, /** @type {any} */ draft) => {
      save(records.map((r) => (r.id === id
        ? { ...r, claimType: draft.claimType, status: draft.status, note: draft.note, motivation: "", modified: AnnotateModel.now() }
        : r)), "Highlight updated.");
    },
    onDelete: (/** @type {string} */ id) => {
      deleted = records.find((r) => r.id === id) || null;
      save(records.filter((r) => r.id !== id), "Highlight deleted.");
    },
    onRestore: (/** @type {Highlight} */ h) => {
      if (deleted && deleted.id === h.id) save([...records, deleted], "Highlight restored.");
      deleted = null;
    },
    onReattach: (/** @type {string} */ id, /** @type {number} */ start, /** @type {number} */ end) => {
      // The reader chose the words: an edit (as in the widget), so `modified` moves on.
      save(records.map((r) => (r.id === id
        ? { ...AnnotateAnchoring.at(r, text, start, end), modified: AnnotateModel.now() }
        : r)), "Note re-attached.");
    },
  });
  announce = ui.announce;
  const text = ui.text();
  /** @type {Record[]} */
  let records = [];
  /** Stored items of this page that do not parse: written back and exported as they were. @type {any[]} */
  let damaged = [];
  /** @type {Record | null} */
  let deleted = null;

  /**
   * A record on the text as it is now (placement.place, in anchoring.js): a moved
   * passage takes its new place; words not found make an orphan (kept, listed, not painted).
   * @param {Record} r @returns {Record}
   */
  const placed = (r) => AnnotateAnchoring.place(r, text, pageSource).record;

  /** What a page's key holds: its records as W3C, then its unreadable items. @param {Record[]} list @param {any[]} unreadable */
  const stored = (list, unreadable) => [...list.map((r) => AnnotateModel.toW3C(r, vocabulary)), ...unreadable];

  /** @param {Record[]} next @param {string} message */
  function save(next, message) {
    records = next;
    const ok = writeKey(keyOf(page), stored(records, damaged));
    if (ok) tell(message);
    show();
  }

  function show() {
    ui.setHighlights(records.map((r) => ({
      id: r.id, start: r.start, end: r.end, exact: r.exact, claimType: r.claimType,
      status: r.status, note: r.note, creator: r.creator, created: r.created, modified: r.modified, orphan: r.orphan,
    })));
    const n = records.length;
    count.textContent = n || damaged.length ? ` ${n}${damaged.length ? "!" : ""}` : "";
    const unread = damaged.length ? `, and ${damaged.length} that could not be read` : "";
    toggle.setAttribute("aria-label", `Highlights: ${n} on this page${unread}. Open the panel.`);
  }

  /**
   * Stored items as records; those that do not parse (damaged, or written by a
   * version with other rules) are kept aside, never dropped.
   * @param {any[]} list @returns {{records: Record[], unreadable: any[]}}
   */
  function parseStored(list) {
    /** @type {Record[]} */
    const out = [];
    const unreadable = [];
    for (const item of list) {
      try { out.push(AnnotateModel.fromW3C(item, vocabulary)); } catch (err) { unreadable.push(item); }
    }
    return { records: out, unreadable };
  }

  /** Imported notes for pages this book does not have. @returns {Record[]} */
  const unplaced = () => parseStored(readKey(UNPLACED_KEY)).records;

  function showKept() {
    const parts = [];
    if (damaged.length) {
      parts.push(`${damaged.length} highlight${damaged.length === 1 ? "" : "s"} on this page could not be read — Export keeps ${damaged.length === 1 ? "it" : "them"}, as stored.`);
    }
    const away = unplaced();
    if (away.length) {
      const named = (/** @type {string} */ source) => (source.startsWith(sourcePrefix) ? source.slice(sourcePrefix.length) : source);
      const pages = [...new Set(away.map((r) => named(r.source)))].slice(0, 3).join(", ");
      parts.push(`${away.length} imported note${away.length === 1 ? " is" : "s are"} for pages this book does not have (${pages}${away.length > 3 ? ", …" : ""}): kept apart, not shown, and included in Export.`);
    }
    keptNotice.textContent = parts.join(" ");
    keptNotice.hidden = !parts.length;
  }

  const fromStorage = parseStored(readKey(keyOf(page)));
  damaged = fromStorage.unreadable;
  records = fromStorage.records.map(placed);
  const changed = records.some((r, i) => r !== fromStorage.records[i]);
  if (changed) writeKey(keyOf(page), stored(records, damaged));
  show();
  showKept();
  performance.mark("annotate-layer-painted");
  const lost = records.filter((r) => r.orphan).length;
  if (lost) {
    tell(`${lost} note${lost > 1 ? "s" : ""} could not find ${lost > 1 ? "their" : "its"} words in this version of the page: see “Not found in this text” in the panel.`);
  }

  // ---- Export: every page of this book, one W3C collection.

  exportButton.addEventListener("click", () => {
    /** @type {object[]} */
    const all = records.map((r) => AnnotateModel.toW3C(r, vocabulary));
    /** Items that do not parse, as stored, with their page: kept beside the collection's
     * items (which `annotate import` reads), so the file still imports. @type {{page: string, item: any}[]} */
    const unreadable = damaged.map((item) => ({ page, item }));
    for (const name of storedPages()) {
      if (name === page) continue;
      const other = parseStored(readKey(keyOf(name)));
      all.push(...other.records.map((r) => AnnotateModel.toW3C(r, vocabulary)));
      unreadable.push(...other.unreadable.map((item) => ({ page: name, item })));
    }
    const away = parseStored(readKey(UNPLACED_KEY));
    all.push(...away.records.map((r) => AnnotateModel.toW3C(r, vocabulary)));
    unreadable.push(...away.unreadable.map((item) => ({ page: "", item })));
    /** @type {{[k: string]: any}} */
    const data = AnnotateModel.collection(all, `${readerName()}: ${book}`);
    if (unreadable.length) data.unreadable = unreadable;
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    const who = readerName().replace(/[^\p{L}\p{N}_-]+/gu, "-").slice(0, 40) || "reader";
    link.download = `annotations-${book}-${who}.json`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    tell(`Exported ${all.length} highlight${all.length === 1 ? "" : "s"} to ${link.download}`
      + (unreadable.length ? `, and ${unreadable.length} that could not be read, as stored.` : "."));
  });

  // ---- Import: validate the whole file first; a bad file changes nothing.

  importButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (!file) return;
    file.text().then((source) => importText(file.name, source), (err) => {
      alertReader(`${file.name}: cannot be read (${err})`);
    });
  });

  /** @param {string} name @param {string} source */
  function importText(name, source) {
    let incoming;
    try {
      incoming = AnnotateModel.parseDocument(source, vocabulary);
    } catch (err) {
      alertReader(`${name}: ${err instanceof Error ? err.message : err}. Nothing was imported.`);
      return;
    }
    // Annotations of this book go to their own page; others (e.g. Hypothesis,
    // another copy of the book) are tried on this page, by their words.
    // Notes for pages this book does not have are kept apart (as `annotate import` keeps
    // them unplaced), never filed under a page key made up from their source.
    /** @type {Map<string, Record[]>} */
    const byPage = new Map();
    /** @type {Record[]} */
    const away = [];
    for (const r of incoming) {
      const named = r.source.startsWith(sourcePrefix) ? r.source.slice(sourcePrefix.length) : page;
      const target = named || page;
      if (target !== page && !layerPages.has(target)) { away.push(r); continue; }
      if (!byPage.has(target)) byPage.set(target, []);
      /** @type {Record[]} */ (byPage.get(target)).push(r);
    }
    let added = 0, updated = 0, elsewhere = 0, apart = 0;
    /** By id (a Map: no id can reach object internals); the later `modified` instant wins.
     * @param {Record[]} current @param {Record[]} more */
    const merge = (current, more) => {
      const out = current.slice();
      const at = new Map(out.map((r, i) => [r.id, i]));
      for (const r of more) {
        const i = at.get(r.id);
        if (i === undefined) { at.set(r.id, out.length); out.push(r); added++; }
        else if (AnnotateModel.compareTimes(r.modified, out[i].modified) > 0) { out[i] = r; updated++; }
      }
      return out;
    };
    const otherPages = [...byPage.keys()].filter((p) => p !== page);
    for (const other of otherPages) {
      const before = added;
      const there = parseStored(readKey(keyOf(other)));
      const merged = merge(there.records, /** @type {Record[]} */ (byPage.get(other)));
      elsewhere += added - before;
      if (!writeKey(keyOf(other), stored(merged, there.unreadable))) return;
    }
    if (away.length) {
      const before = added;
      const kept = parseStored(readKey(UNPLACED_KEY));
      const merged = merge(kept.records, away);
      apart = added - before;
      if (!writeKey(UNPLACED_KEY, stored(merged, kept.unreadable))) return;
    }
    const mine = merge(records, (byPage.get(page) || []).map(placed));
    save(mine, "");
    const byId = new Map(records.map((r) => [r.id, r]));
    const lostNow = (byPage.get(page) || []).filter((r) => { const x = byId.get(r.id); return x && x.orphan; }).length;
    const parts = [`Imported ${added + updated} of ${incoming.length} highlight${incoming.length === 1 ? "" : "s"} from ${name}`];
    if (incoming.length - added - updated) parts.push(`${incoming.length - added - updated} already here`);
    if (elsewhere) parts.push(`${elsewhere} for other pages of this book`);
    if (apart) parts.push(`${apart} for pages this book does not have (kept apart, not shown, and in Export)`);
    if (lostNow) parts.push(`${lostNow} whose words are not in this page (listed under “Not found in this text”)`);
    tell(parts.join("; ") + ".");
    showKept();
    setOpen(true);
  }

  // Hosts and tests reach the layer through one object.
  /** @type {any} */ (window).annotateLayer = {
    text: () => text,
    records: () => records.slice(),
    importText,
    open: ui.open,
  };
})();
