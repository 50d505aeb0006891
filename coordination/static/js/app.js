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
  function focusOn(moved) {
    if (!focusFirstError() && moved) {
      moved.setAttribute("tabindex", "-1");
      moved.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var moved = moveMessagesToSection();
    focusOn(moved);
    // Chromium applies the URL's #section after the page has loaded and,
    // the section not being focusable, clears the focus: set it again then.
    if (moved) {
      window.addEventListener("load", function () {
        window.setTimeout(function () {
          if (document.activeElement === document.body) { focusOn(moved); }
        }, 0);
      });
    }
  });
}());
