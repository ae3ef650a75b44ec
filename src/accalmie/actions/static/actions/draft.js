// Progressive enhancement of the reply draft page: a button that copies subject and text.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("copy-draft");
    if (!button) return;
    button.addEventListener("click", function () {
      var subject = document.getElementById("draft-subject");
      var body = document.getElementById("draft-body");
      var text = (subject ? subject.value + "\n\n" : "") + (body ? body.value : "");
      var status = document.getElementById("copy-status");
      function done() { if (status) status.textContent = button.dataset.done || "OK"; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(); });
      } else {
        fallback();
      }
      function fallback() {
        if (!body) return;
        body.focus();
        body.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
      }
    });
  });
})();
