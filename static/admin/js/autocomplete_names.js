// Names for the parts of Django's select2 autocompletes that it leaves unnamed, so that screen
// readers (and axe) know each one: the search box of a multiple choice says which field it
// searches, each choice is named by its field, and the "clear all" cross in the list of chosen items is a list item of that list.
// Select2 redraws these parts on every choice, so they are named again whenever the page changes.
"use strict";
(function () {
  function labelOf(select) {
    const label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
  }

  function name(select) {
    const container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2")) {
      return;
    }
    const field = labelOf(select);
    // A single choice with nothing chosen is otherwise named by its empty rendering.
    const named = '.select2-selection[role="combobox"], .select2-selection__rendered[role="textbox"]';
    container.querySelectorAll(named).forEach(function (box) {
      if (box.getAttribute("aria-label") !== field) {
        box.setAttribute("aria-label", field);
      }
    });
    container.querySelectorAll(".select2-search__field").forEach(function (box) {
      if (box.getAttribute("aria-label") !== "Search " + field) {
        box.setAttribute("aria-label", "Search " + field);
      }
    });
    container.querySelectorAll("ul.select2-selection__rendered > :not(li)").forEach(function (item) {
      if (item.getAttribute("role") !== "listitem") {
        item.setAttribute("role", "listitem");
      }
    });
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(name);
    // The dropdown's own search box, while one is open.
    document.querySelectorAll(".select2-dropdown .select2-search__field").forEach(function (box) {
      if (!box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", "Search");
      }
    });
  }

  let queued = false;
  function soon() {
    if (!queued) {
      queued = true;
      window.requestAnimationFrame(function () {
        queued = false;
        nameAll();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  });
})();
