// API types from each service's OpenAPI, generated from the services' code on every build,
// so a changed API breaks the type check instead of the user.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const out = join(here, "..", "src", "api", "generated");
const services = ["profiles", "matching", "messaging", "documents", "scheduling", "insights"];
const python = process.env.PYTHON ?? join(repo, ".venv", "bin", "python");
if (!existsSync(python)) throw new Error(`${python} not found: run \`make deps\` first`);
mkdirSync(out, { recursive: true });
execFileSync(python, [join(here, "dump_openapi.py"), out, ...services], { stdio: "inherit", cwd: repo });
// FastAPI repeats an operationId when one function serves two methods (GET and HEAD);
// openapi-typescript refuses that, and the paths' types do not need the ids to be unique.
function uniqueOperationIds(schema) {
  const seen = new Set();
  for (const [path, ops] of Object.entries(schema.paths ?? {}))
    for (const [method, op] of Object.entries(ops))
      if (op && typeof op === "object" && op.operationId) {
        if (seen.has(op.operationId)) op.operationId = `${op.operationId}_${method}_${path.replace(/\W+/g, "_")}`;
        seen.add(op.operationId);
      }
}

for (const name of services) {
  const schema = JSON.parse(readFileSync(join(out, `${name}.json`), "utf8"));
  uniqueOperationIds(schema);
  // Fields with a default may be left out of a request: keep them optional.
  const ast = await openapiTS(schema, { defaultNonNullable: false });
  writeFileSync(join(out, `${name}.ts`), `// Generated from ${name}'s OpenAPI by scripts/gen-api.mjs.\n${astToString(ast)}`);
}
console.log(`API types for ${services.join(", ")} in src/api/generated/`);
