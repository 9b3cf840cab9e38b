// @ts-check
/**
 * A reader in a class: their notes synced with `annotate serve`, classmates'
 * highlights, threads of replies, and who may read each note. Shared by the book
 * layer (book/annotate-layer.js) and the Jupyter widget; styles in core/class.css.
 *
 * A classic script exposing one global, `AnnotateClass` (the book is read from
 * file://, where module scripts are refused):
 *
 *   parseInvite(text, preset?)  -> {server, code} | null
 *       "http://HOST:PORT/#join=CODE" (the class link), or a bare code with `preset`.
 *   join(server, code, name)    -> Promise<Session>      POST /join; the token is kept by
 *       the host in a storage key of its own, never with the notes, never in a URL.
 *   hubSession(server)          -> Promise<HubAnswer>    on JupyterHub (`annotate serve --hub`),
 *       the signed-in user's class, asked of `/me` with the Hub's session cookie (HttpOnly:
 *       the page never holds a token); or where to sign in; or null (not a Hub service).
 *   createSync(options)         -> Sync                  the offline-first state machine:
 *       the host keeps its notes locally first and calls sync.queue(change) for each
 *       create, update and delete; the outbox (options.store) goes up in order, once
 *       each, updates and deletes with If-Match; a create whose answer was lost is found
 *       again by its `canonical` (the note's local urn:uuid id). A 412 keeps both
 *       versions (options.local.conflict). The page's notes are pulled on start and
 *       the events stream is read with fetch (EventSource cannot send the token),
 *       resuming with Last-Event-ID. Every request goes to session.server's origin.
 *   visibilityField()           -> PaletteField (annotator.js): Only me / Class / Teacher.
 *   threadView(options)         -> HTMLElement   replies under a note, a box labelled Reply.
 *   passages(highlights)        -> Passage[]     classmates' highlights grouped where they overlap.
 *   keepFocus(render)           runs render() and gives focus back to what had it.
 *
 * Server data is text: every name and note reaches the page through textContent.
 */
