// Pacer's dashboard: renders the state the admin API streams at /v1/dashboard/events (one JSON
// document a second). Everything from the server goes in with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function setStatus(id, text, tone) {
  const node = $(id);
  node.textContent = text;
  node.className = tone || "";
}

function rate(value, digits) {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

function percent(value) {
  return value === null || value === undefined ? "–" : (value * 100).toFixed(1) + " %";
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return "never";
  if (seconds < 90) return Math.round(seconds) + " s ago";
  if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
  return Math.round(seconds / 3600) + " h ago";
}

function appRow(app) {
  const row = el("tr");
  row.dataset.app = app.id;
  row.appendChild(el("td", "mono", app.id));
  row.appendChild(el("td", "mono", app.prefixes.join(" ")));
  row.appendChild(el("td", "mono", app.hosts.join(" ")));
  const tasks = el("td");
  if (app.tasks.length === 0) tasks.appendChild(el("span", "chip failing", "no task"));
  for (const task of app.tasks) {
    const chip = el("span", "chip " + task.state.replace(/\s+/g, "-"), task.address + " " + task.state);
    chip.title = task.id;
    chip.dataset.task = task.address;
    tasks.appendChild(chip);
  }
  row.appendChild(tasks);
  row.appendChild(el("td", "num", rate(app.requestsPerSecond, 1)));
  const errors = el("td", "num", percent(app.errorRatio));
  if (app.errorRatio > 0.05) errors.classList.add("bad");
  row.appendChild(errors);
  row.appendChild(el("td", "num", rate(app.retriesPerSecond, 2)));
  return row;
}

function render(state) {
  setStatus("source", state.source);
  setStatus("version", "v" + state.version);
  const stream = state.sync.streamConnected;
  setStatus("stream", stream === null ? "none (no Marathon)" : stream ? "connected" : "down",
    stream === null ? "" : stream ? "good" : "bad");
  const stale = state.sync.lastSyncAgeSeconds === null || state.sync.lastSyncAgeSeconds > 600;
  setStatus("last-sync", age(state.sync.lastSyncAgeSeconds), stale ? "warn" : "good");
  setStatus("ready", state.notReady ? "not ready: " + state.notReady : "ready", state.notReady ? "bad" : "good");

  const endpoints = $("endpoints");
  endpoints.replaceChildren(...state.sync.endpoints.map((e) => {
    const item = el("li", "chip " + (e.healthy ? "healthy" : "down"), e.url + (e.healthy ? "" : ": " + e.message));
    return item;
  }));

  $("apps").replaceChildren(...state.apps.map(appRow));
  $("empty").hidden = state.apps.length > 0;
  document.body.dataset.version = String(state.version);
}

function connect() {
  const events = new EventSource("/v1/dashboard/events");
  events.addEventListener("open", () => setStatus("live", "live", "good"));
  events.addEventListener("state", (message) => {
    setStatus("live", "live", "good");
    render(JSON.parse(message.data));
  });
  // EventSource reconnects by itself (after the server's retry delay); say so meanwhile.
  events.addEventListener("error", () => setStatus("live", "reconnecting", "bad"));
}

connect();
