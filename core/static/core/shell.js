// The page shell: the navigation menu on narrow screens.
document.documentElement.classList.add("js");

const header = document.querySelector("[data-site-header]");
const toggle = header?.querySelector("[data-menu-toggle]");
const menu = header?.querySelector("[data-site-menu]");

if (toggle && menu) {
  toggle.hidden = false;
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    header.classList.toggle("is-menu-open", open);
  };
  toggle.addEventListener("click", () => {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("is-menu-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (header.classList.contains("is-menu-open") && !header.contains(event.target)) {
      setOpen(false);
    }
  });
}
