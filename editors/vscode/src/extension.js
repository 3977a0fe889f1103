// The VS Code side of the .guide language: starts `guide lsp` (diagnostics, hover, completion,
// definition, outline, rename, formatting) and opens the preview of the current campaign.
"use strict";

const vscode = require("vscode");
const path = require("path");
const { spawn } = require("child_process");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;
/** @type {Map<string, {process: import("child_process").ChildProcess, url: string}>} */
const previews = new Map();

/** The `guide` command the user configured. */
function guideCommand() {
  return vscode.workspace.getConfiguration("guide").get("path") || "guide";
}

function startClient(context) {
  const command = guideCommand();
  const serverOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "guide" }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.guide,schema.ron}"),
    },
  };
  client = new LanguageClient("guide", "Guide language server", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

/** Opens the preview of the campaign whose file is in the active editor. */
async function openPreview() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "guide") {
    vscode.window.showWarningMessage("Open a .guide file first.");
    return;
  }
  await editor.document.save();
  const folder = path.dirname(editor.document.uri.fsPath);
  const running = previews.get(folder);
  if (running) {
    await vscode.env.openExternal(vscode.Uri.parse(running.url));
    return;
  }
  const child = spawn(guideCommand(), ["preview", folder], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the preview did not start in 30 seconds")), 30000);
    child.stdout.on("data", (chunk) => {
      output += chunk.toString();
      const found = output.match(/https?:\/\/\S+/);
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    });
    child.stderr.on("data", (chunk) => (output += chunk.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      previews.delete(folder);
      reject(new Error(`guide preview exited (${code}): ${output.trim()}`));
    });
  }).catch((e) => {
    vscode.window.showErrorMessage(`Guide preview: ${e.message}`);
    return undefined;
  });
  if (url) {
    previews.set(folder, { process: child, url });
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("guide.openPreview", openPreview),
    vscode.commands.registerCommand("guide.restartServer", async () => {
      if (client) {
        await client.restart();
      }
    }),
  );
  return startClient(context);
}

function deactivate() {
  for (const { process } of previews.values()) {
    process.kill();
  }
  previews.clear();
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
