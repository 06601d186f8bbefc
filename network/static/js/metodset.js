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
})();
