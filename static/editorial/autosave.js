/* Autosave of an admin add or change form (editorial/autosave.py).
 *
 * A few seconds after the editor stops changing the form (and at least every fifteen seconds
 * while they keep typing) its values are posted, as JSON with the CSRF token, to the form's
 * autosave address: …/<id>/autosave/ or …/add/autosave/. Nothing is sent while nothing changed.
 * A poll catches what changes without an event (autocompletes, calendar shortcuts). A status line
 * at the top of the form says when the last autosave was, or why it failed. Saving the form stops
 * autosaving; leaving the page sends what was not sent yet.
 */
"use strict";
(function () {
  const QUIET_MS = 2000;
  const MOST_MS = 15000;
  const POLL_MS = 3000;

  function autosaveUrl() {
    const path = window.location.pathname;
    if (/\/change\/$/.test(path)) {
      return path.replace(/change\/$/, "autosave/");
    }
    if (/\/add\/$/.test(path)) {
      return path + "autosave/";
    }
    return null;
  }

  function start() {
    const url = autosaveUrl();
    const form = document.querySelector("#content-main form[id$='_form']");
    const params = new URLSearchParams(window.location.search);
    if (!url || !form || params.has("_popup") || !form.elements.namedItem("loaded_version")) {
      return;
    }
    const tokenInput = form.elements.namedItem("csrfmiddlewaretoken");
    const token = tokenInput ? tokenInput.value : "";
    const status = document.createElement("p");
    status.className = "autosave-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.insertBefore(status, form.firstChild);

    function values() {
      const pairs = [];
      for (const [name, value] of new FormData(form)) {
        if (typeof value === "string" && name !== "csrfmiddlewaretoken") {
          pairs.push([name, value]);
        }
      }
      return pairs;
    }
    function names() {
      const seen = new Set();
      for (const element of form.elements) {
        if (element.name && element.type !== "file") {
          seen.add(element.name);
        }
      }
      return Array.from(seen);
    }
    function show(text, isError) {
      status.textContent = text;
      status.classList.toggle("is-error", Boolean(isError));
    }

    let sent = JSON.stringify(values());
    let timer = null;
    let firstChange = null;
    let inFlight = false;
    let again = false;
    let stopped = false;

    function changed() {
      if (stopped) {
        return;
      }
      const now = Date.now();
      if (firstChange === null) {
        firstChange = now;
      }
      window.clearTimeout(timer);
      const wait = Math.max(0, Math.min(QUIET_MS, firstChange + MOST_MS - now));
      timer = window.setTimeout(() => send(false), wait);
    }

    async function send(keepalive) {
      timer = null;
      firstChange = null;
      if (stopped && !keepalive) {
        return;
      }
      const pairs = values();
      const text = JSON.stringify(pairs);
      if (text === sent) {
        return;
      }
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        const response = await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          keepalive: keepalive,
          headers: {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": token,
          },
          body: JSON.stringify({data: pairs, names: names()}),
        });
        let answer = {};
        try {
          answer = await response.json();
        } catch (error) {
          answer = {};
        }
        if (response.ok) {
          sent = text;
          show(answer.message || "Autosaved.", false);
        } else {
          show(answer.error || "Not autosaved (the server answered " + response.status + "). " +
            "Your changes are still in the form.", true);
        }
      } catch (error) {
        show("Not autosaved: the server could not be reached. Your changes are still in the form.",
          true);
      } finally {
        inFlight = false;
        if (again) {
          again = false;
          changed();
        }
      }
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.setInterval(() => {
      if (!stopped && timer === null && !inFlight && JSON.stringify(values()) !== sent) {
        changed();
      }
    }, POLL_MS);
    form.addEventListener("submit", () => {
      stopped = true;
      window.clearTimeout(timer);
    });
    window.addEventListener("pagehide", () => {
      if (!stopped && JSON.stringify(values()) !== sent) {
        send(true);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
