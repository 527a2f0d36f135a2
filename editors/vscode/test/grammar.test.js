// The TextMate grammar on real text: every shipped rule file in `rules/`
// (and every rule file with OAuth scopes among the diagnostics' fixtures)
// is tokenized with VS Code's own engine (vscode-textmate on
// vscode-oniguruma), and the scopes of keywords, names, types, strings,
// comments and OAuth scopes are checked where the files put them. Run:
// `npm ci && npm test`.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.join(__dirname, '..', '..', '..');
const grammarPath = path.join(__dirname, '..', 'syntaxes', 'authgate.tmLanguage.json');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.authgate'
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
        : null,
  });
  return registry.loadGrammar('source.authgate');
}

// Every token of `text`: {line, start, text, scopes}.
function tokenize(grammar, text) {
  const tokens = [];
  let state = vsctm.INITIAL;
  text.split('\n').forEach((line, number) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      tokens.push({
        line: number,
        start: token.startIndex,
        text: line.slice(token.startIndex, token.endIndex),
        scopes: token.scopes,
      });
    }
    state = result.ruleStack;
  });
  return tokens;
}

// The scopes of the token that covers column `column` of line `line`.
function scopesAt(tokens, line, column) {
  const token = tokens.find((t) => t.line === line && t.start <= column && column < t.start + t.text.length);
  assert.ok(token, `no token at ${line}:${column}`);
  return token.scopes;
}

function expectScope(tokens, line, column, scope, where) {
  const scopes = scopesAt(tokens, line, column);
  assert.ok(scopes.includes(scope), `${where}: expected ${scope} at ${line + 1}:${column + 1}, got ${scopes.join(' ')}`);
}

const rulesDir = path.join(root, 'rules');
const ruleFiles = fs.readdirSync(rulesDir).filter((f) => f.endsWith('.gate')).sort();

test('the shipped rules are there to tokenize', () => {
  assert.ok(ruleFiles.length >= 5, `found ${ruleFiles}`);
});

for (const file of ruleFiles) {
  test(`scopes in rules/${file}`, async () => {
    const grammar = await loadGrammar();
    const text = fs.readFileSync(path.join(rulesDir, file), 'utf8');
    const tokens = tokenize(grammar, text);
    const lines = text.split('\n');
    let checked = 0;
    const name = String.raw`([A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*")`;
    lines.forEach((line, n) => {
      const where = `rules/${file}:${n + 1}`;
      let m;
      if ((m = new RegExp(String.raw`^(\s*)connector\s+${name}`).exec(line))) {
        expectScope(tokens, n, m[1].length, 'keyword.other.connector.authgate', where);
        expectScope(tokens, n, line.indexOf(m[2]), 'entity.name.type.connector.authgate', where);
        checked++;
      }
      if ((m = new RegExp(String.raw`^(\s*)auth\s+${name}\s*:\s*(\w+)`).exec(line))) {
        expectScope(tokens, n, m[1].length, 'keyword.other.auth.authgate', where);
        expectScope(tokens, n, line.indexOf(m[2]), 'variable.other.enummember.method.authgate', where);
        expectScope(tokens, n, line.lastIndexOf(m[3]), 'support.type.auth.authgate', where);
        checked++;
      }
      if ((m = new RegExp(String.raw`^(\s*)endpoint\s+${name}`).exec(line))) {
        expectScope(tokens, n, m[1].length, 'keyword.other.endpoint.authgate', where);
        expectScope(tokens, n, line.indexOf(m[2], m[1].length + 8), 'entity.name.function.endpoint.authgate', where);
        checked++;
      }
      if ((m = new RegExp(String.raw`^instance\s+${name}\s+of\s+${name}`).exec(line))) {
        expectScope(tokens, n, 0, 'keyword.other.instance.authgate', where);
        expectScope(tokens, n, line.indexOf(m[1]), 'variable.other.instance.authgate', where);
        expectScope(tokens, n, line.indexOf(' of ') + 1, 'keyword.other.of.authgate', where);
        checked++;
      }
      if ((m = /^(\s*)(flow|test)\s/.exec(line))) {
        expectScope(tokens, n, m[1].length, 'keyword.other.block.authgate', where);
        checked++;
      }
      if ((m = /^(\s*)expect\s/.exec(line))) {
        expectScope(tokens, n, m[1].length, 'keyword.other.expect.authgate', where);
        const verb = /\b(cannot|can|sees)\b/.exec(line.slice(m[1].length + 6));
        if (verb) {
          expectScope(tokens, n, m[1].length + 6 + verb.index, 'keyword.other.expectation.authgate', where);
        }
        checked++;
      }
      // Every quoted name outside a comment is a string.
      const code = line.split('//')[0];
      for (const q of code.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
        const inBlockComment = scopesAt(tokens, n, q.index).some((s) => s.startsWith('comment.'));
        if (!inBlockComment) {
          expectScope(tokens, n, q.index, 'string.quoted.double.authgate', where);
          checked++;
        }
      }
      const comment = line.indexOf('//');
      if (comment >= 0 && !code.includes('"')) {
        expectScope(tokens, n, comment, 'comment.line.double-slash.authgate', where);
        checked++;
      }
    });
    assert.ok(checked > 10, `only ${checked} checks in ${file}`);
  });
}

