// The little JavaScript there is. Everything works without it; htmx and this
// file only save round trips. No inline script anywhere (strict CSP).
(function () {
  "use strict";
  if (!window.htmx) return;
  document.documentElement.classList.add("has-htmx");

  // Region selects ask /wilayah/<code>; an empty choice clears the levels below
  // without asking the server. A kabupaten's answer brings the desa lists of
  // its kecamatan along (<template data-untuk> in the picker's list box), so a
  // kecamatan chosen fills the desa select from there, without a request; the
  // lookup page brings every province's kabupaten list (data at the end of the
  // page, #kabupaten-daftar, for the select its data-untuk names), so a
  // province chosen asks nothing either. A choice made meanwhile has already
  // cancelled an answer still on its way (hx-sync="closest fieldset:replace"
  // acts before htmx:beforeRequest).
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt.hasAttribute("data-wilayah")) return;
    evt.detail.path = elt.getAttribute("hx-get").replace("KODE", encodeURIComponent(elt.value));
  });
  var kabupatenData = document.getElementById("kabupaten-daftar"), kabupatenLists = null;
  function kabupatenOf(select) {
    if (!kabupatenData || kabupatenData.getAttribute("data-untuk") !== select.id) return null;
    if (kabupatenLists === null) {
      try { kabupatenLists = JSON.parse(kabupatenData.textContent); } catch (e) { kabupatenLists = {}; }
    }
    return Object.prototype.hasOwnProperty.call(kabupatenLists, select.value) ? kabupatenLists[select.value] : null;
  }
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt.hasAttribute("data-wilayah")) return;
    var fieldset = elt.closest("fieldset");
    var listed = elt.value && kabupatenOf(elt);
    var kept = elt.value && !listed && /^[0-9.]+$/.test(elt.value) &&
      fieldset.querySelector('template[data-untuk="' + elt.value + '"]');
    if (elt.value && !kept && !listed) return;
    evt.preventDefault();
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    selects.slice(selects.indexOf(elt) + 1).forEach(function (s) {
      s.length = 1;
      s.selectedIndex = 0;
    });
    var target = document.querySelector(elt.getAttribute("hx-target"));
    if (kept) target.innerHTML = kept.innerHTML;
    if (listed) {
      listed.forEach(function (kabupaten) {
        target.add(new Option(kabupaten[1], elt.value + "." + kabupaten[0]));
      });
    }
  });

  // One polite live region, made the first time something is to be said
  // (the text follows a moment later, so screen readers notice the region).
  var live = null;
  function say(message) {
    if (!live) {
      live = document.createElement("p");
      live.className = "vh";
      live.setAttribute("role", "status");
      document.body.appendChild(live);
    }
    live.textContent = "";
    setTimeout(function () { live.textContent = message; }, 150);
  }

  // After a swap, move focus to what changed: an error summary or a result;
  // a new captcha (Ganti kode / Dengarkan kode) takes focus and is announced.
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    var elt = evt.detail.elt;
    if (!elt.querySelector) return;
    var captcha = elt.hasAttribute("data-captcha") ? elt : null;
    if (captcha) {
      var challenge = captcha.querySelector("[data-captcha-focus]");
      if (challenge) challenge.focus();
      say(captcha.getAttribute("data-captcha-said"));
      return;
    }
    var target = elt.querySelector("[data-focus]");
    if (target) target.focus();
  });
  var first = document.querySelector("[data-focus]");
  if (first) first.focus();

  // The server never sends a password back: an inline check that swaps a
  // password field keeps what the person typed, here in the browser.
  var typedPasswords = {};
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    typedPasswords = {};
    if (!target || !target.querySelectorAll) return;
    Array.prototype.forEach.call(target.querySelectorAll("input[type=password]"), function (input) {
      if (input.id && input.value) typedPasswords[input.id] = input.value;
    });
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    Object.keys(typedPasswords).forEach(function (id) {
      var input = document.getElementById(id);
      if (input && !input.value) input.value = typedPasswords[id];
    });
    typedPasswords = {};
  });

  // The region picker is never stuck. A choice made before htmx was ready
  // (a slow link shows the selects long before the scripts run), or one the
  // browser restored on Back with the lists below it empty, loads the next
  // level now; where that cannot happen the no-JS "Pilih" button stays.
  function unstick() {
    var selects = document.querySelectorAll("select[data-wilayah]");
    for (var i = 0; i < selects.length; i++) {
      var select = selects[i];
      var next = document.querySelector(select.getAttribute("hx-target"));
      if (select.value && next && next.options.length <= 1) {
        // Once per value: the checks below may come before the answer does.
        if (select.getAttribute("data-unstuck") === select.value) return;
        select.setAttribute("data-unstuck", select.value);
        htmx.trigger(select, "change");
        return;  // the levels below follow from this one
      }
    }
  }
  // Chromium may put back what was chosen after `load` has fired (a page
  // with nothing left to fetch, e.g. its captcha inline, is loaded before
  // the restore), so look again a little later, and on every pageshow.
  function checkSoon() {
    unstick();
    setTimeout(unstick, 200);
    setTimeout(unstick, 1000);
  }
  // A level htmx has already asked for (the person chose it, or a check
  // above did) is left to that request, and to its retry box if it fails.
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.matches && elt.matches("select[data-wilayah]")) elt.setAttribute("data-unstuck", elt.value);
  });
  if (document.readyState === "complete") setTimeout(checkSoon, 0);
  else window.addEventListener("load", checkSoon);
  window.addEventListener("pageshow", function () { setTimeout(checkSoon, 0); });

  // A request that fails (dropped, aborted, timed out, no answer) swaps
  // nothing, so everything typed stays; a message under what was used says
  // so, with a button that sends the same request again. Photo uploads have
  // their own message (below).
  var retryTemplate = document.getElementById("retry-template");
  function retryBox(elt) {
    var anchor = elt.closest(".field") || elt;
    var box = anchor.nextElementSibling;
    if (box && box.hasAttribute("data-retry")) return box;
    box = document.createElement("div");
    box.className = "retry";
    box.setAttribute("role", "alert");
    box.setAttribute("data-retry", "");
    var message = document.createElement("p");
    message.textContent = retryTemplate.getAttribute("data-message");
    var again = document.createElement("button");
    again.type = "button";
    again.className = "button secondary";
    again.textContent = retryTemplate.getAttribute("data-button");
    box.appendChild(message);
    box.appendChild(again);
    anchor.parentNode.insertBefore(box, anchor.nextSibling);
    return box;
  }
  function requestFailed(evt) {
    var elt = evt.detail.elt;
    if (!retryTemplate || !elt || !elt.closest || uploadForm(evt) || !document.body.contains(elt)) return;
    var box = retryBox(elt);
    var button = box.querySelector("button");
    // The same trigger again: submit for a form, change for a select or an
    // inline-checked field, click for a button.
    var config = evt.detail.requestConfig;
    var type = elt.tagName === "FORM" ? "submit"
      : (config && config.triggeringEvent && config.triggeringEvent.type) ||
        (/^(SELECT|INPUT|TEXTAREA)$/.test(elt.tagName) ? "change" : "click");
    button.onclick = function () {
      box.remove();
      htmx.trigger(elt, type);
    };
    setTimeout(function () { button.focus(); }, 0);
  }
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    var anchor = elt && elt.closest && (elt.closest(".field") || elt);
    var box = anchor && anchor.nextElementSibling;
    if (box && box.hasAttribute("data-retry")) box.remove();
  });
  // (Not htmx:sendAbort: hx-sync aborts a request on purpose when a newer one replaces it.)
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, requestFailed);
  });
  // An answer that is not ours (a proxy's 502 page, a gateway timeout)
  // is not swapped into the page either.
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (uploadForm(evt) || status < 500 || evt.detail.xhr.getResponseHeader("HX-Retarget")) return;
    evt.detail.shouldSwap = false;
    requestFailed(evt);
  });

  // Print buttons (kiosk result slips): window.print needs JavaScript, so
  // they are shown only where it runs.
  document.body.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-print]");
    if (button) window.print();
  });

  // Photo uploads (<form data-upload>, sent by htmx): the form's <progress>
  // shows how much has gone. A dropped connection, a server failure (5xx,
  // 413) or a transfer that stalls (no byte moving for data-upload-stall
  // seconds, default 30) swaps nothing: the form keeps the chosen file, a
  // message says what happened, and the same button tries again. Without
  // JavaScript the form posts as a normal page. An upload asks for the
  // whole page (no HX-Request header), as that form would, and takes its
  // <main> (hx-select): title and error summary come along, and the views
  // need no fragment of their own.
  function uploadForm(evt) {
    var config = evt.detail.requestConfig;
    var elt = (config && config.elt) || evt.detail.elt;
    return elt && elt.closest ? elt.closest("form[data-upload]") : null;
  }
  document.body.addEventListener("htmx:configRequest", function (evt) {
    if (uploadForm(evt)) delete evt.detail.headers["HX-Request"];
  });
  function part(form, name) {
    return form.querySelector("[data-upload-" + name + "]");
  }
  function uploadFailed(evt) {
    var form = uploadForm(evt);
    if (!form) return;
    part(form, "progress").hidden = true;
    part(form, "failed").hidden = false;
    // The button was disabled while sending, which dropped the focus: give
    // it back once htmx enables it again, so Enter retries.
    setTimeout(function () {
      var button = form.querySelector("button");
      if (button && (!document.activeElement || document.activeElement === document.body)) button.focus();
    }, 0);
  }
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var form = uploadForm(evt);
    if (!form || evt.defaultPrevented) return;
    var progress = part(form, "progress");
    part(form, "failed").hidden = true;
    progress.removeAttribute("value");  // indeterminate until the first figure
    progress.hidden = false;
  });
  document.body.addEventListener("htmx:beforeSend", function (evt) {
    var form = uploadForm(evt), xhr = evt.detail.xhr, timer;
    if (!form) return;
    var stall = (parseFloat(form.getAttribute("data-upload-stall")) || 30) * 1000;
    function rearm() {
      clearTimeout(timer);
      timer = setTimeout(function () { xhr.abort(); }, stall);
    }
    rearm();
    xhr.upload.addEventListener("progress", rearm);
    xhr.addEventListener("progress", rearm);
    xhr.addEventListener("loadend", function () { clearTimeout(timer); });
  });
  document.body.addEventListener("htmx:xhr:progress", function (evt) {
    var form = uploadForm(evt);
    if (!form || !evt.detail.lengthComputable || !evt.detail.total) return;
    // Upload and response progress both arrive here: never move backwards.
    var progress = part(form, "progress");
    var percent = Math.floor(100 * evt.detail.loaded / evt.detail.total);
    if (!progress.hasAttribute("value") || percent > progress.value) progress.value = percent;
  });
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (!uploadForm(evt) || (status !== 413 && status < 500)) return;
    evt.detail.shouldSwap = false;
    uploadFailed(evt);
  });
  ["htmx:sendError", "htmx:sendAbort", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.body.addEventListener(name, uploadFailed);
  });
})();

