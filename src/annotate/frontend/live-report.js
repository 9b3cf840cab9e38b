// @ts-check
/**
 * The live class report (served by `annotate serve` at /classes/{id}/report): asks for
 * the teacher token (kept in sessionStorage, sent only as a bearer header to this
 * origin) or, on JupyterHub (`data-session="hub"`), relies on the Hub's sign-in (an
 * HttpOnly cookie the page never sees), draws the class report with report.js, and draws it again whenever the
 * class's events stream (read with fetch: EventSource cannot send the header) says
 * something changed. Below it, the notes, newest first, each with Reply and Delete.
 * Names, quotes and notes reach the page through textContent only.
 */
import { renderReport } from "./report.js";

const classId = document.body.dataset.classId || "";
const root = document.body.dataset.root || "";
const hub = document.body.dataset.session === "hub";
const KEY = `annotate-teacher-token:${classId}`;
const base = `${root}/classes/${encodeURIComponent(classId)}`;
const status = /** @type {HTMLElement} */ (document.querySelector(".annotate-live-status"));
const form = /** @type {HTMLFormElement} */ (document.querySelector(".annotate-live-login"));
const input = /** @type {HTMLInputElement} */ (document.getElementById("annotate-live-token"));
const formError = /** @type {HTMLElement} */ (document.querySelector(".annotate-live-error"));
const host = /** @type {HTMLElement} */ (document.getElementById("annotate-live-report"));
const notesSection = /** @type {HTMLElement} */ (document.querySelector(".annotate-live-notes"));
const list = /** @type {HTMLElement} */ (document.querySelector(".annotate-live-list"));

/** @type {() => void} */
let cleanup = () => {};
let timer = 0;
let listening = false;

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

function token() {
  return sessionStorage.getItem(KEY) || "";
}

/** @param {string} message */
function askForToken(message) {
  if (hub) {
    // No token to type: the Hub signs the teacher in again and brings them back.
    const again = el("a", { href: `${root}/login?next=${encodeURIComponent(location.pathname)}` }, "Sign in with JupyterHub");
    status.replaceChildren(document.createTextNode("JupyterHub did not sign you in as this class's teacher. "), again);
    return;
  }
  sessionStorage.removeItem(KEY);
  form.hidden = false;
  formError.textContent = message;
  status.textContent = "Waiting for the teacher token.";
  input.focus();
}

/** @param {string} url @param {RequestInit} [init] */
function call(url, init) {
  const headers = new Headers(init && init.headers);
  if (hub) return fetch(url, { ...init, headers, cache: "no-store", credentials: "same-origin" });
  headers.set("Authorization", `Bearer ${token()}`);
  return fetch(url, { ...init, headers, cache: "no-store", credentials: "omit" });
}

async function load() {
  let response;
  try {
    response = await call(`${base}/report/data`);
  } catch {
    status.textContent = "The class server cannot be reached; retrying.";
    return;
  }
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    askForToken("That is not this class's teacher token.");
    return;
  }
  if (!response.ok) {
    status.textContent = `The class server answered ${response.status}; retrying.`;
    return;
  }
  const data = await response.json();
  form.hidden = true;
  cleanup();
  cleanup = renderReport(host, data.report);
  drawNotes(data.notes);
  const t = data.report.totals;
  status.textContent = `${t.students} students · ${t.annotations} annotations · updated ${new Date().toLocaleTimeString()}`;
  if (!listening) listen();
}

function later() {
  clearTimeout(timer);
  timer = window.setTimeout(load, 300);
}

/**
 * @typedef {{id: string, creator: string, teacher: boolean, motivation: string,
 *   audience: string, quote: string, note: string, replyTo: string | null, created: string}} LiveNote
 * @param {LiveNote[]} notes
 */
function drawNotes(notes) {
  notesSection.hidden = false;
  const roots = notes.filter((n) => !n.replyTo);
  if (!roots.length) {
    list.replaceChildren(el("li", { class: "annotate-live-empty" }, "No notes yet."));
    return;
  }
  list.replaceChildren(...roots.map((n) => {
    const li = el("li", { class: "annotate-live-item" });
    const who = el("p", { class: "annotate-live-who" });
    who.append(el("strong", {}, n.creator), document.createTextNode(` · ${n.audience === "teacher" ? "to the teacher" : "to the class"}`));
    li.append(who);
    if (n.quote) li.append(el("blockquote", {}, n.quote));
    if (n.note) li.append(el("p", { class: "annotate-live-text" }, n.note));
    const replies = notes.filter((r) => r.replyTo === n.id).reverse();
    if (replies.length) {
      const thread = el("ul", { class: "annotate-live-thread", "aria-label": `Replies to ${n.creator}` });
      thread.append(...replies.map((r) => {
        const item = el("li");
        item.append(el("strong", {}, r.creator), document.createTextNode(": "), el("span", {}, r.note));
        return item;
      }));
      li.append(thread);
    }
    const reply = el("button", { type: "button" }, "Reply");
    const del = el("button", { type: "button", class: "annotate-live-delete" }, "Delete");
    reply.addEventListener("click", () => {
      const uid = n.id.split("/").pop() || "";
      const label = el("label", { for: `reply-${uid}` }, "Reply");
      const box = /** @type {HTMLTextAreaElement} */ (el("textarea", { id: `reply-${uid}`, rows: "2" }));
      const send = el("button", { type: "button" }, "Send reply");
      send.addEventListener("click", async () => {
        if (!box.value.trim()) return;
        const body = {
          "@context": "http://www.w3.org/ns/anno.jsonld",
          type: "Annotation",
          motivation: "replying",
          target: n.id,
          body: [{ type: "TextualBody", value: box.value, purpose: "replying", format: "text/plain" }],
        };
        const r = await call(`${base}/annotations/`, {
          method: "POST",
          headers: { "Content-Type": "application/ld+json" },
          body: JSON.stringify(body),
        });
        status.textContent = r.ok ? "Reply sent." : `Reply not sent (${r.status}).`;
        later();
      });
      reply.replaceWith(label, box, send);
      box.focus();
    });
    del.addEventListener("click", async () => {
      if (!window.confirm(`Delete ${n.creator}'s note and its replies?`)) return;
      const r = await call(n.id, { method: "DELETE" });
      status.textContent = r.ok ? "Note deleted." : `Not deleted (${r.status}).`;
      later();
    });
    li.append(reply, del);
    return li;
  }));
}

// The events stream, read with fetch; any event means "draw again".
async function listen() {
  listening = true;
  let last = "";
  for (;;) {
    try {
      const headers = /** @type {Record<string, string>} */ ({ Accept: "text/event-stream" });
      if (last) headers["Last-Event-ID"] = last;
      const response = await call(`${base}/events?seconds=60`, { headers });
      if (response.status === 401 || response.status === 404) {
        listening = false;
        askForToken("The teacher token was refused.");
        return;
      }
      if (!response.ok || !response.body) throw new Error(String(response.status));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      // A stream without Last-Event-ID starts from now: what was written between the
      // last draw and this connection would be missed, so draw once more on connecting.
      let connected = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of frame.split("\n")) {
            if (line.startsWith("id:")) last = line.slice(3).trim();
          }
          if (/^event:/m.test(frame) || !connected) later();
          connected = true;
        }
      }
    } catch {
      status.textContent = "Lost the class server; reconnecting.";
      later();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = input.value.trim();
  if (!value) return;
  sessionStorage.setItem(KEY, value);
  input.value = "";
  formError.textContent = "";
  load();
});

if (hub || token()) load();
else askForToken("");
