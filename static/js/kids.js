/* The children's ballot, on a tablet or a phone. The page works without this script
   (each card is a real radio button or checkbox in a label; CSS marks the picked ones);
   the script adds what a child who cannot read needs:
   - a tap on a card plays its clip through the card's <audio> element; a card without a
     clip speaks its label where the browser has a Chinese voice (an extra: headless and
     offline browsers often have none);
   - with more than one pick, a card past the limit is not taken: it shakes (its clip
     still plays, so the child hears what they tapped);
   - the big ✓ is aria-disabled until something is picked, and sends the ballot once
     (a double tap must not send a used code a second time);
   - the celebration and a kiosk's picture messages go back by themselves
     (data-next-url, data-next-after in milliseconds), besides their big arrow.
   No inline code: it runs under the site's CSP (script-src 'self'). */
(function () {
  "use strict";

  function slotOf(el) {
    return el.closest(".kids-card-slot");
  }

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function chineseVoice() {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
      return null;
    }
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^(zh|cmn)/i.test(voices[i].lang || "")) {
        return voices[i];
      }
    }
    return null;
  }

  function speak(text) {
    var voice = chineseVoice();
    if (!voice || !text) {
      return;
    }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  function say(slot) {
    var clip = slot.querySelector("audio");
    each(document.querySelectorAll(".kids-card-clip"), function (other) {
      if (other !== clip && !other.paused) {
        other.pause();
      }
    });
    if (!clip) {
      speak(slot.getAttribute("data-label"));
      return;
    }
    try {
      clip.currentTime = 0;
    } catch (ignored) { /* not loaded yet: it starts from the beginning anyway */ }
    var playing = clip.play();
    if (playing && typeof playing.catch === "function") {
      playing.catch(function () { /* no sound device, or blocked: the card still works */ });
    }
  }

  function shake(el) {
    el.classList.remove("is-refused");
    void el.offsetWidth; // restart the animation on a second refused tap
    el.classList.add("is-refused");
  }

  function pickedCount(form) {
    return form.querySelectorAll("input[name=entry]:checked").length;
  }

  function refresh(form) {
    var button = form.querySelector(".kids-vote");
    if (button) {
      button.setAttribute("aria-disabled", pickedCount(form) === 0 || form.__kidsSent ? "true" : "false");
    }
  }

  function setUpBallot(form) {
    var limit = Number(form.getAttribute("data-picks")) || 1;
    var button = form.querySelector(".kids-vote");

    form.addEventListener("click", function (event) {
      var input = event.target.closest && event.target.closest("input[name=entry]");
      if (!input) {
        return;
      }
      var slot = slotOf(input);
      // A checkbox's new state is already set when the click reaches us; preventing the
      // default puts it back.
      if (input.type === "checkbox" && input.checked && pickedCount(form) > limit) {
        event.preventDefault();
        shake(slot);
      }
      say(slot);
      window.setTimeout(function () { refresh(form); }, 0);
    });

    form.addEventListener("change", function () { refresh(form); });

    form.addEventListener("submit", function (event) {
      if (pickedCount(form) === 0 || form.__kidsSent) {
        event.preventDefault();
        if (button && !form.__kidsSent) {
          shake(button);
        }
        return;
      }
      form.__kidsSent = true;
      refresh(form);
    });

    // Back to this page from the history (bfcache): it may be sent again.
    window.addEventListener("pageshow", function () {
      form.__kidsSent = false;
      refresh(form);
    });

    refresh(form);
  }

  function setUpWayBack(main) {
    var url = main.getAttribute("data-next-url");
    var after = Number(main.getAttribute("data-next-after"));
    if (url && after > 0) {
      window.setTimeout(function () { window.location.assign(url); }, after);
    }
  }

  function start() {
    each(document.querySelectorAll("form.kids-ballot"), setUpBallot);
    each(document.querySelectorAll("[data-next-url][data-next-after]"), setUpWayBack);
    if ("speechSynthesis" in window && typeof window.speechSynthesis.getVoices === "function") {
      window.speechSynthesis.getVoices(); // some browsers load their voices on first ask
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
