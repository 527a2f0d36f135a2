// Types of the npm package `authgate` (index.js). Every object a call
// returns is the JSON the `authgate` command-line tool prints for the
// same question, parsed.

/** A request about a declared instance. */
export interface InstanceRequest {
  instance: string;
  endpoint: string;
}

/**
 * A request about a runtime instance: a connector, the method it
 * authenticates with and the scopes it holds (none when left out).
 */
export interface RuntimeRequest {
  connector: string;
  auth: string;
  scopes?: readonly string[];
  endpoint: string;
}

/** One request, as a line of `authgate eval`. */
export type Request = InstanceRequest | RuntimeRequest;

/** Who asks, for `visible`. */
export type Who =
  | { instance: string }
  | { connector: string; auth: string; scopes?: readonly string[] };

/** `authgate eval`'s answer. */
export interface Answer {
  available: boolean;
  /** Why, in words. */
  reason: string;
  instance?: string;
  connector?: string;
  auth?: string;
  endpoint: string;
  /** For a decision by scopes: the item that granted the endpoint, or came closest. */
  item?: string;
  /** For a refusal by scopes: the scopes missing from `item`. */
  missing_scopes?: string[];
}

/** A place in a rule file. */
export interface Place {
  file: string;
  line: number;
  column: number;
}

/** `authgate explain --format json`'s document. */
export interface Explanation {
  available: boolean;
  instance: string | null;
  connector: string | null;
  auth: string | null;
  endpoint: string;
  activated: string[];
  reason: string;
  instance_location: Place | null;
  endpoint_location: Place | null;
  item?: string;
  missing_scopes?: string[];
  unknown_scopes?: string[];
}

/** `authgate visible --format json`'s document. */
export interface Visible {
  instance: string | null;
  connector: string;
  auth: string;
  endpoints: string[];
  /** The scopes a runtime instance was given, if any. */
  scopes?: string[];
  /** Those of them its method does not declare (each grants nothing). */
  unknown_scopes?: string[];
}

/** A label of a diagnostic. */
export interface Label {
  file: string;
  line: number;
  column: number;
  /** Byte offset from the start of the file. */
  offset: number;
  /** Length in bytes. */
  length: number;
  label: string;
}

/** One diagnostic, as `authgate check --format json` gives it. */
export interface Diagnostic {
  /** `authgate::<name>`. */
  code: string;
  severity: "error" | "warning";
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  /** Every label, primary first. */
  labels: Label[];
  help: string | null;
}

/** `authgate check --format json`'s document. */
export interface CheckReport {
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

/** Rule files: `{"shop.gate": text}` (or a Map), text as a string or bytes. */
export type Sources =
  | Readonly<Record<string, string | Uint8Array>>
  | ReadonlyMap<string, string | Uint8Array>;

/** The rules have errors, so nothing evaluates them. */
export class RulesError extends Error {
  readonly name: "RulesError";
  /** Every diagnostic of the run, errors and warnings. */
  readonly diagnostics: Diagnostic[];
}

/** A method of a connector, in an outline. */
export interface MethodOutline {
  name: string;
  /** The auth type, as written in rule files (`basic`, `oauth2_authorization_code`, ...). */
  type: string;
  /** The scopes it declares. */
  scopes: string[];
}

/** An endpoint, in an outline. */
export interface EndpointOutline {
  name: string;
  file: string | null;
  line: number | null;
  /** The methods its auth list names plainly. */
  methods: string[];
  /** The items of its auth list that need scopes. */
  scoped: { method: string; scopes: string[] }[];
}

/** What a policy declares, in declaration order. */
export interface Outline {
  connectors: {
    name: string;
    file: string | null;
    line: number | null;
    methods: MethodOutline[];
    endpoints: EndpointOutline[];
  }[];
  instances: {
    name: string;
    connector: string | null;
    auth: string | null;
    scopes: string[];
    file: string | null;
    line: number | null;
  }[];
}

/** A compiled rule set: immutable. */
export class Policy {
  private constructor();
  /** Compiles rule files held in memory; throws `RulesError`. */
  static fromSources(sources: Sources): Policy;
  /** Is the endpoint available, and why: `eval`'s answer. */
  decide(request: Request): Answer;
  /** Decides every request, in order. */
  decideMany(requests: Iterable<Request>): Answer[];
  /** What an instance sees; an unknown name throws `Error` with the reason. */
  visible(who: Who): Visible;
  /** A decision explained. */
  explain(request: Request): Explanation;
  /** What the rules declare: connectors, methods, endpoints, instances. */
  outline(): Outline;
  /** The bundle digest, `sha256:<hex>`, as `authgate digest` prints it. */
  readonly digest: string;
  /** The warnings of the rules (a copy). */
  readonly warnings: Diagnostic[];
}

/** Checks rule files held in memory; never throws for the rules' errors. */
export function check(sources: Sources): CheckReport;

/** The canonical layout of one file (`authgate fmt`); throws `RulesError` when it does not parse. */
export function format(text: string | Uint8Array, options?: { filename?: string }): string;

/** One method turned on or off for one endpoint. */
export interface Activation {
  connector: string;
  endpoint: string;
  method: string;
  on: boolean;
  /** The name a syntax error gives the file; default `<input>`. */
  filename?: string;
}

/**
 * Turns a method on or off for an endpoint of one file; returns the file
 * in the canonical layout, comments kept.
 */
export function setActivation(text: string | Uint8Array, change: Activation): string;
