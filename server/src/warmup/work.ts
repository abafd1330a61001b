// How much the warm-up (index.ts) does: a module of its own, without the gateway, for the tests.

/** What the warm-up does at most; it also stops at its deadline. */
export const WARMUP_WORK = {
  /**
   * Throwaway gateways, one after the other, and sessions of each kind in each. Code optimized
   * while one session or one gateway ran is thrown away when the next one's callbacks and objects
   * reach it ("wrong call target", "wrong map"); from the second on it is optimized for any. With
   * one gateway the real one's first session still met that (measured: echo p99 ~1.0–1.3 ms
   * against ~0.5–0.7 ms with two).
   */
  gateways: 2,
  sessions: 2,
  /** 32-byte round trips through `cat`, per session. */
  echoes: 1_500,
  /** Bytes of `/dev/zero` relayed from `head`, acknowledged as a client does, per session. */
  floodBytes: 8 * 1024 * 1024,
  /** Keystrokes (a letter and Enter each) into `cat` on a terminal, per session. */
  keystrokes: 500,
} as const;
