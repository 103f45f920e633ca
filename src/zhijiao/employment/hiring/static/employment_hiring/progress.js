/* Employment progress charts (ECharts, vendored) drawn from the JSON the page embeds; each chart can be
   swapped for its table. Without JavaScript the tables are what the page shows. */
(function () {
  "use strict";
  var source = document.getElementById("progress-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);

  var charts = new ZJCharts();
  var draw = charts.draw.bind(charts);

  var w = data.weekly;
  draw("weekly", {
    tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, bottom: 32 },
    xAxis: { type: "category", data: w.weeks }, yAxis: { type: "value", max: 100 },
    series: [{ name: w.label, type: "line", data: w.rates, areaStyle: {} }]
  });
  var t = data.trend;
  if (t.series.length) {
    draw("trend", {
      tooltip: { trigger: "axis" }, legend: { type: "scroll", data: t.series.map(function (s) { return s.name; }) },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: t.weeks }, yAxis: { type: "value", max: 100 },
      series: t.series.map(function (s) { return { name: s.name, type: "line", data: s.rates }; })
    });
  }
  var u = data.units;
  if (u.names.length) {
    draw("units", {
      tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, bottom: 64 },
      xAxis: { type: "category", data: u.names, axisLabel: { rotate: u.names.length > 6 ? 40 : 0 } },
      yAxis: { type: "value", max: 100 }, series: [{ name: u.label, type: "bar", data: u.rates }]
    });
  }
  if (data.regions.length) {
    draw("regions", { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["35%", "65%"], data: data.regions }] });
  }

  charts.wireTables("units");
})();
