// @ts-check
// The Jupyter widget's host for the shared highlighter (annotator.js) and the class
// parts the book uses too (class.js: visibility, threads); the Python side prepends
// both to this file to make the widget's ES module.
/* global AnnotateUI, AnnotateClass */

/**
 * @typedef {{kind: string, start: number, end: number}} Block
 * @typedef {{id: string, type: string, start: number, end: number}} EditorClaim
 * @typedef {{id: string, creator: string, note: string, created: string, waiting: boolean, mine: boolean}} Reply
 */

/** @param {{model: any, el: HTMLElement}} ctx */
function render({ model, el }) {
  const shell = document.createElement("div");
  shell.className = "annotate-widget";
  // JupyterLab must not read the keys typed here as notebook shortcuts.
  shell.setAttribute("data-lm-suppress-shortcuts", "true");
  // That attribute does not stop the notebook's own command-mode keys: ArrowDown in the
  // palette's Status list moved to the next cell and took focus away. Plain keys (and
  // Shift+arrows, the word keys) stay in the widget; Ctrl/Alt/Meta and Shift+Enter
  // still reach JupyterLab.
  shell.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || (event.shiftKey && event.key === "Enter")) return;
    event.stopPropagation();
  });
  const article = document.createElement("article");
  article.className = "annotate-widget-article";
  article.setAttribute("aria-label", "Article");
  const panel = document.createElement("aside");
  panel.className = "annotate-widget-panel";
  panel.setAttribute("aria-label", "Highlights and notes");
  const error = document.createElement("p");
  error.className = "annotate-widget-error";
  error.setAttribute("role", "alert");
  // After annotate join: how the sync stands, and classmates' highlights (their own list).
  const status = document.createElement("p");
  status.className = "annotate-widget-sync";
  status.setAttribute("role", "status");
  const classmates = document.createElement("section");
  classmates.className = "annotate-widget-classmates";
  classmates.setAttribute("aria-label", "Classmates' highlights");
  shell.append(article, panel);
  el.replaceChildren(status, shell, classmates, error);

  // One thread element per highlight and per view (class.js keeps a typed reply across repaints).
  const viewKey = Math.random().toString(36).slice(2);
  const visibility = AnnotateClass.visibilityField();
  /** @type {Element[]} */
  let blocks = [];
  /** @type {any} */
  let ui = null;

  function build() {
    if (ui) ui.destroy();
    const text = /** @type {string} */ (model.get("text"));
    const chars = Array.from(text); // code points, as the offsets count
    /** @type {Block[]} */
    const layout = model.get("blocks");
    article.replaceChildren();
    blocks = layout.map((b) => {
      const node = document.createElement(b.kind === "headline" ? "h2" : "p");
      node.className = `annotate-widget-${b.kind}`;
      node.textContent = chars.slice(b.start, b.end).join("");
      article.appendChild(node);
      return node;
    });
    ui = AnnotateUI.createAnnotator({
      root: article,
      blocks,
      panel,
      paletteHost: shell,
      paletteField: visibility,
      decorateItem: decorate,
      vocabulary: model.get("vocabulary"),
      editorClaims: model.get("show_editor_claims"),
      onCreate: (/** @type {any} */ draft) => send({ action: "create", draft }),
      onUpdate: (/** @type {string} */ id, /** @type {any} */ draft) => send({ action: "update", id, draft }),
      onDelete: (/** @type {string} */ id) => send({ action: "delete", id }),
      onRestore: (/** @type {any} */ highlight) => send({ action: "restore", highlight }),
      onReattach: (/** @type {string} */ id, /** @type {number} */ start, /** @type {number} */ end) =>
        send({ action: "reattach", id, start, end }),
    });
    article.classList.toggle("annotate-hide-editor", !model.get("show_editor_claims"));
    paint();
  }

  /**
   * A thread: its replies and a box labelled Reply (once the note is in the class).
   * @param {string | null} iri @param {Reply[]} replies
   */
  function thread(iri, replies) {
    return AnnotateClass.threadView({
      root: iri ? `${viewKey} ${iri}` : null,
      // The reader's own replies (kept in their store) can be changed or deleted.
      replies: replies.map((r) => (r.mine ? {
        ...r,
        onEdit: (/** @type {string} */ note) => send({ action: "reply-edit", id: r.id, note }),
        onDelete: () => send({ action: "reply-delete", id: r.id }),
      } : r)),
      closed: iri ? "" : "Replies open once this note has reached the class.",
      onReply: iri ? (/** @type {string} */ note) => send({ action: "reply", target: iri, note }) : null,
    });
  }

  /** A listed highlight of the reader's, in a class: who may read it, its thread. @param {HTMLElement} li @param {any} h */
  function decorate(li, h) {
    if (!model.get("joined") || h.orphan) return;
    const open = li.querySelector(".annotate-item-open");
    if (open) open.appendChild(AnnotateClass.el("span", { class: "annotate-item-audience" }, `Visible to: ${AnnotateClass.audienceLabel(h.audience)}`));
    li.appendChild(thread(h.iri || null, h.replies || []));
  }

  /** @param {object} message */
  function send(message) {
    error.textContent = "";
    model.send(message);
  }

  // Editor-marked claims and classmates' highlights are painted as layers of their
  // own, under the reader's marks.
  function paintEditorClaims() {
    article.querySelectorAll("mark.annotate-claim, mark.annotate-classmate").forEach((m) => {
      m.replaceWith(document.createTextNode(m.textContent || ""));
    });
    blocks.forEach((b) => b.normalize());
  }

  function paint() {
    if (!ui) return;
    visibility.enable(Boolean(model.get("joined")));
    AnnotateClass.keepFocus(repaint);
  }

  function repaint() {
    paintEditorClaims();
    const claims = /** @type {EditorClaim[]} */ (model.get("editor_claims"));
    const readers = /** @type {any[]} */ (model.get("highlights"));
    const editor = claims.map((c) => ({
      id: `editor:${c.id}`, start: c.start, end: c.end, exact: "", claimType: c.type,
      status: null, note: "", editor: true,
    }));
    ui.setHighlights(readers);
    // Editor claims are shown as an outline style so reader highlights stay on top.
    if (model.get("show_editor_claims") && editor.length) {
      const index = AnnotateUI.indexText(blocks);
      AnnotateUI.paint(index, editor, (/** @type {string[]} */ ids) => {
        const c = claims.find((x) => `editor:${x.id}` === ids[ids.length - 1]);
        return `annotate-claim annotate-type--${c ? c.type : "none"}`;
      });
      article.querySelectorAll("mark.annotate-claim").forEach((m) => {
        m.removeAttribute("data-annotate-ids");
        m.setAttribute("title", "Editor-marked claim");
      });
      ui.reindex();
    }
    paintClassmates();
  }

  /** Classmates' highlights: dotted marks in the text, and a list with replies (text only). */
  function paintClassmates() {
    const others = /** @type {any[]} */ (model.get("classmates") || []);
    status.textContent = model.get("sync_status") || "";
    status.hidden = !status.textContent;
    if (others.length) {
      const index = AnnotateUI.indexText(blocks);
      AnnotateUI.paint(index, others, () => "annotate-classmate");
      article.querySelectorAll("mark.annotate-classmate[data-annotate-ids]").forEach((m) => {
        const names = (m.getAttribute("data-annotate-ids") || "").split(" ")
          .map((id) => (others.find((o) => o.id === id) || { creator: "" }).creator);
        m.removeAttribute("data-annotate-ids");
        m.setAttribute("title", `Highlighted by ${[...new Set(names)].join(", ")}`);
      });
      ui.reindex();
    }
    classmates.hidden = !others.length;
    const heading = document.createElement("h3");
    heading.textContent = `Classmates' highlights (${others.length})`;
    const list = document.createElement("ul");
    for (const o of others) {
      const item = document.createElement("li");
      const who = document.createElement("strong");
      who.textContent = o.creator;
      const quote = document.createElement("q");
      quote.textContent = o.exact;
      item.append(who, " ", quote);
      if (o.note) {
        const note = document.createElement("p");
        note.textContent = o.note;
        item.append(note);
      }
      item.append(thread(o.id, o.replies));
      list.append(item);
    }
    classmates.replaceChildren(heading, list);
  }

  model.on("change:highlights", paint);
  model.on("change:editor_claims", paint);
  model.on("change:classmates", paint);
  model.on("change:joined", paint);
  model.on("change:sync_status", () => {
    status.textContent = model.get("sync_status") || "";
    status.hidden = !status.textContent;
  });
  model.on("change:show_editor_claims", () => {
    article.classList.toggle("annotate-hide-editor", !model.get("show_editor_claims"));
    paint();
  });
  model.on("change:text", build);
  model.on("change:blocks", build);
  model.on("msg:custom", (/** @type {any} */ msg) => {
    if (msg && msg.error) error.textContent = String(msg.error);
  });
  build();
  return () => {
    if (ui) ui.destroy();
  };
}

export default { render };
