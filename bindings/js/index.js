// authgate: is endpoint E available to instance I, and why?
//
// The npm package: the same engine as the `authgate` command-line tool,
// compiled to WebAssembly (`authgate.wasm`, built from src/lib.rs beside
// this file). Reasons, diagnostics, digests and formatted text are the
// engine's; visible, explain and check documents are the CLI's JSON,
// parsed; a decision's answer is the engine's reason (and item and
// missing scopes) beside the names asked about, as `eval` writes it.
// Nothing here decides, checks or formats.
//
// The module loads its WebAssembly with a top-level await, so once
// `import` returns every function is synchronous. In Node.js the file is
// read from beside this one; in a browser it is fetched from the URL
// beside this module's (bundlers follow `new URL(..., import.meta.url)`).

const WASM = new URL("./authgate.wasm", import.meta.url);

async function wasmBytes() {
  if (typeof process === "object" && process?.versions?.node) {
    const { readFile } = await import("node:fs/promises");
    return readFile(WASM);
  }
  const response = await fetch(WASM);
  if (!response.ok) {
    throw new Error(`authgate: cannot load ${WASM}: HTTP ${response.status}`);
  }
  return response.arrayBuffer();
}

const wasmModule = await WebAssembly.compile(await wasmBytes());

// Status codes of the exports (src/lib.rs).
const ERROR = -1;
const RULES_ERROR = -2;
const NO_POLICY = -3;

/** Inputs above this many bytes are given back to the engine after use. */
const LARGE = 1 << 20;

/**
 * One instance of the WebAssembly module and what crosses into it. After
 * a trap (a bug in the engine: it never panics on purpose) the instance
 * is replaced, and the policies compiled in the old one are lost: its
 * `generation` tells a policy whether its handle is still good.
 */
class Engine {
  constructor(instance, generation) {
    this.exports = instance.exports;
    this.memory = instance.exports.memory;
    this.generation = generation;
    this.inputPtr = 0;
    this.inputCap = 0;
    this.lengthsPtr = 0;
    this.lengthsCap = 0;
    this.views();
  }

  /** Views of the whole memory, made again when it grows. */
  views() {
    this.buffer = this.memory.buffer;
    this.bytes = new Uint8Array(this.buffer);
    this.numbers = new Int32Array(this.buffer);
  }

  /** Writes `numbers` into the lengths buffer. */
  writeNumbers(numbers) {
    if (numbers.length > this.lengthsCap) {
      this.lengthsPtr = this.exports.ag_lengths(numbers.length) >>> 0;
      this.lengthsCap = numbers.length;
    }
    if (this.memory.buffer !== this.buffer) this.views();
    this.numbers.set(numbers, this.lengthsPtr >>> 2);
  }

  /** Where the numbers of the last `ag_decide` start, as an index of `numbers`. */
  meta() {
    if (this.memory.buffer !== this.buffer) this.views();
    return this.exports.ag_meta_ptr() >>> 2;
  }

  /** Room for `bytes` bytes of input; where it starts. */
  room(bytes) {
    if (bytes > this.inputCap) {
      this.inputPtr = this.exports.ag_input(bytes) >>> 0;
      this.inputCap = bytes;
    }
    return this.inputPtr;
  }

  /**
   * Writes `pieces` (strings, as UTF-8, or bytes) one after another into
   * the input; their lengths in bytes.
   */
  write(pieces) {
    let most = 0;
    for (const piece of pieces) {
      most += typeof piece === "string" ? piece.length * 3 : piece.length;
    }
    const at = this.room(most);
    const view = new Uint8Array(this.memory.buffer, at, most);
    const lengths = [];
    let used = 0;
    for (const piece of pieces) {
      let length;
      if (typeof piece === "string") {
        length = encoder.encodeInto(piece, view.subarray(used)).written;
      } else {
        view.set(piece, used);
        length = piece.length;
      }
      lengths.push(length);
      used += length;
    }
    return lengths;
  }

  /** Writes one string; its length in bytes. */
  writeOne(text) {
    const at = this.room(text.length * 3);
    if (this.memory.buffer !== this.buffer) this.views();
    return encoder.encodeInto(text, this.bytes.subarray(at, at + text.length * 3)).written;
  }

  /** The last call's output, `length` bytes, as text. */
  read(length) {
    const at = this.exports.ag_output_ptr() >>> 0;
    if (this.memory.buffer !== this.buffer) this.views();
    return decoder.decode(this.bytes.subarray(at, at + length));
  }

  /** The last call's output, after a failure. */
  readFailure() {
    return this.read(this.exports.ag_output_len());
  }

