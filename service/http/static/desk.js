// Progressive enhancement only: without this file the form posts and the server renders the page.
"use strict";

const FITS = { 2: 640, 3: 960, 4: 1240 };  // window widths at which n cards stand side by side (desk.css)

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("desk-form");
  if (form && window.fetch) form.addEventListener("submit", (event) => { event.preventDefault(); run(form); });
  if (form) countCharacters(form);
  const error = document.getElementById("error");
  const result = document.getElementById("result");
  if (error) { error.scrollIntoView({ block: "start" }); error.focus(); }
  else if (result) result.scrollIntoView({ block: "start" });
  if (result) { addCopyButtons(); linkSentences(); switchLanguages(); editSentences(result.dataset.run, result.dataset.memory === "shared"); }
});

// --- sending the article, and its progress ------------------------------------------

// Ctrl+Enter (Cmd+Enter) sends the article, as in mail and chat; the count under the box says
// how much of the limit the text uses, and an article over it is refused here, before sending.
function countCharacters(form) {
  const text = document.getElementById("text");
  const hint = document.getElementById("text-hint");
  const limit = Number(text.dataset.limit || 0);
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  if (!hint || !limit) return;
  const count = () => {
    const used = text.value.length;
    hint.textContent = `${used.toLocaleString("en")} of ${limit.toLocaleString("en")} characters`;
    hint.classList.toggle("over", used > limit);
  };
  text.addEventListener("input", count);
  count();
}

function tooLong(form) {
  const text = document.getElementById("text");
  const limit = Number(text.dataset.limit || 0);
  const file = form.querySelector("input[type=file]");
  if (!limit || text.value.length <= limit || (file && file.files.length)) return null;
  return `The article has ${text.value.length.toLocaleString("en")} characters; the limit is ` +
    `${limit.toLocaleString("en")}: shorten it, or send it in parts.`;
}

async function run(form) {
  const button = document.getElementById("go");
  const refusal = tooLong(form);
  if (refusal) { showError(refusal); return; }
  button.disabled = true;
  showError(null);
  try {
    const response = await fetch(form.dataset.runs, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } });
    const answer = await response.json();
    if (!response.ok) { showError(answer.error); button.disabled = false; return; }
    follow(answer.progress, answer.page);
  } catch (failure) {
    showError(`The server could not be reached (${failure.message}): check the connection, then send again.`);
    button.disabled = false;
  }
}

function follow(progressUrl, page) {
  const panel = document.getElementById("progress");
  const steps = document.getElementById("steps");
  panel.hidden = false;
  panel.scrollIntoView({ block: "start" });
  const poll = async () => {
    const response = await fetch(progressUrl, { headers: { Accept: "application/json" } });
    const answer = await response.json();
    if (!response.ok) { showError(answer.error); panel.hidden = true; document.getElementById("go").disabled = false; return; }
    steps.replaceChildren(...answer.steps.map((step) => {
      const item = document.createElement("li");
      item.className = step.stage;
      item.textContent = step.text;
      return item;
    }));
    // Every step stays in sight a moment before the result opens: a short article is done
    // between two polls, and the editor saw only "Cleaned the text" (issue 28).
    if (answer.status === "running") setTimeout(poll, 250);
    else setTimeout(() => window.location.assign(page), 600);  // the result, or the form with its error
  };
  poll();
}

function showError(message) {
  const box = document.getElementById("messages");
  box.replaceChildren();
  if (!message) return;
  const error = document.createElement("div");
  error.className = "error";
  error.id = "error";
  error.setAttribute("role", "alert");
  error.tabIndex = -1;
  const strong = document.createElement("strong");
  strong.textContent = "Could not process the article.";
  error.append(strong, " " + message);
  box.append(error);
  error.scrollIntoView({ block: "start" });
  error.focus();
}

// --- reading the result -----------------------------------------------------------

function addCopyButtons() {
  document.querySelectorAll(".copyable").forEach((block) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(block.innerText.trim());
      button.textContent = "Copied";
    });
    block.before(button);
  });
}

function light(index) {
  document.querySelectorAll(".s.linked").forEach((s) => s.classList.remove("linked"));
  document.querySelectorAll(`.s[data-i="${index}"]`).forEach((s) => s.classList.add("linked"));
}

function linkSentences() {
  // A sentence lights up its counterparts in every card; a summary bullet goes to its sentence.
  document.querySelectorAll(".s").forEach((span) => span.addEventListener("click", () => light(span.dataset.i)));
  document.querySelectorAll(".to-sentence").forEach((link) => link.addEventListener("click", (event) => {
    event.preventDefault();
    light(link.dataset.i);
    const target = document.getElementById(link.getAttribute("href").slice(1));
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }));
}

