// @ts-check
/**
 * Accessibility fixes to the theme's own page furniture (pydata-sphinx-theme via
 * sphinx-book-theme), made on every page of the book since the theme's templates
 * are not ours to edit:
 *
 * - a search button that shows "Search Ctrl+K" is named by what it shows, not by
 *   an aria-label "Search" that leaves the visible text out (WCAG 2.5.3);
 * - the colour-mode button is named "Color mode" by its label, and its icons (whose
 *   titles, e.g. "System Settings", said something else) are decoration;
 * - icon-only buttons keep their labels.
 */
(function () {
  "use strict";

  function fix() {
    document.querySelectorAll("button.search-button__button[aria-label]").forEach((button) => {
      if (button.querySelector(".search-button__default-text")) button.removeAttribute("aria-label");
    });
    document.querySelectorAll(".theme-switch-button .theme-switch").forEach((icon) => {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("title");
      icon.removeAttribute("role");
      icon.removeAttribute("aria-labelledby");
      icon.querySelectorAll("title").forEach((t) => t.remove());
    });
  }

  fix();
  // Font Awesome swaps the <i> icons for <svg> when it runs, copying their titles back.
  if (typeof MutationObserver !== "undefined") {
    document.querySelectorAll(".theme-switch-button").forEach((button) => {
      const watch = new MutationObserver(() => {
        watch.disconnect();
        fix();
        watch.observe(button, { childList: true, subtree: true });
      });
      watch.observe(button, { childList: true, subtree: true });
    });
  }
})();
