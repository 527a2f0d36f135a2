// The authgate extension: `.gate` files get the TextMate grammar and the
// language configuration from package.json, and everything else from
// `authgate lsp`, the language server in the authgate binary (so the
// editor can never disagree with `authgate check`).
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('authgate');
  const command = config.get('path') || 'authgate';
  const server = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'authgate',
    'authgate',
    { run: server, debug: server },
    {
      documentSelector: [{ language: 'authgate' }],
      synchronize: {
        // The server re-reads rule files and authgate.toml when they
        // change on disk (a git checkout, a generated file).
        fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.gate,authgate.toml}'),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
