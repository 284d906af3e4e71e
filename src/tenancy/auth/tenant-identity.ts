/** What a verified API key resolves to; cached and carried through the request. Holds no key material. */
export interface TenantIdentity {
  id: string;
  name: string;
  slug: string;
  schemaName: string;
  isActive: boolean;
  createdAt: Date;
}
