// The chapter editor's live preview: the form as it is now, unsaved, drawn by the server.
const section = document.querySelector(".chapter-preview");
const form = document.getElementById("chapter_form");
const target = document.getElementById("chapter-preview");
const state = document.getElementById("preview-state");
const script = document.currentScript || document.querySelector("script[data-waiting]");
let timer = null;
let asked = 0;

async function redraw() {
  const number = ++asked;
  state.textContent = script.dataset.waiting;
  try {
    const response = await fetch(section.dataset.url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    const html = await response.text();
    if (number !== asked) return; // a newer preview is on its way
    target.innerHTML = html;
    state.textContent = "";
  } catch {
    if (number === asked) state.textContent = script.dataset.failed;
  }
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(redraw, 700);
}

if (section && form) {
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  redraw();
}
