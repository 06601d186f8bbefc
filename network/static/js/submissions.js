// The report editor: after a failed save the error summary at the top takes the focus, so a
// keyboard or screen reader user starts from the list of errors (each a link to its field).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
