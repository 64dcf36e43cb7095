// Progressive enhancement only: the batch pages work without this file (a Refresh link instead of polling).
const OVER = ["finished", "cancelled"];

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("batch-form");
  if (form) {
    form.addEventListener("submit", () => {  // a big upload takes a while: say so
      document.getElementById("busy").hidden = false;
      document.getElementById("go").disabled = true;
    });
  }
  const job = document.getElementById("job");
  if (job && !OVER.includes(job.dataset.state)) follow(job);
});

// Poll the job's JSON status until it is over, updating the page in place.
function follow(job) {
  const refresh = document.getElementById("refresh");
  refresh.hidden = true;
  let delay = 1000;
  const poll = async () => {
    let body;
    try {
      const response = await fetch(job.dataset.statusUrl, {headers: {Accept: "application/json"}, cache: "no-store"});
      body = await response.json();
      if (!response.ok) {  // the job is gone, or this browser signed out: polling will not help
        say(body.error || `The status answered ${response.status}.`);
        refresh.hidden = false;
        return;
      }
    } catch (error) {  // the service restarting, the network: try again, less often
      say(`Could not get the job's status (${error.message}); trying again.`);
      delay = Math.min(delay * 2, 15000);
      setTimeout(poll, delay);
      return;
    }
    delay = 1000;
    show(job, body);
    if (!OVER.includes(body.status)) setTimeout(poll, delay);
  };
  setTimeout(poll, delay);
}

function say(text) {
  const status = document.getElementById("job-status");
  if (status.textContent !== text) status.textContent = text;  // unchanged text is not announced again
}

function show(job, body) {
  const {done, failed, total} = body.progress;
  const bar = document.getElementById("job-progress");
  bar.max = total;
  bar.value = done + failed;
  bar.textContent = `${done + failed} of ${total}`;
  say(body.message);
  job.dataset.state = body.status;
  const list = document.getElementById("failure-list");
  if (list.children.length !== body.errors.length) {
    list.replaceChildren(...body.errors.map((failure) => {
      const item = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = failure.name;
      // A reader's message may begin with the file's name already ("a.pdf: ...", "a.pdf is ..."): say it once.
      const named = failure.error.startsWith(`${failure.name} `) || failure.error.startsWith(`${failure.name}:`);
      item.append(name, named ? failure.error.slice(failure.name.length) : `: ${failure.error}`);
      return item;
    }));
    document.getElementById("failures").hidden = body.errors.length === 0;
  }
  refreshArticles(done + failed);
  if (OVER.includes(body.status)) {
    document.getElementById("cancel-form").hidden = true;
    document.getElementById("downloads").hidden = false;
  }
}

// The articles' table, drawn by the server: fetched again (this page of it) when more articles
// are processed, so a row's status, time and button come in as each article is done.
async function refreshArticles(processed) {
  const section = document.getElementById("articles");
  if (!section || Number(section.dataset.processed) === processed || section.dataset.loading) return;
  section.dataset.loading = "1";
  try {
    const response = await fetch(section.dataset.pageUrl, {cache: "no-store"});
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("articles");
    if (fresh) section.replaceWith(fresh);
  } catch (error) {
    // the next poll tries again
  } finally {
    delete section.dataset.loading;
  }
}
