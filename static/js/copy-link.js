/* "Copy link" buttons for calendar addresses. Each button names the read-only text box it copies
   with data-copy-target. Without JavaScript the buttons stay hidden and the address can be
   selected by hand. */
(function () {
  "use strict";

  function announce(targetId, message) {
    var status = document.querySelector('[data-copy-status-for="' + targetId + '"]');
    if (status) {
      status.textContent = message;
    }
  }

  function copyBySelecting(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var targetId = button.getAttribute("data-copy-target");
    var field = document.getElementById(targetId);
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        announce(targetId, "Copied. Now paste it into your calendar app.");
      };
      var failed = function () {
        if (copyBySelecting(field)) {
          done();
        } else {
          announce(targetId, "Couldn't copy. The address is selected: copy it from the box.");
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
