// newsearch: small enhancements. Every part of the page works without this file.
(function () {
  "use strict";

  // "/" moves the focus to the search box, as on many search sites.
  var box = document.getElementById("q");
  if (box) {
    box.setAttribute("aria-keyshortcuts", "/");
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
        return;
      }
      event.preventDefault();
      box.focus();
      box.select();
    });
  }

  // A button that copies the address of this search, to share or keep it.
  var timing = document.querySelector(".timing");
  if (timing && navigator.clipboard && window.isSecureContext) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-link";
    button.textContent = "Copy link";
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(window.location.href).then(
        function () {
          status.textContent = "Link copied.";
        },
        function () {
          status.textContent = "Could not copy: copy the address bar instead.";
        }
      );
    });
    timing.append(" ", button, " ", status);
  }
})();
