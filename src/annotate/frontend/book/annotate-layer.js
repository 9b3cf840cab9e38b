// @ts-check
/**
 * The reader's layer in the built book: highlight, note, keep, export, import.
 *
 * Runs on pages the build marked (annotate/sphinxext/booklayer.py), configured
 * by data-* attributes on its own script tag. Highlights live in this browser's
 * localStorage, one key per book and page, as W3C Web Annotation JSON: the same
 * format `annotate export` writes and the Jupyter widget reads. Painting, the
 * palette and the panel are the shared highlighter's (annotator.js); anchoring
 * and the JSON model follow the Python package (anchoring.js, model.js). User text
 * reaches the page only as textContent.
 *
 * A reader who joins a class (the Class box in the panel; `data-server` presets the
 * server) keeps all of that and gets class.js's sync: an outbox of their changes, the
 * page pulled on open and its events read while online, classmates' highlights, replies
 * and a visibility per note. The token has its own storage key (never in Export) and is
 * sent only to that one server. A reader who never joins fetches nothing.
 */
/* global AnnotateUI, AnnotateAnchoring, AnnotateModel, AnnotateClass */
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
  // The class server the author set in _config.yml (annotate_server_url), or "".
  const presetServer = script.dataset.server || "";
  // The class: the session (with the token) apart from the notes; Export reads PREFIX keys only.
  const CLASS_KEY = `annotate:v1:${book}#class`;

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
  const classBox = el("section", { class: "annotate-class", "aria-labelledby": "annotate-class-title" });
  drawer.append(close, title, intro, nameLabel, nameInput, files, classBox, alertBox, status, keptNotice, body);
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

  // The class's state (the rest of it is below, after Export and Import): declared
  // here because the first paint already asks whether the reader is in a class.
  /** @type {ReturnType<typeof AnnotateClass.createSync> | null} */
  let classSync = null;
  /** @type {any} */
  let session = null;
  /** Classmates' highlights on this page, placed on the text. @type {Record[]} */
  let others = [];
  /** Replies on this page by the IRI they answer. @type {Map<string, Record[]>} */
  let replies = new Map();
  let showOthers = true;
  /** @type {{online: boolean, waiting: number, error: string, conflicts: string[]}} */
  let classState = { online: true, waiting: 0, error: "", conflicts: [] };
  /** @type {Map<string, HTMLElement>} */
  let otherEntries = new Map();
  // Classmates' highlights, after the reader's own in the panel.
  const othersBox = el("section", { class: "annotate-others", hidden: "", "aria-labelledby": "annotate-others-title" });
  const othersTitle = el("h2", { class: "annotate-panel-heading", id: "annotate-others-title" }, "Classmates' highlights");
  const othersList = el("ul", { class: "annotate-others-list" });
  othersBox.append(othersTitle, othersList);

  const visibility = AnnotateClass.visibilityField();
  const ui = AnnotateUI.createAnnotator({
    root: /** @type {HTMLElement} */ (main),
    blocks,
    panel: body,
    vocabulary,
    skip: furniture,
    editorClaims: true,
    paletteField: visibility,
    decorateItem: (li, h) => decorate(li, h),
    onOpenOther: (id) => openOther(id),
    extraPanel: (panel) => panel.append(othersBox),
    onCreate: (/** @type {any} */ draft) => {
      const stamp = AnnotateModel.now();
      /** @type {Record} */
      const fresh = {
        id: AnnotateModel.newId(), source: pageSource, exact: "", prefix: "", suffix: "",
        start: 0, end: 0, creator: readerName(), created: stamp, modified: stamp,
        claimType: draft.claimType, status: draft.status, note: draft.note, tags: [], motivation: "", orphan: false,
        positioned: true, audience: draft.audience || null,
      };
      const made = AnnotateAnchoring.at(fresh, text, draft.start, draft.end);
      save([...records, made], "Highlight saved.");
      share("create", made);
    },
    onUpdate: (/** @type {string} */ id, /** @type {any} */ draft) => {
      save(records.map((r) => (r.id === id
        ? {
          ...r, claimType: draft.claimType, status: draft.status, note: draft.note, motivation: "", modified: AnnotateModel.now(),
          audience: draft.audience === undefined ? r.audience : draft.audience,
        }
        : r)), "Highlight updated.");
      share("update", records.find((r) => r.id === id));
    },
    onDelete: (/** @type {string} */ id) => {
      deleted = records.find((r) => r.id === id) || null;
      save(records.filter((r) => r.id !== id), "Highlight deleted.");
      share("delete", deleted);
      if (classSync) classSync.settle(id);
    },
    onRestore: (/** @type {Highlight} */ h) => {
      if (deleted && deleted.id === h.id) {
        save([...records, deleted], "Highlight restored.");
        share("create", deleted);
      }
      deleted = null;
    },
    onReattach: (/** @type {string} */ id, /** @type {number} */ start, /** @type {number} */ end) => {
      // The reader chose the words: an edit (as in the widget), so `modified` moves on.
      save(records.map((r) => (r.id === id
        ? { ...AnnotateAnchoring.at(r, text, start, end), modified: AnnotateModel.now() }
        : r)), "Note re-attached.");
      share("update", records.find((r) => r.id === id));
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
    const ok = AnnotateUI.phase("store", () => writeKey(keyOf(page), stored(records, damaged)));
    if (ok) tell(message);
    show();
  }

  function show() {
    AnnotateClass.keepFocus(() => {
      ui.setHighlights(records.map((r) => ({
        id: r.id, start: r.start, end: r.end, exact: r.exact, claimType: r.claimType, audience: r.audience,
        status: r.status, note: r.note, creator: r.creator, created: r.created, modified: r.modified, orphan: r.orphan,
      })), classSync && showOthers ? others : []);
      renderOthers();
    });
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
    /** @type {string[]} Hypothesis page notes: on a whole page, no words to place them on */
    const leftOut = [];
    try {
      incoming = AnnotateUI.phase("parse", () => AnnotateModel.parseDocument(source, vocabulary, leftOut));
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
    const mine = AnnotateUI.phase("place", () => merge(records, (byPage.get(page) || []).map(placed)));
    save(mine, "");
    const byId = new Map(records.map((r) => [r.id, r]));
    const lostNow = (byPage.get(page) || []).filter((r) => { const x = byId.get(r.id); return x && x.orphan; }).length;
    const parts = [`Imported ${added + updated} of ${incoming.length} highlight${incoming.length === 1 ? "" : "s"} from ${name}`];
    if (incoming.length - added - updated) parts.push(`${incoming.length - added - updated} already here`);
    if (elsewhere) parts.push(`${elsewhere} for other pages of this book`);
    if (apart) parts.push(`${apart} for pages this book does not have (kept apart, not shown, and in Export)`);
    if (lostNow) parts.push(`${lostNow} whose words are not in this page (listed under “Not found in this text”)`);
    if (leftOut.length) parts.push(`${leftOut.length} Hypothesis page note${leftOut.length === 1 ? "" : "s"} or replies left out (a note on a whole page quotes no words to place): ${leftOut.slice(0, 3).join(", ")}${leftOut.length > 3 ? ", …" : ""}`);
    tell(parts.join("; ") + ".");
    showKept();
    // Focusing the panel's title lays the page out now, with every new mark.
    AnnotateUI.phase("open", () => setOpen(true));
  }

  // ---- The class: joining, sync, classmates' highlights and replies (class.js).


  /** The class's own storage: one key per name, beside the session. */
  const classStore = {
    /** @param {string} name */
    read: (name) => { const [item] = readKey(`${CLASS_KEY}-${name}`); return item === undefined ? null : item; },
    /** @param {string} name @param {any} value */
    write: (name, value) => writeKey(`${CLASS_KEY}-${name}`, [value]),
  };

  /** A stored page's records changed by `edit` (this page's through save()). @param {string} source @param {(list: Record[]) => Record[]} edit */
  function editPage(source, edit) {
    const name = source.startsWith(sourcePrefix) ? source.slice(sourcePrefix.length) : "";
    if (name === page) {
      save(edit(records).map(placed), "");
      return;
    }
    if (!name || !layerPages.has(name)) return;
    const there = parseStored(readKey(keyOf(name)));
    writeKey(keyOf(name), stored(edit(there.records), there.unreadable));
  }

  /** The server's version of the reader's own note `id`, as a local record. @param {string} id @param {any} data */
  function ownFromServer(id, data) {
    const r = AnnotateModel.fromW3C(data, vocabulary);
    return { ...r, id, canonical: null };
  }

  /** Send a change of the reader's own note to the class. @param {"create" | "update" | "delete"} op @param {Record | null | undefined} r */
  function share(op, r) {
    if (!classSync || !r) return;
    classSync.queue({ op, id: r.id, source: r.source, data: op === "delete" ? undefined : AnnotateModel.toW3C(r, vocabulary) });
  }

  const classTitle = el("h3", { id: "annotate-class-title" }, "Class");
  const classHelp = el("p", { class: "annotate-help" });
  const inviteId = "annotate-class-invite", joinNameId = "annotate-class-name";
  const inviteInput = /** @type {HTMLInputElement} */ (el("input", { id: inviteId, type: "text", autocomplete: "off", spellcheck: "false" }));
  const joinName = /** @type {HTMLInputElement} */ (el("input", { id: joinNameId, type: "text", autocomplete: "name" }));
  const joinButton = el("button", { type: "button", class: "annotate-class-join" }, "Join class");
  const joinForm = el("div", { class: "annotate-class-form" });
  joinForm.append(
    el("label", { for: inviteId }, presetServer ? "Class link or join code" : "Class link (or join code)"), inviteInput,
    el("label", { for: joinNameId }, "Your name, as your teacher gave it"), joinName, joinButton);
  const classWho = el("p", { class: "annotate-class-who" });
  const waiting = el("span", { class: "annotate-class-waiting", hidden: "" });
  const waitingLive = el("p", { class: "annotate-class-status", role: "status" });
  waitingLive.append(waiting);
  const classError = el("p", { class: "annotate-class-error", role: "alert" });
  const othersToggle = /** @type {HTMLInputElement} */ (el("input", { type: "checkbox", id: "annotate-class-others" }));
  const othersLabel = el("label", { for: "annotate-class-others", class: "annotate-class-inline" }, " Show classmates");
  const othersLine = el("p", {});
  othersLine.append(othersToggle, othersLabel);
  const leaveButton = el("button", { type: "button", class: "annotate-class-leave" }, "Leave class");
  const joined = el("div", { class: "annotate-class-joined" });
  joined.append(classWho, waitingLive, othersLine, leaveButton);
  // On JupyterHub there is no code to type: the Hub says who the reader is.
  const hubSignIn = el("a", { class: "annotate-class-signin", hidden: "" }, "Sign in with JupyterHub");
  /** The preset server is a JupyterHub service: no join form. */
  let hubServer = false;
  classBox.append(classTitle, classHelp, joinForm, hubSignIn, joined, classError);


  function renderClass() {
    const n = classState.waiting;
    joinForm.hidden = !!session || hubServer;
    joined.hidden = !session;
    leaveButton.hidden = !!(session && session.hub);
    visibility.enable(!!session);
    classHelp.textContent = session
      ? (classState.online ? "Your notes are kept in this browser and shared with the class as you choose for each one."
        : "Offline: your notes are kept in this browser and go to the class when you are back online.")
      : hubServer ? "Sign in with JupyterHub to see your class's highlights and reply. Your notes stay in this browser."
        : "Joined a class? Paste the class link your teacher gave you to see classmates' highlights and reply. Notes made before joining stay in this browser.";
    if (session) classWho.textContent = `In class as ${session.name} (${new URL(session.server).host}).`;
    waiting.hidden = !session || !n;
    waiting.textContent = n ? `${n} change${n === 1 ? "" : "s"} waiting` : "";
    othersToggle.checked = showOthers;
    classError.textContent = session ? classState.error : classError.textContent;
  }

  /** A listed highlight of the reader's: who may read it, a conflict, its thread. @param {HTMLElement} li @param {any} h */
  function decorate(li, h) {
    if (!session || !classSync || h.orphan) return;
    const open = li.querySelector(".annotate-item-open");
    if (open) open.appendChild(el("span", { class: "annotate-item-audience" }, `Visible to: ${AnnotateClass.audienceLabel(h.audience)}`));
    if (classState.conflicts.includes(h.id)) {
      li.appendChild(el("p", { class: "annotate-class-conflict" },
        "Changed in two places: both versions are kept here and in the class. Delete the one you do not want."));
    }
    const iri = classSync.iriOf(h.id);
    li.appendChild(thread(iri, iri ? null : "Replies open once this note has reached the class."));
  }

  /** @param {string | null} iri @param {string | null} closed */
  function thread(iri, closed) {
    const sync = classSync;
    const shown = iri ? (replies.get(iri) || []).map((r) => {
      const mine = sync && sync.ownReply(r.id);
      return {
        id: r.id, creator: r.creator, note: r.note, created: r.created,
        ...(sync && mine ? {
          onEdit: (/** @type {string} */ value) => { if (sync.editReply(r.id, value)) tell("Reply changed."); },
          onDelete: () => { if (sync.deleteReply(r.id)) tell("Reply deleted."); },
        } : {}),
      };
    }) : [];
    if (iri && sync) {
      for (const p of sync.pendingReplies()) if (p.target === iri) shown.push({ creator: readerName(), note: p.text, created: "", waiting: true });
    }
    return AnnotateClass.threadView({
      root: iri, replies: shown, closed: closed || "",
      onReply: iri && sync && session ? (value) => { sync.reply(iri, value, session.name); show(); tell("Reply saved."); } : null,
    });
  }

  function renderOthers() {
    othersBox.hidden = !session || !showOthers;
    otherEntries = new Map();
    if (othersBox.hidden) return;
    const byId = new Map(others.map((r) => [r.id, r]));
    const groups = AnnotateClass.passages(others);
    othersList.replaceChildren(...groups.map((g) => {
      const li = el("li", { class: "annotate-passage", tabindex: "-1" });
      const n = g.creators.length;
      li.append(
        el("span", { class: "annotate-passage-count" }, `${n} classmate${n === 1 ? "" : "s"} highlighted this`),
        el("span", { class: "annotate-passage-quote" }, `“${Array.from(text).slice(g.start, g.end).join("")}”`));
      for (const id of g.ids) {
        const r = byId.get(id);
        if (!r) continue;
        otherEntries.set(id, li);
        const p = el("p", { class: "annotate-passage-note" });
        const t = r.claimType ? vocabulary.claimTypes.find((/** @type {any} */ x) => x.key === r.claimType) : null;
        p.append(el("span", { class: "annotate-passage-by" }, r.creator),
          document.createTextNode(`${t ? ` (${t.label})` : ""}: ${r.note || "highlighted, no note"}`));
        li.append(p, thread(r.id, null));
      }
      return li;
    }));
    if (!groups.length) {
      othersList.appendChild(el("li", { class: "annotate-empty" },
        "No classmates' highlights to show on this page yet. In some classes they appear once you have posted one yourself."));
    }
  }

  /** A classmate's highlight was opened in the text: show it in the panel. @param {string} id */
  function openOther(id) {
    if (drawer.hidden) setOpen(true);
    const entry = otherEntries.get(id);
    if (entry) { entry.scrollIntoView({ block: "center" }); entry.focus(); }
  }

  /** Classmates' notes read and placed, by IRI and version: each is anchored once. @type {Map<string, Record | null>} */
  let readRemote = new Map();
  /** @type {any[]} */
  let remoteItems = [];
  /** @type {ReturnType<typeof setTimeout> | null} */
  let remoteTimer = null;

  /**
   * What the server sent for this page. Drawn once per burst: in a busy class events
   * come faster than a page of highlights can be repainted for each.
   * @param {any[]} items
   */
  function takeRemote(items) {
    remoteItems = items;
    if (remoteTimer === null) remoteTimer = setTimeout(drawRemote, 30);
  }

  /** The server's notes as classmates' highlights and threads. */
  function drawRemote() {
    remoteTimer = null;
    const placedOthers = [];
    /** @type {Map<string, Record[]>} */
    const threads = new Map();
    /** @type {Map<string, Record | null>} */
    const read = new Map();
    for (const item of remoteItems) {
      const key = `${item.id}\n${item.modified}`;
      let r = readRemote.has(key) ? readRemote.get(key) : undefined;
      if (r === undefined) {
        try {
          r = AnnotateModel.fromW3C(item, vocabulary);
          if (!r.replyTo && r.source === pageSource) r = AnnotateAnchoring.place(r, text, pageSource).record;
        } catch (err) { r = null; }
      }
      read.set(key, r);
      if (!r) continue;
      if (r.replyTo) {
        if (!threads.has(r.replyTo)) threads.set(r.replyTo, []);
        /** @type {Record[]} */ (threads.get(r.replyTo)).push(r);
      } else if (r.source === pageSource) {
        placedOthers.push(r);
      }
    }
    readRemote = read;
    for (const list of threads.values()) list.sort((a, b) => AnnotateModel.compareTimes(a.created, b.created));
    others = placedOthers;
    replies = threads;
    show();
    performance.mark("annotate-class-painted");
  }

  function startClass() {
    if (!session) return;
    classSync = AnnotateClass.createSync({
      session, source: pageSource, store: classStore,
      localIds: () => new Set(records.map((r) => r.id)),
      local: {
        adopt: (source, id, data) => editPage(source, (list) => {
          const next = ownFromServer(id, data);
          return list.some((r) => r.id === id) ? list.map((r) => (r.id === id ? next : r)) : [...list, next];
        }),
        conflict: (source, id, server, copyId) => {
          /** @type {any} */ let mine = null;
          editPage(source, (list) => list.flatMap((r) => {
            if (r.id !== id) return [r];
            const copy = { ...r, id: copyId, canonical: null };
            mine = AnnotateModel.toW3C(copy, vocabulary);
            return [ownFromServer(id, server), copy];
          }));
          tell("This note was changed in two places: both versions are kept.");
          return mine;
        },
        remove: (source, id) => editPage(source, (list) => list.filter((r) => r.id !== id)),
      },
      onRemote: takeRemote,
      onState: (next) => {
        // A conflict labels two notes; a reply that went up is no longer "waiting".
        const relist = next.conflicts.join() !== classState.conflicts.join() || next.waiting !== classState.waiting;
        classState = next;
        renderClass();
        if (relist) show();
      },
    });
    renderClass();
    show();
    classSync.start();
  }

  function readSession() {
    const [item] = readKey(CLASS_KEY);
    return item && typeof item === "object" && typeof item.token === "string" ? item : null;
  }

  joinButton.addEventListener("click", () => {
    const invite = AnnotateClass.parseInvite(inviteInput.value, presetServer);
    const name = joinName.value.trim();
    if (!invite) {
      classError.textContent = presetServer
        ? "Paste the class link (it starts with http) or type the join code your teacher gave you."
        : "Paste the class link your teacher gave you: it starts with http and ends with #join= and a code.";
      return;
    }
    if (!name) { classError.textContent = "Give your name, as your teacher gave it."; return; }
    classError.textContent = "";
    joinButton.setAttribute("aria-disabled", "true");
    AnnotateClass.join(invite.server, invite.code, name).then((made) => {
      if (!writeKey(CLASS_KEY, [made])) return;
      session = made;
      inviteInput.value = "";
      if (!nameInput.value.trim()) { nameInput.value = name; try { window.localStorage.setItem(NAME_KEY, name); } catch (err) { /* blocked */ } }
      startClass();
      tell(`Joined the class as ${name}.`);
    }, (err) => {
      classError.textContent = `Could not join: ${err instanceof Error ? err.message : err}.`;
    }).finally(() => joinButton.removeAttribute("aria-disabled"));
  });

  othersToggle.addEventListener("change", () => {
    showOthers = othersToggle.checked;
    classStore.write("view", { showOthers });
    show();
  });

  leaveButton.addEventListener("click", () => {
    const n = classState.waiting;
    if (n && !window.confirm(`${n} change${n === 1 ? " has" : "s have"} not reached the class yet. Leave anyway? Your notes stay in this browser.`)) return;
    if (classSync) classSync.stop();
    classSync = null;
    session = null;
    for (const name of ["", "-outbox", "-links", "-view"]) writeKey(`${CLASS_KEY}${name}`, []);
    others = [];
    replies = new Map();
    remoteItems = [];
    readRemote = new Map();
    classState = { online: true, waiting: 0, error: "", conflicts: [] };
    renderClass();
    show();
    tell("You left the class. Your notes stay in this browser.");
  });

  /**
   * On JupyterHub (the preset server answers `/me`), join the signed-in user's class
   * with no code. Offline, or on another server, a stored session goes on as it was.
   */
  function joinThroughHub() {
    const stored = session;
    const server = stored ? stored.server : presetServer;
    if (!server) return;
    AnnotateClass.hubSession(server).then((answer) => {
      if (!answer) { if (stored) startClass(); return; }
      hubServer = true;
      hubSignIn.hidden = !answer.signIn;
      if (answer.signIn) hubSignIn.setAttribute("href", answer.signIn);
      classError.textContent = answer.error;
      const now = answer.session;
      if (now && stored && (stored.name !== now.name || stored.classId !== now.classId)) {
        const waitingHere = (classStore.read("outbox") || []).length;
        if (waitingHere) {
          // Another Hub user on this browser: what waits to go up is not theirs to send.
          classError.textContent = `${waitingHere} change${waitingHere === 1 ? "" : "s"} of ${stored.name} still wait to reach the class: sign in to JupyterHub as ${stored.name} to send them.`;
          renderClass();
          return;
        }
        for (const name of ["", "-outbox", "-links"]) writeKey(`${CLASS_KEY}${name}`, []);
      }
      if (now && (!stored || stored.name !== now.name || stored.classId !== now.classId)) {
        if (!writeKey(CLASS_KEY, [now])) return;
        session = now;
        if (!nameInput.value.trim()) { nameInput.value = now.name; try { window.localStorage.setItem(NAME_KEY, now.name); } catch (err) { /* blocked */ } }
        tell(`Joined the class as ${now.name}, signed in by JupyterHub.`);
      }
      renderClass();
      if (now) startClass();
    });
  }

  const view = classStore.read("view");
  showOthers = !(view && view.showOthers === false);
  session = readSession();
  renderClass();
  if (session && !session.hub) startClass();
  else joinThroughHub();

  // Hosts and tests reach the layer through one object.
  /** @type {any} */ (window).annotateLayer = {
    text: () => text,
    records: () => records.slice(),
    importText,
    open: ui.open,
    classState: () => (classSync ? classSync.state() : null),
    others: () => others.slice(),
  };
})();
