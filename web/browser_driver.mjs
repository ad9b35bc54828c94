// Drives the web pages in headless Chromium for the browser tests (tests/e2e/test_web_*.py, through
// tests/e2e/web_server.py). Usage: node browser_driver.mjs; it answers {"ready": true}, then reads one
// JSON command per line on stdin and answers one JSON line each:
//   {"cmd": "newPage"}                          a fresh browser context (no cookies) and page
//   {"cmd": "goto", "url"}                      load a page
//   {"cmd": "click", "selector", "nav": true}   click; with nav, wait for the next page to load
//   {"cmd": "fill", "selector", "value"}        type into a field
//   {"cmd": "check", "selector"}                tick a radio or checkbox (or the one a label names)
//   {"cmd": "select", "selector", "value"}      choose an option of a <select>
//   {"cmd": "type", "text"}                     type on the keyboard into whatever has focus
//   {"cmd": "press", "key", "nav": false}       a key on the focused element (e.g. "Tab", "Space", "Enter")
//   {"cmd": "tabs", "count"}                    press Tab count times; what has focus after each
//   {"cmd": "tabUntil", "selector", "max"}      press Tab until the focused element matches (at most max times)
//   {"cmd": "eval", "expression"}               the value of a JavaScript expression in the page
//   {"cmd": "download", "selector", "path"}     click a link that downloads; the file saved at path
//   {"cmd": "axe"}                              axe-core (WCAG 2.1 A and AA rules) on the page
//   {"cmd": "requests"}                         every URL requested since newPage, and since the driver began
// Every answer carries the page's url, title and last HTTP status, its JavaScript errors, or
// {"error"} if the command failed. Uses Debian's /usr/bin/chromium; playwright-core never downloads
// a browser, and the pages must not fetch anything from another host (the tests check the requests).
import { chromium } from "playwright-core";
import readline from "node:readline";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
const AXE = process.env.AXE || new URL("./node_modules/axe-core/axe.min.js", import.meta.url).pathname;
const WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

let context = null, page = null, status = null, requests = [], jsErrors = [];
const allRequests = [];

async function newPage() {
  if (context) await context.close();
  context = await browser.newContext({ acceptDownloads: true, locale: "en-GB", timezoneId: "Europe/London" });
  requests = [];
  jsErrors = [];
  status = null;
  context.on("request", (r) => { requests.push(r.url()); allRequests.push(r.url()); });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on("response", (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) status = r.status();
  });
  page.on("pageerror", (e) => jsErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") jsErrors.push(m.text()); });
}

// Runs an action that may load a new page, and waits for that page when nav is set.
async function acting(nav, action) {
  if (!nav) return action();
  const loaded = page.waitForEvent("load", { timeout: 15000 });
  await action();
  await loaded;
}

function focused() {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: "body" };
  const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
  return {
    tag: el.tagName.toLowerCase(), id: el.id || "", name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "", value: el.value ?? "", href: el.getAttribute("href") || "",
    text: (el.innerText || "").trim().slice(0, 80), label: label ? label.innerText.trim().slice(0, 80) : "",
    checked: !!el.checked, className: el.className && typeof el.className === "string" ? el.className : "",
  };
}

async function axe() {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return {
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary })),
      })),
      passes: result.passes.length, incomplete: result.incomplete.length,
    };
  }, WCAG21AA);
}

async function run(cmd) {
  switch (cmd.cmd) {
    case "newPage": await newPage(); return {};
    case "goto": { const r = await page.goto(cmd.url); status = r ? r.status() : status; return {}; }
    case "click": await acting(cmd.nav !== false, () => page.click(cmd.selector)); return {};
    case "fill": await page.fill(cmd.selector, cmd.value); return {};
    case "check": await page.check(cmd.selector); return {};
    case "select": await page.selectOption(cmd.selector, cmd.value); return {};
    case "type": await page.keyboard.type(cmd.text); return {};
    case "press": await acting(!!cmd.nav, () => page.keyboard.press(cmd.key)); return { focused: await page.evaluate(focused) };
    case "tabs": {
      const seen = [];
      for (let i = 0; i < cmd.count; i++) {
        await page.keyboard.press("Tab");
        seen.push(await page.evaluate(focused));
      }
      return { focused: seen };
    }
    case "tabUntil": {
      const seen = [];
      for (let i = 0; i < (cmd.max || 40); i++) {
        await page.keyboard.press("Tab");
        seen.push(await page.evaluate(focused));
        if (await page.evaluate((sel) => !!document.activeElement && document.activeElement.matches(sel), cmd.selector)) {
          return { focused: seen, found: true };
        }
      }
      return { focused: seen, found: false };
    }
    case "eval": return { value: await page.evaluate(cmd.expression) };
    case "download": {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(cmd.selector)]);
      await download.saveAs(cmd.path);
      return { filename: download.suggestedFilename(), path: cmd.path, downloadUrl: download.url() };
    }
    case "axe": return await axe();
    case "requests": return { requests, allRequests };
    default: throw new Error(`unknown command ${cmd.cmd}`);
  }
}

out({ ready: true });
const rl = readline.createInterface({ input: process.stdin });
try {
  for await (const line of rl) {
    if (!line.trim()) continue;
    let answer;
    try {
      answer = await run(JSON.parse(line));
    } catch (err) {
      answer = { error: String((err && err.stack) || err) };
    }
    const where = page ? { url: page.url(), title: await page.title().catch(() => ""), status, jsErrors } : {};
    out({ ...where, ...answer });
  }
} finally {
  await browser.close();
}
