// The playground: rule files in an editor with `check`'s diagnostics
// underlined, the toggle grid of a connector, an instance picker, the
// reason of any cell, and a link that carries the rules. Everything is
// decided in the browser by the npm package `authgate` (the engine as
// WebAssembly): no server takes part, except under `authgate serve
// --ui`, which serves this page with its rules, read-only.

import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { Policy, RulesError, check, setActivation } from "authgate";
import shipped from "shipped-rules";

import { Grid } from "./grid.js";
import { gateLanguage } from "./highlight.js";
import { lineOf } from "./places.js";
import { decodeRules, encodeRules } from "./share.js";

/** How long typing pauses before the rules are checked again. */
const DEBOUNCE_MS = 250;

const $ = (id) => document.getElementById(id);

const page = {
  /** File names, in tab order. */
  names: [],
  /** Each file's editor state (its text, selection and undo history). */
  states: new Map(),
  current: null,
  /** Served by `authgate serve --ui`: nothing can be edited. */
  readOnly: false,
  /** Per file, the editor's diagnostics of the last check. */
  diagnostics: new Map(),
  /** The last policy that compiled and its outline. */
  policy: null,
  outline: null,
  timer: 0,
  /** Counts the checks, so a slow one can't overwrite a newer one. */
  version: 0,
};

// ---------------------------------------------------------------------------
// The editor.

function extensions() {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    keymap.of([...defaultKeymap, ...historyKeymap]),
    gateLanguage,
    EditorView.lineWrapping,
    lintGutter(),
    EditorState.readOnly.of(page.readOnly),
    EditorView.editable.of(!page.readOnly),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) {
        schedule();
        staleShare();
      }
    }),
  ];
}

const view = new EditorView({ parent: $("editor") });

/** The text of file `name` as the editor holds it. */
function textOf(name) {
  return name === page.current ? view.state.doc.toString() : page.states.get(name).doc.toString();
}

function files() {
  const out = {};
  for (const name of page.names) out[name] = textOf(name);
  return out;
}

function open(name) {
  if (page.current !== null && page.states.has(page.current)) {
    page.states.set(page.current, view.state);
  }
  page.current = name;
  view.setState(page.states.get(name));
  view.dispatch(setDiagnostics(view.state, page.diagnostics.get(name) ?? []));
  drawTabs();
}

/** Replaces the rules with `rules` ({name: text}). */
function load(rules, { readOnly = page.readOnly } = {}) {
  page.readOnly = readOnly;
  page.names = Object.keys(rules);
  page.states = new Map(
    page.names.map((name) => [name, EditorState.create({ doc: rules[name], extensions: extensions() })]),
  );
  page.current = null;
  page.diagnostics = new Map();
  if (page.names.length === 0) addFile("rules.gate", "");
  open(page.names[0]);
  analyse();
}

function addFile(name, text) {
  page.names.push(name);
  page.states.set(name, EditorState.create({ doc: text, extensions: extensions() }));
}

function drawTabs() {
  const tabs = $("tabs");
  tabs.innerHTML = "";
  for (const name of page.names) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.role = "tab";
    tab.dataset.file = name;
    tab.setAttribute("aria-selected", String(name === page.current));
    tab.textContent = name;
    const errors = (page.diagnostics.get(name) ?? []).filter((d) => d.severity === "error").length;
    if (errors) {
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = `●${errors}`;
      tab.append(count);
    }
    if (!page.readOnly && page.names.length > 1) {
      const close = document.createElement("span");
      close.className = "close";
      close.title = `remove ${name}`;
      close.textContent = "×";
      close.addEventListener("click", (event) => {
        event.stopPropagation();
        if (!confirm(`Remove ${name} from the playground?`)) return;
        page.names = page.names.filter((n) => n !== name);
        page.states.delete(name);
        if (page.current === name) page.current = null;
        open(page.names[0]);
        analyse();
      });
      tab.append(close);
    }
    tab.addEventListener("click", () => open(name));
    tabs.append(tab);
  }
  if (!page.readOnly) {
    const add = document.createElement("button");
    add.type = "button";
    add.title = "add a rule file";
    add.textContent = "+";
    add.addEventListener("click", () => {
      const name = prompt("Name of the new rule file", `rules${page.names.length + 1}.gate`)?.trim();
      if (!name) return;
      if (page.states.has(name)) return open(name);
      addFile(name, "");
      open(name);
      analyse();
    });
    tabs.append(add);
  }
}

/** Shows `line` of file `name` (1-based) with the cursor on it. */
function reveal(name, line, column = 1) {
  if (!page.states.has(name)) return;
  if (name !== page.current) open(name);
  const doc = view.state.doc;
  const at = lineOf(doc, line);
  const pos = Math.min(at.from + Math.max(column - 1, 0), at.to);
  view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
  view.focus();
}

