/* On a phone the map comes first and the controls wait behind one button: the page opens on
   the map, not on a screen of menus. Wider screens show the controls beside the map and never
   see the button (explorer.css). */

export function setupPanel() {
  const toggle = document.getElementById("controls-toggle");
  const form = document.getElementById("controls");
  const show = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    form.classList.toggle("collapsed", !open);
  };
  toggle.hidden = false;
  show(false);
  toggle.addEventListener("click", () => show(toggle.getAttribute("aria-expanded") !== "true"));
}
