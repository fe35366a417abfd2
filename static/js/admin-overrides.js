// Django admin and django-import-export: behaviour their templates gave inline handlers or markup
// that assistive technology misreads, moved here because the CSP runs no inline script.
(function () {
  "use strict";

  // SelectFilter2.js (the two-box picker for groups and permissions) labels its search icon with
  // aria-label on a plain <span>, where ARIA forbids a name: give the icon the role "img".
  function nameIcons(root) {
    root.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  // Select2 (the admin's autocomplete fields) names its combobox only by the chosen value:
  // label it with the field's own <label> too ("User", then the value).
  function nameComboboxes(root) {
    root.querySelectorAll('.select2-selection[role="combobox"][aria-labelledby]').forEach(
      function (box) {
        var named = box.getAttribute("aria-labelledby");
        var match = /^select2-(.+)-container$/.exec(named);
        var label = match && document.querySelector('label[for="' + match[1] + '"]');
        if (!label) { return; }
        if (!label.id) { label.id = match[1] + "-label"; }
        box.setAttribute("aria-labelledby", label.id + " " + named);
        // The chosen value inside it is a read-only textbox of its own, named by the label too.
        var value = document.getElementById(named);
        if (value) { value.setAttribute("aria-labelledby", label.id); }
      });
  }

  // A split date and time (AdminSplitDateTime) writes "Date:" and "Time:" as bare text before
  // its two inputs, which then have no label: wrap each text in a <label> for its input, named
  // with the field's own label too ("Last login, date:").
  function labelSplitDateTimes() {
    document.querySelectorAll("p.datetime input[id]").forEach(function (input) {
      var text = input.previousSibling;
      if ((input.labels && input.labels.length) || !text || text.nodeType !== Node.TEXT_NODE ||
          !text.textContent.trim()) { return; }
      var label = document.createElement("label");
      var row = input.closest("p.datetime").parentNode.querySelector(":scope > label");
      if (row) {
        var field = document.createElement("span");
        field.className = "visually-hidden";
        field.textContent = row.textContent.trim().replace(/:$/, "") + ", ";
        label.appendChild(field);
      }
      label.appendChild(document.createTextNode(text.textContent.trim()));
      label.htmlFor = input.id;
      input.parentNode.insertBefore(label, input);
      input.parentNode.insertBefore(document.createTextNode(" "), input);
      text.textContent = text.textContent.replace(/\S.*$/s, "");
    });
  }

  // The export page's "Select all" box ticks or clears every field of the export.
  function bindSelectAll() {
    var toggle = document.getElementById("select-all-toggle");
    if (!toggle) { return; }
    toggle.addEventListener("change", function () {
      document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
        .forEach(function (box) { box.checked = toggle.checked; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindSelectAll();
    labelSplitDateTimes();
    nameIcons(document);
    nameComboboxes(document);
    // The picker is built on the window's load event, after this runs.
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === Node.ELEMENT_NODE) {
            if (node.matches("span.search-label-icon[aria-label]")) { node.setAttribute("role", "img"); }
            nameIcons(node);
            nameComboboxes(node.parentNode || node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