// ---------------------------------------------------------------------------
// Checking, off the keystroke path.

function schedule() {
  clearTimeout(page.timer);
  page.timer = setTimeout(analyse, DEBOUNCE_MS);
}

/**
 * Character offsets (what the editor counts, UTF-16) of the byte offsets
 * `offsets` (what the engine reports, UTF-8) into `text`.
 */
function charOffsets(text, offsets) {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return offsets.map((o) => Math.min(o, text.length));
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const found = new Map();
  let bytes = 0;
  let i = 0;
  for (const target of sorted) {
    while (bytes < target && i < text.length) {
      const c = text.codePointAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      i += c >= 0x10000 ? 2 : 1;
    }
    found.set(target, i);
  }
  return offsets.map((o) => found.get(o));
}

function renderMessage(d, label) {
  return () => {
    const box = document.createElement("div");
    box.className = "lint-message";
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = d.code;
    box.append(code, `: ${d.message}`);
    if (label && label !== d.message) {
      const l = document.createElement("div");
      l.className = "label";
      l.textContent = label;
      box.append(l);
    }
    if (d.help) {
      const help = document.createElement("div");
      help.className = "help";
      help.textContent = `help: ${d.help}`;
      box.append(help);
    }
    return box;
  };
}

/** `check`'s diagnostics as the editor's, per file. */
function editorDiagnostics(report, texts) {
  const byFile = new Map(page.names.map((name) => [name, []]));
  for (const d of report.diagnostics) {
    const marks = d.labels.length
      ? d.labels.map((l, index) => ({ file: l.file, offset: l.offset, length: l.length, label: l.label, primary: index === 0 }))
      : d.file !== null && d.line !== null
        ? [{ file: d.file, line: d.line, primary: true, label: "" }]
        : [];
    for (const mark of marks) {
      const list = byFile.get(mark.file);
      if (!list) continue;
      list.push({ d, mark });
    }
  }
  const out = new Map();
  for (const [name, marks] of byFile) {
    const text = texts[name];
    const offsets = marks.flatMap(({ mark }) =>
      mark.offset === undefined ? [] : [mark.offset, mark.offset + mark.length],
    );
    const chars = charOffsets(text, offsets);
    let next = 0;
    out.set(
      name,
      marks.map(({ d, mark }) => {
        let from;
        let to;
        if (mark.offset === undefined) {
          const state = page.states.get(name);
          const doc = name === page.current ? view.state.doc : state.doc;
          const line = lineOf(doc, mark.line);
          from = line.from;
          to = line.to;
        } else {
          from = chars[next++];
          to = chars[next++];
        }
        const severity = mark.primary ? d.severity : "info";
        const message = `${d.code}: ${d.message}${mark.label && mark.label !== d.message ? ` (${mark.label})` : ""}${d.help ? `\nhelp: ${d.help}` : ""}`;
        return { from, to, severity, message, renderMessage: renderMessage(d, mark.label) };
      }),
    );
  }
  return out;
}

function drawProblems(report) {
  const list = $("problems");
  list.innerHTML = "";
  for (const d of report.diagnostics) {
    const li = document.createElement("li");
    li.className = d.severity;
    const place = d.file ? `${d.file}:${d.line ?? 1}:${d.column ?? 1} ` : "";
    const code = document.createElement("code");
    code.textContent = d.code;
    li.append(place, code, ` ${d.message}`);
    li.title = [d.message, ...d.labels.map((l) => `${l.file}:${l.line}: ${l.label}`), d.help ? `help: ${d.help}` : ""]
      .filter(Boolean)
      .join("\n");
    if (d.file) li.addEventListener("click", () => reveal(d.file, d.line ?? 1, d.column ?? 1));
    list.append(li);
  }
}

/** Checks the rules, underlines what `check` reports, and compiles them when they have no error. */
function analyse() {
  clearTimeout(page.timer);
  const started = performance.now();
  const version = ++page.version;
  const texts = files();
  const report = check(texts);
  if (version !== page.version) return;
  page.diagnostics = editorDiagnostics(report, texts);
  view.dispatch(setDiagnostics(view.state, page.diagnostics.get(page.current) ?? []));
  drawProblems(report);
  drawTabs();
  let stale = false;
  if (report.errors === 0) {
    try {
      page.policy = Policy.fromSources(texts);
      page.outline = page.policy.outline();
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      stale = true;
    }
  } else {
    stale = true;
  }
  const summary = $("summary");
  const counts = `${report.errors} error${report.errors === 1 ? "" : "s"}, ${report.warnings} warning${report.warnings === 1 ? "" : "s"}`;
  summary.className = report.errors ? "errors" : "";
  summary.textContent = stale
    ? `${counts}${page.policy ? ": the grid shows the last rules that compiled" : ""}`
    : `${counts} · ${page.policy.digest.slice(0, 19)}…`;
  summary.title = page.policy?.digest ?? "";
  drawConnector();
  if (version === 1) performance.mark("authgate:first-diagnostics");
  // What `scripts/bench.sh web` reads: a check, compile and redraw.
  performance.measure("authgate:analyse", { start: started });
  document.body.dataset.checked = String(version);
}

