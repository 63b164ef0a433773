// The AWS permissions each deploy script needs of whoever runs it, in one list: the README's table is
// rendered from it (a unit test holds them equal), and the integration test holds every AWS call each
// script makes against the local stack to it.

export interface DeployerGrant {
  command: 'npm run federation-user' | 'npm run bootstrap' | 'npm run smoke';
  /** IAM actions, service-prefixed as in a policy. */
  actions: string[];
  /** The resource the actions need, `<stage>`, `<region>`, `<account>` to fill in. */
  resource: string;
}

export const DEPLOYER_GRANTS: DeployerGrant[] = [
  {
    command: 'npm run federation-user',
    actions: ['iam:GetUser', 'iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey'],
    resource: 'arn:aws:iam::<account>:user/credvend-<stage>-federation',
  },
  {
    command: 'npm run federation-user',
    actions: ['ssm:GetParameter', 'ssm:PutParameter'],
    resource: 'arn:aws:ssm:<region>:<account>:parameter/credvend/<stage>/federation-user',
  },
  {
    command: 'npm run bootstrap',
    actions: ['dynamodb:Query'],
    resource: 'arn:aws:dynamodb:<region>:<account>:table/credvend-<stage>-main/index/gsi1',
  },
  {
    command: 'npm run bootstrap',
    actions: ['dynamodb:PutItem'],
    resource: 'arn:aws:dynamodb:<region>:<account>:table/credvend-<stage>-main',
  },
  // The smoke test calls the API with the operator key; its one AWS call is signed by the credentials it was issued.
  { command: 'npm run smoke', actions: ['sts:GetCallerIdentity'], resource: 'none needed: signed by the issued credentials' },
];

/** Every action a command needs, e.g. for comparing with what it called. */
export function actionsOf(command: DeployerGrant['command']): string[] {
  return DEPLOYER_GRANTS.filter((g) => g.command === command).flatMap((g) => g.actions);
}

/** The README's table (section "Deploying to AWS"). */
export function grantsTable(): string {
  const rows = DEPLOYER_GRANTS.map((g) => `| \`${g.command}\` | ${g.actions.map((a) => `\`${a}\``).join(', ')} | \`${g.resource}\` |`);
  return ['| command | actions | resource |', '|---|---|---|', ...rows].join('\n');
}
