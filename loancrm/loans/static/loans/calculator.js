/* Loan calculator page: field errors (422) are swapped in like results; the days field shows for bullet loans only. */
(function () {
  "use strict";
  function sync() {
    var calculator = document.querySelector("[data-calculator]");
    var method = calculator && calculator.querySelector("select[name=method]");
    if (!method) {
      return;
    }
    var bullet = method.value === calculator.dataset.bullet;
    calculator.querySelectorAll("[data-bullet-only]").forEach(function (row) {
      row.hidden = !bullet;
      row.querySelectorAll("input").forEach(function (input) {
        input.disabled = !bullet;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("htmx:afterSettle", sync);
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-calculator] select[name=method]")) {
      sync();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && event.detail.target.closest("[data-calculator]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
