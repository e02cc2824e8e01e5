/* loancrm page behaviour: no inline scripts anywhere, everything lives here. */
(function () {
  "use strict";
  // Confirm dangerous actions: <button data-confirm="...">
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Filter forms submit on change of a select: <form data-autosubmit>
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      form.requestSubmit();
    }
  });
  // Session expiry or disabled account during an htmx request: go to the login page.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 401) {
      window.location.reload();
    }
  });
})();
