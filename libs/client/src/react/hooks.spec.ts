import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import type { WebSocketLike } from '../options.js';
import { useBuild, useProject } from './hooks.js';

describe('useBuild and useProject', () => {
  it('render `connecting` on the server without a request or a socket', () => {
    const sockets: string[] = [];
    const requests: string[] = [];
    const options = {
      baseUrl: 'http://app.test',
      fetch: (input: string | URL | Request) => {
        requests.push(input instanceof Request ? input.url : input.toString());
        return Promise.reject(new Error('no network in this test'));
      },
      WebSocket: class {
        constructor(url: string) {
          sockets.push(url);
        }
      } as unknown as new (url: string) => WebSocketLike,
    };
    function Build() {
      const build = useBuild('p', 's', options);
      const project = useProject('p', options);
      return createElement(
        'p',
        null,
        `${build.status} ${build.state === null} ${project.status} ${project.sessions === null}`,
      );
    }
    expect(renderToString(createElement(Build))).toBe('<p>connecting true connecting true</p>');
    expect(sockets).toEqual([]);
    expect(requests).toEqual([]);
  });
});
