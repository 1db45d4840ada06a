// The eval page: the latest `eval` report as a bar chart (NDCG@10 per ranker), the
// background trainer's validation numbers, and the prompt files with each blurb prompt's
// latest comparison (`prompts compare`).
"use strict";
const $ = (id) => document.getElementById(id);
const NS = "http://www.w3.org/2000/svg";
const key = localStorage.getItem("recs-api-key");
const opts = key ? { headers: { "X-API-Key": key } } : {};

function bars(target, rows, label) {
  const w = 640, barH = 22, left = 170, h = rows.length * (barH + 6) + 24;
  const max = Math.max(...rows.map((r) => r[1]), 1e-9);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  rows.forEach(([name, v], i) => {
    const y = i * (barH + 6);
    const t = document.createElementNS(NS, "text");
    t.setAttribute("x", 0); t.setAttribute("y", y + 15); t.textContent = name;
    const r = document.createElementNS(NS, "rect");
    r.setAttribute("x", left); r.setAttribute("y", y); r.setAttribute("height", barH);
    r.setAttribute("width", Math.max(1, (w - left - 70) * v / max)); r.setAttribute("fill", "#6d8ee8");
    r.setAttribute("class", "bar"); r.dataset.name = name;
    const n = document.createElementNS(NS, "text");
    n.setAttribute("x", left + 6 + (w - left - 70) * v / max); n.setAttribute("y", y + 15); n.textContent = v.toFixed(4);
    svg.append(t, r, n);
  });
  $(target).append(svg);
}

// A `prompts compare` summary: both sides, their main rates, and the clear differences.
function comparison(c) {
  const box = document.createElement("div");
  const fmt = (v, rate) => (v === null || v === undefined ? "-" : rate ? v.toFixed(2) : v.toFixed(1));
  const head = document.createElement("div");
  const models = c.a.model === c.b.model ? `on ${c.a.model}` : `on ${c.a.model} / ${c.b.model}`;
  const values = c.kind === "values";
  head.textContent = `A ${c.a.prompt} vs B ${c.b.prompt} ${models}: ` + (values
    ? `${c.requests} requests (${c.judged} judged), ${(c.finished || "").slice(0, 10)}`
    : `${c.people} people, ${c.pairs} items, ${c.language}, ${(c.finished || "").slice(0, 10)}`);
  const rates = document.createElement("div");
  const r = c.rates || {};
  const shown = values
    ? [["right", "right value", true], ["wrong", "wrong value", true], ["latency_ms", "ms per request", false]]
    : [["grounded", "grounded 1st try", true], ["praise", "empty praise", true], ["words", "words", false],
       ["latency_ms", "ms per blurb", false]];
  rates.textContent = shown.filter(([k]) => r[k])
    .map(([k, label, rate]) => `${label} ${fmt(r[k].a, rate)} / ${fmt(r[k].b, rate)}`).join(" · ");
  const list = document.createElement("ul");
  for (const d of c.differences || []) {
    const li = document.createElement("li");
    li.textContent = `${d.label}: ${fmt(d.a, d.rate)} → ${fmt(d.b, d.rate)}` + (d.better ? ` (${d.better.toUpperCase()} better)` : "");
    list.append(li);
  }
  if (!list.children.length) { const li = document.createElement("li"); li.textContent = "no clear difference"; list.append(li); }
  box.append(head, rates, list);
  return box;
}

(async () => {
  const r = await fetch("/v1/eval/latest", opts);
  if (r.ok) {
    const ev = await r.json();
    const cfg = ev.config || {};
    $("eval-meta").textContent = `${cfg.path || "?"}: ${cfg.users} held-out users, model ${cfg.model || "none"} (NDCG@10, leave-last-out)`;
    bars("eval-chart", Object.entries(ev.rankers).map(([k, v]) => [k, v["ndcg@10"]]), "NDCG@10 per ranker");
  } else {
    $("eval-meta").textContent = r.status === 404 ? "no evaluation yet: run `python -m service eval ...`" : `HTTP ${r.status}`;
  }
  const h = await fetch("/health/ready").then((x) => x.json()).catch(() => ({}));
  const run = h.trainer && h.trainer.last_run;
  if (run && run.validation) {
    bars("trainer-chart", Object.entries(run.validation).map(([k, v]) => [k, v["validation_ndcg@10"]]), "validation NDCG@10");
    $("trainer-meta").textContent = `serving ${h.trainer.served_artifact || "the candidate order"}; ${run.reason_chosen || ""}`;
  } else {
    $("trainer-meta").textContent = h.trainer ? `trainer: ${h.trainer.state}; ${h.trainer.next_run || ""}` : "no trainer";
  }
  const p = await fetch("/v1/prompts", opts);
  if (p.ok) {
    for (const row of (await p.json()).prompts) {
      const tr = document.createElement("tr");
      for (const k of ["name", "version", "kind", "description"]) { const td = document.createElement("td"); td.textContent = row[k]; tr.append(td); }
      const td = document.createElement("td");
      td.className = "comparison";
      if (row.comparison) td.append(comparison(row.comparison));
      else td.textContent = row.kind === "generate" ? "none yet" : "";
      tr.append(td);
      $("prompts").querySelector("tbody").append(tr);
    }
  }
})();
