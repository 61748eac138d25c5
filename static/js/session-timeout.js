/* Two jobs for the staff session clock (app/accounts/idle.py):

   1. Every htmx poll (an `every Ns` trigger) is sent with `X-Background: 1`, on every
      page, so that a page left open does not keep a staff session alive. htmx 2 issues a
      poll without a triggering event: detail.triggeringEvent is undefined, while a click,
      a submit or a change carries its event.

   2. On pages of a session that times out, base.html renders
        <dialog id="idle-warning" data-remaining="…" data-idle="…" data-warn="…"
                data-status-url="…" data-login-url="…">
      Two minutes before the end (data-warn seconds) the dialog opens with a countdown and
      one button, "Stay signed in", which posts its form in the background and closes.
      Before opening, and again at the end, it asks the server how much time is really
      left (the person may be working in another tab). At the end it goes to the login
      page, which says why. Esc closes the dialog without extending, as it should.

   No eval, no inline code: it runs under the site's CSP (script-src 'self'). */
(function () {
  "use strict";

  var POLL = /(^|,)\s*every\s/;
  var ownRequestListeners = [];

  function isPoll(detail) {
    var trigger = detail.elt && detail.elt.getAttribute ? detail.elt.getAttribute("hx-trigger") : "";
    return !detail.triggeringEvent && POLL.test(trigger || "");
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    if (isPoll(evt.detail)) {
      evt.detail.headers["X-Background"] = "1";
    } else {
      for (var i = 0; i < ownRequestListeners.length; i++) { ownRequestListeners[i](); }
    }
  });

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function mmss(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    return pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
  }

  function start() {
    var dialog = document.getElementById("idle-warning");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var idleMs = Number(dialog.getAttribute("data-idle")) * 1000;
    var warnMs = Number(dialog.getAttribute("data-warn")) * 1000;
    var statusUrl = dialog.getAttribute("data-status-url");
    var loginUrl = dialog.getAttribute("data-login-url");
    var countdown = dialog.querySelector(".idle-countdown");
    var form = dialog.querySelector("form");
    var deadline = Date.now() + Number(dialog.getAttribute("data-remaining")) * 1000;
    var asking = false;
    var confirmed = false; // the server agreed the time is nearly up
    var dismissed = false; // closed with Esc: not opened again until the time is up

    function goToLogin() {
      window.location.assign(loginUrl);
    }

    // What the server says: seconds left, or null once signed out (or never timing out).
    function settle(state) {
      if (!state.signed_in) { goToLogin(); return; }
      if (state.remaining === null) { deadline = Infinity; return; }
      deadline = Date.now() + state.remaining * 1000;
      confirmed = deadline - Date.now() <= warnMs;
      if (!confirmed) { dismissed = false; }
    }

    function ask() {
      asking = true;
      fetch(statusUrl, {headers: {"X-Background": "1", "Accept": "application/json"},
                        credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.json(); })
        .then(settle)
        .catch(function () { /* offline: the next tick asks again */ })
        .then(function () { asking = false; });
    }

    function close() {
      confirmed = false;
      if (dialog.open) { dialog.close(); }
    }

    function tick() {
      var left = deadline - Date.now();
      if (left > warnMs) { close(); return; }
      if (asking) { return; }
      if (!confirmed || left <= 0) { ask(); return; }
      if (countdown) { countdown.textContent = mmss(left); }
      if (!dialog.open && !dismissed) { dialog.showModal(); }
    }

    dialog.addEventListener("cancel", function () { dismissed = true; });

    // An own request from this page (a click, a form) resets the server's clock.
    ownRequestListeners.push(function () {
      deadline = Date.now() + idleMs;
      dismissed = false;
      close();
    });

    if (form) {
      form.addEventListener("submit", function (evt) {
        evt.preventDefault();
        fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                            headers: {"Accept": "application/json"}})
          .then(function (response) {
            if (!response.ok || response.redirected) { throw new Error("signed out"); }
            return response.json();
          })
          .then(function (state) { settle(state); close(); })
          .catch(goToLogin);
      });
    }

    window.setInterval(tick, 1000);
    tick();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
