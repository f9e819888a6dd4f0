// Keyboard shortcuts for the queue and thread pages. No inline script: the page's
// Content-Security-Policy allows scripts from this server only.
//   j / k   next / previous item        a / r / d   approve / reject / defer the current item
//   x       select it for bulk actions   n          write a note       t   open it in its thread
(function () {
  "use strict";
  function items() { return Array.prototype.slice.call(document.querySelectorAll("article.item")); }
  var current = -1;

  function select(i) {
    var all = items();
    if (!all.length) { return; }
    i = Math.max(0, Math.min(all.length - 1, i));
    if (current >= 0 && all[current]) { all[current].classList.remove("current"); }
    current = i;
    all[i].classList.add("current");
    all[i].scrollIntoView({ block: "nearest" });
  }

  function decide(kind) {
    var item = items()[current];
    if (!item) { return; }
    var button = item.querySelector("form.decide button[value='" + kind + "']");
    if (button) { button.click(); }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var item = items()[current];
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "a": decide("approve"); break;
      case "r": decide("reject"); break;
      case "d": decide("defer"); break;
      case "x": if (item && item.querySelector(".pick")) { item.querySelector(".pick").click(); } break;
      case "n": if (item && item.querySelector(".note")) { item.querySelector(".note").focus(); } break;
      case "t": if (item && item.querySelector(".thread-link")) { item.querySelector(".thread-link").click(); } break;
      default: return;
    }
    event.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var all = items();
    var focus = all.findIndex(function (el) { return el.classList.contains("focus"); });
    if (all.length) { select(focus >= 0 ? focus : 0); }
    document.addEventListener("keydown", onKey);
  });
})();
