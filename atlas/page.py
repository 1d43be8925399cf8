"""The explorer's single HTML page (vanilla JavaScript, no outside resources)."""

from __future__ import annotations

PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>redospec explorer</title>
<link rel="icon" href="data:,">
<style>
 body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0; color: #212529;
        background: #f1f3f5; font-size: 14px; }
 header { background: #212529; color: #f8f9fa; padding: 8px 16px; display: flex; gap: 16px;
          align-items: center; flex-wrap: wrap; }
 header h1 { font-size: 17px; margin: 0 12px 0 0; }
 header button, header select { font-size: 13px; }
 main { display: flex; gap: 12px; padding: 12px; align-items: flex-start; }
 #picture { background: #fff; border: 1px solid #ced4da; flex: 0 0 auto; }
 #picture svg { display: block; }
 #side { flex: 1 1 380px; min-width: 340px; display: flex; flex-direction: column; gap: 10px; }
 section { background: #fff; border: 1px solid #ced4da; border-radius: 6px; padding: 8px 10px; }
 section h2 { font-size: 14px; margin: 0 0 6px 0; }
 #actions button { display: block; width: 100%; text-align: left; margin: 3px 0;
                   font-family: monospace; font-size: 12px; padding: 4px 6px; cursor: pointer;
                   background: #e7f5ff; border: 1px solid #74c0fc; border-radius: 4px; }
 #actions button:hover { background: #d0ebff; }
 #actions .actor { color: #868e96; font-size: 11px; margin-top: 6px; }
 #actions select.choices { width: 100%; font-family: monospace; font-size: 12px; }
 #props li { list-style: none; font-family: monospace; font-size: 12px; padding: 1px 0; }
 #props ul { padding: 0; margin: 0; }
 .ok { color: #2b8a3e; } .bad { color: #c92a2a; font-weight: bold; }
 #trace ol { margin: 0; padding-left: 28px; font-family: monospace; font-size: 12px;
             max-height: 220px; overflow-y: auto; }
 #trace li a { color: #1971c2; text-decoration: none; cursor: pointer; }
 #changed td { font-family: monospace; font-size: 12px; padding: 0 6px 0 0;
               vertical-align: top; }
 #changed .field { color: #e8590c; font-weight: bold; }
 #error { background: #fff5f5; border-color: #ff8787; color: #c92a2a; display: none; }
 #brokenbox { background: #fff9db; border-color: #fab005; display: none; }
 #status { color: #adb5bd; font-size: 12px; }
 textarea { width: 100%; box-sizing: border-box; font-family: monospace; font-size: 12px; }
 code.replay { display: block; font-size: 11px; word-break: break-all; color: #495057; }
</style>
</head>
<body>
<header>
 <h1>redospec explorer</h1>
 <label>preset <select id="preset"><option>tiny</option><option>small</option>
  <option>innodb</option></select></label>
 <button id="back" title="undo the last step">&#8592; back</button>
 <button id="reset">reset</button>
 <button id="random" title="one random enabled action">random step</button>
 <button id="walk10">random walk &times;10</button>
 <button id="toend" title="random walk until nothing is enabled">run to the end</button>
 <label>example <select id="examples"><option value="">(choose)</option></select></label>
 <label>counterexample <select id="broken"><option value="">(choose a bug)</option>
  </select></label>
 <span id="status"></span>
</header>
<main>
 <div id="picture"></div>
 <div id="side">
  <section id="error"></section>
  <section id="brokenbox"></section>
  <section id="props"><h2>properties</h2><ul></ul></section>
  <section id="actions"><h2>enabled actions</h2><div></div></section>
  <section id="changed"><h2>changed by the last step</h2><table></table></section>
  <section id="trace"><h2>trace (<span id="steps">0</span> steps)</h2><ol></ol>
   <code class="replay" id="replay"></code></section>
  <section id="load"><h2>load a trace or counterexample</h2>
   <textarea id="paste" rows="4"
    placeholder="labels separated by ; or newlines (what explore prints, --replay accepts)"
    ></textarea>
   <button id="loadbtn">load</button></section>
 </div>
</main>
<script>
"use strict";
const DEFAULT_PRESET = "__DEFAULT_PRESET__";
const MENU_ABOVE = 12;
const $ = (id) => document.getElementById(id);
let preset = "tiny";
let trace = [];
let seed = 1;

function splitTrace(text) {
  return text.split(/[;\n]/).map((t) => t.replace(/#.*/, "").trim()).filter((t) => t);
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  preset = q.get("preset") || DEFAULT_PRESET;
  trace = splitTrace(q.get("trace") || "");
  seed = Number(q.get("seed") || "1");
}

function urlFor(p, t) {
  const q = new URLSearchParams();
  q.set("preset", p);
  if (t.length) q.set("trace", t.join("; "));
  return "?" + q.toString();
}

function showError(msg) {
  const e = $("error");
  e.textContent = msg;
  e.style.display = msg ? "block" : "none";
}

async function call(path, params) {
  const q = new URLSearchParams(params);
  const t0 = performance.now();
  const r = await fetch(path + "?" + q.toString());
  const data = await r.json();
  $("status").textContent = `${Math.round(performance.now() - t0)} ms`;
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

function render(data) {
  document.body.dataset.steps = String(data.trace.length);
  const bb = $("brokenbox");
  if (data.broken) {
    bb.textContent = `BROKEN MODEL ${data.broken.name}: ${data.broken.bug} ` +
      `(caught by ${data.broken.property}; teeth test ${data.broken.teeth})`;
    bb.style.display = "block";
    if (![...$("preset").options].some((o) => o.value === data.preset)) {
      const o = document.createElement("option");
      o.value = data.preset;
      o.textContent = data.preset;
      $("preset").appendChild(o);
    }
  } else {
    bb.style.display = "none";
  }
  $("preset").value = data.preset;
  $("picture").innerHTML = data.picture;
  const props = $("props").querySelector("ul");
  props.innerHTML = "";
  for (const [name, ok] of Object.entries(data.properties)) {
    const li = document.createElement("li");
    li.className = ok ? "ok" : "bad";
    li.dataset.property = name;
    li.dataset.holds = String(ok);
    const ids = (data.property_ids[name] || []).join(", ");
    li.textContent = `${ok ? "\u2714 holds   " : "\u2718 VIOLATED"} ${name} (${ids})` +
      (data.explain[name] ? ` \u2014 ${data.explain[name]}` : "");
    props.appendChild(li);
  }
  const acts = $("actions").querySelector("div");
  acts.innerHTML = "";
  if (!data.actions.length) {
    acts.textContent = data.terminal_ok ? "nothing enabled: every user is idle (a fine end)"
                                        : "nothing enabled: DEADLOCK";
  }
  // one button per label; an action with many choices (InnoDB's user_reserve has
  // thousands) gets a menu of its labels and one button
  const byAction = new Map();
  for (const a of data.actions) {
    if (!byAction.has(a.action)) byAction.set(a.action, []);
    byAction.get(a.action).push(a);
  }
  let actor = "";
  for (const [name, group] of byAction) {
    if (group[0].actor !== actor) {
      actor = group[0].actor;
      const d = document.createElement("div");
      d.className = "actor";
      d.textContent = actor;
      acts.appendChild(d);
    }
    if (group.length <= MENU_ABOVE) {
      for (const a of group) {
        const b = document.createElement("button");
        b.textContent = a.label;
        b.title = a.ids.join(", ");
        b.dataset.label = a.label;
        b.addEventListener("click", () => go(trace.concat([a.label]), true));
        acts.appendChild(b);
      }
    } else {
      const sel = document.createElement("select");
      sel.className = "choices";
      sel.dataset.action = name;
      for (const a of group) {
        const o = document.createElement("option");
        o.value = a.label;
        o.textContent = a.label;
        sel.appendChild(o);
      }
      const b = document.createElement("button");
      b.textContent = `${name}: take the chosen one of ${group.length} choices`;
      b.title = group[0].ids.join(", ");
      b.addEventListener("click", () => go(trace.concat([sel.value]), true));
      acts.appendChild(sel);
      acts.appendChild(b);
    }
  }
  const tbl = $("changed").querySelector("table");
  tbl.innerHTML = "";
  for (const c of data.changed) {
    const tr = document.createElement("tr");
    for (const [cls, text] of [["field", c.field], ["", c.before], ["", "\u2192"], ["", c.after]]) {
      const td = document.createElement("td");
      td.className = cls;
      td.textContent = text;
      tr.appendChild(td);
    }
    tbl.appendChild(tr);
  }
  const ol = $("trace").querySelector("ol");
  ol.innerHTML = "";
  data.trace.forEach((label, i) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.textContent = label;
    a.title = "go back to the state after this step";
    a.addEventListener("click", () => go(data.trace.slice(0, i + 1), true));
    li.appendChild(a);
    ol.appendChild(li);
  });
  ol.scrollTop = ol.scrollHeight;
  $("steps").textContent = String(data.trace.length);
  $("replay").textContent = !data.trace.length ? "" : data.broken ?
    "(a broken variant of the tiny model: redospec explore replays only the real presets)" :
    `redospec explore --preset ${data.preset} --replay "${data.trace_text}"`;
  $("back").disabled = data.trace.length === 0;
}

async function go(newTrace, push) {
  try {
    const data = await call("/api/state", {preset, trace: newTrace.join("; ")});
    trace = data.trace;
    showError("");
    render(data);
    if (push) history.pushState(null, "", urlFor(preset, trace));
  } catch (err) {
    showError(String(err.message || err));
  }
}

async function walk(steps) {
  try {
    const data = await call("/api/walk", {preset, trace: trace.join("; "), steps, seed});
    seed += 1;
    trace = data.trace;
    showError("");
    render(data);
    $("status").textContent += " \u00b7 " + data.stopped;
    history.pushState(null, "", urlFor(preset, trace));
  } catch (err) {
    showError(String(err.message || err));
  }
}

async function loadExamples() {
  const sel = $("examples");
  sel.length = 1;
  try {
    const data = await call("/api/examples", {preset});
    for (const ex of data.examples) {
      const o = document.createElement("option");
      o.value = ex.trace;
      o.textContent = ex.name;
      o.title = ex.description;
      sel.appendChild(o);
    }
  } catch (err) {
    showError(String(err.message || err));
  }
}

async function loadBroken() {
  try {
    const data = await call("/api/broken", {});
    for (const b of data.broken) {
      const o = document.createElement("option");
      o.value = b.name;
      o.textContent = `${b.name} (${b.property})`;
      o.title = b.bug;
      o.dataset.trace = b.trace;
      $("broken").appendChild(o);
    }
  } catch (err) {
    showError(String(err.message || err));
  }
}

$("broken").addEventListener("change", () => {
  const o = $("broken").selectedOptions[0];
  if (!o || !o.value) return;
  preset = "tiny:" + o.value;
  go(splitTrace(o.dataset.trace), true);
  loadExamples();
});
$("back").addEventListener("click", () => go(trace.slice(0, -1), true));
$("reset").addEventListener("click", () => go([], true));
$("random").addEventListener("click", () => walk(1));
$("walk10").addEventListener("click", () => walk(10));
$("toend").addEventListener("click", () => walk(-1));
$("preset").addEventListener("change", () => {
  preset = $("preset").value;
  go([], true);
  loadExamples();
});
$("examples").addEventListener("change", () => {
  const v = $("examples").value;
  if (v) go(splitTrace(v), true);
});
$("loadbtn").addEventListener("click", () => go(splitTrace($("paste").value), true));
window.addEventListener("popstate", () => { readUrl(); go(trace, false); });

readUrl();
go(trace, false);
loadExamples();
loadBroken();
</script>
</body>
</html>
"""
