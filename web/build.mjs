// Bundles src/widget.js and socket.io-client into one file the backend serves at /chat/static/widget.js.
// Output: var/web/widget.js (not committed). Usage: npm ci && node build.mjs
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: [path.join(here, "src/widget.js")],
  outfile: path.join(here, "../var/web/widget.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  logLevel: "warning",
});