// ---------------------------------------------------------------------------
// The grid and the instance picker.

const grid = new Grid({
  head: $("grid-head"),
  body: $("grid-body"),
  rows: $("grid-rows"),
  onToggle: toggle,
  onExplain: explain,
});

function connectorNamed(name) {
  return page.outline?.connectors.find((c) => c.name === name) ?? null;
}

/** Who the instance picker names: `{instance}`, `{connector, auth, scopes}`, or null. */
function picked() {
  const choice = $("instance").value;
  if (choice === "runtime") {
    const scopes = $("scopes").value.split(/[\s,]+/).filter(Boolean);
    return { connector: $("connector").value, auth: $("method").value, scopes };
  }
  if (choice.startsWith("i:")) return { instance: choice.slice(2) };
  return null;
}

function setOptions(select, options, keep) {
  select.innerHTML = "";
  for (const [value, label] of options) select.add(new Option(label, value));
  if (options.some(([value]) => value === keep)) select.value = keep;
}

function drawConnector() {
  const outline = page.outline;
  const connectors = outline?.connectors ?? [];
  setOptions(
    $("connector"),
    connectors.map((c) => [c.name, `${c.name} (${c.endpoints.length} endpoints)`]),
    $("connector").value,
  );
  const connector = connectorNamed($("connector").value);
  const instances = (outline?.instances ?? []).map((i) => [
    `i:${i.name}`,
    `${i.name} (${i.connector}, ${i.auth}${i.scopes.length ? `, ${i.scopes.length} scopes` : ""})`,
  ]);
  setOptions(
    $("instance"),
    [["", "none"], ...instances, ["runtime", "runtime: a method and scopes…"]],
    $("instance").value,
  );
  const runtime = $("instance").value === "runtime";
  $("runtime").hidden = !runtime;
  if (connector) {
    setOptions($("method"), connector.methods.map((m) => [m.name, `${m.name} (${m.type})`]), $("method").value);
    const method = connector.methods.find((m) => m.name === $("method").value);
    // Scope names are any text: set as values, never parsed as HTML.
    $("scope-names").replaceChildren(
      ...(method?.scopes ?? []).map((scope) => Object.assign(document.createElement("option"), { value: scope })),
    );
  }
  let sees = null;
  let pickedMethod = null;
  const who = picked();
  const line = $("sees");
  line.textContent = "";
  if (who && page.policy) {
    try {
      const seen = page.policy.visible(who);
      if (seen.connector !== $("connector").value && "instance" in who) {
        $("connector").value = seen.connector;
        return drawConnector();
      }
      sees = new Set(seen.endpoints);
      pickedMethod = seen.auth;
      const total = connector?.endpoints.length ?? 0;
      line.textContent = `${who.instance ?? `${seen.connector} with ${seen.auth}`} sees ${seen.endpoints.length} of ${total} endpoints`;
      if (seen.unknown_scopes?.length) {
        const unknown = document.createElement("span");
        unknown.className = "unknown";
        unknown.textContent = ` · not scopes of ${seen.auth}: ${seen.unknown_scopes.join(", ")}`;
        line.append(unknown);
      }
    } catch (error) {
      line.textContent = error.message;
    }
  }
  grid.show({ connector, sees, picked: pickedMethod, editable: !page.readOnly });
}

function toggle(endpoint, method, on) {
  if (page.readOnly) return;
  const connector = $("connector").value;
  const file = endpoint.file;
  let text;
  try {
    if (file === null || !page.states.has(file)) {
      throw new Error(`${endpoint.name}: the rules don't say which file declares it, so it can't be edited here`);
    }
    text = setActivation(textOf(file), { connector, endpoint: endpoint.name, method, on, filename: file });
  } catch (error) {
    $("reason").innerHTML = "";
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = error.message;
    $("reason").append(p);
    return;
  }
  if (file !== page.current) open(file);
  replaceText(text);
  analyse();
  const moved = connectorNamed(connector)?.endpoints.find((e) => e.name === endpoint.name);
  if (moved) {
    const line = lineOf(view.state.doc, moved.line);
    view.dispatch({ effects: EditorView.scrollIntoView(line.from, { y: "center" }) });
  }
}