  /** Gives back the memory of a large input or output. */
  shrink() {
    if (this.inputCap > LARGE) {
      this.exports.ag_shrink();
      this.inputPtr = 0;
      this.inputCap = 0;
    }
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let engine = new Engine(await WebAssembly.instantiate(wasmModule, {}), 0);

/**
 * Runs `call` on the engine. A trap is turned into an `Error`, and the
 * engine into a new instance (the old one's state can't be trusted).
 */
function run(call) {
  try {
    return call(engine);
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) {
      throw error;
    }
    restart();
    throw new Error(
      `authgate: internal error in the engine (${error.message}); it was restarted, ` +
        "and the policies compiled before are lost: please report this with the input",
    );
  }
}

function restart() {
  const generation = engine.generation + 1;
  try {
    engine = new Engine(new WebAssembly.Instance(wasmModule, {}), generation);
  } catch {
    // Where a synchronous instance is refused (a browser's main thread,
    // for large modules), calls fail until the new one is ready.
    engine = null;
    WebAssembly.instantiate(wasmModule, {}).then((instance) => {
      engine = new Engine(instance, generation);
    });
  }
}

/** Whether the engine is there, or why not. */
function ready() {
  if (engine === null) {
    throw new Error("authgate: the engine is restarting after an internal error; try again");
  }
}

// ---------------------------------------------------------------------------
// Errors.

/**
 * The rules have errors, so nothing evaluates them. `diagnostics` is
 * every diagnostic of the run, errors and warnings, as `authgate check
 * --format json` gives them; the message is the summary line `check`
 * prints, then one line per diagnostic.
 */
export class RulesError extends Error {
  constructor(document) {
    const lines = document.diagnostics.map((d) => {
      const place = d.file == null ? "" : `${d.file}:${d.line ?? 0}:${d.column ?? 0}: `;
      return `${place}${d.severity}: ${d.message} [${d.code}]`;
    });
    super([document.summary, ...lines].join("\n"));
    this.name = "RulesError";
    this.diagnostics = document.diagnostics;
  }
}

/** What a value is, for messages: `number`, `null`, `an array`... */
function kind(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** The failure of a call, as the exception to throw. */
function failure(status, e, asType) {
  const text = e.readFailure();
  if (status === RULES_ERROR) return new RulesError(JSON.parse(text));
  if (status === NO_POLICY) return new Error("authgate: this policy was freed");
  return asType ? new TypeError(text) : new Error(text);
}

// ---------------------------------------------------------------------------
// Arguments.

const REQUEST_KEYS =
  "a request has `instance`, or `connector` and `auth` (and `scopes`), and `endpoint`";

/**
 * Requests framed for the engine: their names in one string (encoded
 * once) and, per request, `0, instance, endpoint` or `1, n, connector,
 * auth, endpoint, scope 1..n`, each name's length in UTF-16 units.
 */
class Frame {
  constructor() {
    this.parts = [];
    this.lengths = [];
  }

  /**
   * Checks `request` as `eval` checks a line, in its words, and adds it.
   * Names are strings (`undefined` is a key left out), `scopes` an array
   * of strings, no other key.
   */
  add(request, prefix) {
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      throw new TypeError(`${prefix}a request is an object, not ${kind(request)}`);
    }
    const { instance, connector, auth, endpoint, scopes } = request;
    // Every key is one of a request's when as many are given as the
    // object has; only then (rarely) is each key looked at.
    const given =
      present(instance, "instance", prefix) +
      present(connector, "connector", prefix) +
      present(auth, "auth", prefix) +
      present(endpoint, "endpoint", prefix) +
      (scopes !== undefined ? 1 : 0);
    let keys = 0;
    for (const _ in request) keys++;
    if (keys !== given) {
      const unknown = Object.keys(request).find((key) => !KEYS.has(key));
      if (unknown !== undefined) {
        throw new TypeError(`${prefix}unknown key \`${unknown}\`: ${REQUEST_KEYS}`);
      }
    }
    if (endpoint === undefined) throw new TypeError(`${prefix}a request needs \`endpoint\``);
    if (instance !== undefined && connector === undefined && auth === undefined) {
      if (scopes !== undefined) {
        if (scopes === null) {
          throw new TypeError(`${prefix}\`scopes\` is null: give a list of names, or leave the field out`);
        }
        checkScopes(scopes, prefix);
        throw new TypeError(
          `${prefix}\`scopes\` goes with \`connector\` and \`auth\`: a declared instance holds the scopes its declaration gives it`,
        );
      }
      this.parts.push(instance, endpoint);
      this.lengths.push(0, instance.length, endpoint.length);
    } else if (instance === undefined && connector !== undefined && auth !== undefined) {
      if (scopes === null) {
        throw new TypeError(`${prefix}\`scopes\` is null: give a list of names, or leave the field out`);
      }
      const held = scopes === undefined ? EMPTY : scopes;
      checkScopes(held, prefix);
      this.parts.push(connector, auth, endpoint);
      this.lengths.push(1, held.length, connector.length, auth.length, endpoint.length);
      for (let i = 0; i < held.length; i++) {
        this.parts.push(held[i]);
        this.lengths.push(held[i].length);
      }
    } else {
      throw new TypeError(`${prefix}a request names either \`instance\`, or \`connector\` and \`auth\``);
    }
  }

  /**
   * Decides the requests added, `requests` in the same order: `eval`'s
   * answers. The engine gives each one's availability, reason and, for a
   * decision by scopes, the item and missing scopes as `eval` writes
   * them; the names are the caller's, as `eval` echoes them.
   */
  decide(e, handle, requests) {
    const text = this.parts.join("");
    const bytes = e.writeOne(text);
    e.writeNumbers(this.lengths);
    const status = e.exports.ag_decide(handle, requests.length, bytes);
    if (status < 0) throw failure(status, e, true);
    const out = e.read(status);
    const base = e.meta();
    const meta = e.numbers;
    const answers = new Array(requests.length);
    let next = 0;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i];
      const available = meta[base + 3 * i] === 1;
      const reasonEnd = next + meta[base + 3 * i + 1];
      const reason = out.slice(next, reasonEnd);
      const answer =
        request.instance !== undefined
          ? { available, reason, instance: request.instance, endpoint: request.endpoint }
          : {
              available,
              reason,
              connector: request.connector,
              auth: request.auth,
              endpoint: request.endpoint,
            };
      next = reasonEnd + meta[base + 3 * i + 2];
      if (next !== reasonEnd) Object.assign(answer, JSON.parse(out.slice(reasonEnd, next)));
      answers[i] = answer;
    }
    return answers;
  }
}

