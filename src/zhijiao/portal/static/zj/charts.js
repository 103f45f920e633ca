/* Shared by the pages that draw ECharts (vendored) from JSON they embed: the cockpit, employment progress,
   monitoring cases. Every chart has a table twin ([data-chart=NAME] / [data-table=NAME]) and a checkbox
   [data-table-toggle=NAME] that swaps one for the other; without JavaScript the tables are what shows. */
(function () {
  "use strict";

  function ZJCharts() {
    this.charts = [];
    var self = this;
    window.addEventListener("resize", function () { self.resize(); });
  }

  ZJCharts.prototype.resize = function () {
    this.charts.forEach(function (ch) { ch.resize(); });
  };

  /* Draw ``option`` into [data-chart=name] if the page has it and ECharts loaded. */
  ZJCharts.prototype.draw = function (name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el || typeof echarts === "undefined") return;
    var chart = echarts.init(el);
    chart.setOption(option);
    this.charts.push(chart);
  };

  /* Wire the chart/table switches. ``keepChart`` names a chart whose table carries links (drill-down), so
     it shows beside its chart; a switch whose chart was not drawn is hidden. */
  ZJCharts.prototype.wireTables = function (keepChart) {
    var self = this;
    document.querySelectorAll("[data-table-toggle]").forEach(function (box) {
      var name = box.getAttribute("data-table-toggle");
      var chart = document.querySelector('[data-chart="' + name + '"]');
      var table = document.querySelector('[data-table="' + name + '"]');
      if (!chart || !table) return;
      if (!chart.childElementCount) { box.parentNode.hidden = true; return; }
      var beside = name === keepChart;
      function apply() {
        table.hidden = !box.checked;
        chart.hidden = box.checked && !beside;
        self.resize();
      }
      box.checked = beside;
      apply();
      box.addEventListener("change", apply);
    });
  };

  window.ZJCharts = ZJCharts;
})();
