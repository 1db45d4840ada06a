// The chat playground: POST /v1/chat with stream=true, read its Server-Sent Events
// (items, reply, blurb deltas, blurb_done, done) and draw one card per item.
"use strict";
const $ = (id) => document.getElementById(id);
const history = []; // {role, content, item_ids?}

for (const id of ["user", "api-key", "k"]) {
  $(id).value = localStorage.getItem("recs-" + id) || $(id).value;
  $(id).addEventListener("change", () => localStorage.setItem("recs-" + id, $(id).value));
}

function headers() {
  const h = { "Content-Type": "application/json" };
  if ($("api-key").value) h["X-API-Key"] = $("api-key").value;
  return h;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function badge(text, cls) { return el("span", "badge" + (cls ? " " + cls : ""), text); }

function card(item, info) {
  const c = el("article", "card");
  c.dataset.itemId = item.item_id;
  c.append(el("h3", "", `${item.rank}. ${item.title}`));
  c.append(el("p", "blurb"));
  const meta = el("div", "meta");
  meta.append(badge(`score ${item.score.toFixed(3)}`));
  for (const [src, v] of Object.entries(item.sources || {})) meta.append(badge(`${src} ${Number(v).toFixed(2)}`));
  meta.append(el("div", "", info));
  c.append(meta);
  c.addEventListener("click", () => showSimilar(c, item.item_id));
  return c;
}

async function showSimilar(c, itemId) {
  if (c.querySelector(".similar")) return;
  const list = el("ul", "similar");
  c.append(list);
  const r = await fetch(`/v1/items/${encodeURIComponent(itemId)}/similar?k=5`, { headers: headers() });
  if (!r.ok) { list.append(el("li", "error", `similar items: HTTP ${r.status}`)); return; }
  const body = await r.json();
  list.append(el("li", "meta", "similar items:"));
  for (const s of body.items) list.append(el("li", "", s.title));
}

function understoodText(u) {
  const parts = [];
  if (u.include.length) parts.push("include " + u.include.join(", "));
  if (u.exclude.length) parts.push("exclude " + u.exclude.join(", "));
  if (u.values.length) parts.push(u.values.join("; "));
  if (u.numbers.length) parts.push(u.numbers.join("; "));
  if (u.like.length) parts.push("like " + u.like.join(", "));
  return `understood (${u.language}): ` + (parts.join(" · ") || "free text");
}

async function* sse(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let m;
    while ((m = /\r?\n\r?\n/.exec(buf))) {  // events end with a blank line (CRLF or LF)
      const block = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      let event = "message", data = "";
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data) yield [event, JSON.parse(data)];
    }
  }
}

async function send(text) {
  const conv = $("conversation");
  const turn = el("div", "turn user");
  turn.append(el("p", "", text));
  conv.append(turn);
  history.push({ role: "user", content: text });
  const answer = el("div", "turn assistant");
  const reply = el("p", "reply", "…");
  const understood = el("p", "understood");
  const cards = el("div", "cards");
  answer.append(reply, understood, cards);
  conv.append(answer);
  const body = { messages: history, k: Number($("k").value) || 5, stream: true, use_llm: $("use-llm").checked };
  if ($("user").value) body.user_id = $("user").value;
  $("send").disabled = true;
  let itemIds = [];
  try {
    const r = await fetch("/v1/chat", { method: "POST", headers: headers(), body: JSON.stringify(body) });
    if (!r.ok) {
      const err = await r.json().catch(() => ({}));
      throw new Error(err.detail || `HTTP ${r.status}`);
    }
    for await (const [event, data] of sse(r)) {
      if (event === "items") {
        itemIds = data.items.map((i) => i.item_id);
        understood.textContent = understoodText(data.understood);
        const info = `${data.reranked ? "reranked" : "candidate order"} · ${data.reranker_version || data.fallback_reason || ""}`;
        for (const item of data.items) cards.append(card(item, info));
      } else if (event === "reply") {
        reply.textContent = data.delta;
      } else if (event === "blurb") {
        const b = cards.querySelector(`[data-item-id="${CSS.escape(data.item_id)}"] .blurb`);
        if (b) { if (b.dataset.attempt !== String(data.attempt)) { b.textContent = ""; b.dataset.attempt = data.attempt; } b.textContent += data.delta; }
      } else if (event === "blurb_done") {
        const c = cards.querySelector(`[data-item-id="${CSS.escape(data.item_id)}"]`);
        if (c) {
          c.querySelector(".blurb").textContent = data.blurb;
          const meta = c.querySelector(".meta");
          meta.prepend(badge(data.source === "llm" ? "LLM" : "facts"));
          if (data.source === "llm") meta.prepend(badge(data.grounded ? "grounded" : "not grounded", data.grounded ? "ok" : "warn"));
          c.dataset.done = "1";
        }
      } else if (event === "done") {
        history.push({ role: "assistant", content: data.reply, item_ids: itemIds });
        answer.dataset.done = "1";
      } else if (event === "error") {
        throw new Error(data.detail);
      }
    }
  } catch (e) {
    answer.append(el("p", "error", String(e.message || e)));
  } finally {
    $("send").disabled = false;
  }
}

$("ask").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("message").value.trim();
  if (!text) return;
  $("message").value = "";
  send(text);
});
$("reset").addEventListener("click", () => { history.length = 0; $("conversation").textContent = ""; });