test('block comments, arrows and unknown types', async () => {
  const grammar = await loadGrammar();
  const text = '/* a\n   connector x { */\nconnector c { auth m: oauth3 }\nflow f { connection "i 1" -> e }\n';
  const tokens = tokenize(grammar, text);
  expectScope(tokens, 1, 3, 'comment.block.authgate', 'block comment');
  expectScope(tokens, 2, 22, 'invalid.illegal.type.authgate', 'unknown type');
  expectScope(tokens, 3, 20, 'variable.other.instance.authgate', 'instance in a flow');
  expectScope(tokens, 3, 20, 'string.quoted.double.authgate', 'quoted instance');
  expectScope(tokens, 3, 26, 'keyword.operator.arrow.authgate', 'arrow');
  expectScope(tokens, 3, 29, 'entity.name.function.endpoint.authgate', 'endpoint in a flow');
});

// Scopes: the `scopes` key, `METHOD(SCOPE, ...)` items, quoted and bare
// scope names (in lists over several lines, with comments, in an
// instance, in a test's runtime subject), and an item's method still a
// method.
test('scopes: the key, scoped items, quoted and bare scope names', async () => {
  const grammar = await loadGrammar();
  const text = [
    'connector hubspot {',
    '    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", admin] >',
    '    auth "OAuth 2": oauth2_client_credentials < scopes: [',
    '        "deals.read", // read deals',
    '        deals_write',
    '    ] >',
    '    auth key: token',
    '    endpoint "GET /contacts" < auth: [oauth("contacts.read", admin), key] >',
    '    endpoint e < auth: ["OAuth 2"(deals_write)] >',
    '}',
    'instance acme of hubspot < auth: oauth, scopes: ["contacts.read"] >',
    'test t {',
    '    expect hubspot/oauth("contacts.read", admin) can see "GET /contacts"',
    '}',
  ].join('\n');
  const tokens = tokenize(grammar, text);
  const lines = text.split('\n');
  const at = (line, needle, from = 0) => {
    const column = lines[line].indexOf(needle, from);
    assert.ok(column >= 0, `no ${needle} on line ${line + 1}`);
    return column;
  };
  const scope = 'constant.other.scope.authgate';
  const method = 'variable.other.enummember.method.authgate';
  const string = 'string.quoted.double.authgate';
  expectScope(tokens, 1, at(1, 'scopes'), 'variable.parameter.option.scopes.authgate', 'scopes key');
  expectScope(tokens, 1, at(1, '"contacts.read"'), scope, 'quoted declared scope');
  expectScope(tokens, 1, at(1, '"contacts.read"'), string, 'quoted declared scope is a string');
  expectScope(tokens, 1, at(1, 'admin'), scope, 'bare declared scope');
  expectScope(tokens, 1, at(1, 'oauth2_authorization_code'), 'support.type.auth.authgate', 'type before scopes');
  expectScope(tokens, 2, at(2, 'scopes'), 'variable.parameter.option.scopes.authgate', 'scopes key, list below');
  expectScope(tokens, 3, at(3, '"deals.read"'), scope, 'scope on a line of its own');
  expectScope(tokens, 3, at(3, '//'), 'comment.line.double-slash.authgate', 'comment in a scope list');
  expectScope(tokens, 4, at(4, 'deals_write'), scope, 'bare scope on a line of its own');
  expectScope(tokens, 5, at(5, '>'), 'punctuation.definition.options.end.authgate', 'options end after a long list');
  expectScope(tokens, 6, at(6, 'auth'), 'keyword.other.auth.authgate', 'the next member');
  expectScope(tokens, 7, at(7, 'oauth('), method, 'method of a scoped item');
  expectScope(tokens, 7, at(7, '('), 'punctuation.section.parens.begin.authgate', 'item scopes open');
  expectScope(tokens, 7, at(7, '"contacts.read"'), scope, 'quoted scope of an item');
  expectScope(tokens, 7, at(7, 'admin'), scope, 'bare scope of an item');
  expectScope(tokens, 7, at(7, ')'), 'punctuation.section.parens.end.authgate', 'item scopes close');
  expectScope(tokens, 7, at(7, 'key'), method, 'plain item after a scoped one');
  assert.ok(!scopesAt(tokens, 7, at(7, 'key')).includes(scope), 'a plain item is no scope');
  expectScope(tokens, 8, at(8, '"OAuth 2"'), method, 'quoted method of a scoped item');
  expectScope(tokens, 8, at(8, 'deals_write'), scope, 'scope of a quoted method');
  expectScope(tokens, 10, at(10, 'scopes'), 'variable.parameter.option.scopes.authgate', 'instance scopes key');
  expectScope(tokens, 10, at(10, '"contacts.read"'), scope, 'scope an instance holds');
  expectScope(tokens, 10, at(10, 'oauth'), method, 'instance method');
  assert.ok(!scopesAt(tokens, 10, at(10, 'oauth')).includes(scope), 'the instance method is no scope');
  expectScope(tokens, 12, at(12, '"contacts.read"'), scope, 'runtime subject scope');
  expectScope(tokens, 12, at(12, 'admin'), scope, 'bare runtime subject scope');
  expectScope(tokens, 12, at(12, 'can'), 'keyword.other.expectation.authgate', 'verb after a scoped subject');
  expectScope(tokens, 12, at(12, '"GET /contacts"'), string, 'endpoint after a scoped subject');
  assert.ok(!scopesAt(tokens, 12, at(12, '"GET /contacts"')).includes(scope), 'an endpoint is no scope');
});

