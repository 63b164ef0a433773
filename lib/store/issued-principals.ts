// Whether a principal ARN is one the ledger says was issued to a partner: the partner's issuances,
// newest first, through the sharded byPartner reads of lib/store/issuance-queries.ts.
import type { IssuanceQueries } from '../admin/ports';
import type { IssuedPrincipals } from '../decode/ports';

const PAGE = 100;

export class LedgerIssuedPrincipals implements IssuedPrincipals {
  constructor(private readonly queries: IssuanceQueries) {}

  async issuedTo(tenantId: string, partnerId: string, principalArn: string, since: string, maxRecords: number): Promise<boolean> {
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await this.queries.query(tenantId, { partnerId, from: since }, { limit: Math.min(PAGE, maxRecords - seen), cursor });
      if (page.items.some((r) => r.tenantId === tenantId && r.partnerId === partnerId && r.principalArn === principalArn)) return true;
      seen += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined && seen < maxRecords);
    return false;
  }
}
