/* Credit review pages: SLA countdown badges tick every minute. No inline JS. */
(function () {
  "use strict";
  function text(minutes) {
    var left = Math.abs(minutes), days = Math.floor(left / 1440), hours = Math.floor((left % 1440) / 60), mins = left % 60;
    if (days) { return days + "d " + hours + "h"; }
    return hours ? hours + "h " + (mins < 10 ? "0" : "") + mins + "m" : mins + "m";
  }
  function tick() {
    document.querySelectorAll("[data-sla-due]").forEach(function (badge) {
      var due = Date.parse(badge.getAttribute("data-sla-due"));
      if (isNaN(due)) { return; }
      var minutes = Math.floor((due - Date.now()) / 60000);
      var label = badge.textContent;
      var number = label.match(/(\d+d )?(\d+h )?\d+m|\d+d \d+h/);
      if (number) { badge.textContent = label.replace(number[0], text(minutes)); }
    });
  }
  setInterval(tick, 60000);
})();
