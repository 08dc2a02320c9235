// The browser chat: each message goes to the server in the order typed, with an id of its own so
// a resend after a lost connection is answered once. Replies are drawn as bubbles, choices as buttons.
"use strict";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("text");
const status = document.getElementById("status");
let queue = Promise.resolve();

function bubble(text, who) {
  const element = document.createElement("div");
  element.className = "bubble " + who;
  element.textContent = text;
  log.appendChild(element);
  return element;
}

function showChoices(choices) {
  document.querySelectorAll(".choices").forEach((old) => old.remove());
  if (!choices.length) return;
  const row = document.createElement("div");
  row.className = "choices";
  for (const [, label] of choices) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", () => send(label));
    row.appendChild(button);
  }
  log.appendChild(row);
}

function showReplies(replies) {
  for (const reply of replies) {
    const numbered = reply.choices.filter(([number]) => number !== null);
    const lines = numbered.map(([number, label]) => number + ". " + label);
    bubble(lines.length ? reply.text + "\n\n" + lines.join("\n") : reply.text, "bot");
  }
  if (replies.length) showChoices(replies[replies.length - 1].choices);
  log.scrollTop = log.scrollHeight;
}

async function post(id, text) {
  for (let wait = 500; ; wait = Math.min(wait * 2, 8000)) {
    try {
      const response = await fetch(form.dataset.path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id: id, text: text }),
      });
      if (response.ok) {
        status.hidden = true;
        return (await response.json()).replies;
      }
      if (response.status < 500) return [];
    } catch (error) {
      // no connection: the same id is sent again, so the server answers it only once
    }
    status.textContent = status.dataset.retrying;
    status.hidden = false;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function send(text) {
  if (!text.trim()) return;
  bubble(text, "owner");
  log.scrollTop = log.scrollHeight;
  const id = Date.now().toString(36) + Math.random().toString(36).slice(2);
  queue = queue.then(() => post(id, text)).then(showReplies);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  send(input.value);
  input.value = "";
  input.focus();
});
