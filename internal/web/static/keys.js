// Single-key shortcuts for agents who live in the queue. Every page works
// without this file; it only moves focus, so the browser's own Enter/Space
// still do the opening and pressing. Keys are ignored while typing.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  // A browser that delivers the character separately from keydown (some
  // automation, some IMEs) would type it into the field just focused; the
  // character of a handled shortcut is swallowed.
  var swallow = "";
  document.addEventListener("keypress", function (e) {
    if (swallow && e.key === swallow) e.preventDefault();
    swallow = "";
  }, true);
  document.addEventListener("keyup", function () { swallow = ""; }, true);
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var el;
    switch (e.key) {
      case "/": // the page's search or first filter field
        el = document.querySelector('input[type="search"], main select, main input:not([type="hidden"]):not([type="checkbox"])');
        break;
      case "j": case "k": // next / previous row of a list
        // each row's first link (a case row also links its customer)
        var rows = Array.prototype.slice.call(document.querySelectorAll("table.list tbody tr"))
          .map(function (tr) { return tr.querySelector("td a[href]"); }).filter(Boolean);
        if (!rows.length) return;
        var i = rows.indexOf(document.activeElement);
        i = e.key === "j" ? Math.min(i + 1, rows.length - 1) : Math.max(i - 1, 0);
        el = rows[i];
        break;
      case "r": // write a reply on a case
        el = document.getElementById("body");
        break;
      default:
        return;
    }
    if (!el) return;
    e.preventDefault();
    swallow = e.key;
    el.focus();
    if (el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
  });
})();