/** 1 for a name given, 0 for one left out; a name is a string. */
function present(value, key, prefix) {
  if (typeof value === "string") return 1;
  if (value === undefined) return 0;
  if (value === null) {
    throw new TypeError(`${prefix}\`${key}\` is null: give a name, or leave the field out`);
  }
  throw new TypeError(`${prefix}\`${key}\` must be a string, not ${kind(value)}`);
}

const KEYS = new Set(["instance", "connector", "auth", "endpoint", "scopes"]);
const EMPTY = Object.freeze([]);

/**
 * Checks the types in a request and returns it as an `eval` line (for
 * `explain`, which reads it as `eval` does).
 */
function requestJson(request, prefix) {
  new Frame().add(request, prefix);
  return JSON.stringify(request);
}

function checkScopes(scopes, prefix) {
  if (!Array.isArray(scopes)) {
    throw new TypeError(`${prefix}\`scopes\` must be an array of strings, not ${kind(scopes)}`);
  }
  for (let i = 0; i < scopes.length; i++) {
    if (typeof scopes[i] !== "string") {
      throw new TypeError(
        `${prefix}\`scopes\` must hold strings, not ${kind(scopes[i])} (at index ${i})`,
      );
    }
  }
}

/** `{instance}` or `{connector, auth, scopes?}`, checked whole. */
function whoJson(who) {
  if (typeof who !== "object" || who === null || Array.isArray(who)) {
    throw new TypeError(`visible takes an object, not ${kind(who)}`);
  }
  const given = {};
  for (const key of Object.keys(who)) {
    const value = who[key];
    if (value === undefined) continue;
    if (key === "scopes") {
      checkScopes(value, "");
    } else if (key === "instance" || key === "connector" || key === "auth") {
      if (typeof value !== "string") {
        throw new TypeError(`\`${key}\` must be a string, not ${kind(value)}`);
      }
    } else {
      throw new TypeError(
        `unknown key \`${key}\`: visible takes \`instance\`, or \`connector\` and \`auth\` (and \`scopes\`)`,
      );
    }
    given[key] = value;
  }
  const runtime = given.connector !== undefined && given.auth !== undefined;
  if (given.instance !== undefined ? runtime || given.connector !== undefined || given.auth !== undefined : !runtime) {
    throw new TypeError("visible names either `instance`, or `connector` and `auth`");
  }
  if (given.instance !== undefined && given.scopes !== undefined) {
    throw new TypeError(
      "`scopes` goes with `connector` and `auth`: a declared instance holds the scopes its declaration gives it",
    );
  }
  return JSON.stringify(given);
}

