// Builds what the backend serves from var/web/ (not committed). Usage: npm ci && node build.mjs
//  - widget.js: src/widget.js and socket.io-client bundled into one file (/chat/static/widget.js);
//  - static/nhsuk/: the NHS.UK frontend's built CSS, JS and images (/static/nhsuk/...);
//  - static/chart.umd.min.js: Chart.js for the dashboard's charts.
// Nothing is fetched from a CDN at run time: the NHS.UK CSS's web fonts (assets.nhs.uk) are left out,
// so text falls back to Arial as the NHS.UK font stack intends, and its image URLs point here.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "../var/web");
const nhsuk = path.join(here, "node_modules/nhsuk-frontend/dist/nhsuk");

await build({
  entryPoints: [path.join(here, "src/widget.js")],
  outfile: path.join(out, "widget.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  logLevel: "warning",
});

const staticDir = path.join(out, "static");
fs.rmSync(path.join(staticDir, "nhsuk"), { recursive: true, force: true });
fs.mkdirSync(path.join(staticDir, "nhsuk"), { recursive: true });
const css = fs.readFileSync(path.join(nhsuk, "nhsuk-frontend.min.css"), "utf8")
  .replace(/@font-face\{[^}]*assets\.nhs\.uk[^}]*\}/g, "")
  .replaceAll("url(/assets/", "url(/static/nhsuk/assets/");
if (css.includes("assets.nhs.uk")) throw new Error("the NHS.UK CSS still refers to assets.nhs.uk");
fs.writeFileSync(path.join(staticDir, "nhsuk/nhsuk-frontend.min.css"), css);
fs.copyFileSync(path.join(nhsuk, "nhsuk-frontend.min.js"), path.join(staticDir, "nhsuk/nhsuk-frontend.min.js"));
fs.cpSync(path.join(nhsuk, "assets"), path.join(staticDir, "nhsuk/assets"), { recursive: true });
fs.copyFileSync(path.join(here, "node_modules/chart.js/dist/chart.umd.min.js"), path.join(staticDir, "chart.umd.min.js"));
