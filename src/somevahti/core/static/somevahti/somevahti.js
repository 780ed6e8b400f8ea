// Progressive enhancement only: every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen-reader and keyboard users meet it first.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
