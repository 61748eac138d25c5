/* Recording a picture card's label in the browser (the staff's card page).

   The page renders the recorder hidden (#recorder) and, always, a plain form (#clip-form)
   that posts a sound file chosen from the phone: without JavaScript, without a
   microphone, or on a plain-http address of the LAN (where browsers give no
   getUserMedia) that form is the way. When this browser can record, the recorder is
   shown: Start asks for the microphone and records with MediaRecorder, Stop ends it and
   offers a preview, Keep posts the recording with fetch() to the form's own action, in a
   FormData made from that form (so its csrf_token field goes along), asking for JSON;
   the server answers {location} to go to, or {error} to show.

   Messages come from data-* attributes the server wrote in the reader's language.
   No eval, no inline code: it runs under the site's CSP (script-src 'self'); the
   preview plays a blob: URL (media-src 'self' blob:). */
(function () {
  "use strict";

  var MAX_MS = 10000; // a label said aloud takes two or three seconds
  var TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  var EXTENSIONS = { "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a",
                     "audio/wav": "wav" };

  function canRecord() {
    return !!(window.MediaRecorder && navigator.mediaDevices &&
              navigator.mediaDevices.getUserMedia && window.FormData && window.fetch);
  }

  function chosenType() {
    if (!MediaRecorder.isTypeSupported) { return ""; }
    for (var i = 0; i < TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(TYPES[i])) { return TYPES[i]; }
    }
    return "";
  }

  function extensionOf(type) {
    return EXTENSIONS[(type || "").split(";")[0]] || "webm";
  }

  // To the page the server names; to the same page with only a new #fragment, assign()
  // would merely scroll, so reload it to show the kept clip.
  function go(location) {
    var target = new URL(location, window.location.href);
    var here = window.location.href.split("#")[0];
    if (target.href.split("#")[0] === here) {
      window.location.hash = target.hash;
      window.location.reload();
    } else {
      window.location.assign(target.href);
    }
  }

  function setUp(box) {
    var form = document.getElementById("clip-form");
    var start = document.getElementById("record-start");
    var stop = document.getElementById("record-stop");
    var keep = document.getElementById("record-keep");
    var status = document.getElementById("record-status");
    var preview = document.getElementById("record-preview");
    var unavailable = document.getElementById("record-unavailable");
    if (!form || !start || !stop || !keep || !status || !preview) { return; }

    var recorder = null;
    var stream = null;
    var chunks = [];
    var recording = null; // the Blob to keep
    var previewUrl = null;
    var timer = null;

    function say(key, isError) {
      status.textContent = box.getAttribute("data-" + key) || "";
      status.className = isError ? "error" : "";
    }

    function releaseMicrophone() {
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        stream = null;
      }
    }

    function showPreview(blob) {
      if (previewUrl) { URL.revokeObjectURL(previewUrl); }
      previewUrl = URL.createObjectURL(blob);
      preview.src = previewUrl;
      preview.hidden = false;
    }

    function finished() {
      clearTimeout(timer);
      releaseMicrophone();
      var type = (recorder && recorder.mimeType) || chosenType() || "audio/webm";
      recording = new Blob(chunks, { type: type });
      chunks = [];
      start.disabled = false;
      stop.disabled = true;
      keep.disabled = recording.size === 0;
      showPreview(recording);
      say("recorded");
    }

    start.addEventListener("click", function () {
      start.disabled = true;
      keep.disabled = true;
      recording = null;
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
        stream = s;
        var type = chosenType();
        recorder = type ? new MediaRecorder(s, { mimeType: type }) : new MediaRecorder(s);
        chunks = [];
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) { chunks.push(event.data); }
        });
        recorder.addEventListener("stop", finished);
        recorder.start();
        stop.disabled = false;
        say("recording");
        timer = setTimeout(function () {
          if (recorder && recorder.state === "recording") { recorder.stop(); }
        }, MAX_MS);
      }).catch(function () {
        releaseMicrophone();
        start.disabled = false;
        say("denied", true);
      });
    });

    stop.addEventListener("click", function () {
      stop.disabled = true;
      if (recorder && recorder.state === "recording") { recorder.stop(); }
    });

    keep.addEventListener("click", function () {
      if (!recording) { return; }
      keep.disabled = true;
      start.disabled = true;
      say("uploading");
      var data = new FormData(form);
      data.set("clip", recording, "recording." + extensionOf(recording.type));
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; });
      }).then(function (answer) {
        if (answer.location) {
          go(answer.location);
          return;
        }
        start.disabled = false;
        keep.disabled = false;
        if (answer.error) {
          status.textContent = answer.error;
          status.className = "error";
        } else {
          say("failed", true);
        }
      }).catch(function () {
        start.disabled = false;
        keep.disabled = false;
        say("failed", true);
      });
    });

    box.hidden = false;
    if (unavailable) { unavailable.hidden = true; }
    say("idle");
  }

  function init() {
    var box = document.getElementById("recorder");
    if (box && canRecord()) { setUp(box); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
