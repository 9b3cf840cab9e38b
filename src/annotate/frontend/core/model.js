// @ts-check
/**
 * The W3C Web Annotation JSON of annotate/model.py and annotate/exchange.py, in
 * the browser: the same bodies, selectors, motivations and the same refusals, so
 * a file written here imports into the Jupyter widget and the reverse.
 *
 * A classic script (the book is read from file://, where modules are refused).
 */
/* exported AnnotateModel */
var AnnotateModel = (function () {
  "use strict";

  const CONTEXT = "http://www.w3.org/ns/anno.jsonld";
  const NOTE_LIMIT = 100 * 1024;
  const MAX_DEPTH = 64;
  const MAX_BYTES = 256 * 1024 * 1024;

  /**
   * @typedef {{key: string, label: string}} Term
   * @typedef {{claimTypes: Term[], statuses: Term[]}} Vocabulary
   * @typedef {{id: string, source: string, exact: string, prefix: string, suffix: string,
   *   start: number, end: number, creator: string, created: string, modified: string,
   *   claimType: string | null, status: string | null, note: string, tags: string[],
   *   motivation: string, orphan: boolean}} Record
   */

  /** UTC now, as the Python side writes it: 2025-03-30T12:00:00Z. */
  function now() {
    return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /** @returns {string} */
  function newId() {
    if (typeof crypto !== "undefined" && crypto.randomUUID) return `urn:uuid:${crypto.randomUUID()}`;
    // file:// is not a secure context in every browser: build a v4 UUID by hand.
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** @param {Record} r */
  function motivationOf(r) {
    if (r.note) return "commenting";
    if (r.status && r.status !== "needs-checking") return "assessing";
    if (r.claimType || r.tags.length) return "tagging";
    return "highlighting";
  }

  /**
   * The record as W3C Web Annotation JSON.
   * @param {Record} r @param {Vocabulary} vocabulary
   */
  function toW3C(r, vocabulary) {
    const label = (/** @type {Term[]} */ list, /** @type {string} */ key) => {
      const t = list.find((x) => x.key === key);
      if (!t) throw new Error(`unknown vocabulary key ${key}`);
      return t.label;
    };
    /** @type {object[]} */
    const body = [];
    if (r.note) body.push({ type: "TextualBody", format: "text/plain", purpose: "commenting", value: r.note });
    if (r.claimType) body.push({ type: "TextualBody", purpose: "tagging", value: label(vocabulary.claimTypes, r.claimType) });
    if (r.status) body.push({ type: "TextualBody", purpose: "tagging", value: label(vocabulary.statuses, r.status) });
    for (const t of r.tags) body.push({ type: "TextualBody", purpose: "tagging", value: t });
    /** @type {{[k: string]: any}} */
    const data = {
      "@context": CONTEXT,
      id: r.id,
      type: "Annotation",
      motivation: r.motivation || motivationOf(r),
      created: r.created,
      modified: r.modified,
      creator: { type: "Person", name: r.creator },
      target: {
        source: r.source,
        selector: [
          { type: "TextQuoteSelector", exact: r.exact, prefix: r.prefix, suffix: r.suffix },
          { type: "TextPositionSelector", start: r.start, end: r.end },
        ],
      },
    };
    if (body.length) data.body = body;
    return data;
  }

  /** @param {any} data @param {string} key */
  function text(data, key) {
    const v = data[key];
    if (typeof v !== "string" || !v) throw new Error(`${key} must be non-empty text`);
    return v;
  }

  /** @param {string} s */
  const utf8Length = (s) => new TextEncoder().encode(s).length;

  /**
   * Parse W3C JSON strictly, like Annotation.from_w3c; throws with the reason.
   * @param {any} data @param {Vocabulary} vocabulary @returns {Record}
   */
  function fromW3C(data, vocabulary) {
    if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("an annotation must be a JSON object");
    const kinds = data.type;
    if (kinds !== "Annotation" && !(Array.isArray(kinds) && kinds.includes("Annotation"))) {
      throw new Error(`type is ${JSON.stringify(kinds)}, not 'Annotation'`);
    }
    const id = text(data, "id");
    let target = data.target;
    if (Array.isArray(target) && target.length === 1) target = target[0];
    if (!target || typeof target !== "object" || Array.isArray(target)) throw new Error("target must be an object with source and selector");
    const source = text(target, "source");
    /** @type {{exact: string, prefix: string, suffix: string} | null} */
    let quote = null;
    /** @type {[number, number] | null} */
    let position = null;
    const selectors = Array.isArray(target.selector) ? target.selector : [target.selector];
    for (const sel of selectors) {
      if (!sel || typeof sel !== "object") throw new Error("a selector must be an object");
      if (sel.type === "TextQuoteSelector") {
        if (typeof sel.exact !== "string" || !sel.exact) throw new Error("TextQuoteSelector has no exact text");
        const prefix = sel.prefix === undefined ? "" : sel.prefix;
        const suffix = sel.suffix === undefined ? "" : sel.suffix;
        if (typeof prefix !== "string" || typeof suffix !== "string") throw new Error("prefix and suffix must be text");
        quote = { exact: sel.exact, prefix, suffix };
      } else if (sel.type === "TextPositionSelector") {
        if (!Number.isInteger(sel.start) || !Number.isInteger(sel.end)) throw new Error("TextPositionSelector start and end must be integers");
        if (sel.start < 0 || sel.end < 0) throw new Error(`negative offset in ${sel.start}-${sel.end}`);
        if (sel.start > sel.end) throw new Error(`start ${sel.start} is after end ${sel.end}`);
        position = [sel.start, sel.end];
      }
    }
    if (!quote) throw new Error("no TextQuoteSelector with exact text");
    const quoteLength = Array.from(quote.exact).length;
    // A position that disagrees with its quote is dropped: anchoring decides.
    if (position && position[1] - position[0] !== quoteLength) position = null;

    let note = "";
    /** @type {string | null} */ let claimType = null;
    /** @type {string | null} */ let status = null;
    /** @type {string[]} */ const tags = [];
    const bodies = data.body === undefined ? [] : Array.isArray(data.body) ? data.body : [data.body];
    for (const body of bodies) {
      if (typeof body === "string") continue; // a body IRI: nothing of ours in it
      if (!body || typeof body !== "object") throw new Error("a body must be an object");
      const value = body.value === undefined ? "" : body.value;
      if (typeof value !== "string") throw new Error("a body's value must be text");
      if (body.purpose === "tagging") {
        const t = vocabulary.claimTypes.find((x) => x.label.toLowerCase() === value.trim().toLowerCase() || x.key === value);
        const s = vocabulary.statuses.find((x) => x.label.toLowerCase() === value.trim().toLowerCase() || x.key === value);
        if (t) claimType = t.key;
        else if (s) status = s.key;
        else tags.push(value);
      } else {
        note = note ? `${note}\n\n${value}` : value;
      }
    }
    if (utf8Length(note) > NOTE_LIMIT) throw new Error("the note is over 100 KB");
    let creator = data.creator === undefined ? "" : data.creator;
    if (Array.isArray(creator) && creator.length) creator = creator[0];
    const name = creator && typeof creator === "object" ? (creator.name === undefined ? "" : creator.name) : creator;
    if (typeof name !== "string") throw new Error("creator name must be text");
    const created = data.created || now();
    const modified = data.modified || created;
    if (typeof created !== "string" || typeof modified !== "string") throw new Error("created and modified must be date-time text");
    const [start, end] = position || [0, quoteLength];
    return {
      id, source, exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix, start, end,
      creator: name || "unknown", created, modified, claimType, status, note, tags,
      motivation: typeof data.motivation === "string" ? data.motivation : "",
      orphan: position === null,
    };
  }

  /** A Hypothesis row, as W3C JSON (exchange._from_hypothesis). @param {any} row */
  function fromHypothesis(row) {
    const target = row.target;
    if (!Array.isArray(target) || !target.length || !target[0] || typeof target[0] !== "object") {
      throw new Error("Hypothesis target must be a list with one object");
    }
    const user = row.user === undefined ? "" : row.user;
    if (typeof user !== "string") throw new Error("Hypothesis user must be text");
    let name = user.replace(/^acct:/, "").split("@", 1)[0];
    const info = row.user_info;
    if (info && typeof info === "object" && typeof info.display_name === "string") name = info.display_name || name;
    const tags = row.tags === undefined ? [] : row.tags;
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) throw new Error("Hypothesis tags must be a list of text");
    const note = row.text === undefined ? "" : row.text;
    if (typeof note !== "string") throw new Error("Hypothesis text must be text");
    const body = tags.map((t) => ({ type: "TextualBody", purpose: "tagging", value: t }));
    if (note) body.unshift({ type: "TextualBody", purpose: "commenting", value: note, format: "text/plain" });
    return {
      "@context": CONTEXT,
      id: typeof row.id === "string" && row.id ? `urn:hypothesis:${row.id}` : "",
      type: "Annotation",
      created: row.created,
      modified: row.updated || row.created,
      creator: { type: "Person", name: name || "unknown" },
      body,
      target: { source: target[0].source || row.uri, selector: target[0].selector || [] },
    };
  }

  /** @param {any} item */
  const isHypothesis = (item) => item && typeof item === "object" && !Array.isArray(item) && "uri" in item && !("type" in item);

  /** The deepest nesting of arrays/objects, counted without recursion. @param {string} s */
  function depth(s) {
    let d = 0, deepest = 0, inString = false, escaped = false;
    for (const ch of s) {
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === "\\") escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === "[" || ch === "{") { d++; if (d > deepest) deepest = d; if (deepest > MAX_DEPTH) return deepest; }
      else if (ch === "]" || ch === "}") d--;
    }
    return deepest;
  }

  /** @param {any} data @returns {any[]} */
  function items(data) {
    if (Array.isArray(data)) return data;
    if (!data || typeof data !== "object") throw new Error("holds neither an annotation nor a list of them");
    const kinds = Array.isArray(data.type) ? data.type : [data.type];
    if (kinds.includes("AnnotationCollection")) {
      if (data.first === undefined && data.total === 0) return [];
      if (!data.first || typeof data.first !== "object") throw new Error("AnnotationCollection has no embedded first page");
      return items(data.first);
    }
    if (kinds.includes("AnnotationPage")) {
      if (!Array.isArray(data.items)) throw new Error("AnnotationPage has no items list");
      return data.items;
    }
    if (kinds.includes("Annotation") || isHypothesis(data)) return [data];
    if (Array.isArray(data.annotations)) return data.annotations;
    if (Array.isArray(data.rows)) return data.rows;
    throw new Error("holds neither an annotation nor a list of them");
  }

  /**
   * Every annotation in a JSON document in any format the kit reads; throws an
   * Error whose message says what is wrong (and at which item) if any is bad.
   * @param {string} source @param {Vocabulary} vocabulary @returns {Record[]}
   */
  function parseDocument(source, vocabulary) {
    if (source.length > MAX_BYTES) throw new Error("is larger than 256 MB");
    if (!source.trim()) throw new Error("is empty");
    if (depth(source) > MAX_DEPTH) throw new Error(`JSON is nested deeper than ${MAX_DEPTH} levels`);
    let data;
    try {
      data = JSON.parse(source);
    } catch (err) {
      throw new Error(`is not JSON (${err instanceof Error ? err.message : err})`);
    }
    return items(data).map((item, n) => {
      try {
        return fromW3C(isHypothesis(item) ? fromHypothesis(item) : item, vocabulary);
      } catch (err) {
        const id = item && typeof item.id === "string" ? ` (${item.id})` : "";
        throw new Error(`item ${n + 1}${id}: ${err instanceof Error ? err.message : err}`);
      }
    });
  }

  /** A W3C AnnotationCollection with its page embedded (exchange.collection). @param {object[]} list @param {string} [label] */
  function collection(list, label) {
    const page = list.map((a) => {
      const copy = /** @type {{[k: string]: any}} */ ({ ...a });
      delete copy["@context"];
      return copy;
    });
    /** @type {{[k: string]: any}} */
    const data = { "@context": CONTEXT, type: "AnnotationCollection", total: page.length, first: { type: "AnnotationPage", startIndex: 0, items: page } };
    if (label) data.label = label;
    return data;
  }

  return { CONTEXT, now, newId, toW3C, fromW3C, parseDocument, collection };
})();

if (typeof window !== "undefined") {
  /** @type {any} */ (window).AnnotateModel = AnnotateModel;
}
