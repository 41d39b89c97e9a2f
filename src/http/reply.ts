/** An HTTP answer as a value: routes return these, the server writes them. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export const json = (status: number, body: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
