// The node's dashboard: polls GET /dashboard/state every second and draws members, tasks and pending approvals.
// Every value from the node is put in the page as text (textContent, SVG attributes), never as HTML: task ids,
// details and member names come from other nodes. The session key lives in this tab's sessionStorage only and is
// sent as a Bearer header; nothing is sent by the browser on its own, so another site cannot act through this page.
"use strict";

const SESSION = "swarm-dashboard-session";
const POLL_MS = 1000;
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
let timer = null;
const drawn = { members: "", tasks: "", pending: "" };

function session() { return sessionStorage.getItem(SESSION); }

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") { node.textContent = value; }
    else if (key === "class") { node.className = value; }
    else if (key.startsWith("data-") || key === "type" || key === "placeholder" || key === "max" || key === "value" || key === "aria-label") { node.setAttribute(key, value); }
    else { node[key] = value; }
  }
  for (const child of children) { if (child != null) { node.append(child); } }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) { node.setAttribute(key, String(value)); }
  if (text != null) { node.textContent = text; }
  return node;
}

function showLogin(error) {
  sessionStorage.removeItem(SESSION);
  if (timer) { clearTimeout(timer); timer = null; }
  Object.keys(drawn).forEach((k) => { drawn[k] = ""; });
  $("main").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = error || "";
  $("token").focus();
}

function showMain() {
  $("login").hidden = true;
  $("main").hidden = false;
  $("logout").hidden = false;
  poll();
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: "Bearer " + session() }, cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    showLogin("The session has ended; sign in again.");
    throw new Error("unauthenticated");
  }
  return response;
}

async function login(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  $("token").value = "";
  const response = await fetch("/dashboard/login", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }), cache: "no-store",
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    $("login-error").textContent = problem.error || ("sign-in failed: HTTP " + response.status);
    return;
  }
  const result = await response.json();
  sessionStorage.setItem(SESSION, result.session);
  showMain();
}

async function logout() {
  try { await api("POST", "/dashboard/logout", {}); } catch { /* ended already */ }
  showLogin("Signed out.");
}

async function poll() {
  if (timer) { clearTimeout(timer); timer = null; }
  try {
    const response = await api("GET", "/dashboard/state");
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    draw(await response.json());
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    if (e.message === "unauthenticated") { return; }
    $("updated").textContent = "cannot reach the node: " + e.message;
  }
  timer = setTimeout(poll, POLL_MS);
}

function statusClass(status) { return "status " + String(status).toLowerCase(); }

// Redraws a section only when its data changed, so buttons and typed reasons survive the polls.
function draw(state) {
  const health = state.health;
  $("node-name").textContent = health.node;
  $("node-status").textContent = health.status;
  $("node-status").className = statusClass(health.status);
  redraw("members", health.members, drawMembers);
  const pending = state.tasks.filter((t) => t.progress.state === "AwaitingApproval");
  redraw("pending", pending.map((t) => [t.taskId, t.submitter, t.participants]), () => drawPending(pending));
  redraw("tasks", state.tasks, drawTasks);
}

function redraw(section, data, render) {
  const text = JSON.stringify(data);
  if (drawn[section] !== text) {
    drawn[section] = text;
    render(data);
  }
}

function drawMembers(members) {
  const body = $("members").tBodies[0];
  body.replaceChildren(...members.map((m) => el("tr", { "data-member": m.node },
    el("td", { text: m.node }),
    el("td", {}, el("span", { class: statusClass(m.status), text: m.status })),
    el("td", { class: "uid", text: m.uid ? String(m.uid) : "–" }))));
}

function drawPending(tasks) {
  const box = $("pending");
  if (tasks.length === 0) {
    box.replaceChildren(el("p", { class: "none", text: "No task waits for this node's approval." }));
    return;
  }
  box.replaceChildren(...tasks.map((t) => {
    const reason = el("input", { type: "text", placeholder: "reason (for a rejection)", "aria-label": "reason for " + t.taskId });
    const approve = el("button", { type: "button", text: "Approve", "data-approve": t.taskId });
    const reject = el("button", { type: "button", text: "Reject", "data-reject": t.taskId });
    approve.addEventListener("click", () => decide(t.taskId, "approve", undefined, [approve, reject]));
    reject.addEventListener("click", () => decide(t.taskId, "reject", reason.value, [approve, reject]));
    return el("div", { class: "pending", "data-pending": t.taskId },
      el("strong", { text: t.taskId }),
      el("span", { text: "from " + t.submitter + " with " + t.participants.join(", ") }),
      approve, reason, reject);
  }));
}

