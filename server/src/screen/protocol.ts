// Messages between the gateway's main thread and the screen worker. Internal to screen/.

export type ToWorker =
  | { op: 'open'; id: number; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: number; data: Uint8Array }
  | { op: 'resize'; id: number; cols: number; rows: number }
  | { op: 'snapshot'; id: number; request: number }
  | { op: 'text'; id: number; request: number }
  | { op: 'close'; id: number };

export type FromWorker =
  | { op: 'parsed'; id: number; bytes: number }
  | { op: 'snapshot'; id: number; request: number; data: string }
  | { op: 'text'; id: number; request: number; data: string };
