// @ts-check
// Auth events to the app's subscribers: `INITIAL_SESSION` once to each, then the events in the
// order they happened. While the client initializes they are held, so that every subscriber
// hears `INITIAL_SESSION` first.

/**
 * @typedef {(event: string, session: any) => void} Subscriber
 */

export class AuthEvents {
  constructor() {
    /** @type {Set<Subscriber>} */
    this._subscribers = new Set();
    /** @type {[string, any][]} */
    this._queued = [];
    this._held = true;
    // Set later (unset is false, and costs no bytes here): `_closed` once closed, `_signedOut`
    // whether the last event said there is no session.
  }

  /**
   * Tells every subscriber; one failing subscriber does not stop the others.
   * @param {string} event
   * @param {any} session
   */
  _emit(event, session) {
    this._signedOut = !session;
    if (this._closed) return;
    if (this._held) {
      this._queued.push([event, session]);
      return;
    }
    for (const cb of this._subscribers) tell(cb, event, session);
  }

  /**
   * Ends the hold: `INITIAL_SESSION` with `session` to every subscriber, then what was held.
   * @param {any} session
   */
  _release(session) {
    this._held = false;
    this._signedOut = !session;
    for (const subscriber of this._subscribers) tell(subscriber, 'INITIAL_SESSION', session);
    for (const [event, s] of this._queued.splice(0)) this._emit(event, s);
  }

  /**
   * Adds a subscriber; once the hold is over, it hears `INITIAL_SESSION` with what `initial`
   * resolves to (unless it unsubscribed meanwhile).
   * @param {Subscriber} callback
   * @param {() => Promise<any>} initial
   */
  _subscribe(callback, initial) {
    /** @type {Subscriber} */
    const subscriber = (event, session) => callback(event, session);
    this._subscribers.add(subscriber);
    if (!this._held) {
      initial().then((session) => {
        if (this._subscribers.has(subscriber)) tell(subscriber, 'INITIAL_SESSION', session);
      });
    }
    return { unsubscribe: () => this._subscribers.delete(subscriber) };
  }

  _close() {
    this._closed = true;
    this._subscribers.clear();
  }
}

/**
 * @param {Subscriber} subscriber
 * @param {string} event
 * @param {any} session
 */
function tell(subscriber, event, session) {
  try {
    subscriber(event, session);
  } catch {
    // One failing subscriber does not stop the others.
  }
}
