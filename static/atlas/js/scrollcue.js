/* A table wider than its box scrolls sideways inside it, and a phone shows no scroll bar to
   say so: the box gets a shadow on each side that hides columns, and the line before the box
   ("Tabelle seitlich wischen") shows while the table does not fit. */

function update(box) {
  const frame = box.parentElement;
  const hidden = box.scrollWidth - box.clientWidth;
  frame.toggleAttribute("data-more-left", box.scrollLeft > 1);
  frame.toggleAttribute("data-more-right", hidden - box.scrollLeft > 1);
  const cue = frame.previousElementSibling;
  if (cue && cue.classList.contains("scroll-cue")) cue.hidden = hidden <= 1;
}

function watch(box) {
  const again = () => update(box);
  box.addEventListener("scroll", again, { passive: true });
  // The box changes with the screen, the table with every year or page of rows.
  const observer = new ResizeObserver(again);
  observer.observe(box);
  if (box.firstElementChild) observer.observe(box.firstElementChild);
  again();
}

for (const box of document.querySelectorAll(".table-frame > .table-scroll")) watch(box);
