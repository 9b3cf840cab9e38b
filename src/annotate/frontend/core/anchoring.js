// @ts-check
/**
 * Anchoring in the browser: the rules of annotate/anchoring.py, line for line.
 *
 * Positions count code points (W3C §4.2.4), so the text is first split into code
 * points and everything below works on those arrays. Order: the position while
 * its words still equal the quote; the exact quote told apart from its other
 * occurrences by prefix/suffix; an approximate match (the text was edited); else
 * null, an orphan. Every candidate must clear the same thresholds as in Python,
 * so a note never lands on look-alike words. tests/fixtures/anchoring-cases.json
 * holds the cases both implementations must agree on.
 *
 * A classic script (the book is read from file://, where modules are refused).
 */
/* exported AnnotateAnchoring */
var AnnotateAnchoring = (function () {
  "use strict";

  const CONTEXT_CHARS = 32;
  const LONG_QUOTE = 16;
  const QUOTE_MIN = 0.75;
  const CONTEXT_MIN = 0.5;
  const MARGIN = 0.1;

  /**
   * @typedef {{type: "TextQuoteSelector", exact: string, prefix?: string, suffix?: string}} QuoteSelector
   * @typedef {{type: "TextPositionSelector", start: number, end: number}} PositionSelector
   * @typedef {{start: number, end: number, how: "exact" | "moved" | "fuzzy"}} Located
   */

  /** @param {string[]} cps @param {number} a @param {number} b */
  const join = (cps, a, b) => cps.slice(Math.max(0, a), Math.max(0, b)).join("");

  /**
   * The selectors for text[start:end], offsets in code points.
   * @param {string} text @param {number} start @param {number} end
   */
  function describe(text, start, end) {
    const cps = Array.from(text);
    if (!(0 <= start && start < end && end <= cps.length)) {
      throw new RangeError(`span ${start}-${end} is outside the text (0-${cps.length})`);
    }
    return [
      {
        type: "TextQuoteSelector",
        exact: join(cps, start, end),
        prefix: join(cps, start - CONTEXT_CHARS, start),
        suffix: join(cps, end, end + CONTEXT_CHARS),
      },
      { type: "TextPositionSelector", start, end },
    ];
  }

  /**
   * Levenshtein distance of two code-point arrays (two rows of memory).
   * @param {string[]} a @param {string[]} b
   */
  function distance(a, b) {
    if (a.length < b.length) [a, b] = [b, a];
    let prev = new Int32Array(b.length + 1);
    let cur = new Int32Array(b.length + 1);
    for (let j = 0; j <= b.length; j++) prev[j] = j;
    for (let i = 1; i <= a.length; i++) {
      cur[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
        cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
      }
      [prev, cur] = [cur, prev];
    }
    return prev[b.length];
  }

  /** rapidfuzz's Levenshtein.normalized_similarity. @param {string[]} a @param {string[]} b */
  function similarity(a, b) {
    const longest = Math.max(a.length, b.length);
    return longest === 0 ? 1 : 1 - distance(a, b) / longest;
  }

  /**
   * How well the words around cps[start:end] match the stored context.
   * @param {string[]} cps @param {number} start @param {number} end
   * @param {string[]} prefix @param {string[]} suffix
   */
  function context(cps, start, end, prefix, suffix) {
    const before = prefix.length
      ? similarity(prefix, cps.slice(Math.max(0, start - prefix.length), start))
      : Number(start === 0);
    const after = suffix.length
      ? similarity(suffix, cps.slice(end, end + suffix.length))
      : Number(end === cps.length);
    return (before + after) / 2;
  }

  /** Start of every occurrence of `exact` in `cps`. @param {string[]} cps @param {string[]} exact */
  function occurrences(cps, exact) {
    const out = [];
    outer: for (let s = 0; s + exact.length <= cps.length; s++) {
      for (let k = 0; k < exact.length; k++) if (cps[s + k] !== exact[k]) continue outer;
      out.push(s);
    }
    return out;
  }

  /**
   * @param {string[]} cps @param {string[]} exact @param {string[]} prefix
   * @param {string[]} suffix @param {number | null} hint
   */
  function exactMatch(cps, exact, prefix, suffix, hint) {
    const starts = occurrences(cps, exact);
    if (!starts.length) return null;
    const scored = starts
      .map((s) => ({ score: context(cps, s, s + exact.length, prefix, suffix), s }))
      .sort((x, y) => y.score - x.score || y.s - x.s);
    const best = scored[0];
    if (starts.length === 1) return best.score >= CONTEXT_MIN ? best.s : null;
    const runnerUp = scored[1].score;
    if (best.score >= CONTEXT_MIN && best.score - runnerUp >= MARGIN) return best.s;
    if (best.score >= CONTEXT_MIN && best.score === runnerUp && hint !== null) {
      const tied = scored.filter((x) => x.score === best.score).map((x) => x.s);
      return tied.reduce((a, b) => (Math.abs(b - hint) < Math.abs(a - hint) ? b : a));
    }
    return null;
  }

  /**
   * Semi-global alignment: the stretch of `cps` closest (in edits) to `needle`,
   * and for each needle boundary the text positions the best path passes.
   * @param {string[]} needle @param {string[]} cps
   */
  function align(needle, cps) {
    const m = needle.length;
    // Pass 1, two rows: where the best stretch ends.
    let prev = new Int32Array(cps.length + 1);
    let cur = new Int32Array(cps.length + 1);
    for (let i = 1; i <= m; i++) {
      cur[0] = i;
      for (let j = 1; j <= cps.length; j++) {
        cur[j] = Math.min(prev[j - 1] + (needle[i - 1] === cps[j - 1] ? 0 : 1), prev[j] + 1, cur[j - 1] + 1);
      }
      [prev, cur] = [cur, prev];
    }
    let endAt = 0;
    for (let j = 1; j <= cps.length; j++) if (prev[j] < prev[endAt]) endAt = j;
    // Pass 2, full table over a window that must hold the whole stretch.
    const lo = Math.max(0, endAt - 2 * m - 1);
    const win = cps.slice(lo, endAt);
    const w = win.length;
    const table = new Int32Array((m + 1) * (w + 1));
    const at = (/** @type {number} */ i, /** @type {number} */ j) => i * (w + 1) + j;
    for (let i = 1; i <= m; i++) {
      table[at(i, 0)] = i;
      for (let j = 1; j <= w; j++) {
        table[at(i, j)] = Math.min(
          table[at(i - 1, j - 1)] + (needle[i - 1] === win[j - 1] ? 0 : 1),
          table[at(i - 1, j)] + 1,
          table[at(i, j - 1)] + 1,
        );
      }
    }
    // Walk back; first[i]/last[i]: the smallest/largest text column on row i.
    const first = new Int32Array(m + 1).fill(-1);
    const last = new Int32Array(m + 1).fill(-1);
    let i = m, j = w;
    const visit = () => {
      if (last[i] < 0) last[i] = j;
      first[i] = j;
    };
    visit();
    while (i > 0) {
      const here = table[at(i, j)];
      if (j > 0 && here === table[at(i - 1, j - 1)] + (needle[i - 1] === win[j - 1] ? 0 : 1)) { i--; j--; }
      else if (here === table[at(i - 1, j)] + 1) i--;
      else j--;
      visit();
    }
    return { lo, first, last };
  }

  /**
   * Edited words: align the quote with its context, carry the quote's ends over.
   * @param {string[]} cps @param {string[]} exact @param {string[]} prefix @param {string[]} suffix
   * @returns {Located | null}
   */
  function fuzzy(cps, exact, prefix, suffix) {
    if (!cps.length) return null;
    const needle = prefix.concat(exact, suffix);
    const { lo, first, last } = align(needle, cps);
    // A start attaches to the character after it, an end to the one before,
    // so words inserted at a boundary stay outside the span.
    let start = lo + last[prefix.length];
    let end = lo + first[prefix.length + exact.length];
    while (start < end && /\s/.test(cps[start])) start++;
    while (end > start && /\s/.test(cps[end - 1])) end--;
    if (end <= start || similarity(exact, cps.slice(start, end)) < QUOTE_MIN) return null;
    if (context(cps, start, end, prefix, suffix) < CONTEXT_MIN) return null;
    return { start, end, how: "fuzzy" };
  }

  /**
   * Where the selectors' words are now in `text`, or null (an orphan).
   * @param {string} text @param {Array<QuoteSelector | PositionSelector | {type: string}>} selectors
   * @returns {Located | null}
   */
  function locate(text, selectors) {
    const quote = /** @type {QuoteSelector | undefined} */ (selectors.find((s) => s.type === "TextQuoteSelector"));
    if (!quote || !quote.exact) return null;
    const cps = Array.from(text);
    const exact = Array.from(quote.exact);
    const prefix = Array.from(quote.prefix || "");
    const suffix = Array.from(quote.suffix || "");
    const pos = /** @type {PositionSelector | undefined} */ (selectors.find((s) => s.type === "TextPositionSelector"));
    const hint = pos ? pos.start : null;
    if (pos && join(cps, pos.start, pos.end) === quote.exact && pos.end - pos.start === exact.length) {
      if (exact.length >= LONG_QUOTE || context(cps, pos.start, pos.end, prefix, suffix) >= CONTEXT_MIN) {
        return { start: pos.start, end: pos.end, how: "exact" };
      }
    }
    const found = exactMatch(cps, exact, prefix, suffix, hint);
    if (found !== null) return { start: found, end: found + exact.length, how: found === hint ? "exact" : "moved" };
    return fuzzy(cps, exact, prefix, suffix);
  }

  // ---- Placing a record on the current text: annotate/placement.py, rule for rule.

  /**
   * @typedef {{source: string, exact: string, prefix: string, suffix: string,
   *   start: number, end: number, orphan: boolean, positioned?: boolean}} Placeable
   * @typedef {"anchored" | "moved" | "orphaned"} Outcome
   */

  /**
   * `record` moved to text[start:end] (code points): selectors described anew, not an
   * orphan; every other field kept (moving is not an edit). Annotation.at in Python.
   * @template {Placeable} R
   * @param {R} record @param {string} text @param {number} start @param {number} end
   * @returns {R}
   */
  function at(record, text, start, end) {
    const quote = describe(text, start, end)[0]; // a span outside the text throws
    return { ...record, start, end, exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix, orphan: false, positioned: true };
  }

  /**
   * Anchor `record` in `text` (whose source IRI is `source`, default: the record's), as
   * placement.place does: the same record back when it is where it says, with its
   * context ("anchored"); described anew where it was found ("moved"); else an orphan
   * that keeps its selectors and is never given a made-up position ("orphaned").
   * @template {Placeable} R
   * @param {R} record @param {string} text @param {string} [source]
   * @returns {{record: R, outcome: Outcome}}
   */
  function place(record, text, source) {
    const src = source === undefined ? record.source : source;
    /** @type {Array<QuoteSelector | PositionSelector>} */
    const selectors = [{ type: "TextQuoteSelector", exact: record.exact, prefix: record.prefix, suffix: record.suffix }];
    // No position when the record came without one (Annotation.selectors).
    if (record.positioned !== false) selectors.push({ type: "TextPositionSelector", start: record.start, end: record.end });
    const found = locate(text, selectors);
    if (!found) {
      return { record: record.orphan && record.source === src ? record : { ...record, orphan: true, source: src }, outcome: "orphaned" };
    }
    const same = found.how === "exact" && found.start === record.start && found.end === record.end;
    if (same && !record.orphan && record.source === src) {
      const cps = Array.from(text);
      const before = join(cps, Math.max(0, record.start - Array.from(record.prefix).length), record.start);
      const after = join(cps, record.end, record.end + Array.from(record.suffix).length);
      if (before === record.prefix && after === record.suffix) return { record, outcome: "anchored" };
    }
    const moved = at(record, text, found.start, found.end);
    return { record: moved.source === src ? moved : { ...moved, source: src }, outcome: same ? "anchored" : "moved" };
  }

  return {
    CONTEXT_CHARS, describe, locate, place, at,
    similarity: (/** @type {string} */ a, /** @type {string} */ b) => similarity(Array.from(a), Array.from(b)),
  };
})();

if (typeof window !== "undefined") {
  /** @type {any} */ (window).AnnotateAnchoring = AnnotateAnchoring;
}
