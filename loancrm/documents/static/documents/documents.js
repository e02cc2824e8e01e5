/* Documents pages: the image viewer (zoom, rotate), H5 upload on file choice, correction-form reasons. No inline JS. */
(function () {
  "use strict";
  var state = { scale: 1, rotate: 0 };
  function image() { return document.getElementById("doc-viewer-image"); }
  function apply() {
    var img = image();
    if (img) { img.style.transform = "scale(" + state.scale + ") rotate(" + state.rotate + "deg)"; }
  }
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-doc-view]");
    if (opener) {
      var url = opener.getAttribute("data-doc-view");
      state = { scale: 1, rotate: 0 };
      image().src = url;
      document.getElementById("doc-viewer-title").textContent = opener.getAttribute("data-doc-title") || "";
      document.getElementById("doc-viewer-download").href = url + "?download=1";
      apply();
      return;
    }
    var action = event.target.closest("[data-doc-action]");
    if (!action) { return; }
    var name = action.getAttribute("data-doc-action");
    if (name === "zoom-in") { state.scale = Math.min(state.scale * 1.25, 8); }
    if (name === "zoom-out") { state.scale = Math.max(state.scale / 1.25, 0.2); }
    if (name === "rotate-right") { state.rotate = (state.rotate + 90) % 360; }
    if (name === "rotate-left") { state.rotate = (state.rotate + 270) % 360; }
    if (name === "reset") { state = { scale: 1, rotate: 0 }; }
    apply();
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-upload-on-choose]") && input.files.length) {
      var form = input.form;
      form.classList.add("is-uploading");
      form.requestSubmit();
    }
    if (input.matches && input.matches("input[type=checkbox][data-reason-for]")) {
      var reason = document.getElementById(input.getAttribute("data-reason-for"));
      if (reason) { reason.disabled = !input.checked; reason.required = input.checked; if (input.checked) { reason.focus(); } }
    }
  });
})();
