// @ts-check
/**
 * The class report's front end: the article under a heatmap of how many students
 * highlighted each passage (or, in Agreement mode, of how alike the class labelled
 * each sentence), filters by claim type, status and student, the notes under each
 * paragraph, the summary tables, each student's scores against the editor's claims
 * and the contested passages.
 *
 * One module serves both surfaces: report.html inlines it (and it draws the data
 * the page holds in #annotate-report-data), and the Jupyter ClassView loads it as
 * its anywidget module (`export default { render }`). The data is built by
 * annotate/classroom/report_data.py; student text only ever reaches the page through
 * `textContent` (or a text node), never as markup.
 */

/**
 * @typedef {{key: string, label: string, definition: string, colour: string,
 *   underline: string, symbol: string}} ClaimType
 * @typedef {{key: string, label: string, definition: string, symbol: string}} Status
 * @typedef {{kind: string, start: number, end: number}} Block
 * @typedef {{student: number, claimType: string | null, status: string | null,
 *   start: number, end: number, exact: string, note: string, tags: string[],
 *   orphan: boolean, block: number, created: string}} Note
 * @typedef {{start: number, end: number, text: string, students: number}} Passage
 * @typedef {{id: string, type: string, start: number, end: number, text: string,
 *   students: number, types: Record<string, number>}} EditorClaim
 * @typedef {{start: number, end: number, students: number, labels: Record<string, number>,
 *   entropy: number | null, alpha: number | null, alphaNote: string}} Sentence
 * @typedef {{label: string, students: number, notes: number[]}} Side
 * @typedef {{start: number, end: number, text: string, students: number,
 *   entropy: number | null, alpha: number | null, sides: Side[]}} Contested
 * @typedef {{source: string, name: string, title: string, text: string | null,
 *   blocks: Block[], editorClaims: EditorClaim[], notes: Note[],
 *   top: Record<string, Passage[]>, sentences: Sentence[], contested: Contested[]}} Chapter
 * @typedef {{student: number, claims: number, found: number, highlights: number,
 *   onClaim: number, sameType: number, precision: number | null, recall: number | null,
 *   f1: number | null, kappa: number | null, kappaNote: string,
 *   typeAgreement: number | null, feedback: string}} StudentScore
 * @typedef {{matchRule: string, alphaRule: string, byStudent: StudentScore[]}} Agreement
 * @typedef {{students: number, annotations: number, withNotes: number,
 *   orphaned: number, chapters: number}} Totals
 * @typedef {{student: number, counts: Record<string, number>, total: number}} StudentRow
 * @typedef {{title: string, students: string[], anonymized: boolean,
 *   vocabulary: {claimTypes: ClaimType[], statuses: Status[]}, totals: Totals,
 *   byStudent: StudentRow[], chapters: Chapter[], agreement: Agreement}} ReportData
 * @typedef {{types: Set<string>, statuses: Set<string>, student: number,
 *   editor: boolean, mode: "count" | "agreement"}} Filters
 */

/** The key of "no claim type" / "no status" in the filters and counts. */
const NONE = "none";
/** Shades of the heatmap; the legend says which counts each one stands for. */
const LEVELS = 5;
/** Notes shown under a paragraph before "Show all". */
const NOTES_SHOWN = 3;
/** Agreement shades: [lowest alpha of the band, its name]; below the first, "split". */
const AGREEMENT_BANDS = /** @type {[number, string][]} */ ([
  [2 / 3, "agree (α ≥ 0.67)"],
  [1 / 3, "partly (0.33–0.67)"],
  [0, "barely (0–0.33)"],
  [-Infinity, "split (α < 0)"],
]);

/**
 * A figure for the reader: two decimals, or "undefined" (never NaN).
 * @param {number | null} x
 */
function figure(x) {
  return x === null || !Number.isFinite(x) ? "undefined" : x.toFixed(2);
}

/** @param {number | null} x */
function percent(x) {
  return x === null || !Number.isFinite(x) ? "undefined" : `${Math.round(x * 100)}%`;
}

/**
 * The agreement shade of an alpha: 4 (agree) … 1 (split); 0 when undefined.
 * @param {number | null} alpha
 */
