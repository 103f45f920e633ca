/* Case page charts: the playback timeline (playhead and speed against wall-clock time) and the answer
   timings, drawn with the vendored ECharts from the JSON the page embeds. Each chart can be swapped for
   its table; without JavaScript the tables are what the page shows. */
(function () {
  "use strict";
  var source = document.getElementById("case-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;

  var charts = new ZJCharts();
  var draw = charts.draw.bind(charts);

  var p = data.playback;
  if (p.at.length) {
    draw("playback", {
      tooltip: { trigger: "axis" }, legend: { data: [labels.playhead, labels.speed] },
      grid: { left: 56, right: 56, bottom: 40 },
      xAxis: { type: "time" },
      yAxis: [{ type: "value", name: labels.playhead }, { type: "value", name: labels.speed, min: 0 }],
      series: [
        { name: labels.playhead, type: "line", showSymbol: true, data: p.at.map(function (t, i) { return [t, p.playhead[i]]; }) },
        { name: labels.speed, type: "scatter", yAxisIndex: 1, data: p.at.map(function (t, i) { return [t, p.speed[i]]; })
            .filter(function (d) { return d[1] !== null; }),
          markLine: { silent: true, symbol: "none", data: [{ yAxis: 1 }] } }
      ]
    });
  }
  var a = data.answers;
  if (a.items.length) {
    draw("answers", {
      tooltip: { trigger: "axis" }, grid: { left: 56, right: 16, bottom: 64 },
      xAxis: { type: "category", data: a.items, axisLabel: { rotate: a.items.length > 8 ? 40 : 0 } },
      yAxis: { type: "value", name: labels.seconds },
      series: [{ name: labels.seconds, type: "bar", data: a.seconds }]
    });
  }

  charts.wireTables(null);
})();
