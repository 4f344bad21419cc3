// Draws one lab's cluster on its canvas by stacking layers, each in its own module: the
// stage (background, region tints, links, clients), the cards (single-leader node cards,
// or for a leaderless cluster the token ring and its peers: ring-cards.js; either decides
// the ring's order and which links stand out), the overlays (region
// names, link labels, placed clear of the cards) and the messages in flight on top. The layout is shared and
// recomputed only when it must; a frame draws into the same canvas without touching the
// DOM. Hit tests ask the layers from the top down; tooltips ask the layer that was hit.

import { SingleLeaderCards } from './cards-layer.js';
import { MESSAGE_LOOKS, PLAIN_LOOK } from './message-looks.js';
import { MessagesLayer } from './messages-layer.js';
import { OverlaysLayer } from './overlays-layer.js';
import { RingCards } from './ring-cards.js';
import { StageLayer } from './stage-layer.js';
import { StageLayout } from './stage-layout.js';
import { readTheme } from './stage-theme.js';

export class Renderer {
  /** @param {HTMLCanvasElement} canvas @param {HTMLElement} themeRoot */
  constructor(canvas, themeRoot) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.theme = readTheme(themeRoot);
    this.dpr = 1;
    this.w = 0;
    this.h = 0;
    this.layout = new StageLayout();
    this.stage = new StageLayer();
    this.overlays = new OverlaysLayer();
    this.singleLeaderCards = new SingleLeaderCards();
    this.ringCards = new RingCards();
    this.cards = this.singleLeaderCards; // the layer of the last frame's model
    this.messages = new MessagesLayer(MESSAGE_LOOKS, PLAIN_LOOK);
    this.lastSnap = null;
    this.selection = {}; // {node} | {link: [a, b]} | {}, and a leaderless key: {ringKey}
    this.hover = null; // a hit-test result
    this.linkLabels = new Map(); // a*16+b → { text, slow }
  }

  /** Highlights a leaderless key's replicas (`lab.replicasOf(key)`), or the latest operation's (null). */
  setRingKey(keyView) {
    this.ringCards.chosen = keyView ?? null;
  }

  /** Reads the colours again (after a theme change). */
  setTheme(themeRoot) {
    this.theme = readTheme(themeRoot);
  }

  /** Sets the canvas size in CSS pixels (call from a ResizeObserver). Returns whether it changed. */
  resize(cssW, cssH) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.floor(cssW));
    const h = Math.max(1, Math.floor(cssH));
    if (w === this.w && h === this.h && dpr === this.dpr) return false;
    this.w = w;
    this.h = h;
    this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    return true;
  }

  draw(snap) {
    if (!snap || !this.w) return;
    this.lastSnap = snap;
    this.cards = snap.model === 'leaderless' ? this.ringCards : this.singleLeaderCards;
    const layout = this.layout;
    layout.update(snap, this.w, this.h, this.cards);
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const frame = { ctx, theme: this.theme, layout, snap, selection: this.selection, hover: this.hover };
    const links = this.cards.links(snap, layout);
    this.stage.draw(frame, links);
    this.cards.draw(frame);
    // Labels over the cards' layer, placed where they clear every card: never hidden.
    this.overlays.draw(frame, links, this.linkLabels, () => this.cards.keepClear(layout), `${layout.key}|${this.cards.primaryId}`);
    this.messages.draw(frame);
  }

  /**
   * What is under (x, y) in CSS pixels, in the last frame: {type:'message', index, message}
   * | {type:'cell', node, lsn} | {type:'node', node} | {type:'client', client} | {type:'link', a, b} | null.
   */
  hitTest(x, y) {
    const snap = this.lastSnap;
    if (!snap) return null;
    return this.messages.hit(snap, x, y)
      ?? this.cards.hit(this.layout, x, y)
      ?? this.stage.clientAt(this.layout, x, y)
      ?? this.stage.linkAt(this.layout, x, y);
  }

  /** Tooltip text for a hit-test result, from the latest snapshot. */
  describe(hit, snap) {
    switch (hit.type) {
      case 'message': return this.messages.describe(hit, snap);
      case 'cell':
      case 'node': return this.cards.describe(hit, snap);
      default: return this.stage.describe(hit, snap, this.linkLabels, this.cards.clientNote(snap));
    }
  }

  /** Where a node is drawn: its centre and size in CSS pixels (for tests and tooltips). */
  nodeBox(id) {
    return this.layout.nodeBox(id);
  }
}