// The rule files with scopes in the repository (the diagnostics'
// fixtures): every name inside `scopes: [...]` and inside an item's or a
// subject's parentheses is a scope, and the name before `(` a method.
const scopedFiles = fs
  .readdirSync(path.join(root, 'tests', 'fixtures', 'fail'))
  .filter((f) => f.endsWith('.gate'))
  .map((f) => path.join('tests', 'fixtures', 'fail', f))
  .filter((f) => fs.readFileSync(path.join(root, f), 'utf8').includes('scopes:'))
  .sort();

test('the rule files with scopes are there to tokenize', () => {
  assert.ok(scopedFiles.length >= 4, `found ${scopedFiles}`);
});

for (const file of scopedFiles) {
  test(`scopes in ${file}`, async () => {
    const grammar = await loadGrammar();
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const tokens = tokenize(grammar, text);
    let checked = 0;
    text.split('\n').forEach((line, n) => {
      const where = `${file}:${n + 1}`;
      const code = line.split('//')[0];
      const list = /\bscopes\s*:\s*\[([^\]]*)\]/.exec(code);
      if (list) {
        expectScope(tokens, n, list.index, 'variable.parameter.option.scopes.authgate', where);
        const inner = list.index + list[0].indexOf('[') + 1;
        for (const name of list[1].matchAll(/"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*/g)) {
          expectScope(tokens, n, inner + name.index, 'constant.other.scope.authgate', where);
          checked++;
        }
      }
      for (const item of code.matchAll(/([A-Za-z_]\w*|"(?:[^"\\]|\\.)*")\(([^)]*)\)/g)) {
        expectScope(tokens, n, item.index, 'variable.other.enummember.method.authgate', where);
        const inner = item.index + item[1].length + 1;
        for (const name of item[2].matchAll(/"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*/g)) {
          expectScope(tokens, n, inner + name.index, 'constant.other.scope.authgate', where);
          checked++;
        }
      }
    });
    assert.ok(checked >= 2, `only ${checked} checks in ${file}`);
  });
}
