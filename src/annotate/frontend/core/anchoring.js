// @ts-check
/**
 * Anchoring in the browser: the rules of annotate/anchoring.py and
 * annotate/neighbourhood.py, line for line.
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
  const QUOTE_MIN = 0.75;
  const CONTEXT_MIN = 0.5;
  const MARGIN = 0.1;
  const MAX_EDITS = 1;
  const SLACK = 16;
  const REACH = 128;
  const LOSE = 8, OPEN = 2, ADD = 1;
  // A word: letters and digits (Python's [^\W_]), punctuation and typography aside.
  const WORD = /[\p{L}\p{N}]+/gu;
  const WORD_CHAR = /^[\p{L}\p{N}]$/u;

  /**
   * @typedef {{type: "TextQuoteSelector", exact: string, prefix?: string, suffix?: string}} QuoteSelector
   * @typedef {{type: "TextPositionSelector", start: number, end: number}} PositionSelector
   * @typedef {{start: number, end: number, how: "exact" | "moved" | "fuzzy"}} Located
   */

  /** @param {string[]} cps @param {number} a @param {number} b */
  const join = (cps, a, b) => cps.slice(Math.max(0, a), Math.max(0, b)).join("");

  /** The last text split into code points: placing 1,000 highlights splits the same page 2,000 times. */
  let split = { text: "", cps: /** @type {readonly string[]} */ ([]) };
  /** `text` as code points, shared: read it, never change it. @param {string} text @returns {string[]} */
  function codePoints(text) {
    if (split.text !== text) split = { text, cps: Array.from(text) };
    return /** @type {string[]} */ (split.cps);
  }

  /**
   * The selectors for text[start:end], offsets in code points.
   * @param {string} text @param {number} start @param {number} end
   */
  function describe(text, start, end) {
    const cps = codePoints(text);
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

  /** Words of a string: letters and digits only. @param {string} text */
  const words = (text) => text.match(WORD) || [];

  /** Whether `part` is `whole` with some characters left out. @param {string} part @param {string} whole */
  function within(part, whole) {
    const rest = Array.from(whole);
    let k = 0;
    for (const ch of part) {
      while (k < rest.length && rest[k] !== ch) k++;
      if (k === rest.length) return false;
      k++;
    }
    return true;
  }

  /**
   * @typedef {{outer: number, edits: number, quoteEdits: number, inserted: boolean, kept: boolean}} Alignment
   * @typedef {[string, number, number]} Op
   */

  /**
   * Sum up an alignment (_summary in Python); an end that is not free counts as kept.
   * @param {Op[]} ops @param {string[]} old @param {string[]} neu @param {number | null} far
   * @returns {Alignment}
   */
  function summary(ops, old, neu, far) {
    let outer = 0, edits = 0, quoteEdits = 0, inserted = false, kept = false, seen = far !== 0;
    /** @type {string[]} */ let lost = [];
    /** @type {string[]} */ let added = [];
    const close = () => {
      if (lost.length) {
        const damaged = within(added.join(""), lost.join(""));
        edits += damaged && added.length ? 1 : lost.length;
        quoteEdits += damaged || lost.length <= 2 ? 1 : lost.length;
      }
      inserted = inserted || added.length > lost.length + 1;
    };
    for (const [op, i, j] of ops) {
      if (op === "k") {
        if (seen) close();
        else if (far === 0) outer = lost.length;
        lost = []; added = []; seen = true; kept = true;
      } else if (op === "l") lost.push(old[i]);
      else added.push(neu[j]);
    }
    if (!kept) {
      outer = far !== null ? lost.length : 0;
      if (far === null) close();
    } else if (far === -1) outer = lost.length;
    else close();
    return { outer, edits, quoteEdits, inserted, kept };
  }

  /**
   * The `old` words aligned in order with `neu` (_kept in Python, same costs, same
   * walk back, so both languages count the same edits).
   * @param {string[]} old @param {string[]} neu @param {number | null} far @param {boolean} piece
   * @returns {Alignment}
   */
  function alignWords(old, neu, far, piece) {
    let head = 0, tail = 0;
    while (head < old.length && head < neu.length && far !== 0 && old[head] === neu[head]) head++;
    if (piece && far === -1) head = Math.min(head, old.length - 1);
    while (tail < old.length - head && tail < neu.length - head && far !== -1 && old[old.length - 1 - tail] === neu[neu.length - 1 - tail]) tail++;
    if (piece && far === 0) tail = Math.min(tail, old.length - head - 1);
    const inner = old.slice(head, old.length - tail);
    const wds = neu.slice(head, neu.length - tail);
    const m = inner.length, n = wds.length;
    const atPiece = piece ? (far === 0 ? 0 : m - 1) : -1;
    /** @param {number} i @param {string} word */
    const same = (i, word) => (i !== atPiece ? inner[i] === word : far === 0 ? word.endsWith(inner[i]) : word.startsWith(inner[i]));
    const inf = 1 << 30;
    const kept = Array.from({ length: m + 1 }, () => new Array(n + 1).fill(inf));
    const lost = Array.from({ length: m + 1 }, () => new Array(n + 1).fill(inf));
    for (let j = 0; j <= n; j++) kept[0][j] = far === 0 ? 0 : j * ADD;
    for (let i = 1; i <= m; i++) {
      lost[i][0] = OPEN + i * LOSE;
      for (let j = 1; j <= n; j++) {
        let k = kept[i][j - 1] + ADD;
        if (same(i - 1, wds[j - 1])) k = Math.min(k, kept[i - 1][j - 1], lost[i - 1][j - 1]);
        kept[i][j] = k;
        lost[i][j] = Math.min(
          Math.min(lost[i - 1][j - 1], lost[i - 1][j]) + LOSE,
          Math.min(kept[i - 1][j - 1], kept[i - 1][j]) + OPEN + LOSE,
          lost[i][j - 1] + ADD,
        );
      }
    }
    let j = n;
    if (far === -1) {
      for (let c = n; c >= 0; c--) if (Math.min(kept[m][c], lost[m][c]) <= Math.min(kept[m][j], lost[m][j])) j = c;
    }
    let i = m, inLost = lost[m][j] < kept[m][j];
    /** @type {Op[]} */ const ops = [];
    while (i > 0) {
      if (!inLost) {
        if (j > 0 && same(i - 1, wds[j - 1]) && kept[i][j] === Math.min(kept[i - 1][j - 1], lost[i - 1][j - 1])) {
          ops.push(["k", head + i - 1, head + j - 1]);
          inLost = lost[i - 1][j - 1] < kept[i - 1][j - 1];
          i--; j--;
        } else {
          ops.push(["a", -1, head + j - 1]);
          j--;
        }
        continue;
      }
      const here = lost[i][j];
      if (j > 0 && here === lost[i - 1][j - 1] + LOSE) {
        ops.push(["a", -1, head + j - 1], ["l", head + i - 1, -1]); i--; j--;
      } else if (j > 0 && here === kept[i - 1][j - 1] + OPEN + LOSE) {
        ops.push(["a", -1, head + j - 1], ["l", head + i - 1, -1]); i--; j--; inLost = false;
      } else if (here === lost[i - 1][j] + LOSE) {
        ops.push(["l", head + i - 1, -1]); i--;
      } else if (here === kept[i - 1][j] + OPEN + LOSE) {
        ops.push(["l", head + i - 1, -1]); i--; inLost = false;
      } else {
        ops.push(["a", -1, head + j - 1]); j--;
      }
    }
    if (far !== 0) for (let k = j - 1; k >= 0; k--) ops.push(["a", -1, head + k]);
    /** @type {Op[]} */ const all = [];
    for (let k = 0; k < head; k++) all.push(["k", k, k]);
    for (let k = ops.length - 1; k >= 0; k--) all.push(ops[k]);
    for (let k = 0; k < tail; k++) all.push(["k", old.length - tail + k, neu.length - tail + k]);
    return summary(all, old, neu, far);
  }

  /**
   * The stored context's words aligned with the text beside the candidate.
   * @param {string[]} stored @param {string[]} near @param {number} far
   */
  function side(stored, near, far) {
    let old = words(stored.join(""));
    let piece = stored.length >= CONTEXT_CHARS && old.length > 0 && WORD_CHAR.test(stored[far === 0 ? 0 : stored.length - 1]);
    if (piece && Array.from(old[far === 0 ? 0 : old.length - 1]).length < 3) {
      old = far === 0 ? old.slice(1) : old.slice(0, -1);
      piece = false;
    }
    const reach = stored.length + SLACK;
    let found = alignWords(old, words((far === 0 ? near.slice(Math.max(0, near.length - reach)) : near.slice(0, reach)).join("")), far, piece);
    const outer = found.outer;
    if (outer && near.length > reach) {
      const all = words(near.join(""));
      const gone = far === 0 ? old.slice(0, outer) : old.slice(old.length - outer);
      if ((piece && gone.length === 1) || gone.some((w) => all.includes(w))) found = alignWords(old, all, far, piece);
    }
    return found;
  }

  /**
   * Whether the stored context is intact up to where the text, too, breaks off: a
   * paragraph break in both, or the text's edge (_at_break in Python).
   * @param {string[]} stored @param {string[]} near @param {number} far
   */
  function atBreak(stored, near, far) {
    const s = far === 0 ? stored.slice().reverse() : stored;
    const t = far === 0 ? near.slice().reverse() : near;
    let same = 0;
    while (same < Math.min(s.length, t.length) && s[same] === t[same]) same++;
    const brk = s.indexOf("\n");
    return (brk >= 0 && brk <= same && (same > brk || t.length === brk)) || !t.slice(same).join("").trim();
  }

  /** @param {string[]} a @param {string[]} b */
  const same = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);

  /**
   * Whether cps[start:end] with its surroundings is the passage, not a look-alike
   * (_agrees in Python: the same word-by-word comparison, the same limits).
   * @param {string[]} cps @param {number} start @param {number} end
   * @param {string[]} prefix @param {string[]} exact @param {string[]} suffix
   */
  function agrees(cps, start, end, prefix, exact, suffix) {
    const found = cps.slice(start, end);
    const before = cps.slice(Math.max(0, start - prefix.length - REACH), start);
    const after = cps.slice(end, end + suffix.length + REACH);
    let edits = 0, disturbed = false;
    if (!same(found, exact)) {
      const quote = alignWords(words(exact.join("")), words(found.join("")), null, false);
      edits = quote.quoteEdits; disturbed = quote.inserted;
    }
    for (const [stored, near, far] of /** @type {Array<[string[], string[], number]>} */ ([[prefix, before, 0], [suffix, after, -1]])) {
      const intact = far === 0 ? same(near.slice(near.length - stored.length), stored) : same(near.slice(0, stored.length), stored);
      if (intact && near.length >= stored.length) continue;
      const s = side(stored, near, far);
      if (s.outer > 1 && !atBreak(stored, near, far)) return false;
      edits += s.edits + Number(s.outer === 1);
      disturbed = disturbed || s.inserted || s.outer > 1 || !s.kept;
    }
    return edits === 0 || (edits <= MAX_EDITS && !disturbed);
  }

  /**
   * Whether the words around cps[start:] support the quote there.
   * @param {string[]} cps @param {number} start @param {string[]} prefix @param {string[]} exact @param {string[]} suffix
   */
  function supported(cps, start, prefix, exact, suffix) {
    const end = start + exact.length;
    if (same(cps.slice(Math.max(0, start - prefix.length), start), prefix) && same(cps.slice(end, end + suffix.length), suffix)) return true;
    return context(cps, start, end, prefix, suffix) >= CONTEXT_MIN && agrees(cps, start, end, prefix, exact, suffix);
  }

  /**
   * @param {string[]} cps @param {string[]} exact @param {string[]} prefix
   * @param {string[]} suffix @param {number | null} hint
   */
  function exactMatch(cps, exact, prefix, suffix, hint) {
    const starts = occurrences(cps, exact);
    if (!starts.length) return null;
    const all = starts
      .map((s) => ({ score: context(cps, s, s + exact.length, prefix, suffix), s }))
      .sort((x, y) => y.score - x.score || y.s - x.s);
    // Occurrences whose surroundings do not agree are look-alikes, left out.
    /** @type {Map<string, boolean>} */ const checked = new Map();
    const scored = [];
    for (const x of all) {
      if (scored.length > 1 && x.score < scored[0].score) break;
      if (x.score >= CONTEXT_MIN) {
        const lo = Math.max(0, x.s - prefix.length - REACH);
        const key = `${x.s - lo}:${join(cps, lo, x.s + exact.length + suffix.length + REACH)}`;
        if (!checked.has(key)) checked.set(key, agrees(cps, x.s, x.s + exact.length, prefix, exact, suffix));
        if (!checked.get(key)) continue;
      }
      scored.push(x);
    }
    if (!scored.length) return null;
    const best = scored[0];
    if (scored.length === 1) return best.score >= CONTEXT_MIN ? best.s : null;
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
    if (!agrees(cps, start, end, prefix, exact, suffix)) return null;
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
    const cps = codePoints(text);
    const exact = Array.from(quote.exact);
    const prefix = Array.from(quote.prefix || "");
    const suffix = Array.from(quote.suffix || "");
    const pos = /** @type {PositionSelector | undefined} */ (selectors.find((s) => s.type === "TextPositionSelector"));
    const hint = pos ? pos.start : null;
    // The old position counts only while the words around it still match.
    if (pos && join(cps, pos.start, pos.end) === quote.exact && pos.end - pos.start === exact.length) {
      if (supported(cps, pos.start, prefix, exact, suffix)) return { start: pos.start, end: pos.end, how: "exact" };
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
   * Whether `record` is where it says, its words and context intact, compared as
   * strings: what place() concludes ("anchored", the record as it is) without
   * splitting anything, for a text with no code point outside the BMP (where code
   * points and UTF-16 units count alike). Any doubt is left to place().
   * @param {Placeable} record @param {string} text @param {string} src
   */
  function inPlace(record, text, src) {
    if (record.orphan || record.positioned === false || record.source !== src || !record.exact) return false;
    if (codePoints(text).length !== text.length) return false;
    const { start, end, exact, prefix, suffix } = record;
    return end - start === exact.length && text.slice(start, end) === exact
      && text.slice(Math.max(0, start - prefix.length), start) === prefix
      && text.slice(end, end + suffix.length) === suffix;
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
    if (inPlace(record, text, src)) return { record, outcome: "anchored" };
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
      const cps = codePoints(text);
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