// Idle sessions (kiosk, or signed in): <body data-kiosk-idle data-kiosk-warning>.
// The clock runs from the last request the server saw; activity on the page
// tells the server (POST ping, at most every few seconds), so both ends agree.
// A warning dialog comes `warning` seconds before the end; at 0 the hidden
// "Selesai" form ends the session on the server.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-kiosk-idle"), 10);
  var warning = parseInt(body.getAttribute("data-kiosk-warning"), 10);
  var dialog = document.getElementById("idle-warning");
  if (!idle || !warning || !dialog || !window.fetch) return;

  // Back/forward cache: a page restored from memory may show what the last
  // person saw; load it afresh instead.
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted) window.location.reload();
  });

  var text = document.getElementById("idle-warning-text");
  var live = dialog.querySelector("[data-idle-live]");
  var button = dialog.querySelector("[data-idle-continue]");
  var template = text.getAttribute("data-template");
  var throttle = Math.max(1, Math.min(15, (idle - warning) / 2)) * 1000;
  // Navigation start: never later than the server saw this page's request.
  var lastTouch = Date.now() - (window.performance ? performance.now() : 0);
  var pending = false, ended = false, returnFocus = null, timer;

  function csrfHeader() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}"); } catch (e) { return {}; }
  }

  function ping(done) {
    if (pending) return;
    pending = true;
    var sent = Date.now();
    fetch(dialog.getAttribute("data-ping"), {
      method: "POST", credentials: "same-origin", headers: csrfHeader(), redirect: "follow"
    }).then(function (response) {
      pending = false;
      if (response.status !== 204) return restart();
      lastTouch = sent;
      if (done) done();
    }, function () { pending = false; });
  }

  // The server has already ended the session: start over.
  function restart() {
    ended = true;
    window.location.assign(dialog.getAttribute("data-start"));
  }

  function end() {
    ended = true;
    clearInterval(timer);
    var form = dialog.querySelector("form[data-idle-end]");
    if (form) form.submit(); else restart();
  }

  function say(seconds) {
    var message = template.replace("{n}", String(seconds));
    text.textContent = message;
    // Screen readers hear the dialog once when it opens, then every 10 s.
    if (seconds % 10 === 0) live.textContent = message;
  }

  function open(seconds) {
    returnFocus = document.activeElement;
    dialog.hidden = false;
    say(seconds);
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
    button.focus();
  }

  function close() {
    if (dialog.close && dialog.open) dialog.close(); else dialog.removeAttribute("open");
    dialog.hidden = true;
    live.textContent = "";
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }

  function carryOn() {
    ping(close);
  }

  function tick() {
    if (ended) return;
    var left = Math.ceil(idle - (Date.now() - lastTouch) / 1000);
    if (left <= 0) return end();
    if (left <= warning) {
      if (dialog.hidden) open(left); else say(left);
    }
  }

  function activity() {
    if (ended || !dialog.hidden) return;  // once warned, only "Lanjutkan" counts
    if (Date.now() - lastTouch >= throttle) ping();
  }

  ["keydown", "pointerdown", "pointermove", "input", "wheel", "touchstart", "scroll"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });
  button.addEventListener("click", carryOn);
  // Escape on the dialog also means "Lanjutkan" (it would only close it).
  dialog.addEventListener("cancel", function (evt) {
    evt.preventDefault();
    carryOn();
  });
  timer = setInterval(tick, 500);
})();
