// The options of a page's lab from its URL (the standalone page and embed.html read the
// same parameters): ?seed=N&speed=X&paused=1&scenario=name&lesson=id&theme=light|dark|auto
// &controls=full|minimal|none, and a share link's #lab=... fragment. Values are passed on
// as given; the lab checks them and says what is wrong with a bad one.

import { isShare } from './share.js';

/** The labs' options from the page's query string and fragment. */
export function optionsFrom(search, hash) {
  const params = new URLSearchParams(search);
  const speed = params.get('speed');
  return {
    seed: params.get('seed') ?? undefined,
    speed: speed == null || speed.trim() === '' ? undefined : Number(speed),
    paused: params.get('paused') === '1' || params.get('paused') === 'true',
    scenario: params.get('scenario') ?? undefined,
    lesson: params.get('lesson') ?? undefined,
    // A first visit (no parameters, no share link): the lab greets and offers three things to try.
    firstRun: search.replace(/^\?/, '') === '' && !isShare(hash),
    theme: params.get('theme') ?? 'auto',
    controls: params.get('controls') ?? 'full',
    share: isShare(hash) ? hash : undefined,
  };
}

