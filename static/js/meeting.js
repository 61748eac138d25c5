/* The countdown of a speaker's turn, on the projector screen, the chair's console and the
   residents' phones. The server renders every countdown as
     <span class="countdown" data-ends-at="…" data-server-now="…" data-running="1|0"
           data-remaining="…">mm:ss</span>
   (epoch milliseconds by the server's clock). When this script first sees such an element
   it notes how far this device's clock is from the server's (server-now − Date.now()), so
   a phone whose clock is a minute off still shows the same second as the screen. Then it
   writes mm:ss (−mm:ss once over) and sets the classes `ending` (30 s or less) and `over`.
   Elements that htmx swaps in are new elements: they bring their own server time.
   No eval, no inline code: it runs under the site's CSP (script-src 'self'). */
(function () {
  "use strict";

  var ENDING_MS = 30000;
  var offsets = typeof WeakMap === "function" ? new WeakMap() : null;

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  // Same rounding as screen_views.mmss: whole seconds up while time is left.
  function mmss(ms) {
    var sign = "";
    var seconds;
    if (ms > 0) {
      seconds = Math.ceil(ms / 1000);
    } else {
      sign = "\u2212";
      seconds = Math.floor(-ms / 1000);
    }
    return sign + pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
  }

  function offsetOf(el) {
    var known = offsets ? offsets.get(el) : el.__meetingOffset;
    if (known === undefined) {
      known = Number(el.getAttribute("data-server-now")) - Date.now();
      if (offsets) { offsets.set(el, known); } else { el.__meetingOffset = known; }
    }
    return known;
  }

  function remaining(el) {
    if (el.getAttribute("data-running") !== "1") {
      return Number(el.getAttribute("data-remaining"));
    }
    return Number(el.getAttribute("data-ends-at")) - (Date.now() + offsetOf(el));
  }

  function setClass(el, name, on) {
    if (el.classList.contains(name) !== on) {
      if (on) { el.classList.add(name); } else { el.classList.remove(name); }
    }
  }

  function tick() {
    var all = document.querySelectorAll(".countdown[data-ends-at]");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      var left = remaining(el);
      if (isNaN(left)) { continue; }
      var text = mmss(left);
      if (el.textContent !== text) { el.textContent = text; }
      setClass(el, "ending", left > 0 && left <= ENDING_MS);
      setClass(el, "over", left <= 0);
    }
  }

  // Four times a second: a change of second shows within a quarter of a second.
  function start() {
    tick();
    window.setInterval(tick, 250);
    document.addEventListener("htmx:afterSwap", tick);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
