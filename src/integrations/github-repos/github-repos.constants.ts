/** Provider name of the GitHub REST client: resilience policy (`RESILIENCE_GITHUB_REST_*`), metrics, health. */
export const GITHUB_REST = 'github-rest';
