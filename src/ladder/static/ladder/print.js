// The print page's Print button: a listener here, as the Content-Security-Policy runs no inline
// handler such as onclick.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
