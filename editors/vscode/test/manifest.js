// Checks that the manifest and the extension agree: every contributed command is registered,
// the grammar and the language configuration are where the manifest says and parse.
"use strict";

const fs = require("fs");
const path = require("path");
const assert = require("assert");

const root = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const source = fs.readFileSync(path.join(root, manifest.main), "utf8");
for (const { command } of manifest.contributes.commands) {
  assert.ok(source.includes(`"${command}"`), `${command} is not registered in ${manifest.main}`);
}
for (const g of manifest.contributes.grammars) {
  const grammar = JSON.parse(fs.readFileSync(path.join(root, g.path), "utf8"));
  assert.strictEqual(grammar.scopeName, g.scopeName);
}
for (const l of manifest.contributes.languages) {
  JSON.parse(fs.readFileSync(path.join(root, l.configuration), "utf8"));
}
console.log("manifest: ok");
