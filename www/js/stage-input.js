// Pointer interaction with one lab's canvas: hover tooltips (the layer that was hit says
// what to write) and clicks, which select a node for the inspector or a link for the
// latency editor (`select` on the lab's bus).

/**
 * @param {Record<string, HTMLElement>} refs
 * @param {import('./renderer.js').Renderer} renderer
 * @param {import('./lab-bus.js').LabBus} bus
 * @param {() => void} redraw draws the latest snapshot again (hover changed while paused)
 */
export function wireStage(refs, renderer, bus, redraw) {
  const { canvas, tooltip: tip, canvasWrap: wrap } = refs;
  let lastPoint = null;

  const local = (e) => {
    const rect = canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };

  const hoverAt = (pt) => {
    const hit = renderer.hitTest(pt.x, pt.y);
    const changed = !sameHit(hit, renderer.hover);
    renderer.hover = hit;
    canvas.style.cursor = hit && hit.type !== 'client' && hit.type !== 'message' ? 'pointer' : 'default';
    const text = hit ? renderer.describe(hit, bus.snapshot) : '';
    if (!text) {
      tip.hidden = true;
    } else {
      if (tip.textContent !== text) tip.textContent = text;
      tip.hidden = false;
      const w = wrap.clientWidth, h = wrap.clientHeight;
      const tw = tip.offsetWidth, th = tip.offsetHeight;
      let x = pt.x + 14, y = pt.y + 14;
      if (x + tw > w - 4) x = Math.max(4, pt.x - tw - 10);
      if (y + th > h - 4) y = Math.max(4, pt.y - th - 10);
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
    }
    if (changed && !bus.running) redraw();
  };

  bus.listen(canvas, 'pointermove', (e) => {
    lastPoint = local(e);
    hoverAt(lastPoint);
  });
  bus.listen(canvas, 'pointerleave', () => {
    lastPoint = null;
    tip.hidden = true;
    if (renderer.hover) {
      renderer.hover = null;
      if (!bus.running) redraw();
    }
  });
  bus.listen(canvas, 'click', (e) => {
    const pt = local(e);
    const hit = renderer.hitTest(pt.x, pt.y);
    if (hit?.type === 'node' || hit?.type === 'cell') bus.emit('select', { node: hit.node });
    else if (hit?.type === 'link') bus.emit('select', { link: [hit.a, hit.b] });
    else if (!hit) bus.emit('select', {});
    if (e.pointerType === 'touch' || e.pointerType === 'pen') hoverAt(pt); // a tap shows the tooltip too
  });
  // While playing, keep the tooltip of a moving message in step at the UI rate.
  bus.on('ui', () => {
    if (lastPoint && bus.running) hoverAt(lastPoint);
  });
}

function sameHit(a, b) {
  if (a === b) return true;
  if (!a || !b || a.type !== b.type) return false;
  switch (a.type) {
    case 'message': return a.message.id === b.message.id;
    case 'cell': return a.node === b.node && a.lsn === b.lsn;
    case 'node': return a.node === b.node;
    case 'client': return a.client === b.client;
    case 'link': return a.a === b.a && a.b === b.b;
    default: return false;
  }
}
