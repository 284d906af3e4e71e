/** The OpenAPI tag of the routes for operators' machines: health probes and the Prometheus metrics. */
export const OPERATIONS_TAG = {
  name: 'operations',
  description: 'Probes for load balancers and orchestrators (no key needed), and the Prometheus metrics (`X-Admin-Key`).',
};