async function decide(taskId, action, reason, buttons) {
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const response = await api("POST", "/tasks/" + encodeURIComponent(taskId) + "/" + action, reason ? { reason } : {});
    const answer = await response.json().catch(() => ({}));
    $("message").textContent = response.ok
      ? "task " + taskId + ": " + (action === "approve" ? "approved" : "rejected") + ", now " + answer.progress.state
      : "task " + taskId + ": " + action + " refused: " + (answer.error || "HTTP " + response.status);
  } catch (e) {
    if (e.message !== "unauthenticated") { $("message").textContent = "task " + taskId + ": " + e.message; }
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    poll();
  }
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

function drawTasks(tasks) {
  const box = $("tasks");
  if (tasks.length === 0) {
    box.replaceChildren(el("p", { class: "none", text: "No tasks." }));
    return;
  }
  box.replaceChildren(...tasks.map(drawTask));
}

function drawTask(t) {
  const p = t.progress;
  const transfers = p.transfers || [];
  const sent = transfers.reduce((sum, r) => sum + r.bytes, 0);
  const blobs = transfers.reduce((sum, r) => sum + r.blobs, 0);
  const facts = el("dl", { class: "facts" });
  const fact = (label, value, cls) => facts.append(el("dt", { text: label }), el("dd", { text: value, class: cls || "" }));
  fact("round", p.round + " / " + p.rounds, "round");
  fact("chain height", String(p.chainHeight), "height");
  fact("global model", p.modelHash ? p.modelHash.slice(0, 16) : "none yet", "model");
  fact("ε spent", p.epsilonSpent == null ? "no local DP" : Number(p.epsilonSpent).toPrecision(4), "epsilon");
  fact("received from peers", bytes(sent) + " in " + blobs + " blobs", "bytes");
  fact("submitter", t.submitter);
  fact("participants", t.participants.join(", "));
  fact("spec digest", t.specDigest.slice(0, 16));
  const progress = el("progress", { max: String(Math.max(1, p.rounds)), value: String(p.round) });
  return el("article", { class: "task", "data-task": t.taskId },
    el("h3", {}, el("span", { text: t.taskId }), el("span", { class: statusClass(p.state), text: p.state }), progress),
    facts,
    p.detail ? el("p", { class: "detail", text: p.detail }) : null,
    curve(p.validation || [], p.rounds));
}

// Validation AUC of each final round's global model (the sites' reports on the chain, weighted by their images).
function curve(points, rounds) {
  const width = 420, height = 170, left = 40, right = 12, top = 12, bottom = 30;
  const chart = svg("svg", { class: "curve", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": "validation AUC by round" });
  const last = Math.max(1, rounds, ...points.map((v) => v.round));
  const x = (r) => left + (last === 1 ? 0.5 : (r - 1) / (last - 1)) * (width - left - right);
  const y = (auc) => top + (1 - auc) * (height - top - bottom);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick) }));
    chart.append(svg("text", { x: left - 6, y: y(tick) + 3, "text-anchor": "end" }, tick.toFixed(2)));
  }
  const step = Math.max(1, Math.ceil(last / 10));
  for (let r = 1; r <= last; r += step) {
    chart.append(svg("text", { x: x(r), y: height - bottom + 14, "text-anchor": "middle" }, String(r)));
  }
  chart.append(svg("text", { x: (left + width - right) / 2, y: height - 3, "text-anchor": "middle" }, "round (validation AUC)"));
  if (points.length > 0) {
    chart.append(svg("polyline", { points: points.map((v) => `${x(v.round)},${y(v.auc)}`).join(" ") }));
    for (const v of points) {
      const dot = svg("circle", { cx: x(v.round), cy: y(v.auc), r: 3, "data-round": v.round, "data-auc": v.auc.toFixed(4) });
      dot.append(svg("title", {}, `round ${v.round}: AUC ${v.auc.toFixed(4)}, accuracy ${v.accuracy.toFixed(4)} (${v.sites} sites)`));
      chart.append(dot);
    }
  }
  return chart;
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  if (session()) { showMain(); } else { showLogin(); }
});
