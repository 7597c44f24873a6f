/** GET /api/session: who the request's credential belongs to (the web app's top bar shows it). */
export interface WhoAmI {
  keyName: string;
  keyPrefix: string | null;
  scopes: string[];
  projectId: string | null;
  via: string;
  expiresAt: string | null;
}

/** POST /api/projects/:projectId/tokens: a subscription token and when it stops working. */
export interface SubscriptionToken {
  token: string;
  expiresAt: string;
}
