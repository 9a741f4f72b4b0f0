// The little JavaScript there is. Everything works without it; htmx and this
// file only save round trips. No inline script anywhere (strict CSP).
(function () {
  "use strict";
  if (!window.htmx) return;
  document.documentElement.classList.add("has-htmx");

  // Region selects ask /wilayah/<code>; an empty choice clears the levels below
  // without asking the server.
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt.hasAttribute("data-wilayah")) return;
    evt.detail.path = elt.getAttribute("hx-get").replace("KODE", encodeURIComponent(elt.value));
  });
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt.hasAttribute("data-wilayah") || elt.value) return;
    evt.preventDefault();
    var fieldset = elt.closest("fieldset");
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    selects.slice(selects.indexOf(elt) + 1).forEach(function (s) {
      s.length = 1;
      s.selectedIndex = 0;
    });
  });

  // After a swap, move focus to what changed: an error summary or a result.
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail.elt.querySelector && evt.detail.elt.querySelector("[data-focus]");
    if (target) target.focus();
  });
  var first = document.querySelector("[data-focus]");
  if (first) first.focus();
})();
