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
  const MAX_DEPTH = 64;
  const MAX_BYTES = 256 * 1024 * 1024;
  // What kind of fault an AnnotationError names: model.ERROR_CODES in Python.
  const ERROR_CODES = ["shape", "missing", "id", "offset", "time", "limit"];
  // Who may read an annotation (schema:audienceType): model.AUDIENCES in Python.
  const AUDIENCES = ["private", "class", "teacher"];

  /** An annotation that does not follow the model; `code` is one of ERROR_CODES. */
  class AnnotationError extends Error {
    /** @param {string} message @param {string} [code] */
    constructor(message, code) {
      super(message);
      this.name = "AnnotationError";
      this.code = code || "shape";
    }
  }

  // model._IRI and model._DATE_TIME, character for character.
  const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f-\x9f<>"{}|\\^`\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+$/;
  const DATE_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

  const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

  /** Whether `value` is an absolute IRI, as an annotation's id must be. @param {string} value */
  const isIri = (value) => IRI.test(value);

  /**
   * A W3C date-time as [seconds since 1970 UTC, nanoseconds] (model.instant): times
   * compare as instants, milliseconds and zones included; no zone reads as UTC.
   * @param {string} value @returns {[number, number]}
   */
  function instant(value) {
    const m = DATE_TIME.exec(value);
    const bad = () => new AnnotationError(`${JSON.stringify(value)} is not a date-time like 2025-03-30T12:00:00Z`, "time");
    if (!m) throw bad();
    const year = Number(m[1]), month = Number(m[2]), day = Number(m[3]);
    const hour = Number(m[4]), minute = Number(m[5]), second = Number(m[6]);
    const zone = m[8] || "Z";
    const zh = zone === "Z" ? 0 : Number(zone.slice(1, 3)), zm = zone === "Z" ? 0 : Number(zone.slice(4, 6));
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const monthDays = month === 2 ? (leap ? 29 : 28) : MONTH_DAYS[month - 1];
    if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= monthDays
      && hour <= 23 && minute <= 59 && second <= 59 && zh <= 23 && zm <= 59)) throw bad();
    const offset = (zh * 60 + zm) * 60 * (zone.startsWith("-") ? -1 : 1);
    const nanos = m[7] ? Number((m[7] + "00000000").slice(0, 9)) : 0;
    return [daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset, nanos];
  }

  /**
   * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil):
   * what a Date set to that day says, without making one for each of 1,000 times.
   * @param {number} year @param {number} month @param {number} day
   */
  function daysFromCivil(year, month, day) {
    const y = month <= 2 ? year - 1 : year;
    const era = Math.floor(y / 400);
    const yoe = y - era * 400;
    const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  /** -1, 0 or 1 as the instant `a` is before, at or after `b`. @param {string} a @param {string} b */
  function compareTimes(a, b) {
    const [x, y] = [instant(a), instant(b)];
    return Math.sign(x[0] - y[0]) || Math.sign(x[1] - y[1]);
  }

  /**
   * @typedef {{key: string, label: string}} Term
   * @typedef {{claimTypes: Term[], statuses: Term[], noteLimit: number}} Vocabulary
   * @typedef {{id: string, source: string, exact: string, prefix: string, suffix: string,
   *   start: number, end: number, creator: string, created: string, modified: string,
   *   claimType: string | null, status: string | null, note: string, tags: string[],
   *   motivation: string, orphan: boolean, positioned: boolean,
   *   audience?: string | null, replyTo?: string | null, canonical?: string | null}} Record
   *
   * For a class server (model.Annotation): `audience` is one of AUDIENCES (null: not
   * said); `replyTo` is the IRI a reply answers (its W3C target: `source` is that IRI,
   * `exact` is empty); `canonical` is the IRI the annotation keeps wherever it is copied.
   */

  /** UTC now, as the Python side writes it: 2025-03-30T12:00:00.123Z. */
  function now() {
    return new Date().toISOString();
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
    if (r.replyTo) return "replying";
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
      target: r.replyTo || {
        source: r.source,
        selector: [
          { type: "TextQuoteSelector", exact: r.exact, prefix: r.prefix, suffix: r.suffix },
          // A record that came without a position gets none made up (Annotation.selectors).
          ...(r.positioned === false ? [] : [{ type: "TextPositionSelector", start: r.start, end: r.end }]),
        ],
      },
    };
    if (body.length) data.body = body;
    if (r.audience) data.audience = { type: "schema:Audience", "schema:audienceType": r.audience };
    if (r.canonical) data.canonical = r.canonical;
    return data;
  }

  /** A JSON object (not null, not an array), as Python's dict. @param {any} x */
  const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);

  /** An own property only: JSON's "__proto__" or "toString" keys are data, not the prototype's. @param {any} data @param {string} key */
  const own = (data, key) => (Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined);

  /** @param {any} data @param {string} key */
  function text(data, key) {
    const v = own(data, key);
    if (typeof v !== "string" || !v) throw new AnnotationError(`${key} must be non-empty text`, "missing");
    return v;
  }

  /**
   * data[key], a date-time (absent, null or empty: `fallback`). A value the same as
   * `checked` (already read: most notes are modified when created) is not read again.
   * @param {any} data @param {string} key @param {string} fallback @param {string} [checked]
   */
  function time(data, key, fallback, checked) {
    const v = own(data, key);
    if (v === undefined || v === null || v === "") return fallback;
    if (typeof v !== "string") throw new AnnotationError(`${key} must be date-time text`, "time");
    if (v !== checked) instant(v);
    return v;
  }

  /** @typedef {{claimType: string | null, status: string | null}} Named */
  /** Each vocabulary's tags as looked up: by key or lowercased label. @type {WeakMap<Vocabulary, Map<string, Named>>} */
  const namings = new WeakMap();

  /** The claim type or status a tag names by key or label, case aside, spaces kept. @param {Vocabulary} vocabulary @param {string} value @returns {Named} */
  function vocabularyKey(vocabulary, value) {
    let table = namings.get(vocabulary);
    if (!table) {
      // The first term that matches wins, claim types before statuses.
      table = new Map();
      for (const [list, kind] of /** @type {[Term[], string][]} */ ([[vocabulary.claimTypes, "claimType"], [vocabulary.statuses, "status"]])) {
        for (const x of list) {
          const named = kind === "claimType" ? { claimType: x.key, status: null } : { claimType: null, status: x.key };
          for (const word of [x.key, x.label.toLowerCase()]) if (!table.has(word)) table.set(word, named);
        }
      }
      namings.set(vocabulary, table);
    }
    return table.get(value.toLowerCase()) || { claimType: null, status: null };
  }

  const utf8 = new TextEncoder();
  /** @param {string} s */
  const utf8Length = (s) => utf8.encode(s).length;

  /** Code points in `s` (Array.from(s).length, without the array). @param {string} s */
  function codePoints(s) {
    let n = s.length;
    for (let i = 0; i < s.length - 1; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
      }
    }
    return n;
  }

  /** The note limit handed over with the vocabulary (annotate.model.NOTE_LIMIT). @param {Vocabulary} vocabulary */
  function noteLimit(vocabulary) {
    if (!Number.isInteger(vocabulary.noteLimit)) throw new Error("the vocabulary has no noteLimit");
    return vocabulary.noteLimit;
  }

  /**
   * Parse W3C JSON strictly, like Annotation.from_w3c: the same refusals, with the
   * same AnnotationError codes (tests/fixtures/annotation-cases.json).
   * @param {any} data @param {Vocabulary} vocabulary @returns {Record}
   */
  function fromW3C(data, vocabulary) {
    if (!isObject(data)) throw new AnnotationError("an annotation must be a JSON object", "shape");
    const kinds = own(data, "type");
    if (kinds !== "Annotation" && !(Array.isArray(kinds) && kinds.includes("Annotation"))) {
      throw new AnnotationError(`type is ${JSON.stringify(kinds)}, not 'Annotation'`, "shape");
    }
    const id = text(data, "id");
    if (!isIri(id)) throw new AnnotationError(`id ${JSON.stringify(id)} is not an IRI (e.g. urn:uuid:…)`, "id");
    let target = own(data, "target");
    if (Array.isArray(target) && target.length === 1) target = target[0];
    if (typeof target === "string" && target) {
      // A reply: its target is another annotation's IRI. Every other property is read
      // by the one set of rules, on a stand-in text target (model._reply).
      const stand = fromW3C({ ...data, target: { source: target, selector: { type: "TextQuoteSelector", exact: target } } }, vocabulary);
      return { ...stand, exact: "", start: 0, end: 0, orphan: false, replyTo: target };
    }
    if (!isObject(target)) throw new AnnotationError("target must be an object with source and selector", "shape");
    const source = text(target, "source");
    /** @type {{exact: string, prefix: string, suffix: string} | null} */
    let quote = null;
    /** @type {[number, number] | null} */
    let position = null;
    const rawSelectors = own(target, "selector");
    const selectors = Array.isArray(rawSelectors) ? rawSelectors : [rawSelectors];
    for (const sel of selectors) {
      if (!isObject(sel)) throw new AnnotationError("a selector must be an object", "shape");
      const kind = own(sel, "type");
      if (kind === "TextQuoteSelector") {
        const exact = own(sel, "exact");
        if (typeof exact !== "string" || !exact) throw new AnnotationError("TextQuoteSelector has no exact text", "missing");
        const prefix = own(sel, "prefix") === undefined ? "" : own(sel, "prefix");
        const suffix = own(sel, "suffix") === undefined ? "" : own(sel, "suffix");
        if (typeof prefix !== "string" || typeof suffix !== "string") throw new AnnotationError("prefix and suffix must be text", "shape");
        quote = { exact, prefix, suffix };
      } else if (kind === "TextPositionSelector") {
        const start = own(sel, "start"), end = own(sel, "end");
        if (!Number.isInteger(start) || !Number.isInteger(end)) throw new AnnotationError("TextPositionSelector start and end must be integers", "offset");
        if (start < 0 || end < 0) throw new AnnotationError(`negative offset in ${start}-${end}`, "offset");
        if (start > end) throw new AnnotationError(`start ${start} is after end ${end}`, "offset");
        if (end > Number.MAX_SAFE_INTEGER) throw new AnnotationError(`offset ${end} is too large`, "offset");
        position = [start, end];
      }
    }
    if (!quote) throw new AnnotationError("no TextQuoteSelector with exact text", "missing");
    const quoteLength = codePoints(quote.exact);
    // A position that disagrees with its quote is dropped: anchoring decides.
    if (position && position[1] - position[0] !== quoteLength) position = null;

    let note = "";
    /** @type {string | null} */ let claimType = null;
    /** @type {string | null} */ let status = null;
    /** @type {string[]} */ const tags = [];
    const rawBody = own(data, "body");
    const bodies = rawBody === undefined ? [] : Array.isArray(rawBody) ? rawBody : [rawBody];
    for (const body of bodies) {
      if (typeof body === "string") continue; // a body IRI: nothing of ours in it
      if (!isObject(body)) throw new AnnotationError("a body must be an object", "shape");
      const value = own(body, "value") === undefined ? "" : own(body, "value");
      if (typeof value !== "string") throw new AnnotationError("a body's value must be text", "shape");
      if (own(body, "purpose") === "tagging") {
        const named = vocabularyKey(vocabulary, value);
        if (named.claimType) claimType = named.claimType;
        else if (named.status) status = named.status;
        else tags.push(value);
      } else {
        note = note ? `${note}\n\n${value}` : value;
      }
    }
    const limit = noteLimit(vocabulary);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only a note that long is encoded.
    if (note.length * 3 > limit && utf8Length(note) > limit) throw new AnnotationError(`the note is over ${limit / 1000} KB (${limit} bytes of UTF-8)`, "limit");
    let creator = own(data, "creator") === undefined ? "" : own(data, "creator");
    if (Array.isArray(creator) && creator.length) creator = creator[0];
    const name = isObject(creator) ? (own(creator, "name") === undefined ? "" : own(creator, "name")) : creator;
    if (typeof name !== "string") throw new AnnotationError("creator name must be text", "shape");
    // now() only when needed: a Date for each of 1,000 items that all have a time is waste.
    const created = time(data, "created", "") || now();
    const modified = time(data, "modified", created, created);
    // No position given: none is made up (start = end = 0 marks it, never written).
    const [start, end] = position || [0, 0];
    const motivation = own(data, "motivation");
    return {
      id, source, exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix, start, end,
      creator: name || "unknown", created, modified, claimType, status, note, tags,
      motivation: typeof motivation === "string" ? motivation : "",
      orphan: position === null, positioned: position !== null,
      audience: audienceOf(own(data, "audience")), replyTo: null, canonical: canonicalOf(own(data, "canonical")),
    };
  }

  /** The audience type a note names (model._audience): null when it names none of ours. @param {any} raw */
  function audienceOf(raw) {
    if (Array.isArray(raw) && raw.length === 1) raw = raw[0];
    if (!isObject(raw)) return null;
    let kind = own(raw, "schema:audienceType");
    if (kind === undefined) kind = own(raw, "audienceType");
    if (kind === undefined || kind === null) return null;
    if (!AUDIENCES.includes(kind)) throw new AnnotationError(`unknown audience type ${JSON.stringify(kind)}; known: ${AUDIENCES.join(", ")}`, "shape");
    return kind;
  }

  /** @param {any} value */
  function canonicalOf(value) {
    if (value === undefined || value === null) return null;
    if (typeof value !== "string" || !value) throw new AnnotationError("canonical must be an IRI", "shape");
    return value;
  }

  /** A Hypothesis row, as W3C JSON (hypothesis_rows.from_hypothesis). @param {any} row */
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
    /** @type {object[]} */
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

  /**
   * The deepest nesting of arrays and objects in parsed JSON, level by level, as
   * exchange._depth counts it (no recursion; counting stops past MAX_DEPTH).
   * @param {any} data
   */
  function depth(data) {
    let level = data !== null && typeof data === "object" ? [data] : [];
    let d = 0;
    while (level.length && d <= MAX_DEPTH) {
      d++;
      const next = [];
      for (const node of level) {
        for (const v of Array.isArray(node) ? node : Object.values(node)) {
          if (v !== null && typeof v === "object") next.push(v);
        }
      }
      level = next;
    }
    return d;
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

  /** A Hypothesis page note: on a whole page, quoting none of its words (hypothesis_rows.is_page_note). @param {any} item */
  function isPageNote(item) {
    if (!isHypothesis(item) || (Array.isArray(item.references) ? item.references.length : item.references)) return false;
    const target = item.target;
    if (!Array.isArray(target) || target.length !== 1 || !isObject(target[0])) return false;
    const selector = own(target[0], "selector") === undefined ? [] : target[0].selector;
    const selectors = Array.isArray(selector) ? selector : [selector];
    return !selectors.some((s) => isObject(s) && s.type === "TextQuoteSelector");
  }

  /**
   * Every annotation in a JSON document in any format the kit reads; throws an
   * Error whose message says what is wrong (and at which item) if any is bad.
   * With `leftOut`, Hypothesis page notes (and replies to them) are named in it and
   * left out instead (exchange.read_annotations's left_out).
   * @param {string} source @param {Vocabulary} vocabulary @param {string[]} [leftOut] @returns {Record[]}
   */
  function parseDocument(source, vocabulary, leftOut) {
    if (source.length > MAX_BYTES) throw new Error("is larger than 256 MB");
    if (!source.trim()) throw new Error("is empty");
    const tooDeep = `JSON is nested deeper than ${MAX_DEPTH} levels`;
    // Parsed first, then measured (as exchange.read_annotations does): one walk over the
    // parsed items costs a fraction of a scan of every character of the file.
    let data;
    try {
      data = JSON.parse(source);
    } catch (err) {
      // A parser that recurses gives up far deeper than the limit (Python's RecursionError).
      if (err instanceof RangeError) throw new Error(tooDeep);
      throw new Error(`is not JSON (${err instanceof Error ? err.message : err})`);
    }
    if (depth(data) > MAX_DEPTH) throw new Error(tooDeep);
    /** @type {Set<string>} */
    const pageNotes = new Set();
    /** @type {Record[]} */
    const out = [];
    items(data).forEach((item, n) => {
      const id = isObject(item) && typeof own(item, "id") === "string" ? ` (${item.id})` : "";
      if (leftOut && isPageNote(item)) {
        leftOut.push(`item ${n + 1}${id}`);
        pageNotes.add(`urn:hypothesis:${item.id}`);
        return;
      }
      try {
        out.push(fromW3C(isHypothesis(item) ? fromHypothesis(item) : item, vocabulary));
      } catch (err) {
        throw new AnnotationError(`item ${n + 1}${id}: ${err instanceof Error ? err.message : err}`,
          err instanceof AnnotationError ? err.code : "shape");
      }
    });
    if (!leftOut || !pageNotes.size) return out;
    // A reply to a page note left out would answer nothing here.
    for (const r of out) if (r.replyTo && pageNotes.has(r.replyTo)) leftOut.push(`a reply (${r.id})`);
    return out.filter((r) => !(r.replyTo && pageNotes.has(r.replyTo)));
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

  return {
    CONTEXT, ERROR_CODES, AUDIENCES, AnnotationError, now, newId, isIri, instant, compareTimes,
    toW3C, fromW3C, parseDocument, collection,
  };
})();

if (typeof window !== "undefined") {
  /** @type {any} */ (window).AnnotateModel = AnnotateModel;
}
