// What a page of the console is. A page is one file in pages/: the build collects them all
// (console:pages), the file name's number orders the navigation.
import type { FunctionComponent } from 'preact';
import type { Session } from './session';

export interface PageProps {
  session: Session;
  /** The tenant the page is about (the admin key's, or the one an operator picked); '' when none. */
  tenantId: string;
}

export interface Page {
  /** The hash route: #/<id>. */
  id: string;
  title: string;
  /** Who sees it. Tenant pages are for admins, and for operators once they pick a tenant. */
  for: 'tenant' | 'operator';
  view: FunctionComponent<PageProps>;
}
