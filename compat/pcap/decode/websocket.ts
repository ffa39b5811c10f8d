/**
 * npm pcap's `pcap/decode/websocket`: a parser for the old (hixie-76,
 * "draft76") WebSocket framing: 0x00, UTF-8 text, 0xff. Feed it stream
 * bytes with execute(); it emits 'message' with each frame's text.
 */
import { EventEmitter } from 'node:events';

/** Messages longer than this are cut to it. */
const MAX_MESSAGE = 64 * 1024;

class WebSocketFrame {
  type: number | null = null;
  data = '';
}

type State = 'skip_response' | 'frame_type' | 'read_until_marker';

class WebSocketParser extends EventEmitter {
  /** The message being read; `buffer.end` bytes of it are filled. */
  buffer: Buffer & { end: number };
  state: State;
  declare skipped_bytes?: number;
  frame = new WebSocketFrame();

  /** `flag` "draft76": skip the 16-byte handshake response first. */
  constructor(flag?: string) {
    super();
    this.buffer = Object.assign(Buffer.alloc(MAX_MESSAGE), { end: 0 });
    if (flag === 'draft76') {
      this.state = 'skip_response';
      this.skipped_bytes = 0;
    } else {
      this.state = 'frame_type';
    }
  }

  execute(incoming_buf: Buffer): void {
    for (let pos = 0; pos < incoming_buf.length; pos++) {
      const byte = incoming_buf[pos];
      if (this.state === 'skip_response') {
        this.skipped_bytes = (this.skipped_bytes ?? 0) + 1;
        if (this.skipped_bytes === 16) this.state = 'frame_type';
      } else if (this.state === 'frame_type') {
        this.frame.type = byte;
        this.state = 'read_until_marker';
      } else if (byte !== 0xff) {
        if (this.buffer.end < MAX_MESSAGE) this.buffer[this.buffer.end] = byte;
        this.buffer.end += 1;
      } else {
        this.frame.data = this.buffer.toString('utf8', 0, Math.min(this.buffer.end, MAX_MESSAGE));
        this.emit('message', this.frame.data);
        this.state = 'frame_type';
        this.buffer.end = 0;
      }
    }
  }
}

export = WebSocketParser;