function switchLanguages() {
  // Too narrow for every card side by side: one card at a time, chosen in the switcher.
  const cards = document.getElementById("cards");
  const switcher = document.getElementById("switcher");
  if (!switcher) return;
  const links = [...switcher.querySelectorAll("a")];
  const count = cards.children.length;
  const wide = window.matchMedia(`(min-width: ${FITS[count] || 0}px)`);
  const show = (id) => {
    links.forEach((link) => { if (link.dataset.card === id) link.setAttribute("aria-current", "true"); else link.removeAttribute("aria-current"); });
    [...cards.children].forEach((card) => card.classList.toggle("active", card.id === id));
  };
  const layout = () => {
    cards.classList.toggle("tabbed", !wide.matches);
    switcher.classList.toggle("on", !wide.matches);
    if (!cards.querySelector(".active")) show(links[Math.min(1, links.length - 1)].dataset.card);
  };
  links.forEach((link) => link.addEventListener("click", (event) => {
    if (wide.matches) return;  // side by side: the link just scrolls
    event.preventDefault();
    show(link.dataset.card);
  }));
  wide.addEventListener("change", layout);
  layout();
}

// --- correcting a translation -----------------------------------------------------

function editSentences(runId, shared) {
  document.querySelectorAll(".translation .s").forEach((span) => {
    span.addEventListener("click", () => startEditing(span, runId, shared));
    span.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !span.isContentEditable) { event.preventDefault(); startEditing(span, runId, shared); }
    });
  });
}

// shared: this key's corrections go into the memory every translation reads; otherwise
// (a translate key, issue 31) they change this result only, and the button says so.
function startEditing(span, runId, shared) {
  if (span.isContentEditable) return;
  const card = span.closest(".translation");
  const url = `/results/${runId}/sentences/${card.dataset.lang}/${span.dataset.i}`;
  const before = span.innerHTML;
  const bar = document.createElement("div");
  bar.className = "editbar";
  bar.setAttribute("lang", "en");
  bar.setAttribute("dir", "ltr");
  const status = document.createElement("output");
  const save = button(shared ? "Save to memory" : "Save to this result", "primary", async () => {
    status.className = "";
    status.textContent = "Saving…";
    const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text: span.innerText.trim() }) });
    const answer = await response.json();
    if (!response.ok) { status.className = "bad"; status.setAttribute("role", "alert"); status.textContent = answer.error; return; }
    span.textContent = answer.translation;
    span.classList.add("reviewed");
    span.classList.remove("uncertain");
    stop();
    saved(span, answer.memory ? "Saved into the translation memory." : "Saved in this result.");
  });
  const others = button("Alternatives", "quiet", async () => {
    status.textContent = "Asking the model…";
    const response = await fetch(`${url}/alternatives`, { headers: { Accept: "application/json" } });
    const answer = await response.json();
    if (!response.ok) { status.className = "bad"; status.textContent = answer.error; return; }
    status.textContent = answer.alternatives.length ? "Pick one, then save:" : "The model has no other translation of this sentence.";
    others.remove();
    answer.alternatives.forEach((text) => {
      const pick = button(text, "alt", () => { span.textContent = text; span.focus(); });
      pick.setAttribute("lang", card.lang);
      pick.setAttribute("dir", card.dir);
      bar.insertBefore(pick, status);
    });
  });
  const cancel = button("Cancel", "plain", () => { span.innerHTML = before; stop(); });
  bar.append(save, others, cancel, status);
  const stop = () => {
    span.removeAttribute("contenteditable");
    span.removeEventListener("keydown", keys);
    bar.remove();
    span.focus();
  };
  const keys = (event) => {
    if (event.key === "Escape") { event.preventDefault(); cancel.click(); }
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); save.click(); }
  };
  span.textContent = span.innerText;  // edit plain text: glossary marks come back on the next run
  span.setAttribute("contenteditable", "plaintext-only");
  span.addEventListener("keydown", keys);
  span.closest("p").after(bar);
  span.focus();
}

// kind: "primary" (the one that does it), "quiet" (asks for more), "plain" (leaves), "alt" (a choice).
function button(text, kind, action) {
  const made = document.createElement("button");
  made.type = "button";
  made.className = kind;
  made.textContent = text;
  made.addEventListener("click", action);
  return made;
}

// What a save did, said under its paragraph for a few seconds (and to screen readers).
function saved(span, message) {
  const note = document.createElement("output");
  note.className = "saved";
  note.setAttribute("role", "status");
  note.setAttribute("lang", "en");
  note.setAttribute("dir", "ltr");
  note.textContent = message;
  span.closest("p").after(note);
  setTimeout(() => note.remove(), 5000);
}
