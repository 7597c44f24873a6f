import { WsAdapter } from '@nestjs/platform-ws';

/**
 * Nest's WsAdapter, minus its per-socket message router: the gateway has no
 * @SubscribeMessage handlers (it parses frames itself, to answer with the contract's close
 * codes), so the router's per-socket RxJS pipeline would only cost memory on every
 * connection.
 */
export class LeanWsAdapter extends WsAdapter {
  override bindMessageHandlers(): void {
    // Intentionally empty: see the class comment.
  }
}
