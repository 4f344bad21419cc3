// How each kind of message looks on the stage and what a tooltip calls it: its radius, its
// colour (a `--rl-msg-NAME` custom property, or a function of the message that names one),
// a diamond or a ring instead of a dot, and a count drawn on it. The kinds are those of the
// single-leader protocol, the leaderless one's and their clients; a kind missing here is
// drawn as a plain dot.

import { appendCount } from './format.js';

export const MESSAGE_LOOKS = {
  append: { r: 6.5, color: 'append', count: (m) => appendCount(m.label), words: 'log entries shipped to a replica' },
  heartbeat: { r: 3, color: 'heartbeat', words: 'heartbeat (an empty append: "still here")' },
  ack: { r: 3.5, color: 'ack', words: 'ack: the replica reports its positions' },
  nack: { r: 4.5, color: 'nack', words: 'nack: the replica asks for a resend' },
  write: { r: 5, color: 'write', words: 'client write request' },
  read: { r: 5, color: 'read', words: 'client read request' },
  voteRequest: { r: 6, color: 'voteRequest', diamond: true, words: 'vote request: "vote for me?"' },
  vote: { r: 4.5, color: 'vote', words: 'vote' },
  timeoutNow: { r: 6, color: 'timeoutNow', diamond: true, words: 'timeout now: "take over now" (a switchover)' },
  snapshot: { r: 8, color: 'snapshot', ring: true, words: 'base backup: the primary\'s checkpoint, for a replica its WAL no longer reaches (pg_basebackup, InstallSnapshot)' },
  // A reply has the colour of the request it answers (a read's result starts with '=').
  reply: { r: 4.5, color: replyColor, ring: true, words: 'reply to a client' },
  // The leaderless model's (a coordinator and the replicas of a key).
  request: { r: 5, color: (m) => (m.label.startsWith('write') ? 'write' : 'read'), words: 'client request to the node that coordinates it' },
  mutation: { r: 4.5, color: 'write', words: 'mutation: the coordinator asks a replica to store a write' },
  readData: { r: 4, color: 'read', words: 'data read: the coordinator asks one replica for the value' },
  readDigest: { r: 3.5, color: 'digest', words: 'digest read: the other replicas send only a hash of what they hold' },
  data: { r: 4.5, color: 'read', ring: true, words: 'the value a replica holds, with its timestamp' },
  digest: { r: 3.5, color: 'digest', ring: true, words: 'a digest (hash) of a replica\'s version' },
  repair: { r: 5.5, color: 'repair', diamond: true, words: 'read repair: the newest version written back to a replica that lacked it' },
  hints: { r: 6.5, color: 'hints', count: (m) => parseInt(m.label, 10) || 0, words: 'hinted handoff: writes kept for a replica that was down, replayed to it' },
  ping: { r: 2.5, color: 'heartbeat', words: 'gossip: "I am alive"' },
};

/** A reply has the colour of the request it answers (a single-leader read's result starts with '='; a leaderless write's is "ok ..."). */
function replyColor(m) {
  const c = m.label.charCodeAt(0);
  if (c === 61) return 'read';
  if (m.label.includes('(timestamp') || m.label === 'no value') return m.label.startsWith('ok') ? 'reply-write' : 'read';
  return 'reply-write';
}

/** How a kind missing from MESSAGE_LOOKS is drawn. */
export const PLAIN_LOOK = { r: 4.5, color: 'other' };

/** A message kind in a few words ("append", "vote request"). */
export function messageName(kind) {
  return String(kind ?? 'message').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
