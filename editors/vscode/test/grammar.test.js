// The TextMate grammar on real text: every shipped rule file in `rules/`
// is tokenized with VS Code's own engine (vscode-textmate on
// vscode-oniguruma), and the scopes of keywords, names, types, strings and
// comments are checked where the files put them. Run: `npm ci && npm test`.
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