/* exported AnnotateClass */
/* global AnnotateModel */
var AnnotateClass = (function () {
  "use strict";

  /**
   * @typedef {{server: string, token: string, classId: string, container: string, name: string, hub?: boolean}} Session
   * @typedef {{session: Session | null, signIn: string, error: string} | null} HubAnswer
   * @typedef {{op: "create" | "update" | "delete", id: string, source: string, data?: any,
   *   sent?: boolean, reply?: boolean}} Change
   * @typedef {{iri: string, etag: string, modified: string}} Link
   * @typedef {{online: boolean, waiting: number, error: string, conflicts: string[]}} SyncState
   * @typedef {{
   *   session: Session, source: string,
   *   store: {read: (name: string) => any, write: (name: string, value: any) => boolean},
   *   localIds: () => Set<string>,
   *   local: {
   *     adopt: (source: string, id: string, data: any) => void,
   *     conflict: (source: string, id: string, server: any, copyId: string) => any,
   *     remove: (source: string, id: string) => void,
   *   },
   *   onRemote: (items: any[]) => void, onState: (state: SyncState) => void,
   * }} SyncOptions
   * @typedef {{start: number, end: number, ids: string[], creators: string[]}} Passage
   */

  const AUDIENCE_LABELS = [["private", "Only me"], ["class", "Class"], ["teacher", "Teacher"]];

  /** @param {string} tag @param {Record<string, string>} [attrs] @param {string} [text] */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The server's base URL, no trailing slash, http(s) only. @param {string} url */
  function serverOf(url) {
    const u = new URL(url, typeof location === "undefined" ? undefined : location.href);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("the class link must start with http:// or https://");
    return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
  }

  /**
   * The server and join code in what a reader pasted: the class link
   * (`http://HOST:PORT/#join=CODE`) or a bare code, with the book's preset server.
   * @param {string} text @param {string} [preset] @returns {{server: string, code: string} | null}
   */
  function parseInvite(text, preset) {
    const value = text.trim();
    if (/^https?:\/\//i.test(value)) {
      let u;
      try { u = new URL(value); } catch (err) { return null; }
      const code = new URLSearchParams(u.hash.slice(1)).get("join");
      if (!code) return null;
      u.hash = "";
      return { server: serverOf(u.href), code: code.trim() };
    }
    if (!preset || !/^[A-Za-z0-9 -]{4,40}$/.test(value)) return null;
    try { return { server: serverOf(preset), code: value }; } catch (err) { return null; }
  }

  /**
   * Join with a code: the server answers a personal token, shown once.
   * @param {string} server @param {string} code @param {string} name @returns {Promise<Session>}
   */
  async function join(server, code, name) {
    let r;
    try {
      r = await fetch(`${server}/join`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code, name }),
        credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
      });
    } catch (err) {
      throw new Error(`the class server at ${server} does not answer`);
    }
    const data = await r.json().catch(() => ({}));
    if (r.status !== 201) throw new Error(data.detail || data.title || `the server said ${r.status}`);
    return { server, token: data.token, classId: data.class_id, container: data.container, name };
  }

  /**
   * The class of the user JupyterHub signed in, when `server` is a Hub service on this
   * page's own origin (its cookie is never sent anywhere else).
   * @param {string} server @returns {Promise<HubAnswer>}
   */
  async function hubSession(server) {
    let base;
    try { base = serverOf(new URL(server, location.href).href); } catch (err) { return null; }
    if (new URL(base).origin !== location.origin) return null;
    let r;
    try {
      r = await fetch(`${base}/me`, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
    } catch (err) {
      return null;
    }
    if (r.status === 401) {
      return { session: null, signIn: `${base}/login?next=${encodeURIComponent(location.pathname)}`, error: "" };
    }
    if (!r.ok) return null;
    const me = await r.json().catch(() => null);
    if (!me || typeof me.name !== "string" || !Array.isArray(me.classes)) return null;
    const mine = me.classes.find((/** @type {any} */ c) => c && typeof c.class_id === "string" && typeof c.container === "string");
    if (!mine) return { session: null, signIn: "", error: `JupyterHub signed you in as ${me.name}, who is in no class here.` };
    return { session: { server: base, token: "", hub: true, classId: mine.class_id, container: mine.container, name: me.name }, signIn: "", error: "" };
  }

  /** How a request to the class server is signed in: the token, or the Hub's cookie. @param {Session} session */
  function signedIn(session) {
    return session.hub
      ? { credentials: /** @type {RequestCredentials} */ ("same-origin"), headers: {} }
      : { credentials: /** @type {RequestCredentials} */ ("omit"), headers: { Authorization: `Bearer ${session.token}` } };
  }

  /** @param {Session} session */
  const refused = (session) => (session.hub
    ? "JupyterHub no longer signs this browser in here: reload the page to sign in again."
    : "The class server no longer accepts this browser's token: leave the class and join again.");

  /** JSON with keys sorted, to compare two annotations' content. @param {any} x @returns {string} */
  function stable(x) {
    if (Array.isArray(x)) return `[${x.map(stable).join(",")}]`;
    if (x && typeof x === "object") return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${stable(x[k])}`).join(",")}}`;
    return JSON.stringify(x);
  }

  /** What a note says and where, its times and ids aside. @param {any} a */
  const content = (a) => stable({
    body: a.body || [], target: a.target,
    audience: (a.audience && a.audience["schema:audienceType"]) || "class",
  });

  const unquote = (/** @type {string | null} */ tag) => (tag || "").replace(/^W\//, "").replace(/"/g, "");
  const sleep = (/** @type {number} */ ms) => new Promise((done) => setTimeout(done, ms));

  /** A failure worth retrying later (no network, a server down or busy). */
  class Unreachable extends Error {}

  /**
   * The sync state machine for one page (options.source) of a host's notes.
   * @param {SyncOptions} options
   */
  function createSync(options) {
    const { session, source, store, local } = options;
    const auth = signedIn(session);
    const base = serverOf(session.server);
    const origin = new URL(base).origin;
    const container = `${base}/classes/${encodeURIComponent(session.classId)}/annotations/`;
    /** @type {Change[]} */
    let outbox = Array.isArray(store.read("outbox")) ? store.read("outbox") : [];
    const savedLinks = store.read("links") || {};
    /** @type {Map<string, Link>} local id -> its annotation on the server */
    const links = new Map(Object.entries(savedLinks.links || {}));
    /** @type {Set<string>} notes kept twice after a conflict (both versions) */
    const conflicts = new Set(Array.isArray(savedLinks.conflicts) ? savedLinks.conflicts : []);
    /** @type {Map<string, any>} classmates' notes and every reply on this page, by IRI */
    let remote = new Map();
    let online = typeof navigator === "undefined" || navigator.onLine !== false;
    let error = "";
    let running = false;
    let flushing = false;
    let retryDelay = 1000;
    /** @type {ReturnType<typeof setTimeout> | null} */
    let retryTimer = null;
    /** @type {AbortController | null} */
    let streamControl = null;
    let lastEventId = "";
    let needPull = true;
    /** @type {(() => void) | null} */
    let wakeListener = null;

    const saveOutbox = () => store.write("outbox", outbox);
    const saveLinks = () => store.write("links", { links: Object.fromEntries(links), conflicts: [...conflicts] });
    const state = () => ({ online, waiting: outbox.length, error, conflicts: [...conflicts] });
    const emit = () => options.onState(state());
    const ownOf = (/** @type {string} */ iri) => {
      for (const [id, link] of links) if (link.iri === iri) return id;
      return null;
    };
    const pending = (/** @type {string} */ id) => outbox.some((c) => c.id === id);

    /** `iri` (or a path) at the configured server: no request ever goes elsewhere. @param {string} iri */
    function address(iri) {
      const u = new URL(iri, `${base}/`);
      return `${origin}${u.pathname}${u.search}`;
    }

    /**
     * One request to the class server with the token; throws Unreachable when there is
     * no answer worth keeping (no network, 5xx, 429), and stops the sync on 401.
     * @param {string} method @param {string} iri @param {any} [body] @param {Record<string, string>} [headers]
     */
    async function call(method, iri, body, headers) {
      const control = new AbortController();
      const timer = setTimeout(() => control.abort(), 15000);
      let r;
      try {
        r = await fetch(address(iri), {
          method, credentials: auth.credentials, cache: "no-store", referrerPolicy: "no-referrer", signal: control.signal,
          headers: {
            ...auth.headers, Accept: "application/ld+json",
            ...(body === undefined ? {} : { "Content-Type": "application/ld+json" }), ...(headers || {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        throw new Unreachable(String(err));
      } finally {
        clearTimeout(timer);
      }
      if (r.status >= 500 || r.status === 429 || r.status === 408) throw new Unreachable(`HTTP ${r.status}`);
      if (r.status === 401) {
        error = refused(session);
        stop();
        emit();
        throw new Unreachable("401");
      }
      return r;
    }

    /** Every item of the container on page `page` (following `next`). @param {string} page */
    async function listing(page) {
      const items = [];
      /** @type {string | null} */
      let next = `${container}?source=${encodeURIComponent(page)}`;
      for (let n = 0; next && n < 100; n++) {
        const r = await call("GET", next);
        if (!r.ok) throw new Unreachable(`HTTP ${r.status}`);
        const doc = await r.json();
        const first = doc.type === "AnnotationPage" || (Array.isArray(doc.type) && doc.type.includes("AnnotationPage")) ? doc : doc.first;
        if (!first || typeof first !== "object") break;
        items.push(...(Array.isArray(first.items) ? first.items : []));
        next = typeof first.next === "string" ? first.next : null;
      }
      return items;
    }

    /** The annotation the server holds for local `id` (by its canonical), or null. @param {string} page @param {string} id */
    async function findMine(page, id) {
      return (await listing(page)).find((a) => a && a.canonical === id) || null;
    }

    /** Read one annotation with its ETag. @param {string} iri */
    async function fetchOne(iri) {
      const r = await call("GET", iri);
      if (r.status === 404) return null;
      if (!r.ok) throw new Unreachable(`HTTP ${r.status}`);
      return { data: await r.json(), etag: unquote(r.headers.get("ETag")) };
    }

    /** @param {string} id @param {any} data @param {string} etag */
    function link(id, data, etag) {
      links.set(id, { iri: data.id, etag, modified: data.modified });
      saveLinks();
    }

    /**
     * Send one change. "done": it is on the server (or nothing is left to do);
     * "again": it changed into another change, send it next.
     * @param {Change} c @returns {Promise<"done" | "again">}
     */
    async function send(c) {
      if (c.op === "create") {
        if (c.sent) {
          // Sent before, answer lost: the server may have it already.
          const found = await findMine(c.source, c.id);
          if (found) {
            const one = await fetchOne(found.id);
            if (one) link(c.id, one.data, one.etag);
            return "done";
          }
        }
        c.sent = true;
        saveOutbox();
        const body = { ...c.data, canonical: c.id };
        delete body.id;
        const r = await call("POST", container, body);
        if (r.status === 201) {
          const data = await r.json();
          link(c.id, { ...data, id: r.headers.get("Location") || data.id }, unquote(r.headers.get("ETag")));
          return "done";
        }
        return refused(c, r);
      }
      let known = links.get(c.id);
      if (!known) {
        const found = await findMine(c.source, c.id);
        if (found) {
          const one = await fetchOne(found.id);
          if (one) link(c.id, one.data, one.etag);
          known = links.get(c.id);
        }
      }
      if (c.op === "delete") {
        if (!known) return "done";
        const r = await call("DELETE", known.iri, undefined, { "If-Match": `"${known.etag}"` });
        if (r.status === 204 || r.status === 404) {
          links.delete(c.id);
          conflicts.delete(c.id);
          saveLinks();
          return "done";
        }
        if (r.status === 412) {
          // Changed elsewhere since: the reader gets that version back rather than losing it.
          const one = await fetchOne(known.iri);
          if (one) {
            link(c.id, one.data, one.etag);
            if (!c.reply) local.adopt(c.source, c.id, one.data); // a reply stays in its thread
          }
          return "done";
        }
        return refused(c, r);
      }
      if (!known) {
        Object.assign(c, { op: "create", sent: false });
        return "again";
      }
      const r = await call("PUT", known.iri, { ...c.data, id: known.iri, canonical: c.id }, { "If-Match": `"${known.etag}"` });
      if (r.ok) {
        const data = await r.json();
        link(c.id, { ...data, id: known.iri }, unquote(r.headers.get("ETag")));
        return "done";
      }
      if (r.status === 404) {
        links.delete(c.id);
        Object.assign(c, { op: "create", sent: false });
        return "again";
      }
      if (r.status === 412) {
        const one = await fetchOne(known.iri);
        if (!one) {
          links.delete(c.id);
          Object.assign(c, { op: "create", sent: false });
          return "again";
        }
        link(c.id, one.data, one.etag);
        if (content(one.data) === content({ ...c.data, canonical: c.id })) return "done"; // our own update, its answer lost
        if (c.reply) return "done"; // a reply changed elsewhere meanwhile: that version stands
        // Changed in two places: `c.id` takes the server's version, a copy keeps the reader's.
        const copyId = AnnotateModel.newId();
        const mine = local.conflict(c.source, c.id, one.data, copyId);
        conflicts.add(c.id);
        conflicts.add(copyId);
        saveLinks();
        if (mine) Object.assign(c, { op: "create", id: copyId, data: mine, sent: false });
        return mine ? "again" : "done";
      }
      return refused(c, r);
    }

    /** The server refused a change for good (4xx): the note stays here, the reader is told. @param {Change} c @param {Response} r */
    async function refused(c, r) {
      const problem = await r.json().catch(() => ({}));
      error = `The class server refused a change (${problem.title || r.status}${problem.detail ? `: ${problem.detail}` : ""}); the note is kept in this browser.`;
      return /** @type {"done"} */ ("done");
    }

    /** Send the outbox, oldest first, one change at a time. */
    async function flush() {
      if (flushing || !running || !online) return;
      flushing = true;
      let created = false;
      try {
        while (outbox.length && running) {
          const c = outbox[0];
          const made = c.op === "create" && c.source === source;
          let outcome = await send(c);
          while (outcome === "again") outcome = await send(c);
          created = created || made;
          outbox.shift();
          saveOutbox();
          emit();
        }
        retryDelay = 1000;
      } catch (err) {
        if (!(err instanceof Unreachable)) throw err;
        scheduleRetry();
      } finally {
        flushing = false;
      }
      // A class that reveals notes after one's own: the first note opens the page;
      // a reply comes back as the server holds it.
      if (created) await pull().catch(() => scheduleRetry());
      emit();
    }

    function scheduleRetry() {
      if (retryTimer || !running) return;
      retryTimer = setTimeout(() => { retryTimer = null; flush(); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    }

    /**
     * An annotation the server sent (a pull's item or an event's): the reader's own
     * (a newer version is adopted), or a classmate's note or a reply.
     * @param {any} item @returns {Promise<void>}
     */
    async function take(item) {
      if (!item || typeof item.id !== "string") return;
      // Replies, the reader's too, are shown as the server holds them (threads).
      const mine = typeof item.target === "string" ? null : ownOf(item.id) || (typeof item.canonical === "string" && options.localIds().has(item.canonical) ? item.canonical : null);
      if (!mine && mineElsewhere(item)) {
        // Signed in by the Hub, the reader made it in the notebook: theirs here too.
        const one = await fetchOne(item.id);
        if (!one) return;
        const id = typeof item.canonical === "string" && item.canonical.startsWith("urn:uuid:") ? item.canonical : item.id;
        link(id, one.data, one.etag);
        local.adopt(source, id, one.data);
        return;
      }
      if (!mine) {
        remote.set(item.id, item);
        return;
      }
      if (pending(mine)) return; // our own change is on its way; it wins or conflicts there
      const known = links.get(mine);
      if (known && known.modified === item.modified) return;
      const one = await fetchOne(item.id);
      if (!one) return;
      link(mine, one.data, one.etag);
      if (known) local.adopt(source, mine, one.data);
    }

    /**
     * On JupyterHub a user name is one person's: a note (not a reply) on this page
     * under the reader's own name was made by them elsewhere (the notebook).
     * @param {any} item
     */
    function mineElsewhere(item) {
      return Boolean(session.hub && session.name && item.target && typeof item.target === "object"
        && item.target.source === source && item.creator && item.creator.name === session.name);
    }

    /** The page's notes from the server: the reader's kept up to date, the rest shown. */
    async function pull() {
      if (!running) return;
      const items = await listing(source);
      const before = remote;
      remote = new Map();
      try {
        for (const item of items) await take(item);
      } catch (err) {
        remote = new Map([...before, ...remote]);
        throw err;
      }
      options.onRemote([...remote.values()]);
    }

    /** @param {string} frame one Server-Sent Event */
    async function event(frame) {
      let kind = "message", data = "";
      for (const line of frame.split(/\r?\n/)) {
        const at = line.indexOf(":");
        const field = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
        if (field === "id") lastEventId = value;
        else if (field === "event") kind = value;
        else if (field === "data") data += (data ? "\n" : "") + value;
      }
      if (!data) return;
      let item;
      try { item = JSON.parse(data); } catch (err) { return; }
      if (kind === "reset") {
        // The server no longer holds the events since our last one: read the page again.
        needPull = true;
        return;
      }
      if (kind === "hide") {
        // No longer for this reader's eyes (made private, or moved to another page);
        // a note of the reader's own stays, its update follows.
        if (remote.delete(item.id)) options.onRemote([...remote.values()]);
        return;
      }
      if (kind === "delete") {
        const mine = ownOf(item.id);
        if (remote.delete(item.id)) options.onRemote([...remote.values()]);
        else if (mine && !pending(mine)) {
          links.delete(mine);
          saveLinks();
          local.remove(source, mine);
        }
        return;
      }
      await take(item);
      options.onRemote([...remote.values()]);
    }

    /** Read the events stream while running: fetch and a stream reader, resumed by Last-Event-ID. */
    async function listen() {
      let delay = 1000;
      while (running) {
        if (!online) {
          await new Promise((wake) => { wakeListener = () => wake(undefined); });
          continue;
        }
        const control = new AbortController();
        streamControl = control;
        // Without Last-Event-ID the stream starts from now: what was written between
        // the last pull and this connection would be missed, so pull once more then.
        let resumed = Boolean(lastEventId);
        try {
          const r = await fetch(address(`${base}/classes/${encodeURIComponent(session.classId)}/events?source=${encodeURIComponent(source)}`), {
            credentials: auth.credentials, cache: "no-store", referrerPolicy: "no-referrer", signal: control.signal,
            headers: { ...auth.headers, Accept: "text/event-stream", ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) },
          });
          if (r.status === 401) {
            error = refused(session);
            stop();
            emit();
            return;
          }
          if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
          const reader = r.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            for (let cut = buffer.search(/\r?\n\r?\n/); cut >= 0; cut = buffer.search(/\r?\n\r?\n/)) {
              const frame = buffer.slice(0, cut);
              buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
              await event(frame);
              if (!resumed) {
                resumed = true;
                needPull = true;
              }
              if (needPull) {
                needPull = false;
                if (error.startsWith("The class server does not answer")) error = "";
                pull().catch(() => { needPull = true; });
                flush();
              }
            }
          }
          delay = 1000;
        } catch (err) {
          if (!running) return;
          if (online && !control.signal.aborted) {
            error = `The class server does not answer; changes wait here and go up when it is back.`;
            needPull = true;
            emit();
          }
          await sleep(delay);
          delay = Math.min(delay * 2, 15000);
        }
      }
    }

    const goOnline = () => {
      online = true;
      needPull = true;
      emit();
      if (wakeListener) { const w = wakeListener; wakeListener = null; w(); }
      flush();
    };
    const goOffline = () => {
      online = false;
      if (streamControl) streamControl.abort();
      emit();
    };

    function start() {
      if (running) return;
      running = true;
      window.addEventListener("online", goOnline);
      window.addEventListener("offline", goOffline);
      emit();
      listen();
      flush();
    }

    function stop() {
      running = false;
      window.removeEventListener("online", goOnline);
      window.removeEventListener("offline", goOffline);
      if (streamControl) streamControl.abort();
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      if (wakeListener) { const w = wakeListener; wakeListener = null; w(); }
    }

    /**
     * Queue a change (after the host saved it locally) and send it when it can.
     * A change folds into a waiting one for the same note that was never sent.
     * @param {Change} change
     */
    function queue(change) {
      const unsent = outbox.filter((c) => c.id === change.id && !c.sent);
      if (change.op === "update" && unsent.length) {
        unsent[unsent.length - 1].data = change.data;
      } else if (change.op === "delete" && unsent.some((c) => c.op === "create")) {
        outbox = outbox.filter((c) => c.id !== change.id); // never left this browser
      } else if (change.op === "delete") {
        outbox = [...outbox.filter((c) => !(c.id === change.id && !c.sent)), change];
      } else {
        outbox.push(change);
      }
      saveOutbox();
      emit();
      flush();
    }

    /**
     * Reply to the annotation `target` (an IRI) on this page.
     * @param {string} target @param {string} text @param {string} name
     */
    function reply(target, text, name) {
      const stamp = AnnotateModel.now();
      const id = AnnotateModel.newId();
      queue({
        op: "create", id, source, reply: true,
        data: {
          "@context": AnnotateModel.CONTEXT, type: "Annotation", motivation: "replying", created: stamp, modified: stamp,
          creator: { type: "Person", name },
          body: [{ type: "TextualBody", format: "text/plain", purpose: "commenting", value: text }],
          target, audience: { type: "schema:Audience", "schema:audienceType": "class" },
        },
      });
    }

    /**
     * Change the reader's own reply at `iri` to `text`: shown at once, sent when it can be.
     * @param {string} iri @param {string} text @returns {boolean}
     */
    function editReply(iri, text) {
      const id = ownOf(iri);
      const item = remote.get(iri);
      if (!id || !item) return false;
      const modified = AnnotateModel.now();
      const body = [{ type: "TextualBody", format: "text/plain", purpose: "commenting", value: text }];
      const data = { ...item, modified, body };
      delete data.id;
      delete data.canonical;
      remote.set(iri, { ...item, modified, body });
      options.onRemote([...remote.values()]);
      queue({ op: "update", id, source, reply: true, data });
      return true;
    }

    /** Delete the reader's own reply at `iri`. @param {string} iri @returns {boolean} */
    function deleteReply(iri) {
      const id = ownOf(iri);
      if (!id) return false;
      remote.delete(iri);
      options.onRemote([...remote.values()]);
      queue({ op: "delete", id, source, reply: true });
      return true;
    }

    return {
      start, stop, flush, pull, queue, reply, state,
      /** The server IRI of a local note, once it is there. @param {string} id */
      iriOf: (id) => (links.get(id) || { iri: null }).iri,
      /** Replies waiting in the outbox: `{target, text}`. */
      pendingReplies: () => outbox.filter((c) => c.reply && c.op === "create").map((c) => ({ id: c.id, target: c.data.target, text: c.data.body[0].value })),
      /** Whether the reply at `iri` was posted from here (so the reader may change it). @param {string} iri */
      ownReply: (iri) => ownOf(iri) !== null,
      editReply,
      deleteReply,
      /** A note no longer shown as kept twice (the reader dealt with it). @param {string} id */
      settle: (id) => { if (conflicts.delete(id)) saveLinks(); },
    };
  }

  /** The palette's "Who can read this note" field; hidden until enabled. */
  function visibilityField() {
    const id = `annotate-visibility-${Math.random().toString(36).slice(2)}`;
    const element = el("div", { class: "annotate-class-visibility", hidden: "" });
    const select = /** @type {HTMLSelectElement} */ (el("select", { id }));
    for (const [value, label] of AUDIENCE_LABELS) select.appendChild(el("option", { value }, label));
    element.append(el("label", { for: id }, "Who can read this note"), select);
    let enabled = false;
    return {
      element,
      /** @param {{audience?: string | null} | null} h */
      reset(h) { select.value = (h && h.audience) || "class"; },
      value() { return enabled ? { audience: select.value } : {}; },
      /** @param {boolean} on */
      enable(on) { enabled = on; element.hidden = !on; },
    };
  }

  /** A visibility's words for the panel. @param {string | null | undefined} audience */
  const audienceLabel = (audience) => (AUDIENCE_LABELS.find(([v]) => v === audience) || ["", "Class"])[1];

  /** @type {Map<string, HTMLElement>} one thread element per root IRI, kept across renders */
  const threads = new Map();
  /** @type {WeakMap<HTMLElement, Map<string, string>>} per thread, the drafts of replies being edited */
  const drafts = new WeakMap();

  /**
   * The replies under a note and a box labelled Reply. The same element comes back for
   * the same `root`, its list redrawn: a reply being typed survives a repaint.
   * A reply with `onEdit`/`onDelete` (the reader's own) gets Edit and Delete buttons;
   * Edit turns its text into a box with Save and Cancel.
   * @param {{root: string | null, replies: {id?: string, creator: string, note: string, created?: string, waiting?: boolean,
   *   onEdit?: (text: string) => void, onDelete?: () => void}[],
   *   onReply: ((text: string) => void) | null, closed?: string}} options
   */
  function threadView(options) {
    const key = options.root || "";
    let box = options.root ? threads.get(key) : undefined;
    if (!box) {
      box = el("div", { class: "annotate-thread" });
      const list = el("ul", { class: "annotate-thread-list" });
      const id = `annotate-reply-${Math.random().toString(36).slice(2)}`;
      const form = el("div", { class: "annotate-thread-form" });
      const text = /** @type {HTMLTextAreaElement} */ (el("textarea", { id, rows: "2" }));
      const send = el("button", { type: "button", class: "annotate-thread-send" }, "Post reply");
      const closed = el("p", { class: "annotate-help annotate-thread-closed", hidden: "" });
      form.append(el("label", { for: id }, "Reply"), text, send);
      box.append(list, form, closed);
      if (options.root) threads.set(key, box);
    }
    const list = /** @type {HTMLElement} */ (box.querySelector(".annotate-thread-list"));
    const form = /** @type {HTMLElement} */ (box.querySelector(".annotate-thread-form"));
    const closed = /** @type {HTMLElement} */ (box.querySelector(".annotate-thread-closed"));
    const text = /** @type {HTMLTextAreaElement} */ (box.querySelector("textarea"));
    const send = /** @type {HTMLButtonElement} */ (box.querySelector(".annotate-thread-send"));
    // A reply being edited keeps its draft (and the caret) through repaints: a
    // classmate's event redraws the thread while the reader types.
    const editing = drafts.get(box) || new Map();
    drafts.set(box, editing);
    const active = document.activeElement;
    const focused = active instanceof HTMLTextAreaElement && box.contains(active) && active.dataset.reply
      ? { key: active.dataset.reply, caret: [active.selectionStart, active.selectionEnd] } : null;
    list.replaceChildren(...options.replies.map((r) => {
      const li = el("li", { class: `annotate-thread-reply${r.waiting ? " annotate-thread-waiting" : ""}` });
      const words = el("span", { class: "annotate-thread-text" }, r.note);
      li.append(el("span", { class: "annotate-thread-who" }, r.creator), words);
      if (r.waiting) li.append(el("span", { class: "annotate-thread-when" }, "waiting to be sent"));
      const { onEdit, onDelete } = r;
      if (!onEdit || !onDelete) return li;
      const key = r.id || r.note;
      const tools = el("span", { class: "annotate-thread-tools" });
      const edit = el("button", { type: "button", class: "annotate-thread-edit", "aria-label": `Edit your reply: ${r.note.slice(0, 40)}` }, "Edit");
      const remove = el("button", { type: "button", class: "annotate-thread-delete", "aria-label": `Delete your reply: ${r.note.slice(0, 40)}` }, "Delete");
      tools.append(edit, remove);
      li.append(tools);
      remove.onclick = () => onDelete();
      const openEditor = () => {
        const boxId = `annotate-reply-edit-${Math.random().toString(36).slice(2)}`;
        const area = /** @type {HTMLTextAreaElement} */ (el("textarea", { id: boxId, rows: "2", "data-reply": key }));
        area.value = editing.has(key) ? editing.get(key) : r.note;
        editing.set(key, area.value);
        area.addEventListener("input", () => editing.set(key, area.value));
        const save = el("button", { type: "button", class: "annotate-thread-save" }, "Save reply");
        const cancel = el("button", { type: "button", class: "annotate-thread-cancel" }, "Cancel");
        const editor = el("div", { class: "annotate-thread-editor" });
        editor.append(el("label", { for: boxId }, "Your reply"), area, save, cancel);
        words.hidden = true;
        tools.hidden = true;
        li.append(editor);
        cancel.onclick = () => { editing.delete(key); editor.remove(); words.hidden = false; tools.hidden = false; edit.focus(); };
        save.onclick = () => {
          const value = area.value.trim();
          if (!value) return;
          editing.delete(key);
          editor.remove();
          words.textContent = value; // until the host draws the thread again
          words.hidden = false;
          tools.hidden = false;
          edit.focus();
          onEdit(value);
        };
        return area;
      };
      edit.onclick = () => openEditor().focus();
      if (editing.has(key)) {
        const area = openEditor();
        if (focused && focused.key === key) {
          queueMicrotask(() => { area.focus(); area.setSelectionRange(focused.caret[0], focused.caret[1]); });
        }
      }
      return li;
    }));
    list.hidden = !options.replies.length;
    const onReply = options.onReply;
    form.hidden = !onReply;
    closed.hidden = !!onReply || !options.closed;
    closed.textContent = options.closed || "";
    send.onclick = () => {
      const value = text.value.trim();
      if (!value || !onReply) return;
      text.value = "";
      onReply(value);
    };
    return box;
  }

  /**
   * Classmates' highlights grouped into passages: those that overlap are one passage,
   * counted by the people who highlighted it.
   * @param {{id: string, start: number, end: number, creator: string, orphan?: boolean}[]} highlights
   * @returns {Passage[]}
   */
  function passages(highlights) {
    const placed = highlights.filter((h) => !h.orphan && h.end > h.start).sort((a, b) => a.start - b.start || a.end - b.end);
    /** @type {Passage[]} */
    const out = [];
    for (const h of placed) {
      const last = out[out.length - 1];
      if (last && h.start < last.end) {
        last.end = Math.max(last.end, h.end);
        last.ids.push(h.id);
        if (!last.creators.includes(h.creator)) last.creators.push(h.creator);
      } else {
        out.push({ start: h.start, end: h.end, ids: [h.id], creators: [h.creator] });
      }
    }
    return out;
  }

  /** Run `render` and give focus (and a text box's caret) back to what had it. @param {() => void} render */
  function keepFocus(render) {
    const active = document.activeElement;
    const caret = active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement ? [active.selectionStart, active.selectionEnd] : null;
    render();
    if (active instanceof HTMLElement && active !== document.activeElement && document.contains(active)) {
      active.focus();
      if (caret && (active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement)) active.setSelectionRange(caret[0], caret[1]);
    }
  }

  return { parseInvite, join, hubSession, createSync, visibilityField, audienceLabel, threadView, passages, keepFocus, el };
})();

if (typeof window !== "undefined") {
  /** @type {any} */ (window).AnnotateClass = AnnotateClass;
}
