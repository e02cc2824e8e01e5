/* ECharts on pages without inline script: <div data-chart="options-id"> + {{ options|json_script:"options-id" }}. */
(function () {
  "use strict";
  function draw(root) {
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source || !window.echarts) {
        return;
      }
      var chart = window.echarts.getInstanceByDom(element) || window.echarts.init(element);
      chart.setOption(JSON.parse(source.textContent), true);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.target);
  });
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.resize();
      }
    });
  });
})();
