// Platform settings: show the legal warning (and its consent box) as soon as an operator
// chooses the risky number of levels, before anything is saved. The server asks again without it.
document.addEventListener("DOMContentLoaded", () => {
  const levels = document.getElementById("id_max_levels");
  const warning = document.getElementById("levels-warning");
  if (!levels || !warning) {
    return;
  }
  const risky = warning.dataset.riskyLevels;
  if (warning.dataset.currentLevels === risky) {
    return; // already in force: the page warns at the top, and asks again only if needed
  }
  const update = () => {
    warning.hidden = levels.value !== risky;
  };
  levels.addEventListener("change", update);
  update();
});