/** Rule text: a string, or bytes as read from a file. */
function ruleText(text, what) {
  if (typeof text === "string") return text;
  if (text instanceof Uint8Array) return text;
  if (ArrayBuffer.isView(text)) {
    return new Uint8Array(text.buffer, text.byteOffset, text.byteLength);
  }
  if (text instanceof ArrayBuffer) return new Uint8Array(text);
  throw new TypeError(`${what} must be a string or bytes (Uint8Array), not ${kind(text)}`);
}

/** `{name: text}` (or a Map) as [name, text] pairs. */
function files(sources) {
  let entries;
  if (sources instanceof Map) {
    entries = [...sources.entries()];
  } else if (typeof sources === "object" && sources !== null && !Array.isArray(sources)) {
    entries = Object.entries(sources);
  } else {
    throw new TypeError(`rule files are an object of {name: text}, not ${kind(sources)}`);
  }
  return entries.map(([name, text]) => {
    if (typeof name !== "string") {
      throw new TypeError(`a file's name must be a string, not ${kind(name)}`);
    }
    return [name, ruleText(text, `the text of \`${name}\``)];
  });
}

/** Gathers `sources` in the engine for the next compile or check. */
function gather(e, sources) {
  for (const [name, text] of files(sources)) {
    const [nameLength, textLength] = e.write([name, text]);
    const status = e.exports.ag_sources_add(nameLength, textLength);
    if (status < 0) throw failure(status, e, true);
  }
}

function filename(options, fallback) {
  const name = options?.filename ?? fallback;
  if (typeof name !== "string") {
    throw new TypeError(`\`filename\` must be a string, not ${kind(name)}`);
  }
  return name;
}

// ---------------------------------------------------------------------------
// The API.

const registry = new FinalizationRegistry(({ handle, generation }) => {
  if (engine !== null && engine.generation === generation) {
    engine.exports.ag_free(handle);
  }
});

const MADE = Symbol("authgate.Policy");

/**
 * A compiled rule set: immutable. Made by `Policy.fromSources`; freed
 * when it is garbage-collected.
 */
export class Policy {
  #handle;
  #generation;
  #digest;
  #warnings;

  constructor(token, handle, generation, made) {
    if (token !== MADE) {
      throw new TypeError("a Policy is made by Policy.fromSources({name: text})");
    }
    this.#handle = handle;
    this.#generation = generation;
    this.#digest = made.digest;
    this.#warnings = made.warnings;
    registry.register(this, { handle, generation });
    Object.freeze(this);
  }

  /**
   * Compiles rule files held in memory, `{"shop.gate": text, ...}` (text
   * as a string or bytes), checked together as `authgate check` checks
   * them. Throws `RulesError` if they have errors.
   */
  static fromSources(sources) {
    return run((e) => {
      ready();
      try {
        gather(e, sources);
        const handle = e.exports.ag_compile();
        if (handle < 0) throw failure(handle, e, false);
        const made = JSON.parse(e.readFailure());
        return new Policy(MADE, handle, e.generation, made);
      } finally {
        e.shrink();
      }
    });
  }

