/* Served from the app (CSP: script-src 'self'); every page works without it.
   1. Messages where the user acted: after a step the page opens at the
      section's anchor (#referrals ...); the flashed messages are moved into
      that section, under its heading, so they are seen (and, being
      role="status", announced).
   2. Focus on the first error: a field marked aria-invalid, else the first
      error message, so a keyboard or screen-reader user lands on it. */
(function () {
  "use strict";
  function moveMessagesToSection() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2) { return null; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    var messages = document.querySelectorAll("main > .flash");
    if (!target || !messages.length) { return null; }
    var heading = target.querySelector("h2, h1");
    var anchor = heading ? heading.nextSibling : target.firstChild;
    for (var i = 0; i < messages.length; i++) {
      target.insertBefore(messages[i], anchor);
    }
    return messages[0];
  }
  function focusFirstError() {
    var field = document.querySelector("[aria-invalid='true']");
    if (field) { field.focus(); return true; }
    var error = document.querySelector(".flash-error, .field .error");
    if (error) {
      error.setAttribute("tabindex", "-1");
      error.focus();
      return true;
    }
    return false;
  }
  /* 3. A list worked through in place (the inboxes) draws the step's
     messages next to the row, or above the list; focus goes there. */
  function placedMessages() {
    var placed = document.querySelector(".placed-messages");
    return placed && placed.querySelector(".flash") ? placed : null;
  }
  /* 4. A select that narrows another (the owning agency and the person
     responsible): only the options of the chosen agency (data-agency) stay
     offered; the server checks the pair whatever the page sent. Without the
     script the options are grouped by agency. */
  function narrow(select) {
    var target = select.form && select.form.elements[select.getAttribute("data-narrows")];
    if (!target || !target.options) { return; }
    var options = target.querySelectorAll("option[data-agency]");
    for (var i = 0; i < options.length; i++) {
      var offered = options[i].getAttribute("data-agency") === select.value;
      options[i].hidden = !offered;
      options[i].disabled = !offered;
      if (!offered && options[i].selected) { target.value = ""; }
    }
    var groups = target.querySelectorAll("optgroup");
    for (var j = 0; j < groups.length; j++) {
      groups[j].hidden = !groups[j].querySelector("option:not([disabled])");
    }
  }
  function narrowSelects() {
    var selects = document.querySelectorAll("select[data-narrows]");
    for (var i = 0; i < selects.length; i++) {
      narrow(selects[i]);
      selects[i].addEventListener("change", function (event) { narrow(event.target); });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    narrowSelects();
    var moved = moveMessagesToSection() || placedMessages();
    if (!focusFirstError() && moved) {
      moved.setAttribute("tabindex", "-1");
      moved.focus();
    }
  });
}());
