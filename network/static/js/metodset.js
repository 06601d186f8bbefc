/* Behaviour that templates used to carry as inline handlers (onsubmit, onclick).
   The Content-Security-Policy runs no inline code, so pages mark elements with data-* attributes
   and this one file, served by the portal itself, gives them their behaviour. */
(function () {
  "use strict";

  // <form data-confirm="Удалить …?">: ask first; a refusal sends nothing.
  // Capture phase: the question comes before any other submit handler (htmx's included).
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // <button data-action="print">: the browser's print dialog.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-action='print']") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  // -- The menu (base.html) -------------------------------------------------------------------
  // <button data-menu-button aria-controls="mainnav" aria-expanded>: opens and closes the menu on
  // narrow screens (the CSS shows the button below 1200 px). <button data-popup aria-controls>:
  // a drop-down list («Ещё», the user's menu) whose list carries `hidden` while closed.

  function controlled(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setPopup(button, open) {
    var list = controlled(button);
    if (!list) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    list.hidden = !open;
  }

  function closePopups(except) {
    document.querySelectorAll("[data-popup][aria-expanded='true']").forEach(function (button) {
      if (button !== except) setPopup(button, false);
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var menuButton = target.closest("[data-menu-button]");
    if (menuButton) {
      var nav = controlled(menuButton);
      var open = menuButton.getAttribute("aria-expanded") !== "true";
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (nav) nav.classList.toggle("open", open);
      return;
    }
    var popupButton = target.closest("[data-popup]");
    if (popupButton) {
      closePopups(popupButton);
      setPopup(popupButton, popupButton.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (!target.closest(".dropdown-list")) closePopups(null);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("[data-popup][aria-expanded='true']");
    if (open) {
      setPopup(open, false);
      open.focus();
      return;
    }
    var menuButton = document.querySelector("[data-menu-button][aria-expanded='true']");
    if (menuButton && window.getComputedStyle(menuButton).display !== "none") {
      menuButton.setAttribute("aria-expanded", "false");
      var nav = controlled(menuButton);
      if (nav) nav.classList.remove("open");
      menuButton.focus();
    }
  });

  // A drop-down closes when the focus leaves it (Tab past its last item).
  document.addEventListener("focusout", function (event) {
    var dropdown = event.target instanceof Element ? event.target.closest(".dropdown") : null;
    if (!dropdown) return;
    window.setTimeout(function () {
      if (!dropdown.contains(document.activeElement)) {
        var button = dropdown.querySelector("[data-popup]");
        if (button && button.getAttribute("aria-expanded") === "true") setPopup(button, false);
      }
    }, 0);
  });
})();

/* The tree (orgunits/_tree_nodes.html): a click anywhere on a node's row opens or closes it, as its toggle
   button does (the button is what the keyboard reaches); a click on the unit's name follows the link. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var toggle = target.closest(".node-toggle");
    if (toggle) {
      var children = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (children) children.hidden = !open;
      return;
    }
    var row = target.closest("[data-tree-row]");
    if (row && !target.closest("a, button, input, select, textarea")) {
      var button = row.querySelector(".node-toggle");
      if (button) button.click();
    }
  });
})();

/* A table that scrolls sideways (.table-scroll wider than the screen) is reached by the keyboard to scroll
   it: it becomes a focusable region named after its section's heading. */
(function () {
  "use strict";

  function label(region) {
    var section = region.closest("section, .card");
    var heading = section ? section.querySelector("h1, h2, h3") : null;
    return heading ? heading.textContent.trim() : "Таблица";
  }

  function mark(root) {
    root.querySelectorAll(".table-scroll").forEach(function (region) {
      var scrolls = region.scrollWidth > region.clientWidth + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("data-scroll-region", "");
        if (!region.hasAttribute("role")) region.setAttribute("role", "region");
        if (!region.hasAttribute("aria-label")) region.setAttribute("aria-label", label(region));
      } else if (!scrolls && region.hasAttribute("data-scroll-region")) {
        // Wide enough now: no tab stop that scrolls nothing.
        region.removeAttribute("tabindex");
        region.removeAttribute("data-scroll-region");
      }
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { mark(document); }, 200);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { mark(document); });
  } else {
    mark(document);
  }
  // Parts of pages loaded by htmx.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target instanceof Element) mark(event.target);
  });
})();