  /** The engine, if this policy is still in it. */
  #engine() {
    ready();
    if (engine.generation !== this.#generation) {
      throw new Error(
        "authgate: this policy was lost when the engine restarted after an internal error; compile the rules again",
      );
    }
    return engine;
  }

  /**
   * Is `endpoint` available to the declared `instance`, or to a runtime
   * instance of `connector` authenticating with `auth` and holding
   * `scopes`? `authgate eval`'s answer, as an object.
   */
  decide(request) {
    const frame = new Frame();
    frame.add(request, "");
    const requests = [request];
    return run(() => frame.decide(this.#engine(), this.#handle, requests)[0]);
  }

  /** Decides every request, in order: `eval`'s answers. */
  decideMany(requests) {
    if (!Array.isArray(requests)) {
      const iterable = requests != null && typeof requests[Symbol.iterator] === "function";
      if (!iterable || typeof requests === "string") {
        throw new TypeError(`decideMany takes an array of requests, not ${kind(requests)}`);
      }
      requests = Array.from(requests);
    }
    const frame = new Frame();
    for (let i = 0; i < requests.length; i++) {
      frame.add(requests[i], `request ${i}: `);
    }
    return run(() => {
      const e = this.#engine();
      try {
        return frame.decide(e, this.#handle, requests);
      } finally {
        e.shrink();
      }
    });
  }

  /**
   * What the declared `instance`, or a runtime instance of `connector`
   * with `auth` (holding `scopes`), sees: `visible --format json`'s
   * document. An unknown name throws an `Error` with the reason.
   */
  visible(who) {
    const json = whoJson(who);
    return run(() => {
      const e = this.#engine();
      const status = e.exports.ag_visible(this.#handle, e.writeOne(json));
      if (status < 0) throw failure(status, e, false);
      return JSON.parse(e.read(status));
    });
  }

  /** A decision explained: `explain --format json`'s document. */
  explain(request) {
    const json = requestJson(request, "");
    return run(() => {
      const e = this.#engine();
      const status = e.exports.ag_explain(this.#handle, e.writeOne(json));
      if (status < 0) throw failure(status, e, true);
      return JSON.parse(e.read(status));
    });
  }

  /**
   * What the rules declare, for tools that draw them: `{connectors:
   * [{name, file, line, methods: [{name, type, scopes}], endpoints:
   * [{name, file, line, methods, scoped: [{method, scopes}]}]}],
   * instances: [{name, connector, auth, scopes, file, line}]}`, in
   * declaration order. An endpoint's `methods` are those it lists
   * plainly; `scoped`, its items that need scopes.
   */
  outline() {
    return run(() => {
      const e = this.#engine();
      const status = e.exports.ag_outline(this.#handle);
      if (status < 0) throw failure(status, e, false);
      return JSON.parse(e.read(status));
    });
  }

  /** The bundle digest of the rule files, as `authgate digest` prints it. */
  get digest() {
    return this.#digest;
  }

  /** The warnings of the rules, as `check --format json` gives them (a copy). */
  get warnings() {
    return structuredClone(this.#warnings);
  }
}

/**
 * Checks rule files held in memory, `{"shop.gate": text, ...}`: the
 * document `authgate check --format json` prints, `{diagnostics, errors,
 * warnings}`. Never throws for the rules' errors.
 */
export function check(sources) {
  return run((e) => {
    ready();
    try {
      gather(e, sources);
      const status = e.exports.ag_check();
      if (status < 0) throw failure(status, e, false);
      return JSON.parse(e.read(status));
    } finally {
      e.shrink();
    }
  });
}

/**
 * The canonical layout of one rule file, as `authgate fmt` writes it,
 * comments kept. A file that does not parse throws `RulesError` with its
 * syntax error (`filename`, default `<input>`, names it).
 */
export function format(text, options) {
  const source = ruleText(text, "the text");
  const name = filename(options, "<input>");
  return run((e) => {
    ready();
    try {
      const [nameLength, textLength] = e.write([name, source]);
      const status = e.exports.ag_format(nameLength, textLength);
      if (status < 0) throw failure(status, e, false);
      return e.read(status);
    } finally {
      e.shrink();
    }
  });
}

/**
 * Turns `method` on or off for `endpoint` of `connector` in one rule
 * file, and returns the file in the canonical layout with every comment
 * kept. Off removes the method's items, plain and with scopes; on adds the
 * plain item. Unknown names throw an `Error` naming them; a file that
 * does not parse throws `RulesError`.
 */
export function setActivation(text, change) {
  const source = ruleText(text, "the text");
  if (typeof change !== "object" || change === null) {
    throw new TypeError(
      `setActivation takes {connector, endpoint, method, on}, not ${kind(change)}`,
    );
  }
  const { connector, endpoint, method, on } = change;
  for (const [key, value] of [
    ["connector", connector],
    ["endpoint", endpoint],
    ["method", method],
  ]) {
    if (typeof value !== "string") {
      throw new TypeError(`\`${key}\` must be a string, not ${kind(value)}`);
    }
  }
  if (typeof on !== "boolean") {
    throw new TypeError(`\`on\` must be a boolean, not ${kind(on)}`);
  }
  for (const key of Object.keys(change)) {
    if (!["connector", "endpoint", "method", "on", "filename"].includes(key)) {
      throw new TypeError(
        `unknown key \`${key}\`: setActivation takes connector, endpoint, method, on (and filename)`,
      );
    }
  }
  const name = filename(change, "<input>");
  return run((e) => {
    ready();
    try {
      const lengths = e.write([name, source, connector, endpoint, method]);
      const status = e.exports.ag_set_activation(...lengths, on ? 1 : 0);
      if (status < 0) throw failure(status, e, false);
      return e.read(status);
    } finally {
      e.shrink();
    }
  });
}

/**
 * For the package's own tests: makes the engine trap, as a bug would, to
 * show that the trap becomes an `Error` and the engine a new instance.
 * @internal
 */
export function _trapForTests() {
  return run((e) => {
    ready();
    e.exports.ag_test_trap();
  });
}
