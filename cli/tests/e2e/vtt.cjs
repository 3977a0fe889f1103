// Parses WebVTT files with webvtt-parser (the W3C validator's parser) and prints, as JSON, each
// file's errors and cues. Run by cli/tests/render_text.rs: `node vtt.cjs FILE...`.
const fs = require("fs");
const { WebVTTParser } = require("webvtt-parser");

const parser = new WebVTTParser();
const files = process.argv.slice(2).map((file) => {
  const { cues, errors } = parser.parse(fs.readFileSync(file, "utf8"), "metadata");
  return {
    file,
    errors: errors.map((e) => `line ${e.line}: ${e.message}`),
    cues: cues.map((c) => ({ id: c.id, start: c.startTime, end: c.endTime, text: c.text })),
  };
});
process.stdout.write(JSON.stringify(files));
