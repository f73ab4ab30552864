/* The attendance roster at the door, on a phone whose connection may drop.
   Without JavaScript the form posts as usual and the page comes back with "Saved at ...".
   With it:
   - every tap is kept in sessionStorage until a save succeeds, so a reload, a search for a
     walk-in or a failed save never loses a mark;
   - Save sends the whole form with fetch; on failure the marks stay on the page and we say so;
   - the walk-in number gets - and + buttons. */
(function () {
  "use strict";

  var form = document.querySelector("[data-roster-form]");
  if (!form) {
    return;
  }
  var storageKey = form.getAttribute("data-storage-key");
  var statusRegion = form.querySelector("[data-roster-status]");
  var alertRegion = form.querySelector("[data-roster-alert]");
  var saveButton = form.querySelector("button[type=submit]");
  var KEEP_FOR_MS = 12 * 60 * 60 * 1000;
  var NO_CONNECTION = "Not saved: no connection. Your marks are still here; press Save again.";
  var EXPIRED =
    "Not saved: the page has expired or you were signed out. Reload the page (your marks are " +
    "kept on this phone), then press Save again.";
  var saving = false;

  function say(message) {
    if (statusRegion) {
      statusRegion.textContent = message;
    }
    if (alertRegion) {
      alertRegion.textContent = "";
    }
  }

  function warn(message) {
    if (statusRegion) {
      statusRegion.textContent = "";
    }
    if (alertRegion) {
      alertRegion.textContent = message;
    }
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.name !== "csrf_token" && !element.disabled;
    });
  }

  function currentState() {
    var values = {};
    fields().forEach(function (element) {
      if (element.type === "radio") {
        if (element.checked) {
          values[element.name] = element.value;
        }
      } else if (element.type !== "submit" && element.type !== "button") {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  function remember() {
    try {
      sessionStorage.setItem(storageKey, JSON.stringify({ at: Date.now(), values: currentState() }));
    } catch (error) {
      // Storage full or switched off: the marks still stay on the page.
    }
  }

  function forget() {
    try {
      sessionStorage.removeItem(storageKey);
    } catch (error) {
      // Nothing to forget.
    }
  }

  function restore() {
    var stored = null;
    try {
      stored = JSON.parse(sessionStorage.getItem(storageKey) || "null");
    } catch (error) {
      stored = null;
    }
    if (!stored || !stored.values || Date.now() - stored.at > KEEP_FOR_MS) {
      forget();
      return;
    }
    var changed = false;
    fields().forEach(function (element) {
      if (!Object.prototype.hasOwnProperty.call(stored.values, element.name)) {
        return;
      }
      var value = stored.values[element.name];
      if (element.type === "radio") {
        if (element.value === value && !element.checked) {
          element.checked = true;
          changed = true;
        }
      } else if (element.value !== value) {
        element.value = value;
        changed = true;
      }
    });
    if (changed) {
      warn("Your marks from before are back on the page, but not saved yet: press Save.");
    }
  }

  function setUpCounter() {
    var input = form.elements.walk_ins;
    if (!input) {
      return;
    }
    form.querySelectorAll("[data-counter-step]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var step = parseInt(button.getAttribute("data-counter-step"), 10);
        var max = parseInt(input.getAttribute("max") || "500", 10);
        var value = parseInt(input.value || "0", 10);
        if (isNaN(value)) {
          value = 0;
        }
        input.value = String(Math.min(max, Math.max(0, value + step)));
        remember();
        say(input.value + (input.value === "1" ? " walk-in" : " walk-ins") + " (not saved yet)");
      });
    });
  }

  function showSaved(data) {
    forget();
    var lines = [data.message].concat(data.notices || []);
    say(lines.join(" "));
  }

  function save(event) {
    event.preventDefault();
    if (saving) {
      return;
    }
    saving = true;
    remember();
    say("Saving…");
    if (saveButton) {
      saveButton.setAttribute("aria-disabled", "true");
    }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, 20000) : null;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          warn(EXPIRED);
          return;
        }
        return response.json().then(function (data) {
          if (response.ok) {
            showSaved(data);
          } else {
            warn("Not saved: " + data.error + " Your marks are still here.");
          }
        });
      })
      .catch(function () {
        warn(NO_CONNECTION);
      })
      .then(function () {
        saving = false;
        if (timer) {
          window.clearTimeout(timer);
        }
        if (saveButton) {
          saveButton.removeAttribute("aria-disabled");
        }
      });
  }

  restore();
  setUpCounter();
  form.addEventListener("change", remember);
  form.addEventListener("input", remember);
  form.addEventListener("submit", save);
})();
