// What the stage's layers share to draw with: the colours (read once from the CSS custom
// properties on the lab's root, one source of truth with the legend), the fonts, the
// region tints and the rounded-rectangle path.

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

/** Region tints, by the position of a region's name in the known list (others hash in). */
const REGION_COLORS = ['#6aa6ff', '#3ecf8e', '#f5b342', '#c08bff', '#2ec4c6', '#ff8a8a'];
const KNOWN_REGIONS = ['us-east', 'eu-west', 'ap-south', 'us-west'];

export function regionColorIndex(name) {
  const i = KNOWN_REGIONS.indexOf(name);
  if (i >= 0) return i;
  let h = 0;
  for (let k = 0; k < name.length; k++) h = (h * 31 + name.charCodeAt(k)) >>> 0;
  return 4 + (h % (REGION_COLORS.length - 4));
}

/** The stage's colours, from the CSS custom properties on `el`. */
export function readTheme(el) {
  const cs = getComputedStyle(el);
  const v = (name, fallback) => (cs.getPropertyValue(name).trim() || fallback);
  const messageColors = new Map();
  const theme = {
    bg: v('--rl-stage', '#0f1522'),
    card: v('--rl-card', '#172033'),
    cardBorder: v('--rl-card-border', '#2a3650'),
    text: v('--rl-text', '#e7ebf3'),
    muted: v('--rl-muted', '#8d97ad'),
    accent: v('--rl-accent', '#6aa6ff'),
    gold: v('--rl-gold', '#f4c35a'),
    good: v('--rl-good', '#3ecf8e'),
    warn: v('--rl-warn', '#f5b342'),
    bad: v('--rl-bad', '#ff6b6b'),
    link: v('--rl-link', '#50607f'),
    cell: v('--rl-cell', '#4c8dff'),
    lost: v('--rl-lost', '#ff5d5d'),
    frozen: v('--rl-frozen', '#7cc8ff'),
    /** A message colour by name (`--rl-msg-NAME`), read on first use. */
    message: (name) => {
      let c = messageColors.get(name);
      if (c === undefined) {
        c = v(`--rl-msg-${name}`, '#999');
        messageColors.set(name, c);
      }
      return c;
    },
  };
  theme.cellReceived = withAlpha(theme.cell, 0.28);
  theme.cellFlushed = withAlpha(theme.cell, 0.6);
  theme.cellApplied = theme.cell;
  theme.cellMissing = withAlpha(theme.muted, 0.55);
  theme.cellFuture = withAlpha(theme.muted, 0.16);
  theme.linkFaint = withAlpha(theme.link, 0.28);
  theme.lagColors = [theme.good, theme.warn, theme.bad];
  theme.cardDown = v('--rl-card-down', '#141a27');
  theme.accentHalf = withAlpha(theme.accent, 0.5);
  theme.accentHover = withAlpha(theme.accent, 0.6);
  theme.accentFaint = withAlpha(theme.accent, 0.18);
  theme.goldBorder = withAlpha(theme.gold, 0.75);
  theme.goldFaint = withAlpha(theme.gold, 0.25);
  theme.stripLine = withAlpha(theme.muted, 0.18);
  theme.regions = REGION_COLORS.map((c) => ({ fill: withAlpha(c, 0.07), edge: withAlpha(c, 0.3), text: withAlpha(c, 0.95), pill: withAlpha(c, 0.12) }));
  theme.pendingBg = withAlpha(theme.warn, 0.13);
  theme.pendingEdge = withAlpha(theme.warn, 0.55);
  theme.loadTrack = withAlpha(theme.muted, 0.2);
  theme.badgeBg = {
    [theme.bad]: withAlpha(theme.bad, 0.14),
    [theme.gold]: withAlpha(theme.gold, 0.14),
    [theme.muted]: withAlpha(theme.muted, 0.14),
    [theme.frozen]: withAlpha(theme.frozen, 0.16),
    [theme.accent]: withAlpha(theme.accent, 0.18),
  };
  theme.frozenTint = withAlpha(theme.frozen, 0.1);
  theme.cut = withAlpha(theme.bad, 0.85);
  return theme;
}

function withAlpha(color, a) {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** Adds a rounded rectangle to the current path. */
export function rrect(ctx, x, y, w, h, r) {
  if (ctx.roundRect) ctx.roundRect(x, y, w, h, r);
  else ctx.rect(x, y, w, h);
}
