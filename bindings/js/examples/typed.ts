// The whole API with its types, held to `tsc --strict` by scripts/test.sh
// (`npm run typecheck`): what a TypeScript project sees.
import {
  Policy,
  RulesError,
  check,
  format,
  setActivation,
  type Answer,
  type CheckReport,
  type Diagnostic,
  type Explanation,
  type Request,
  type Visible,
} from "authgate";

const text = `connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write"] >
    auth key: token

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
}

instance reader of hubspot < auth: oauth, scopes: ["contacts.read"] >
`;

let policy: Policy;
try {
  policy = Policy.fromSources({ "hubspot.gate": text });
} catch (error) {
  if (error instanceof RulesError) {
    const first: Diagnostic | undefined = error.diagnostics[0];
    console.error(first?.file, first?.line, first?.message);
  }
  throw error;
}

const answer: Answer = policy.decide({ instance: "reader", endpoint: "POST /contacts" });
const available: boolean = answer.available;
const missing: string[] | undefined = answer.missing_scopes;
const requests: Request[] = [
  { instance: "reader", endpoint: "GET /contacts" },
  { connector: "hubspot", auth: "oauth", scopes: ["contacts.write"], endpoint: "POST /contacts" },
];
const answers: Answer[] = policy.decideMany(requests);
const seen: Visible = policy.visible({ connector: "hubspot", auth: "key" });
const why: Explanation = policy.explain({ instance: "reader", endpoint: "GET /contacts" });
const digest: string = policy.digest;
const report: CheckReport = check({ "hubspot.gate": text });
const formatted: string = format(text, { filename: "hubspot.gate" });
const edited: string = setActivation(text, {
  connector: "hubspot",
  endpoint: "POST /contacts",
  method: "key",
  on: true,
});

console.log(available, missing, answers.length, seen.endpoints, why.reason, digest, report.errors, formatted, edited);
