// The page shell: the navigation menu on narrow screens.
document.documentElement.classList.add("js");

const header = document.querySelector("[data-site-header]");
const toggle = header?.querySelector("[data-menu-toggle]");
const menu = header?.querySelector("[data-site-menu]");

if (toggle && menu) {
  toggle.hidden = false;
  // Fold the links behind the Menu button when they do not fit on the header's line: below
  // 1100 px always, above it when a language or a role makes them longer than the screen.
  const fit = () => {
    const narrow = window.matchMedia("(max-width: 1100px)").matches;
    if (narrow) {
      header.classList.add("is-compact");
      return;
    }
    header.classList.remove("is-compact");
    if (header.scrollWidth > header.clientWidth + 1) header.classList.add("is-compact");
    if (!header.classList.contains("is-compact")) {
      header.classList.remove("is-menu-open");
      toggle.setAttribute("aria-expanded", "false");
    }
  };
  let pending = false;
  window.addEventListener("resize", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fit();
    });
  });
  fit();
  document.fonts?.ready.then(fit);
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
