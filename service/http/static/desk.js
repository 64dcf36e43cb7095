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
  if (result) {
    addCopyButtons(); linkSentences(); switchLanguages(); translateBack();
    editSentences(result.dataset.run, result.dataset.memory === "shared");
  }
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
      // What the card says, without the back-translation shown under its sentences.
      const extra = [...block.querySelectorAll(".back")];
      extra.forEach((line) => { line.hidden = true; });
      const text = block.innerText.trim();
      extra.forEach((line) => { line.hidden = false; });
      await navigator.clipboard.writeText(text);
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

// Each translation card whose pack goes back into the article's language can show, under every
// sentence, what the translation says in that language, as it stands now (corrections included).
function translateBack() {
  document.querySelectorAll(".back-tools").forEach((tools) => {
    const toggle = tools.querySelector(".back-toggle");
    const status = tools.querySelector(".back-status");
    const card = tools.closest(".translation");
    const name = toggle.dataset.name;
    tools.hidden = false;
    toggle.addEventListener("click", async () => {
      const shown = card.querySelectorAll(".back");
      if (shown.length) {
        shown.forEach((line) => line.remove());
        toggle.setAttribute("aria-pressed", "false");
        status.textContent = "";
        return;
      }
      status.className = "back-status";
      status.textContent = `Translating back into ${name}…`;
      toggle.disabled = true;  // one request at a time: a second click would add every line twice
      let response, answer;
      try {
        response = await fetch(toggle.dataset.url, { headers: { Accept: "application/json" } });
        answer = await response.json();
      } catch (error) {
        answer = { error: `Could not reach the service (${error.message}): try again.` };
      } finally {
        toggle.disabled = false;
      }
      if (!response || !response.ok) { status.className = "back-status bad"; status.textContent = answer.error; return; }
      card.querySelectorAll(".text .s").forEach((span) => {
        const line = document.createElement("span");
        line.className = "back";
        line.setAttribute("lang", answer.language);
        line.setAttribute("dir", "auto");
        line.textContent = answer.sentences[Number(span.dataset.i)];
        span.after(line);
      });
      toggle.setAttribute("aria-pressed", "true");
      status.textContent = `Each sentence is followed by the machine's ${name} for it.`;
    });
  });
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
  const terms = [...span.querySelectorAll("mark.term")].map((mark) => ({ text: mark.textContent, title: mark.title }));
  const bar = document.createElement("div");
  bar.className = "editbar";
  bar.setAttribute("lang", "en");
  bar.setAttribute("dir", "ltr");
  const status = document.createElement("output");
  // The sentence it translates, in view while correcting (on a phone there is no hover).
  const original = document.createElement("p");
  original.className = "original";
  const label = document.createElement("span");
  label.textContent = "Original: ";
  const said = document.createElement("span");
  said.setAttribute("lang", document.getElementById("source").lang);
  said.setAttribute("dir", "auto");
  said.textContent = span.dataset.source;
  original.append(label, said);
  const checks = termChecks(span, terms);
  const save = button(shared ? "Save to memory" : "Save to this result", "primary", async () => {
    status.className = "";
    status.textContent = "Saving…";
    const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text: span.innerText.trim() }) });
    const answer = await response.json();
    if (!response.ok) { status.className = "bad"; status.setAttribute("role", "alert"); status.textContent = answer.error; return; }
    markTerms(span, answer.translation, terms);
    span.classList.add("reviewed");
    span.classList.remove("uncertain");
    stop();
    saved(span, answer.memory ? "Saved into the translation memory." : "Saved in this result.");
  });
  const others = button("Alternatives", "quiet", async () => {
    status.textContent = "Asking the model…";
    const current = span.innerText.trim();
    const response = await fetch(`${url}/alternatives`, { headers: { Accept: "application/json" } });
    const answer = await response.json();
    if (!response.ok) { status.className = "bad"; status.textContent = answer.error; return; }
    status.textContent = answer.alternatives.length ? "Pick one, then save:" : "The model has no other translation of this sentence.";
    others.remove();
    answer.alternatives.forEach((text) => {
      const pick = button("", "alt", () => { span.textContent = text; span.dispatchEvent(new Event("input")); span.focus(); });
      pick.append(...differences(current, text));
      pick.setAttribute("lang", card.lang);
      pick.setAttribute("dir", card.dir);
      bar.insertBefore(pick, status);
    });
  });
  const cancel = button("Cancel", "plain", () => { span.innerHTML = before; stop(); });
  bar.append(original, ...(checks ? [checks] : []), save, others, cancel, status);
  const stop = () => {
    span.removeAttribute("contenteditable");
    span.removeEventListener("keydown", keys);
    span.removeEventListener("input", span.checkTerms);
    bar.remove();
    span.focus();
  };
  const keys = (event) => {
    if (event.key === "Escape") { event.preventDefault(); cancel.click(); }
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); save.click(); }
  };
  span.textContent = span.innerText;  // edit plain text; the bar keeps the glossary's terms in view
  span.setAttribute("contenteditable", "plaintext-only");
  span.addEventListener("keydown", keys);
  span.closest("p").after(bar);
  span.focus();
}

// The glossary terms the sentence had, each said to be still in it or missing, as the editor types.
function termChecks(span, terms) {
  if (!terms.length) return null;
  const list = document.createElement("ul");
  list.className = "term-checks";
  list.setAttribute("aria-label", "Glossary terms in this sentence");
  const rows = terms.map((term) => {
    const row = document.createElement("li");
    list.append(row);
    return { term, row };
  });
  span.checkTerms = () => {
    const text = span.innerText;
    rows.forEach(({ term, row }) => {
      const kept = text.includes(term.text);
      row.className = kept ? "kept" : "missing";
      row.textContent = `${term.title.replace(/^glossary: /, "Glossary: ")} ${kept ? "✓ in the sentence" : "✗ missing"}`;
    });
  };
  span.addEventListener("input", span.checkTerms);
  span.checkTerms();
  return list;
}

// The saved sentence with its glossary terms marked again, as the page drew them.
function markTerms(span, text, terms) {
  span.textContent = "";
  const found = terms.map((term) => term.text).filter((term) => term && text.includes(term));
  if (!found.length) { span.textContent = text; return; }
  const titles = Object.fromEntries(terms.map((term) => [term.text, term.title]));
  const pattern = new RegExp(found.sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    span.append(text.slice(at, match.index));
    const mark = document.createElement("mark");
    mark.className = "term";
    mark.title = titles[match[0]];
    mark.textContent = match[0];
    span.append(mark);
    at = match.index + match[0].length;
  }
  span.append(text.slice(at));
}

// An alternative's words, those that differ from the current translation in <ins> (a word diff:
// the longest run of words the two share stays plain).
function differences(current, other) {
  const a = current.split(/\s+/).filter(Boolean);
  const b = other.split(/\s+/).filter(Boolean);
  const common = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const parts = [];
  let i = 0;
  b.forEach((word, j) => {
    while (i < a.length && common[i][j] === common[i + 1][j]) i++;
    const same = i < a.length && a[i] === word && common[i][j] === common[i + 1][j + 1] + 1;
    if (same) i++;
    const piece = same ? document.createTextNode(word) : Object.assign(document.createElement("ins"), { textContent: word });
    if (parts.length) parts.push(document.createTextNode(" "));
    parts.push(piece);
  });
  return parts;
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
