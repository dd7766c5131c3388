// A stand-in for the browser WebSocket that records what the client sends; the test plays the server.

export class FakeSocket {
  static made = [];

  constructor(url) {
    this.url = url;
    this.sent = [];
    this.readyState = 0;
    this.closedWith = null;
    FakeSocket.made.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code) {
    this.closedWith = code;
    this.serverCloses(code);
  }

  /** Test helpers: the server side of the connection. */
  serverOpens() {
    this.readyState = 1;
    this.onopen();
  }

  serverSends(message) {
    this.onmessage({ data: typeof message === "string" || message instanceof ArrayBuffer ? message : JSON.stringify(message) });
  }

  serverCloses(code) {
    this.readyState = 3;
    this.onclose({ code });
  }
}