function agreementLevel(alpha) {
  if (alpha === null) return 0;
  return AGREEMENT_BANDS.length - AGREEMENT_BANDS.findIndex(([low]) => alpha >= low);
}

/**
 * An element with attributes and, optionally, text (always as textContent).
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
 * Words in curly quotes, unless they already open with a quotation mark.
 * @param {string} words
 */
function quoted(words) {
  return /^["“‘']/.test(words) ? words : `“${words}”`;
}

/** @param {number} n @param {string} one @param {string} [many] */
function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || one + "s"}`;
}

/**
 * How many distinct students cover each code point of a text of `length`.
 * A student's overlapping highlights count once.
 * @param {number} length @param {Note[]} notes @returns {Int32Array}
 */
export function heat(length, notes) {
  const diff = new Int32Array(length + 1);
  /** @type {Map<number, number[][]>} */
  const byStudent = new Map();
  for (const n of notes) {
    const s = Math.max(0, n.start);
    const e = Math.min(length, n.end);
    if (n.orphan || e <= s) continue;
    const spans = byStudent.get(n.student);
    if (spans) spans.push([s, e]);
    else byStudent.set(n.student, [[s, e]]);
  }
  for (const spans of byStudent.values()) {
    spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let [lo, hi] = spans[0];
    for (const [s, e] of spans) {
      if (s <= hi) {
        hi = Math.max(hi, e);
        continue;
      }
      diff[lo]++;
      diff[hi]--;
      lo = s;
      hi = e;
    }
    diff[lo]++;
    diff[hi]--;
  }
  const counts = new Int32Array(length);
  let c = 0;
  for (let i = 0; i < length; i++) {
    c += diff[i];
    counts[i] = c;
  }
  return counts;
}

/**
 * The shade for `count` when the hottest passage has `max`: one shade per count
 * while there are few, so one student's marks stay light; else scaled to `max`.
 * @param {number} count @param {number} max
 */
function level(count, max) {
  return max <= LEVELS ? count : Math.max(1, Math.ceil((count / max) * LEVELS));
}

/**
 * A chip naming a claim type by its symbol and label (colour is a third cue).
 * @param {ClaimType | undefined} type
 */
function typeChip(type) {
  const chip = el("span", { class: "annotate-report-chip" });
  if (!type) {
    chip.classList.add("annotate-report-chip--none");
    chip.textContent = "No type";
    return chip;
  }
  chip.style.setProperty("--annotate-colour", type.colour);
  chip.append(el("b", { "aria-hidden": "true" }, type.symbol), ` ${type.label}`);
  return chip;
}

/**
 * `table` in a box that scrolls sideways on a narrow screen. The table is a stop in
 * the tab order (named by a caption that repeats the section's heading), so keyboard
 * users can scroll its box with the arrow keys.
 * @param {HTMLElement} table @param {HTMLElement} section
 */
function scroller(table, section) {
  const caption = el("caption", { class: "annotate-report-sr-only" },
    section.querySelector("h2")?.textContent || "");
  table.prepend(caption);
  table.setAttribute("tabindex", "0");
  const box = el("div", { class: "annotate-report-scroll" });
  box.append(table);
  return box;
}

/**
 * Draw `data` into `host`; returns a cleanup function.
 * @param {HTMLElement} host @param {ReportData} data @returns {() => void}
 */
export function renderReport(host, data) {
  const types = new Map(data.vocabulary.claimTypes.map((t) => [t.key, t]));
  const statuses = new Map(data.vocabulary.statuses.map((s) => [s.key, s]));
  /** @type {Filters} */
  const filters = {
    types: new Set([...types.keys(), NONE]),
    statuses: new Set([...statuses.keys(), NONE]),
    student: -1,
    editor: true,
    mode: "count",
  };
  /** Paragraphs whose notes are all shown ("chapter:block"). */
  const expanded = new Set();
  const chars = data.chapters.map((ch) => (ch.text === null ? [] : Array.from(ch.text)));

  const root = el("div", { class: "annotate-report-root" });
  const filterPanel = el("aside", { class: "annotate-report-filters", "aria-label": "Filters" });
  const main = el("div", { class: "annotate-report-main" });
  const showing = el("p", { class: "annotate-report-showing", "aria-live": "polite" });
  const legend = el("div", { class: "annotate-report-legend" });
  const articles = el("div", { class: "annotate-report-articles" });
  const layout = el("div", { class: "annotate-report-layout" });
  layout.append(filterPanel, main);
  main.append(articles);
  // The whole-class summaries first and last, full width; the filtered article between.
  root.append(
    header(), topSection(), layout, contestedSection(), editorSection(), scoreSection(),
    studentSection(),
  );
  buildFilters();
  host.replaceChildren(root);
  draw();
  return () => host.replaceChildren();

  function header() {
    const t = data.totals;
    const head = el("header", { class: "annotate-report-header" });
    head.append(
      el("p", { class: "annotate-report-kicker" }, "Class report" + (data.anonymized ? " · names replaced by pseudonyms" : "")),
      el("h1", {}, data.title),
    );
    const cards = el("ul", { class: "annotate-report-totals" });
    /** @type {[number, string][]} */
    const items = [
      [t.students, t.students === 1 ? "student" : "students"],
      [t.annotations, t.annotations === 1 ? "annotation" : "annotations"],
      [t.withNotes, "with a written note"],
      [t.orphaned, "not found in the current text"],
    ];
    for (const [n, what] of items) {
      const card = el("li");
      card.append(el("strong", {}, String(n)), el("span", {}, what));
      cards.append(card);
    }
    const help = el(
      "p",
      { class: "annotate-report-help" },
      "Darker words were highlighted by more students; the small number after each passage " +
        "says how many (dark where a rise peaks). Each paragraph's notes are listed under it. The filters change the article " +
        "and its notes; the summaries are for the whole class.",
    );
    head.append(cards, help);
    return head;
  }

  function buildFilters() {
    filterPanel.append(el("h2", {}, "Filters"));
    /** @type {Record<string, number>} */
    const typeCount = {};
    /** @type {Record<string, number>} */
    const statusCount = {};
    for (const ch of data.chapters) {
      for (const n of ch.notes) {
        typeCount[n.claimType || NONE] = (typeCount[n.claimType || NONE] || 0) + 1;
        statusCount[n.status || NONE] = (statusCount[n.status || NONE] || 0) + 1;
      }
    }
    const typeBox = el("fieldset", { class: "annotate-report-filter-types" });
    typeBox.append(el("legend", {}, "Claim type"));
    for (const key of [...types.keys(), NONE]) {
      typeBox.append(checkbox(filters.types, key, typeChip(types.get(key)), typeCount[key] || 0));
    }
    const statusBox = el("fieldset", { class: "annotate-report-filter-statuses" });
    statusBox.append(el("legend", {}, "Status"));
    for (const key of [...statuses.keys(), NONE]) {
      const s = statuses.get(key);
      const label = el("span", {}, s ? `${s.symbol} ${s.label}` : "No status");
      statusBox.append(checkbox(filters.statuses, key, label, statusCount[key] || 0));
    }
    const studentLabel = el("label", { class: "annotate-report-filter-student" }, "Student ");
    const select = /** @type {HTMLSelectElement} */ (el("select"));
    select.append(el("option", { value: "-1" }, "All students"));
    data.students.forEach((name, i) => select.append(el("option", { value: String(i) }, name)));
    select.addEventListener("change", () => {
      filters.student = Number(select.value);
      draw();
    });
    studentLabel.append(select);
    const editorLabel = el("label", { class: "annotate-report-filter-editor" });
    const editor = /** @type {HTMLInputElement} */ (el("input", { type: "checkbox" }));
    editor.checked = true;
    editor.addEventListener("change", () => {
      filters.editor = editor.checked;
      draw();
    });
    editorLabel.append(editor, " Outline the editor's claims");
    const modeBox = el("fieldset", { class: "annotate-report-mode" });
    modeBox.append(el("legend", {}, "Heatmap"));
    /** @type {[Filters["mode"], string][]} */
    const modes = [["count", "How many"], ["agreement", "Agreement"]];
    for (const [key, label] of modes) {
      const row = el("label", { class: "annotate-report-check" });
      const radio = /** @type {HTMLInputElement} */ (
        el("input", { type: "radio", name: "annotate-report-mode", value: key }));
      radio.checked = filters.mode === key;
      radio.addEventListener("change", () => {
        filters.mode = key;
        draw();
      });
      row.append(radio, label);
      modeBox.append(row);
    }
    const reset = el("button", { type: "button" }, "Show everything");
    reset.addEventListener("click", () => {
      filters.types = new Set([...types.keys(), NONE]);
      filters.statuses = new Set([...statuses.keys(), NONE]);
      filters.student = -1;
      filters.editor = true;
      filters.mode = "count";
      for (const box of filterPanel.querySelectorAll("input")) {
        const input = /** @type {HTMLInputElement} */ (box);
        input.checked = input.type !== "radio" || input.value === "count";
      }
      select.value = "-1";
      draw();
    });
    filterPanel.append(modeBox, typeBox, statusBox, studentLabel, editorLabel, reset, showing, legend);
  }

  /**
   * @param {Set<string>} set @param {string} key @param {HTMLElement} label
   * @param {number} count
   */
  function checkbox(set, key, label, count) {
    const row = el("label", { class: "annotate-report-check" });
    const box = /** @type {HTMLInputElement} */ (el("input", { type: "checkbox", value: key }));
    box.checked = true;
    box.addEventListener("change", () => {
      if (box.checked) set.add(key);
      else set.delete(key);
      draw();
    });
    row.append(box, label, el("span", { class: "annotate-report-count" }, String(count)));
    return row;
  }

  /** @param {Note} n */
  function shown(n) {
    return (
      filters.types.has(n.claimType || NONE) &&
      filters.statuses.has(n.status || NONE) &&
      (filters.student < 0 || n.student === filters.student)
    );
  }

  function draw() {
    let visible = 0;
    let total = 0;
    const scope = filters.student < 0 ? data.students.length : 1;
    let max = 0;
    const drawn = data.chapters.map((ch, i) => {
      const notes = ch.notes.filter(shown);
      visible += notes.length;
      total += ch.notes.length;
      const counts = heat(chars[i].length, notes);
      for (const c of counts) if (c > max) max = c;
      return { ch, i, notes, counts };
    });
    articles.replaceChildren(
      ...drawn.map(({ ch, i, notes, counts }) => chapterSection(ch, i, notes, counts, max, scope)),
    );
    showing.textContent = `Showing ${visible} of ${plural(total, "annotation")}.`;
    drawLegend(max);
  }

  /** @param {number} max */
  function drawLegend(max) {
    if (filters.mode === "agreement") {
      legend.replaceChildren(el("h3", {}, "How alike the class labelled each sentence"));
      const list = el("ul", { class: "annotate-report-legend-agreement" });
      AGREEMENT_BANDS.forEach(([, name], i) => {
        const item = el("li");
        const swatch = el("span", {
          class: `annotate-report-swatch annotate-agree-${AGREEMENT_BANDS.length - i}`,
          "aria-hidden": "true",
        });
        item.append(swatch, name);
        list.append(item);
      });
      const undefinedItem = el("li");
      undefinedItem.append(
        el("span", { class: "annotate-report-swatch annotate-agree-0", "aria-hidden": "true" }),
        "α – undefined (fewer than two students, or one label throughout)",
      );
      list.append(undefinedItem);
      legend.append(list, el("p", { class: "annotate-report-rule" },
        "Whole class; the filters change only the notes. " + data.agreement.alphaRule));
      return;
    }
    legend.replaceChildren(el("h3", {}, "Students who highlighted"));
    if (max === 0) {
      legend.append(el("p", {}, "Nothing highlighted with these filters."));
      return;
    }
    const list = el("ul");
    let from = 1;
    for (let c = 1; c <= max; c++) {
      if (c < max && level(c + 1, max) === level(c, max)) continue;
      const item = el("li");
      const swatch = el("span", { class: `annotate-report-swatch annotate-heat-${level(c, max)}` });
      swatch.setAttribute("aria-hidden", "true");
      item.append(swatch, from === c ? String(c) : `${from}–${c}`);
      list.append(item);
      from = c + 1;
    }
    legend.append(list);
  }

  /**
   * @param {Chapter} ch @param {number} index @param {Note[]} notes
   * @param {Int32Array} counts @param {number} max @param {number} scope
   */
  function chapterSection(ch, index, notes, counts, max, scope) {
    const section = el("section", { class: "annotate-report-chapter" });
    const heading = el("h2", {}, data.chapters.length > 1 ? ch.title : "The article, as the class read it");
    section.append(heading, el("p", { class: "annotate-report-source" }, ch.name));
    /** @type {Note[][]} */
    const byBlock = ch.blocks.map(() => []);
    /** @type {Note[]} */
    const lost = [];
    for (const n of notes) {
      if (n.block >= 0 && n.block < byBlock.length) byBlock[n.block].push(n);
      else lost.push(n);
    }
    if (ch.text === null) {
      section.append(
        el("p", { class: "annotate-report-missing" },
          "This chapter was not found in the book, so only the quoted words are shown."),
      );
    } else {
      const claimed = new Uint8Array(counts.length);
      if (filters.editor) {
        for (const c of ch.editorClaims) claimed.fill(1, c.start, c.end);
      }
      const article = el("div", { class: "annotate-report-article" });
      ch.blocks.forEach((b, j) => {
        const node = el(b.kind === "headline" ? "h3" : "p", { class: `annotate-report-${b.kind}` });
        if (filters.mode === "agreement") paintAgreement(node, chars[index], b, ch.sentences, claimed);
        else paint(node, chars[index], b.start, b.end, counts, claimed, max, scope);
        article.append(node);
        if (byBlock[j].length) article.append(noteList(byBlock[j], `${index}:${j}`, false));
      });
      section.append(article);
    }
    if (lost.length) {
      const title = ch.text === null ? "Notes" : "Not found in the current text";
      section.append(el("h3", { class: "annotate-report-lost" }, `${title} (${lost.length})`));
      section.append(noteList(lost, `${index}:lost`, true));
    }
    return section;
  }

  /**
   * Fill `node` with text[start:end] as runs of equal heat; each heated run is a
   * <mark> whose title says how many students, and ends with its count as a small
   * number, dark at the peak of each rise (CSS-drawn, so copying the words copies only
   * words): the count never rests on the shade alone.
   * @param {HTMLElement} node @param {string[]} text @param {number} start @param {number} end
   * @param {Int32Array} counts @param {Uint8Array} claimed @param {number} max @param {number} scope
   */
  function paint(node, text, start, end, counts, claimed, max, scope) {
    /** @type {{s: number, e: number, c: number}[]} */
    const runs = [];
    for (let i = start, s = start; i <= end; i++) {
      if (i === end || counts[i] !== counts[s]) {
        if (i > s) runs.push({ s, e: i, c: counts[s] });
        s = i;
      }
    }
    runs.forEach((run, j) => {
      const before = j > 0 ? runs[j - 1].c : 0;
      const after = j + 1 < runs.length ? runs[j + 1].c : 0;
      const peak = run.c > 1 && run.c > before && run.c > after;
      // Split the run where an editor's claim starts or ends.
      /** @type {HTMLElement | null} */
      let last = null;
      for (let i = run.s, s = run.s; i <= run.e; i++) {
        if (i < run.e && claimed[i] === claimed[s]) continue;
        const words = text.slice(s, i).join("");
        const inClaim = claimed[s] === 1;
        if (!run.c && !inClaim) {
          node.append(document.createTextNode(words));
          last = null;
        } else {
          const part = el(run.c ? "mark" : "span", {}, words);
          if (run.c) {
            part.className = `annotate-heat annotate-heat-${level(run.c, max)}`;
            part.dataset.count = String(run.c);
            part.title = `${run.c} of ${plural(scope, "student")} highlighted this`;
          }
          if (inClaim) part.classList.add("annotate-report-claimed");
          node.append(part);
          last = part;
        }
        s = i;
      }
      if (last && run.c) last.dataset.label = String(run.c);
      if (peak && last) last.dataset.peak = String(run.c);
    });
  }

  /**
   * Fill `node` with the block's text, each sentence the class marked shaded by its
   * agreement (a <mark> whose title gives alpha, the students and their labels).
   * @param {HTMLElement} node @param {string[]} text @param {Block} block
   * @param {Sentence[]} found @param {Uint8Array} claimed
   */
  function paintAgreement(node, text, block, found, claimed) {
    /** @param {HTMLElement} into @param {number} s @param {number} e */
    const words = (into, s, e) => {
      for (let i = s, from = s; i <= e; i++) {
        if (i < e && claimed[i] === claimed[from]) continue;
        const piece = text.slice(from, i).join("");
        if (claimed[from] === 1) into.append(el("span", { class: "annotate-report-claimed" }, piece));
        else into.append(document.createTextNode(piece));
        from = i;
      }
    };
    let at = block.start;
    for (const sentence of found) {
      if (sentence.end <= block.start || sentence.start >= block.end) continue;
      words(node, at, sentence.start);
      if (!sentence.students) {
        words(node, sentence.start, sentence.end);
      } else {
        const mark = el("mark", {
          class: `annotate-agree annotate-agree-${agreementLevel(sentence.alpha)}`,
        });
        mark.dataset.alpha = figure(sentence.alpha);
        mark.dataset.label = sentence.alpha === null ? "α –" : `α ${figure(sentence.alpha)}`;
        const labels = Object.entries(sentence.labels)
          .map(([key, n]) => `${types.get(key)?.label || "No type"} ${n}`).join(", ");
        mark.title = (sentence.alpha === null ? sentence.alphaNote : `α = ${figure(sentence.alpha)}`) +
          ` · ${plural(sentence.students, "student")} · ${labels}`;
        words(mark, sentence.start, sentence.end);
        node.append(mark);
      }
      at = sentence.end;
    }
    words(node, at, block.end);
  }

  /**
   * @param {Note[]} notes @param {string} key @param {boolean} withPlace
   */
  function noteList(notes, key, withPlace) {
    const box = el("div", { class: "annotate-report-notes" });
    const list = el("ul");
    const all = expanded.has(key);
    for (const n of all ? notes : notes.slice(0, NOTES_SHOWN)) list.append(noteItem(n, withPlace));
    box.append(list);
    if (notes.length > NOTES_SHOWN) {
      const more = el("button", { type: "button", class: "annotate-report-more" },
        all ? "Show fewer notes" : `Show all ${notes.length} notes`);
      more.setAttribute("aria-expanded", String(all));
      more.addEventListener("click", () => {
        if (all) expanded.delete(key);
        else expanded.add(key);
        const next = noteList(notes, key, withPlace);
        box.replaceWith(next);
        // The button was replaced with its list: focus goes to its successor.
        next.querySelector("button")?.focus();
      });
      box.append(more);
    }
    return box;
  }

  /** @param {Note} n @param {boolean} withPlace */
  function noteItem(n, withPlace) {
    const item = el("li", { class: "annotate-report-note" });
    const meta = el("p", { class: "annotate-report-note-meta" });
    meta.append(el("span", { class: "annotate-report-student" }, data.students[n.student]));
    if (n.claimType) meta.append(typeChip(types.get(n.claimType)));
    const s = n.status ? statuses.get(n.status) : undefined;
    if (s) meta.append(el("span", { class: "annotate-report-status" }, `${s.symbol} ${s.label}`));
    if (withPlace && n.orphan) meta.append(el("span", { class: "annotate-report-orphan" }, "words not found"));
    item.append(meta, el("p", { class: "annotate-report-quote" }, quoted(n.exact)));
    if (n.note) item.append(el("p", { class: "annotate-report-note-text" }, n.note));
    if (n.tags.length) {
      const tags = el("p", { class: "annotate-report-tags" });
      for (const t of n.tags) tags.append(el("span", { class: "annotate-report-tag" }, t));
      item.append(tags);
    }
    return item;
  }

  function editorSection() {
    const section = el("section", { class: "annotate-report-editor" });
    section.append(el("h2", {}, "The editor's claims and what the class found"));
    const claims = data.chapters.flatMap((ch) => ch.editorClaims);
    if (!claims.length) {
      section.append(el("p", {}, "The editor marked no claims in this text."));
      return section;
    }
    const table = el("table");
    const head = el("tr");
    for (const h of ["Editor marked", "As", "Students who highlighted it", "Types they gave it (students)"]) {
      head.append(el("th", { scope: "col" }, h));
    }
    table.append(el("thead"), el("tbody"));
    table.firstElementChild?.append(head);
    const n = data.students.length;
    for (const c of claims) {
      const row = el("tr");
      const words = el("td");
      words.append(
        el("span", { class: "annotate-report-quote" }, quoted(c.text)),
        el("span", { class: "annotate-report-claim-id" }, c.id),
      );
      row.append(words);
      const as = el("td");
      as.append(typeChip(types.get(c.type)));
      const found = el("td", { class: "annotate-report-found" });
      const bar = el("span", { class: "annotate-report-bar", "aria-hidden": "true" });
      bar.style.setProperty("--share", String(n ? c.students / n : 0));
      found.append(bar, `${c.students} of ${n}`);
      const given = el("td");
      const kinds = Object.entries(c.types);
      if (!kinds.length) given.append("—");
      for (const [key, count] of kinds) {
        const chip = typeChip(types.get(key === NONE ? "" : key));
        chip.append(el("span", { class: "annotate-report-count" }, ` ×${count}`));
        chip.title = `${plural(count, "student")}`;
        given.append(chip, " ");
      }
      row.append(as, found, given);
      table.lastElementChild?.append(row);
    }
    section.append(scroller(table, section));
    return section;
  }

  function contestedSection() {
    const section = el("section", { class: "annotate-report-contested" });
    section.append(el("h2", {}, "Contested passages"));
    const found = data.chapters.flatMap((ch) => ch.contested.map((c) => ({ c, ch })));
    section.append(el("p", { class: "annotate-report-rule" },
      "Sentences where students gave different claim types, the most evenly split first. " +
        data.agreement.alphaRule));
    if (!found.length) {
      section.append(el("p", {}, "No sentence was given different types by two or more students."));
      return section;
    }
    const list = el("ol", { class: "annotate-report-contested-list" });
    for (const { c, ch } of found) {
      const item = el("li", { class: "annotate-report-contested-item" });
      item.append(el("p", { class: "annotate-report-quote" }, quoted(c.text)));
      item.append(el("p", { class: "annotate-report-figures" },
        `${plural(c.students, "student")} · α = ${figure(c.alpha)} · entropy ${figure(c.entropy)} bits`));
      const sides = el("div", { class: "annotate-report-sides" });
      for (const side of c.sides) {
        const box = el("div", { class: "annotate-report-side" });
        const head = el("p", { class: "annotate-report-side-head" });
        head.append(typeChip(types.get(side.label)), ` ${plural(side.students, "student")}`);
        box.append(head);
        if (!side.notes.length) box.append(el("p", { class: "annotate-report-zero" }, "No note written."));
        const notes = el("ul");
        for (const i of side.notes) {
          const n = ch.notes[i];
          const li = el("li");
          li.append(el("span", { class: "annotate-report-student" }, data.students[n.student]),
            " ", el("span", { class: "annotate-report-side-note" }, n.note));
          notes.append(li);
        }
        box.append(notes);
        sides.append(box);
      }
      item.append(sides);
      list.append(item);
    }
    section.append(list);
    return section;
  }

  function scoreSection() {
    const section = el("section", { class: "annotate-report-scores" });
    section.append(el("h2", {}, "Each student against the editor's claims"));
    section.append(el("p", { class: "annotate-report-rule" },
      `${data.agreement.matchRule} Precision: highlights on a claim, of all highlights. ` +
        "Recall: claims found, of all claims. F1: their harmonic mean. Same type: over the " +
        "claims found, Cohen's κ and plain percent agreement with the editor's type."));
    const table = el("table");
    const head = el("tr");
    for (const h of ["Student", "Claims found", "Precision", "Recall", "F1", "Same type", "κ", "In words"]) {
      head.append(el("th", { scope: "col" }, h));
    }
    table.append(el("thead"), el("tbody"));
    table.firstElementChild?.append(head);
    for (const s of data.agreement.byStudent) {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, data.students[s.student]));
      const kappa = el("td", { class: "annotate-report-figure" }, figure(s.kappa));
      if (s.kappa === null) kappa.title = s.kappaNote;
      tr.append(
        el("td", { class: "annotate-report-figure" }, `${s.found} of ${s.claims}`),
        el("td", { class: "annotate-report-figure" }, percent(s.precision)),
        el("td", { class: "annotate-report-figure" }, percent(s.recall)),
        el("td", { class: "annotate-report-figure" }, figure(s.f1)),
        el("td", { class: "annotate-report-figure" }, percent(s.typeAgreement)),
        kappa,
        el("td", { class: "annotate-report-feedback" }, s.feedback),
      );
      table.lastElementChild?.append(tr);
    }
    section.append(scroller(table, section));
    return section;
  }

  function topSection() {
    const section = el("section", { class: "annotate-report-top" });
    section.append(el("h2", {}, "Most highlighted passages, by claim type"));
    const grid = el("div", { class: "annotate-report-top-grid" });
    for (const key of [...types.keys(), NONE]) {
      const passages = data.chapters.flatMap((ch) => (ch.top[key] || []).map((p) => ({ p, ch })));
      if (!passages.length) continue;
      passages.sort((a, b) => b.p.students - a.p.students);
      const card = el("div", { class: "annotate-report-top-card" });
      card.append(el("h3", {}, ""));
      card.firstElementChild?.append(typeChip(types.get(key)));
      const list = el("ol");
      for (const { p } of passages.slice(0, 3)) {
        const item = el("li");
        item.append(el("span", { class: "annotate-report-quote" }, quoted(p.text)),
          el("span", { class: "annotate-report-count" }, ` ${plural(p.students, "student")}`));
        list.append(item);
      }
      card.append(list);
      grid.append(card);
    }
    if (!grid.childElementCount) grid.append(el("p", {}, "Nothing was highlighted yet."));
    section.append(grid);
    return section;
  }

  function studentSection() {
    const section = el("section", { class: "annotate-report-students" });
    section.append(el("h2", {}, "Annotations by student"));
    const keys = [...types.keys(), NONE];
    const table = el("table");
    const head = el("tr");
    head.append(el("th", { scope: "col" }, "Student"));
    for (const key of keys) {
      const th = el("th", { scope: "col" });
      th.append(typeChip(types.get(key)));
      head.append(th);
    }
    head.append(el("th", { scope: "col" }, "Total"));
    table.append(el("thead"), el("tbody"));
    table.firstElementChild?.append(head);
    for (const row of data.byStudent) {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, data.students[row.student]));
      for (const key of keys) {
        const n = row.counts[key] || 0;
        tr.append(el("td", { class: n ? "" : "annotate-report-zero" }, String(n)));
      }
      tr.append(el("td", { class: "annotate-report-total" }, String(row.total)));
      table.lastElementChild?.append(tr);
    }
    section.append(scroller(table, section));
    return section;
  }
}

/** The Jupyter ClassView: the same report, from the widget's `report` trait. */
/** @param {{model: any, el: HTMLElement}} ctx */
function render({ model, el: host }) {
  host.classList.add("annotate-report");
  let cleanup = renderReport(host, model.get("report"));
  const redraw = () => {
    cleanup();
    cleanup = renderReport(host, model.get("report"));
  };
  model.on("change:report", redraw);
  return () => {
    model.off("change:report", redraw);
    cleanup();
  };
}

export default { render };

// As report.html's own script: draw the data the page carries. In Jupyter there is
// no such element and this does nothing.
const pageData = typeof document === "undefined" ? null : document.getElementById("annotate-report-data");
const pageHost = typeof document === "undefined" ? null : document.getElementById("annotate-report");
if (pageData && pageHost) renderReport(pageHost, JSON.parse(pageData.textContent || "{}"));
