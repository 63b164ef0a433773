// Operator: operator keys (list, create: shown once, revoke another).
import { useState } from 'preact/hooks';
import { api, listAll } from '../api';
import type { Page, PageProps } from '../page';
import type { ApiKey, NewApiKey } from '../types';
import { ErrorBox, NewSecret, Section, useAction, useLoad, when } from '../ui';

function OperatorKeys({ session }: PageProps) {
  const keys = useLoad(() => listAll<ApiKey>(session, '/v1/operator-keys'), []);
  const [secret, setSecret] = useState<NewApiKey>();
  const action = useAction();
  return (
    <div>
      {secret && <NewSecret label={`Operator key ${secret.keyId}`} secret={secret.apiKey} onDone={() => setSecret(undefined)} />}
      <ErrorBox error={keys.error ?? action.error} />
      <Section title="Operator keys">
        <table data-testid="operator-keys">
          <tr>
            <th>key</th>
            <th>status</th>
            <th>created</th>
            <th>last used</th>
            <th />
          </tr>
          {keys.data?.map((k) => (
            <tr>
              <td class="mono">{k.keyId}</td>
              <td>{k.status}</td>
              <td>{when(k.createdAt)}</td>
              <td>{when(k.lastUsedAt)}</td>
              <td>
                {k.status === 'active' && !session.key.startsWith(`cv1.${k.keyId}.`) && (
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      action.run(async () => {
                        await api(session, 'DELETE', `/v1/operator-keys/${k.keyId}`);
                        keys.reload();
                      })
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </table>
        <button
          type="button"
          onClick={() =>
            action.run(async () => {
              setSecret(await api<NewApiKey>(session, 'POST', '/v1/operator-keys'));
              keys.reload();
            })
          }
        >
          New operator key
        </button>
      </Section>
    </div>
  );
}

const page: Page = { id: 'operator-keys', title: 'Operator keys', for: 'operator', view: OperatorKeys };
export default page;
