/**
 * Links into the dashboard. It routes on the path (History API) and audit-api answers every client
 * route with the dashboard's page, so a link names the page itself: `<base>/escalations/<id>`.
 * Ids are percent-encoded as the dashboard's own links are.
 */
export const dashboardLinks = {
  escalation: (base: string, escalationId: string): string => `${base}/escalations/${encodeURIComponent(escalationId)}`,
  escalations: (base: string): string => `${base}/escalations`,
  action: (base: string, actionId: string): string => `${base}/actions/${encodeURIComponent(actionId)}`,
  actions: (base: string): string => `${base}/actions`,
};
