// Progressive enhancement only: the page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("desk-form");
  form.addEventListener("submit", () => {  // long articles take a while: say so
    document.getElementById("busy").hidden = false;
    document.getElementById("go").disabled = true;
  });
  document.querySelectorAll(".copyable").forEach((block) => {  // a copy button per block
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
  document.querySelectorAll(".translation .s").forEach((span) => {  // click: light up the source sentence
    span.addEventListener("click", () => {
      document.querySelectorAll(".s.linked").forEach((s) => s.classList.remove("linked"));
      document.querySelectorAll(`.s[data-i="${span.dataset.i}"]`).forEach((s) => s.classList.add("linked"));
    });
  });
});
