// @ts-check
// ReaderNotes front end: choose a paragraph (or the whole article), write a
// note, and see, edit or delete your notes. Notes are shown with textContent.

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

/** @param {{model: any, el: HTMLElement}} ctx */
function render({ model, el: host }) {
  const uid = Math.random().toString(36).slice(2);
  const root = el("div", { class: "annotate-notes" });
  const form = el("div", { class: "annotate-notes-form" });
  const whereLabel = el("label", { for: `where-${uid}` }, "Note on");
  const where = /** @type {HTMLSelectElement} */ (el("select", { id: `where-${uid}` }));
  const preview = el("p", { class: "annotate-notes-preview" });
  const noteLabel = el("label", { for: `note-${uid}` }, "Note");
  const note = /** @type {HTMLTextAreaElement} */ (el("textarea", { id: `note-${uid}`, rows: "3" }));
  const add = el("button", { type: "button" }, "Add note");
  const error = el("p", { class: "annotate-notes-error", role: "alert" });
  const list = el("ul", { class: "annotate-notes-list", "aria-label": "Your notes" });
  // After `annotate join`: the sync line, and classmates' notes apart from the reader's.
  const status = el("p", { class: "annotate-notes-sync", role: "status" });
  const theirsTitle = el("h4", { class: "annotate-notes-classmates-title" }, "Classmates' notes");
  const theirs = el("ul", { class: "annotate-notes-list annotate-notes-classmates", "aria-label": "Classmates' notes" });
  form.append(whereLabel, where, preview, noteLabel, note, add, error);
  root.append(form, status, list, theirsTitle, theirs);
  host.replaceChildren(root);

  function fillChoices() {
    where.replaceChildren(...model.get("paragraphs").map((/** @type {any} */ p) =>
      el("option", { value: String(p.index) }, p.label)));
    showPreview();
  }
  function showPreview() {
    const p = model.get("paragraphs").find((/** @type {any} */ x) => String(x.index) === where.value);
    preview.textContent = p && p.text ? `“${p.text}…”` : "";
  }
  function labelOf(/** @type {number} */ index) {
    const p = model.get("paragraphs").find((/** @type {any} */ x) => x.index === index);
    return p ? p.label : "The whole article";
  }
  function fillNotes() {
    const notes = model.get("notes");
    if (!notes.length) {
      list.replaceChildren(el("li", { class: "annotate-notes-empty" }, "No notes yet."));
      return;
    }
    list.replaceChildren(...notes.map((/** @type {any} */ n) => {
      const li = el("li", { class: "annotate-notes-item" });
      const head = el("strong", {}, labelOf(n.index));
      const body = el("p", { class: "annotate-notes-text" }, n.note);
      const edit = el("button", { type: "button", "aria-label": `Edit note on ${labelOf(n.index)}` }, "Edit");
      const del = el("button", { type: "button", "aria-label": `Delete note on ${labelOf(n.index)}` }, "Delete");
      edit.addEventListener("click", () => {
        const box = /** @type {HTMLTextAreaElement} */ (el("textarea", { rows: "3", "aria-label": "Edit note" }));
        box.value = n.note;
        const save = el("button", { type: "button" }, "Save");
        save.addEventListener("click", () => model.send({ action: "edit", id: n.id, note: box.value }));
        body.replaceWith(box);
        edit.replaceWith(save);
        box.focus();
      });
      del.addEventListener("click", () => model.send({ action: "delete", id: n.id }));
      li.append(head, body, edit, del);
      return li;
    }));
  }
  function fillClass() {
    status.textContent = model.get("sync_status") || "";
    const others = model.get("classmates") || [];
    theirsTitle.hidden = theirs.hidden = !others.length;
    theirs.replaceChildren(...others.map((/** @type {any} */ n) => {
      const li = el("li", { class: "annotate-notes-item" });
      li.append(
        el("strong", {}, labelOf(n.index)),
        el("span", { class: "annotate-notes-by" }, ` · ${n.creator}`),
        el("p", { class: "annotate-notes-text" }, n.note),
      );
      return li;
    }));
  }
  add.addEventListener("click", () => {
    error.textContent = "";
    model.send({ action: "add", index: Number(where.value), note: note.value });
    note.value = "";
  });
  where.addEventListener("change", showPreview);
  model.on("change:paragraphs", fillChoices);
  model.on("change:notes", fillNotes);
  model.on("change:classmates", fillClass);
  model.on("change:sync_status", fillClass);
  model.on("msg:custom", (/** @type {any} */ msg) => {
    if (msg && msg.error) error.textContent = String(msg.error);
  });
  fillChoices();
  fillNotes();
  fillClass();
}

export default { render };
