import type { WebSocket } from 'ws';
import { ClientConnection } from './client-connection.js';

const socket = { readyState: 1, OPEN: 1, CLOSED: 3, bufferedAmount: 0 } as unknown as WebSocket;

describe('ClientConnection.inTurn', () => {
  it('runs at once while nothing is being checked', () => {
    const connection = new ClientConnection(socket, 1024);
    const ran: string[] = [];
    connection.inTurn(() => ran.push('ping'));
    expect(ran).toEqual(['ping']);
    expect(connection.isChecking).toBe(false);
  });

  it('holds the messages behind a credential check until it settles, in arrival order', async () => {
    const connection = new ClientConnection(socket, 1024);
    const ran: string[] = [];
    let finishCheck!: () => void;
    connection.inTurn(() => {
      ran.push('auth');
      return new Promise<void>((resolve) => (finishCheck = resolve));
    });
    connection.inTurn(() => ran.push('subscribe 1'));
    connection.inTurn(() => ran.push('subscribe 2'));
    await Promise.resolve();
    expect(ran).toEqual(['auth']);
    expect(connection.isChecking).toBe(true);
    finishCheck();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['auth', 'subscribe 1', 'subscribe 2']);
    expect(connection.isChecking).toBe(false);
  });

  it('holds a second check behind the first, and goes on after one that fails', async () => {
    const connection = new ClientConnection(socket, 1024);
    const ran: string[] = [];
    connection.inTurn(() => Promise.reject(new Error('database away')));
    connection.inTurn(() => {
      ran.push('renewal');
      return new Promise<void>((resolve) => setImmediate(resolve));
    });
    connection.inTurn(() => ran.push('subscribe'));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['renewal', 'subscribe']);
  });
});
