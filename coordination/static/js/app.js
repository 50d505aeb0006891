/* Served from the app (CSP: script-src 'self'); every page works without it.
   1. Messages where the user acted: after a step the page opens at the
      section's anchor (#referrals ...); the flashed messages are moved into
      that section, under its heading, so they are seen (and, being
      role="status", announced).
      A form whose step was refused is drawn open, and its messages go into it.
   2. Focus on the first error: a field marked aria-invalid, else the first
      error message, so a keyboard or screen-reader user lands on it. */
(function () {
  "use strict";
  /* The element the URL's #fragment names, if any. */
  function hashTarget() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2) { return null; }
    try {
      return document.getElementById(decodeURIComponent(hash.slice(1)));
    } catch (error) {
      return null;  // a malformed fragment names nothing
    }
  }
  function moveMessagesToSection() {
    var messages = document.querySelectorAll("main > .flash");
    if (!messages.length) { return null; }
    /* A form whose step was refused is drawn open (data-refused): its
       messages go into it, above the form, where the user acted. */
    var target = document.querySelector("details[data-refused]");
    var anchor;
    if (target) {
      var summary = target.querySelector("summary");
      anchor = summary ? summary.nextSibling : target.firstChild;
    } else {
      target = hashTarget();
      if (!target) { return null; }
      var heading = target.querySelector("h2, h1");
      anchor = heading ? heading.nextSibling : target.firstChild;
    }
    for (var i = 0; i < messages.length; i++) {
      target.insertBefore(messages[i], anchor);
    }
    return messages[0];
  }
  /* 5. The case page's forms are closed until asked for (<details>); a link
     to one of them (the summary's "what to do next") opens it. */
  function openNamedForm() {
    var target = hashTarget();
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  /* 6. On a phone the section links are tabs: the stylesheet shows only the
     section the address names (:target), else the summary; the tab of the
     section shown is marked for assistive technology, and kept in view. */
  var phone = window.matchMedia ? window.matchMedia("screen and (max-width: 640px)") : null;
  function markCurrentTab() {
    var nav = document.querySelector(".section-links");
    if (!nav) { return; }
    var target = hashTarget();
    var section = target && target.closest ? target.closest(".case-sections > section") : null;
    var shown = "#" + (section ? section.id : "summary");
    var tabs = phone && phone.matches;
    var links = nav.querySelectorAll("a");
    for (var i = 0; i < links.length; i++) {
      if (tabs && links[i].getAttribute("href") === shown) {
        links[i].setAttribute("aria-current", "true");
        if (links[i].scrollIntoView) {
          links[i].scrollIntoView({block: "nearest", inline: "nearest"});
        }
      } else {
        links[i].removeAttribute("aria-current");
      }
    }
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
  /* 5. The committee's decision: once a case is chosen, the owning agencies
     that will not see its contact details (listed on the case's option,
     data-without-contacts) are marked as the server marks them when the
     agenda has one case, and only that case's consent line stays shown.
     Without the script every case's line names them. */
  function markOwners(select) {
    var target = select.form && select.form.elements[select.getAttribute("data-marks")];
    if (!target || !target.options) { return; }
    var blocks = document.querySelectorAll(".decision-cover[data-case]");
    for (var b = 0; b < blocks.length; b++) {
      blocks[b].hidden = select.value !== "" && blocks[b].getAttribute("data-case") !== select.value;
    }
    var chosen = select.options[select.selectedIndex];
    if (!select.value || !chosen) { return; }
    var without = (chosen.getAttribute("data-without-contacts") || "").split(" ");
    var suffix = " (" + select.getAttribute("data-marker") + ")";
    for (var i = 0; i < target.options.length; i++) {
      var option = target.options[i];
      if (!option.value) { continue; }
      var name = option.text.slice(-suffix.length) === suffix
        ? option.text.slice(0, -suffix.length) : option.text;
      option.text = without.indexOf(option.value) >= 0 ? name + suffix : name;
    }
  }
  function markOwnerSelects() {
    var selects = document.querySelectorAll("select[data-marks]");
    for (var i = 0; i < selects.length; i++) {
      markOwners(selects[i]);
      selects[i].addEventListener("change", function (event) { markOwners(event.target); });
    }
  }
  function focusOn(moved) {
    if (!focusFirstError() && moved) {
      moved.setAttribute("tabindex", "-1");
      moved.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    narrowSelects();
    markOwnerSelects();
    openNamedForm();
    markCurrentTab();
    window.addEventListener("hashchange", function () { openNamedForm(); markCurrentTab(); });
    if (phone && phone.addEventListener) { phone.addEventListener("change", markCurrentTab); }
    var moved = moveMessagesToSection() || placedMessages();
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
