// @ts-check
/**
 * The highlighter both front ends share: the Jupyter widget and the HTML book layer.
 *
 * It indexes the article's words in the page, paints highlights given code-point
 * offsets, turns a mouse or keyboard selection into offsets, and shows the palette
 * (claim type, status, Note, Save/Cancel) and the side panel (list, edit, delete,
 * undo, orphans). It stores nothing: the host is told of every change through
 * callbacks and hands back the list to paint. User text only ever reaches the page
 * through `textContent`.
 *
 * It is a classic script (the book is read from `file://`, where module scripts
 * are refused); the widget's ES module is this file with its own code appended.
 */
/* exported AnnotateUI */
var AnnotateUI = (function () {
  "use strict";

  /**
   * @typedef {{key: string, label: string, definition: string, colour: string,
   *   underline: string, symbol: string}} ClaimType
   * @typedef {{key: string, label: string, definition: string, symbol: string}} Status
   * @typedef {{claimTypes: ClaimType[], statuses: Status[], noteLimit?: number}} Vocabulary
   * @typedef {{id: string, start: number, end: number, exact: string,
   *   claimType: string | null, status: string | null, note: string,
   *   creator?: string, created?: string, modified?: string, orphan?: boolean,
   *   audience?: string | null}} Highlight
   * @typedef {{start: number, end: number, exact: string, claimType: string | null,
   *   status: string | null, note: string, audience?: string | null}} Draft
   * A host's own field in the palette (e.g. a class note's visibility, class.js): shown
   * before the buttons, reset when the palette opens, its value() merged into the draft.
   * @typedef {{element: HTMLElement, reset: (h: Highlight | null) => void,
   *   value: () => {audience?: string | null}}} PaletteField
   */

  // ---- Code points <-> UTF-16: positions are code points (W3C), the DOM counts units.

  /** @param {string} text @returns {Int32Array} UTF-16 index of each code point. */
  function unitsByCodePoint(text) {
    const out = [];
    for (let i = 0; i < text.length; i++) {
      out.push(i);
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    out.push(text.length);
    return Int32Array.from(out);
  }

  /** @param {Int32Array} table @param {number} unit @returns {number} */
  function codePointAt(table, unit) {
    let lo = 0, hi = table.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (table[mid] <= unit) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // ---- The text index: the article's text as the Python side sees it.

  /**
   * Index the text of `blocks` as one string: each block's whitespace collapsed
   * to single spaces and trimmed, blocks joined by a blank line — the rule of
   * annotate.load_article. Returns the text and a map back to text nodes.
   * @param {Element[]} blocks
   * @param {(node: Node) => boolean} [skip] elements whose text is not article text
   */
  function indexText(blocks, skip) {
    /** @type {{node: Text, map: Int32Array}[]} */
    const nodes = [];
    let text = "";
    blocks.forEach((block, b) => {
      if (b > 0) text += "\n\n";
      const blockStart = text.length;
      let pendingSpace = false;
      // Each element is asked once (furniture: its whole subtree left out), not every
      // text node's ancestors: a painted page has a text node per mark.
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
        acceptNode: (n) => {
          if (n.nodeType === Node.TEXT_NODE) return NodeFilter.FILTER_ACCEPT;
          return skip && skip(n) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP;
        },
      });
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const node = /** @type {Text} */ (n);
        const raw = node.data;
        const map = new Int32Array(raw.length + 1);
        // Word by word (a run of non-space), not character by character: the same text
        // and map, built in a fraction of the time on a page of many marks.
        const words = /\S+/g;
        let i = 0;
        for (let m = words.exec(raw); m; m = words.exec(raw)) {
          if (m.index > i) {
            map.fill(text.length, i, m.index);
            if (text.length > blockStart) pendingSpace = true;
          }
          if (pendingSpace) { text += " "; pendingSpace = false; }
          for (let k = 0; k < m[0].length; k++) map[m.index + k] = text.length + k;
          text += m[0];
          i = m.index + m[0].length;
        }
        if (raw.length > i) {
          map.fill(text.length, i, raw.length);
          if (text.length > blockStart) pendingSpace = true;
        }
        map[raw.length] = text.length;
        nodes.push({ node, map });
      }
    });
    return { text, nodes, table: unitsByCodePoint(text) };
  }

  /**
   * The code-point offset of a DOM position, or null outside the article.
   * @param {ReturnType<typeof indexText>} index @param {Node} node @param {number} offset
   */
  function offsetOf(index, node, offset) {
    if (node.nodeType !== Node.TEXT_NODE) {
      // A position between children: use the nearest text node after (or before) it.
      const child = node.childNodes[offset] || null;
      const probe = child || node;
      let best = null;
      for (const entry of index.nodes) {
        const pos = probe.compareDocumentPosition(entry.node);
        if (child ? entry.node === child || (pos & Node.DOCUMENT_POSITION_FOLLOWING) || (pos & Node.DOCUMENT_POSITION_CONTAINED_BY)
                  : (pos & Node.DOCUMENT_POSITION_CONTAINED_BY)) { best = entry.map[0]; break; }
        if (!child && (pos & Node.DOCUMENT_POSITION_PRECEDING)) best = entry.map[entry.map.length - 1];
      }
      return best === null ? null : codePointAt(index.table, best);
    }
    const entry = index.nodes.find((e) => e.node === node);
    if (!entry) return null;
    return codePointAt(index.table, entry.map[Math.min(offset, entry.map.length - 1)]);
  }

  // ---- Painting: one pass over the boundaries of every highlight.

  /**
   * Wrap each stretch of text covered by highlights in one <mark>, so overlaps
   * never nest: a stretch under two highlights is one mark listing both ids.
   * @param {ReturnType<typeof indexText>} index @param {Highlight[]} highlights
   * @param {(ids: string[]) => string} classOf
   * @param {(mark: HTMLElement, ids: string[]) => void} [decorate] more attributes, as each mark is made
   * @returns {ReturnType<typeof indexText>} the index of the painted page (what
   *   indexText reads from it, without reading it again)
   */
  function paint(index, highlights, classOf, decorate) {
    const spans = highlights
      .filter((h) => !h.orphan && h.end > h.start)
      .map((h) => ({ id: h.id, s: index.table[h.start], e: index.table[h.end] }));
    if (!spans.length) return index;
    /** @type {{node: Text, map: Int32Array}[]} */
    const nodes = [];
    for (const entry of index.nodes) {
      const { node, map } = entry;
      const lo = map[0], hi = map[map.length - 1];
      const here = spans.filter((sp) => sp.s < hi && sp.e > lo);
      if (!here.length || !node.parentNode) { nodes.push(entry); continue; }
      const edges = new Set(here.flatMap((sp) => [sp.s, sp.e]));
      // The highlights covering a position, in the order given, kept up to date as the
      // position moves on (it only grows): each start and end is met once, where
      // filtering every highlight at every edge costs edges × highlights.
      const byStart = here.map((_, k) => k).sort((a, b) => here[a].s - here[b].s);
      const byEnd = here.map((_, k) => k).sort((a, b) => here[a].e - here[b].e);
      /** Indices into `here`, ascending. @type {number[]} */
      const active = [];
      let started = 0, ended = 0;
      /** @param {number} pos */
      const covering = (pos) => {
        for (; started < byStart.length && here[byStart[started]].s <= pos; started++) {
          const k = byStart[started];
          let at = active.length;
          while (at > 0 && active[at - 1] > k) at--;
          active.splice(at, 0, k);
        }
        for (; ended < byEnd.length && here[byEnd[ended]].e <= pos; ended++) {
          active.splice(active.indexOf(byEnd[ended]), 1);
        }
        return active.map((k) => here[k].id);
      };
      // Runs of characters under the same set of highlights become one piece.
      /** @type {{from: number, ids: string[], key: string}[]} */
      const runs = [];
      for (let i = 0; i < node.data.length; i++) {
        if (i === 0 || edges.has(map[i])) {
          const ids = covering(map[i]);
          const key = ids.join(" ");
          const last = runs[runs.length - 1];
          if (!last || last.key !== key) runs.push({ from: i, ids, key });
        }
      }
      if (runs.length === 1 && !runs[0].ids.length) { nodes.push(entry); continue; }
      const frag = document.createDocumentFragment();
      runs.forEach((run, k) => {
        const to = k + 1 < runs.length ? runs[k + 1].from : node.data.length;
        const piece = document.createTextNode(node.data.slice(run.from, to));
        // The piece's map is the node's, but for its end: after white space that ends
        // the piece, the text is where that white space began (as indexText reads it).
        const pieceMap = map.slice(run.from, to + 1);
        if (/\s/.test(node.data[to - 1])) pieceMap[to - run.from] = map[to - 1];
        nodes.push({ node: piece, map: pieceMap });
        if (!run.ids.length) { frag.appendChild(piece); return; }
        const mark = document.createElement("mark");
        mark.className = classOf(run.ids);
        mark.setAttribute("data-annotate-ids", run.key);
        if (decorate) decorate(mark, run.ids);
        mark.appendChild(piece);
        frag.appendChild(mark);
      });
      node.parentNode.replaceChild(frag, node);
    }
    return { text: index.text, nodes, table: index.table };
  }

  /** Remove painted marks, leaving the text as it was. @param {Element} root */
  function unpaint(root) {
    root.querySelectorAll("mark[data-annotate-ids]").forEach((mark) => {
      const parent = mark.parentNode;
      if (!parent) return;
      parent.replaceChild(document.createTextNode(mark.textContent || ""), mark);
      parent.normalize();
    });
  }

  /**
   * Run `work` as a named phase in the page's performance timeline (a measure named
   * `annotate:NAME`), for benchmarks/html_layer.py and the browser's profiler.
   * @template T @param {string} name @param {() => T} work @returns {T}
   */
  function phase(name, work) {
    const start = performance.now();
    try {
      return work();
    } finally {
      performance.measure(`annotate:${name}`, { start });
    }
  }

  // ---- Small DOM helpers: every user string goes in as textContent.

  /**
   * @param {string} tag @param {Record<string, string>} [attrs] @param {string} [text]
   * @returns {HTMLElement}
   */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * A time as readers read it ("12 Mar 2026, 10:04"), or the text as given when it
   * is not a time.
   * @param {string | undefined} stamp
   */
  function when(stamp) {
    if (!stamp) return "";
    let said = spoken.get(stamp);
    if (said === undefined) {
      const date = new Date(stamp);
      said = Number.isNaN(date.getTime()) ? stamp : readable().format(date);
      spoken.set(stamp, said);
    }
    return said;
  }
  /** Times already put in words: a page of notes repeats many (an import, a class). @type {Map<string, string>} */
  const spoken = new Map();
  // toLocaleString builds a formatter per call (a quarter of a second for 1,000 notes):
  // one, made when first needed, formats the same.
  /** @type {Intl.DateTimeFormat | null} */
  let formatter = null;
  const readable = () => formatter || (formatter = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }));

  /** Who wrote a highlight and when, in words ("by Ana, 12 Mar 2026, 10:04"). @param {Highlight} h */
  function byline(h) {
    const time = when(h.modified || h.created);
    if (!h.creator && !time) return "";
    return [h.creator ? `by ${h.creator}` : "", time].filter(Boolean).join(", ");
  }

  // Words after which a full stop does not end a sentence.
  const ABBREVIATIONS = /(?:^|[\s(“".])(?:[A-Z]|Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|St|Jr|Sr|No|vs|etc|e\.g|i\.e)\.$/;

  /**
   * Sentences of the text, as code-point spans, for keyboard highlighting.
   * A sentence ends at . ! or ? (with any closing quotes) before white space,
   * but not after an initial or a common abbreviation ("U.S.", "Gen."); a
   * blank line (a new paragraph) always ends one.
   * @param {string} text
   */
  function sentences(text) {
    const out = [];
    const table = unitsByCodePoint(text);
    const ends = /[.!?]+["”’)]*(?=\s|$)|\n\n/g;
    let from = 0;
    /** @param {number} a @param {number} b */
    const push = (a, b) => {
      const piece = text.slice(a, b);
      const lead = piece.length - piece.trimStart().length;
      const body = piece.trim();
      if (body) out.push({ start: codePointAt(table, a + lead), end: codePointAt(table, a + lead + body.length) });
    };
    for (let m = ends.exec(text); m; m = ends.exec(text)) {
      if (m[0] !== "\n\n") {
        const before = text.slice(from, m.index + 1);
        if (ABBREVIATIONS.test(before.replace(/["”’)]+$/, ""))) continue;
        push(from, m.index + m[0].length);
      } else {
        push(from, m.index);
      }
      from = m.index + m[0].length;
    }
    push(from, text.length);
    return out;
  }

  /**
   * Build the highlighter in `root` over `blocks`.
   * @param {{
   *   root: HTMLElement, blocks: Element[], panel: HTMLElement, vocabulary: Vocabulary,
   *   skip?: (node: Node) => boolean, editorClaims?: boolean,
   *   onCreate: (draft: Draft) => void, onUpdate: (id: string, draft: Draft) => void,
   *   onDelete: (id: string) => void, onRestore: (h: Highlight) => void,
   *   onReattach?: (id: string, start: number, end: number) => void,
   *   extraPanel?: (panel: HTMLElement) => void, paletteHost?: HTMLElement,
   *   paletteField?: PaletteField, decorateItem?: (li: HTMLElement, h: Highlight) => void,
   *   onOpenOther?: (id: string) => void,
   * }} options
   * Classmates' highlights (setHighlights' second list) are painted and described, never
   * listed or edited here: opening one calls onOpenOther; decorateItem adds to a listed one.
   */
  function createAnnotator(options) {
    const { root, blocks, panel, vocabulary } = options;
    // Keyed by vocabulary keys, with no prototype: no key can reach object internals.
    const types = Object.assign(Object.create(null), Object.fromEntries(vocabulary.claimTypes.map((t) => [t.key, t])));
    const statuses = Object.assign(Object.create(null), Object.fromEntries(vocabulary.statuses.map((s) => [s.key, s])));
    /** @type {Highlight[]} */
    let highlights = [];
    /** @type {Map<string, Highlight>} */
    let byId = new Map();
    /** Ids of the highlights painted for others (classmates'), not the reader's. @type {Set<string>} */
    let otherIds = new Set();
    let index = indexText(blocks, options.skip);
    /** @type {Highlight | null} */
    let lastDeleted = null;
    root.classList.add("annotate-root");

    // -- The palette.
    const palette = el("div", {
      class: "annotate-palette", role: "dialog", "aria-modal": "true", "aria-label": "Highlight a claim", hidden: "",
    });
    const quote = el("p", { class: "annotate-palette-quote" });
    const typeGroup = el("div", { class: "annotate-types", role: "group", "aria-label": "Claim type" });
    /** @type {Record<string, HTMLButtonElement>} */
    const typeButtons = Object.create(null);
    for (const t of vocabulary.claimTypes) {
      const b = /** @type {HTMLButtonElement} */ (el("button", {
        type: "button", class: `annotate-type-button annotate-type--${t.key}`,
        "aria-pressed": "false", title: t.definition, "data-type": t.key,
      }));
      b.append(el("span", { class: "annotate-symbol", "aria-hidden": "true" }, t.symbol), document.createTextNode(t.label));
      b.addEventListener("click", () => chooseType(t.key));
      typeButtons[t.key] = b;
      typeGroup.appendChild(b);
    }
    const statusId = `annotate-status-${Math.random().toString(36).slice(2)}`;
    const noteId = `annotate-note-${Math.random().toString(36).slice(2)}`;
    const statusLabel = el("label", { for: statusId }, "Status");
    const statusSelect = /** @type {HTMLSelectElement} */ (el("select", { id: statusId }));
    for (const s of vocabulary.statuses) {
      statusSelect.appendChild(el("option", { value: s.key }, `${s.symbol} ${s.label}`));
    }
    const noteLabel = el("label", { for: noteId }, "Note");
    const note = /** @type {HTMLTextAreaElement} */ (el("textarea", { id: noteId, rows: "3" }));
    // A note over the model's limit (annotate.model.NOTE_LIMIT, handed over with the
    // vocabulary) is refused here, its text kept in the box: it could not be exported.
    const noteError = el("p", { id: `${noteId}-error`, class: "annotate-palette-error", role: "alert", hidden: "" });
    const save = el("button", { type: "button", class: "annotate-save" }, "Save");
    const cancel = el("button", { type: "button", class: "annotate-cancel" }, "Cancel");
    const del = el("button", { type: "button", class: "annotate-delete", hidden: "" }, "Delete");
    const actions = el("div", { class: "annotate-actions" });
    actions.append(save, cancel, del);
    palette.append(quote, typeGroup, statusLabel, statusSelect, noteLabel, note, noteError,
      ...(options.paletteField ? [options.paletteField.element] : []), actions);
    // In Jupyter the palette lives inside the widget, where the notebook's
    // keyboard shortcuts are switched off; in the book it floats on the page.
    const paletteHost = options.paletteHost || document.body;
    paletteHost.appendChild(palette);

    /** @type {{start: number, end: number, id: string | null} | null} */
    let editing = null;
    /** @type {string | null} */
    let chosenType = null;
    /** @type {Element | null} */
    let returnFocus = null;

    /** @param {string | null} key */
    function chooseType(key) {
      chosenType = chosenType === key ? null : key;
      for (const [k, b] of Object.entries(typeButtons)) b.setAttribute("aria-pressed", String(k === chosenType));
    }

    /** @param {number} start @param {number} end @param {Highlight | null} existing @param {DOMRect | null} rect */
    function openPalette(start, end, existing, rect) {
      editing = { start, end, id: existing ? existing.id : null };
      returnFocus = document.activeElement;
      quote.textContent = `“${index.text.slice(index.table[start], index.table[end])}”`;
      chosenType = null;
      chooseType(existing ? existing.claimType : null);
      statusSelect.value = (existing && existing.status) || vocabulary.statuses[0].key;
      note.value = existing ? existing.note : "";
      showNoteError("");
      if (options.paletteField) options.paletteField.reset(existing);
      del.hidden = !existing;
      palette.hidden = false;
      const r = rect || root.getBoundingClientRect();
      const width = palette.offsetWidth || 320;
      const left = Math.max(8, Math.min(r.left, document.documentElement.clientWidth - width - 8));
      if (paletteHost === document.body) {
        palette.style.left = `${left + window.scrollX}px`;
        palette.style.top = `${r.bottom + window.scrollY + 8}px`;
      } else {
        const origin = paletteHost.getBoundingClientRect();
        palette.style.left = `${Math.max(0, left - origin.left)}px`;
        palette.style.top = `${r.bottom - origin.top + 8}px`;
      }
      (existing ? note : typeButtons[vocabulary.claimTypes[0].key]).focus();
    }

    /** The highlight whose mark had focus: a repaint replaces the marks, so focus goes to its new one. @type {string | null} */
    let refocus = null;
    function closePalette() {
      palette.hidden = true;
      editing = null;
      const back = returnFocus instanceof HTMLElement && document.contains(returnFocus) ? returnFocus : root;
      const ids = back.getAttribute("data-annotate-ids");
      refocus = ids ? ids.split(" ")[ids.split(" ").length - 1] : null;
      back.focus();
    }

    /** Why `text` cannot be saved as a note ("" if it can). @param {string} text */
    function noteProblem(text) {
      const limit = vocabulary.noteLimit;
      if (typeof limit !== "number") return "";
      const size = new TextEncoder().encode(text).length;
      if (size <= limit) return "";
      const n = (/** @type {number} */ x) => x.toLocaleString("en");
      return `This note is too long to save: ${n(size)} bytes, over the limit of ${n(limit)}. `
        + `Shorten it by ${n(size - limit)} byte${size - limit === 1 ? "" : "s"} (or keep the long text in a file) and save again.`;
    }

    /** @param {string} message */
    function showNoteError(message) {
      noteError.textContent = message;
      noteError.hidden = !message;
      if (message) {
        note.setAttribute("aria-invalid", "true");
        note.setAttribute("aria-describedby", noteError.id);
      } else {
        note.removeAttribute("aria-invalid");
        note.removeAttribute("aria-describedby");
      }
    }

    save.addEventListener("click", () => {
      if (!editing) return;
      const problem = noteProblem(note.value);
      showNoteError(problem);
      if (problem) {
        note.focus();
        return;
      }
      const draft = {
        start: editing.start, end: editing.end,
        exact: [...index.text.slice(index.table[editing.start], index.table[editing.end])].join(""),
        claimType: chosenType, status: statusSelect.value || null, note: note.value,
        ...(options.paletteField ? options.paletteField.value() : {}),
      };
      const id = editing.id;
      closePalette();
      if (id) options.onUpdate(id, draft); else options.onCreate(draft);
    });
    cancel.addEventListener("click", closePalette);
    del.addEventListener("click", () => {
      const id = editing && editing.id;
      closePalette();
      // The mark focus went back to is about to go: remove() says where focus goes instead.
      refocus = null;
      if (id) remove(id);
    });
    // A dialog: Escape closes it, and Tab cycles inside it while it is open.
    palette.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        closePalette();
      } else if (event.key === "Tab") {
        const stops = /** @type {HTMLElement[]} */ (Array.from(palette.querySelectorAll("button, select, textarea"))
          .filter((x) => !(/** @type {HTMLElement} */ (x)).hidden));
        const first = stops[0], last = stops[stops.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    });
    // Focus that leaves the open palette otherwise (a click elsewhere, a host's
    // shortcut) is brought back: the palette stays modal until closed.
    /** @param {FocusEvent} event */
    const keepFocus = (event) => {
      const target = /** @type {Node | null} */ (event.target);
      if (!palette.hidden && target && !palette.contains(target)) {
        const into = /** @type {HTMLElement | null} */ (palette.querySelector("button[aria-pressed='true'], textarea"));
        (into || typeButtons[vocabulary.claimTypes[0].key]).focus();
      }
    };
    document.addEventListener("focusin", keepFocus);

    /**
     * Where focus goes once a deleted highlight is gone (the host may repaint at once, as
     * the book does, or when its answer comes, as the widget does): the first of `near`
     * (its neighbours in the list, the next ones first) still there.
     * @type {{gone: string, near: string[]} | null}
     */
    let afterDelete = null;
    let deleting = false;

    /** @param {string} id */
    function remove(id) {
      lastDeleted = highlights.find((h) => h.id === id) || null;
      const [placed, lost] = listed();
      const same = lastDeleted && lastDeleted.orphan ? lost : placed;
      const at = same.findIndex((h) => h.id === id);
      afterDelete = { gone: id, near: [...same.slice(at + 1), ...same.slice(0, Math.max(0, at)).reverse()].map((h) => h.id) };
      deleting = true;
      try {
        options.onDelete(id);
      } finally {
        deleting = false;
      }
      renderPanel();
      settleDelete();
    }

    /**
     * Once the deleted highlight is gone: focus on its neighbour's entry in the list (the
     * heading if none is left), or on its neighbour's mark when the panel is not shown
     * (the article if none), and say what happened.
     */
    function settleDelete() {
      if (!afterDelete) return;
      const { gone, near } = afterDelete;
      if (highlights.some((h) => h.id === gone)) return;
      afterDelete = null;
      const next = near.find((id) => highlights.some((h) => h.id === id));
      const q = (/** @type {string} */ id) => `[data-annotate-id="${CSS.escape(id)}"]`;
      /** @type {Element | null} */
      let target;
      if (panel.getClientRects().length) target = (next && panel.querySelector(`.annotate-item-open${q(next)}`)) || heading;
      else target = (next && root.querySelector(`mark[data-annotate-ids~="${CSS.escape(next)}"]`)) || root;
      if (target instanceof HTMLElement) target.focus();
      announce("Highlight deleted.");
    }

    // -- Mouse: a selection inside the article opens the palette.
    root.addEventListener("mouseup", () => {
      setTimeout(() => {
        const sel = window.getSelection();
        if (!sel || sel.isCollapsed || !sel.rangeCount) return;
        const range = sel.getRangeAt(0);
        if (!root.contains(range.commonAncestorContainer)) return;
        const start = offsetOf(index, range.startContainer, range.startOffset);
        const end = offsetOf(index, range.endContainer, range.endOffset);
        if (start === null || end === null || end <= start) return;
        openPalette(start, end, null, range.getBoundingClientRect());
      }, 0);
    });

    // -- Clicking (or Enter on) a painted highlight opens it for editing.
    /** @param {Element} mark */
    function openMark(mark) {
      const ids = (mark.getAttribute("data-annotate-ids") || "").split(" ");
      const mine = ids.filter((id) => !otherIds.has(id));
      const h = highlights.find((x) => x.id === mine[mine.length - 1]);
      if (h) openPalette(h.start, h.end, h, mark.getBoundingClientRect());
      else if (ids.length && options.onOpenOther) options.onOpenOther(ids[ids.length - 1]);
    }
    root.addEventListener("click", (event) => {
      const target = /** @type {Element} */ (event.target);
      const mark = target.closest && target.closest("mark[data-annotate-ids]");
      const sel = window.getSelection();
      if (mark && (!sel || sel.isCollapsed)) openMark(mark);
    });

    // -- Keyboard: sentence by sentence.
    // One polite live region says what the keyboard cursor is on and what changed
    // (a highlight saved, an import's result): always on the page, never hidden.
    const live = el("div", { class: "annotate-sr-only", role: "status", "aria-live": "polite" });
    root.appendChild(live);
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let announcing;
    /** @param {string} message */
    function announce(message) {
      // Cleared first, so the same words said twice are announced twice; a message still
      // waiting is replaced, so one said twice at once (the host's and ours) is said once.
      live.textContent = "";
      clearTimeout(announcing);
      announcing = setTimeout(() => { live.textContent = message; }, 50);
    }
    // Each highlight's note, for screen readers: its <mark> points here with
    // aria-details; the note (role="comment") says who wrote it and when.
    const notes = el("div", { class: "annotate-notes annotate-sr-only" });
    root.appendChild(notes);
    const notePrefix = `${noteId}-for-`;
    /** @type {Map<string, string>} */
    let noteIds = new Map();
    let sentenceList = sentences(index.text);
    // The date formatter's first use loads the browser's locale data (15-20 ms): done
    // while the page is idle, not when a reader's import or first note is waiting.
    if (typeof requestIdleCallback === "function") requestIdleCallback(() => readable());
    let cursor = -1;
    let span = { start: 0, end: 0 };
    const keyButton = el("button", { type: "button", class: "annotate-keyboard" }, "Highlight with the keyboard");
    keyButton.setAttribute("aria-describedby", `${noteId}-help`);
    const keyHelp = el("p", { id: `${noteId}-help`, class: "annotate-help" },
      "Arrow keys move sentence by sentence; Shift+Arrow grows or shrinks by a word; Enter opens the palette; Escape stops.");
    root.setAttribute("tabindex", "-1");

    function showCursor() {
      root.querySelectorAll(".annotate-cursor").forEach((m) => m.classList.remove("annotate-cursor"));
      clearPreview();
      preview(span.start, span.end);
      live.textContent = index.text.slice(index.table[span.start], index.table[span.end]);
    }
    /** @type {Range | null} */
    let previewRange = null;
    function clearPreview() {
      const sel = window.getSelection();
      if (sel && previewRange) sel.removeAllRanges();
      previewRange = null;
    }
    /** @param {number} start @param {number} end */
    function preview(start, end) {
      const range = rangeOf(start, end);
      const sel = window.getSelection();
      if (!range || !sel) return;
      sel.removeAllRanges();
      sel.addRange(range);
      previewRange = range;
      const rect = range.getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > window.innerHeight) {
        window.scrollBy({ top: rect.top - window.innerHeight / 3 });
      }
    }
    /** @param {number} start @param {number} end @returns {Range | null} */
    function rangeOf(start, end) {
      const s16 = index.table[start], e16 = index.table[end];
      /** @type {[Text, number] | null} */ let a = null;
      /** @type {[Text, number] | null} */ let b = null;
      for (const { node, map } of index.nodes) {
        if (!a) for (let i = 0; i < map.length; i++) if (map[i] >= s16 && i < node.data.length && !/\s/.test(node.data[i])) { a = [node, i]; break; }
        for (let i = map.length - 1; i >= 0; i--) if (map[i] <= e16 && i > 0 && map[i - 1] < e16) { b = [node, i]; break; }
        if (a && map[0] >= e16) break;
      }
      if (!a || !b) return null;
      const range = document.createRange();
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      return range;
    }
    /** @param {number} pos @param {number} dir */
    function wordEdge(pos, dir) {
      const u = index.table[pos];
      const rest = dir > 0 ? index.text.slice(u) : index.text.slice(0, u);
      // Growing takes the spaces and the next word; shrinking drops the last word and the
      // spaces before it, so a selection never ends on a space.
      const m = dir > 0 ? /^\s*\S+/u.exec(rest) : /\s*\S+\s*$/u.exec(rest);
      if (!m) return pos;
      return codePointAt(index.table, dir > 0 ? u + m[0].length : u - m[0].length);
    }
    /** The orphan whose words the keyboard cursor is choosing: Enter re-attaches it. @type {string | null} */
    let reattaching = null;
    /** Where focus goes back to when re-attaching stops. @type {HTMLElement | null} */
    let reattachFrom = null;
    /** @param {Highlight} h @param {HTMLElement} from */
    function reattachMode(h, from) {
      if (!options.onReattach || !sentenceList.length) return;
      reattaching = h.id;
      reattachFrom = from;
      keyMode();
      announce(`Choose the words for the note on “${h.exact}”: arrow keys move, Shift+Arrow grows or shrinks, Enter re-attaches, Escape stops.`);
    }
    function keyMode() {
      if (!sentenceList.length) return;
      cursor = Math.max(0, cursor);
      span = { ...sentenceList[cursor] };
      root.classList.add("annotate-keyboard-mode");
      root.focus();
      showCursor();
    }
    keyButton.addEventListener("click", keyMode);
    root.addEventListener("keydown", (event) => {
      if (!root.classList.contains("annotate-keyboard-mode")) return;
      const key = event.key;
      if (key === "ArrowDown" || key === "ArrowRight" || key === "ArrowUp" || key === "ArrowLeft") {
        event.preventDefault();
        const dir = key === "ArrowDown" || key === "ArrowRight" ? 1 : -1;
        if (event.shiftKey) {
          const end = wordEdge(span.end, dir);
          if (end > span.start) span.end = end;
        } else {
          cursor = Math.min(sentenceList.length - 1, Math.max(0, cursor + dir));
          span = { ...sentenceList[cursor] };
        }
        showCursor();
      } else if (key === "Enter") {
        event.preventDefault();
        const range = rangeOf(span.start, span.end);
        clearPreview();
        root.classList.remove("annotate-keyboard-mode");
        if (reattaching && options.onReattach) {
          const id = reattaching;
          reattaching = null;
          options.onReattach(id, span.start, span.end);
          // The host repaints now (the book) or when its answer comes (the widget):
          // either way focus ends on the re-attached highlight.
          const mark = root.querySelector(`mark[data-annotate-ids~="${CSS.escape(id)}"]`);
          if (mark instanceof HTMLElement) mark.focus();
          else { refocus = id; root.blur(); }
          return;
        }
        openPalette(span.start, span.end, null, range ? range.getBoundingClientRect() : null);
      } else if (key === "Escape") {
        clearPreview();
        root.classList.remove("annotate-keyboard-mode");
        const back = reattaching && reattachFrom && document.contains(reattachFrom) ? reattachFrom : keyButton;
        reattaching = null;
        back.focus();
      }
    });

    // -- The side panel.
    panel.classList.add("annotate-panel");
    const toolbar = el("div", { class: "annotate-toolbar" });
    const editorToggle = /** @type {HTMLInputElement} */ (el("input", { type: "checkbox", id: `${noteId}-editor` }));
    editorToggle.checked = options.editorClaims !== false;
    const editorLabel = el("label", { for: `${noteId}-editor` }, " Show editor-marked claims");
    editorLabel.prepend(editorToggle);
    editorToggle.addEventListener("change", () => {
      root.classList.toggle("annotate-hide-editor", !editorToggle.checked);
    });
    toolbar.append(keyButton, editorLabel);
    // Focus lands here when a delete leaves no highlight to go to.
    const heading = el("h2", { class: "annotate-panel-heading", tabindex: "-1" }, "Your highlights");
    const list = el("ul", { class: "annotate-list" });
    const orphanHeading = el("h3", { class: "annotate-orphan-heading", hidden: "" }, "Not found in this text");
    const orphanHelp = el("p", { class: "annotate-help", hidden: "" },
      "The words these notes were written on are not in the text any more. They are kept; select the right words and choose Re-attach (or choose the note and pick its words with the arrow keys, then Enter), or delete them.");
    const orphans = el("ul", { class: "annotate-list annotate-orphans" });
    const undo = el("div", { class: "annotate-undo", role: "status" });
    panel.append(toolbar, keyHelp, heading, undo, list, orphanHeading, orphanHelp, orphans);
    if (options.extraPanel) options.extraPanel(panel);

    /** @param {Highlight} h */
    function item(h) {
      const li = el("li", { class: "annotate-item" });
      const t = h.claimType ? types[h.claimType] : null;
      const open = el("button", { type: "button", class: "annotate-item-open", "data-annotate-id": h.id });
      // Named by all it shows (WCAG 2.5.3), after what it does.
      open.appendChild(el("span", { class: "annotate-sr-only" }, h.orphan ? "Choose its words again: " : "Edit highlight: "));
      if (t) open.appendChild(el("span", { class: `annotate-badge annotate-type--${t.key}` }, `${t.symbol} ${t.label}`));
      const st = h.status ? statuses[h.status] : null;
      if (st) open.appendChild(el("span", { class: `annotate-status annotate-status--${st.key}` }, ` ${st.symbol} ${st.label}`));
      open.appendChild(el("span", { class: "annotate-item-quote" }, `“${h.exact}”`));
      if (h.note) open.appendChild(el("span", { class: "annotate-item-note" }, h.note));
      const by = byline(h);
      if (by) open.appendChild(el("span", { class: "annotate-item-creator" }, by));
      li.appendChild(open);
      if (h.orphan) {
        // An orphan has no place to open: choosing it starts choosing its words.
        open.addEventListener("click", () => reattachMode(h, open));
        const again = el("button", { type: "button", class: "annotate-reattach" }, "Re-attach to selection");
        again.addEventListener("click", () => {
          const sel = window.getSelection();
          if (!sel || sel.isCollapsed || !sel.rangeCount || !root.contains(sel.getRangeAt(0).commonAncestorContainer)) {
            reattachMode(h, again);
            return;
          }
          if (!options.onReattach) return;
          const r = sel.getRangeAt(0);
          const s = offsetOf(index, r.startContainer, r.startOffset);
          const e = offsetOf(index, r.endContainer, r.endOffset);
          if (s !== null && e !== null && e > s) options.onReattach(h.id, s, e);
        });
        const drop = el("button", { type: "button", class: "annotate-delete" }, "Delete");
        drop.addEventListener("click", () => remove(h.id));
        li.append(again, drop);
      } else {
        open.addEventListener("click", () => {
          const mark = root.querySelector(`mark[data-annotate-ids~="${CSS.escape(h.id)}"]`);
          if (mark) mark.scrollIntoView({ block: "center" });
          openPalette(h.start, h.end, h, mark ? mark.getBoundingClientRect() : null);
        });
      }
      if (options.decorateItem) options.decorateItem(li, h);
      return li;
    }

    // A long list is shown a page at a time: hundreds of entries nobody reads
    // cost more to lay out than painting every highlight in the text.
    const PAGE = 50;
    let shown = PAGE;
    /** The highlights as the panel lists them: placed ones in text order, then the orphans. */
    function listed() {
      return [
        highlights.filter((h) => !h.orphan).sort((a, b) => a.start - b.start || a.end - b.end),
        highlights.filter((h) => h.orphan),
      ];
    }
    function renderPanel() {
      const [placed, lost] = listed();
      list.replaceChildren(...placed.slice(0, shown).map(item));
      if (placed.length > shown) {
        const more = el("button", { type: "button", class: "annotate-more" },
          `Show ${Math.min(PAGE, placed.length - shown)} more (${placed.length - shown} not shown)`);
        more.addEventListener("click", () => {
          shown += PAGE;
          renderPanel();
          const next = list.children[shown - PAGE];
          const button = next && next.querySelector("button");
          if (button instanceof HTMLElement) button.focus();
        });
        const li = el("li", { class: "annotate-item" });
        li.appendChild(more);
        list.appendChild(li);
      }
      if (!placed.length) list.appendChild(el("li", { class: "annotate-empty" }, "No highlights yet. Select words in the article to add one."));
      orphans.replaceChildren(...lost.map(item));
      orphanHeading.hidden = orphanHelp.hidden = !lost.length;
      undo.replaceChildren();
      if (lastDeleted) {
        const back = lastDeleted;
        const button = el("button", { type: "button", class: "annotate-undo-button" }, "Undo delete");
        button.addEventListener("click", () => {
          lastDeleted = null;
          options.onRestore(back);
        });
        undo.append(el("span", {}, "Highlight deleted. "), button);
      }
    }

    /** @param {string[]} ids */
    function classOf(ids) {
      const mine = ids.filter((id) => !otherIds.has(id));
      if (!mine.length) return "annotate-hl annotate-hl-others";
      const top = byId.get(mine[mine.length - 1]);
      const kind = top && top.claimType ? top.claimType : "none";
      return `annotate-hl annotate-type--${kind}${mine.length > 1 ? " annotate-hl-overlap" : ""}`
        + `${mine.length < ids.length ? " annotate-hl-with-others" : ""}`;
    }

    /**
     * Paint `next` and `others` (replacing what was painted); list `next` in the panel.
     * @param {Highlight[]} next @param {Highlight[]} [others] classmates' highlights
     */
    function setHighlights(next, others) {
      highlights = next.slice();
      const shown = others || [];
      otherIds = new Set(shown.map((h) => h.id));
      byId = new Map([...shown, ...highlights].map((h) => [h.id, h]));
      phase("paint", () => {
        unpaint(root);
        index = indexText(blocks, options.skip);
        index = paint(index, [...highlights, ...shown], classOf, reachable);
      });
      describeSoon();
      if (lastDeleted && highlights.some((h) => lastDeleted && h.id === lastDeleted.id)) lastDeleted = null;
      phase("panel", renderPanel);
      // Focus on a mark that the repaint removed would fall to the page's start.
      if (refocus && (!document.activeElement || document.activeElement === document.body)) {
        const mark = root.querySelector(`mark[data-annotate-ids~="${CSS.escape(refocus)}"]`);
        (/** @type {HTMLElement} */ (mark || root)).focus();
      }
      refocus = null;
      if (!deleting) settleDelete();
    }

    /** How a mark is reached from the keyboard, as paint makes it. @param {HTMLElement} m */
    function reachable(m) {
      // A highlight stays a <mark> (ARIA 1.3: its words are read as they are, "highlighted")
      // with its notes as details; it is not made a button, whose name would replace the
      // words and which would make whole paragraphs of small click targets. It takes focus,
      // and Enter opens it; the panel lists each one as a button too.
      m.setAttribute("tabindex", "0");
      m.setAttribute("aria-keyshortcuts", "Enter");
    }

    // The notes and the marks' aria-details are written once the browser is idle after a
    // paint (or as soon as a mark takes focus): for 1,000 highlights, making and laying out
    // the notes costs as much as painting the marks, and nobody can read them before the
    // page has shown its highlights. Until then a mark has no aria-details (never one
    // naming a note not yet written); the tree they make is the same either way.
    let describeDue = false;
    function describeSoon() {
      if (describeDue) return;
      describeDue = true;
      if (typeof requestIdleCallback === "function") requestIdleCallback(describeNow, { timeout: 500 });
      else setTimeout(describeNow, 0);
    }
    function describeNow() {
      if (!describeDue) return;
      describeDue = false;
      phase("notes", () => {
        writeNotes();
        for (const m of root.querySelectorAll("mark[data-annotate-ids]")) {
          const ids = (m.getAttribute("data-annotate-ids") || "").split(" ");
          m.setAttribute("aria-details", ids.map((id) => noteIds.get(id)).filter(Boolean).join(" "));
        }
      });
    }
    root.addEventListener("focusin", describeNow);

    /** The notes the marks point at (aria-details), one role="comment" per highlight. */
    function writeNotes() {
      noteIds = new Map();
      const placed = [...byId.values()].filter((h) => !h.orphan);
      const frag = document.createDocumentFragment();
      placed.forEach((h, i) => {
        const id = `${notePrefix}${i}`;
        noteIds.set(h.id, id);
        const t = h.claimType ? types[h.claimType] : null;
        const st = h.status ? statuses[h.status] : null;
        const what = [t ? t.label : "Highlight", st ? st.label : ""].filter(Boolean).join(", ");
        const by = byline(h);
        const comment = document.createElement("div");
        comment.setAttribute("role", "comment");
        comment.id = id;
        comment.textContent = `${what}${by ? `, ${by}` : ""}. ${h.note ? `Note: ${h.note}` : "No note."}`;
        frag.appendChild(comment);
      });
      notes.replaceChildren(frag);
    }

    root.addEventListener("keydown", (event) => {
      const target = /** @type {Element} */ (event.target);
      if (event.key === "Enter" && target.matches && target.matches("mark[data-annotate-ids]")) {
        event.preventDefault();
        openMark(target);
      }
    });

    return {
      setHighlights,
      /** Re-read the text after the host changed the DOM (e.g. painted its own marks). */
      reindex() {
        index = indexText(blocks, options.skip);
        sentenceList = sentences(index.text);
      },
      /** Say `message` in the polite live region (screen readers read it out). */
      announce,
      /** The article text the offsets count in. */
      text: () => index.text,
      /** Open the palette over a span (tests and hosts use it). */
      open: (/** @type {number} */ start, /** @type {number} */ end) => openPalette(start, end, null, null),
      destroy() {
        describeDue = false;
        unpaint(root);
        palette.remove();
        document.removeEventListener("focusin", keepFocus);
        panel.replaceChildren();
        live.remove();
        notes.remove();
        root.classList.remove("annotate-root", "annotate-keyboard-mode", "annotate-hide-editor");
      },
    };
  }

  return { createAnnotator, indexText, unitsByCodePoint, codePointAt, sentences, paint, unpaint, el, phase };
})();

if (typeof window !== "undefined") {
  /** @type {any} */ (window).AnnotateUI = AnnotateUI;
}
