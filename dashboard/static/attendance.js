// A session's attendance: a group's "select all" box ticks or clears every participant's box in its table.
document.addEventListener("change", (event) => {
  const all = event.target;
  if (!all.classList || !all.classList.contains("select-all")) return;
  for (const box of all.closest("table").querySelectorAll('tbody input[type="checkbox"][name="owner"]')) {
    box.checked = all.checked;
  }
});
