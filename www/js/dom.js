// Small DOM helpers the panels share: text that is only written when it changes, a select
// refilled with nodes, and whether a side-panel tab is the one shown.

export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/** Refills `select` with one option per node, keeping the chosen one if it is still there. */
export function fillSelect(select, nodes, label, fallback) {
  const prev = select.value;
  select.replaceChildren(...nodes.map((n) => {
    const o = document.createElement('option');
    o.value = String(n.id);
    o.textContent = label(n);
    return o;
  }));
  const keep = nodes.some((n) => String(n.id) === prev);
  select.value = keep ? prev : String(fallback ?? '');
}

/** Whether `el` sits in the side-panel tab that is shown. */
export function inShownPanel(el) {
  return !el.closest('.rl-panel').hidden;
}
