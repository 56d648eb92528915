// The calendar's small behaviours, loaded on its pages only. Without them everything still works
// through each entry's move form.
// - Drag an entry ([data-entry][draggable], beside its move form) onto a day ([data-date]) or an hour ([data-time]) to move
//   it: the entry's own move form is filled in and sent, so the server's answer is the same.
// - When this device's time zone is not the workspace's, each time ([data-utc]) is followed by the
//   device's time.
(function () {
  if (window.wartaCalendar) return; // htmx runs the script again when it swaps the page in
  window.wartaCalendar = true;

  var dragged = null, target = null;
  function mark(cell) {
    if (target === cell) return;
    if (target) target.style.outline = "";
    target = cell;
    // Setting a property through the CSSOM is allowed by the page's style policy; a style attribute is not.
    if (cell) cell.style.outline = "3px dashed #0b5f73";
  }
  function cellOf(e) {
    return dragged && e.target.closest ? e.target.closest("#calendar [data-date]") : null;
  }
  document.addEventListener("dragstart", function (e) {
    var el = e.target.closest && e.target.closest("[data-entry][draggable=true]");
    if (!el) return;
    dragged = el;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", el.getAttribute("data-entry"));
  });
  document.addEventListener("dragend", function () { dragged = null; mark(null); });
  document.addEventListener("dragover", function (e) {
    var cell = cellOf(e);
    if (!cell) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    mark(cell);
  });
  document.addEventListener("drop", function (e) {
    var cell = cellOf(e);
    if (!cell) return;
    e.preventDefault();
    var form = dragged.closest(".cal-entry").querySelector("form");
    var input = form && form.querySelector("input[name=at]");
    mark(null);
    if (!input) return;
    // A day keeps the entry's time; an hour row keeps its minutes.
    var hhmm = input.value.slice(11, 16) || "09:00";
    var hour = cell.getAttribute("data-time");
    if (hour) hhmm = hour.slice(0, 3) + hhmm.slice(3);
    var value = cell.getAttribute("data-date") + "T" + hhmm;
    if (value === input.value) return;
    input.value = value;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // A refused move answers 422 with the calendar and the reason beside the field: show it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var from = (e.detail.requestConfig && e.detail.requestConfig.elt) || e.detail.elt;
    if (e.detail.xhr.status === 422 && from && from.closest && from.closest("#calendar")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  function localTimes() {
    var cal = document.getElementById("calendar");
    if (!cal || !window.Intl) return;
    var zone = cal.getAttribute("data-zone");
    var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!mine || !zone || mine === zone) return;
    var lang = document.documentElement.lang === "id" ? "id-ID" : "en-GB";
    var clock = new Intl.DateTimeFormat(lang, {hour: "2-digit", minute: "2-digit", timeZone: mine, timeZoneName: "short"});
    var date = new Intl.DateTimeFormat(lang, {day: "numeric", month: "short", timeZone: mine});
    var dayMine = new Intl.DateTimeFormat("en-CA", {timeZone: mine});
    var dayThere = new Intl.DateTimeFormat("en-CA", {timeZone: zone});
    var label = cal.getAttribute("data-local-label");
    cal.querySelectorAll("[data-utc]").forEach(function (el) {
      var next = el.nextElementSibling;
      if (next && next.classList.contains("local-time")) return;
      var t = new Date(el.getAttribute("data-utc"));
      if (isNaN(t)) return;
      var text = clock.format(t);
      if (dayMine.format(t) !== dayThere.format(t)) text = date.format(t) + " " + text;
      var span = document.createElement("span");
      span.className = "local-time muted";
      span.textContent = " (" + label + ": " + text + ")";
      el.after(span);
    });
    var note = document.getElementById("cal-local-zone");
    if (note) {
      note.textContent = note.getAttribute("data-text").replace("{zone}", mine);
      note.hidden = false;
    }
  }

  // After htmx swaps the page in: times again, and focus on the refused field or the message.
  document.addEventListener("htmx:load", function () {
    localTimes();
    var bad = document.querySelector("#calendar [aria-invalid=true]");
    var flash = document.querySelector("#main .flash");
    if (bad) bad.focus();
    else if (flash) { flash.tabIndex = -1; flash.focus(); }
  });
  localTimes();
})();
