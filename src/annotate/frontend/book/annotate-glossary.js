// @ts-check
/**
 * Glossary tooltips: hovering or focusing a term link shows its definition.
 *
 * The build puts each definition in the link's `title`; this script moves it to
 * `data-annotate-definition` (so the browser's own tooltip does not double it)
 * and shows it in one shared tooltip, as text only (`textContent`), on hover
 * and on keyboard focus. Escape closes it. Nothing is fetched.
 */
(function () {
  "use strict";

  /** @type {HTMLDivElement | null} */
  let tip = null;

  /** @returns {HTMLDivElement} */
  function tooltip() {
    if (tip) return tip;
    tip = document.createElement("div");
    tip.className = "annotate-tooltip";
    tip.id = "annotate-glossary-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);
    return tip;
  }

  /** @param {HTMLAnchorElement} link */
  function show(link) {
    const box = tooltip();
    const heading = document.createElement("strong");
    heading.textContent = link.textContent || "";
    const body = document.createElement("span");
    body.textContent = link.dataset.annotateDefinition || "";
    box.replaceChildren(heading, body);
    box.hidden = false;
    link.setAttribute("aria-describedby", box.id);
    const rect = link.getBoundingClientRect();
    const width = Math.min(box.offsetWidth, document.documentElement.clientWidth - 16);
    const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    box.style.left = `${left + window.scrollX}px`;
    box.style.top = `${rect.bottom + window.scrollY + 6}px`;
  }

  /** @param {HTMLAnchorElement} link */
  function hide(link) {
    if (tip) tip.hidden = true;
    link.removeAttribute("aria-describedby");
  }

  function init() {
    /** @type {NodeListOf<HTMLAnchorElement>} */
    const links = document.querySelectorAll("a.annotate-term[title]");
    links.forEach((link) => {
      link.dataset.annotateDefinition = link.title;
      link.removeAttribute("title");
      link.addEventListener("mouseenter", () => show(link));
      link.addEventListener("focus", () => show(link));
      link.addEventListener("mouseleave", () => hide(link));
      link.addEventListener("blur", () => hide(link));
      link.addEventListener("keydown", (event) => {
        if (event.key === "Escape") hide(link);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
