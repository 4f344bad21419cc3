// The side panel's tabs, as the WAI-ARIA tabs pattern has them: one tab in the Tab order
// (the selected one: a roving tabindex), ← → move between tabs and show each (automatic
// activation), Home and End go to the first and last; each tab controls its panel
// (aria-controls) and each panel is labelled by its tab and focusable. Ids are made per
// instance, so several labs on one page never share one.

/**
 * @param {HTMLElement} root the lab's root
 * @param {import('./lab-bus.js').LabBus} bus
 * @param {(name: string) => void} show shows the named tab's panel (and calls `select`)
 * @returns {(name: string) => void} marks `name` as the selected tab
 */
export function wireTabs(root, bus, show) {
  const tabs = [...root.querySelectorAll('.rl-tab')];
  const prefix = `rl-${Math.random().toString(36).slice(2, 9)}`;
  for (const tab of tabs) {
    const name = tab.dataset.tab;
    const panel = root.querySelector(`.rl-panel[data-panel="${name}"]`);
    tab.id = `${prefix}-tab-${name}`;
    if (panel) {
      panel.id = `${prefix}-panel-${name}`;
      tab.setAttribute('aria-controls', panel.id);
      panel.setAttribute('aria-labelledby', tab.id);
      panel.tabIndex = 0;
    }
    bus.listen(tab, 'click', () => show(name));
  }
  const list = root.querySelector('[role="tablist"]');
  bus.listen(list, 'keydown', (e) => {
    const at = tabs.indexOf(e.target);
    if (at < 0 || e.altKey || e.ctrlKey || e.metaKey) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to == null) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length];
    next.focus();
    show(next.dataset.tab);
  });
  return (name) => {
    for (const tab of tabs) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
  };
}
