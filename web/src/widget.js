// The web chat widget: talks to the assistant's socket.io channel (channels/webchat.py).
// The page gives the Rasa server's URL in a data attribute on #webchat, and for a member of staff
// signed in to the pages a short-lived token (data-staff-token); an integration may put a token in the
// page's fragment instead (#staff_token=..., removed from the address bar at once). The server
// assigns the conversation id.
import { io } from "socket.io-client";

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function start(root) {
  const log = root.querySelector("[data-webchat-log]");
  const form = root.querySelector("form");
  const input = form.querySelector("input");
  const status = root.querySelector("[data-webchat-status]");
  const auth = {};
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  if (root.dataset.staffToken) {  // signed in to the pages: a short-lived token from the backend
    auth.staff_token = root.dataset.staffToken;
    delete root.dataset.staffToken;
  } else if (fragment.get("staff_token")) {
    auth.staff_token = fragment.get("staff_token");
    history.replaceState(null, "", window.location.pathname + window.location.search);
    const who = document.querySelector("[data-webchat-who]");
    if (who) who.textContent = "You are reporting as a member of staff.";
  }
  const socket = io(root.dataset.rasaUrl, { path: root.dataset.socketPath || "/socket.io", auth, transports: ["websocket", "polling"] });

  function show(who, text) {
    const item = el("li", { class: `webchat-msg webchat-${who}` });
    item.appendChild(el("span", { class: "webchat-visually-hidden" }, who === "bot" ? "Assistant: " : "You: "));
    const body = el("div", { class: "webchat-text" });
    for (const line of String(text).split("\n")) {
      body.appendChild(el("p", {}, line));
    }
    item.appendChild(body);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function send(text, shown) {
    if (!text.trim()) return;
    for (const group of log.querySelectorAll(".webchat-buttons")) group.remove();
    show("user", shown || text);
    socket.emit("user_uttered", { message: text });
  }

  socket.on("connect", () => {
    status.textContent = "Connected";
    root.dataset.state = "connected";
    socket.emit("session_request", {});
  });
  socket.on("session_confirm", (conversation) => {
    root.dataset.conversation = conversation;
  });
  socket.on("connect_error", (err) => {
    status.textContent = "Sorry, the chat could not connect. If you are signed in, your session may have expired.";
    root.dataset.state = "refused";
  });
  socket.on("disconnect", () => {
    status.textContent = "Disconnected";
    root.dataset.state = "disconnected";
  });
  socket.on("bot_uttered", (message) => {
    const item = show("bot", message.text || "");
    const buttons = message.quick_replies || message.buttons || [];
    if (buttons.length) {
      const group = el("div", { class: "webchat-buttons", role: "group", "aria-label": "Choices" });
      for (const b of buttons) {
        const button = el("button", { type: "button", class: "webchat-button", "data-payload": b.payload }, b.title);
        button.addEventListener("click", () => send(b.payload, b.title));
        group.appendChild(button);
      }
      item.appendChild(group);
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
}

const root = document.getElementById("webchat");
if (root) start(root);