/** Puts `text` in the editor, changing only what differs (the undo history keeps the edit). */
function replaceText(text) {
  const old = view.state.doc.toString();
  let start = 0;
  const most = Math.min(old.length, text.length);
  while (start < most && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let end = 0;
  while (end < most - start && old.charCodeAt(old.length - 1 - end) === text.charCodeAt(text.length - 1 - end)) end++;
  view.dispatch({ changes: { from: start, to: old.length - end, insert: text.slice(start, text.length - end) } });
}

function explain(endpoint, method) {
  const who = picked();
  let request;
  if (method === null || (who?.instance && grid.picked === method)) {
    request = { ...who, endpoint: endpoint.name };
  } else {
    const scopes = who && !who.instance && who.auth === method ? who.scopes : [];
    request = { connector: $("connector").value, auth: method, scopes, endpoint: endpoint.name };
  }
  const box = $("reason");
  box.innerHTML = "";
  try {
    const x = page.policy.explain(request);
    const verdict = document.createElement("p");
    const asked = x.instance ? `instance ${x.instance}` : `${x.connector} with ${x.auth}${request.scopes?.length ? ` holding ${request.scopes.join(", ")}` : ""}`;
    verdict.innerHTML = `<span class="verdict ${x.available ? "yes" : "no"}">${x.available ? "available" : "not available"}</span>: `;
    verdict.append(`${endpoint.name} to ${asked}`);
    const reason = document.createElement("p");
    reason.className = "why";
    reason.textContent = x.reason;
    box.append(verdict, reason);
    const facts = [];
    if (x.activated.length) facts.push(`activates: ${x.activated.join(", ")}`);
    if (x.item) facts.push(`item: ${x.item}`);
    if (x.missing_scopes?.length) facts.push(`missing scopes: ${x.missing_scopes.join(", ")}`);
    if (x.unknown_scopes?.length) facts.push(`not its method's scopes: ${x.unknown_scopes.join(", ")}`);
    if (facts.length) {
      const p = document.createElement("p");
      p.textContent = facts.join(" · ");
      box.append(p);
    }
    for (const [what, place] of [["endpoint", x.endpoint_location], ["instance", x.instance_location]]) {
      if (!place) continue;
      const link = document.createElement("a");
      link.href = "#";
      link.textContent = `${what} at ${place.file}:${place.line}`;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        reveal(place.file, place.line, place.column);
      });
      box.append(link, " ");
    }
  } catch (error) {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = error.message;
    box.append(p);
  }
}

for (const id of ["connector", "instance", "method"]) {
  $(id).addEventListener("change", () => {
    if (id === "connector" && !$("instance").value.startsWith("i:")) drawConnector();
    else if (id === "connector") {
      $("instance").value = "";
      drawConnector();
    } else drawConnector();
  });
}
let scopeTimer = 0;
$("scopes").addEventListener("input", () => {
  clearTimeout(scopeTimer);
  scopeTimer = setTimeout(drawConnector, 150);
});
$("filter").addEventListener("input", (event) => grid.setFilter(event.target.value));

// ---------------------------------------------------------------------------
// Sharing, and where the rules come from.

/** A link shown before an edit no longer carries the rules: it goes until asked for again. */
function staleShare() {
  $("share-link").hidden = true;
  $("share").textContent = "Share link";
}

$("share").addEventListener("click", async () => {
  staleShare();
  const fragment = await encodeRules(files());
  window.history.replaceState(null, "", fragment);
  const field = $("share-link");
  field.hidden = false;
  field.value = location.href;
  field.select();
  try {
    await navigator.clipboard.writeText(location.href);
    $("share").textContent = "Link copied";
  } catch {
    $("share").textContent = "Share link";
  }
});

function say(message) {
  const summary = $("summary");
  summary.className = "errors";
  summary.textContent = message;
}

async function start() {
  const served = document.querySelector('meta[name="authgate-rules"]')?.content;
  if (served) {
    // `authgate serve --ui`: the rules it serves, read-only.
    $("mode").textContent = "served, read-only";
    $("share").hidden = true;
    const response = await fetch(served);
    if (!response.ok) {
      load({}, { readOnly: true });
      say(`cannot load the served rules: HTTP ${response.status} ${await response.text()}`);
      return;
    }
    const bundle = await response.json();
    load(Object.fromEntries(bundle.files.map((f) => [f.path, f.text])), { readOnly: true });
    return;
  }
  let rules = shipped;
  let problem = null;
  try {
    rules = (await decodeRules(location.hash)) ?? shipped;
  } catch (error) {
    problem = error.message;
  }
  load(rules, { readOnly: false });
  if (problem) say(problem);
}

window.addEventListener("hashchange", async () => {
  if (page.readOnly) return;
  try {
    const rules = await decodeRules(location.hash);
    if (rules) load(rules);
  } catch (error) {
    say(error.message);
  }
});

start();
